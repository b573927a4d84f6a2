/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_odp_pattern.c -- the ODP self-test's verdict: a right copy passes,
 * and each way rxe's unfixed ODP copy goes wrong (the in-page offset
 * dropped, the source not advanced across a page) is caught.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "odp_pattern.h"

#define PAGE 4096u
#define SIZE (4 * PAGE)

static uint8_t mr[SIZE], src[SIZE];

/*
 * rxe_copy -- what a WRITE of SRC[0, N) to MR offset OFF does through a
 * copy that is right (BROKEN false) or rxe's 6.15+ ODP copy (BROKEN true):
 * each page's share goes to the start of its page, from the same source
 */
static void rxe_copy(size_t off, size_t n, bool broken)
{
	size_t done = 0;

	while (done < n) {
		size_t pos = off + done, in_page = pos % PAGE;
		size_t bytes = PAGE - in_page;

		if (bytes > n - done)
			bytes = n - done;
		if (broken)
			memcpy(mr + (pos - in_page), src, bytes);
		else
			memcpy(mr + pos, src + done, bytes);
		done += bytes;
	}
}

/* write_window -- zero the MR, make the source, copy it in */
static void write_window(size_t off, size_t n, bool broken)
{
	memset(mr, 0, sizeof(mr));
	pmrd_odp_pattern_fill(src, off, n, 1);
	rxe_copy(off, n, broken);
}

Test(odp_pattern, right_copy_passes)
{
	size_t bad = 12345;

	write_window(PAGE + 1000, 2 * PAGE + 100, false);
	cr_expect_eq(pmrd_odp_window_check(mr, SIZE, PAGE + 1000,
					   2 * PAGE + 100, 1, &bad),
		     0);
	cr_expect_eq(bad, 12345, "ret_bad touched on success");
}

Test(odp_pattern, dropped_offset_is_caught)
{
	size_t bad;

	write_window(PAGE + 1000, 2 * PAGE + 100, true);
	cr_assert_eq(pmrd_odp_window_check(mr, SIZE, PAGE + 1000,
					   2 * PAGE + 100, 1, &bad),
		     -1);
	/* the first page's share landed at its start */
	cr_expect_eq(bad, PAGE, "first wrong byte at %zu", bad);
}

Test(odp_pattern, one_page_at_offset_zero_is_right_even_broken)
{
	size_t bad;

	/* why the old tests passed: offset 0 within one page is fine */
	write_window(PAGE, 512, true);
	cr_expect_eq(pmrd_odp_window_check(mr, SIZE, PAGE, 512, 1, &bad), 0);
}

Test(odp_pattern, repeated_source_across_pages_is_caught)
{
	size_t bad;

	/* page aligned but two pages: the second gets the first's bytes */
	write_window(PAGE, 2 * PAGE, true);
	cr_assert_eq(pmrd_odp_window_check(mr, SIZE, PAGE, 2 * PAGE, 1, &bad),
		     -1);
	cr_expect_geq(bad, 2 * PAGE);
}

Test(odp_pattern, stray_bytes_outside_the_window_are_caught)
{
	size_t bad;

	write_window(1000, 100, false);
	mr[SIZE - 1] = 1;
	cr_assert_eq(pmrd_odp_window_check(mr, SIZE, 1000, 100, 1, &bad), -1);
	cr_expect_eq(bad, SIZE - 1);
}

Test(odp_pattern, the_pattern_depends_on_position)
{
	uint8_t a[PAGE], b[PAGE];

	pmrd_odp_pattern_fill(a, 0, PAGE, 2);
	pmrd_odp_pattern_fill(b, 1000, PAGE, 2);
	cr_expect_neq(memcmp(a, b, PAGE), 0);
	cr_expect_eq(pmrd_odp_pattern_diff(b, 1000, PAGE, 2), PAGE);
	cr_expect_lt(pmrd_odp_pattern_diff(a, 1000, PAGE, 2), 8);
}
