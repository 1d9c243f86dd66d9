#include "tarcheck.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "pathsafe.h"

int tar_entry_check(struct archive_entry *ae, const char *what, struct kp_error *err)
{
	const char *name = archive_entry_pathname(ae);
	const char *hard = archive_entry_hardlink(ae), *sym = archive_entry_symlink(ae);
	mode_t type = archive_entry_filetype(ae);
	int r;

	if (!name)
		return kp_fail(err, EINVAL, "%s: an entry has no name: rebuild the layer", what);
	if ((r = path_check_name(name, err)) < 0)
		goto prefix;
	if (type == AE_IFCHR || type == AE_IFBLK) {
		r = kp_fail(err, EPERM, "entry '%s' is a device node: devices do not belong in an image "
			    "(the container runtime provides /dev); rebuild the layer without it", name);
		goto prefix;
	}
	if (hard && (r = path_check_hardlink(name, hard, err)) < 0)
		goto prefix;
	if (sym && type == AE_IFLNK && (r = path_check_symlink(path_strip_dot(name), sym, err)) < 0)
		goto prefix;
	return 0;
prefix: {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return kp_fail(err, -r, "%s: %s", what, msg);
	}
}

int tar_layer_check_file(const char *path, struct kp_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	char what[4200];
	int r = 0, ar;

	snprintf(what, sizeof(what), "layer '%s'", path);
	if (!a)
		return kp_fail(err, ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		r = kp_fail(err, EINVAL, "cannot read %s as an uncompressed tar: %s", what, archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		if ((r = tar_entry_check(ae, what, err)) < 0)
			goto out;
	}
	if (ar != ARCHIVE_EOF)
		r = kp_fail(err, EINVAL, "%s is not a readable tar: %s", what, archive_error_string(a));
out:
	archive_read_free(a);
	return r;
}
