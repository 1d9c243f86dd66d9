/* `kopanion-disk inspect`: reads a disk read-only and prints what the
 * tests and the build report check, as key=value lines. */
#ifndef KP_DISK_INSPECT_H
#define KP_DISK_INSPECT_H

#include <stdio.h>

#include "accel.h"
#include "error.h"

int inspect_disk(const char *path, enum accel_mode accel, FILE *out, struct kp_error *err);

/* "live-boot live-config": installed live-* packages in a dpkg status file
 * text (exposed for the unit test). */
void inspect_live_packages(const char *status, char *buf, size_t len);
/* The arguments of the first `linux` line of a grub.cfg, or "". */
void inspect_kernel_cmdline(char *const *lines, char *buf, size_t len);

#endif
