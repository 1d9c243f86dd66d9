/* A growable NUL-terminated string (like git's strbuf). */
#ifndef KP_CONFIG_STRBUF_H
#define KP_CONFIG_STRBUF_H

#include <stddef.h>

struct kp_buf {
	char *data; /* NULL until something is added */
	size_t len;
	size_t cap;
};

void kp_buf_add(struct kp_buf *b, const char *s, size_t n);
void kp_buf_puts(struct kp_buf *b, const char *s);
void kp_buf_printf(struct kp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far, "" when empty. */
const char *kp_buf_str(const struct kp_buf *b);
void kp_buf_reset(struct kp_buf *b);
void kp_buf_free(struct kp_buf *b);

#endif
