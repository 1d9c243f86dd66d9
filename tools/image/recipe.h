/* containers/<name>/recipe.yaml: what an image holds and how it runs.
 * Parsed with libyaml through one table of keys (unknown keys are errors,
 * messages cite file:line:column). */
#ifndef KP_IMAGE_RECIPE_H
#define KP_IMAGE_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct strlist {
	char **v;
	size_t n;
};

struct recipe_file {
	char *src, *dest;
	unsigned mode;
};

struct healthcheck {
	bool set;
	struct strlist test;      /* ["CMD", ...] or ["CMD-SHELL", "..."] or ["NONE"] */
	long long interval_ns, timeout_ns, start_period_ns;
	long long retries;
};

struct recipe {
	char *path;
	char *suite, *variant, *base, *user, *workdir;
	struct strlist packages, env, entrypoint, cmd, ports, volumes, tags;
	struct strlist labels;    /* "key=value", sorted by key */
	struct recipe_file *files;
	size_t nfiles;
	struct healthcheck health;
};

int recipe_load(struct recipe *r, const char *path, struct kp_error *err);
void recipe_free(struct recipe *r);
/* Prints the recipe as tab-separated lines for the shell driver:
 * "suite\ttrixie", "package\tpostfix", "file\t0755\tsrc\tdest", ... */
void recipe_print_flat(const struct recipe *r);

/* "30s", "1m30s", "500ms", "2h", or a bare number of seconds -> nanoseconds. */
int recipe_parse_duration(const char *s, long long *ns);
/* "25", "25/tcp", "53/udp" -> "25/tcp" etc. in out. */
int recipe_parse_port(const char *s, char *out, size_t outlen);

#endif
