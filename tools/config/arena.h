/* All nodes of the YAML trees live in one arena owned by the caller, so a
 * merged tree may point into several files' nodes and everything is freed
 * at once. Running out of memory is fatal here (like git's xmalloc): a
 * config tool that cannot allocate a few kilobytes cannot say anything
 * useful either. */
#ifndef KP_CONFIG_ARENA_H
#define KP_CONFIG_ARENA_H

#include <stddef.h>

struct kp_arena_block;

struct kp_arena {
	struct kp_arena_block *head;
};

/* Zeroed memory that lives until kp_arena_free(). */
void *kp_arena_alloc(struct kp_arena *a, size_t size);
char *kp_arena_strndup(struct kp_arena *a, const char *s, size_t n);
char *kp_arena_printf(struct kp_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kp_arena_free(struct kp_arena *a);

/* Abort with a message; used by the allocators of this tool. */
void kp_out_of_memory(void) __attribute__((noreturn));

#endif
