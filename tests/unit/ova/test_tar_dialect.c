/* COMPAT 3: ustar while every member is below 8 GiB, GNU at 8 GiB and
 * above, never pax. The big headers are written to a capturing sink that
 * keeps the first block and then refuses more, so no 8 GiB is ever stored. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tar.h"

#define GIB (UINT64_C(1) << 30)

struct capture {
	unsigned char head[1024];
	size_t len;
	int calls;
};

static ssize_t capture_then_refuse(void *ctx, const void *buf, size_t len)
{
	struct capture *c = ctx;

	if (c->calls++ > 0)
		return -1;
	c->len = len < sizeof(c->head) ? len : sizeof(c->head);
	memcpy(c->head, buf, c->len);
	return (ssize_t)len;
}

/* Write only a header for name/size in format and return the first block. */
static void header_for(enum kp_tar_format fmt, uint64_t size, struct capture *c)
{
	struct kp_tar_writer w;
	struct kp_error err = { { 0 } };

	memset(c, 0, sizeof(*c));
	if (kp_tar_writer_open_sink(&w, capture_then_refuse, c, fmt, 0, "test", &err) < 0 ||
	    kp_tar_write_header(&w, "big.vmdk", size, &err) < 0) {
		printf("# %s\n", err.msg);
		kp_tar_writer_abort(&w);
		return;
	}
	/* Closing pads the missing data with zeros; the sink refuses after
	 * the first block, so this fails quickly, as intended. */
	kp_tar_writer_close(&w, &err);
}

static uint64_t base256(const unsigned char *f, size_t n)
{
	uint64_t v = f[0] & 0x7f;
	for (size_t i = 1; i < n; i++)
		v = (v << 8) | f[i];
	return v;
}

static void choice_at_the_boundary(void)
{
	is_int(kp_tar_format_for_size(8 * GIB - 1), KP_TAR_USTAR, "8 GiB - 1 byte -> ustar");
	is_int(kp_tar_format_for_size(8 * GIB), KP_TAR_GNU, "exactly 8 GiB -> GNU");
	is_int(kp_tar_format_for_size(0), KP_TAR_USTAR, "empty -> ustar");
	is_int(kp_tar_format_for_size(UINT64_C(1) << 40), KP_TAR_GNU, "1 TiB -> GNU");
	is_int(KP_TAR_USTAR_MAX_SIZE, 077777777777ULL, "the ustar limit is 11 octal digits");
}

static void ustar_header_at_8gib_minus_one(void)
{
	struct capture c;

	header_for(KP_TAR_USTAR, 8 * GIB - 1, &c);
	if (!ok(c.len >= 512, "a ustar header block was written"))
		return;
	ok(memcmp(c.head + 257, "ustar\0" "00", 8) == 0, "POSIX ustar magic 'ustar\\0' version '00'");
	ok(memcmp(c.head + 124, "77777777777", 11) == 0, "size field holds 8 GiB - 1 in octal");
	ok(memcmp(c.head, "big.vmdk\0", 9) == 0, "name stored as given, no ./ prefix");
	is_int(c.head[156], '0', "typeflag '0': a regular file, not a pax 'x' header");
	ok(memcmp(c.head + 100, "000644 ", 7) == 0, "mode 0644");
	ok(memcmp(c.head + 108, "000000 ", 7) == 0 && memcmp(c.head + 116, "000000 ", 7) == 0, "uid and gid 0");
	ok(memcmp(c.head + 265, "root\0", 5) == 0 && memcmp(c.head + 297, "root\0", 5) == 0, "owner root:root");
}

static void gnu_header_at_9gib(void)
{
	struct capture c;

	header_for(KP_TAR_GNU, 9 * GIB, &c);
	if (!ok(c.len >= 512, "a GNU header block was written"))
		return;
	ok(memcmp(c.head + 257, "ustar  \0", 8) == 0, "GNU tar magic 'ustar  \\0'");
	ok(c.head[124] & 0x80, "size field uses GNU base-256 (high bit set)");
	is_int(base256(c.head + 124, 12), 9 * GIB, "base-256 size is exactly 9 GiB (a 64-bit value)");
	is_int(c.head[156], '0', "typeflag '0', no pax header");
}

static void ustar_refuses_8gib(void)
{
	struct kp_tar_writer w;
	struct kp_error err = { { 0 } };
	struct capture c = { { 0 }, 0, 0 };

	kp_tar_writer_open_sink(&w, capture_then_refuse, &c, KP_TAR_USTAR, 0, "test", &err);
	is_int(kp_tar_write_header(&w, "big.vmdk", 8 * GIB, &err), -EFBIG, "ustar writer refuses an 8 GiB member");
	like_str(err.msg, "8 GiB", "and says why");
	kp_tar_writer_abort(&w);
}

static void reader_reports_names_sizes_and_dialect(void)
{
	char path[] = "/tmp/kp-tar-test.XXXXXX";
	int fd = mkstemp(path);
	struct kp_tar_writer w;
	struct kp_tar_reader r;
	struct kp_tar_member m;
	struct kp_error err = { { 0 } };
	char buf[16];

	kp_tar_writer_open_fd(&w, fd, KP_TAR_USTAR, 1700000000, path, &err);
	kp_tar_add_buffer(&w, "a.ovf", "<E/>", 4, &err);
	kp_tar_add_buffer(&w, "a.mf", "", 0, &err);
	is_int(kp_tar_writer_close(&w, &err), 0, "small archive written");
	close(fd);
	is_int(kp_tar_reader_open(&r, path, &err), 0, "archive opened for reading");
	is_int(kp_tar_reader_next(&r, &m, &err), 1, "first member");
	is_str(m.name, "a.ovf", "first member name");
	is_int(m.size, 4, "first member size");
	is_int(m.format, KP_TAR_USTAR, "reader sees ustar");
	is_int(kp_tar_reader_read(&r, buf, sizeof(buf), &err), 4, "data read back");
	is_int(kp_tar_reader_next(&r, &m, &err), 1, "second member");
	is_str(m.name, "a.mf", "second member name");
	is_int(kp_tar_reader_next(&r, &m, &err), 0, "end of archive");
	kp_tar_reader_close(&r);
	unlink(path);
}

static void member_names(void)
{
	struct kp_error err = { { 0 } };
	char long_name[102];

	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	is_int(kp_tar_check_name("kopanion-1.0.ovf", &err), 0, "plain name accepted");
	ok(kp_tar_check_name("./a.ovf", &err) < 0, "./ prefix refused");
	ok(kp_tar_check_name("dir/a.vmdk", &err) < 0, "directory part refused");
	ok(kp_tar_check_name(long_name, &err) < 0, "101 characters refused");
	long_name[100] = '\0';
	is_int(kp_tar_check_name(long_name, &err), 0, "100 characters accepted");
	ok(kp_tar_check_name("caf\xc3\xa9.vmdk", &err) < 0, "non-ASCII refused");
}

int main(void)
{
	choice_at_the_boundary();
	ustar_header_at_8gib_minus_one();
	gnu_header_at_9gib();
	ustar_refuses_8gib();
	reader_reports_names_sizes_and_dialect();
	member_names();
	return done_testing();
}
