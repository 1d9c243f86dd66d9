/* JSON for image manifests and configs: one emitter that escapes every
 * string the same way (so digests are stable), and a small parser for
 * reading the manifests of an existing archive (`verify`). */
#ifndef KP_IMAGE_JSON_H
#define KP_IMAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A growable byte buffer; on allocation failure it remembers it and stays empty. */
struct jbuf {
	char *data;
	size_t len, cap;
	bool oom;
};

void jbuf_free(struct jbuf *b);
void jbuf_put(struct jbuf *b, const char *s, size_t n);
void jbuf_puts(struct jbuf *b, const char *s);

/* Emitter: tracks whether a comma is due, so callers only say what comes next.
 * Output is compact (no spaces), keys in the order the caller gives them. */
struct jw {
	struct jbuf out;
	int depth;
	bool need_comma[32];
};

void jw_begin_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_begin_array(struct jw *w);
void jw_end_array(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
/* Appends s as a JSON string literal (quotes, escapes) to b: the one escaping rule. */
void json_escape(struct jbuf *b, const char *s);

/* Parser: a read-only tree. */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;          /* J_STR; for members of an object, key holds the name */
	char *key;
	struct jval *kids;  /* J_ARR / J_OBJ */
	size_t nkids;
};

/* Parses text (len bytes) into *out; what names the document in messages. */
int json_parse(const char *text, size_t len, const char *what, struct jval *out, struct kp_error *err);
void json_free(struct jval *v);
/* Member of an object, or NULL. */
const struct jval *json_get(const struct jval *obj, const char *key);
/* String member or NULL. */
const char *json_get_str(const struct jval *obj, const char *key);

#endif
