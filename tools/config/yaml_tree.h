/* libyaml events -> a small tree of nodes that remember where they were
 * written (file:line:column) and their key path ("vm.cpus",
 * "containers[0].name"). Loading rejects what this format does not use:
 * anchors, aliases, tags, several documents, duplicate keys. */
#ifndef KP_CONFIG_YAML_TREE_H
#define KP_CONFIG_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"

enum kp_node_kind {
	KP_NODE_INVALID, /* stands in for a rejected alias; already reported */
	KP_NODE_SCALAR,
	KP_NODE_SEQUENCE,
	KP_NODE_MAPPING,
};

struct kp_node {
	enum kp_node_kind kind;
	struct kp_mark mark;
	const char *path;    /* key path; "" for the top level */
	const char *value;   /* scalars: the text, NUL-terminated */
	size_t len;          /* scalars: length (differs from strlen if it holds a NUL) */
	bool plain;          /* scalars: written without quotes */
	struct kp_node *key; /* values in a mapping: their key (a scalar) */
	struct kp_node *first, *last, *next; /* children: items or mapping values */
	size_t count;
};

/* Parse buf (named file in messages) into *root, a mapping. Problems go to
 * d. Returns 0 when there is a tree (it may still hold reported errors such
 * as duplicate keys), -EINVAL when the text gives no usable tree. */
int kp_yaml_load_string(struct kp_arena *a, const char *file, const char *buf, size_t len,
			struct kp_node **root, struct kp_diags *d);
/* Same for a file on disk; -errno when it cannot be read. */
int kp_yaml_load_file(struct kp_arena *a, const char *file, struct kp_node **root,
		      struct kp_diags *d);

/* "a string", "a list", "a mapping" for messages. */
const char *kp_node_kind_name(const struct kp_node *n);
/* An empty plain value, "~" or "null". */
bool kp_node_is_null(const struct kp_node *n);
/* The value of key in a mapping, or NULL. */
struct kp_node *kp_node_get(const struct kp_node *map, const char *key);

#endif
