/* `verify`: read an OVA the way importers do and list everything that
 * breaks a COMPAT rule (1-7): member order, names and tar dialect, sizes,
 * manifest format and digests, namespaces, disk capacities against the
 * VMDK headers, and the VMDK header itself. */
#ifndef KP_OVA_VERIFY_H
#define KP_OVA_VERIFY_H

#include <stddef.h>

#include "error.h"

/* Called once per problem with a sentence meant for the user. */
typedef void (*kp_ova_report_fn)(void *ctx, const char *problem);

/* Returns the number of problems found (0: summary holds a one-line OK),
 * or a negative errno when the file cannot be read at all. */
int kp_ova_verify(const char *path, kp_ova_report_fn report, void *ctx,
		  char *summary, size_t summary_size, struct kp_error *err);

#endif
