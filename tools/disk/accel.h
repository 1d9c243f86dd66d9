/* KVM or TCG for the libguestfs appliance.
 *
 * On some hosts /dev/kvm exists but a guest never runs on it (KVM_RUN
 * hangs), and libguestfs then waits forever. "auto" honours an explicit
 * LIBGUESTFS_BACKEND_SETTINGS, otherwise probes KVM with deadlines: a
 * one-instruction guest on /dev/kvm, then QEMU booting a kernel on KVM
 * until it prints its first line; it falls back to TCG (force_tcg) unless
 * both work. The probe costs well under a second where KVM works and at
 * most the deadline where it does not. */
#ifndef KP_DISK_ACCEL_H
#define KP_DISK_ACCEL_H

#include <guestfs.h>

#include "error.h"

enum accel_mode {
	ACCEL_AUTO,
	ACCEL_KVM,
	ACCEL_TCG,
};

int accel_parse(const char *s, enum accel_mode *mode, struct kp_error *err);
/* 1 when a guest really runs on /dev/kvm within timeout_ms (per stage), else 0. */
int accel_kvm_works(int timeout_ms);
/* Configure g for mode (before launch). */
int accel_apply(guestfs_h *g, enum accel_mode mode, struct kp_error *err);
/* "kvm" or "tcg": what accel_apply chose for g. */
const char *accel_name(guestfs_h *g);

#endif
