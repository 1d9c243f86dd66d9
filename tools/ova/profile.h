/* Import targets as a table: one row sets the virtual hardware family,
 * manifest digest, firmware, disk controller, NIC and VMware guest id that
 * a given consumer is known to import. Flags override single columns. */
#ifndef KP_OVA_PROFILE_H
#define KP_OVA_PROFILE_H

#include "digest.h"
#include "error.h"

enum kp_ova_firmware { KP_OVA_BIOS, KP_OVA_EFI };
enum kp_ova_controller { KP_OVA_LSILOGIC, KP_OVA_SATA, KP_OVA_PVSCSI };
enum kp_ova_nic { KP_OVA_VMXNET3, KP_OVA_E1000, KP_OVA_E1000E };

struct kp_ova_profile {
	const char *name;
	const char *hardware;  /* vssd:VirtualSystemType, "vmx-NN" */
	enum kp_digest_alg digest;
	enum kp_ova_firmware firmware;
	enum kp_ova_controller controller;
	enum kp_ova_nic nic;
	const char *os_type;   /* vmw:osType */
	const char *why;       /* one line for --help */
};

/* The rows, in --help order; the first is "default". */
const struct kp_ova_profile *kp_ova_profiles(size_t *count);
int kp_ova_profile_find(const char *name, const struct kp_ova_profile **out, struct kp_error *err);

int kp_ova_firmware_parse(const char *s, enum kp_ova_firmware *out, struct kp_error *err);
int kp_ova_controller_parse(const char *s, enum kp_ova_controller *out, struct kp_error *err);
int kp_ova_nic_parse(const char *s, enum kp_ova_nic *out, struct kp_error *err);
const char *kp_ova_firmware_name(enum kp_ova_firmware f);
const char *kp_ova_controller_name(enum kp_ova_controller c);
const char *kp_ova_nic_name(enum kp_ova_nic n);
/* "vmx-" and 1 to 2 digits (vmx-4 .. vmx-99). */
int kp_ova_hardware_check(const char *s, struct kp_error *err);

#endif
