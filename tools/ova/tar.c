#include "tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kp_tar_format kp_tar_format_for_size(uint64_t largest_member)
{
	return largest_member <= KP_TAR_USTAR_MAX_SIZE ? KP_TAR_USTAR : KP_TAR_GNU;
}

const char *kp_tar_format_name(enum kp_tar_format f)
{
	switch (f) {
	case KP_TAR_USTAR: return "ustar";
	case KP_TAR_GNU: return "GNU tar";
	case KP_TAR_PAX: return "pax";
	case KP_TAR_OTHER: break;
	}
	return "old or unknown tar";
}

static int lib_fail(struct archive *a, struct kp_error *err, const char *doing, const char *what)
{
	const char *msg = a ? archive_error_string(a) : NULL;
	int e = a ? archive_errno(a) : 0;

	return kp_fail(err, e > 0 ? e : EIO, "%s '%s' failed: %s", doing, what, msg ? msg : "libarchive gave no reason");
}

static int writer_new(struct kp_tar_writer *w, enum kp_tar_format format, int64_t mtime,
		      const char *what, struct kp_error *err)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->format = format;
	w->mtime = mtime;
	w->what = what;
	w->a = archive_write_new();
	if (!w->a)
		return kp_fail(err, ENOMEM, "out of memory starting the tar writer for '%s'", what);
	/* Only the two dialects below: libarchive's "ustar" and "gnutar" writers
	 * never emit pax extended headers, its pax writer would. */
	r = format == KP_TAR_GNU ? archive_write_set_format_gnutar(w->a) : archive_write_set_format_ustar(w->a);
	if (r != ARCHIVE_OK) {
		r = lib_fail(w->a, err, "choosing the tar format for", what);
		kp_tar_writer_abort(w);
		return r;
	}
	return 0;
}

int kp_tar_writer_open_fd(struct kp_tar_writer *w, int fd, enum kp_tar_format format,
			  int64_t mtime, const char *what, struct kp_error *err)
{
	int r = writer_new(w, format, mtime, what, err);

	if (r < 0)
		return r;
	if (archive_write_open_fd(w->a, fd) != ARCHIVE_OK) {
		r = lib_fail(w->a, err, "opening the tar output", what);
		kp_tar_writer_abort(w);
	}
	return r;
}

struct sink {
	kp_tar_sink_fn fn;
	void *ctx;
};

static la_ssize_t sink_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct sink *s = data;
	ssize_t n = s->fn(s->ctx, buf, len);

	if (n < 0)
		archive_set_error(a, EIO, "the output refused the data");
	return n;
}

static int sink_close(struct archive *a, void *data)
{
	(void)a;
	free(data);
	return ARCHIVE_OK;
}

int kp_tar_writer_open_sink(struct kp_tar_writer *w, kp_tar_sink_fn fn, void *ctx,
			    enum kp_tar_format format, int64_t mtime, const char *what,
			    struct kp_error *err)
{
	struct sink *s;
	int r = writer_new(w, format, mtime, what, err);

	if (r < 0)
		return r;
	s = malloc(sizeof(*s));
	if (!s) {
		kp_tar_writer_abort(w);
		return kp_fail(err, ENOMEM, "out of memory opening '%s'", what);
	}
	s->fn = fn;
	s->ctx = ctx;
	if (archive_write_open(w->a, s, NULL, sink_write, sink_close) != ARCHIVE_OK) {
		r = lib_fail(w->a, err, "opening the tar output", what);
		kp_tar_writer_abort(w);
	}
	return r;
}

int kp_tar_write_header(struct kp_tar_writer *w, const char *name, uint64_t size, struct kp_error *err)
{
	struct archive_entry *e;
	int r = 0;

	if (w->format == KP_TAR_USTAR && size > KP_TAR_USTAR_MAX_SIZE)
		return kp_fail(err, EFBIG, "member '%s' is 8 GiB or larger and does not fit a ustar header", name);
	e = archive_entry_new();
	if (!e)
		return kp_fail(err, ENOMEM, "out of memory adding '%s'", name);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, (time_t)w->mtime, 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		r = lib_fail(w->a, err, "writing the tar header of", name);
	archive_entry_free(e);
	return r;
}

