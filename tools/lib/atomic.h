/* Write a file under a temporary name and give it its final name only
 * when it is complete, so that no half-written artifact ever carries the
 * name a user or the next stage looks for. */
#ifndef KP_ATOMIC_H
#define KP_ATOMIC_H

#include <limits.h>

#include "error.h"

struct kp_atomic_file {
	char final_path[PATH_MAX];
	char tmp_path[PATH_MAX];
	int fd;
};

/* Creates "<dir>/.<name>.XXXXXX" beside path, mode 0644; f->fd is open for writing. */
int kp_atomic_open(struct kp_atomic_file *f, const char *path, struct kp_error *err);
/* fsync, close and rename onto the final path. On failure the temporary is removed. */
int kp_atomic_commit(struct kp_atomic_file *f, struct kp_error *err);
/* Close and remove the temporary (safe to call after commit or on a zeroed struct with fd -1). */
void kp_atomic_abort(struct kp_atomic_file *f);
/* Write all of buf to f->fd. */
int kp_atomic_write(struct kp_atomic_file *f, const void *buf, size_t len, struct kp_error *err);

#endif
