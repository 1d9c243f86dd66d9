#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define STEP "partitioning"

/* size_mib in the table: a number, or one of these. */
#define SIZE_ESP ((uint64_t)-1)	/* from --esp-mib */
#define SIZE_REST ((uint64_t)-2)	/* what is left */
#define LABEL_ROOT ((const char *)1)	/* from --label */

/* The layout. Order is partition number and mount order (root first). */
static const struct layout_part table[] = {
	{ .name = "bios", .type_guid = GPT_TYPE_BIOS_BOOT, .size_mib = 1 },
	{ .name = "esp", .type_guid = GPT_TYPE_ESP, .size_mib = SIZE_ESP,
	  .fs = "vfat", .fs_label = "EFI", .mountpoint = "/boot/efi",
	  .fstab_opts = "umask=0077", .fstab_pass = 2 },
	{ .name = "root", .type_guid = GPT_TYPE_ROOT_X86_64, .size_mib = SIZE_REST,
	  .fs = "ext4", .fs_label = LABEL_ROOT, .mountpoint = "/",
	  .fstab_opts = "errors=remount-ro", .fstab_pass = 1 },
};

int layout_plan(struct layout *l, uint64_t disk_mib, uint64_t esp_mib, const char *root_label,
		struct kp_error *err)
{
	/* 1 MiB before the first partition (primary GPT, alignment) and 1 MiB
	 * after the last (the backup GPT needs 33 sectors at the very end). */
	uint64_t next = 1, fixed = 2;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->disk_mib = disk_mib;
	if (esp_mib < 32)
		return kp_fail(err, EINVAL, "ESP size %llu MiB is too small (use --esp-mib 32 or more; 256 is usual)",
			       (unsigned long long)esp_mib);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		uint64_t s = table[i].size_mib;
		fixed += s == SIZE_ESP ? esp_mib : s == SIZE_REST ? 0 : s;
	}
	if (disk_mib < fixed + LAYOUT_MIN_ROOT_MIB)
		return kp_fail(err, ENOSPC, "a %llu MiB disk is too small for the layout (at least %llu MiB with a %llu MiB ESP; raise --size-mib)",
			       (unsigned long long)disk_mib,
			       (unsigned long long)(fixed + LAYOUT_MIN_ROOT_MIB),
			       (unsigned long long)esp_mib);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct layout_part *p = &l->parts[l->n++];

		*p = table[i];
		p->num = (int)i + 1;
		if (p->size_mib == SIZE_ESP)
			p->size_mib = esp_mib;
		else if (p->size_mib == SIZE_REST)
			p->size_mib = disk_mib - fixed;
		if (p->fs_label == LABEL_ROOT)
			p->fs_label = root_label;
		p->start_mib = next;
		next += p->size_mib;
		snprintf(p->device, sizeof(p->device), "/dev/sda%d", p->num);
	}
	return 0;
}

const struct layout_part *layout_find(const struct layout *l, const char *mountpoint)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->parts[i].mountpoint && strcmp(l->parts[i].mountpoint, mountpoint) == 0)
			return &l->parts[i];
	return NULL;
}

static int make_fs(guestfs_h *g, struct layout_part *p, struct kp_error *err)
{
	char what[128];
	char *uuid;
	int r;

	if (strcmp(p->fs, "ext4") == 0)
		/* mke2fs defaults (64bit, metadata_csum, orphan_file) suit trixie's GRUB 2.12. */
		r = guestfs_mke2fs(g, p->device, GUESTFS_MKE2FS_FSTYPE, "ext4",
				   GUESTFS_MKE2FS_LABEL, p->fs_label, -1);
	else
		r = guestfs_mkfs_opts(g, p->fs, p->device, GUESTFS_MKFS_OPTS_LABEL, p->fs_label, -1);
	snprintf(what, sizeof(what), "making %s on partition %d (%s)", p->fs, p->num, p->name);
	if (r < 0)
		return guest_fail(err, g, STEP, what, "check the disk size and that the appliance has mkfs tools");
	uuid = guestfs_vfs_uuid(g, p->device);
	if (!uuid || !*uuid) {
		free(uuid);
		return guest_fail(err, g, STEP, "reading the new filesystem's UUID", NULL);
	}
	snprintf(p->uuid, sizeof(p->uuid), "%s", uuid);
	free(uuid);
	return 0;
}

int layout_apply(guestfs_h *g, struct layout *l, struct kp_error *err)
{
	const uint64_t spm = LAYOUT_MIB / LAYOUT_SECTOR;
	size_t i;
	int r;

	if (guestfs_part_init(g, "/dev/sda", "gpt") < 0)
		return guest_fail(err, g, STEP, "writing a GPT on /dev/sda", NULL);
	for (i = 0; i < l->n; i++) {
		struct layout_part *p = &l->parts[i];
		int64_t first = (int64_t)(p->start_mib * spm);
		int64_t last = (int64_t)((p->start_mib + p->size_mib) * spm - 1);
		char what[128];

		snprintf(what, sizeof(what), "adding partition %d (%s, %llu MiB)", p->num, p->name,
			 (unsigned long long)p->size_mib);
		if (guestfs_part_add(g, "/dev/sda", "p", first, last) < 0)
			return guest_fail(err, g, STEP, what, NULL);
		if (guestfs_part_set_gpt_type(g, "/dev/sda", p->num, p->type_guid) < 0 ||
		    guestfs_part_set_name(g, "/dev/sda", p->num, p->name) < 0)
			return guest_fail(err, g, STEP, what, NULL);
	}
	for (i = 0; i < l->n; i++) {
		if (!l->parts[i].fs)
			continue;
		r = make_fs(g, &l->parts[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

int layout_mount_root(guestfs_h *g, const struct layout *l, struct kp_error *err)
{
	if (guestfs_mount(g, layout_find(l, "/")->device, "/") < 0)
		return guest_fail(err, g, STEP, "mounting the root filesystem", NULL);
	return 0;
}

int layout_mount_others(guestfs_h *g, const struct layout *l, struct kp_error *err)
{
	const struct layout_part *root = layout_find(l, "/");
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct layout_part *p = &l->parts[i];
		char what[128];

		if (!p->mountpoint || p == root)
			continue;
		snprintf(what, sizeof(what), "mounting %s at %s", p->device, p->mountpoint);
		if (guestfs_mkdir_p(g, p->mountpoint) < 0 || guestfs_mount(g, p->device, p->mountpoint) < 0)
			return guest_fail(err, g, STEP, what, NULL);
	}
	return 0;
}
