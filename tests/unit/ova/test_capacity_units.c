/* COMPAT 4 and 11: capacity x units equals the virtual size exactly, in
 * byte * 2^30 when divisible, else byte * 2^20; never "MegaBytes". */
#include <errno.h>
#include <stdint.h>

#include "ovf.h"
#include "tap.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

int main(void)
{
	static const struct {
		uint64_t bytes, value;
		const char *units;
	} cases[] = {
		{ 64 * MIB, 64, "byte * 2^20" },
		{ 1 * MIB, 1, "byte * 2^20" },
		{ 2 * GIB, 2, "byte * 2^30" },
		{ 30 * GIB + MIB, 30 * 1024 + 1, "byte * 2^20" },
		{ 10240 * GIB, 10240, "byte * 2^30" },
		{ 1536 * MIB, 1536, "byte * 2^20" },
	};
	struct kp_error err = { { 0 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t value = 0;
		const char *units = NULL;
		int shift;

		is_int(kp_ovf_capacity_units(cases[i].bytes, &value, &units, &err), 0, "%llu bytes accepted", (unsigned long long)cases[i].bytes);
		is_int(value, cases[i].value, "%llu bytes -> capacity %llu", (unsigned long long)cases[i].bytes, (unsigned long long)cases[i].value);
		is_str(units, cases[i].units, "%llu bytes -> units '%s'", (unsigned long long)cases[i].bytes, cases[i].units);
		shift = units && units[9] == '3' ? 30 : 20;
		ok(value << shift == cases[i].bytes, "capacity x units gives back the exact size");
	}
	ok(kp_ovf_capacity_units(MIB + 512, &(uint64_t){ 0 }, &(const char *){ NULL }, &err) < 0,
	   "a size that is not a whole MiB is refused (rule 11), not rounded");
	like_str(err.msg, "multiple of 1 MiB", "and the message says what to do");
	ok(kp_ovf_capacity_units(0, &(uint64_t){ 0 }, &(const char *){ NULL }, &err) < 0, "an empty disk is refused");
	return done_testing();
}
