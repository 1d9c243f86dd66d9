/* kopanion-disk: a root tree into a bootable, installed-system raw disk,
 * built entirely inside the libguestfs appliance (no host mounts, loops or
 * kernel modules). This header holds what the build steps share. */
#ifndef KP_DISK_H
#define KP_DISK_H

#include <guestfs.h>
#include <stddef.h>

#include "accel.h"
#include "error.h"
#include "layout.h"

#define DISK_PROG "kopanion-disk"

struct disk_opts {
	const char *root;	/* host directory holding the tree */
	const char *output;	/* final raw file name */
	unsigned long long size_mib;
	unsigned long long esp_mib;
	const char *label;	/* root filesystem label */
	const char *hostname;	/* NULL: keep the tree's */
	const char **purge;	/* packages to purge from the target */
	size_t n_purge;
	enum accel_mode accel;
	int verbose;
};

/* The state of one build, handed from step to step. */
struct disk_ctx {
	const struct disk_opts *opts;
	guestfs_h *g;
	struct layout layout;
	char tmp_path[4096];	/* the raw while it is being built */
	int tmp_fd;
	unsigned long long tree_bytes;	/* estimated size of the tree */
};

int disk_build(const struct disk_opts *opts, struct kp_error *err);

#endif
