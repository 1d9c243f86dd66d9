#include "copy.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <fts.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define STEP "copying the tree"
/* What the target needs beyond the tree: a new initramfs beside the old
 * one while it is written, GRUB's modules, dpkg's bookkeeping. */
#define HEADROOM_BYTES (160ULL << 20)

/* Patterns relative to the tree, as tar sees members ("./proc/..."). */
const char *const copy_excludes[] = {
	"./proc/*",
	"./sys/*",
	"./dev/*",
	"./run/*",
	"./tmp/*",
	"./var/cache/apt/archives/*.deb",
	NULL,
};

static int excluded(const char *rel)
{
	size_t i;

	for (i = 0; copy_excludes[i]; i++)
		if (fnmatch(copy_excludes[i], rel, 0) == 0)
			return 1;
	return 0;
}

int copy_estimate(const char *root, uint64_t *bytes, struct kp_error *err)
{
	char *const paths[] = { (char *)root, NULL };
	size_t root_len = strlen(root);
	uint64_t total = 0;
	FTSENT *e;
	FTS *fts;
	int r = 0;

	fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts)
		return kp_fail_errno(err, errno, "cannot walk the root tree '%s'", root);
	while ((e = fts_read(fts))) {
		char rel[4096];

		if (e->fts_info == FTS_DP)
			continue;
		if (e->fts_info == FTS_ERR || e->fts_info == FTS_DNR || e->fts_info == FTS_NS) {
			r = kp_fail_errno(err, e->fts_errno, "cannot read '%s' in the root tree (run as root?)", e->fts_path);
			break;
		}
		snprintf(rel, sizeof(rel), ".%s", e->fts_path + root_len);
		if (e->fts_level > 0 && excluded(rel)) {
			fts_set(fts, e, FTS_SKIP);
			continue;
		}
		if (e->fts_info == FTS_F) {
			/* Hard links: each name carries its share of the blocks. */
			uint64_t b = (uint64_t)e->fts_statp->st_blocks * 512;
			total += b / (e->fts_statp->st_nlink ? e->fts_statp->st_nlink : 1);
		} else if (e->fts_info == FTS_D) {
			total += 4096;
		}
	}
	if (!e && errno && r == 0)
		r = kp_fail_errno(err, errno, "cannot walk the root tree '%s'", root);
	fts_close(fts);
	*bytes = total;
	return r;
}

int copy_check_fits(const char *root, uint64_t bytes, uint64_t avail, uint64_t disk_mib,
		    struct kp_error *err)
{
	uint64_t need = bytes + HEADROOM_BYTES;
	uint64_t more_mib;

	if (need <= avail)
		return 0;
	more_mib = ((need - avail) * 11 / 10 + (1ULL << 20) - 1) >> 20;
	return kp_fail(err, ENOSPC,
		       "the root tree '%s' needs about %llu MiB but the root filesystem of a %llu MiB disk holds about %llu MiB; use --size-mib %llu or more",
		       root, (unsigned long long)(need >> 20), (unsigned long long)disk_mib,
		       (unsigned long long)(avail >> 20), (unsigned long long)(disk_mib + more_mib));
}

/* Start `tar -c` of root writing into a pipe; returns the read end. */
static int start_tar(const char *root, pid_t *pid, struct kp_error *err)
{
	const char *argv[32];
	char excl[16][128];
	int fds[2], n = 0;
	size_t i;

	argv[n++] = "tar";
	argv[n++] = "--create";
	argv[n++] = "--file=-";
	argv[n++] = "--directory";
	argv[n++] = root;
	/* Names in the tree's passwd may differ from the appliance's. */
	argv[n++] = "--numeric-owner";
	argv[n++] = "--xattrs";
	argv[n++] = "--xattrs-include=*";
	argv[n++] = "--acls";
	argv[n++] = "--sparse";
	argv[n++] = "--warning=no-file-ignored";
	argv[n++] = "--anchored";
	for (i = 0; copy_excludes[i] && i < 16; i++) {
		snprintf(excl[i], sizeof(excl[i]), "--exclude=%s", copy_excludes[i]);
		argv[n++] = excl[i];
	}
	argv[n++] = ".";
	argv[n] = NULL;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return kp_fail_errno(err, errno, "%s: cannot make a pipe", STEP);
	*pid = fork();
	if (*pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return kp_fail_errno(err, e, "%s: cannot start tar", STEP);
	}
	if (*pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp("tar", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

int copy_tree(guestfs_h *g, const char *root, uint64_t disk_mib, struct kp_error *err)
{
	char fdpath[64];
	int fd, r, status = 0;
	pid_t pid = -1;

	fd = start_tar(root, &pid, err);
	if (fd < 0)
		return fd;
	/* libguestfs opens and reads the "file" itself: give it the pipe. */
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	r = guestfs_tar_in_opts(g, fdpath, "/", GUESTFS_TAR_IN_OPTS_XATTRS, 1,
				GUESTFS_TAR_IN_OPTS_ACLS, 1, -1);
	if (r < 0) {
		const char *last = guestfs_last_error(g);
		char hint[256];

		if (last && strstr(last, "No space left"))
			snprintf(hint, sizeof(hint), "the target is full: raise --size-mib above %llu",
				 (unsigned long long)disk_mib);
		else
			snprintf(hint, sizeof(hint), "check that '%s' is a complete root tree readable by this user", root);
		guest_fail(err, g, STEP, "unpacking the tree into the target", hint);
		kill(pid, SIGTERM);
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -EIO;
	/* tar exits 1 when a file changed while it was read: the tree is in use. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return kp_fail(err, EIO, "%s: tar of '%s' failed (exit %d); is the tree complete, readable, and not being changed?",
			       STEP, root, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
