/* The safety rules of pathsafe.h applied to the entries of a layer tar. */
#ifndef KP_IMAGE_TARCHECK_H
#define KP_IMAGE_TARCHECK_H

#include <archive.h>
#include <archive_entry.h>

#include "error.h"

/* what names the layer in messages ("layer top.tar"). */
int tar_entry_check(struct archive_entry *ae, const char *what, struct kp_error *err);
/* Reads every entry of the (uncompressed) layer tar at path. */
int tar_layer_check_file(const char *path, struct kp_error *err);

#endif
