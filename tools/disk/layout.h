/* The partition table of the installed disk, declared once as a table
 * (like systemd-repart's definitions): GPT, BIOS boot, ESP, root. */
#ifndef KP_DISK_LAYOUT_H
#define KP_DISK_LAYOUT_H

#include <guestfs.h>
#include <stdint.h>

#include "error.h"

#define LAYOUT_MAX_PARTS 4
#define LAYOUT_SECTOR 512ULL
#define LAYOUT_MIB (1024ULL * 1024ULL)
/* The root filesystem must at least hold a minimal system. */
#define LAYOUT_MIN_ROOT_MIB 64ULL

#define GPT_TYPE_BIOS_BOOT "21686148-6449-6E6F-744E-656564454649"
#define GPT_TYPE_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GPT_TYPE_ROOT_X86_64 "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

struct layout_part {
	int num;		/* 1-based partition number */
	const char *name;	/* GPT partition name */
	const char *type_guid;
	const char *fs;		/* NULL (raw), "vfat" or "ext4" */
	const char *fs_label;
	const char *mountpoint;	/* NULL when not mounted */
	const char *fstab_opts;
	int fstab_pass;
	uint64_t start_mib;
	uint64_t size_mib;
	char device[32];	/* /dev/sdaN inside the appliance */
	char uuid[64];		/* filesystem UUID once made */
};

struct layout {
	uint64_t disk_mib;
	size_t n;
	struct layout_part parts[LAYOUT_MAX_PARTS];
};

/* Fill l from the table for a disk of disk_mib with an ESP of esp_mib. */
int layout_plan(struct layout *l, uint64_t disk_mib, uint64_t esp_mib, const char *root_label,
		struct kp_error *err);
/* The partition mounted at mountpoint, or NULL. */
const struct layout_part *layout_find(const struct layout *l, const char *mountpoint);
/* Write the GPT, make the filesystems, read back their UUIDs. */
int layout_apply(guestfs_h *g, struct layout *l, struct kp_error *err);
/* Mount the root at /; then, once the tree is in (tar cannot chown on
 * vfat, so the ESP's mount point must come from the tree first), the others. */
int layout_mount_root(guestfs_h *g, const struct layout *l, struct kp_error *err);
int layout_mount_others(guestfs_h *g, const struct layout *l, struct kp_error *err);

#endif
