#include "verify.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "json.h"
#include "pathsafe.h"
#include "tarcheck.h"

#define KEEP_MAX (16u << 20) /* documents are small; bigger blobs are only hashed */

struct vfile {
	char *name;
	unsigned long long size;
	char digest[KP_DIGEST_HEX_MAX];
	char *data;              /* kept when size <= KEEP_MAX */
	char *want_diffid;       /* "sha256:..." when this file is a layer */
	char *alias;             /* a symlink's target: docker save links repeated layers */
	bool diffid_checked;
};

struct vstate {
	const char *path;
	struct vfile *f;
	size_t n;
	unsigned problems;
	unsigned blobs;
	bool oci, docker;
};

static void problem(struct vstate *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct vstate *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kopanion-image: verify: %s: ", s->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s->problems++;
}

static struct vfile *vfind(struct vstate *s, const char *name)
{
	name = path_strip_dot(name);
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->f[i].name, name) != 0)
			continue;
		if (!s->f[i].alias)
			return &s->f[i];
		for (size_t k = 0; k < s->n; k++)
			if (!s->f[k].alias && strcmp(s->f[k].name, s->f[i].alias) == 0)
				return &s->f[k];
		return NULL;
	}
	return NULL;
}

/* "<id>/layer.tar" -> "../<other>/layer.tar": resolved against the link's folder. */
static int add_alias(struct vstate *s, struct archive_entry *ae, struct kp_error *err)
{
	const char *name = path_strip_dot(archive_entry_pathname(ae)), *target = archive_entry_symlink(ae);
	const char *slash = strrchr(name, '/');
	char resolved[1024];
	struct vfile *v;

	if (!target)
		return 0;
	if (strncmp(target, "../", 3) == 0 && slash)
		snprintf(resolved, sizeof(resolved), "%s", target + 3);
	else if (slash)
		snprintf(resolved, sizeof(resolved), "%.*s/%s", (int)(slash - name), name, target);
	else
		snprintf(resolved, sizeof(resolved), "%s", target);
	v = realloc(s->f, (s->n + 1) * sizeof(*v));
	if (!v)
		return kp_fail(err, ENOMEM, "out of memory");
	s->f = v;
	v = &v[s->n++];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	v->alias = strdup(resolved);
	return v->name && v->alias ? 0 : kp_fail(err, ENOMEM, "out of memory");
}

static int read_entry(struct archive *a, struct archive_entry *ae, struct vstate *s, struct kp_error *err)
{
	struct kp_digest d;
	struct vfile *f, *v;
	char buf[65536];
	la_ssize_t n;
	size_t kept = 0;
	int r;

	v = realloc(s->f, (s->n + 1) * sizeof(*v));
	if (!v)
		return kp_fail(err, ENOMEM, "out of memory");
	s->f = v;
	f = &v[s->n++];
	memset(f, 0, sizeof(*f));
	f->name = strdup(path_strip_dot(archive_entry_pathname(ae)));
	f->size = (unsigned long long)archive_entry_size(ae);
	if (!f->name)
		return kp_fail(err, ENOMEM, "out of memory");
	if (f->size <= KEEP_MAX && !(f->data = malloc(f->size + 1)))
		return kp_fail(err, ENOMEM, "out of memory");
	if ((r = kp_digest_init(&d, KP_DIGEST_SHA256, err)) < 0)
		return r;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (f->data && kept + (size_t)n <= f->size) {
			memcpy(f->data + kept, buf, (size_t)n);
			kept += (size_t)n;
		}
		if ((r = kp_digest_update(&d, buf, (size_t)n, err)) < 0) {
			kp_digest_free(&d);
			return r;
		}
	}
	if (n < 0) {
		kp_digest_free(&d);
		return kp_fail(err, EIO, "cannot read '%s' in '%s': %s", f->name, s->path, archive_error_string(a));
	}
	if (f->data)
		f->data[kept] = '\0';
	return kp_digest_final(&d, f->digest, err);
}

static struct archive *open_outer(const char *path, struct kp_error *err)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		kp_fail(err, EINVAL, "cannot read '%s' as a tar: %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int pass_index(struct vstate *s, struct kp_error *err)
{
	struct archive *a = open_outer(s->path, err);
	struct archive_entry *ae;
	int r = 0, ar;

	if (!a)
		return -EINVAL;
	while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		if ((r = tar_entry_check(ae, "image archive", err)) < 0)
			break;
		if (archive_entry_filetype(ae) == AE_IFLNK && (r = add_alias(s, ae, err)) < 0)
			break;
		if (archive_entry_filetype(ae) != AE_IFREG)
			continue;
		if ((r = read_entry(a, ae, s, err)) < 0)
			break;
	}
	if (r == 0 && ar != ARCHIVE_EOF)
		r = kp_fail(err, EIO, "'%s' is truncated or not a tar: %s", s->path, archive_error_string(a));
	archive_read_free(a);
	return r;
}

