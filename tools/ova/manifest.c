#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t kp_manifest_format_line(enum kp_digest_alg alg, const char *name, const char *hex,
			       char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s(%s)= %s\n", kp_digest_alg_label(alg), name, hex);
	return n < 0 ? 0 : (size_t)n;
}

int kp_manifest_append(struct kp_manifest *m, enum kp_digest_alg alg, const char *name,
		       const char *hex, struct kp_error *err)
{
	size_t n = kp_manifest_format_line(alg, name, hex, NULL, 0);
	char *nt = realloc(m->text, m->len + n + 1);

	if (!nt)
		return kp_fail(err, ENOMEM, "out of memory while writing the manifest");
	m->text = nt;
	kp_manifest_format_line(alg, name, hex, m->text + m->len, n + 1);
	m->len += n;
	return 0;
}

void kp_manifest_free(struct kp_manifest *m)
{
	free(m->text);
	m->text = NULL;
	m->len = 0;
}

static int parse_line(const char *s, size_t n, size_t lineno, struct kp_manifest_entry *e,
		      struct kp_error *err)
{
	static const enum kp_digest_alg algs[] = { KP_DIGEST_SHA1, KP_DIGEST_SHA256, KP_DIGEST_SHA512 };
	const char *open = memchr(s, '(', n);
	const char *close;
	size_t label_len, name_len, hex_len;
	int found = 0;

	if (!open)
		return kp_fail(err, EINVAL, "manifest line %zu is not of the form 'SHA256(name)= digest'", lineno);
	label_len = (size_t)(open - s);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const char *label = kp_digest_alg_label(algs[i]);
		if (strlen(label) == label_len && memcmp(label, s, label_len) == 0) {
			e->alg = algs[i];
			found = 1;
		}
	}
	if (!found)
		return kp_fail(err, EINVAL, "manifest line %zu names the digest '%.*s': only SHA1, SHA256 and SHA512 (in capitals) are known",
			       lineno, (int)label_len, s);
	close = NULL;
	for (const char *p = s + n - 1; p > open; p--) {
		if (*p == ')') {
			close = p;
			break;
		}
	}
	if (!close || (size_t)(s + n - close) < 3 || close[1] != '=' || close[2] != ' ')
		return kp_fail(err, EINVAL, "manifest line %zu: expected ')= ' (close bracket, equals sign, one space) after the member name", lineno);
	name_len = (size_t)(close - open - 1);
	if (name_len == 0 || name_len >= sizeof(e->name))
		return kp_fail(err, EINVAL, "manifest line %zu: member name is empty or too long", lineno);
	memcpy(e->name, open + 1, name_len);
	e->name[name_len] = '\0';
	hex_len = (size_t)(s + n - (close + 3));
	if (hex_len != kp_digest_hex_len(e->alg))
		return kp_fail(err, EINVAL, "manifest line %zu: a %s digest has %zu hex digits, this one has %zu",
			       lineno, kp_digest_alg_label(e->alg), kp_digest_hex_len(e->alg), hex_len);
	for (size_t i = 0; i < hex_len; i++) {
		char c = close[3 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return kp_fail(err, EINVAL, "manifest line %zu: the digest must be lowercase hex (found '%c')", lineno, c);
	}
	memcpy(e->hex, close + 3, hex_len);
	e->hex[hex_len] = '\0';
	e->line = lineno;
	return 0;
}

int kp_manifest_parse(const char *text, size_t len, struct kp_manifest_entry **entries,
		      size_t *count, struct kp_error *err)
{
	struct kp_manifest_entry *v = NULL;
	size_t n = 0, lineno = 0, pos = 0;
	int r = 0;

	*entries = NULL;
	*count = 0;
	if (len == 0)
		return kp_fail(err, EINVAL, "the manifest is empty");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll;
		struct kp_manifest_entry *nv;

		lineno++;
		if (!nl) {
			r = kp_fail(err, EINVAL, "manifest line %zu does not end with a line feed", lineno);
			goto fail;
		}
		ll = (size_t)(nl - (text + pos));
		if (memchr(text + pos, '\r', ll)) {
			r = kp_fail(err, EINVAL, "manifest line %zu ends with CR LF: lines must end with LF only", lineno);
			goto fail;
		}
		if (ll == 0) {
			r = kp_fail(err, EINVAL, "manifest line %zu is empty", lineno);
			goto fail;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = kp_fail(err, ENOMEM, "out of memory while reading the manifest");
			goto fail;
		}
		v = nv;
		r = parse_line(text + pos, ll, lineno, &v[n], err);
		if (r < 0)
			goto fail;
		if (n > 0 && v[n].alg != v[0].alg) {
			r = kp_fail(err, EINVAL, "manifest line %zu uses %s but line 1 uses %s: use one digest throughout",
				    lineno, kp_digest_alg_label(v[n].alg), kp_digest_alg_label(v[0].alg));
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].name, v[n].name) == 0) {
				r = kp_fail(err, EINVAL, "manifest lines %zu and %zu both list '%s'", v[i].line, lineno, v[n].name);
				goto fail;
			}
		}
		n++;
		pos += ll + 1;
	}
	*entries = v;
	*count = n;
	return 0;
fail:
	free(v);
	return r;
}
