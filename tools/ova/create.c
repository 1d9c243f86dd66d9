#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "digest.h"
#include "manifest.h"
#include "profile.h"
#include "tar.h"
#include "vmdk.h"
#include "xml.h"

#define EULA_MAX (1024 * 1024)

struct ctx {
	const struct kp_ova_create_opts *o;
	struct kp_ova_settings s;
	char base[KP_TAR_NAME_MAX + 1]; /* output name without .ova */
	char ovf_name[KP_TAR_NAME_MAX + 8], mf_name[KP_TAR_NAME_MAX + 8];
	struct kp_ovf_disk disks[KP_OVF_MAX_DISKS];
	char hrefs[KP_OVF_MAX_DISKS][KP_TAR_NAME_MAX + 1];
	char *eula;
	struct kp_xml xml;
	struct kp_manifest mf;
	int64_t mtime;
};

int kp_ova_source_date_epoch(int64_t *out, struct kp_error *err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*out = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > 077777777777LL)
		return kp_fail(err, EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds since 1970 that a tar header can hold", s);
	*out = v;
	return 0;
}

int kp_ova_settings_resolve(const struct kp_ova_create_opts *o, struct kp_ova_settings *s, struct kp_error *err)
{
	int r = kp_ova_profile_find(o->target ? o->target : "default", &s->profile, err);

	if (r < 0)
		return r;
	s->digest = s->profile->digest;
	s->firmware = s->profile->firmware;
	s->controller = s->profile->controller;
	s->nic = s->profile->nic;
	s->hardware = o->hardware ? o->hardware : s->profile->hardware;
	s->os_type = o->os_type ? o->os_type : s->profile->os_type;
	if ((o->digest && (r = kp_digest_alg_parse(o->digest, &s->digest, err)) < 0) ||
	    (o->firmware && (r = kp_ova_firmware_parse(o->firmware, &s->firmware, err)) < 0) ||
	    (o->controller && (r = kp_ova_controller_parse(o->controller, &s->controller, err)) < 0) ||
	    (o->nic && (r = kp_ova_nic_parse(o->nic, &s->nic, err)) < 0) ||
	    (r = kp_ova_hardware_check(s->hardware, err)) < 0)
		return r;
	for (const char *p = s->os_type; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return kp_fail(err, EINVAL, "guest OS type '%s' is not a VMware guest id (letters, digits, '_', e.g. debian12_64Guest)", s->os_type);
	if (!*s->os_type)
		return kp_fail(err, EINVAL, "the guest OS type is empty");
	return 0;
}

void kp_ova_settings_print(const struct kp_ova_settings *s, FILE *f)
{
	fprintf(f, "target=%s\nhardware=%s\ndigest=%s\nfirmware=%s\ndisk_controller=%s\nnic=%s\nos_type=%s\n",
		s->profile->name, s->hardware, kp_digest_alg_id(s->digest), kp_ova_firmware_name(s->firmware),
		kp_ova_controller_name(s->controller), kp_ova_nic_name(s->nic), s->os_type);
}

/* Names that Proxmox's importer also accepts: [A-Za-z0-9._+-]. */
static int safe_name(const char *what, const char *name, struct kp_error *err)
{
	int r = kp_tar_check_name(name, err);

	if (r < 0)
		return r;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._+-", *p)))
			return kp_fail(err, EINVAL, "%s '%s' has the character '%c'; use letters, digits, '.', '_', '+' and '-' so every importer accepts it",
				       what, name, *p);
	return 0;
}

static int step_names(struct ctx *c, struct kp_error *err)
{
	const char *out = c->o->output;
	const char *slash = strrchr(out, '/');
	const char *base = slash ? slash + 1 : out;
	const char *want = c->o->descriptor_only ? ".ovf" : ".ova";
	size_t n = strlen(base);

	if (!c->o->name || !*c->o->name)
		return kp_fail(err, EINVAL, "the appliance needs a --name");
	if (!c->o->version || !*c->o->version)
		return kp_fail(err, EINVAL, "the appliance needs a --version");
	if (n <= 4 || strcmp(base + n - 4, want) != 0)
		return kp_fail(err, EINVAL, "output '%s' must end in '%s'", out, want);
	if (n - 4 > KP_TAR_NAME_MAX - 4)
		return kp_fail(err, EINVAL, "output name '%s' is too long: the members '<name>.ovf' must fit in 100 characters", base);
	snprintf(c->base, sizeof(c->base), "%.*s", (int)(n - 4), base);
	snprintf(c->ovf_name, sizeof(c->ovf_name), "%s.ovf", c->base);
	snprintf(c->mf_name, sizeof(c->mf_name), "%s.mf", c->base);
	return safe_name("output name", c->ovf_name, err);
}

static int step_disks(struct ctx *c, struct kp_error *err)
{
	const struct kp_ova_create_opts *o = c->o;

	if (o->ndisks == 0)
		return kp_fail(err, EINVAL, "give at least one --disk FILE.vmdk");
	for (size_t i = 0; i < o->ndisks; i++) {
		const char *path = o->disks[i], *slash = strrchr(path, '/');
		struct kp_vmdk_info info;
		struct stat st;
		int r;

		snprintf(c->hrefs[i], sizeof(c->hrefs[i]), "%s", slash ? slash + 1 : path);
		if (strlen(slash ? slash + 1 : path) > KP_TAR_NAME_MAX)
			return kp_fail(err, EINVAL, "disk file name '%s' is longer than 100 characters", path);
		if ((r = safe_name("disk file name", c->hrefs[i], err)) < 0)
			return r;
		if (!strcmp(c->hrefs[i], c->ovf_name) || !strcmp(c->hrefs[i], c->mf_name))
			return kp_fail(err, EINVAL, "disk '%s' has the name of the descriptor or manifest", path);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->hrefs[i], c->hrefs[j]))
				return kp_fail(err, EINVAL, "two disks are named '%s'; an OVA member name must be unique", c->hrefs[i]);
		if (stat(path, &st) < 0)
			return kp_fail_errno(err, errno, "cannot find disk '%s'", path);
		if (!S_ISREG(st.st_mode))
			return kp_fail(err, EINVAL, "disk '%s' is not a regular file", path);
		if ((r = kp_vmdk_read_file(path, &info, err)) < 0 ||
		    (r = kp_vmdk_check_stream_optimized(&info, path, err)) < 0)
			return r;
		c->disks[i].href = c->hrefs[i];
		c->disks[i].file_size = (uint64_t)st.st_size;
		c->disks[i].capacity_bytes = kp_vmdk_virtual_size(&info);
	}
	return 0;
}

