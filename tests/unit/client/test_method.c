/* SPDX-License-Identifier: BSD-3-Clause */
/* test_method.c -- persistence method choice: cheapest, forced, refused */
#include <criterion/criterion.h>
#include <errno.h>

#include "check.h"
#include "libpmr.h"
#include "pmr_proto.h"

#define ALL (PMR_METHOD_RAW | PMR_METHOD_FLUSH | PMR_METHOD_SERVER)

Test(method, bits_match_the_wire)
{
	cr_assert_eq(PMR_METHOD_SERVER, PMR_PERSIST_SERVER);
	cr_assert_eq(PMR_METHOD_FLUSH, PMR_PERSIST_FLUSH);
	cr_assert_eq(PMR_METHOD_RAW, PMR_PERSIST_RAW);
}

Test(method, auto_picks_cheapest)
{
	cr_assert_eq(pmr_method_pick(ALL, ALL, PMR_METHOD_AUTO),
		     PMR_METHOD_RAW);
	cr_assert_eq(pmr_method_pick(PMR_METHOD_FLUSH | PMR_METHOD_SERVER, ALL,
				     PMR_METHOD_AUTO),
		     PMR_METHOD_FLUSH);
	cr_assert_eq(pmr_method_pick(PMR_METHOD_SERVER, ALL, PMR_METHOD_AUTO),
		     PMR_METHOD_SERVER);
}

Test(method, auto_respects_what_the_client_can_do)
{
	/* a client built without ibv_wr_flush cannot use FLUSH */
	unsigned int local = PMR_METHOD_RAW | PMR_METHOD_SERVER;

	cr_assert_eq(pmr_method_pick(PMR_METHOD_FLUSH | PMR_METHOD_SERVER,
				     local, PMR_METHOD_AUTO),
		     PMR_METHOD_SERVER);
	cr_assert_eq(pmr_method_pick(PMR_METHOD_FLUSH, local, PMR_METHOD_AUTO),
		     PMR_E_NO_METHOD);
}

Test(method, nothing_advertised)
{
	cr_assert_eq(pmr_method_pick(0, ALL, PMR_METHOD_AUTO), PMR_E_NO_METHOD);
	/* unknown future bits are ignored, not picked */
	cr_assert_eq(pmr_method_pick(1u << 7, ALL, PMR_METHOD_AUTO),
		     PMR_E_NO_METHOD);
}

Test(method, forced)
{
	cr_assert_eq(pmr_method_pick(ALL, ALL, PMR_METHOD_SERVER),
		     PMR_METHOD_SERVER);
	cr_assert_eq(pmr_method_pick(ALL, ALL, PMR_METHOD_FLUSH),
		     PMR_METHOD_FLUSH);
	cr_assert_eq(pmr_method_pick(PMR_METHOD_SERVER, ALL, PMR_METHOD_RAW),
		     PMR_E_NO_METHOD);
	cr_assert_eq(pmr_method_pick(ALL, PMR_METHOD_SERVER, PMR_METHOD_FLUSH),
		     PMR_E_NO_METHOD);
}

Test(method, invalid_requests)
{
	cr_assert_eq(pmr_method_pick(ALL, ALL,
				     PMR_METHOD_RAW | PMR_METHOD_FLUSH),
		     -EINVAL);
	cr_assert_eq(pmr_method_pick(ALL, ALL, 1u << 5), -EINVAL);
}
