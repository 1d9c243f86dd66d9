/* Profiles over the base description: later files override earlier ones
 * key by key; mappings merge, everything else (values, lists) is replaced
 * whole. Nodes keep their own file:line:column, so an error in a value that
 * a profile gave points at the profile. */
#ifndef KP_CONFIG_MERGE_H
#define KP_CONFIG_MERGE_H

#include "arena.h"
#include "yaml_tree.h"

/* Both are mappings. base is changed in place; over is left as it was and
 * must stay alive (in the arena) as long as base is used. */
void kp_merge(struct kp_arena *a, struct kp_node *base, const struct kp_node *over);

#endif
