#include "vmdk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Keys qemu-img and VMware write for a monolithic stream-optimized disk. */
static const char *const known_keys[] = { "version", "encoding", "CID", "parentCID", "createType" };

static void parse_descriptor(char *text, struct kp_vmdk_info *info)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *key_end;
		unsigned long long sectors;
		char access[16];
		int known = 0;

		while (*line == ' ' || *line == '\t')
			line++;
		line[strcspn(line, "\r")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "%15s %llu", access, &sectors) == 2 &&
		    (!strcmp(access, "RW") || !strcmp(access, "RDONLY") || !strcmp(access, "NOACCESS"))) {
			info->extents++;
			info->extent_sectors += sectors;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq)
			continue;
		key_end = eq;
		while (key_end > line && (key_end[-1] == ' ' || key_end[-1] == '\t'))
			key_end--;
		*key_end = '\0';
		if (strcmp(line, "createType") == 0) {
			char *v = eq + 1;
			while (*v == ' ' || *v == '"')
				v++;
			snprintf(info->create_type, sizeof(info->create_type), "%.*s", (int)strcspn(v, "\" \t"), v);
		}
		for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
			known |= strcmp(line, known_keys[i]) == 0;
		known |= strncmp(line, "ddb.", 4) == 0;
		if (!known && !info->stray_key[0])
			snprintf(info->stray_key, sizeof(info->stray_key), "%s", line);
	}
}

int kp_vmdk_parse(const void *head, size_t len, struct kp_vmdk_info *info, struct kp_error *err)
{
	struct kp_vmdk_header h;
	uint64_t doff, dsize;
	char *text;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(h))
		return kp_fail(err, EINVAL, "it is shorter than a VMDK header (%zu bytes)", len);
	memcpy(&h, head, sizeof(h));
	if (le32toh(h.magic) != KP_VMDK_MAGIC)
		return kp_fail(err, EINVAL, "it does not start with the VMDK magic 'KDMV' (is it a monolithic sparse or stream-optimized VMDK?)");
	info->version = le32toh(h.version);
	info->flags = le32toh(h.flags);
	info->capacity_sectors = le64toh(h.capacity);
	info->compress_algorithm = le16toh(h.compress_algorithm);
	doff = le64toh(h.descriptor_offset);
	dsize = le64toh(h.descriptor_size);
	if (doff == 0 || dsize == 0)
		return kp_fail(err, EINVAL, "its header points to no embedded descriptor");
	if (doff > len / KP_VMDK_SECTOR || dsize > len / KP_VMDK_SECTOR - doff)
		return kp_fail(err, EINVAL, "its descriptor (sectors %" PRIu64 "+%" PRIu64 ") lies beyond the first %zu bytes", doff, dsize, len);
	text = calloc(1, dsize * KP_VMDK_SECTOR + 1);
	if (!text)
		return kp_fail(err, ENOMEM, "out of memory reading a VMDK descriptor");
	memcpy(text, (const char *)head + doff * KP_VMDK_SECTOR, dsize * KP_VMDK_SECTOR);
	parse_descriptor(text, info);
	free(text);
	return 0;
}

int kp_vmdk_read_file(const char *path, struct kp_vmdk_info *info, struct kp_error *err)
{
	char *buf = malloc(KP_VMDK_HEAD_MAX);
	size_t got = 0;
	int fd, r;

	if (!buf)
		return kp_fail(err, ENOMEM, "out of memory reading '%s'", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = kp_fail_errno(err, errno, "cannot open disk '%s'", path);
		free(buf);
		return r;
	}
	while (got < KP_VMDK_HEAD_MAX) {
		ssize_t n = read(fd, buf + got, KP_VMDK_HEAD_MAX - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = kp_fail_errno(err, errno, "cannot read disk '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	r = kp_vmdk_parse(buf, got, info, err);
	if (r < 0) {
		struct kp_error inner = *err;
		r = kp_fail(err, EINVAL, "disk '%s' is not a usable VMDK: %s", path, inner.msg);
	}
out:
	close(fd);
	free(buf);
	return r;
}

int kp_vmdk_check_stream_optimized(const struct kp_vmdk_info *info, const char *name,
				   struct kp_error *err)
{
	if (strcmp(info->create_type, "streamOptimized") != 0)
		return kp_fail(err, EINVAL, "disk '%s' has createType \"%s\", not \"streamOptimized\" (make it with qemu-img convert -O vmdk -o subformat=streamOptimized)",
			       name, info->create_type[0] ? info->create_type : "(none)");
	if (info->version != 3)
		return kp_fail(err, EINVAL, "disk '%s' has VMDK header version %" PRIu32 "; ESXi imports stream-optimized disks only with version 3",
			       name, info->version);
	if ((info->flags & (KP_VMDK_FLAG_COMPRESSED | KP_VMDK_FLAG_MARKERS)) != (KP_VMDK_FLAG_COMPRESSED | KP_VMDK_FLAG_MARKERS) ||
	    info->compress_algorithm != KP_VMDK_COMPRESS_DEFLATE)
		return kp_fail(err, EINVAL, "disk '%s' says streamOptimized but its header lacks deflate-compressed grains with markers", name);
	if (info->extents != 1 || info->extent_sectors != info->capacity_sectors)
		return kp_fail(err, EINVAL, "disk '%s': its descriptor lists %u extent(s) of %" PRIu64 " sectors, but the header capacity is %" PRIu64 " sectors",
			       name, info->extents, info->extent_sectors, info->capacity_sectors);
	if (info->stray_key[0])
		return kp_fail(err, EINVAL, "disk '%s': its descriptor has the unexpected key '%s'", name, info->stray_key);
	return 0;
}
