/* Message digests (SHA-1, SHA-256, SHA-512) from OpenSSL's libcrypto,
 * as lowercase hex. Used for OVF manifests, OCI blobs and SHA256SUMS. */
#ifndef KP_DIGEST_H
#define KP_DIGEST_H

#include <stddef.h>

#include "error.h"

enum kp_digest_alg {
	KP_DIGEST_SHA1,
	KP_DIGEST_SHA256,
	KP_DIGEST_SHA512,
};

/* Longest hex digest (SHA-512) plus NUL. */
#define KP_DIGEST_HEX_MAX 129

struct kp_digest {
	void *md_ctx; /* EVP_MD_CTX, opaque here to keep OpenSSL out of headers */
	enum kp_digest_alg alg;
};

/* "sha1", "sha256", "sha512" (case-insensitive) -> alg. */
int kp_digest_alg_parse(const char *name, enum kp_digest_alg *alg, struct kp_error *err);
/* "SHA1", "SHA256", "SHA512": the spelling used in OVF manifests. */
const char *kp_digest_alg_label(enum kp_digest_alg alg);
/* "sha256" etc.: the spelling used in OCI digests. */
const char *kp_digest_alg_id(enum kp_digest_alg alg);
size_t kp_digest_hex_len(enum kp_digest_alg alg);

int kp_digest_init(struct kp_digest *d, enum kp_digest_alg alg, struct kp_error *err);
int kp_digest_update(struct kp_digest *d, const void *buf, size_t len, struct kp_error *err);
/* Writes the hex digest into hex (KP_DIGEST_HEX_MAX bytes) and frees d. */
int kp_digest_final(struct kp_digest *d, char hex[KP_DIGEST_HEX_MAX], struct kp_error *err);
/* Frees d without a result (safe on a zeroed or finalised struct). */
void kp_digest_free(struct kp_digest *d);

int kp_digest_buffer(enum kp_digest_alg alg, const void *buf, size_t len,
		     char hex[KP_DIGEST_HEX_MAX], struct kp_error *err);
/* Digest of a whole file; also reports its length if size != NULL. */
int kp_digest_file(enum kp_digest_alg alg, const char *path,
		   char hex[KP_DIGEST_HEX_MAX], unsigned long long *size, struct kp_error *err);

#endif
