#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarout.h"
#include "tree.h"

/* One entry of the output: an entry of the image tree, or a whiteout. */
struct item {
	char *name;
	const struct tree_entry *e;  /* NULL for a whiteout */
};

struct plan {
	struct item *v;
	size_t n, cap;
};

int layer_whiteout_name(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash)
		n = snprintf(out, outlen, "%.*s/.wh.%s", (int)(slash - path), path, slash + 1);
	else
		n = snprintf(out, outlen, ".wh.%s", path);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static long long clamp(long long t, long long epoch)
{
	return t > epoch ? epoch : t;
}

static int plan_add(struct plan *p, const char *name, const struct tree_entry *e, struct kp_error *err)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct item *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return kp_fail(err, ENOMEM, "out of memory");
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].name = strdup(name);
	if (!p->v[p->n].name)
		return kp_fail(err, ENOMEM, "out of memory");
	p->v[p->n++].e = e;
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
}

static int item_cmp(const void *a, const void *b)
{
	return tree_path_cmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

static int files_equal(const char *a, const char *b, bool *equal, struct kp_error *err)
{
	char ba[65536], bb[65536];
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = -1, r = 0;

	*equal = false;
	if (fa < 0)
		return kp_fail_errno(err, errno, "cannot open '%s'", a);
	fb = open(b, O_RDONLY | O_CLOEXEC);
	if (fb < 0) {
		r = kp_fail_errno(err, errno, "cannot open '%s'", b);
		goto out;
	}
	for (;;) {
		ssize_t na = read(fa, ba, sizeof(ba)), nb = 0, got;
		if (na < 0) {
			r = kp_fail_errno(err, errno, "cannot read '%s'", a);
			goto out;
		}
		while (nb < na && (got = read(fb, bb + nb, (size_t)(na - nb))) > 0)
			nb += got;
		if (nb != na || memcmp(ba, bb, (size_t)na) != 0)
			goto out;
		if (na == 0) {
			*equal = read(fb, bb, 1) == 0;
			goto out;
		}
	}
out:
	close(fa);
	if (fb >= 0)
		close(fb);
	return r;
}

/* Same type, owner, mode, clamped mtime, xattrs, link target and bytes. */
static int entry_same(const struct tree *bt, const struct tree_entry *b,
		      const struct tree *it, const struct tree_entry *i,
		      long long epoch, bool *same, struct kp_error *err)
{
	char pa[8192], pb[8192];

	*same = false;
	if (b->st.st_mode != i->st.st_mode || b->st.st_uid != i->st.st_uid || b->st.st_gid != i->st.st_gid)
		return 0;
	if (clamp(b->st.st_mtime, epoch) != clamp(i->st.st_mtime, epoch))
		return 0;
	if (b->nxattrs != i->nxattrs)
		return 0;
	for (size_t k = 0; k < b->nxattrs; k++)
		if (strcmp(b->xattrs[k].name, i->xattrs[k].name) != 0 || b->xattrs[k].size != i->xattrs[k].size ||
		    memcmp(b->xattrs[k].value, i->xattrs[k].value, b->xattrs[k].size) != 0)
			return 0;
	if (S_ISLNK(b->st.st_mode)) {
		*same = strcmp(b->link, i->link) == 0;
		return 0;
	}
	if (!S_ISREG(b->st.st_mode)) {
		*same = true;
		return 0;
	}
	if (b->st.st_size != i->st.st_size)
		return 0;
	snprintf(pa, sizeof(pa), "%s/%s", bt->root, b->path);
	snprintf(pb, sizeof(pb), "%s/%s", it->root, i->path);
	return files_equal(pa, pb, same, err);
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Marks the entries of `it` that differ from `bt`, and lists whiteouts. */
static int diff_trees(const struct tree *bt, const struct tree *it, bool *emit, struct plan *wh,
		      long long epoch, struct kp_error *err)
{
	size_t bi = 0, ii = 0;
	const char *gone = NULL; /* a base directory removed or replaced: skip what was under it */
	int r;

	while (bi < bt->n || ii < it->n) {
		int c = bi >= bt->n ? 1 : ii >= it->n ? -1 : tree_path_cmp(bt->v[bi].path, it->v[ii].path);
		if (c < 0) {
			const struct tree_entry *b = &bt->v[bi++];
			char name[4096];
			if (gone && is_under(b->path, gone))
				continue;
			if (layer_whiteout_name(b->path, name, sizeof(name)) < 0)
				return kp_fail(err, ENAMETOOLONG, "path '%s' too long for a whiteout", b->path);
			if ((r = plan_add(wh, name, NULL, err)) < 0)
				return r;
			if (S_ISDIR(b->st.st_mode))
				gone = b->path;
		} else if (c > 0) {
			emit[ii++] = true;
		} else {
			const struct tree_entry *b = &bt->v[bi++];
			bool same;
			if ((r = entry_same(bt, b, it, &it->v[ii], epoch, &same, err)) < 0)
				return r;
			if (S_ISDIR(b->st.st_mode) && !S_ISDIR(it->v[ii].st.st_mode))
				gone = b->path;
			emit[ii++] = !same;
		}
	}
	return 0;
}

/* A changed entry brings its parent directories, so that tools applying the
 * layer create them with the right owner and mode. */
static void mark_parents(const struct tree *it, bool *emit, const char *path)
{
	char p[4096];
	char *slash;

	snprintf(p, sizeof(p), "%s", path);
	while ((slash = strrchr(p, '/'))) {
		long k;
		*slash = '\0';
		k = tree_find(it, p);
		if (k < 0 || emit[k])
			return;
		emit[k] = true;
	}
}

static int build_plan(const struct tree *it, const struct tree *bt, struct plan *p, long long epoch,
		      struct kp_error *err)
{
	bool *emit = calloc(it->n + 1, sizeof(*emit));
	struct plan wh = {0};
	int r = 0;

	if (!emit)
		return kp_fail(err, ENOMEM, "out of memory");
	if (!bt) {
		for (size_t i = 0; i < it->n; i++)
			emit[i] = true;
	} else if ((r = diff_trees(bt, it, emit, &wh, epoch, err)) < 0) {
		goto out;
	}
	for (size_t i = 0; i < it->n; i++)
		if (emit[i])
			mark_parents(it, emit, it->v[i].path);
	for (size_t i = 0; i < wh.n; i++)
		mark_parents(it, emit, wh.v[i].name);
	for (size_t i = 0; i < it->n && r == 0; i++)
		if (emit[i])
			r = plan_add(p, it->v[i].path, &it->v[i], err);
	for (size_t i = 0; i < wh.n && r == 0; i++)
		r = plan_add(p, wh.v[i].name, NULL, err);
	qsort(p->v, p->n, sizeof(*p->v), item_cmp);
out:
	plan_free(&wh);
	free(emit);
	return r;
}

struct hardlink {
	dev_t dev;
	ino_t ino;
	const char *first;
};

static int copy_data(struct archive *a, const char *full, struct kp_error *err)
{
	char buf[65536];
	ssize_t n;
	int fd = open(full, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return kp_fail_errno(err, errno, "cannot open '%s'", full);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t)n) != n) {
			close(fd);
			return kp_fail(err, EIO, "cannot write the data of '%s' into the layer: %s", full, archive_error_string(a));
		}
	}
	close(fd);
	return n < 0 ? kp_fail_errno(err, errno, "cannot read '%s'", full) : 0;
}