/* Blobs under blobs/<alg>/<hex> must hash to their name. */
static void check_blob_names(struct vstate *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *hex;
		if (strncmp(s->f[i].name, "blobs/", 6) != 0 || s->f[i].alias)
			continue;
		s->blobs++;
		if (strncmp(s->f[i].name, "blobs/sha256/", 13) != 0) {
			problem(s, "blob '%s' uses a digest algorithm this tool does not check (only sha256)", s->f[i].name);
			continue;
		}
		hex = s->f[i].name + 13;
		if (strcmp(hex, s->f[i].digest) != 0)
			problem(s, "blob '%s' has sha256 %s: its content does not match its name (tampered or corrupt)",
				s->f[i].name, s->f[i].digest);
	}
}

static struct vfile *resolve_descriptor(struct vstate *s, const struct jval *desc, const char *what)
{
	const char *digest = json_get_str(desc, "digest");
	const struct jval *size = json_get(desc, "size");
	char name[200];
	struct vfile *f;

	if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71) {
		problem(s, "%s has no sha256 digest", what);
		return NULL;
	}
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
	if (!(f = vfind(s, name))) {
		problem(s, "%s names blob %s, which is missing from the archive", what, digest);
		return NULL;
	}
	if (strcmp(f->digest, digest + 7) != 0)
		problem(s, "%s: blob %s has a different sha256 (%s)", what, digest, f->digest);
	if (!size || size->type != J_NUM || (unsigned long long)size->num != f->size)
		problem(s, "%s: descriptor size %.0f differs from the blob's %llu bytes", what,
			size && size->type == J_NUM ? size->num : -1.0, f->size);
	return f;
}

static int parse_file(struct vstate *s, struct vfile *f, struct jval *out, struct kp_error *err)
{
	char what[300];

	if (!f->data) {
		problem(s, "'%s' is too large to be a JSON document", f->name);
		return -EINVAL;
	}
	snprintf(what, sizeof(what), "'%s'", f->name);
	if (json_parse(f->data, f->size, what, out, err) < 0) {
		problem(s, "%s", err->msg);
		return -EINVAL;
	}
	return 0;
}

/* Ties a config's diff_ids to the layer files, for the second pass. */
static void expect_diffids(struct vstate *s, struct vfile *cfgf, struct vfile **layers, size_t n, const char *what,
			   struct kp_error *err)
{
	struct jval cfg;
	const struct jval *ids;

	if (parse_file(s, cfgf, &cfg, err) < 0)
		return;
	ids = json_get(json_get(&cfg, "rootfs"), "diff_ids");
	if (!ids || ids->type != J_ARR || ids->nkids != n) {
		problem(s, "%s: config %s lists %zu diff_ids for %zu layers", what, cfgf->name,
			ids && ids->type == J_ARR ? ids->nkids : 0, n);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!layers[i] || ids->kids[i].type != J_STR)
				continue;
			if (layers[i]->want_diffid && strcmp(layers[i]->want_diffid, ids->kids[i].str) != 0)
				problem(s, "layer '%s' has two different diff_ids in two configs", layers[i]->name);
			free(layers[i]->want_diffid);
			layers[i]->want_diffid = strdup(ids->kids[i].str);
		}
	}
	json_free(&cfg);
}

static void check_oci_manifest(struct vstate *s, struct vfile *mf, const char *tag, struct kp_error *err)
{
	struct jval m;
	const struct jval *layers;
	struct vfile *cfg, **lf;
	char what[300];

	if (parse_file(s, mf, &m, err) < 0)
		return;
	snprintf(what, sizeof(what), "OCI manifest of '%s'", tag);
	cfg = resolve_descriptor(s, json_get(&m, "config"), what);
	layers = json_get(&m, "layers");
	if (!layers || layers->type != J_ARR) {
		problem(s, "%s has no layers list", what);
		json_free(&m);
		return;
	}
	lf = calloc(layers->nkids + 1, sizeof(*lf));
	for (size_t i = 0; lf && i < layers->nkids; i++)
		lf[i] = resolve_descriptor(s, &layers->kids[i], what);
	if (cfg && lf)
		expect_diffids(s, cfg, lf, layers->nkids, what, err);
	printf("oci %s: manifest sha256:%s, config sha256:%s, %zu layers\n", tag, mf->digest,
	       cfg ? cfg->digest : "?", layers->nkids);
	free(lf);
	json_free(&m);
}

