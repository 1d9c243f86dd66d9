#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kp_atomic_open(struct kp_atomic_file *f, const char *path, struct kp_error *err)
{
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path) + 1 : 0;
	const char *base = slash ? slash + 1 : path;
	int n;

	f->fd = -1;
	f->tmp_path[0] = '\0';
	if (strlen(path) >= sizeof(f->final_path))
		return kp_fail(err, ENAMETOOLONG, "output path '%s' is too long", path);
	strcpy(f->final_path, path);
	n = snprintf(f->tmp_path, sizeof(f->tmp_path), "%.*s.%s.XXXXXX", dir_len, path, base);
	if (n < 0 || (size_t)n >= sizeof(f->tmp_path))
		return kp_fail(err, ENAMETOOLONG, "output path '%s' is too long", path);
	f->fd = mkostemp(f->tmp_path, O_CLOEXEC);
	if (f->fd < 0) {
		f->tmp_path[0] = '\0';
		return kp_fail_errno(err, errno, "cannot create a temporary file beside '%s' (is the directory there and writable?)", path);
	}
	if (fchmod(f->fd, 0644) < 0) {
		int e = errno;
		kp_atomic_abort(f);
		return kp_fail_errno(err, e, "cannot set the mode of '%s'", path);
	}
	return 0;
}

int kp_atomic_write(struct kp_atomic_file *f, const void *buf, size_t len, struct kp_error *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return kp_fail_errno(err, errno, "cannot write '%s'", f->final_path);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kp_atomic_commit(struct kp_atomic_file *f, struct kp_error *err)
{
	int e;

	if (fsync(f->fd) < 0 && errno != EINVAL) {
		e = errno;
		kp_atomic_abort(f);
		return kp_fail_errno(err, e, "cannot flush '%s' to disk", f->final_path);
	}
	if (close(f->fd) < 0) {
		e = errno;
		f->fd = -1;
		kp_atomic_abort(f);
		return kp_fail_errno(err, e, "cannot close '%s'", f->final_path);
	}
	f->fd = -1;
	if (rename(f->tmp_path, f->final_path) < 0) {
		e = errno;
		kp_atomic_abort(f);
		return kp_fail_errno(err, e, "cannot move the finished file to '%s'", f->final_path);
	}
	f->tmp_path[0] = '\0';
	return 0;
}

void kp_atomic_abort(struct kp_atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp_path[0])
		unlink(f->tmp_path);
	f->tmp_path[0] = '\0';
}
