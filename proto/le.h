/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * le.h -- explicit little-endian loads and stores on byte pointers
 *
 * Byte by byte on purpose: no alignment, aliasing or host byte order
 * assumptions, and compilers turn these into single moves anyway.
 */
#ifndef PMR_PROTO_LE_H
#define PMR_PROTO_LE_H

#include <stdint.h>

/* pmr_put_le16 -- store V at P as 2 little-endian bytes */
static inline void pmr_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* pmr_put_le32 -- store V at P as 4 little-endian bytes */
static inline void pmr_put_le32(uint8_t *p, uint32_t v)
{
	pmr_put_le16(p, (uint16_t)v);
	pmr_put_le16(p + 2, (uint16_t)(v >> 16));
}

/* pmr_put_le64 -- store V at P as 8 little-endian bytes */
static inline void pmr_put_le64(uint8_t *p, uint64_t v)
{
	pmr_put_le32(p, (uint32_t)v);
	pmr_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* pmr_get_le16 -- load 2 little-endian bytes at P */
static inline uint16_t pmr_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

/* pmr_get_le32 -- load 4 little-endian bytes at P */
static inline uint32_t pmr_get_le32(const uint8_t *p)
{
	return (uint32_t)pmr_get_le16(p) | (uint32_t)pmr_get_le16(p + 2) << 16;
}

/* pmr_get_le64 -- load 8 little-endian bytes at P */
static inline uint64_t pmr_get_le64(const uint8_t *p)
{
	return (uint64_t)pmr_get_le32(p) | (uint64_t)pmr_get_le32(p + 4) << 32;
}

#endif
