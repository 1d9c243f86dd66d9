/* The seed's sizing rule: disk = system + 2 x planned data, in whole MiB
 * rounded up. The planned data may have decimals (12.5 GiB), so it is kept
 * as an exact count of nano-GiB, never as a float: 0.1 GiB must not turn
 * into 102.40000000000001 MiB and round up to one MiB too many. */
#ifndef KP_CONFIG_SIZING_H
#define KP_CONFIG_SIZING_H

#include <stdint.h>

#define KP_NANO_PER_GIB 1000000000ULL
#define KP_DECIMAL_MAX_PLACES 9
#define KP_MIB_PER_GIB 1024ULL
#define KP_BYTES_PER_MIB 1048576ULL

/* Parse "12", "12.5", "0.0001" (digits, optionally '.' and at most 9
 * decimals; no sign, no exponent) into nano-units. -EINVAL if it is not
 * such a number, -ERANGE if it has more decimals or exceeds 10^9. */
int kp_decimal_parse(const char *text, uint64_t *nano);

/* MiB of system_gib + 2 * planned data (nano-GiB), rounded up. */
uint64_t kp_disk_mib(uint64_t system_gib, uint64_t planned_data_nano_gib);

#endif
