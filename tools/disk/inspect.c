#include "inspect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guest.h"
#include "layout.h"

#define STEP "inspecting"

void inspect_live_packages(const char *status, char *buf, size_t len)
{
	const char *p = status;
	size_t used = 0;

	buf[0] = '\0';
	while (p && *p) {
		const char *end = strstr(p, "\n\n");
		size_t stanza = end ? (size_t)(end - p) : strlen(p);
		const char *pkg = NULL, *st = NULL, *q = p;

		while (q < p + stanza) {
			const char *nl = memchr(q, '\n', (size_t)(p + stanza - q));
			if (strncmp(q, "Package: ", 9) == 0)
				pkg = q + 9;
			else if (strncmp(q, "Status: ", 8) == 0)
				st = q + 8;
			q = nl ? nl + 1 : p + stanza;
		}
		if (pkg && st && strncmp(pkg, "live-", 5) == 0 &&
		    strncmp(st, "install ok installed", 20) == 0) {
			size_t n = strcspn(pkg, "\n");
			if (used + n + 2 < len) {
				if (used)
					buf[used++] = ' ';
				memcpy(buf + used, pkg, n);
				used += n;
				buf[used] = '\0';
			}
		}
		p = end ? end + 2 : NULL;
	}
}

void inspect_kernel_cmdline(char *const *lines, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; lines && lines[i]; i++) {
		const char *s = lines[i] + strspn(lines[i], " \t");
		const char *args;

		if (strncmp(s, "linux", 5) != 0 || (s[5] != ' ' && s[5] != '\t'))
			continue;
		s += 5 + strspn(s + 5, " \t");
		args = s + strcspn(s, " \t"); /* skip the kernel path */
		args += strspn(args, " \t");
		snprintf(buf, len, "%s", args);
		for (i = strlen(buf); i > 0 && (buf[i - 1] == ' ' || buf[i - 1] == '\t'); i--)
			buf[i - 1] = '\0';
		return;
	}
}

static void free_strings(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : "no";
}

/* Partition numbers of the root, ESP and BIOS boot partitions, found by GPT type. */
struct found {
	int root, esp, bios;
};

static int print_partitions(guestfs_h *g, FILE *out, struct found *f, struct kp_error *err)
{
	struct guestfs_partition_list *parts;
	char *pt;
	size_t i;

	pt = guestfs_part_get_parttype(g, "/dev/sda");
	if (!pt)
		return guest_fail(err, g, STEP, "reading the partition table", "is this a partitioned disk?");
	fprintf(out, "partition_table=%s\n", pt);
	free(pt);
	parts = guestfs_part_list(g, "/dev/sda");
	if (!parts)
		return guest_fail(err, g, STEP, "listing partitions", NULL);
	fprintf(out, "partitions=%u\n", parts->len);
	for (i = 0; i < parts->len; i++) {
		int n = parts->val[i].part_num;
		char dev[32], *type, *name, *fs, *uuid, *label;

		snprintf(dev, sizeof(dev), "/dev/sda%d", n);
		type = guestfs_part_get_gpt_type(g, "/dev/sda", n);
		name = guestfs_part_get_name(g, "/dev/sda", n);
		fs = guestfs_vfs_type(g, dev);
		uuid = fs && *fs ? guestfs_vfs_uuid(g, dev) : NULL;
		label = fs && *fs ? guestfs_vfs_label(g, dev) : NULL;
		fprintf(out, "partition.%d.start_bytes=%llu\n", n, (unsigned long long)parts->val[i].part_start);
		fprintf(out, "partition.%d.size_bytes=%llu\n", n, (unsigned long long)parts->val[i].part_size);
		fprintf(out, "partition.%d.type=%s\n", n, type ? type : "");
		fprintf(out, "partition.%d.name=%s\n", n, name ? name : "");
		fprintf(out, "partition.%d.fs_type=%s\n", n, fs ? fs : "");
		fprintf(out, "partition.%d.fs_uuid=%s\n", n, uuid ? uuid : "");
		fprintf(out, "partition.%d.fs_label=%s\n", n, label ? label : "");
		if (type && strcasecmp(type, GPT_TYPE_ROOT_X86_64) == 0)
			f->root = n;
		else if (type && strcasecmp(type, GPT_TYPE_ESP) == 0)
			f->esp = n;
		else if (type && strcasecmp(type, GPT_TYPE_BIOS_BOOT) == 0)
			f->bios = n;
		free(type);
		free(name);
		free(fs);
		free(uuid);
		free(label);
	}
	guestfs_free_partition_list(parts);
	return 0;
}

static void print_bios_boot(guestfs_h *g, FILE *out, int part)
{
	char dev[32], *buf;
	size_t n = 0, i;
	int nonzero = 0;

	if (!part) {
		fprintf(out, "bios_boot.core_img=no\n");
		return;
	}
	/* GRUB writes core.img at the start of the BIOS boot partition. */
	snprintf(dev, sizeof(dev), "/dev/sda%d", part);
	buf = guestfs_pread_device(g, dev, 65536, 0, &n);
	for (i = 0; buf && i < n; i++)
		if (buf[i]) {
			nonzero = 1;
			break;
		}
	free(buf);
	fprintf(out, "bios_boot.core_img=%s\n", yes_no(nonzero));
}

