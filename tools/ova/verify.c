#include "verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "manifest.h"
#include "ovf.h"
#include "tar.h"
#include "vmdk.h"
#include "xml.h"

#define MAX_MEMBERS 64
#define MAX_OVF (16u * 1024u * 1024u)
#define MAX_MF (1024u * 1024u)

struct member {
	struct kp_tar_member m;
	char hex[KP_DIGEST_HEX_MAX]; /* "" when not computed */
	int vmdk_ok;                 /* header parsed */
	struct kp_vmdk_info vmdk;
	char vmdk_error[1024];
};

struct file_ref {
	char href[256], id[128], size[32];
};

struct disk_ref {
	char id[128], file_ref[128], capacity[32], units[64], format[256];
};

struct state {
	const char *path;
	kp_ova_report_fn report;
	void *ctx;
	int problems;
	struct member members[MAX_MEMBERS];
	size_t nmembers;
	char *ovf_text;
	size_t ovf_len;
	char *mf_text;
	size_t mf_len;
	int mf_seen, mf_ok;
	enum kp_digest_alg alg;
	struct kp_manifest_entry *mf;
	size_t nmf;
	struct file_ref files[KP_OVF_MAX_DISKS * 4];
	size_t nfiles;
	struct disk_ref disks[KP_OVF_MAX_DISKS * 4];
	size_t ndisks;
	int efi, boot_order;
};

static void problem(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct state *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->problems++;
	s->report(s->ctx, msg);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static struct member *find_member(struct state *s, const char *name)
{
	for (size_t i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].m.name, name) == 0)
			return &s->members[i];
	return NULL;
}

