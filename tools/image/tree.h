/* A directory tree read into memory, sorted by path: the input of a layer. */
#ifndef KP_IMAGE_TREE_H
#define KP_IMAGE_TREE_H

#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

struct xattr {
	char *name;
	void *value;
	size_t size;
};

struct tree_entry {
	char *path;            /* relative to the root, no leading "./" or "/" */
	struct stat st;
	char *link;            /* symlink target */
	struct xattr *xattrs;  /* sorted by name */
	size_t nxattrs;
};

struct tree {
	char *root;
	struct tree_entry *v;
	size_t n, cap;
};

/* Reads every entry under root (not root itself). Sockets are skipped with a
 * note on stderr; device nodes, non-UTF-8 names and symlinks that leave the
 * root are refused. */
int tree_read(struct tree *t, const char *root, struct kp_error *err);
void tree_free(struct tree *t);
/* Index of path in t, or -1. */
long tree_find(const struct tree *t, const char *path);
/* Sorting order of entries in every tar we write: bytewise by path. */
int tree_path_cmp(const char *a, const char *b);

/* Which extended attributes an image keeps: security.capability and user.*,
 * not host labels (security.selinux) or ACLs (system.*). */
int xattr_kept(const char *name);

#endif