int kp_tar_write_data(struct kp_tar_writer *w, const void *buf, size_t len, struct kp_error *err)
{
	const char *p = buf;

	while (len > 0) {
		la_ssize_t n = archive_write_data(w->a, p, len);
		if (n <= 0)
			return lib_fail(w->a, err, "writing data into", w->what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kp_tar_add_buffer(struct kp_tar_writer *w, const char *name, const void *buf, size_t len,
		      struct kp_error *err)
{
	int r = kp_tar_write_header(w, name, len, err);

	return r < 0 ? r : kp_tar_write_data(w, buf, len, err);
}

int kp_tar_add_file(struct kp_tar_writer *w, const char *name, const char *path, uint64_t size,
		    struct kp_error *err)
{
	const size_t buf_size = 1 << 20;
	char *buf;
	uint64_t done = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kp_fail_errno(err, errno, "cannot open '%s' to put it in the OVA", path);
	buf = malloc(buf_size);
	if (!buf) {
		close(fd);
		return kp_fail(err, ENOMEM, "out of memory archiving '%s'", path);
	}
	r = kp_tar_write_header(w, name, size, err);
	while (r == 0 && done < size) {
		size_t want = size - done < buf_size ? (size_t)(size - done) : buf_size;
		ssize_t n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = kp_fail_errno(err, errno, "cannot read '%s'", path);
		else if (n == 0)
			r = kp_fail(err, EIO, "'%s' became shorter while it was being archived; is something still writing it?", path);
		else {
			r = kp_tar_write_data(w, buf, (size_t)n, err);
			done += (uint64_t)n;
		}
	}
	free(buf);
	close(fd);
	return r;
}

int kp_tar_writer_close(struct kp_tar_writer *w, struct kp_error *err)
{
	int r = 0;

	if (archive_write_close(w->a) != ARCHIVE_OK)
		r = lib_fail(w->a, err, "finishing", w->what);
	archive_write_free(w->a);
	w->a = NULL;
	return r;
}

void kp_tar_writer_abort(struct kp_tar_writer *w)
{
	if (w->a) {
		archive_write_fail(w->a);
		archive_write_free(w->a);
	}
	w->a = NULL;
}

int kp_tar_reader_open(struct kp_tar_reader *r, const char *path, struct kp_error *err)
{
	int rc;

	r->path = path;
	r->a = archive_read_new();
	if (!r->a)
		return kp_fail(err, ENOMEM, "out of memory opening '%s'", path);
	archive_read_support_format_tar(r->a);
	if (archive_read_open_filename(r->a, path, 1 << 16) != ARCHIVE_OK) {
		rc = kp_fail(err, EINVAL, "cannot open '%s' as a tar archive: %s", path,
			     archive_error_string(r->a) ? archive_error_string(r->a) : "unknown reason");
		kp_tar_reader_close(r);
		return rc;
	}
	return 0;
}

static enum kp_tar_format format_of(struct archive *a)
{
	switch (archive_format(a)) {
	case ARCHIVE_FORMAT_TAR_USTAR: return KP_TAR_USTAR;
	case ARCHIVE_FORMAT_TAR_GNUTAR: return KP_TAR_GNU;
	case ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE:
	case ARCHIVE_FORMAT_TAR_PAX_RESTRICTED: return KP_TAR_PAX;
	}
	return KP_TAR_OTHER;
}

int kp_tar_reader_next(struct kp_tar_reader *r, struct kp_tar_member *m, struct kp_error *err)
{
	struct archive_entry *e;
	int rc = archive_read_next_header(r->a, &e);
	const char *name;

	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return kp_fail(err, EINVAL, "'%s' is not a readable tar archive: %s", r->path,
			       archive_error_string(r->a) ? archive_error_string(r->a) : "unknown reason");
	name = archive_entry_pathname(e);
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "");
	m->size = (uint64_t)archive_entry_size(e);
	m->format = format_of(r->a);
	m->is_regular = archive_entry_filetype(e) == AE_IFREG;
	return 1;
}

ssize_t kp_tar_reader_read(struct kp_tar_reader *r, void *buf, size_t len, struct kp_error *err)
{
	la_ssize_t n = archive_read_data(r->a, buf, len);

	if (n < 0)
		return kp_fail(err, EIO, "reading '%s' failed: %s", r->path,
			       archive_error_string(r->a) ? archive_error_string(r->a) : "unknown reason");
	return n;
}

void kp_tar_reader_close(struct kp_tar_reader *r)
{
	if (r->a)
		archive_read_free(r->a);
	r->a = NULL;
}

int kp_tar_check_name(const char *name, struct kp_error *err)
{
	size_t n = strlen(name);

	if (n == 0)
		return kp_fail(err, EINVAL, "a member has an empty name");
	if (n > KP_TAR_NAME_MAX)
		return kp_fail(err, EINVAL, "member name '%s' has %zu characters; at most %d fit a tar header without extensions",
			       name, n, KP_TAR_NAME_MAX);
	if (strncmp(name, "./", 2) == 0)
		return kp_fail(err, EINVAL, "member name '%s' starts with './'; OVA members are plain names", name);
	if (strchr(name, '/'))
		return kp_fail(err, EINVAL, "member name '%s' has a directory part; an OVA holds files side by side, no folders", name);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return kp_fail(err, EINVAL, "member name '%s' is not a file name", name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return kp_fail(err, EINVAL, "member name '%s' has a character outside printable ASCII", name);
	return 0;
}
