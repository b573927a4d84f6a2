/* SPDX-License-Identifier: BSD-3-Clause */
/* test_version.c -- pmr_version_negotiate: overlap, none, bad ranges */
#include <criterion/criterion.h>
#include <errno.h>

#include "pmr_proto.h"

Test(version, same_single_version)
{
	cr_assert_eq(pmr_version_negotiate(1, 1, 1, 1), 1);
	cr_assert_eq(
		pmr_version_negotiate(PMR_PROTO_VERSION_MIN, PMR_PROTO_VERSION,
				      PMR_PROTO_VERSION_MIN, PMR_PROTO_VERSION),
		PMR_PROTO_VERSION);
}

Test(version, highest_common_wins)
{
	cr_assert_eq(pmr_version_negotiate(1, 5, 2, 3), 3);
	cr_assert_eq(pmr_version_negotiate(2, 3, 1, 5), 3);
	cr_assert_eq(pmr_version_negotiate(1, 3, 3, 9), 3);
	cr_assert_eq(pmr_version_negotiate(3, 9, 1, 3), 3);
	cr_assert_eq(pmr_version_negotiate(1, 9, 1, 9), 9);
	cr_assert_eq(pmr_version_negotiate(1, UINT16_MAX, 7, UINT16_MAX),
		     UINT16_MAX);
}

Test(version, disjoint_ranges)
{
	cr_assert_eq(pmr_version_negotiate(1, 2, 3, 4), -EPROTONOSUPPORT);
	cr_assert_eq(pmr_version_negotiate(3, 4, 1, 2), -EPROTONOSUPPORT);
	cr_assert_eq(pmr_version_negotiate(2, 2, 1, 1), -EPROTONOSUPPORT);
}

Test(version, bad_ranges)
{
	cr_assert_eq(pmr_version_negotiate(3, 2, 1, 5), -EINVAL);
	cr_assert_eq(pmr_version_negotiate(1, 5, 3, 2), -EINVAL);
	cr_assert_eq(pmr_version_negotiate(0, 1, 1, 1), -EINVAL);
	cr_assert_eq(pmr_version_negotiate(0, 0, 0, 0), -EINVAL);
}

Test(version, symmetric_and_inside_both_ranges)
{
	for (int a0 = 1; a0 <= 6; a0++)
		for (int a1 = a0; a1 <= 6; a1++)
			for (int b0 = 1; b0 <= 6; b0++)
				for (int b1 = b0; b1 <= 6; b1++) {
					int v = pmr_version_negotiate(a0, a1,
								      b0, b1);

					cr_assert_eq(v,
						     pmr_version_negotiate(
							     b0, b1, a0, a1));
					if (a1 < b0 || b1 < a0) {
						cr_assert_eq(v,
							     -EPROTONOSUPPORT);
						continue;
					}
					cr_assert(v >= a0 && v <= a1);
					cr_assert(v >= b0 && v <= b1);
					cr_assert(v == a1 || v == b1);
				}
}
