#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sizing.h"
#include "strbuf.h"

#define FIELD(f) offsetof(struct kp_config, f)

static const char *const suites[] = { "trixie", NULL };
static const char *const artifacts[] = { "iso", "qcow2", "ova", NULL };
static const char *const iso_compressions[] = { "zstd", "xz", "gzip", "lz4", "lzo", NULL };
static const char *const qcow2_compats[] = { "1.1", "0.10", NULL };
static const char *const ova_digests[] = { "sha256", "sha1", "sha512", NULL };
static const char *const ova_firmwares[] = { "bios", "efi", NULL };
static const char *const ova_controllers[] = { "lsilogic", "sata", "pvscsi", NULL };
static const char *const ova_nics[] = { "vmxnet3", "e1000", "e1000e", NULL };
static const char *const ova_profiles[] = { "default", "vmware-6.5", "vmware-8", "proxmox", "virtualbox", NULL };

const struct kp_key kp_keys[] = {
	{ "name", KP_TYPE_STRING, FIELD(name), NULL, NULL, 0, 0, kp_check_name,
	  "[a-z0-9][a-z0-9-]{0,40}", KP_KEY_REQUIRED, "appliance name, first part of every artifact's file name" },
	{ "version", KP_TYPE_STRING, FIELD(version), NULL, NULL, 0, 0, kp_check_version,
	  "[0-9A-Za-z][0-9A-Za-z.+~-]{0,40}", KP_KEY_REQUIRED, "appliance version, part of every artifact's file name" },
	{ "debian.suite", KP_TYPE_ENUM, FIELD(suite), "trixie", suites, 0, 0, NULL, NULL, 0,
	  "Debian release the appliance is built from" },
	{ "debian.mirror", KP_TYPE_STRING, FIELD(mirror), "http://deb.debian.org/debian", NULL, 0, 0, kp_check_url,
	  "http://... or https://...", 0, "Debian mirror used to build the appliance" },
	{ "debian.packages", KP_TYPE_STRING_LIST, FIELD(packages), "", NULL, 0, 0, kp_check_package,
	  "[a-z0-9][a-z0-9+.-]+", 0, "extra Debian packages installed into the appliance" },
	{ "vm.cpus", KP_TYPE_INT, FIELD(cpus), "8", NULL, 1, 256, NULL, NULL, 0,
	  "virtual CPUs of the VM (seed minimum 8)" },
	{ "vm.memory_gib", KP_TYPE_INT, FIELD(memory_gib), "64", NULL, 1, 4096, NULL, NULL, 0,
	  "memory of the VM in GiB (seed minimum 64)" },
	{ "storage.system_gib", KP_TYPE_INT, FIELD(system_gib), "30", NULL, 4, 4096, NULL, NULL, 0,
	  "GiB for the system; disk = system_gib + 2 x planned_data_gib" },
	{ "storage.planned_data_gib", KP_TYPE_DECIMAL, FIELD(planned_data_gib), "0", NULL, 0, 65536, NULL, NULL, 0,
	  "GiB of data planned (decimals allowed); the disk gets twice this" },
	{ "image.artifacts", KP_TYPE_ENUM_LIST, FIELD(artifacts), "iso qcow2 ova", artifacts, 0, 0, NULL, NULL,
	  KP_KEY_NONEMPTY | KP_KEY_UNIQUE, "artifacts to build" },
	{ "image.iso_compression", KP_TYPE_ENUM, FIELD(iso_compression), "zstd", iso_compressions, 0, 0, NULL, NULL, 0,
	  "compression of the ISO's squashfs" },
	{ "image.qcow2_compat", KP_TYPE_ENUM, FIELD(qcow2_compat), "1.1", qcow2_compats, 0, 0, NULL, NULL, 0,
	  "qcow2 compat level (0.10 for old hosts)" },
	{ "image.qcow2_compress", KP_TYPE_BOOL, FIELD(qcow2_compress), "false", NULL, 0, 0, NULL, NULL, 0,
	  "compress the qcow2 clusters" },
	{ "ova.hardware", KP_TYPE_STRING, FIELD(ova_hardware), "", NULL, 0, 0, kp_check_vmx,
	  "vmx-4 .. vmx-21", KP_KEY_FROM_PROFILE, "VMware virtual hardware family (ESXi 6.0 takes at most vmx-11)" },
	{ "ova.digest", KP_TYPE_ENUM, FIELD(ova_digest), "", ova_digests, 0, 0, NULL, NULL, KP_KEY_FROM_PROFILE,
	  "digest of the OVA manifest (sha1 for old vSphere)" },
	{ "ova.firmware", KP_TYPE_ENUM, FIELD(ova_firmware), "", ova_firmwares, 0, 0, NULL, NULL, KP_KEY_FROM_PROFILE,
	  "firmware the OVF asks for" },
	{ "ova.disk_controller", KP_TYPE_ENUM, FIELD(ova_disk_controller), "", ova_controllers, 0, 0, NULL, NULL,
	  KP_KEY_FROM_PROFILE, "disk controller of the OVF" },
	{ "ova.nic", KP_TYPE_ENUM, FIELD(ova_nic), "", ova_nics, 0, 0, NULL, NULL, KP_KEY_FROM_PROFILE,
	  "network card of the OVF" },
	{ "ova.product", KP_TYPE_STRING, FIELD(ova_product), "Kopanion", NULL, 0, 0, NULL, NULL, 0,
	  "product name in the OVF" },
	{ "ova.vendor", KP_TYPE_STRING, FIELD(ova_vendor), "Kopanion", NULL, 0, 0, NULL, NULL, 0,
	  "vendor name in the OVF" },
	{ "ova.url", KP_TYPE_STRING, FIELD(ova_url), "", NULL, 0, 0, NULL, NULL, 0,
	  "product URL in the OVF" },
	{ "ova.eula", KP_TYPE_FILE, FIELD(ova_eula), NULL, NULL, 0, 0, NULL, NULL, 0,
	  "text file with the licence shown on import, relative to the YAML file" },
	{ "ova.profile", KP_TYPE_ENUM, FIELD(ova_profile), "default", ova_profiles, 0, 0, NULL, NULL, 0,
	  "import target; sets every ova key marked (ova.profile) that is not given (`kopanion-ova --help` lists the values)" },
	{ "containers", KP_TYPE_CONTAINERS, FIELD(containers), "", NULL, 0, 0, NULL, NULL, 0,
	  "container images preloaded into the appliance" },
};
const size_t kp_keys_count = sizeof(kp_keys) / sizeof(kp_keys[0]);

