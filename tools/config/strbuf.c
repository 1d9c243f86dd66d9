#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static void grow(struct kp_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	char *p;

	if (need <= b->cap)
		return;
	if (need < 64)
		need = 64;
	if (need < b->cap * 2)
		need = b->cap * 2;
	p = realloc(b->data, need);
	if (!p)
		kp_out_of_memory();
	b->data = p;
	b->cap = need;
}

void kp_buf_add(struct kp_buf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kp_buf_puts(struct kp_buf *b, const char *s)
{
	kp_buf_add(b, s, strlen(s));
}

void kp_buf_printf(struct kp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		kp_out_of_memory();
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *kp_buf_str(const struct kp_buf *b)
{
	return b->data ? b->data : "";
}

void kp_buf_reset(struct kp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void kp_buf_free(struct kp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
