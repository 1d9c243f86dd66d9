#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void format_into(struct kp_error *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int kp_fail(struct kp_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_into(err, fmt, ap);
	va_end(ap);
	return errnum > 0 ? -errnum : errnum;
}

int kp_fail_errno(struct kp_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	format_into(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum > 0 ? errnum : -errnum));
	return errnum > 0 ? -errnum : errnum;
}

void kp_error_print(const char *prog, const struct kp_error *err)
{
	fprintf(stderr, "%s: error: %s\n", prog, err->msg[0] ? err->msg : "unknown failure");
}
