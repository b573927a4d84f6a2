/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_pace.c -- a long PERSIST's thread pauses between chunks only while
 * the loop serves other requests lately, PMRD_PACE_FACTOR times as long
 * as the chunk took, capped.
 */
#include <criterion/criterion.h>

#include "pace.h"

#define MS    (1000ull * 1000)
#define T0    (1000 * MS) /* some monotonic time */
#define CHUNK (2 * MS)
#define PAUSE (CHUNK * PMRD_PACE_FACTOR)

Test(pace, full_speed_while_nobody_else_is_served)
{
	struct pmrd_pace p;

	pmrd_pace_start(&p, 41);
	cr_assert_eq(pmrd_pace_next(&p, 41, T0, CHUNK), 0);
	cr_assert_eq(pmrd_pace_next(&p, 41, T0 + 3 * MS, CHUNK), 0);
}

Test(pace, paused_while_others_are_served)
{
	struct pmrd_pace p;

	pmrd_pace_start(&p, 41);
	cr_assert_eq(pmrd_pace_next(&p, 42, T0, CHUNK), PAUSE);
	cr_assert_eq(pmrd_pace_next(&p, 50, T0 + 5 * MS, MS),
		     MS * PMRD_PACE_FACTOR);
}

Test(pace, others_stay_active_between_their_requests)
{
	struct pmrd_pace p;

	pmrd_pace_start(&p, 0);
	cr_assert_eq(pmrd_pace_next(&p, 1, T0, CHUNK), PAUSE);
	/* a client waiting for its answer: no new request, still active */
	cr_assert_eq(pmrd_pace_next(&p, 1, T0 + PMRD_PACE_ACTIVE_NS - 1, CHUNK),
		     PAUSE);
	/* gone quiet: full speed again */
	cr_assert_eq(pmrd_pace_next(&p, 1, T0 + PMRD_PACE_ACTIVE_NS, CHUNK), 0);
	/* and back */
	cr_assert_eq(pmrd_pace_next(&p, 2, T0 + 20 * PMRD_PACE_ACTIVE_NS,
				    CHUNK),
		     PAUSE);
}

Test(pace, the_pause_is_capped)
{
	struct pmrd_pace p;

	pmrd_pace_start(&p, 0);
	cr_assert_eq(pmrd_pace_next(&p, 1, T0, 10 * PMRD_PACE_MAX_NS),
		     PMRD_PACE_MAX_NS);
}

Test(pace, the_count_may_wrap)
{
	struct pmrd_pace p;

	pmrd_pace_start(&p, UINT64_MAX);
	cr_assert_eq(pmrd_pace_next(&p, 0, T0, CHUNK), PAUSE);
}