/* Read a whole small member into memory. */
static int slurp(struct kp_tar_reader *r, const struct kp_tar_member *m, size_t max, char **out,
		 size_t *len, struct kp_error *err)
{
	char *buf;
	size_t got = 0;

	if (m->size > max)
		return kp_fail(err, EFBIG, "member '%s' is %" PRIu64 " bytes, too large for its kind", m->name, m->size);
	buf = malloc((size_t)m->size + 1);
	if (!buf)
		return kp_fail(err, ENOMEM, "out of memory reading '%s'", m->name);
	for (;;) {
		ssize_t n = kp_tar_reader_read(r, buf + got, (size_t)m->size + 1 - got, err);
		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* Stream a disk: digest it (when the manifest told us how) and keep its
 * first bytes for the VMDK header. */
static int read_disk(struct state *s, struct kp_tar_reader *r, struct member *mem, struct kp_error *err)
{
	char *head = malloc(KP_VMDK_HEAD_MAX), *buf = malloc(1 << 16);
	size_t head_len = 0;
	struct kp_digest d;
	int digesting = 0, rc = 0;

	if (!head || !buf) {
		rc = kp_fail(err, ENOMEM, "out of memory reading '%s'", mem->m.name);
		goto out;
	}
	if (s->mf_ok) {
		if ((rc = kp_digest_init(&d, s->alg, err)) < 0)
			goto out;
		digesting = 1;
	}
	for (;;) {
		ssize_t n = kp_tar_reader_read(r, buf, 1 << 16, err);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		if (head_len < KP_VMDK_HEAD_MAX) {
			size_t k = (size_t)n < KP_VMDK_HEAD_MAX - head_len ? (size_t)n : KP_VMDK_HEAD_MAX - head_len;
			memcpy(head + head_len, buf, k);
			head_len += k;
		}
		if (digesting && (rc = kp_digest_update(&d, buf, (size_t)n, err)) < 0)
			goto out;
	}
	if (digesting) {
		digesting = 0;
		if ((rc = kp_digest_final(&d, mem->hex, err)) < 0)
			goto out;
	}
	{
		struct kp_error verr = { { 0 } };
		mem->vmdk_ok = kp_vmdk_parse(head, head_len, &mem->vmdk, &verr) == 0;
		if (!mem->vmdk_ok)
			snprintf(mem->vmdk_error, sizeof(mem->vmdk_error), "%s", verr.msg);
	}
out:
	if (digesting)
		kp_digest_free(&d);
	free(head);
	free(buf);
	return rc;
}

static void take_manifest(struct state *s)
{
	struct kp_error perr = { { 0 } };

	s->mf_seen = 1;
	if (kp_manifest_parse(s->mf_text, s->mf_len, &s->mf, &s->nmf, &perr) < 0) {
		problem(s, "the manifest is malformed: %s", perr.msg);
		return;
	}
	s->alg = s->mf[0].alg;
	s->mf_ok = 1;
}

static int read_members(struct state *s, struct kp_error *err)
{
	struct kp_tar_reader r;
	struct kp_tar_member m;
	int rc = kp_tar_reader_open(&r, s->path, err);

	if (rc < 0)
		return rc;
	while ((rc = kp_tar_reader_next(&r, &m, err)) > 0) {
		struct member *mem;
		struct kp_error nerr = { { 0 } };

		if (s->nmembers == MAX_MEMBERS) {
			rc = kp_fail(err, E2BIG, "'%s' has more than %d members; that is not an appliance OVA", s->path, MAX_MEMBERS);
			break;
		}
		mem = &s->members[s->nmembers++];
		mem->m = m;
		if (kp_tar_check_name(m.name, &nerr) < 0)
			problem(s, "%s", nerr.msg);
		if (!m.is_regular) {
			problem(s, "member '%s' is not a regular file (a directory or link); an OVA holds only files", m.name);
			continue;
		}
		if (m.format == KP_TAR_PAX)
			problem(s, "member '%s' has a pax extended header; some importers (ESXi, older ovftool) reject pax: write ustar (GNU only for members of 8 GiB or more)", m.name);
		else if (m.format == KP_TAR_OTHER)
			problem(s, "member '%s' has an old-style (pre-POSIX) tar header; write ustar", m.name);
		if (ends_with(m.name, ".ovf") && !s->ovf_text)
			rc = slurp(&r, &m, MAX_OVF, &s->ovf_text, &s->ovf_len, err);
		else if (ends_with(m.name, ".mf") && !s->mf_seen) {
			rc = slurp(&r, &m, MAX_MF, &s->mf_text, &s->mf_len, err);
			if (rc == 0)
				take_manifest(s);
		} else
			rc = read_disk(s, &r, mem, err);
		if (rc < 0)
			break;
	}
	kp_tar_reader_close(&r);
	return rc;
}

static void check_order_and_dialect(struct state *s)
{
	int any_big = 0, any_gnu = 0;

	if (s->nmembers == 0) {
		problem(s, "the archive is empty");
		return;
	}
	if (!ends_with(s->members[0].m.name, ".ovf"))
		problem(s, "the first member is '%s'; it must be the .ovf descriptor", s->members[0].m.name);
	if (s->nmembers < 2 || !ends_with(s->members[1].m.name, ".mf"))
		problem(s, "the second member is %s%s%s; it must be the .mf manifest",
			s->nmembers < 2 ? "missing" : "'", s->nmembers < 2 ? "" : s->members[1].m.name, s->nmembers < 2 ? "" : "'");
	else if (ends_with(s->members[0].m.name, ".ovf")) {
		size_t a = strlen(s->members[0].m.name) - 4, b = strlen(s->members[1].m.name) - 3;
		if (a != b || strncmp(s->members[0].m.name, s->members[1].m.name, a) != 0)
			problem(s, "the manifest '%s' does not share the descriptor's base name '%s'", s->members[1].m.name, s->members[0].m.name);
	}
	for (size_t i = 0; i < s->nmembers; i++) {
		any_big |= s->members[i].m.size > KP_TAR_USTAR_MAX_SIZE;
		any_gnu |= s->members[i].m.format == KP_TAR_GNU;
	}
	if (any_gnu && !any_big)
		problem(s, "the archive uses GNU tar headers although no member reaches 8 GiB; write ustar");
}

static void check_namespaces(struct state *s, const struct kp_xml_tag *env)
{
	size_t nns;
	const struct kp_ovf_namespace *ns = kp_ovf_namespaces(&nns);

	for (size_t i = 0; i < nns; i++) {
		char attr[64];
		const char *v;

		snprintf(attr, sizeof(attr), "xmlns%s%s", ns[i].prefix[0] ? ":" : "", ns[i].prefix);
		v = kp_xml_attr(env, attr);
		if (!v)
			problem(s, "the descriptor's <Envelope> does not declare %s=\"%s\"", attr, ns[i].uri);
		else if (strcmp(v, ns[i].uri) != 0)
			problem(s, "the descriptor declares %s=\"%s\"; importers expect \"%s\"", attr, v, ns[i].uri);
	}
}

static int prefix_declared(const struct kp_xml_tag *env, const char *qname)
{
	const char *colon = strchr(qname, ':');
	char attr[KP_XML_NAME_MAX + 8];

	if (!colon || strncmp(qname, "xmlns", 5) == 0 || strncmp(qname, "xml:", 4) == 0)
		return 1;
	snprintf(attr, sizeof(attr), "xmlns:%.*s", (int)(colon - qname), qname);
	return kp_xml_attr(env, attr) != NULL;
}

static const char *local_name(const char *qname)
{
	const char *colon = strchr(qname, ':');
	return colon ? colon + 1 : qname;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void scan_ovf(struct state *s)
{
	struct kp_xml_tag *tag = malloc(sizeof(*tag)), *env = malloc(sizeof(*env));
	struct kp_error xerr = { { 0 } };
	size_t pos = 0;
	int first = 1, r;

	if (!tag || !env) {
		problem(s, "out of memory reading the descriptor");
		goto out;
	}
	while ((r = kp_xml_next_tag(s->ovf_text, s->ovf_len, &pos, tag, &xerr)) > 0) {
		const char *local = local_name(tag->name);

		if (tag->closing)
			continue;
		if (first) {
			first = 0;
			if (strcmp(local, "Envelope") != 0) {
				problem(s, "the descriptor's root element is <%s>, not <Envelope>", tag->name);
				goto out;
			}
			*env = *tag;
			check_namespaces(s, env);
			continue;
		}
		for (size_t i = 0; i < tag->nattrs; i++) {
			if (strncmp(tag->attrs[i].name, "xmlns", 5) == 0)
				problem(s, "the descriptor declares %s again on <%s> (line %zu); declare each namespace once, on <Envelope>",
					tag->attrs[i].name, tag->name, tag->line);
			else if (!prefix_declared(env, tag->attrs[i].name))
				problem(s, "the descriptor uses the undeclared prefix of %s on <%s> (line %zu)", tag->attrs[i].name, tag->name, tag->line);
		}
		if (!prefix_declared(env, tag->name))
			problem(s, "the descriptor uses the undeclared prefix of <%s> (line %zu)", tag->name, tag->line);
		if (strcmp(local, "File") == 0 && s->nfiles < sizeof(s->files) / sizeof(s->files[0])) {
			struct file_ref *f = &s->files[s->nfiles++];
			copy(f->href, sizeof(f->href), kp_xml_attr(tag, "ovf:href"));
			copy(f->id, sizeof(f->id), kp_xml_attr(tag, "ovf:id"));
			copy(f->size, sizeof(f->size), kp_xml_attr(tag, "ovf:size"));
		} else if (strcmp(local, "Disk") == 0 && s->ndisks < sizeof(s->disks) / sizeof(s->disks[0])) {
			struct disk_ref *d = &s->disks[s->ndisks++];
			copy(d->id, sizeof(d->id), kp_xml_attr(tag, "ovf:diskId"));
			copy(d->file_ref, sizeof(d->file_ref), kp_xml_attr(tag, "ovf:fileRef"));
			copy(d->capacity, sizeof(d->capacity), kp_xml_attr(tag, "ovf:capacity"));
			copy(d->units, sizeof(d->units), kp_xml_attr(tag, "ovf:capacityAllocationUnits"));
			copy(d->format, sizeof(d->format), kp_xml_attr(tag, "ovf:format"));
		} else if (strcmp(local, "Config") == 0) {
			const char *key = kp_xml_attr(tag, "vmw:key"), *value = kp_xml_attr(tag, "vmw:value");
			s->efi |= key && value && !strcmp(key, "firmware") && !strcmp(value, "efi");
		} else if (strcmp(local, "BootOrderSection") == 0)
			s->boot_order = 1;
	}
	if (r < 0)
		problem(s, "the descriptor is not well-formed XML: %s", xerr.msg);
	else if (first)
		problem(s, "the descriptor has no elements");
	if (s->efi && s->boot_order)
		problem(s, "the descriptor asks for UEFI and also has a BootOrderSection; imported VMs have no NVRAM entry for it, drop it");
out:
	free(tag);
	free(env);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "byte", or "byte * 2^N" with any spacing. */
static int parse_units(const char *u, unsigned *shift)
{
	unsigned n;
	int used = 0;

	if (strcmp(u, "byte") == 0) {
		*shift = 0;
		return 0;
	}
	if (sscanf(u, " byte * 2 ^ %u %n", &n, &used) == 1 && u[used] == '\0' && n < 64) {
		*shift = n;
		return 0;
	}
	return -1;
}

static const struct file_ref *find_file(struct state *s, const char *id)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].id, id) == 0)
			return &s->files[i];
	return NULL;
}

