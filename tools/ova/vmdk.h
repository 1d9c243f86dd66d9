/* The sparse extent header of a VMDK (VMware's "Virtual Disk Format 5.0"
 * spec, SparseExtentHeader) and its embedded text descriptor: enough to learn
 * the virtual size and to check that a disk is streamOptimized, version 3. */
#ifndef KP_OVA_VMDK_H
#define KP_OVA_VMDK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KP_VMDK_MAGIC 0x564d444bu /* "KDMV" read as a little-endian uint32 */
#define KP_VMDK_SECTOR 512u
#define KP_VMDK_FLAG_COMPRESSED (1u << 16)
#define KP_VMDK_FLAG_MARKERS (1u << 17)
#define KP_VMDK_COMPRESS_DEFLATE 1
/* How much of the start of a disk kp_vmdk_parse may need (header + descriptor). */
#define KP_VMDK_HEAD_MAX (1024u * 1024u)

/* On disk, little-endian, exactly one sector. */
struct kp_vmdk_header {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint64_t capacity;          /* virtual size in sectors */
	uint64_t grain_size;
	uint64_t descriptor_offset; /* sectors */
	uint64_t descriptor_size;   /* sectors */
	uint32_t num_gtes_per_gt;
	uint64_t rgd_offset;
	uint64_t gd_offset;
	uint64_t overhead;
	uint8_t unclean_shutdown;
	char single_end_line_char;
	char non_end_line_char;
	char double_end_line_char1;
	char double_end_line_char2;
	uint16_t compress_algorithm;
	uint8_t pad[433];
} __attribute__((packed));

_Static_assert(sizeof(struct kp_vmdk_header) == 512, "the VMDK sparse header is one 512-byte sector");

struct kp_vmdk_info {
	uint32_t version;
	uint32_t flags;
	uint16_t compress_algorithm;
	uint64_t capacity_sectors;
	char create_type[64];
	uint64_t extent_sectors; /* sum of the extent lines' sizes */
	unsigned extents;
	char stray_key[64];      /* first descriptor key we do not expect, or "" */
};

/* Parse the header and descriptor from the first len bytes of a disk. */
int kp_vmdk_parse(const void *head, size_t len, struct kp_vmdk_info *info, struct kp_error *err);
/* Read the start of the file at path and parse it. */
int kp_vmdk_read_file(const char *path, struct kp_vmdk_info *info, struct kp_error *err);
/* COMPAT rule 7: version 3, streamOptimized, compressed grains with markers,
 * one extent covering the capacity, no stray descriptor keys.
 * Returns 0 or -EINVAL with the first problem in err (subject: name). */
int kp_vmdk_check_stream_optimized(const struct kp_vmdk_info *info, const char *name,
				   struct kp_error *err);

static inline uint64_t kp_vmdk_virtual_size(const struct kp_vmdk_info *info)
{
	return info->capacity_sectors * KP_VMDK_SECTOR;
}

#endif