const struct kp_key kp_container_keys[] = {
	{ "name", KP_TYPE_STRING, 0, NULL, NULL, 0, 0, kp_check_name, "[a-z0-9][a-z0-9-]{0,40}", 0,
	  "image recipe folder <containers-dir>/<name>/ with a recipe.yaml" },
	{ "archive", KP_TYPE_FILE, 0, NULL, NULL, 0, 0, NULL, NULL, 0,
	  "image tarball, relative to the YAML file" },
};
const size_t kp_container_keys_count = sizeof(kp_container_keys) / sizeof(kp_container_keys[0]);

/* In a set, "a" stands for a-z, "A" for A-Z and "0" for 0-9; other
 * characters stand for themselves. */
static bool in_set(char c, const char *set)
{
	for (; *set; set++) {
		bool hit = *set == 'a' ? (c >= 'a' && c <= 'z')
			 : *set == 'A' ? (c >= 'A' && c <= 'Z')
			 : *set == '0' ? (c >= '0' && c <= '9')
			 : c == *set;
		if (hit)
			return true;
	}
	return false;
}

/* One char from first_set, then min_rest..max_rest chars from rest_set. */
static bool match_word(const char *s, const char *first_set, const char *rest_set, size_t min_rest,
		       size_t max_rest)
{
	size_t n;

	if (!in_set(s[0], first_set))
		return false;
	for (n = 1; s[n]; n++)
		if (!in_set(s[n], rest_set))
			return false;
	return n - 1 >= min_rest && n - 1 <= max_rest;
}

bool kp_check_name(const char *s)
{
	return match_word(s, "a0", "a0-", 0, 40);
}

bool kp_check_version(const char *s)
{
	return match_word(s, "a0A", "a0A.+~-", 0, 40);
}

bool kp_check_package(const char *s)
{
	return match_word(s, "a0", "a0+.-", 1, 200);
}