static void check_references(struct state *s)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct file_ref *f = &s->files[i];
		const struct member *mem = find_member(s, f->href);
		uint64_t size;

		if (!mem) {
			problem(s, "the descriptor lists the file '%s', but the OVA has no such member", f->href);
			continue;
		}
		if (!f->size[0])
			continue; /* ovf:size is optional in OVF 1.0 */
		if (parse_u64(f->size, &size) < 0)
			problem(s, "the ovf:size \"%s\" of '%s' is not a whole number of bytes", f->size, f->href);
		else if (size != mem->m.size)
			problem(s, "the descriptor says '%s' is %" PRIu64 " bytes, but the member is %" PRIu64 " bytes", f->href, size, mem->m.size);
	}
	for (size_t i = 2; i < s->nmembers; i++) {
		size_t k = i - 2;
		int listed = 0;

		if (ends_with(s->members[i].m.name, ".ovf") || ends_with(s->members[i].m.name, ".mf"))
			continue; /* out of place: already reported by the order check */
		for (size_t j = 0; j < s->nfiles; j++)
			listed |= strcmp(s->files[j].href, s->members[i].m.name) == 0;
		if (!listed)
			problem(s, "member '%s' is not listed in the descriptor's <References>", s->members[i].m.name);
		else if (k < s->nfiles && strcmp(s->files[k].href, s->members[i].m.name) != 0)
			problem(s, "member %zu is '%s' but <References> lists '%s' there; disks must follow the order of <References>",
				i + 1, s->members[i].m.name, s->files[k].href);
	}
}

