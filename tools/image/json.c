#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jbuf_free(struct jbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void jbuf_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void jbuf_puts(struct jbuf *b, const char *s)
{
	jbuf_put(b, s, strlen(s));
}

/* RFC 8259: quote, backslash and control characters must be escaped; we
 * also escape <, > and & as \u003c etc. like Go's encoding/json, so our
 * bytes match what Docker itself writes for the same strings. */
void json_escape(struct jbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[8];

	jbuf_put(b, "\"", 1);
	for (; *p; p++) {
		switch (*p) {
		case '"': jbuf_put(b, "\\\"", 2); break;
		case '\\': jbuf_put(b, "\\\\", 2); break;
		case '\n': jbuf_put(b, "\\n", 2); break;
		case '\r': jbuf_put(b, "\\r", 2); break;
		case '\t': jbuf_put(b, "\\t", 2); break;
		default:
			if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
				snprintf(hex, sizeof(hex), "\\u%04x", *p);
				jbuf_put(b, hex, 6);
			} else {
				jbuf_put(b, (const char *)p, 1);
			}
		}
	}
	jbuf_put(b, "\"", 1);
}

static void jw_sep(struct jw *w)
{
	if (w->depth > 0 && w->need_comma[w->depth])
		jbuf_put(&w->out, ",", 1);
	if (w->depth > 0)
		w->need_comma[w->depth] = true;
}

static void jw_open(struct jw *w, const char *c)
{
	jw_sep(w);
	jbuf_put(&w->out, c, 1);
	if (w->depth + 1 < (int)(sizeof(w->need_comma) / sizeof(w->need_comma[0])))
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, const char *c)
{
	jbuf_put(&w->out, c, 1);
	if (w->depth > 0)
		w->depth--;
}

void jw_begin_object(struct jw *w) { jw_open(w, "{"); }
void jw_end_object(struct jw *w) { jw_close(w, "}"); }
void jw_begin_array(struct jw *w) { jw_open(w, "["); }
void jw_end_array(struct jw *w) { jw_close(w, "]"); }

void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	json_escape(&w->out, key);
	jbuf_put(&w->out, ":", 1);
	/* the value that follows belongs to this key: no comma before it */
	w->need_comma[w->depth] = false;
}

static void jw_after_value(struct jw *w)
{
	if (w->depth > 0)
		w->need_comma[w->depth] = true;
}

void jw_string(struct jw *w, const char *s)
{
	jw_sep(w);
	json_escape(&w->out, s);
	jw_after_value(w);
}

void jw_int(struct jw *w, long long v)
{
	char num[32];

	jw_sep(w);
	snprintf(num, sizeof(num), "%lld", v);
	jbuf_puts(&w->out, num);
	jw_after_value(w);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	jbuf_puts(&w->out, v ? "true" : "false");
	jw_after_value(w);
}

/* ---- parser ---- */

struct jparser {
	const char *p, *end, *start, *what;
	struct kp_error *err;
	int depth;
};

static int jp_fail(struct jparser *jp, const char *why)
{
	return kp_fail(jp->err, EINVAL, "%s is not valid JSON at byte %zu: %s",
		       jp->what, (size_t)(jp->p - jp->start), why);
}

