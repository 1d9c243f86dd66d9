/* The OVA container through libarchive: a writer that emits POSIX ustar
 * (or GNU tar when a member is 8 GiB or more, which ustar's 11 octal digits
 * cannot hold) and never pax, with fixed owner, mode and mtime; and a reader
 * that reports each member's header dialect for `verify`. */
#ifndef KP_OVA_TAR_H
#define KP_OVA_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Largest size a ustar header can hold: 8 GiB - 1. */
#define KP_TAR_USTAR_MAX_SIZE ((UINT64_C(1) << 33) - 1)
#define KP_TAR_NAME_MAX 100

enum kp_tar_format {
	KP_TAR_USTAR,
	KP_TAR_GNU,
	KP_TAR_PAX,   /* only ever reported by the reader */
	KP_TAR_OTHER, /* v7, star, ... (reader) */
};

/* The writer's dialect for an archive whose largest member has this size. */
enum kp_tar_format kp_tar_format_for_size(uint64_t largest_member);
const char *kp_tar_format_name(enum kp_tar_format f);

/* Where the writer's bytes go: returns bytes taken or -1 on failure. */
typedef ssize_t (*kp_tar_sink_fn)(void *ctx, const void *buf, size_t len);

struct kp_tar_writer {
	struct archive *a;
	enum kp_tar_format format;
	int64_t mtime;
	const char *what; /* for messages, e.g. the output path */
};

int kp_tar_writer_open_fd(struct kp_tar_writer *w, int fd, enum kp_tar_format format,
			  int64_t mtime, const char *what, struct kp_error *err);
int kp_tar_writer_open_sink(struct kp_tar_writer *w, kp_tar_sink_fn sink, void *ctx,
			    enum kp_tar_format format, int64_t mtime, const char *what,
			    struct kp_error *err);
/* Header of a regular file, root:root 0644, the writer's mtime. */
int kp_tar_write_header(struct kp_tar_writer *w, const char *name, uint64_t size, struct kp_error *err);
int kp_tar_write_data(struct kp_tar_writer *w, const void *buf, size_t len, struct kp_error *err);
int kp_tar_add_buffer(struct kp_tar_writer *w, const char *name, const void *buf, size_t len,
		      struct kp_error *err);
/* Copies exactly size bytes of path (fails if the file changed size). */
int kp_tar_add_file(struct kp_tar_writer *w, const char *name, const char *path, uint64_t size,
		    struct kp_error *err);
/* Writes the end-of-archive blocks and frees w. */
int kp_tar_writer_close(struct kp_tar_writer *w, struct kp_error *err);
/* Frees w without finishing it (after an error). */
void kp_tar_writer_abort(struct kp_tar_writer *w);

struct kp_tar_member {
	char name[1024];
	uint64_t size;
	enum kp_tar_format format;
	int is_regular;
};

struct kp_tar_reader {
	struct archive *a;
	const char *path;
};

int kp_tar_reader_open(struct kp_tar_reader *r, const char *path, struct kp_error *err);
/* 1 with *m filled, 0 at the end, <0 on a damaged archive. */
int kp_tar_reader_next(struct kp_tar_reader *r, struct kp_tar_member *m, struct kp_error *err);
/* Bytes read into buf (0 at the member's end), <0 on error. */
ssize_t kp_tar_reader_read(struct kp_tar_reader *r, void *buf, size_t len, struct kp_error *err);
void kp_tar_reader_close(struct kp_tar_reader *r);

/* COMPAT rule 3 on a member name: non-empty printable ASCII, at most 100
 * characters (one ustar name field), no directory part, no "./" prefix.
 * Returns 0 or -EINVAL with the reason in err. */
int kp_tar_check_name(const char *name, struct kp_error *err);

#endif