static int write_item(struct archive *a, struct archive_entry *ae, const struct tree *it, const struct item *item,
		      struct hardlink **links, size_t *nlinks, long long epoch, struct kp_error *err)
{
	const struct tree_entry *e = item->e;
	const char *hardlink_to = NULL;
	char full[8192];

	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, item->name);
	if (!e) {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, 0);
		archive_entry_set_mtime(ae, epoch, 0);
		archive_entry_set_uid(ae, 0);
		archive_entry_set_gid(ae, 0);
	} else {
		archive_entry_set_mode(ae, e->st.st_mode);
		archive_entry_set_uid(ae, e->st.st_uid);
		archive_entry_set_gid(ae, e->st.st_gid);
		archive_entry_set_mtime(ae, clamp(e->st.st_mtime, epoch), 0);
		for (size_t k = 0; k < e->nxattrs; k++)
			archive_entry_xattr_add_entry(ae, e->xattrs[k].name, e->xattrs[k].value, e->xattrs[k].size);
		if (S_ISLNK(e->st.st_mode))
			archive_entry_set_symlink(ae, e->link);
		if (S_ISREG(e->st.st_mode) && e->st.st_nlink > 1) {
			for (size_t k = 0; k < *nlinks; k++)
				if ((*links)[k].dev == e->st.st_dev && (*links)[k].ino == e->st.st_ino)
					hardlink_to = (*links)[k].first;
			if (!hardlink_to) {
				struct hardlink *l = realloc(*links, (*nlinks + 1) * sizeof(**links));
				if (!l)
					return kp_fail(err, ENOMEM, "out of memory");
				*links = l;
				l[(*nlinks)++] = (struct hardlink){ e->st.st_dev, e->st.st_ino, item->name };
			}
		}
		if (hardlink_to) {
			archive_entry_set_hardlink(ae, hardlink_to);
			archive_entry_set_size(ae, 0);
		} else if (S_ISREG(e->st.st_mode)) {
			archive_entry_set_size(ae, e->st.st_size);
		}
	}
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return kp_fail(err, EIO, "cannot write entry '%s' into the layer: %s", item->name, archive_error_string(a));
	if (e && S_ISREG(e->st.st_mode) && !hardlink_to && e->st.st_size > 0) {
		snprintf(full, sizeof(full), "%s/%s", it->root, e->path);
		return copy_data(a, full, err);
	}
	return 0;
}

static int write_plan(const struct plan *p, const struct tree *it, const struct layer_opts *o,
		      struct layer_stats *stats, struct kp_error *err)
{
	char what[PATH_MAX + 16];
	struct tarout t;
	struct hardlink *links = NULL;
	size_t nlinks = 0;
	int r;

	snprintf(what, sizeof(what), "the layer '%s'", o->output);
	r = tarout_open(&t, o->output, what, err);
	for (size_t i = 0; r == 0 && i < p->n; i++) {
		r = write_item(t.a, t.ae, it, &p->v[i], &links, &nlinks, o->epoch, err);
		if (r == 0 && p->v[i].e)
			stats->entries++;
		else if (r == 0)
			stats->whiteouts++;
	}
	if (r == 0)
		r = tarout_commit(&t, &stats->bytes, err);
	tarout_close(&t);
	free(links);
	return r;
}

int layer_write(const struct layer_opts *o, struct layer_stats *stats, struct kp_error *err)
{
	struct tree it = {0}, bt = {0};
	struct plan p = {0};
	int r;

	memset(stats, 0, sizeof(*stats));
	if ((r = tree_read(&it, o->root, err)) < 0)
		goto out;
	if (o->base && (r = tree_read(&bt, o->base, err)) < 0)
		goto out;
	if ((r = build_plan(&it, o->base ? &bt : NULL, &p, o->epoch, err)) < 0)
		goto out;
	r = write_plan(&p, &it, o, stats, err);
out:
	plan_free(&p);
	tree_free(&it);
	tree_free(&bt);
	return r;
}
