#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "pathsafe.h"

int tree_path_cmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

int xattr_kept(const char *name)
{
	return strcmp(name, "security.capability") == 0 || strncmp(name, "user.", 5) == 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return tree_path_cmp(((const struct tree_entry *)a)->path, ((const struct tree_entry *)b)->path);
}

static int xattr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xattr *)a)->name, ((const struct xattr *)b)->name);
}

static int read_xattrs(struct tree_entry *e, const char *full, struct kp_error *err)
{
	char names[65536];
	ssize_t len = llistxattr(full, names, sizeof(names));

	if (len < 0) {
		if (errno == ENOTSUP || errno == ENODATA)
			return 0;
		return kp_fail_errno(err, errno, "cannot list the extended attributes of '%s'", full);
	}
	for (char *name = names; name < names + len; name += strlen(name) + 1) {
		ssize_t size;
		struct xattr *x;

		if (!xattr_kept(name))
			continue;
		size = lgetxattr(full, name, NULL, 0);
		if (size < 0)
			return kp_fail_errno(err, errno, "cannot read attribute %s of '%s'", name, full);
		x = realloc(e->xattrs, (e->nxattrs + 1) * sizeof(*x));
		if (!x)
			return kp_fail(err, ENOMEM, "out of memory");
		e->xattrs = x;
		x = &x[e->nxattrs];
		x->name = strdup(name);
		x->value = malloc((size_t)size + 1);
		if (!x->name || !x->value) {
			free(x->name);
			free(x->value);
			return kp_fail(err, ENOMEM, "out of memory");
		}
		size = lgetxattr(full, name, x->value, (size_t)size);
		if (size < 0) {
			free(x->name);
			free(x->value);
			return kp_fail_errno(err, errno, "cannot read attribute %s of '%s'", name, full);
		}
		x->size = (size_t)size;
		e->nxattrs++;
	}
	qsort(e->xattrs, e->nxattrs, sizeof(*e->xattrs), xattr_cmp);
	return 0;
}

static int add_entry(struct tree *t, const char *rel, const char *full, const struct stat *st,
		     struct kp_error *err)
{
	struct tree_entry *e;
	int r;

	if ((r = path_check_name(rel, err)) < 0)
		return r;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return kp_fail(err, EPERM, "'%s' is a device node: devices do not belong in an image "
			       "(the container runtime provides /dev); remove it from the tree", rel);
	if (S_ISSOCK(st->st_mode)) {
		fprintf(stderr, "kopanion-image: note: skipping socket '%s' (sockets are made at run time)\n", rel);
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		e = realloc(t->v, cap * sizeof(*e));
		if (!e)
			return kp_fail(err, ENOMEM, "out of memory");
		t->v = e;
		t->cap = cap;
	}
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(rel);
	if (!e->path)
		return kp_fail(err, ENOMEM, "out of memory");
	e->st = *st;
	t->n++;
	if (S_ISLNK(st->st_mode)) {
		char buf[4096];
		ssize_t n = readlink(full, buf, sizeof(buf) - 1);
		if (n < 0)
			return kp_fail_errno(err, errno, "cannot read symlink '%s'", full);
		buf[n] = '\0';
		if ((r = path_check_symlink(rel, buf, err)) < 0)
			return r;
		e->link = strdup(buf);
		if (!e->link)
			return kp_fail(err, ENOMEM, "out of memory");
	}
	return read_xattrs(e, full, err);
}

static int walk(struct tree *t, const char *rel, struct kp_error *err)
{
	char full[8192];
	DIR *d;
	struct dirent *de;
	int r = 0;

	snprintf(full, sizeof(full), "%s%s%s", t->root, *rel ? "/" : "", rel);
	d = opendir(full);
	if (!d)
		return kp_fail_errno(err, errno, "cannot read directory '%s'", full);
	while ((de = readdir(d))) {
		char crel[4096], cfull[8192];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(crel, sizeof(crel), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= sizeof(crel)) {
			r = kp_fail(err, ENAMETOOLONG, "path too long under '%s'", full);
			break;
		}
		snprintf(cfull, sizeof(cfull), "%s/%s", t->root, crel);
		if (lstat(cfull, &st) < 0) {
			r = kp_fail_errno(err, errno, "cannot stat '%s'", cfull);
			break;
		}
		if ((r = add_entry(t, crel, cfull, &st, err)) < 0)
			break;
		if (S_ISDIR(st.st_mode) && (r = walk(t, crel, err)) < 0)
			break;
	}
	closedir(d);
	return r;
}

int tree_read(struct tree *t, const char *root, struct kp_error *err)
{
	struct stat st;
	int r;

	memset(t, 0, sizeof(*t));
	if (stat(root, &st) < 0)
		return kp_fail_errno(err, errno, "cannot read the root tree '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return kp_fail(err, ENOTDIR, "'%s' is not a directory: give the root of a file tree", root);
	t->root = strdup(root);
	if (!t->root)
		return kp_fail(err, ENOMEM, "out of memory");
	r = walk(t, "", err);
	if (r < 0)
		return r;
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	return 0;
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tree_entry *e = &t->v[i];
		for (size_t j = 0; j < e->nxattrs; j++) {
			free(e->xattrs[j].name);
			free(e->xattrs[j].value);
		}
		free(e->xattrs);
		free(e->path);
		free(e->link);
	}
	free(t->v);
	free(t->root);
	memset(t, 0, sizeof(*t));
}

long tree_find(const struct tree *t, const char *path)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tree_path_cmp(t->v[mid].path, path);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
