/* SPDX-License-Identifier: BSD-3-Clause */
/* test_range.c -- region bounds, buffer bounds, overflow, chunk counts */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "libpmr.h"

Test(range, inside_and_edges)
{
	cr_assert_eq(pmr_check_range(4096, 0, 4096), 0);
	cr_assert_eq(pmr_check_range(4096, 4095, 1), 0);
	cr_assert_eq(pmr_check_range(4096, 4096, 0), 0);
	cr_assert_eq(pmr_check_range(4096, 0, 0), 0);
	cr_assert_eq(pmr_check_range(0, 0, 0), 0);
}

Test(range, outside)
{
	cr_assert_eq(pmr_check_range(4096, 4096, 1), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(4096, 0, 4097), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(4096, 4097, 0), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(0, 0, 1), PMR_E_RANGE);
}

Test(range, overflow_is_out_of_range)
{
	cr_assert_eq(pmr_check_range(4096, UINT64_MAX, 2), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(4096, 8, UINT64_MAX - 4), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(UINT64_MAX, UINT64_MAX, 1), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(UINT64_MAX, 1, UINT64_MAX), PMR_E_RANGE);
	cr_assert_eq(pmr_check_range(UINT64_MAX, 1, UINT64_MAX - 1), 0);
}

Test(buf, caller_buffer)
{
	cr_assert_eq(pmr_check_buf(100, 0, 100), 0);
	cr_assert_eq(pmr_check_buf(100, 100, 0), 0);
	cr_assert_eq(pmr_check_buf(100, 1, 100), -EINVAL);
	cr_assert_eq(pmr_check_buf(100, SIZE_MAX, 2), -EINVAL);
	cr_assert_eq(pmr_check_buf(100, 2, SIZE_MAX), -EINVAL);
}

Test(chunks, split_at_max)
{
	cr_assert_eq(pmr_chunks(0, 4096), 0);
	cr_assert_eq(pmr_chunks(1, 4096), 1);
	cr_assert_eq(pmr_chunks(4096, 4096), 1);
	cr_assert_eq(pmr_chunks(4097, 4096), 2);
	cr_assert_eq(pmr_chunks(1ull << 31, 1ull << 30), 2);
	cr_assert_eq(pmr_chunks(UINT64_MAX, 1ull << 30),
		     (UINT64_MAX >> 30) + 1);
	cr_assert_eq(pmr_chunks(5, 0), 5);
}