static void check_disks(struct state *s)
{
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct disk_ref *d = &s->disks[i];
		const struct file_ref *f = find_file(s, d->file_ref);
		const struct member *mem = f ? find_member(s, f->href) : NULL;
		struct kp_error verr = { { 0 } };
		uint64_t cap, bytes;
		unsigned shift;

		if (strcmp(d->format, KP_OVF_DISK_FORMAT) != 0)
			problem(s, "disk '%s' has ovf:format \"%s\"; expected \"%s\"", d->id, d->format, KP_OVF_DISK_FORMAT);
		if (parse_u64(d->capacity, &cap) < 0) {
			problem(s, "disk '%s' has the capacity \"%s\", not a whole number", d->id, d->capacity);
			continue;
		}
		if (!d->units[0])
			shift = 0; /* the OVF default unit is bytes */
		else if (parse_units(d->units, &shift) < 0) {
			problem(s, "disk '%s' gives its capacity in \"%s\"; write \"byte * 2^20\" or \"byte * 2^30\" (words like MegaBytes are read differently by different importers)",
				d->id, d->units);
			continue;
		}
		if (shift && cap > (UINT64_MAX >> shift)) {
			problem(s, "disk '%s' has a capacity too large to be real", d->id);
			continue;
		}
		bytes = cap << shift;
		if (!f || !mem) {
			problem(s, "disk '%s' refers to the file '%s', which is not in the OVA", d->id, d->file_ref);
			continue;
		}
		if (!mem->vmdk_ok) {
			problem(s, "disk file '%s' is not a usable VMDK: %s", mem->m.name, mem->vmdk_error);
			continue;
		}
		if (kp_vmdk_check_stream_optimized(&mem->vmdk, mem->m.name, &verr) < 0)
			problem(s, "%s", verr.msg);
		if (bytes != kp_vmdk_virtual_size(&mem->vmdk))
			problem(s, "disk '%s': the descriptor's capacity is %" PRIu64 " bytes, but the VMDK '%s' holds %" PRIu64 " bytes; importers would make a disk of the wrong size",
				d->id, bytes, mem->m.name, kp_vmdk_virtual_size(&mem->vmdk));
	}
	if (s->ndisks == 0)
		problem(s, "the descriptor lists no disks");
}

