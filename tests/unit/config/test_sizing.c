/* The sizing rule: disk = system + 2 x planned data, whole MiB rounded up,
 * computed without floating point. */
#include <errno.h>
#include <stdint.h>

#include "sizing.h"
#include "tap.h"

static uint64_t nano(const char *text)
{
	uint64_t v = UINT64_MAX;

	kp_decimal_parse(text, &v);
	return v;
}

static void test_decimal_parse(void)
{
	uint64_t v = 0;

	is_int(nano("12.5"), 12500000000ULL, "12.5 is 12.5e9 nano-GiB exactly");
	is_int(nano("20"), 20000000000ULL, "a whole number has no fraction");
	is_int(nano("0"), 0, "zero is zero");
	is_int(nano("0.0001"), 100000, "four decimals are kept exactly");
	is_int(nano("0.000000001"), 1, "nine decimals are the finest step");
	is_int(kp_decimal_parse("0.0000000001", &v), -ERANGE, "a tenth decimal is refused, not rounded away");
	is_int(kp_decimal_parse("-1", &v), -EINVAL, "a sign is not a number here");
	is_int(kp_decimal_parse("1e3", &v), -EINVAL, "an exponent is refused");
	is_int(kp_decimal_parse("1.", &v), -EINVAL, "a bare point is refused");
	is_int(kp_decimal_parse(".5", &v), -EINVAL, "a leading point is refused");
	is_int(kp_decimal_parse("", &v), -EINVAL, "empty text is refused");
	is_int(kp_decimal_parse("12.5GiB", &v), -EINVAL, "a unit suffix is refused");
	is_int(kp_decimal_parse("99999999999", &v), -ERANGE, "a huge number is refused before it overflows");
}

static void test_disk_mib(void)
{
	is_int(kp_disk_mib(30, nano("12.5")), 56320, "30 + 2 x 12.5 GiB = 55 GiB = 56320 MiB");
	is_int(kp_disk_mib(30, nano("20")), 71680, "kopanion.yaml: 30 + 2 x 20 GiB = 70 GiB = 71680 MiB");
	is_int(kp_disk_mib(4, nano("0")), 4096, "tiny profile: 4 GiB and no data = 4096 MiB");
	is_int(kp_disk_mib(30, nano("0.0001")), 30 * 1024 + 1,
	       "0.0001 GiB of data (0.2 MiB doubled) rounds up to one whole MiB");
	is_int(kp_disk_mib(30, nano("0.000000001")), 30 * 1024 + 1, "the smallest step still adds a MiB");
	is_int(kp_disk_mib(4, nano("0.1")), 4096 + 205, "0.1 GiB doubled is 204.8 MiB, rounded up to 205");
	is_int(kp_disk_mib(4, nano("0.5")), 4096 + 1024, "an exact MiB count is not rounded up further");
	is_int(kp_disk_mib(4, nano("0.001953125")), 4096 + 4,
	       "2/1024 GiB = 2 MiB, doubled is exactly 4 MiB (no rounding error adds a fifth)");
	is_int(kp_disk_mib(4096, nano("65536")), 4096ULL * 1024 + 2ULL * 65536 * 1024,
	       "the largest allowed sizes do not overflow");
}

int main(void)
{
	test_decimal_parse();
	test_disk_mib();
	return done_testing();
}
