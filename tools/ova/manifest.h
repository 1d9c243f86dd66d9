/* The OVF manifest (.mf): one line `SHA256(name)= <lowercase hex>` per
 * other member, LF-terminated, none for the manifest itself. Written here
 * from digests we computed, and parsed strictly for `verify`. */
#ifndef KP_OVA_MANIFEST_H
#define KP_OVA_MANIFEST_H

#include <stddef.h>

#include "digest.h"
#include "error.h"

#define KP_MANIFEST_NAME_MAX 256

struct kp_manifest {
	char *text;
	size_t len;
};

struct kp_manifest_entry {
	enum kp_digest_alg alg;
	char name[KP_MANIFEST_NAME_MAX];
	char hex[KP_DIGEST_HEX_MAX];
	size_t line;
};

/* Formats one line into out (like snprintf: returns the full length). */
size_t kp_manifest_format_line(enum kp_digest_alg alg, const char *name, const char *hex,
			       char *out, size_t out_size);
int kp_manifest_append(struct kp_manifest *m, enum kp_digest_alg alg, const char *name,
		       const char *hex, struct kp_error *err);
void kp_manifest_free(struct kp_manifest *m);

/* Parse text strictly; on success *entries (free()) holds *count lines, all
 * with one algorithm. On the first malformed line returns -EINVAL and err
 * names the line and what is wrong with it. */
int kp_manifest_parse(const char *text, size_t len, struct kp_manifest_entry **entries,
		      size_t *count, struct kp_error *err);

#endif
