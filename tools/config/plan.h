/* The build plan: the validated configuration as a file that build.sh
 * sources. One KEY='value' per line in a fixed order, every value in single
 * quotes (a ' inside becomes '\''), so no value can run a command. */
#ifndef KP_CONFIG_PLAN_H
#define KP_CONFIG_PLAN_H

#include "error.h"
#include "schema.h"
#include "strbuf.h"

#define KP_CONFIG_TOOL_VERSION "0.1.0"

/* Append value in single quotes. -EINVAL for a newline (or NUL-free text
 * with other control characters): the plan holds one value per line. */
int kp_shell_quote(struct kp_buf *out, const char *value, struct kp_error *err);

/* Render the whole plan into out. */
int kp_plan_render(const struct kp_config *cfg, struct kp_buf *out, struct kp_error *err);

/* Write the plan to path atomically (never half-written), or to stdout when
 * path is NULL. */
int kp_plan_write(const char *path, const struct kp_buf *plan, struct kp_error *err);

#endif
