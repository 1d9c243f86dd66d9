#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kp_arena_block {
	struct kp_arena_block *next;
	max_align_t data[];
};

void kp_out_of_memory(void)
{
	fputs("kopanion-config: error: out of memory\n", stderr);
	abort();
}

void *kp_arena_alloc(struct kp_arena *a, size_t size)
{
	struct kp_arena_block *b = calloc(1, sizeof(*b) + size);

	if (!b)
		kp_out_of_memory();
	b->next = a->head;
	a->head = b;
	return b->data;
}

char *kp_arena_strndup(struct kp_arena *a, const char *s, size_t n)
{
	char *p = kp_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kp_arena_printf(struct kp_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		kp_out_of_memory();
	p = kp_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void kp_arena_free(struct kp_arena *a)
{
	while (a->head) {
		struct kp_arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