static void check_oci(struct vstate *s, struct vfile *idxf, struct kp_error *err)
{
	struct jval idx;
	const struct jval *mans;

	s->oci = true;
	if (!vfind(s, "oci-layout"))
		problem(s, "index.json without oci-layout: not a complete OCI image layout");
	if (parse_file(s, idxf, &idx, err) < 0)
		return;
	mans = json_get(&idx, "manifests");
	if (!mans || mans->type != J_ARR)
		problem(s, "index.json has no manifests list");
	for (size_t i = 0; mans && mans->type == J_ARR && i < mans->nkids; i++) {
		const struct jval *d = &mans->kids[i];
		const char *tag = json_get_str(json_get(d, "annotations"), "org.opencontainers.image.ref.name");
		const char *mt = json_get_str(d, "mediaType");
		struct vfile *mf = resolve_descriptor(s, d, "index.json entry");

		if (!mf)
			continue;
		if (mt && strstr(mt, "index")) {
			check_oci(s, mf, err); /* a nested index (multi-platform images) */
			continue;
		}
		check_oci_manifest(s, mf, tag ? tag : "(untagged)", err);
	}
	json_free(&idx);
}

static void check_docker(struct vstate *s, struct vfile *mf, struct kp_error *err)
{
	struct jval m;

	s->docker = true;
	if (parse_file(s, mf, &m, err) < 0)
		return;
	if (m.type != J_ARR) {
		problem(s, "manifest.json is not a list of images");
		json_free(&m);
		return;
	}
	for (size_t i = 0; i < m.nkids; i++) {
		const struct jval *img = &m.kids[i], *layers = json_get(img, "Layers"), *tags = json_get(img, "RepoTags");
		const char *cfgname = json_get_str(img, "Config");
		struct vfile *cfg = cfgname ? vfind(s, cfgname) : NULL, **lf;
		char what[64];

		snprintf(what, sizeof(what), "manifest.json image %zu", i + 1);
		if (!cfg) {
			problem(s, "%s: config '%s' is missing", what, cfgname ? cfgname : "(none)");
			continue;
		}
		/* docker save before v25 names the config <sha256>.json */
		if (strncmp(cfg->name, "blobs/", 6) != 0 && strlen(cfg->name) == 69 && strncmp(cfg->digest, cfg->name, 64) != 0)
			problem(s, "%s: config '%s' has sha256 %s", what, cfg->name, cfg->digest);
		if (!layers || layers->type != J_ARR) {
			problem(s, "%s has no Layers list", what);
			continue;
		}
		lf = calloc(layers->nkids + 1, sizeof(*lf));
		for (size_t k = 0; lf && k < layers->nkids; k++) {
			const char *ln = layers->kids[k].type == J_STR ? layers->kids[k].str : "";
			if (!(lf[k] = vfind(s, ln)))
				problem(s, "%s: layer '%s' is missing", what, ln);
		}
		if (lf)
			expect_diffids(s, cfg, lf, layers->nkids, what, err);
		free(lf);
		printf("docker image %zu: config %s, %zu layers, tags:", i + 1, cfg->name, layers->nkids);
		for (size_t k = 0; tags && tags->type == J_ARR && k < tags->nkids; k++)
			printf(" %s", tags->kids[k].type == J_STR ? tags->kids[k].str : "?");
		printf("\n");
	}
	json_free(&m);
}

/* ---- second pass: DiffIDs, through a decompressing reader ---- */

struct chain {
	struct archive *outer, *raw;
	struct kp_digest d;
	char buf[65536], rbuf[65536];
	int failed;
	unsigned long long bytes;
};

static la_ssize_t from_outer(struct archive *a, void *cd, const void **out)
{
	struct chain *c = cd;
	la_ssize_t n = archive_read_data(c->outer, c->buf, sizeof(c->buf));

	(void)a;
	*out = c->buf;
	return n;
}

static la_ssize_t from_raw(struct archive *a, void *cd, const void **out)
{
	struct chain *c = cd;
	struct kp_error e;
	la_ssize_t n = archive_read_data(c->raw, c->rbuf, sizeof(c->rbuf));

	(void)a;
	*out = c->rbuf;
	if (n > 0) {
		c->bytes += (unsigned long long)n;
		if (kp_digest_update(&c->d, c->rbuf, (size_t)n, &e) < 0)
			c->failed = 1;
	}
	return n;
}