bool kp_check_url(const char *s)
{
	const char *rest;

	if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else
		return false;
	if (!*rest || *rest == '/')
		return false;
	for (; *rest; rest++)
		if ((unsigned char)*rest <= ' ' || *rest == 0x7f || *rest == '\'' || *rest == '"')
			return false;
	return true;
}

bool kp_check_vmx(const char *s)
{
	long n = 0;
	size_t digits = 0;

	if (strncmp(s, "vmx-", 4) != 0)
		return false;
	for (s += 4; *s; s++, digits++) {
		if (*s < '0' || *s > '9' || digits >= 2)
			return false;
		n = n * 10 + (*s - '0');
	}
	if (digits == 2 && s[-2] == '0')
		return false; /* "vmx-07" is not how VMware writes it */
	return digits > 0 && n >= 4 && n <= 21;
}

const struct kp_key *kp_key_find(const char *path)
{
	for (size_t i = 0; i < kp_keys_count; i++)
		if (strcmp(kp_keys[i].path, path) == 0)
			return &kp_keys[i];
	return NULL;
}

bool kp_schema_is_section(const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < kp_keys_count; i++)
		if (strncmp(kp_keys[i].path, path, len) == 0 && kp_keys[i].path[len] == '.')
			return true;
	return false;
}

static void join_allowed(struct kp_buf *b, const char *const *allowed, const char *sep)
{
	for (size_t i = 0; allowed[i]; i++)
		kp_buf_printf(b, "%s%s", i ? sep : "", allowed[i]);
}

void kp_key_describe(const struct kp_key *key, char *out, size_t size)
{
	struct kp_buf b = { 0 };

	switch (key->type) {
	case KP_TYPE_STRING:
		kp_buf_printf(&b, key->syntax ? "text matching %s" : "any one line of text", key->syntax);
		break;
	case KP_TYPE_INT:
		kp_buf_printf(&b, "an integer from %lld to %lld", key->min, key->max);
		break;
	case KP_TYPE_DECIMAL:
		kp_buf_printf(&b, "a number from %lld to %lld, at most %d decimals", key->min, key->max, 9);
		break;
	case KP_TYPE_BOOL:
		kp_buf_puts(&b, "true or false");
		break;
	case KP_TYPE_ENUM:
		kp_buf_puts(&b, "one of ");
		join_allowed(&b, key->allowed, ", ");
		break;
	case KP_TYPE_FILE:
		kp_buf_puts(&b, "the path of an existing file, relative to the YAML file");
		break;
	case KP_TYPE_STRING_LIST:
		kp_buf_printf(&b, "a list of words matching %s", key->syntax);
		break;
	case KP_TYPE_ENUM_LIST:
		kp_buf_puts(&b, "a list of ");
		join_allowed(&b, key->allowed, ", ");
		kp_buf_printf(&b, "%s%s", key->flags & KP_KEY_UNIQUE ? ", each once" : "",
			      key->flags & KP_KEY_NONEMPTY ? ", at least one" : "");
		break;
	case KP_TYPE_CONTAINERS:
		kp_buf_puts(&b, "a list of {name: RECIPE} or {archive: FILE}");
		break;
	}
	snprintf(out, size, "%s", kp_buf_str(&b));
	kp_buf_free(&b);
}

void kp_strv_push(struct kp_strv *v, const char *s)
{
	char **items = realloc(v->v, (v->n + 2) * sizeof(*items));

	if (!items)
		kp_out_of_memory();
	v->v = items;
	v->v[v->n] = strdup(s);
	if (!v->v[v->n])
		kp_out_of_memory();
	v->n++;
	v->v[v->n] = NULL;
}

void kp_strv_free(struct kp_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

bool kp_strv_contains(const struct kp_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	return false;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		kp_out_of_memory();
	return p;
}

static void split_words(struct kp_strv *v, const char *text)
{
	char *copy = xstrdup(text), *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		kp_strv_push(v, w);
	free(copy);
}

static void init_field(const struct kp_key *key, void *field)
{
	const char *def = key->def ? key->def : "";
	struct kp_decimal *dec;

	switch (key->type) {
	case KP_TYPE_STRING:
	case KP_TYPE_ENUM:
	case KP_TYPE_FILE:
		*(char **)field = key->def ? xstrdup(key->def) : NULL;
		break;
	case KP_TYPE_INT:
		*(long long *)field = strtoll(def, NULL, 10);
		break;
	case KP_TYPE_DECIMAL:
		dec = field;
		dec->text = xstrdup(def);
		if (kp_decimal_parse(def, &dec->nano) < 0)
			abort(); /* a broken table; the unit tests catch it */
		break;
	case KP_TYPE_BOOL:
		*(bool *)field = strcmp(def, "true") == 0;
		break;
	case KP_TYPE_STRING_LIST:
	case KP_TYPE_ENUM_LIST:
		split_words(field, def);
		break;
	case KP_TYPE_CONTAINERS:
		break;
	}
}

void kp_config_init(struct kp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < kp_keys_count; i++)
		init_field(&kp_keys[i], (char *)cfg + kp_keys[i].offset);
}

