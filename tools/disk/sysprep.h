/* Identity per instance (COMPAT 18) and caches out of the image: empty
 * machine-id, no SSH host keys, no apt caches or lists, empty /tmp. */
#ifndef KP_DISK_SYSPREP_H
#define KP_DISK_SYSPREP_H

#include "disk.h"

int sysprep_run(struct disk_ctx *c, struct kp_error *err);

#endif
