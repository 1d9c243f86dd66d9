#include "guest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int guest_create(guestfs_h **gp, enum accel_mode accel, struct kp_error *err)
{
	guestfs_h *g = guestfs_create();
	int r;

	*gp = NULL;
	if (!g)
		return kp_fail_errno(err, errno, "cannot create a libguestfs handle (is libguestfs0 installed and /var/tmp writable?)");
	/* We translate every error ourselves, once. */
	guestfs_set_error_handler(g, NULL, NULL);
	guestfs_set_program(g, "kopanion-disk");
	r = accel_apply(g, accel, err);
	if (r < 0) {
		guestfs_close(g);
		return r;
	}
	*gp = g;
	return 0;
}

int guest_fail(struct kp_error *err, guestfs_h *g, const char *step, const char *what,
	       const char *hint)
{
	const char *last = g ? guestfs_last_error(g) : NULL;

	return kp_fail(err, EIO, "%s: %s failed: %s%s%s", step, what,
		       last && *last ? last : "(libguestfs gave no reason)",
		       hint && *hint ? "; " : "", hint ? hint : "");
}

char *guest_sh(guestfs_h *g, const char *step, const char *cmd, int verbose,
	       const char *hint, struct kp_error *err)
{
	char what[512];
	char *out;

	if (verbose)
		fprintf(stderr, "disk: [%s] $ %s\n", step, cmd);
	out = guestfs_sh(g, cmd);
	if (!out) {
		snprintf(what, sizeof(what), "running '%.400s' in the target", cmd);
		guest_fail(err, g, step, what, hint);
		return NULL;
	}
	if (verbose && *out)
		fprintf(stderr, "%s%s", out, out[strlen(out) - 1] == '\n' ? "" : "\n");
	return out;
}

double guest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
