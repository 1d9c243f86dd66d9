/* The VMDK sparse header (COMPAT 4, 7): capacity in 512-byte sectors,
 * version 3 for streamOptimized, and a descriptor without stray keys. */
#include <endian.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vmdk.h"

#define HEAD_LEN (21 * 512)

static char *make_head(uint32_t version, uint32_t flags, uint64_t capacity, const char *descriptor)
{
	char *buf = calloc(1, HEAD_LEN);
	struct kp_vmdk_header h;

	memset(&h, 0, sizeof(h));
	h.magic = htole32(KP_VMDK_MAGIC);
	h.version = htole32(version);
	h.flags = htole32(flags);
	h.capacity = htole64(capacity);
	h.grain_size = htole64(128);
	h.descriptor_offset = htole64(1);
	h.descriptor_size = htole64(20);
	h.compress_algorithm = htole16(1);
	memcpy(buf, &h, sizeof(h));
	snprintf(buf + 512, 20 * 512, "%s", descriptor);
	return buf;
}

static const char *desc(const char *create_type, unsigned long long sectors, const char *extra)
{
	static char d[2048];
	snprintf(d, sizeof(d),
		 "# Disk DescriptorFile\nversion=1\nCID=aaf55c36\nparentCID=ffffffff\ncreateType=\"%s\"\n"
		 "# Extent description\nRW %llu SPARSE \"disk.vmdk\"\n\n# The Disk Data Base\n#DDB\n\n"
		 "ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n%s",
		 create_type, sectors, extra);
	return d;
}

int main(void)
{
	struct kp_vmdk_info info;
	struct kp_error err = { { 0 } };
	char *h;

	ok(offsetof(struct kp_vmdk_header, capacity) == 12, "capacity at byte 12 (packed, as in the spec)");
	ok(offsetof(struct kp_vmdk_header, compress_algorithm) == 77, "compressAlgorithm at byte 77");

	h = make_head(3, 0x30003, 131072, desc("streamOptimized", 131072, ""));
	is_int(kp_vmdk_parse(h, HEAD_LEN, &info, &err), 0, "a qemu-img style header parses");
	is_int(info.version, 3, "version 3");
	is_int(info.capacity_sectors, 131072, "capacity in sectors");
	is_int(kp_vmdk_virtual_size(&info), 64 << 20, "virtual size = capacity x 512");
	is_str(info.create_type, "streamOptimized", "createType read from the descriptor");
	is_int(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err), 0, "passes the COMPAT 7 check");
	free(h);

	h = make_head(1, 0x30003, 131072, desc("streamOptimized", 131072, ""));
	kp_vmdk_parse(h, HEAD_LEN, &info, &err);
	is_int(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err), -EINVAL, "version 1 is refused");
	like_str(err.msg, "version 1", "the message names the version");
	free(h);

	h = make_head(3, 0x30003, 131072, desc("monolithicSparse", 131072, ""));
	kp_vmdk_parse(h, HEAD_LEN, &info, &err);
	ok(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err) < 0, "monolithicSparse is refused");
	like_str(err.msg, "subformat=streamOptimized", "and the message says how to make the right one");
	free(h);

	h = make_head(3, 0x30003, 131072, desc("streamOptimized", 131072, "parentFileNameHint=\"base.vmdk\"\n"));
	kp_vmdk_parse(h, HEAD_LEN, &info, &err);
	ok(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err) < 0, "a stray descriptor key is refused");
	like_str(err.msg, "parentFileNameHint", "and named");
	free(h);

	h = make_head(3, 0x30003, 131072, desc("streamOptimized", 65536, ""));
	kp_vmdk_parse(h, HEAD_LEN, &info, &err);
	ok(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err) < 0, "an extent smaller than the capacity is refused");
	free(h);

	h = make_head(3, 0x3, 131072, desc("streamOptimized", 131072, ""));
	kp_vmdk_parse(h, HEAD_LEN, &info, &err);
	ok(kp_vmdk_check_stream_optimized(&info, "disk.vmdk", &err) < 0, "streamOptimized without compressed grains is refused");
	free(h);

	h = make_head(3, 0x30003, 131072, desc("streamOptimized", 131072, ""));
	h[0] = 'X';
	is_int(kp_vmdk_parse(h, HEAD_LEN, &info, &err), -EINVAL, "wrong magic is not a VMDK");
	like_str(err.msg, "KDMV", "the message names the magic");
	is_int(kp_vmdk_parse(h, 100, &info, &err), -EINVAL, "a truncated header is refused");
	h[0] = 'K';
	is_int(kp_vmdk_parse(h, 1024, &info, &err), -EINVAL, "a descriptor beyond the data read is refused");
	free(h);
	return done_testing();
}
