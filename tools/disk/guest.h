/* Small helpers around the libguestfs handle: creating it quietly and
 * translating its errors into ours. */
#ifndef KP_DISK_GUEST_H
#define KP_DISK_GUEST_H

#include <guestfs.h>

#include "accel.h"
#include "error.h"

/* A handle with libguestfs' own error printing turned off and the
 * accelerator chosen; the caller adds drives and launches. */
int guest_create(guestfs_h **gp, enum accel_mode accel, struct kp_error *err);

/* "<step>: <what> failed: <libguestfs' last error>; <hint>" and -EIO. */
int guest_fail(struct kp_error *err, guestfs_h *g, const char *step, const char *what,
	       const char *hint);

/* Run a shell command chrooted in the target (/sysroot, with /dev, /proc and
 * /sys bound in by the daemon). Returns its stdout (free it) or NULL with err set. */
char *guest_sh(guestfs_h *g, const char *step, const char *cmd, int verbose,
	       const char *hint, struct kp_error *err);

/* Monotonic seconds, for step timings. */
double guest_now(void);

#endif
