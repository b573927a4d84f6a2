/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_pattern.h -- the bytes the ODP self-test (odp_selftest.c) moves, and
 * the check of where they landed.  Pure C (no verbs), so the verdict on a
 * misplacing data path is unit-tested without a device.
 */
#ifndef PMRD_ODP_PATTERN_H
#define PMRD_ODP_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * pmrd_odp_pattern_fill -- BUF[i] = the pattern byte of SEED at position
 * POS + i, for i < N.  A byte depends on its position, so a copy that lands
 * at another offset (rxe's dropped in-page offset) reads as wrong.
 */
void pmrd_odp_pattern_fill(uint8_t *buf, size_t pos, size_t n, uint32_t seed);

/*
 * pmrd_odp_pattern_diff -- index of the first byte of BUF[0, N) that is not
 * the pattern of SEED at position POS + i; N when all are right.
 */
size_t pmrd_odp_pattern_diff(const uint8_t *buf, size_t pos, size_t n,
			     uint32_t seed);

/*
 * pmrd_odp_window_check -- BUF[0, SIZE) must hold the pattern of SEED
 * (positions counted from BUF) in [OFF, OFF + N) and zeros everywhere
 * else: what memory looks like after one WRITE of that window into a zeroed
 * buffer.  0 when it does; -1 with *ret_bad the first wrong byte's offset.
 */
int pmrd_odp_window_check(const uint8_t *buf, size_t size, size_t off, size_t n,
			  uint32_t seed, size_t *ret_bad);

#endif
