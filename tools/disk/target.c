#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

/* Every command starts from a known environment, whatever the appliance's is. */
/* Marks when the purge began: initramfs images newer than this were made
 * after it (by dpkg's initramfs-tools trigger). /tmp is emptied by sysprep. */
#define PURGE_STAMP "/tmp/.kopanion-disk-purge"

#define ENV "export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive; set -e; "

int target_valid_package(const char *name)
{
	const char *p;

	if (strlen(name) < 2 || strlen(name) > 128 || !isalnum((unsigned char)name[0]))
		return 0;
	for (p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("+-.:", *p))
			return 0;
	return 1;
}

int target_valid_hostname(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (len == 0 || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
	return 1;
}

static int sh_ok(struct disk_ctx *c, const char *step, const char *cmd, const char *hint,
		 struct kp_error *err)
{
	char *out = guest_sh(c->g, step, cmd, c->opts->verbose, hint, err);

	if (!out)
		return -EIO;
	free(out);
	return 0;
}

int target_purge(struct disk_ctx *c, struct kp_error *err)
{
	const char *step = "purging packages";
	char cmd[8192], *out;
	size_t i, len;

	if (c->opts->n_purge == 0)
		return 0;
	/* Names that are not installed are skipped, so one list fits every tree. */
	len = (size_t)snprintf(cmd, sizeof(cmd), ENV
			       "pkgs=$(dpkg-query -W -f='${binary:Package}\\t${db:Status-Status}\\n' --");
	for (i = 0; i < c->opts->n_purge && len < sizeof(cmd); i++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s", c->opts->purge[i]);
	if (len < sizeof(cmd))
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len,
					" 2>/dev/null | awk -F'\\t' '$2 != \"not-installed\" { print $1 }'); "
					"touch " PURGE_STAMP "; "
					"if [ -n \"$pkgs\" ]; then dpkg --purge $pkgs >&2; fi; echo $pkgs");
	if (len >= sizeof(cmd))
		return kp_fail(err, E2BIG, "%s: too many --purge names", step);
	out = guest_sh(c->g, step, cmd, c->opts->verbose,
		       "another installed package may depend on one of them: purge it too, or drop the name", err);
	if (!out)
		return -EIO;
	out[strcspn(out, "\n")] = '\0';
	fprintf(stderr, "disk: purged: %s\n", *out ? out : "(none of them was installed)");
	free(out);
	return 0;
}

int target_fstab_text(const struct layout *l, char *buf, size_t len, struct kp_error *err)
{
	size_t used, i;

	used = (size_t)snprintf(buf, len, "# /etc/fstab: written by kopanion-disk; by UUID, never by device name.\n"
				"# <file system> <mount point> <type> <options> <dump> <pass>\n");
	/* The root first, then the others in table order: mount order. */
	for (i = 0; i <= l->n && used < len; i++) {
		const struct layout_part *root = layout_find(l, "/");
		const struct layout_part *p = i == 0 ? root : &l->parts[i - 1];

		if (!p || !p->mountpoint || (i > 0 && p == root))
			continue;
		if (!p->uuid[0])
			return kp_fail(err, EINVAL, "writing fstab: partition %d (%s) has no filesystem UUID", p->num, p->name);
		used += (size_t)snprintf(buf + used, len - used, "UUID=%s %s %s %s 0 %d\n", p->uuid,
					 p->mountpoint, p->fs, p->fstab_opts, p->fstab_pass);
	}
	if (used >= len)
		return kp_fail(err, E2BIG, "writing fstab: the text is too long");
	return 0;
}

static int write_file(struct disk_ctx *c, const char *step, const char *path, const char *text,
		      struct kp_error *err)
{
	char what[256];

	snprintf(what, sizeof(what), "writing %s", path);
	if (guestfs_write(c->g, path, text, strlen(text)) < 0)
		return guest_fail(err, c->g, step, what, NULL);
	return 0;
}

int target_fstab(struct disk_ctx *c, struct kp_error *err)
{
	char text[2048];
	int r = target_fstab_text(&c->layout, text, sizeof(text), err);

	if (r < 0)
		return r;
	return write_file(c, "writing fstab", "/etc/fstab", text, err);
}

int target_hostname(struct disk_ctx *c, struct kp_error *err)
{
	const char *step = "setting the hostname";
	char text[128], cmd[512];
	int r;

	if (!c->opts->hostname)
		return 0;
	snprintf(text, sizeof(text), "%s\n", c->opts->hostname);
	r = write_file(c, step, "/etc/hostname", text, err);
	if (r < 0)
		return r;
	snprintf(cmd, sizeof(cmd), ENV "touch /etc/hosts; sed -i '/^127\\.0\\.1\\.1[[:space:]]/d' /etc/hosts; "
		 "printf '127.0.1.1\\t%s\\n' >> /etc/hosts", c->opts->hostname);
	return sh_ok(c, step, cmd, NULL, err);
}

int target_initramfs(struct disk_ctx *c, struct kp_error *err)
{
	/* After the purge, so live-boot's hooks are gone from every initramfs.
	 * Purging live-boot fires initramfs-tools' dpkg trigger, which already
	 * rebuilds the newest kernel's image; under TCG a rebuild costs minutes,
	 * so it is not done twice: only when some image predates the purge. A tree
	 * that comes with its initramfs made for it (build.sh's sysroot) and
	 * nothing purged keeps its images as they are. */
	return sh_ok(c, "making the initramfs",
		     ENV "if ! ls /boot/vmlinuz-* >/dev/null 2>&1; then echo 'no kernel in /boot' >&2; exit 1; fi; "
		     "if ! ls /boot/initrd.img-* >/dev/null 2>&1; then update-initramfs -c -k all >&2; "
		     "elif [ -e " PURGE_STAMP " ] && [ -n \"$(find /boot -maxdepth 1 -name 'initrd.img-*' ! -newer " PURGE_STAMP ")\" ]; then "
		     "update-initramfs -u -k all >&2; else echo 'the initramfs images are current: kept' >&2; fi",
		     "is initramfs-tools installed in the tree, with a kernel in /boot?", err);
}

static const char grub_defaults[] =
	"# Written by kopanion-disk: menu and kernel console on VGA and the first serial port.\n"
	"GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200n8\"\n"
	"GRUB_TERMINAL=\"console serial\"\n"
	"GRUB_SERIAL_COMMAND=\"serial --speed=115200\"\n"
	"GRUB_TIMEOUT=2\n"
	"GRUB_DISABLE_OS_PROBER=true\n";

/* The generated grub.cfg must boot the root by UUID (COMPAT 20). */
static int check_grub_cfg(struct disk_ctx *c, const char *uuid, struct kp_error *err)
{
	const char *step = "checking grub.cfg";
	char want[96];
	char **lines = guestfs_read_lines(c->g, "/boot/grub/grub.cfg");
	int found = 0, bad = 0;
	size_t i;

	if (!lines)
		return guest_fail(err, c->g, step, "reading /boot/grub/grub.cfg", NULL);
	snprintf(want, sizeof(want), "root=UUID=%s", uuid);
	for (i = 0; lines[i]; i++) {
		if (strstr(lines[i], want))
			found = 1;
		if (strstr(lines[i], "root=/dev/"))
			bad = 1;
		free(lines[i]);
	}
	free(lines);
	if (!found || bad)
		return kp_fail(err, EPROTO, "%s: /boot/grub/grub.cfg does not boot %s%s; GRUB_DISABLE_LINUX_UUID may be set in the tree's /etc/default/grub",
			       step, want, bad ? " (it names a /dev/ device)" : "");
	return 0;
}

int target_grub(struct disk_ctx *c, struct kp_error *err)
{
	const char *step = "installing grub";
	const struct layout_part *root = layout_find(&c->layout, "/");
	char cmd[1024];
	int r;

	r = guestfs_mkdir_p(c->g, "/etc/default/grub.d");
	if (r < 0)
		return guest_fail(err, c->g, step, "making /etc/default/grub.d", NULL);
	r = write_file(c, step, "/etc/default/grub.d/kopanion.cfg", grub_defaults, err);
	if (r < 0)
		return r;
	/* The BIOS core goes to the disk that holds the root, by the appliance
	 * kernel's name for it: the API's /dev/sda is a translated name, and
	 * under TCG the kernel may have named the appliance's own (ext2) disk
	 * sda, which makes grub-install fail with "embedding is not possible". */
	r = sh_ok(c, step, ENV "disk=$(grub-probe --target=disk /); echo \"grub: BIOS boot on $disk\" >&2; "
		  "grub-install --target=i386-pc \"$disk\" >&2",
		  "is grub-pc-bin installed in the tree?", err);
	if (r < 0)
		return r;
	/* Signed shim + GRUB in EFI/debian, and the same at the removable path
	 * EFI/BOOT (BOOTX64.EFI is shim) for firmware without an NVRAM entry. */
	r = sh_ok(c, step, ENV "grub-install --target=x86_64-efi --efi-directory=/boot/efi "
		  "--bootloader-id=debian --uefi-secure-boot --no-nvram --force-extra-removable >&2",
		  "are grub-efi-amd64-bin, grub-efi-amd64-signed and shim-signed installed in the tree?", err);
	if (r < 0)
		return r;
	/* grub-mkconfig writes root=UUID= only when /dev/disk/by-uuid/<uuid>
	 * exists (10_linux tests for it); the appliance's udev does not always
	 * make that link, and without it grub.cfg would say root=/dev/sda3.
	 * /dev here is the appliance's, bound in by the daemon, so adding the
	 * link touches nothing in the target. grub-probe itself reads the
	 * chroot's /proc/self/mountinfo, which shows /sysroot as "/". */
	snprintf(cmd, sizeof(cmd), ENV "mkdir -p /dev/disk/by-uuid; "
		 "[ -e /dev/disk/by-uuid/%s ] || ln -s ../../%s /dev/disk/by-uuid/%s; "
		 "grub-mkconfig -o /boot/grub/grub.cfg >&2",
		 root->uuid, root->device + strlen("/dev/"), root->uuid);
	r = sh_ok(c, step, cmd, "is grub2-common installed in the tree?", err);
	if (r < 0)
		return r;
	return check_grub_cfg(c, root->uuid, err);
}
