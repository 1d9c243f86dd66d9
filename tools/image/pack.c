#include "pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "tarout.h"
#include "tarcheck.h"

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar"

/* A member of the output tar: file data from memory or from a file. */
struct member {
	char name[128];
	const char *path;           /* a layer file, or NULL */
	const char *data;           /* or bytes in memory */
	unsigned long long size;
	int is_dir;
};

void pack_created(long long epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pack_parse_tag(const char *ref, char *tag, size_t taglen, char *full, size_t fulllen)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
	const char *first_slash = strchr(ref, '/');
	char repo[512];
	size_t rlen;
	int has_domain;

	if (!*ref || strspn(ref, "abcdefghijklmnopqrstuvwxyz0123456789._-/:ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(ref))
		return -EINVAL;
	if (colon && (!slash || colon > slash)) {
		rlen = (size_t)(colon - ref);
		snprintf(tag, taglen, "%s", colon + 1);
	} else {
		rlen = strlen(ref);
		snprintf(tag, taglen, "latest");
	}
	if (rlen == 0 || rlen >= sizeof(repo) || !*tag || strpbrk(tag, "/:"))
		return -EINVAL;
	memcpy(repo, ref, rlen);
	repo[rlen] = '\0';
	if (strpbrk(repo, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		return -EINVAL; /* repository names are lowercase */
	has_domain = first_slash && first_slash - ref < (long)rlen &&
		     (memchr(ref, '.', (size_t)(first_slash - ref)) || memchr(ref, ':', (size_t)(first_slash - ref)) ||
		      strncmp(ref, "localhost/", 10) == 0);
	snprintf(full, fulllen, "%s%s%s:%s", has_domain ? "" : "docker.io/",
		 !has_domain && !first_slash ? "library/" : "", repo, tag);
	return 0;
}

static void write_kv_object(struct jw *w, const struct strlist *kv)
{
	jw_begin_object(w);
	for (size_t i = 0; i < kv->n; i++) {
		char *eq = strchr(kv->v[i], '=');
		char key[1024];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv->v[i]), kv->v[i]);
		jw_key(w, key);
		jw_string(w, eq + 1);
	}
	jw_end_object(w);
}

static void write_set_object(struct jw *w, const struct strlist *l)
{
	jw_begin_object(w);
	for (size_t i = 0; i < l->n; i++) {
		jw_key(w, l->v[i]);
		jw_begin_object(w);
		jw_end_object(w);
	}
	jw_end_object(w);
}

static void write_strings(struct jw *w, const struct strlist *l)
{
	jw_begin_array(w);
	for (size_t i = 0; i < l->n; i++)
		jw_string(w, l->v[i]);
	jw_end_array(w);
}

static void write_health(struct jw *w, const struct healthcheck *h)
{
	jw_begin_object(w);
	jw_key(w, "Test");
	write_strings(w, &h->test);
	if (h->interval_ns) { jw_key(w, "Interval"); jw_int(w, h->interval_ns); }
	if (h->timeout_ns) { jw_key(w, "Timeout"); jw_int(w, h->timeout_ns); }
	if (h->start_period_ns) { jw_key(w, "StartPeriod"); jw_int(w, h->start_period_ns); }
	if (h->retries) { jw_key(w, "Retries"); jw_int(w, h->retries); }
	jw_end_object(w);
}

/* The image config: runtime settings from the recipe, rootfs from the layers.
 * Keys in a fixed order, so the same recipe and layers give the same digest. */
static void write_runtime_config(struct jw *w, const struct recipe *rc)
{
	jw_begin_object(w);
	if (rc->cmd.n) { jw_key(w, "Cmd"); write_strings(w, &rc->cmd); }
	if (rc->entrypoint.n) { jw_key(w, "Entrypoint"); write_strings(w, &rc->entrypoint); }
	if (rc->env.n) { jw_key(w, "Env"); write_strings(w, &rc->env); }
	if (rc->ports.n) { jw_key(w, "ExposedPorts"); write_set_object(w, &rc->ports); }
	if (rc->health.set) { jw_key(w, "Healthcheck"); write_health(w, &rc->health); }
	if (rc->labels.n) { jw_key(w, "Labels"); write_kv_object(w, &rc->labels); }
	if (rc->user) { jw_key(w, "User"); jw_string(w, rc->user); }
	if (rc->volumes.n) { jw_key(w, "Volumes"); write_set_object(w, &rc->volumes); }
	if (rc->workdir) { jw_key(w, "WorkingDir"); jw_string(w, rc->workdir); }
	jw_end_object(w);
}

int pack_config_json(const struct pack_opts *o, const struct layer_desc *layers, struct jbuf *out)
{
	struct jw w = {0};
	char created[32], by[512];

	pack_created(o->epoch, created);
	jw_begin_object(&w);
	jw_key(&w, "architecture"); jw_string(&w, "amd64");
	jw_key(&w, "config"); write_runtime_config(&w, o->rc);
	jw_key(&w, "created"); jw_string(&w, created);
	jw_key(&w, "history");
	jw_begin_array(&w);
	for (size_t i = 0; i < o->nlayers; i++) {
		jw_begin_object(&w);
		jw_key(&w, "created"); jw_string(&w, created);
		if (i == 0 && o->nlayers > 1)
			snprintf(by, sizeof(by), "kopanion-image: shared Debian %s base layer", o->rc->suite);
		else
			snprintf(by, sizeof(by), "kopanion-image: %s%sDebian %s packages and files", o->name ? o->name : "",
				 o->name ? ": " : "", o->rc->suite);
		jw_key(&w, "created_by"); jw_string(&w, by);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_key(&w, "os"); jw_string(&w, "linux");
	jw_key(&w, "rootfs");
	jw_begin_object(&w);
	jw_key(&w, "type"); jw_string(&w, "layers");
	jw_key(&w, "diff_ids");
	jw_begin_array(&w);
	for (size_t i = 0; i < o->nlayers; i++)
		jw_string(&w, layers[i].digest);
	jw_end_array(&w);
	jw_end_object(&w);
	jw_end_object(&w);
	*out = w.out;
	return out->oom ? -ENOMEM : 0;
}

static void write_descriptor(struct jw *w, const char *media_type, const char *digest, unsigned long long size)
{
	jw_begin_object(w);
	jw_key(w, "mediaType"); jw_string(w, media_type);
	jw_key(w, "digest"); jw_string(w, digest);
	jw_key(w, "size"); jw_int(w, (long long)size);
}

static void manifest_json(const struct layer_desc *cfg, const struct layer_desc *layers, size_t n, struct jbuf *out)
{
	struct jw w = {0};

	jw_begin_object(&w);
	jw_key(&w, "schemaVersion"); jw_int(&w, 2);
	jw_key(&w, "mediaType"); jw_string(&w, MT_MANIFEST);
	jw_key(&w, "config");
	write_descriptor(&w, MT_CONFIG, cfg->digest, cfg->size);
	jw_end_object(&w);
	jw_key(&w, "layers");
	jw_begin_array(&w);
	for (size_t i = 0; i < n; i++) {
		write_descriptor(&w, MT_LAYER, layers[i].digest, layers[i].size);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	*out = w.out;
}

static int index_json(const struct layer_desc *man, const char **tags, size_t ntags, struct jbuf *out,
		      struct kp_error *err)
{
	struct jw w = {0};

	jw_begin_object(&w);
	jw_key(&w, "schemaVersion"); jw_int(&w, 2);
	jw_key(&w, "mediaType"); jw_string(&w, MT_INDEX);
	jw_key(&w, "manifests");
	jw_begin_array(&w);
	for (size_t i = 0; i < ntags; i++) {
		char tag[256], full[1024];
		if (pack_parse_tag(tags[i], tag, sizeof(tag), full, sizeof(full)) < 0) {
			jbuf_free(&w.out);
			return kp_fail(err, EINVAL, "tag '%s' is not a reference like 'kopanion/mta:1.0' "
				       "(lowercase repository, optional :tag)", tags[i]);
		}
		write_descriptor(&w, MT_MANIFEST, man->digest, man->size);
		jw_key(&w, "annotations");
		jw_begin_object(&w);
		jw_key(&w, "io.containerd.image.name"); jw_string(&w, full);
		jw_key(&w, "org.opencontainers.image.ref.name"); jw_string(&w, tag);
		jw_end_object(&w);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	*out = w.out;
	return 0;
}

static void docker_manifest_json(const struct layer_desc *cfg, const struct layer_desc *layers, size_t n,
				 const char **tags, size_t ntags, struct jbuf *out)
{
	struct jw w = {0};
	char path[128];

	jw_begin_array(&w);
	jw_begin_object(&w);
	snprintf(path, sizeof(path), "blobs/sha256/%s", cfg->digest + 7);
	jw_key(&w, "Config"); jw_string(&w, path);
	jw_key(&w, "RepoTags");
	jw_begin_array(&w);
	for (size_t i = 0; i < ntags; i++)
		jw_string(&w, tags[i]);
	jw_end_array(&w);
	jw_key(&w, "Layers");
	jw_begin_array(&w);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", layers[i].digest + 7);
		jw_string(&w, path);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	jw_end_array(&w);
	*out = w.out;
}

static int describe_buffer(const struct jbuf *b, struct layer_desc *d, struct kp_error *err)
{
	char hex[KP_DIGEST_HEX_MAX];
	int r;

	if (b->oom)
		return kp_fail(err, ENOMEM, "out of memory");
	if ((r = kp_digest_buffer(KP_DIGEST_SHA256, b->data, b->len, hex, err)) < 0)
		return r;
	snprintf(d->digest, sizeof(d->digest), "sha256:%s", hex);
	d->size = b->len;
	return 0;
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

static int write_member(struct archive *a, struct archive_entry *ae, const struct member *m, long long epoch,
			struct kp_error *err)
{
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, m->name);
	archive_entry_set_filetype(ae, m->is_dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ae, m->is_dir ? 0755 : 0644);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, epoch, 0);
	if (!m->is_dir)
		archive_entry_set_size(ae, (la_int64_t)m->size);
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return kp_fail(err, EIO, "cannot write '%s' into the image: %s", m->name, archive_error_string(a));
	if (m->data && archive_write_data(a, m->data, m->size) != (la_ssize_t)m->size)
		return kp_fail(err, EIO, "cannot write '%s' into the image: %s", m->name, archive_error_string(a));
	if (m->path) {
		char buf[65536];
		ssize_t n;
		unsigned long long total = 0;
		int fd = open(m->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kp_fail_errno(err, errno, "cannot open layer '%s'", m->path);
		while ((n = read(fd, buf, sizeof(buf))) > 0 && archive_write_data(a, buf, (size_t)n) == n)
			total += (unsigned long long)n;
		close(fd);
		if (total != m->size)
			return kp_fail(err, EIO, "layer '%s' changed while it was packed, or could not be copied: %s",
				       m->path, archive_error_string(a) ? archive_error_string(a) : "short read");
	}
	return 0;
}

static int write_archive(const char *output, struct member *mem, size_t n, long long epoch, struct kp_error *err)
{
	char what[PATH_MAX + 4];
	struct tarout t;
	int r;

	qsort(mem, n, sizeof(*mem), member_cmp);
	snprintf(what, sizeof(what), "'%s'", output);
	r = tarout_open(&t, output, what, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (i > 0 && strcmp(mem[i].name, mem[i - 1].name) == 0)
			continue; /* the same blob twice (two equal layers) */
		r = write_member(t.a, t.ae, &mem[i], epoch, err);
	}
	if (r == 0)
		r = tarout_commit(&t, NULL, err);
	tarout_close(&t);
	return r;
}

static void add_member(struct member *mem, size_t *n, const char *name, const struct jbuf *b,
		       const char *path, unsigned long long size, int is_dir)
{
	struct member *m = &mem[(*n)++];

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->path = path;
	m->data = b ? b->data : NULL;
	m->size = b ? b->len : size;
	m->is_dir = is_dir;
}

static void add_blob(struct member *mem, size_t *n, const struct layer_desc *d, const struct jbuf *b, const char *path)
{
	char name[128];

	snprintf(name, sizeof(name), "blobs/sha256/%s", d->digest + 7);
	add_member(mem, n, name, b, path, d->size, 0);
}

int pack_image(const struct pack_opts *o, struct kp_error *err)
{
	static const char oci_layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	struct jbuf cfg = {0}, man = {0}, idx = {0}, dman = {0}, layout = {0};
	struct layer_desc *ld = calloc(o->nlayers + 1, sizeof(*ld)), dcfg, dmanifest;
	struct member *mem = calloc(o->nlayers + 8, sizeof(*mem));
	const char **tags = o->ntags ? o->tags : (const char **)o->rc->tags.v;
	size_t ntags = o->ntags ? o->ntags : o->rc->tags.n, n = 0;
	int r;

	if (!ld || !mem) {
		r = kp_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	if (ntags == 0) {
		r = kp_fail(err, EINVAL, "no tag: give --tag repo:tag or 'tag:' in the recipe");
		goto out;
	}
	for (size_t i = 0; i < o->nlayers; i++) {
		char hex[KP_DIGEST_HEX_MAX];
		if ((r = tar_layer_check_file(o->layers[i], err)) < 0)
			goto out;
		if ((r = kp_digest_file(KP_DIGEST_SHA256, o->layers[i], hex, &ld[i].size, err)) < 0)
			goto out;
		snprintf(ld[i].digest, sizeof(ld[i].digest), "sha256:%s", hex);
	}
	if ((r = pack_config_json(o, ld, &cfg)) < 0 || (r = describe_buffer(&cfg, &dcfg, err)) < 0) {
		r = r == -ENOMEM ? kp_fail(err, ENOMEM, "out of memory") : r;
		goto out;
	}
	manifest_json(&dcfg, ld, o->nlayers, &man);
	if ((r = describe_buffer(&man, &dmanifest, err)) < 0)
		goto out;
	if ((r = index_json(&dmanifest, tags, ntags, &idx, err)) < 0)
		goto out;
	docker_manifest_json(&dcfg, ld, o->nlayers, tags, ntags, &dman);
	jbuf_puts(&layout, oci_layout);
	if (idx.oom || dman.oom || layout.oom) {
		r = kp_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	add_member(mem, &n, "blobs", NULL, NULL, 0, 1);
	add_member(mem, &n, "blobs/sha256", NULL, NULL, 0, 1);
	for (size_t i = 0; i < o->nlayers; i++)
		add_blob(mem, &n, &ld[i], NULL, o->layers[i]);
	add_blob(mem, &n, &dcfg, &cfg, NULL);
	add_blob(mem, &n, &dmanifest, &man, NULL);
	add_member(mem, &n, "index.json", &idx, NULL, 0, 0);
	add_member(mem, &n, "manifest.json", &dman, NULL, 0, 0);
	add_member(mem, &n, "oci-layout", &layout, NULL, 0, 0);
	r = write_archive(o->output, mem, n, o->epoch, err);
	if (r == 0) {
		printf("image %s\nconfig %s\nmanifest %s\n", o->output, dcfg.digest, dmanifest.digest);
		for (size_t i = 0; i < o->nlayers; i++)
			printf("layer %s %llu\n", ld[i].digest, ld[i].size);
		for (size_t i = 0; i < ntags; i++)
			printf("tag %s\n", tags[i]);
	}
out:
	jbuf_free(&cfg);
	jbuf_free(&man);
	jbuf_free(&idx);
	jbuf_free(&dman);
	jbuf_free(&layout);
	free(ld);
	free(mem);
	return r;
}