static int step_eula(struct ctx *c, struct kp_error *err)
{
	const char *path = c->o->eula_path;
	FILE *f;
	size_t n;

	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return kp_fail_errno(err, errno, "cannot open the EULA '%s'", path);
	c->eula = malloc(EULA_MAX + 1);
	if (!c->eula) {
		fclose(f);
		return kp_fail(err, ENOMEM, "out of memory reading '%s'", path);
	}
	n = fread(c->eula, 1, EULA_MAX + 1, f);
	fclose(f);
	if (n > EULA_MAX)
		return kp_fail(err, EFBIG, "the EULA '%s' is larger than 1 MiB", path);
	c->eula[n] = '\0';
	if (strlen(c->eula) != n)
		return kp_fail(err, EINVAL, "the EULA '%s' contains NUL bytes; give a text file", path);
	return 0;
}

static int step_descriptor(struct ctx *c, struct kp_error *err)
{
	const struct kp_ova_create_opts *o = c->o;
	struct kp_ovf ovf = {
		.name = o->name,
		.product = o->product ? o->product : o->name,
		.vendor = o->vendor,
		.version = o->product_version ? o->product_version : o->version,
		.full_version = o->version,
		.url = o->url,
		.eula = c->eula,
		.cpus = o->cpus,
		.memory_mib = o->memory_mib,
		.hardware = c->s.hardware,
		.firmware = c->s.firmware,
		.controller = c->s.controller,
		.nic = c->s.nic,
		.os_type = c->s.os_type,
		.disks = c->disks,
		.ndisks = o->ndisks,
	};

	return kp_ovf_write(&ovf, &c->xml, err);
}

