/* Resolving a target: the profile gives every value, a flag overrides only
 * its own, and nothing given means the default profile. */
#include <stdio.h>
#include <string.h>

#include "create.h"
#include "tap.h"

static void test_nothing_given_is_the_default_profile(void)
{
	struct kp_ova_create_opts o = { 0 };
	struct kp_error err = { { 0 } };
	struct kp_ova_settings s;

	is_int(kp_ova_settings_resolve(&o, &s, &err), 0, "no flags resolve");
	is_str(s.profile->name, "default", "to the default profile");
	is_str(s.hardware, "vmx-11", "with its hardware family");
	is_int(s.controller, KP_OVA_LSILOGIC, "and its controller");
}

static void test_flags_override_one_value_each(void)
{
	struct kp_ova_create_opts o = { .target = "proxmox", .nic = "vmxnet3", .digest = "sha1" };
	struct kp_error err = { { 0 } };
	struct kp_ova_settings s;

	is_int(kp_ova_settings_resolve(&o, &s, &err), 0, "proxmox with two overrides resolves");
	is_int(s.nic, KP_OVA_VMXNET3, "the NIC flag wins over the profile's e1000");
	is_int(s.digest, KP_DIGEST_SHA1, "the digest flag wins");
	is_int(s.controller, KP_OVA_SATA, "the controller stays the profile's");
	is_str(s.hardware, "vmx-13", "and so does the hardware family");
	is_str(s.os_type, "debian12_64Guest", "and the guest id");
}

static void test_print(void)
{
	struct kp_ova_create_opts o = { .target = "vmware-8" };
	struct kp_error err = { { 0 } };
	struct kp_ova_settings s;
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	kp_ova_settings_resolve(&o, &s, &err);
	kp_ova_settings_print(&s, f);
	fclose(f);
	is_str(buf, "target=vmware-8\nhardware=vmx-20\ndigest=sha256\nfirmware=efi\n"
		    "disk_controller=pvscsi\nnic=vmxnet3\nos_type=debian11_64Guest\n",
	       "one key=value line per setting, in a fixed order, for build.sh");
}

static void test_bad_values_are_refused(void)
{
	struct kp_ova_create_opts o = { .target = "proxmox", .controller = "ide" };
	struct kp_error err = { { 0 } };
	struct kp_ova_settings s;

	ok(kp_ova_settings_resolve(&o, &s, &err) < 0, "an unknown controller is refused");
	like_str(err.msg, "unknown disk controller 'ide'", "with the value quoted");
	o = (struct kp_ova_create_opts){ .hardware = "vmx-x" };
	ok(kp_ova_settings_resolve(&o, &s, &err) < 0, "a malformed hardware family is refused");
}

int main(void)
{
	test_nothing_given_is_the_default_profile();
	test_flags_override_one_value_each();
	test_print();
	test_bad_values_are_refused();
	return done_testing();
}
