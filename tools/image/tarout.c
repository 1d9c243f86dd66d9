#include "tarout.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int tarout_open(struct tarout *t, const char *path, const char *what, struct kp_error *err)
{
	*t = (struct tarout){ .f = { .fd = -1 }, .what = what };
	t->a = archive_write_new();
	t->ae = archive_entry_new();
	if (!t->a || !t->ae)
		return kp_fail(err, ENOMEM, "out of memory");
	int r = kp_atomic_open(&t->f, path, err);
	if (r < 0)
		return r;
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_open_fd(t->a, t->f.fd) != ARCHIVE_OK)
		return kp_fail(err, EIO, "cannot start %s: %s", what, archive_error_string(t->a));
	return 0;
}

int tarout_commit(struct tarout *t, unsigned long long *bytes, struct kp_error *err)
{
	struct stat st;

	if (archive_write_close(t->a) != ARCHIVE_OK)
		return kp_fail(err, EIO, "cannot finish %s: %s", t->what, archive_error_string(t->a));
	if (bytes && fstat(t->f.fd, &st) == 0)
		*bytes = (unsigned long long)st.st_size;
	return kp_atomic_commit(&t->f, err);
}

void tarout_close(struct tarout *t)
{
	if (t->a)
		archive_write_free(t->a);
	if (t->ae)
		archive_entry_free(t->ae);
	t->a = NULL;
	t->ae = NULL;
	kp_atomic_abort(&t->f);
}
