/* `kopanion-disk build`: run() is the flat list of steps below; each
 * one logs a line with its duration. */
#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "guest.h"
#include "sysprep.h"
#include "target.h"

/* For the signal handler only: what to remove and stop on SIGINT/SIGTERM. */
static volatile sig_atomic_t cleanup_armed;
static char cleanup_path[4096];
static volatile pid_t cleanup_qemu;

static void on_signal(int sig)
{
	if (cleanup_armed) {
		unlink(cleanup_path);
		if (cleanup_qemu > 0)
			kill(cleanup_qemu, SIGKILL);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int step_check_tree(struct disk_ctx *c, struct kp_error *err)
{
	const struct disk_opts *o = c->opts;
	const struct layout_part *root;
	uint64_t bytes, root_bytes, journal, usable;
	struct stat st;
	int r;

	if (stat(o->root, &st) < 0)
		return kp_fail_errno(err, errno, "root tree '%s' cannot be read (give --root the chroot folder)", o->root);
	if (!S_ISDIR(st.st_mode))
		return kp_fail(err, ENOTDIR, "root tree '%s' is not a directory (give --root the chroot folder)", o->root);
	r = layout_plan(&c->layout, o->size_mib, o->esp_mib, o->label, err);
	if (r < 0)
		return r;
	r = copy_estimate(o->root, &bytes, err);
	if (r < 0)
		return r;
	c->tree_bytes = bytes;
	/* Before paying for an appliance launch: ext4 keeps about 1/64 for
	 * inode tables and up to 1 GiB for its journal. */
	root = layout_find(&c->layout, "/");
	root_bytes = root->size_mib * LAYOUT_MIB;
	journal = root_bytes / 64 > (1ULL << 30) ? (1ULL << 30) : root_bytes / 64;
	usable = root_bytes - root_bytes / 32 - journal;
	return copy_check_fits(o->root, bytes, usable, o->size_mib, err);
}

static int step_create(struct disk_ctx *c, struct kp_error *err)
{
	const char *out = c->opts->output;
	char *dup = strdup(out), *dir, *base;
	int n;

	if (!dup)
		return kp_fail(err, ENOMEM, "out of memory");
	base = basename(dup);
	n = snprintf(c->tmp_path, sizeof(c->tmp_path), "%.*s.%s.XXXXXX",
		     (int)(strrchr(out, '/') ? strrchr(out, '/') - out + 1 : 0), out, base);
	free(dup);
	if (n < 0 || (size_t)n >= sizeof(c->tmp_path))
		return kp_fail(err, ENAMETOOLONG, "output path '%s' is too long", out);
	c->tmp_fd = mkostemp(c->tmp_path, O_CLOEXEC);
	if (c->tmp_fd < 0) {
		c->tmp_path[0] = '\0';
		dup = strdup(out);
		dir = dup ? dirname(dup) : (char *)".";
		n = kp_fail_errno(err, errno, "cannot create a file in '%s' for '%s' (does the folder exist, is it writable?)", dir, out);
		free(dup);
		return n;
	}
	memcpy(cleanup_path, c->tmp_path, sizeof(cleanup_path));
	cleanup_armed = 1;
	/* Sparse: only what the guest writes takes space. */
	if (fchmod(c->tmp_fd, 0644) < 0 || ftruncate(c->tmp_fd, (off_t)(c->opts->size_mib * LAYOUT_MIB)) < 0)
		return kp_fail_errno(err, errno, "cannot size '%s' to %llu MiB", c->tmp_path, c->opts->size_mib);
	return 0;
}

static int step_launch(struct disk_ctx *c, struct kp_error *err)
{
	const char *step = "starting the appliance";
	int r = guest_create(&c->g, c->opts->accel, err);

	if (r < 0)
		return r;
	guestfs_set_smp(c->g, 2);
	guestfs_set_memsize(c->g, 1536);
	/* The guest's flushes only slow TCG down: we fsync the file at the end,
	 * after a clean shutdown has written everything out. */
	if (guestfs_add_drive_opts(c->g, c->tmp_path, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
				   GUESTFS_ADD_DRIVE_OPTS_CACHEMODE, "unsafe", -1) < 0)
		return guest_fail(err, c->g, step, "adding the disk", NULL);
	if (guestfs_launch(c->g) < 0)
		return guest_fail(err, c->g, step, "launching the libguestfs appliance",
				  "run libguestfs-test-tool; if /dev/kvm hangs, use --accel tcg");
	cleanup_qemu = guestfs_get_pid(c->g);
	fprintf(stderr, "disk: appliance running with %s\n", accel_name(c->g));
	return 0;
}

static int step_partition(struct disk_ctx *c, struct kp_error *err)
{
	struct guestfs_statvfs *sv;
	uint64_t avail;
	int r;

	r = layout_apply(c->g, &c->layout, err);
	if (r < 0)
		return r;
	r = layout_mount_root(c->g, &c->layout, err);
	if (r < 0)
		return r;
	sv = guestfs_statvfs(c->g, "/");
	if (!sv)
		return guest_fail(err, c->g, "partitioning", "reading the root filesystem's free space", NULL);
	/* bfree, not bavail: the tree is unpacked as root. */
	avail = (uint64_t)sv->bfree * (uint64_t)sv->bsize;
	guestfs_free_statvfs(sv);
	return copy_check_fits(c->opts->root, c->tree_bytes, avail, c->opts->size_mib, err);
}

static int step_copy(struct disk_ctx *c, struct kp_error *err)
{
	int r = copy_tree(c->g, c->opts->root, c->opts->size_mib, err);

	if (r < 0)
		return r;
	return layout_mount_others(c->g, &c->layout, err);
}

static int step_finish(struct disk_ctx *c, struct kp_error *err)
{
	const char *step = "finishing";
	int r;

	if (guestfs_umount_all(c->g) < 0)
		return guest_fail(err, c->g, step, "unmounting the target", NULL);
	/* Shutdown is where QEMU reports write errors: it must succeed. */
	if (guestfs_shutdown(c->g) < 0)
		return guest_fail(err, c->g, step, "shutting the appliance down",
				  "the disk may be incomplete: is there space left on the output's filesystem?");
	guestfs_close(c->g);
	c->g = NULL;
	cleanup_qemu = 0;
	if (fsync(c->tmp_fd) < 0)
		return kp_fail_errno(err, errno, "cannot flush '%s' to disk", c->tmp_path);
	r = close(c->tmp_fd);
	c->tmp_fd = -1;
	if (r < 0)
		return kp_fail_errno(err, errno, "cannot close '%s'", c->tmp_path);
	if (rename(c->tmp_path, c->opts->output) < 0)
		return kp_fail_errno(err, errno, "cannot move the finished disk to '%s'", c->opts->output);
	cleanup_armed = 0;
	c->tmp_path[0] = '\0';
	return 0;
}

struct step {
	const char *name;
	int (*run)(struct disk_ctx *c, struct kp_error *err);
};

static const struct step steps[] = {
	{ "checking the tree", step_check_tree },
	{ "creating the disk", step_create },
	{ "starting the appliance", step_launch },
	{ "partitioning", step_partition },
	{ "copying the tree", step_copy },
	{ "purging packages", target_purge },
	{ "writing fstab", target_fstab },
	{ "setting the hostname", target_hostname },
	{ "making the initramfs", target_initramfs },
	{ "installing grub", target_grub },
	{ "removing identity and caches", sysprep_run },
	{ "finishing", step_finish },
};

static int run(struct disk_ctx *c, struct kp_error *err)
{
	double total = guest_now();
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		double t0 = guest_now();
		int r = steps[i].run(c, err);

		if (r < 0)
			return r;
		fprintf(stderr, "disk: %s (%.1f s)\n", steps[i].name, guest_now() - t0);
	}
	fprintf(stderr, "disk: wrote %s (%llu MiB) in %.1f s\n", c->opts->output, c->opts->size_mib,
		guest_now() - total);
	return 0;
}

int disk_build(const struct disk_opts *opts, struct kp_error *err)
{
	struct disk_ctx c = { .opts = opts, .tmp_fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	int r;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	r = run(&c, err);
	if (c.g)
		guestfs_close(c.g);
	if (c.tmp_fd >= 0)
		close(c.tmp_fd);
	if (c.tmp_path[0])
		unlink(c.tmp_path);
	cleanup_armed = 0;
	return r;
}