static int layer_diffid(struct vstate *s, struct archive *outer, struct vfile *f, char hex[KP_DIGEST_HEX_MAX],
			struct kp_error *err)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct archive *t = NULL;
	struct archive_entry *ae;
	const void *dummy;
	char what[300];
	int r = 0, ar;

	if (!c)
		return kp_fail(err, ENOMEM, "out of memory");
	c->outer = outer;
	snprintf(what, sizeof(what), "layer '%s'", f->name);
	if ((r = kp_digest_init(&c->d, KP_DIGEST_SHA256, err)) < 0)
		goto out;
	c->raw = archive_read_new();
	archive_read_support_filter_all(c->raw);
	archive_read_support_format_raw(c->raw);
	if (archive_read_open(c->raw, c, NULL, from_outer, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(c->raw, &ae) != ARCHIVE_OK) {
		r = kp_fail(err, EIO, "cannot read %s: %s", what, archive_error_string(c->raw));
		goto out;
	}
	t = archive_read_new();
	archive_read_support_format_tar(t);
	archive_read_support_format_gnutar(t);
	if (archive_read_open(t, c, NULL, from_raw, NULL) != ARCHIVE_OK) {
		r = kp_fail(err, EIO, "%s is not a tar: %s", what, archive_error_string(t));
		goto out;
	}
	while ((ar = archive_read_next_header(t, &ae)) == ARCHIVE_OK) {
		struct kp_error e;
		if (tar_entry_check(ae, what, &e) < 0)
			problem(s, "%s", e.msg);
	}
	if (ar != ARCHIVE_EOF) {
		r = kp_fail(err, EIO, "%s is not a complete tar: %s", what, archive_error_string(t));
		goto out;
	}
	/* the tar reader stops at the end marker: hash the rest (block padding) too */
	while (from_raw(NULL, c, &dummy) > 0)
		;
	if (c->failed) {
		r = kp_fail(err, EIO, "cannot hash %s", what);
		goto out;
	}
	r = kp_digest_final(&c->d, hex, err);
out:
	if (t)
		archive_read_free(t);
	if (c->raw)
		archive_read_free(c->raw);
	kp_digest_free(&c->d);
	free(c);
	return r;
}

static int pass_layers(struct vstate *s, struct kp_error *err)
{
	struct archive *a = open_outer(s->path, err);
	struct archive_entry *ae;
	int r = 0;

	if (!a)
		return -EINVAL;
	while (r == 0 && archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		struct vfile *f = vfind(s, archive_entry_pathname(ae));
		char hex[KP_DIGEST_HEX_MAX];

		if (!f || !f->want_diffid || f->diffid_checked || archive_entry_filetype(ae) != AE_IFREG)
			continue;
		f->diffid_checked = true;
		if ((r = layer_diffid(s, a, f, hex, err)) < 0)
			break;
		if (strncmp(f->want_diffid, "sha256:", 7) != 0 || strcmp(f->want_diffid + 7, hex) != 0)
			problem(s, "layer '%s': its uncompressed sha256 is %s but the config says its DiffID is %s",
				f->name, hex, f->want_diffid);
		else
			printf("layer %s: %llu bytes, diff_id sha256:%s ok\n", f->name, f->size, hex);
	}
	archive_read_free(a);
	return r;
}

int verify_archive(const char *path, struct kp_error *err)
{
	struct vstate s = { .path = path };
	struct vfile *idx, *man;
	int r;

	if ((r = pass_index(&s, err)) < 0)
		goto out;
	check_blob_names(&s);
	idx = vfind(&s, "index.json");
	man = vfind(&s, "manifest.json");
	if (!idx && !man) {
		r = kp_fail(err, EINVAL, "'%s' has neither index.json (OCI layout) nor manifest.json (docker-archive): "
			    "not an image archive", path);
		goto out;
	}
	if (idx)
		check_oci(&s, idx, err);
	if (man)
		check_docker(&s, man, err);
	if ((r = pass_layers(&s, err)) < 0)
		goto out;
	for (size_t i = 0; i < s.n; i++)
		if (s.f[i].want_diffid && !s.f[i].diffid_checked)
			problem(&s, "layer '%s' was never read", s.f[i].name);
	printf("format: %s%s%s, %zu files, %u blobs\n", s.docker ? "docker-archive" : "", s.docker && s.oci ? " + " : "",
	       s.oci ? "oci-layout" : "", s.n, s.blobs);
	if (s.problems)
		r = kp_fail(err, EBADMSG, "'%s' failed verification: %u problem%s (listed above)", path, s.problems,
			    s.problems == 1 ? "" : "s");
	else
		printf("verified: %s\n", path);
out:
	for (size_t i = 0; i < s.n; i++) {
		free(s.f[i].name);
		free(s.f[i].data);
		free(s.f[i].want_diffid);
		free(s.f[i].alias);
	}
	free(s.f);
	return r;
}
