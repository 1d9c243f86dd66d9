/* Copying the host root tree into the mounted target.
 *
 * The host's tar streams the tree (numeric owners, xattrs incl. file
 * capabilities, ACLs, hard links, sparse files; uncompressed, because
 * decompressing under TCG costs more than it saves) through a pipe into
 * guestfs_tar_in, so no temporary archive is written. */
#ifndef KP_DISK_COPY_H
#define KP_DISK_COPY_H

#include <guestfs.h>
#include <stdint.h>

#include "error.h"

/* Never copied: kernel filesystems, runtime state and the apt download cache. */
extern const char *const copy_excludes[];

/* Space the tree will take in the target, in bytes (files, directories). */
int copy_estimate(const char *root, uint64_t *bytes, struct kp_error *err);
/* Check that bytes (+ room for the initramfs and GRUB) fit in avail bytes. */
int copy_check_fits(const char *root, uint64_t bytes, uint64_t avail, uint64_t disk_mib,
		    struct kp_error *err);
/* Stream root into the guest's "/" (the mounted target). */
int copy_tree(guestfs_h *g, const char *root, uint64_t disk_mib, struct kp_error *err);

#endif
