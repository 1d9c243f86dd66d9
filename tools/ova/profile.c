#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/*
 * Why each row is what it is:
 *  default     vmx-11 is the newest family ESXi 6.0 accepts (6.5 takes vmx-13,
 *              so vmx-11 reaches one release further back and loses nothing we
 *              use: LSI Logic, SATA, vmxnet3, EFI all exist in vmx-11).
 *              VirtualBox, Proxmox and virt-v2v ignore the family. SHA256 is
 *              read by ESXi 6.5+, ovftool 4+, VirtualBox 5+. LSI Logic and
 *              vmxnet3: VMware's own Linux defaults, emulated by QEMU too
 *              (Proxmox), Linux has the drivers in-tree; VirtualBox maps an
 *              unknown NIC to its default adapter. BIOS: every consumer
 *              defaults to it. debian8_64Guest: a guest id ESXi 6.0 knows
 *              (ovftool refuses an osType the host does not know).
 *  vmware-6.5  vmx-13 (ESXi 6.5+), debian9_64Guest (known from 6.5).
 *  vmware-8    vmx-20 (ESXi 8.0+), EFI, PVSCSI (VMware's fastest, boot
 *              supported for Debian), debian11_64Guest (debian12_64Guest
 *              arrived only with 8.0 U1).
 *  proxmox     PVE's importer maps ResourceType 20 to sata0 on QEMU's AHCI
 *              (driver ahci, always in the initramfs), while SCSI becomes
 *              QEMU's LSI 53C895A, a different chip from VMware's; it reads
 *              the firmware from vmw:Config (we keep BIOS), the OS from
 *              ovf:id 96, and only the OVF 1.0 namespace. e1000: QEMU's best
 *              tested emulated NIC.
 *  virtualbox  VirtualBox emulates neither vmxnet3 nor PVSCSI: AHCI (it
 *              accepts "vmware.sata.ahci") and E1000 (82540EM). It verifies
 *              SHA1 and SHA256 manifests (5.0+); it ignores vmw:Config, BIOS.
 */
static const struct kp_ova_profile profiles[] = {
	{ "default", "vmx-11", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_LSILOGIC, KP_OVA_VMXNET3,
	  "debian8_64Guest", "imports everywhere known: ESXi 6.0+, Workstation, VirtualBox, Proxmox, virt-v2v" },
	{ "vmware-6.5", "vmx-13", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_LSILOGIC, KP_OVA_VMXNET3,
	  "debian9_64Guest", "ESXi 6.5 and newer" },
	{ "vmware-8", "vmx-20", KP_DIGEST_SHA256, KP_OVA_EFI, KP_OVA_PVSCSI, KP_OVA_VMXNET3,
	  "debian11_64Guest", "ESXi 8.0 and newer, UEFI boot, paravirtual SCSI" },
	{ "proxmox", "vmx-13", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_SATA, KP_OVA_E1000,
	  "debian12_64Guest", "Proxmox VE import (qm importovf, GUI import)" },
	{ "virtualbox", "vmx-11", KP_DIGEST_SHA256, KP_OVA_BIOS, KP_OVA_SATA, KP_OVA_E1000,
	  "debian12_64Guest", "VirtualBox 5.0 and newer" },
};

const struct kp_ova_profile *kp_ova_profiles(size_t *count)
{
	*count = sizeof(profiles) / sizeof(profiles[0]);
	return profiles;
}

int kp_ova_profile_find(const char *name, const struct kp_ova_profile **out, struct kp_error *err)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (strcmp(profiles[i].name, name) == 0) {
			*out = &profiles[i];
			return 0;
		}
	}
	return kp_fail(err, EINVAL, "unknown target '%s': use default, vmware-6.5, vmware-8, proxmox or virtualbox", name);
}

static const char *const firmware_names[] = { [KP_OVA_BIOS] = "bios", [KP_OVA_EFI] = "efi" };
static const char *const controller_names[] = {
	[KP_OVA_LSILOGIC] = "lsilogic", [KP_OVA_SATA] = "sata", [KP_OVA_PVSCSI] = "pvscsi",
};
static const char *const nic_names[] = {
	[KP_OVA_VMXNET3] = "vmxnet3", [KP_OVA_E1000] = "e1000", [KP_OVA_E1000E] = "e1000e",
};

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int kp_ova_firmware_parse(const char *s, enum kp_ova_firmware *out, struct kp_error *err)
{
	int i = lookup(firmware_names, N(firmware_names), s);
	if (i < 0)
		return kp_fail(err, EINVAL, "unknown firmware '%s': use bios or efi", s);
	*out = (enum kp_ova_firmware)i;
	return 0;
}

int kp_ova_controller_parse(const char *s, enum kp_ova_controller *out, struct kp_error *err)
{
	int i = lookup(controller_names, N(controller_names), s);
	if (i < 0)
		return kp_fail(err, EINVAL, "unknown disk controller '%s': use lsilogic, sata or pvscsi", s);
	*out = (enum kp_ova_controller)i;
	return 0;
}

int kp_ova_nic_parse(const char *s, enum kp_ova_nic *out, struct kp_error *err)
{
	int i = lookup(nic_names, N(nic_names), s);
	if (i < 0)
		return kp_fail(err, EINVAL, "unknown network adapter '%s': use vmxnet3, e1000 or e1000e", s);
	*out = (enum kp_ova_nic)i;
	return 0;
}

const char *kp_ova_firmware_name(enum kp_ova_firmware f) { return firmware_names[f]; }
const char *kp_ova_controller_name(enum kp_ova_controller c) { return controller_names[c]; }
const char *kp_ova_nic_name(enum kp_ova_nic n) { return nic_names[n]; }

int kp_ova_hardware_check(const char *s, struct kp_error *err)
{
	size_t n = strlen(s);

	if (n < 5 || n > 6 || strncmp(s, "vmx-", 4) != 0 || !isdigit((unsigned char)s[4]) ||
	    (n == 6 && !isdigit((unsigned char)s[5])) || (n == 5 && s[4] < '4'))
		return kp_fail(err, EINVAL, "virtual hardware '%s' is not of the form vmx-NN (e.g. vmx-11 for ESXi 6.0+, vmx-13 for 6.5+)", s);
	return 0;
}
