/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_atomic_args.c -- the 8-byte atomics refuse bad arguments before
 * touching the device: these handles are fakes with no QP behind them, so
 * any call that got as far as posting would crash.  Out-parameters stay
 * untouched.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "libpmr.h"

static struct pmr_conn conn, other;
static struct pmr_region rw, ro, old_server, no_atomics;
static struct pmr_mr mr_dst, mr_src, mr_other;
static uint64_t words[8];

/* setup -- a v3 connection, regions with and without atomics, MRs */
static void setup(void)
{
	memset(&conn, 0, sizeof(conn));
	memset(&other, 0, sizeof(other));
	conn.version = PMR_PROTO_VERSION_ATOMICS;
	conn.local_methods = PMR_METHOD_RAW | PMR_METHOD_SERVER;
	conn.local_atomics = true;
	rw = (struct pmr_region){ .conn = &conn,
				  .size = 4096,
				  .methods = PMR_METHOD_SERVER,
				  .method = PMR_METHOD_SERVER,
				  .atomics = PMR_ATOMICS_RDMA };
	ro = rw;
	ro.ro = true;
	ro.atomics = 0;
	no_atomics = rw;
	no_atomics.atomics = 0;
	old_server = no_atomics;
	old_server.conn = &other;
	other.version = PMR_PROTO_VERSION_AUTH;
	other.local_atomics = true;
	mr_dst = (struct pmr_mr){ .conn = &conn,
				  .ptr = (uint8_t *)words,
				  .len = sizeof(words),
				  .usage = PMR_MR_READ_DST };
	mr_src = mr_dst;
	mr_src.usage = PMR_MR_WRITE_SRC;
	mr_other = mr_dst;
	mr_other.conn = &other;
}

TestSuite(atomic_args, .init = setup);

Test(atomic_args, null_handles)
{
	uint64_t old = 42;

	cr_expect_eq(pmr_region_atomic_write(NULL, 0, 1), -EINVAL);
	cr_expect_eq(pmr_region_cas(NULL, 0, 0, 1, &old), -EINVAL);
	cr_expect_eq(pmr_region_fetch_add(NULL, 0, 1, &old), -EINVAL);
	cr_expect_eq(pmr_region_post_atomic_write(NULL, 0, 1, 1), -EINVAL);
	cr_expect_eq(pmr_region_post_cas(NULL, &mr_dst, 0, 0, 0, 1, 1),
		     -EINVAL);
	cr_expect_eq(pmr_region_post_fetch_add(NULL, &mr_dst, 0, 0, 1, 1),
		     -EINVAL);
	cr_expect_eq(pmr_region_atomic_write_path(NULL), 0);
	cr_expect_eq(old, 42);
}

Test(atomic_args, misaligned_is_einval_before_anything)
{
	uint64_t old = 42;

	for (uint64_t off = 1; off < 8; off++) {
		cr_expect_eq(pmr_region_atomic_write(&rw, off, 1), -EINVAL);
		cr_expect_eq(pmr_region_cas(&rw, off, 0, 1, &old), -EINVAL);
		cr_expect_eq(pmr_region_fetch_add(&rw, off, 1, &old), -EINVAL);
		cr_expect_eq(pmr_region_post_atomic_write(&rw, off, 1, 1),
			     -EINVAL);
		cr_expect_eq(pmr_region_post_cas(&rw, &mr_dst, 0, off, 0, 1, 1),
			     -EINVAL);
		cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 0, off, 1,
						       1),
			     -EINVAL);
		/* also on a read-only handle and past the end */
		cr_expect_eq(pmr_region_atomic_write(&ro, off, 1), -EINVAL);
		cr_expect_eq(pmr_region_cas(&rw, 4096 + off, 0, 1, &old),
			     -EINVAL);
	}
	cr_expect_eq(old, 42);
}

Test(atomic_args, range)
{
	uint64_t old = 42;

	cr_expect_eq(pmr_region_atomic_write(&rw, 4096, 1), PMR_E_RANGE);
	cr_expect_eq(pmr_region_cas(&rw, 4096, 0, 1, &old), PMR_E_RANGE);
	cr_expect_eq(pmr_region_fetch_add(&rw, UINT64_MAX - 7, 1, &old),
		     PMR_E_RANGE);
	cr_expect_eq(pmr_region_post_atomic_write(&rw, 8192, 1, 1),
		     PMR_E_RANGE);
	cr_expect_eq(pmr_region_post_cas(&rw, &mr_dst, 0, 4096, 0, 1, 1),
		     PMR_E_RANGE);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 8, 4096, 1, 1),
		     PMR_E_RANGE);
	cr_expect_eq(old, 42);
}

