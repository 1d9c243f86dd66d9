#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

static const struct {
	const char *id;
	const char *label;
	size_t hex_len;
} algs[] = {
	[KP_DIGEST_SHA1] = { "sha1", "SHA1", 40 },
	[KP_DIGEST_SHA256] = { "sha256", "SHA256", 64 },
	[KP_DIGEST_SHA512] = { "sha512", "SHA512", 128 },
};

static const EVP_MD *evp_for(enum kp_digest_alg alg)
{
	switch (alg) {
	case KP_DIGEST_SHA1: return EVP_sha1();
	case KP_DIGEST_SHA256: return EVP_sha256();
	case KP_DIGEST_SHA512: return EVP_sha512();
	}
	return NULL;
}

int kp_digest_alg_parse(const char *name, enum kp_digest_alg *alg, struct kp_error *err)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcasecmp(name, algs[i].id) == 0) {
			*alg = (enum kp_digest_alg)i;
			return 0;
		}
	}
	return kp_fail(err, EINVAL, "unknown digest '%s': use sha1, sha256 or sha512", name);
}

const char *kp_digest_alg_label(enum kp_digest_alg alg) { return algs[alg].label; }
const char *kp_digest_alg_id(enum kp_digest_alg alg) { return algs[alg].id; }
size_t kp_digest_hex_len(enum kp_digest_alg alg) { return algs[alg].hex_len; }

int kp_digest_init(struct kp_digest *d, enum kp_digest_alg alg, struct kp_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->md_ctx = NULL;
	d->alg = alg;
	if (!ctx)
		return kp_fail(err, ENOMEM, "cannot allocate a %s context", algs[alg].label);
	if (EVP_DigestInit_ex(ctx, evp_for(alg), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return kp_fail(err, EIO, "libcrypto refused to start a %s digest", algs[alg].label);
	}
	d->md_ctx = ctx;
	return 0;
}

int kp_digest_update(struct kp_digest *d, const void *buf, size_t len, struct kp_error *err)
{
	if (EVP_DigestUpdate(d->md_ctx, buf, len) != 1)
		return kp_fail(err, EIO, "libcrypto failed to hash %zu bytes", len);
	return 0;
}

int kp_digest_final(struct kp_digest *d, char hex[KP_DIGEST_HEX_MAX], struct kp_error *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(d->md_ctx, raw, &n);

	kp_digest_free(d);
	if (ok != 1)
		return kp_fail(err, EIO, "libcrypto failed to finish a %s digest", algs[d->alg].label);
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * n] = '\0';
	return 0;
}

void kp_digest_free(struct kp_digest *d)
{
	EVP_MD_CTX_free(d->md_ctx);
	d->md_ctx = NULL;
}

int kp_digest_buffer(enum kp_digest_alg alg, const void *buf, size_t len,
		     char hex[KP_DIGEST_HEX_MAX], struct kp_error *err)
{
	struct kp_digest d;
	int r = kp_digest_init(&d, alg, err);

	if (r < 0)
		return r;
	r = kp_digest_update(&d, buf, len, err);
	if (r < 0) {
		kp_digest_free(&d);
		return r;
	}
	return kp_digest_final(&d, hex, err);
}

int kp_digest_file(enum kp_digest_alg alg, const char *path,
		   char hex[KP_DIGEST_HEX_MAX], unsigned long long *size, struct kp_error *err)
{
	unsigned char buf[1 << 16];
	unsigned long long total = 0;
	struct kp_digest d;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kp_fail_errno(err, errno, "cannot open '%s' to hash it", path);
	r = kp_digest_init(&d, alg, err);
	if (r < 0)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = kp_fail_errno(err, errno, "cannot read '%s'", path);
			kp_digest_free(&d);
			goto out;
		}
		total += (unsigned long long)n;
		r = kp_digest_update(&d, buf, (size_t)n, err);
		if (r < 0) {
			kp_digest_free(&d);
			goto out;
		}
	}
	r = kp_digest_final(&d, hex, err);
	if (r == 0 && size)
		*size = total;
out:
	close(fd);
	return r;
}
