/* A minimal TAP producer for the C unit tests, read by prove(1).
 * Header-only so each test program stays a single file. */
#ifndef KP_TAP_H
#define KP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct tap {
	int run;
	int failed;
};

static struct tap tap_state;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_state.run++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_state.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_state.failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                     \
	do {                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);           \
		if (!ok(g_ == w_, __VA_ARGS__))                                    \
			printf("#   got %lld, want %lld\n", g_, w_);               \
	} while (0)

#define is_str(got, want, ...)                                                     \
	do {                                                                       \
		const char *g_ = (got), *w_ = (want);                              \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))             \
			printf("#   got '%s'\n#  want '%s'\n", g_ ? g_ : "(null)",  \
			       w_ ? w_ : "(null)");                                \
	} while (0)

#define like_str(got, needle, ...)                                                 \
	do {                                                                       \
		const char *g_ = (got), *n_ = (needle);                            \
		if (!ok(g_ && strstr(g_, n_), __VA_ARGS__))                        \
			printf("#   '%s'\n#   does not contain '%s'\n",             \
			       g_ ? g_ : "(null)", n_);                            \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_state.run);
	return tap_state.failed ? 1 : 0;
}

#endif