static void free_field(const struct kp_key *key, void *field)
{
	struct kp_containers *c;

	switch (key->type) {
	case KP_TYPE_STRING:
	case KP_TYPE_ENUM:
	case KP_TYPE_FILE:
		free(*(char **)field);
		*(char **)field = NULL;
		break;
	case KP_TYPE_DECIMAL:
		free(((struct kp_decimal *)field)->text);
		((struct kp_decimal *)field)->text = NULL;
		break;
	case KP_TYPE_STRING_LIST:
	case KP_TYPE_ENUM_LIST:
		kp_strv_free(field);
		break;
	case KP_TYPE_CONTAINERS:
		c = field;
		kp_strv_free(&c->names);
		kp_strv_free(&c->archives);
		break;
	default:
		break;
	}
}

void kp_config_free(struct kp_config *cfg)
{
	for (size_t i = 0; i < kp_keys_count; i++)
		free_field(&kp_keys[i], (char *)cfg + kp_keys[i].offset);
	kp_strv_free(&cfg->files);
}

static const char *type_name(enum kp_type t)
{
	static const char *const names[] = {
		[KP_TYPE_STRING] = "string", [KP_TYPE_INT] = "integer", [KP_TYPE_DECIMAL] = "number",
		[KP_TYPE_BOOL] = "bool", [KP_TYPE_ENUM] = "enum", [KP_TYPE_FILE] = "file",
		[KP_TYPE_STRING_LIST] = "list", [KP_TYPE_ENUM_LIST] = "list", [KP_TYPE_CONTAINERS] = "list",
	};
	return names[t];
}

static void describe_default(const struct kp_key *key, struct kp_buf *b)
{
	if (key->flags & KP_KEY_REQUIRED)
		kp_buf_puts(b, "(required)");
	else if (key->flags & KP_KEY_FROM_PROFILE)
		kp_buf_puts(b, "(ova.profile)");
	else if (!key->def)
		kp_buf_puts(b, "(none)");
	else if (key->type == KP_TYPE_STRING_LIST || key->type == KP_TYPE_ENUM_LIST ||
		 key->type == KP_TYPE_CONTAINERS) {
		kp_buf_puts(b, "[");
		for (const char *p = key->def; *p; p++)
			if (*p == ' ')
				kp_buf_puts(b, ", ");
			else
				kp_buf_add(b, p, 1);
		kp_buf_puts(b, "]");
	} else if (!key->def[0])
		kp_buf_puts(b, "\"\"");
	else
		kp_buf_puts(b, key->def);
}

static void print_row(FILE *out, const char *path, const struct kp_key *key)
{
	struct kp_buf def = { 0 };
	char allowed[512];

	describe_default(key, &def);
	kp_key_describe(key, allowed, sizeof(allowed));
	fprintf(out, "%-25s %-8s %-29s %s\n    %s\n", path, type_name(key->type), kp_buf_str(&def),
		allowed, key->help);
	kp_buf_free(&def);
}

void kp_schema_print_keys(FILE *out)
{
	char path[128];

	fprintf(out, "%-25s %-8s %-29s %s\n    %s\n", "KEY", "TYPE", "DEFAULT", "ALLOWED VALUES",
		"description");
	for (size_t i = 0; i < kp_keys_count; i++)
		print_row(out, kp_keys[i].path, &kp_keys[i]);
	for (size_t i = 0; i < kp_container_keys_count; i++) {
		snprintf(path, sizeof(path), "containers[].%s", kp_container_keys[i].path);
		print_row(out, path, &kp_container_keys[i]);
	}
}
