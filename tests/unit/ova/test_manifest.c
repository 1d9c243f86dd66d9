/* COMPAT 2: each manifest line is exactly `ALG(name)= <lowercase hex>\n`. */
#include <errno.h>
#include <stdlib.h>

#include "manifest.h"
#include "tap.h"

static const struct {
	enum kp_digest_alg alg;
	const char *line; /* digest of "abc" */
} lines[] = {
	{ KP_DIGEST_SHA1, "SHA1(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n" },
	{ KP_DIGEST_SHA256, "SHA256(a.ovf)= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n" },
	{ KP_DIGEST_SHA512, "SHA512(a.ovf)= ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f\n" },
};

static void lines_are_exact_for_each_digest(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct kp_manifest m = { 0 };
		struct kp_error err = { { 0 } };
		char hex[KP_DIGEST_HEX_MAX];

		kp_digest_buffer(lines[i].alg, "abc", 3, hex, &err);
		is_int(kp_manifest_append(&m, lines[i].alg, "a.ovf", hex, &err), 0, "append a %s line", kp_digest_alg_label(lines[i].alg));
		is_str(m.text, lines[i].line, "%s line is byte-exact (label, brackets, '= ', lowercase hex, LF)", kp_digest_alg_label(lines[i].alg));
		is_int(m.len, strlen(lines[i].line), "%s manifest length", kp_digest_alg_label(lines[i].alg));
		kp_manifest_free(&m);
	}
}

static void parser_accepts_ours_and_names_each_defect(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "SHA256(a.ovf)= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\r\n", "CR LF" },
		{ "SHA256(a.ovf)= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "line feed" },
		{ "SHA256(a.ovf)= BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n", "lowercase" },
		{ "SHA256(a.ovf)=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", "one space" },
		{ "sha256(a.ovf)= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", "capitals" },
		{ "SHA256(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n", "hex digits" },
		{ "SHA1(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n"
		  "SHA256(b.vmdk)= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", "one digest throughout" },
		{ "SHA1(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n"
		  "SHA1(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n", "both list" },
	};
	struct kp_manifest_entry *e;
	struct kp_error err = { { 0 } };
	size_t n;
	const char *good = "SHA1(a.ovf)= a9993e364706816aba3e25717850c26c9cd0d89d\n"
			   "SHA1(disk (1).vmdk)= a9993e364706816aba3e25717850c26c9cd0d89d\n";

	is_int(kp_manifest_parse(good, strlen(good), &e, &n, &err), 0, "a well-formed manifest parses");
	is_int(n, 2, "two entries");
	is_str(e[1].name, "disk (1).vmdk", "a name with brackets is read up to the last ')'");
	is_int(e[1].line, 2, "entries remember their line");
	free(e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(kp_manifest_parse(bad[i].text, strlen(bad[i].text), &e, &n, &err), -EINVAL, "rejected: %s", bad[i].why);
		like_str(err.msg, bad[i].why, "the message says why (%s)", bad[i].why);
	}
}

int main(void)
{
	lines_are_exact_for_each_digest();
	parser_accepts_ours_and_names_each_defect();
	return done_testing();
}
