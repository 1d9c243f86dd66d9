/* The merged tree against the key table: typed parsers fill struct
 * kp_config (which holds the defaults already), then cross-field checks run
 * in one place. Every problem goes to the diagnostics with file:line:column
 * and the key path; all of them are reported, not just the first. */
#ifndef KP_CONFIG_VALIDATE_H
#define KP_CONFIG_VALIDATE_H

#include "diag.h"
#include "schema.h"
#include "yaml_tree.h"

struct kp_validate_opts {
	const char *containers_dir; /* holds <name>/recipe.yaml; "containers" if NULL */
};

/* cfg must come from kp_config_init(). Returns 0, or -EINVAL when d holds
 * errors (also errors reported before, e.g. while loading). Warnings alone
 * do not fail. */
int kp_validate(const struct kp_node *root, const struct kp_validate_opts *opts,
		struct kp_config *cfg, struct kp_diags *d);

/* The closest of candidates to word, if it is close enough to be a likely
 * typo; NULL otherwise. */
const char *kp_suggest(const char *word, const char *const *candidates, size_t n);

#endif
