/* Error reporting shared by the tools.
 *
 * Library code never prints: a function that can fail returns a negative
 * errno and describes the failure in a caller-owned struct kp_error (what
 * failed, on what, and what to do). The tool prints it once, in main(). */
#ifndef KP_ERROR_H
#define KP_ERROR_H

#include <stddef.h>

struct kp_error {
	char msg[1024];
};

/* Format a message into err and return -errnum (errnum > 0), so that a
 * failing function can end with `return kp_fail(err, EINVAL, "...")`. */
int kp_fail(struct kp_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like kp_fail, but appends ": <strerror(errnum)>". */
int kp_fail_errno(struct kp_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "<prog>: error: <msg>" on stderr. */
void kp_error_print(const char *prog, const struct kp_error *err);

#endif
