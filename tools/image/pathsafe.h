/* What may stand in a layer: the checks every entry passes before it is
 * written into, or accepted from, an image. Each returns 0 or a negative
 * errno with a message naming the entry and what to do. */
#ifndef KP_IMAGE_PATHSAFE_H
#define KP_IMAGE_PATHSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *s, size_t len);

/* A pointer into name past any leading "./" (GNU tar writes entries so). */
const char *path_strip_dot(const char *name);

/* An entry name: relative, no "..", not empty, valid UTF-8 (shown as \xNN
 * escapes in the message when it is not). */
int path_check_name(const char *name, struct kp_error *err);

/* Does `target`, the target of a symlink at `linkpath` (both relative to the
 * image root), stay inside the root when resolved lexically? Absolute targets
 * are resolved from the root, as they are inside the container. */
int path_check_symlink(const char *linkpath, const char *target, struct kp_error *err);

/* A hardlink's target is another entry of the same image: relative, no "..". */
int path_check_hardlink(const char *linkpath, const char *target, struct kp_error *err);

#endif