Test(atomic_args, read_only)
{
	uint64_t old = 42;

	cr_expect_eq(pmr_region_atomic_write(&ro, 0, 1), PMR_E_READONLY);
	cr_expect_eq(pmr_region_cas(&ro, 0, 0, 1, &old), PMR_E_READONLY);
	cr_expect_eq(pmr_region_fetch_add(&ro, 0, 1, &old), PMR_E_READONLY);
	cr_expect_eq(pmr_region_post_atomic_write(&ro, 0, 1, 1),
		     PMR_E_READONLY);
	cr_expect_eq(pmr_region_post_cas(&ro, &mr_dst, 0, 0, 0, 1, 1),
		     PMR_E_READONLY);
	cr_expect_eq(pmr_region_post_fetch_add(&ro, &mr_dst, 0, 0, 1, 1),
		     PMR_E_READONLY);
	cr_expect_eq(pmr_region_atomic_write_path(&ro), 0);
	cr_expect_eq(old, 42);
}

Test(atomic_args, unsupported_without_atomics)
{
	uint64_t old = 42;

	cr_expect_eq(pmr_region_cas(&no_atomics, 0, 0, 1, &old),
		     PMR_E_UNSUPPORTED);
	cr_expect_eq(pmr_region_fetch_add(&no_atomics, 0, 1, &old),
		     PMR_E_UNSUPPORTED);
	cr_expect_eq(pmr_region_post_cas(&no_atomics, &mr_dst, 0, 0, 0, 1, 1),
		     PMR_E_UNSUPPORTED);
	/* the key has them, this client's device does not */
	conn.local_atomics = false;
	cr_expect_eq(pmr_region_fetch_add(&rw, 0, 1, &old), PMR_E_UNSUPPORTED);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 0, 0, 1, 1),
		     PMR_E_UNSUPPORTED);
	/* a v2 server has no ATOMIC_WRITE request */
	cr_expect_eq(pmr_region_atomic_write_path(&old_server), 0);
	cr_expect_eq(pmr_region_atomic_write(&old_server, 0, 1),
		     PMR_E_UNSUPPORTED);
	cr_expect_eq(pmr_region_post_atomic_write(&old_server, 0, 1, 1),
		     PMR_E_UNSUPPORTED);
	cr_expect_eq(pmr_region_cas(&old_server, 0, 0, 1, &old),
		     PMR_E_UNSUPPORTED);
	cr_expect_eq(old, 42);
	/* while a v3 server's rw open has the SERVER path */
	cr_expect_eq(pmr_region_atomic_write_path(&no_atomics),
		     PMR_ATOMIC_WRITE_SERVER);
}

Test(atomic_args, no_method)
{
	uint64_t old = 42;

	rw.method = 0;
	cr_expect_eq(pmr_region_cas(&rw, 0, 0, 1, &old), PMR_E_NO_METHOD);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 0, 0, 1, 1),
		     PMR_E_NO_METHOD);
	cr_expect_eq(old, 42);
}

Test(atomic_args, destination_buffer)
{
	/* not a read destination, another connection's, too short,
	 * misaligned: -EINVAL before the region's own checks */
	cr_expect_eq(pmr_region_post_cas(&rw, &mr_src, 0, 0, 0, 1, 1), -EINVAL);
	cr_expect_eq(pmr_region_post_cas(&rw, &mr_other, 0, 0, 0, 1, 1),
		     -EINVAL);
	cr_expect_eq(pmr_region_post_cas(&rw, NULL, 0, 0, 0, 1, 1), -EINVAL);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, sizeof(words) - 4,
					       0, 1, 1),
		     -EINVAL);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 4, 0, 1, 1),
		     -EINVAL);
	cr_expect_eq(pmr_region_post_fetch_add(&ro, &mr_dst, 4, 0, 1, 1),
		     -EINVAL);
}

Test(atomic_args, lost_connection)
{
	uint64_t old = 42;

	conn.lost = PMR_E_CONN_LOST;
	cr_expect_eq(pmr_region_atomic_write(&rw, 0, 1), PMR_E_CONN_LOST);
	cr_expect_eq(pmr_region_cas(&rw, 0, 0, 1, &old), PMR_E_CONN_LOST);
	cr_expect_eq(pmr_region_post_fetch_add(&rw, &mr_dst, 0, 0, 1, 1),
		     PMR_E_CONN_LOST);
	cr_expect_eq(old, 42);
}
