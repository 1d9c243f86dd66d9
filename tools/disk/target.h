/* What runs in the target system (chrooted in the appliance): package
 * purge, fstab, hostname, initramfs and GRUB for BIOS and UEFI. */
#ifndef KP_DISK_TARGET_H
#define KP_DISK_TARGET_H

#include "disk.h"

/* Names we accept for --purge and --hostname (they reach a shell). */
int target_valid_package(const char *name);
int target_valid_hostname(const char *name);

int target_purge(struct disk_ctx *c, struct kp_error *err);
int target_fstab(struct disk_ctx *c, struct kp_error *err);
int target_hostname(struct disk_ctx *c, struct kp_error *err);
int target_initramfs(struct disk_ctx *c, struct kp_error *err);
int target_grub(struct disk_ctx *c, struct kp_error *err);

/* The /etc/fstab text for l (exposed for the unit test). */
int target_fstab_text(const struct layout *l, char *buf, size_t len, struct kp_error *err);

#endif