static void print_target(guestfs_h *g, FILE *out, int esp)
{
	static const struct {
		const char *key, *path;
	} esp_files[] = {
		{ "esp.boot_bootx64", "/boot/efi/EFI/BOOT/BOOTX64.EFI" },
		{ "esp.boot_grubx64", "/boot/efi/EFI/BOOT/grubx64.efi" },
		{ "esp.debian_shimx64", "/boot/efi/EFI/debian/shimx64.efi" },
		{ "esp.debian_grubx64", "/boot/efi/EFI/debian/grubx64.efi" },
	};
	char **lines, **keys, *status, buf[4096], dev[32];
	size_t i, n;
	int64_t size;

	lines = guestfs_read_lines(g, "/etc/fstab");
	for (i = 0, n = 0; lines && lines[i]; i++) {
		const char *s = lines[i] + strspn(lines[i], " \t");
		if (*s && *s != '#')
			fprintf(out, "fstab.%zu=%s\n", ++n, s);
	}
	fprintf(out, "fstab_entries=%zu\n", n);
	free_strings(lines);

	lines = guestfs_read_lines(g, "/boot/grub/grub.cfg");
	inspect_kernel_cmdline(lines, buf, sizeof(buf));
	fprintf(out, "grub_cfg=%s\n", yes_no(lines != NULL));
	fprintf(out, "kernel_cmdline=%s\n", buf);
	free_strings(lines);

	size = guestfs_is_file(g, "/etc/machine-id") > 0 ? guestfs_filesize(g, "/etc/machine-id") : -1;
	fprintf(out, "machine_id_empty=%s\n", size < 0 ? "missing" : yes_no(size == 0));

	keys = guestfs_glob_expand(g, "/etc/ssh/ssh_host_*");
	for (n = 0; keys && keys[n]; n++)
		;
	fprintf(out, "ssh_host_keys=%zu\n", n);
	free_strings(keys);

	snprintf(dev, sizeof(dev), "/dev/sda%d", esp);
	if (esp && guestfs_is_dir(g, "/boot/efi") > 0 && guestfs_mount_ro(g, dev, "/boot/efi") == 0) {
		for (i = 0; i < sizeof(esp_files) / sizeof(esp_files[0]); i++)
			fprintf(out, "%s=%s\n", esp_files[i].key, yes_no(guestfs_is_file(g, esp_files[i].path)));
	} else {
		for (i = 0; i < sizeof(esp_files) / sizeof(esp_files[0]); i++)
			fprintf(out, "%s=no\n", esp_files[i].key);
	}

	status = guestfs_read_file(g, "/var/lib/dpkg/status", &n);
	inspect_live_packages(status, buf, sizeof(buf));
	fprintf(out, "live_packages=%s\n", buf);
	free(status);
}

int inspect_disk(const char *path, enum accel_mode accel, FILE *out, struct kp_error *err)
{
	struct found f = { 0, 0, 0 };
	guestfs_h *g = NULL;
	char dev[32];
	int64_t size;
	int r;

	r = guest_create(&g, accel, err);
	if (r < 0)
		return r;
	if (guestfs_add_drive_opts(g, path, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
				   GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1) < 0) {
		r = guest_fail(err, g, STEP, "opening the disk", "is the path a readable raw disk?");
		goto out;
	}
	if (guestfs_launch(g) < 0) {
		r = guest_fail(err, g, STEP, "launching the libguestfs appliance",
			       "run libguestfs-test-tool; if /dev/kvm hangs, use --accel tcg");
		goto out;
	}
	size = guestfs_blockdev_getsize64(g, "/dev/sda");
	fprintf(out, "disk.size_bytes=%lld\n", (long long)size);
	r = print_partitions(g, out, &f, err);
	if (r < 0)
		goto out;
	print_bios_boot(g, out, f.bios);
	if (!f.root) {
		r = kp_fail(err, ENOENT, "%s: '%s' has no Linux root partition (GPT type %s); was it made by kopanion-disk build?",
			    STEP, path, GPT_TYPE_ROOT_X86_64);
		goto out;
	}
	snprintf(dev, sizeof(dev), "/dev/sda%d", f.root);
	if (guestfs_mount_ro(g, dev, "/") < 0) {
		r = guest_fail(err, g, STEP, "mounting the root partition (GPT type " GPT_TYPE_ROOT_X86_64 ")",
			       "was this disk made by kopanion-disk build?");
		goto out;
	}
	print_target(g, out, f.esp);
	if (fflush(out) != 0)
		r = kp_fail_errno(err, errno, "cannot write the report");
out:
	guestfs_close(g);
	return r;
}
