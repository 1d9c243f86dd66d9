/* A layer tar from a root tree: the whole tree (a base layer), or the
 * difference of a tree against a base tree (added and changed entries, and
 * OCI whiteouts for removed ones). Deterministic: entries sorted by path,
 * numeric owners only, mtimes clamped to the given epoch, no atime/ctime. */
#ifndef KP_IMAGE_LAYER_H
#define KP_IMAGE_LAYER_H

#include "error.h"

struct layer_opts {
	const char *root;       /* the image's tree */
	const char *base;       /* the tree of the layers below, or NULL for a full layer */
	const char *output;     /* written atomically */
	long long epoch;        /* SOURCE_DATE_EPOCH: no mtime is later than this */
};

struct layer_stats {
	unsigned long entries, whiteouts;
	unsigned long long bytes;  /* size of the tar */
};

int layer_write(const struct layer_opts *o, struct layer_stats *stats, struct kp_error *err);

/* "dir/name" -> "dir/.wh.name": the OCI whiteout of a removed path. */
int layer_whiteout_name(const char *path, char *out, size_t outlen);

#endif
