/* Target profiles: the values each consumer is known to import. */
#include <errno.h>
#include <stdlib.h>

#include "profile.h"
#include "tap.h"

struct want {
	const char *name, *hardware;
	enum kp_digest_alg digest;
	enum kp_ova_firmware firmware;
	enum kp_ova_controller controller;
	enum kp_ova_nic nic;
	const char *os_type;
};

static const struct want wants[] = {
	{ "default", "vmx-11", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_LSILOGIC, KP_OVA_VMXNET3, "debian8_64Guest" },
	{ "vmware-6.5", "vmx-13", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_LSILOGIC, KP_OVA_VMXNET3, "debian9_64Guest" },
	{ "vmware-8", "vmx-20", KP_DIGEST_SHA256, KP_OVA_EFI, KP_OVA_PVSCSI, KP_OVA_VMXNET3, "debian11_64Guest" },
	{ "proxmox", "vmx-13", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_SATA, KP_OVA_E1000, "debian12_64Guest" },
	{ "virtualbox", "vmx-11", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_SATA, KP_OVA_E1000, "debian12_64Guest" },
};

int main(void)
{
	struct kp_error err = { { 0 } };
	const struct kp_ova_profile *p;
	size_t n;
	enum kp_ova_controller c;
	enum kp_ova_nic nic;
	enum kp_ova_firmware fw;

	kp_ova_profiles(&n);
	is_int(n, sizeof(wants) / sizeof(wants[0]), "one row per target");
	is_str(kp_ova_profiles(&n)[0].name, "default", "the first row is the default");
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];

		if (!ok(kp_ova_profile_find(w->name, &p, &err) == 0, "target %s exists", w->name))
			continue;
		is_str(p->hardware, w->hardware, "%s: hardware", w->name);
		is_int(p->digest, w->digest, "%s: digest", w->name);
		is_int(p->firmware, w->firmware, "%s: firmware", w->name);
		is_int(p->controller, w->controller, "%s: disk controller", w->name);
		is_int(p->nic, w->nic, "%s: nic", w->name);
		is_str(p->os_type, w->os_type, "%s: guest id", w->name);
		ok(kp_ova_hardware_check(p->hardware, &err) == 0, "%s: its hardware family is well-formed", w->name);
	}
	/* COMPAT 1: the default is vmx-13 or lower. */
	kp_ova_profile_find("default", &p, &err);
	ok(atoi(p->hardware + 4) <= 13, "default hardware family imports on ESXi 6.5 (vmx-13 or lower)");
	ok(kp_ova_profile_find("esx4", &p, &err) < 0, "an unknown target is refused");
	like_str(err.msg, "vmware-6.5", "and the message lists the targets");

	ok(kp_ova_controller_parse("sata", &c, &err) == 0 && c == KP_OVA_SATA, "controller sata");
	ok(kp_ova_controller_parse("ide", &c, &err) < 0, "controller ide refused");
	ok(kp_ova_nic_parse("e1000e", &nic, &err) == 0 && nic == KP_OVA_E1000E, "nic e1000e");
	ok(kp_ova_nic_parse("virtio", &nic, &err) < 0, "nic virtio refused (no OVF consumer knows it)");
	ok(kp_ova_firmware_parse("efi", &fw, &err) == 0 && fw == KP_OVA_EFI, "firmware efi");
	ok(kp_ova_firmware_parse("uefi", &fw, &err) < 0, "firmware uefi refused (the word is efi)");
	ok(kp_ova_hardware_check("vmx-7", &err) == 0, "vmx-7 accepted");
	ok(kp_ova_hardware_check("vmx-21", &err) == 0, "vmx-21 accepted");
	ok(kp_ova_hardware_check("vmx-", &err) < 0, "vmx- refused");
	ok(kp_ova_hardware_check("vmx-1a", &err) < 0, "vmx-1a refused");
	ok(kp_ova_hardware_check("virtualbox-2.2", &err) < 0, "virtualbox-2.2 refused (ESXi rejects it)");
	ok(kp_ova_hardware_check("vmx-123", &err) < 0, "vmx-123 refused");
	return done_testing();
}
