/* `create` and `descriptor`: from flags and VMDK files to an OVA (or only
 * its .ovf), as a flat list of named steps. */
#ifndef KP_OVA_CREATE_H
#define KP_OVA_CREATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "ovf.h"
#include "profile.h"

struct kp_ova_create_opts {
	const char *output;
	const char *name;
	const char *version;
	unsigned cpus;
	uint64_t memory_mib;
	const char *disks[KP_OVF_MAX_DISKS];
	size_t ndisks;
	/* NULL: take the target profile's value. */
	const char *target, *hardware, *digest, *firmware, *controller, *nic, *os_type;
	const char *product, *vendor, *product_version, *url, *eula_path;
	int descriptor_only;
};

/* The target's values after the profile and the flags that override it. */
struct kp_ova_settings {
	const struct kp_ova_profile *profile;
	enum kp_digest_alg digest;
	enum kp_ova_firmware firmware;
	enum kp_ova_controller controller;
	enum kp_ova_nic nic;
	const char *hardware, *os_type;
};

int kp_ova_settings_resolve(const struct kp_ova_create_opts *o, struct kp_ova_settings *s, struct kp_error *err);
/* One "key=value" line each: target, hardware, digest, firmware,
 * disk_controller, nic, os_type (what `kopanion-ova target` prints). */
void kp_ova_settings_print(const struct kp_ova_settings *s, FILE *f);

int kp_ova_create(const struct kp_ova_create_opts *o, struct kp_error *err);

/* SOURCE_DATE_EPOCH, or 0 when unset (the tar mtimes). */
int kp_ova_source_date_epoch(int64_t *out, struct kp_error *err);

#endif
