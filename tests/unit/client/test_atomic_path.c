/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_atomic_path.c -- the pure decisions of the 8-byte atomics: which
 * offsets are a word of the region, and which path an atomic write takes
 * for each combination of server offer, client ability, method and
 * protocol version
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "check.h"
#include "libpmr.h"
#include "pmr_proto.h"

Test(atomic_path, word_check)
{
	cr_expect_eq(pmr_check_word(4096, 0), 0);
	cr_expect_eq(pmr_check_word(4096, 4088), 0);
	cr_expect_eq(pmr_check_word(4096, 4096), PMR_E_RANGE);
	cr_expect_eq(pmr_check_word(4096, 4100), -EINVAL, "alignment first");
	cr_expect_eq(pmr_check_word(4096, 4), -EINVAL);
	cr_expect_eq(pmr_check_word(4096, 1), -EINVAL);
	cr_expect_eq(pmr_check_word(4, 0), PMR_E_RANGE, "region < 8 bytes");
	cr_expect_eq(pmr_check_word(UINT64_MAX - 7, UINT64_MAX - 7),
		     PMR_E_RANGE, "no overflow");
	cr_expect_eq(pmr_check_word(UINT64_MAX, UINT64_MAX - 15), 0);
}

Test(atomic_path, native_needs_every_link)
{
	unsigned int all = PMR_ATOMICS_ALL, v3 = PMR_PROTO_VERSION_ATOMICS;

	cr_expect_eq(pmr_atomic_write_path_pick(all, false, true, v3,
						PMR_METHOD_FLUSH),
		     PMR_ATOMIC_WRITE_NATIVE);
	cr_expect_eq(pmr_atomic_write_path_pick(all, false, true, v3,
						PMR_METHOD_SERVER),
		     PMR_ATOMIC_WRITE_NATIVE, "any persist method");
	/* the server does not offer it: its request */
	cr_expect_eq(pmr_atomic_write_path_pick(PMR_ATOMICS_RDMA, false, true,
						v3, PMR_METHOD_FLUSH),
		     PMR_ATOMIC_WRITE_SERVER);
	/* this client cannot post it (rdma-core 44, device) */
	cr_expect_eq(pmr_atomic_write_path_pick(all, false, false, v3,
						PMR_METHOD_FLUSH),
		     PMR_ATOMIC_WRITE_SERVER);
	/* no method to make it durable */
	cr_expect_eq(pmr_atomic_write_path_pick(all, false, true, v3, 0),
		     PMR_ATOMIC_WRITE_SERVER);
}

Test(atomic_path, none_for_ro_and_old_servers)
{
	unsigned int v3 = PMR_PROTO_VERSION_ATOMICS;

	cr_expect_eq(pmr_atomic_write_path_pick(PMR_ATOMICS_ALL, true, true, v3,
						PMR_METHOD_FLUSH),
		     0);
	cr_expect_eq(pmr_atomic_write_path_pick(0, false, true, 2,
						PMR_METHOD_SERVER),
		     0);
	cr_expect_eq(pmr_atomic_write_path_pick(0, false, true, 1,
						PMR_METHOD_SERVER),
		     0);
	cr_expect_eq(pmr_atomic_write_path_pick(0, false, false, v3, 0),
		     PMR_ATOMIC_WRITE_SERVER);
}
