#include "sizing.h"

#include <errno.h>
#include <string.h>

#define MAX_WHOLE 1000000000ULL

int kp_decimal_parse(const char *text, uint64_t *nano)
{
	uint64_t whole = 0, frac = 0;
	unsigned places = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > MAX_WHOLE)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++places > KP_DECIMAL_MAX_PLACES)
				return -ERANGE;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
	}
	if (*p != '\0')
		return -EINVAL;
	for (; places < KP_DECIMAL_MAX_PLACES; places++)
		frac *= 10;
	*nano = whole * KP_NANO_PER_GIB + frac;
	return 0;
}

uint64_t kp_disk_mib(uint64_t system_gib, uint64_t planned_data_nano_gib)
{
	/* 2 * 1024 MiB/GiB / 10^9 nano = 4 / 1953125, exactly. */
	uint64_t scaled = planned_data_nano_gib * 4;
	uint64_t data_mib = scaled / 1953125 + (scaled % 1953125 != 0);

	return system_gib * KP_MIB_PER_GIB + data_mib;
}
