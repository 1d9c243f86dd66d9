/* Diagnostics collected while reading a configuration, so that a user sees
 * every problem of a file at once instead of one per run. Each is a finished
 * line "file:line:column: message" (warnings say "warning:" after the
 * position); the tool prints them once, in main(). */
#ifndef KP_CONFIG_DIAG_H
#define KP_CONFIG_DIAG_H

#include <stdio.h>

/* A position in a source file, 1-based as editors show it. */
struct kp_mark {
	const char *file;
	unsigned long line;
	unsigned long col;
};

enum kp_severity {
	KP_WARNING,
	KP_ERROR,
};

struct kp_diag {
	enum kp_severity severity;
	char *text;
};

struct kp_diags {
	struct kp_diag *items;
	size_t n;
	size_t cap;
	size_t errors;
	size_t warnings;
};

void kp_diag_at(struct kp_diags *d, enum kp_severity severity, const struct kp_mark *mark,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* For problems of a whole file that has no position (cannot read it). */
void kp_diag_file(struct kp_diags *d, enum kp_severity severity, const char *file,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void kp_diags_print(const struct kp_diags *d, FILE *out);
void kp_diags_free(struct kp_diags *d);

#endif