static void jp_ws(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static void put_utf8(struct jbuf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		jbuf_put(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		jbuf_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		jbuf_put(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		jbuf_put(b, u, 4);
	}
}

static int jp_hex4(struct jparser *jp, unsigned *cp)
{
	unsigned v = 0;

	if (jp->end - jp->p < 4)
		return jp_fail(jp, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *jp->p++;
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return jp_fail(jp, "bad \\u escape");
	}
	*cp = v;
	return 0;
}

static int jp_string(struct jparser *jp, char **out)
{
	struct jbuf b = {0};
	int r;

	jp->p++; /* opening quote */
	while (jp->p < jp->end && *jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;
		if (c < 0x20) {
			jbuf_free(&b);
			return jp_fail(jp, "control character in a string");
		}
		if (c != '\\') {
			jbuf_put(&b, jp->p++, 1);
			continue;
		}
		jp->p++;
		if (jp->p >= jp->end)
			break;
		c = (unsigned char)*jp->p++;
		switch (c) {
		case '"': jbuf_put(&b, "\"", 1); break;
		case '\\': jbuf_put(&b, "\\", 1); break;
		case '/': jbuf_put(&b, "/", 1); break;
		case 'b': jbuf_put(&b, "\b", 1); break;
		case 'f': jbuf_put(&b, "\f", 1); break;
		case 'n': jbuf_put(&b, "\n", 1); break;
		case 'r': jbuf_put(&b, "\r", 1); break;
		case 't': jbuf_put(&b, "\t", 1); break;
		case 'u': {
			unsigned cp, lo;
			if ((r = jp_hex4(jp, &cp)) < 0) {
				jbuf_free(&b);
				return r;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && jp->end - jp->p >= 6 && jp->p[0] == '\\' && jp->p[1] == 'u') {
				jp->p += 2;
				if ((r = jp_hex4(jp, &lo)) < 0) {
					jbuf_free(&b);
					return r;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(&b, cp);
			break;
		}
		default:
			jbuf_free(&b);
			return jp_fail(jp, "unknown escape");
		}
	}
	if (jp->p >= jp->end) {
		jbuf_free(&b);
		return jp_fail(jp, "unterminated string");
	}
	jp->p++;
	if (b.oom) {
		jbuf_free(&b);
		return kp_fail(jp->err, ENOMEM, "out of memory reading %s", jp->what);
	}
	*out = b.data ? b.data : strdup("");
	return *out ? 0 : kp_fail(jp->err, ENOMEM, "out of memory reading %s", jp->what);
}

static int jp_value(struct jparser *jp, struct jval *v);

static int jp_push(struct jparser *jp, struct jval *v, struct jval **kid)
{
	struct jval *k = realloc(v->kids, (v->nkids + 1) * sizeof(*k));
	if (!k)
		return kp_fail(jp->err, ENOMEM, "out of memory reading %s", jp->what);
	v->kids = k;
	*kid = &k[v->nkids++];
	memset(*kid, 0, sizeof(**kid));
	return 0;
}

static int jp_container(struct jparser *jp, struct jval *v, bool object)
{
	char close = object ? '}' : ']';
	int r;

	v->type = object ? J_OBJ : J_ARR;
	if (++jp->depth > 64)
		return jp_fail(jp, "nested too deeply");
	jp->p++;
	jp_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		jp->depth--;
		return 0;
	}
	for (;;) {
		struct jval *kid = NULL;
		char *key = NULL;

		jp_ws(jp);
		if (object) {
			if (jp->p >= jp->end || *jp->p != '"')
				return jp_fail(jp, "expected a member name");
			if ((r = jp_string(jp, &key)) < 0)
				return r;
			jp_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(key);
				return jp_fail(jp, "expected ':'");
			}
			jp->p++;
		}
		if ((r = jp_push(jp, v, &kid)) < 0) {
			free(key);
			return r;
		}
		kid->key = key;
		if ((r = jp_value(jp, kid)) < 0)
			return r;
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			jp->depth--;
			return 0;
		}
		return jp_fail(jp, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jp_literal(struct jparser *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return jp_fail(jp, "unexpected character");
	jp->p += n;
	return 0;
}

static int jp_value(struct jparser *jp, struct jval *v)
{
	char *endp;

	jp_ws(jp);
	if (jp->p >= jp->end)
		return jp_fail(jp, "unexpected end");
	switch (*jp->p) {
	case '{': return jp_container(jp, v, true);
	case '[': return jp_container(jp, v, false);
	case '"': v->type = J_STR; return jp_string(jp, &v->str);
	case 't': v->type = J_BOOL; v->b = true; return jp_literal(jp, "true");
	case 'f': v->type = J_BOOL; v->b = false; return jp_literal(jp, "false");
	case 'n': v->type = J_NULL; return jp_literal(jp, "null");
	default: {
		/* strtod needs a terminated string: copy the number's bytes */
		char num[64];
		size_t n = 0;
		while (jp->p + n < jp->end && n < sizeof(num) - 1 && strchr("+-0123456789.eE", jp->p[n]))
			n++;
		if (n == 0)
			return jp_fail(jp, "unexpected character");
		memcpy(num, jp->p, n);
		num[n] = '\0';
		v->type = J_NUM;
		v->num = strtod(num, &endp);
		if (*endp)
			return jp_fail(jp, "bad number");
		jp->p += n;
		return 0;
	}
	}
}

int json_parse(const char *text, size_t len, const char *what, struct jval *out, struct kp_error *err)
{
	struct jparser jp = { .p = text, .end = text + len, .start = text, .what = what, .err = err };
	int r;

	memset(out, 0, sizeof(*out));
	r = jp_value(&jp, out);
	if (r == 0) {
		jp_ws(&jp);
		if (jp.p != jp.end)
			r = jp_fail(&jp, "trailing bytes after the document");
	}
	if (r < 0)
		json_free(out);
	return r;
}

void json_free(struct jval *v)
{
	for (size_t i = 0; i < v->nkids; i++)
		json_free(&v->kids[i]);
	free(v->kids);
	free(v->str);
	free(v->key);
	memset(v, 0, sizeof(*v));
}

const struct jval *json_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->nkids; i++)
		if (strcmp(obj->kids[i].key, key) == 0)
			return &obj->kids[i];
	return NULL;
}

const char *json_get_str(const struct jval *obj, const char *key)
{
	const struct jval *v = json_get(obj, key);
	return v && v->type == J_STR ? v->str : NULL;
}
