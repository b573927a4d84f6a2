/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_pattern.c -- position-dependent test bytes for the ODP self-test and
 * the check of a buffer that one RDMA WRITE should have filled.
 */
#include "odp_pattern.h"

/* pattern_byte -- a mixed hash of (SEED, POS): no period a page could hide */
static uint8_t pattern_byte(uint32_t seed, size_t pos)
{
	uint32_t x = (uint32_t)pos * 0x9e3779b1u ^ seed * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)(x >> 8);
}

/* pmrd_odp_pattern_fill -- see odp_pattern.h */
void pmrd_odp_pattern_fill(uint8_t *buf, size_t pos, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern_byte(seed, pos + i);
}

/* pmrd_odp_pattern_diff -- see odp_pattern.h */
size_t pmrd_odp_pattern_diff(const uint8_t *buf, size_t pos, size_t n,
			     uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern_byte(seed, pos + i))
			return i;
	return n;
}

/* pmrd_odp_window_check -- see odp_pattern.h */
int pmrd_odp_window_check(const uint8_t *buf, size_t size, size_t off, size_t n,
			  uint32_t seed, size_t *ret_bad)
{
	size_t i;

	for (i = 0; i < off && i < size; i++)
		if (buf[i])
			goto out_bad;
	i = pmrd_odp_pattern_diff(buf + off, off, n, seed);
	if (i < n) {
		i += off;
		goto out_bad;
	}
	for (i = off + n; i < size; i++)
		if (buf[i])
			goto out_bad;
	return 0;

out_bad:
	*ret_bad = i;
	return -1;
}
