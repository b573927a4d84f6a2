/* SPDX-License-Identifier: BSD-3-Clause */
/* check.c -- bounds, alignment and overflow checks done before anything is
 * posted */
#include <errno.h>

#include "check.h"
#include "libpmr.h"

/* pmr_check_range -- is [off, off+len) inside a region of SIZE bytes */
int pmr_check_range(uint64_t size, uint64_t off, uint64_t len)
{
	/* written so that off + len cannot overflow */
	if (off > size || len > size - off)
		return PMR_E_RANGE;
	return 0;
}

/* pmr_check_word -- is OFF an 8-aligned word inside a region of SIZE */
int pmr_check_word(uint64_t size, uint64_t off)
{
	if (off % 8)
		return -EINVAL;
	return pmr_check_range(size, off, 8);
}

/* pmr_check_buf -- is [off, off+len) inside the caller's buffer */
int pmr_check_buf(size_t size, size_t off, size_t len)
{
	if (off > size || len > size - off)
		return -EINVAL;
	return 0;
}

/* pmr_check_open_flags -- see check.h */
int pmr_check_open_flags(unsigned int flags)
{
	unsigned int excl = PMR_OPEN_EXCL | PMR_OPEN_TAKEOVER;

	if (flags & ~(PMR_OPEN_RO | excl))
		return -EINVAL;
	if ((flags & PMR_OPEN_RO) && (flags & excl))
		return -EINVAL;
	return 0;
}

/* pmr_chunks -- work requests needed for LEN bytes at MAX bytes each */
uint64_t pmr_chunks(uint64_t len, uint64_t max)
{
	if (max == 0)
		max = 1;
	return len / max + (len % max != 0);
}
