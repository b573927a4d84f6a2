/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ratelimit.c -- BURST lines per window, the rest counted and handed
 * back once (at the next window's first line, or by flush)
 */
#include <criterion/criterion.h>

#include "ratelimit.h"

#define MS 1000000ull

Test(ratelimit, burst_then_suppressed_then_summary)
{
	struct pmrd_ratelimit rl;
	unsigned held, let = 0;

	pmrd_ratelimit_init(&rl, 1000, 3);
	for (unsigned i = 0; i < 100; i++) {
		if (pmrd_ratelimit_take(&rl, 5 * MS + i * MS, &held))
			let++;
		cr_expect_eq(held, 0);
	}
	cr_expect_eq(let, 3);
	/* the next window: its first line comes with the 97 held back */
	cr_expect(pmrd_ratelimit_take(&rl, 1005 * MS, &held));
	cr_expect_eq(held, 97);
	cr_expect(pmrd_ratelimit_take(&rl, 1006 * MS, &held));
	cr_expect_eq(held, 0);
}

Test(ratelimit, flush_hands_the_count_back_once)
{
	struct pmrd_ratelimit rl;
	unsigned held;

	pmrd_ratelimit_init(&rl, 1000, 1);
	cr_expect(pmrd_ratelimit_take(&rl, 10 * MS, &held));
	cr_expect_not(pmrd_ratelimit_take(&rl, 11 * MS, &held));
	cr_expect_not(pmrd_ratelimit_take(&rl, 12 * MS, &held));
	cr_expect_eq(pmrd_ratelimit_window_end(&rl), 1010 * MS);
	cr_expect_eq(pmrd_ratelimit_flush(&rl), 2);
	cr_expect_eq(pmrd_ratelimit_flush(&rl), 0);
	/* flushed: the next window reports nothing held */
	cr_expect(pmrd_ratelimit_take(&rl, 2000 * MS, &held));
	cr_expect_eq(held, 0);
}

/* a clock starting at 0 still starts a window */
Test(ratelimit, time_zero)
{
	struct pmrd_ratelimit rl;
	unsigned held;

	pmrd_ratelimit_init(&rl, 1000, 1);
	cr_expect(pmrd_ratelimit_take(&rl, 0, &held));
	cr_expect_not(pmrd_ratelimit_take(&rl, 1, &held));
}
