/* The configuration as a table (like systemd's ConfigTableItem or mkosi's
 * settings): every key, its type, the struct field it fills, its default,
 * its range or allowed values and a one-line description. The same table
 * drives parsing, validation, defaults and `kopanion-config keys`. */
#ifndef KP_CONFIG_SCHEMA_H
#define KP_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum kp_type {
	KP_TYPE_STRING,      /* char *, checked by kp_key.check */
	KP_TYPE_INT,         /* long long in [min, max] */
	KP_TYPE_DECIMAL,     /* struct kp_decimal in [min, max] */
	KP_TYPE_BOOL,        /* bool */
	KP_TYPE_ENUM,        /* char *, one of kp_key.allowed */
	KP_TYPE_FILE,        /* char *, absolute path of an existing file, "" if none */
	KP_TYPE_STRING_LIST, /* struct kp_strv, each item checked by kp_key.check */
	KP_TYPE_ENUM_LIST,   /* struct kp_strv, items from kp_key.allowed */
	KP_TYPE_CONTAINERS,  /* struct kp_containers */
};

struct kp_strv {
	char **v;
	size_t n;
};

struct kp_decimal {
	char *text;    /* as written, e.g. "12.5" */
	uint64_t nano; /* value * 10^9 */
};

struct kp_containers {
	struct kp_strv names;    /* recipe folders under --containers-dir */
	struct kp_strv archives; /* absolute paths of image tarballs */
};

struct kp_config {
	char *name;
	char *version;
	char *suite;
	char *mirror;
	struct kp_strv packages;
	long long cpus;
	long long memory_gib;
	long long system_gib;
	struct kp_decimal planned_data_gib;
	struct kp_strv artifacts;
	char *iso_compression;
	char *qcow2_compat;
	bool qcow2_compress;
	char *ova_hardware;
	char *ova_digest;
	char *ova_firmware;
	char *ova_disk_controller;
	char *ova_nic;
	char *ova_product;
	char *ova_vendor;
	char *ova_url;
	char *ova_eula;
	char *ova_profile;
	struct kp_containers containers;
	struct kp_strv files; /* the YAML files read, absolute */
};

#define KP_KEY_REQUIRED 0x1u
#define KP_KEY_NONEMPTY 0x2u /* lists */
#define KP_KEY_UNIQUE   0x4u /* lists */
/* Default "" (unset): the OVA target profile (ova.profile) decides; a value
 * given in the YAML overrides the profile's. */
#define KP_KEY_FROM_PROFILE 0x8u

struct kp_key {
	const char *path;
	enum kp_type type;
	size_t offset; /* of the field in struct kp_config */
	const char *def; /* default as text; lists: items separated by spaces */
	const char *const *allowed; /* enums: NULL-terminated */
	long long min, max;         /* numbers */
	bool (*check)(const char *value); /* strings and string lists */
	const char *syntax;         /* what check accepts, for people */
	unsigned flags;
	const char *help;
};

/* The seed's minimum machine (DESIGN.md): below it is a warning, not an error. */
#define KP_SEED_MIN_CPUS 8
#define KP_SEED_MIN_MEMORY_GIB 64

#define KP_ARCH "amd64"

extern const struct kp_key kp_keys[];
extern const size_t kp_keys_count;
/* Keys of one item of the containers list. */
extern const struct kp_key kp_container_keys[];
extern const size_t kp_container_keys_count;

const struct kp_key *kp_key_find(const char *path);
/* True if path is a section (a mapping of keys), like "vm". */
bool kp_schema_is_section(const char *path);
/* What a value of this key looks like: "an integer from 1 to 256". */
void kp_key_describe(const struct kp_key *key, char *out, size_t size);

/* Fill every field with its default (strings are allocated). */
void kp_config_init(struct kp_config *cfg);
void kp_config_free(struct kp_config *cfg);
void kp_strv_free(struct kp_strv *v);
void kp_strv_push(struct kp_strv *v, const char *s);
bool kp_strv_contains(const struct kp_strv *v, const char *s);

/* The table of keys, for `kopanion-config keys`. */
void kp_schema_print_keys(FILE *out);

/* Syntax checks used by the table (exported for the unit tests). */
bool kp_check_name(const char *s);
bool kp_check_version(const char *s);
bool kp_check_url(const char *s);
bool kp_check_package(const char *s);
bool kp_check_vmx(const char *s);

#endif