static int check_manifest(struct state *s, struct kp_error *err)
{
	const char *mf_name = s->nmembers > 1 && ends_with(s->members[1].m.name, ".mf") ? s->members[1].m.name : NULL;
	int rc;

	if (!s->mf_seen) {
		problem(s, "the OVA has no .mf manifest");
		return 0;
	}
	if (!s->mf_ok)
		return 0;
	if (s->ovf_text) {
		for (size_t i = 0; i < s->nmembers; i++) {
			if (ends_with(s->members[i].m.name, ".ovf")) {
				rc = kp_digest_buffer(s->alg, s->ovf_text, s->ovf_len, s->members[i].hex, err);
				if (rc < 0)
					return rc;
				break;
			}
		}
	}
	for (size_t i = 0; i < s->nmf; i++) {
		const struct member *mem = find_member(s, s->mf[i].name);
		if (mf_name && strcmp(s->mf[i].name, mf_name) == 0)
			problem(s, "manifest line %zu lists the manifest itself; it must list only the other members", s->mf[i].line);
		else if (!mem)
			problem(s, "manifest line %zu lists '%s', which is not in the OVA", s->mf[i].line, s->mf[i].name);
		else if (!mem->hex[0])
			problem(s, "the digest of '%s' was not checked: it comes before the manifest in the archive", mem->m.name);
		else if (strcmp(mem->hex, s->mf[i].hex) != 0)
			problem(s, "the %s of '%s' is %s, but the manifest says %s: the file was changed or damaged after the manifest was written",
				kp_digest_alg_label(s->alg), mem->m.name, mem->hex, s->mf[i].hex);
	}
	for (size_t i = 0; i < s->nmembers; i++) {
		int listed = 0;
		if (ends_with(s->members[i].m.name, ".mf"))
			continue;
		for (size_t j = 0; j < s->nmf; j++)
			listed |= strcmp(s->mf[j].name, s->members[i].m.name) == 0;
		if (!listed)
			problem(s, "the manifest has no line for '%s'", s->members[i].m.name);
	}
	return 0;
}

int kp_ova_verify(const char *path, kp_ova_report_fn report, void *ctx,
		  char *summary, size_t summary_size, struct kp_error *err)
{
	struct state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return kp_fail(err, ENOMEM, "out of memory");
	s->path = path;
	s->report = report;
	s->ctx = ctx;
	rc = read_members(s, err);
	if (rc < 0)
		goto out;
	check_order_and_dialect(s);
	if (!s->ovf_text)
		problem(s, "the OVA has no .ovf descriptor");
	else {
		scan_ovf(s);
		check_references(s);
		check_disks(s);
	}
	rc = check_manifest(s, err);
	if (rc < 0)
		goto out;
	rc = s->problems;
	if (rc == 0) {
		uint64_t virt = 0;
		for (size_t i = 0; i < s->nmembers; i++)
			virt += s->members[i].vmdk_ok ? kp_vmdk_virtual_size(&s->members[i].vmdk) : 0;
		snprintf(summary, summary_size, "OK: %s: %zu members (%s), %s manifest, %zu disk(s), %" PRIu64 " MiB virtual",
			 path, s->nmembers, kp_tar_format_name(s->members[s->nmembers - 1].m.format),
			 kp_digest_alg_label(s->alg), s->ndisks, virt >> 20);
	}
out:
	free(s->ovf_text);
	free(s->mf_text);
	free(s->mf);
	free(s);
	return rc;
}