static int step_manifest(struct ctx *c, struct kp_error *err)
{
	char hex[KP_DIGEST_HEX_MAX];
	int r = kp_digest_buffer(c->s.digest, c->xml.buf, c->xml.len, hex, err);

	if (r < 0 || (r = kp_manifest_append(&c->mf, c->s.digest, c->ovf_name, hex, err)) < 0)
		return r;
	for (size_t i = 0; i < c->o->ndisks; i++) {
		unsigned long long size;

		if ((r = kp_digest_file(c->s.digest, c->o->disks[i], hex, &size, err)) < 0)
			return r;
		if (size != c->disks[i].file_size)
			return kp_fail(err, EIO, "disk '%s' changed size while it was being read; is something still writing it?", c->o->disks[i]);
		if ((r = kp_manifest_append(&c->mf, c->s.digest, c->hrefs[i], hex, err)) < 0)
			return r;
	}
	return 0;
}

static int write_members(struct ctx *c, int fd, struct kp_error *err)
{
	struct kp_tar_writer w;
	uint64_t largest = c->xml.len > c->mf.len ? c->xml.len : c->mf.len;
	int r;

	for (size_t i = 0; i < c->o->ndisks; i++)
		if (c->disks[i].file_size > largest)
			largest = c->disks[i].file_size;
	r = kp_tar_writer_open_fd(&w, fd, kp_tar_format_for_size(largest), c->mtime, c->o->output, err);
	if (r < 0)
		return r;
	/* COMPAT 3: descriptor first, manifest second, disks in <References> order. */
	r = kp_tar_add_buffer(&w, c->ovf_name, c->xml.buf, c->xml.len, err);
	if (r == 0)
		r = kp_tar_add_buffer(&w, c->mf_name, c->mf.text, c->mf.len, err);
	for (size_t i = 0; r == 0 && i < c->o->ndisks; i++)
		r = kp_tar_add_file(&w, c->hrefs[i], c->o->disks[i], c->disks[i].file_size, err);
	if (r < 0) {
		kp_tar_writer_abort(&w);
		return r;
	}
	return kp_tar_writer_close(&w, err);
}

static int step_write(struct ctx *c, struct kp_error *err)
{
	struct kp_atomic_file f;
	int r = kp_atomic_open(&f, c->o->output, err);

	if (r < 0)
		return r;
	if (c->o->descriptor_only)
		r = kp_atomic_write(&f, c->xml.buf, c->xml.len, err);
	else
		r = write_members(c, f.fd, err);
	if (r < 0) {
		kp_atomic_abort(&f);
		return r;
	}
	return kp_atomic_commit(&f, err);
}

int kp_ova_create(const struct kp_ova_create_opts *o, struct kp_error *err)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return kp_fail(err, ENOMEM, "out of memory");
	c->o = o;
	kp_xml_init(&c->xml);
	if ((r = kp_ova_source_date_epoch(&c->mtime, err)) < 0 ||
	    (r = kp_ova_settings_resolve(o, &c->s, err)) < 0 ||
	    (r = step_names(c, err)) < 0 ||
	    (r = step_disks(c, err)) < 0 ||
	    (r = step_eula(c, err)) < 0 ||
	    (r = step_descriptor(c, err)) < 0)
		goto out;
	if (!o->descriptor_only && (r = step_manifest(c, err)) < 0)
		goto out;
	r = step_write(c, err);
out:
	kp_xml_free(&c->xml);
	kp_manifest_free(&c->mf);
	free(c->eula);
	free(c);
	return r;
}
