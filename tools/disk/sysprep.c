#include "sysprep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"

#define STEP "removing identity and caches"

/* Whatever matches is removed (recursively). */
static const char *const remove_globs[] = {
	"/etc/ssh/ssh_host_*",
	"/var/cache/apt/archives/*.deb",
	"/var/cache/apt/archives/partial/*",
	"/var/cache/apt/*.bin",
	"/var/lib/apt/lists/*_*",
	"/var/lib/apt/lists/partial/*",
	"/tmp/*",
	"/tmp/.[!.]*",
	NULL,
};

static int remove_glob(guestfs_h *g, const char *pattern, struct kp_error *err)
{
	char **paths = guestfs_glob_expand(g, pattern);
	int r = 0;
	size_t i;

	if (!paths) {
		char what[256];

		snprintf(what, sizeof(what), "listing '%s'", pattern);
		return guest_fail(err, g, STEP, what, NULL);
	}
	for (i = 0; paths[i]; i++) {
		char what[512];

		snprintf(what, sizeof(what), "removing '%.400s'", paths[i]);
		if (r == 0 && guestfs_rm_rf(g, paths[i]) < 0)
			r = guest_fail(err, g, STEP, what, NULL);
		free(paths[i]);
	}
	free(paths);
	return r;
}

int sysprep_run(struct disk_ctx *c, struct kp_error *err)
{
	guestfs_h *g = c->g;
	size_t i;
	int r;

	/* Present and empty: systemd makes a new ID on first boot and
	 * treats the boot as the first one. */
	if (guestfs_write(g, "/etc/machine-id", "", 0) < 0)
		return guest_fail(err, g, STEP, "emptying /etc/machine-id", NULL);
	if (guestfs_is_file_opts(g, "/var/lib/dbus/machine-id", GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1) > 0) {
		if (guestfs_rm(g, "/var/lib/dbus/machine-id") < 0 ||
		    guestfs_ln_s(g, "/etc/machine-id", "/var/lib/dbus/machine-id") < 0)
			return guest_fail(err, g, STEP, "linking /var/lib/dbus/machine-id to /etc/machine-id", NULL);
	}
	for (i = 0; remove_globs[i]; i++) {
		r = remove_glob(g, remove_globs[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
