#include "merge.h"

#include <stdbool.h>

static void append_copy(struct kp_arena *a, struct kp_node *map, const struct kp_node *child)
{
	struct kp_node *copy = kp_arena_alloc(a, sizeof(*copy));

	*copy = *child;
	copy->next = NULL;
	if (map->last)
		map->last->next = copy;
	else
		map->first = copy;
	map->last = copy;
	map->count++;
}

void kp_merge(struct kp_arena *a, struct kp_node *base, const struct kp_node *over)
{
	for (const struct kp_node *c = over->first; c; c = c->next) {
		struct kp_node *old, *keep_next;

		if (!c->key || c->key->kind != KP_NODE_SCALAR)
			continue; /* already reported when loading */
		old = kp_node_get(base, c->key->value);
		if (!old) {
			append_copy(a, base, c);
		} else if (old->kind == KP_NODE_MAPPING && c->kind == KP_NODE_MAPPING) {
			kp_merge(a, old, c);
		} else if (old->kind == KP_NODE_MAPPING && kp_node_is_null(c)) {
			/* "vm:" with nothing under it in a profile changes nothing */
		} else {
			keep_next = old->next;
			*old = *c;
			old->next = keep_next;
		}
	}
}
