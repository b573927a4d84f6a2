/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fence.c -- exclusive opens and fenced handles in libpmr, on fake
 * handles with no QP behind them (anything that posted would crash): the
 * open flags are checked first, an exclusive open needs a version 3
 * server, a fenced region refuses every I/O and atomic call, sync and
 * async, and its persist method setting
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "libpmr.h"

static struct pmr_conn conn;
static struct pmr_region rw;
static struct pmr_mr mr;
static char buf[64] __attribute__((aligned(8))); /* post_cas: 8-aligned */

/* setup -- a fake version 2 connection and a fenced exclusive region */
static void setup(void)
{
	memset(&conn, 0, sizeof(conn));
	conn.version = 2;
	conn.local_methods = PMR_METHOD_SERVER;
	rw = (struct pmr_region){ .conn = &conn,
				  .size = 4096,
				  .methods = PMR_METHOD_SERVER,
				  .method = PMR_METHOD_SERVER,
				  .excl = true,
				  .fenced = true,
				  .generation = 7 };
	mr = (struct pmr_mr){ .conn = &conn,
			      .ptr = (uint8_t *)buf,
			      .len = sizeof(buf),
			      .usage = PMR_MR_WRITE_SRC | PMR_MR_READ_DST };
}

TestSuite(fence, .init = setup);

Test(fence, open_flags)
{
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_RW), 0);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_RO), 0);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_EXCL), 0);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_TAKEOVER), 0);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_EXCL | PMR_OPEN_TAKEOVER),
		     0);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_RO | PMR_OPEN_EXCL),
		     -EINVAL);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_RO | PMR_OPEN_TAKEOVER),
		     -EINVAL);
	cr_assert_eq(pmr_check_open_flags(1u << 3), -EINVAL);
	cr_assert_eq(pmr_check_open_flags(PMR_OPEN_EXCL | 1u << 31), -EINVAL);
}

Test(fence, open_refuses_bad_flags_before_sending)
{
	struct pmr_region *r = NULL;

	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_RO | PMR_OPEN_EXCL,
				     &r),
		     -EINVAL);
	cr_assert_eq(pmr_region_open(&conn, "x",
				     PMR_OPEN_RO | PMR_OPEN_TAKEOVER, &r),
		     -EINVAL);
	cr_assert_eq(pmr_region_open(&conn, "x", 1u << 3, &r), -EINVAL);
	cr_assert_null(r);
}

Test(fence, exclusive_open_needs_version_3)
{
	struct pmr_region *r = NULL;

	/* version 2: the flags have no wire form; nothing is sent */
	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_EXCL, &r),
		     PMR_E_UNSUPPORTED);
	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_TAKEOVER, &r),
		     PMR_E_UNSUPPORTED);
	cr_assert_null(r);
}

Test(fence, generation)
{
	struct pmr_region plain = rw;

	plain.excl = false;
	cr_assert_eq(pmr_region_generation(&rw), 7);
	cr_assert_eq(pmr_region_generation(&plain), 0);
	cr_assert_eq(pmr_region_generation(NULL), 0);
}

Test(fence, fenced_region_refuses_every_io_call)
{
	cr_assert_eq(pmr_region_read(&rw, buf, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_write(&rw, buf, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_persist(&rw, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_write_persist(&rw, buf, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_read_mr(&rw, &mr, 0, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_write_mr(&rw, &mr, 0, 0, 8), PMR_E_FENCED);
	cr_assert_eq(pmr_region_write_persist_mr(&rw, &mr, 0, 0, 8),
		     PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_read(&rw, &mr, 0, 0, 8, 1), PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_write(&rw, &mr, 0, 0, 8, 1), PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_persist(&rw, 0, 8, 1), PMR_E_FENCED);
	/* zero-length calls too: the handle is dead, not just its key */
	cr_assert_eq(pmr_region_write(&rw, buf, 0, 0), PMR_E_FENCED);
	/* argument errors still come first */
	cr_assert_eq(pmr_region_read(&rw, buf, 4096, 8), PMR_E_RANGE);
}

Test(fence, fenced_region_refuses_every_atomic_call)
{
	struct pmr_region v3 = rw;
	uint64_t old = 0x5a5a;

	/* a version 3 handle whose key carried atomics before the takeover */
	conn.version = 3;
	v3.atomics = PMR_ATOMICS_RDMA;
	cr_assert_eq(pmr_region_atomic_write(&v3, 8, 1), PMR_E_FENCED);
	cr_assert_eq(pmr_region_cas(&v3, 8, 0, 1, &old), PMR_E_FENCED);
	cr_assert_eq(pmr_region_fetch_add(&v3, 8, 1, &old), PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_atomic_write(&v3, 8, 1, 1), PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_cas(&v3, &mr, 0, 8, 0, 1, 1),
		     PMR_E_FENCED);
	cr_assert_eq(pmr_region_post_fetch_add(&v3, &mr, 0, 8, 1, 1),
		     PMR_E_FENCED);
	cr_assert_eq(old, 0x5a5a, "nothing written back");
	/* argument errors still come first */
	cr_assert_eq(pmr_region_atomic_write(&v3, 4, 1), -EINVAL);
	cr_assert_eq(pmr_region_cas(&v3, 4096, 0, 1, NULL), PMR_E_RANGE);
}

Test(fence, fenced_region_closes_after_a_loss)
{
	struct pmr_region *r = malloc(sizeof(*r));

	cr_assert_not_null(r);
	*r = rw;
	conn.lost = PMR_E_CONN_LOST;
	conn.nregions = 1;
	conn.regions = r;
	cr_assert_eq(pmr_region_close(&r), 0);
	cr_assert_null(r);
	cr_assert_null(conn.regions);
	cr_assert_eq(conn.nregions, 0);
}

/* libpmr.h: a fenced handle's calls fail with PMR_E_FENCED, the method
 * setting too (argument errors first); the getters still answer */
Test(fence, fenced_region_refuses_a_persist_method)
{
	cr_assert_eq(pmr_region_set_persist_method(&rw, 3), -EINVAL);
	cr_assert_eq(pmr_region_set_persist_method(&rw, PMR_METHOD_AUTO),
		     PMR_E_FENCED);
	cr_assert_eq(pmr_region_set_persist_method(&rw, PMR_METHOD_RAW),
		     PMR_E_FENCED);
	cr_assert_eq(pmr_region_get_persist_method(&rw), PMR_METHOD_SERVER);
	cr_assert_eq(pmr_region_persist_methods(&rw), PMR_METHOD_SERVER);
	cr_assert_eq(pmr_region_size(&rw), 4096);
	cr_assert_eq(pmr_region_generation(&rw), 7);
	/* and so does a handle of a lost connection */
	rw.fenced = false;
	conn.lost = PMR_E_CONN_LOST;
	cr_assert_eq(pmr_region_set_persist_method(&rw, PMR_METHOD_AUTO),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_region_get_persist_method(&rw), PMR_METHOD_SERVER);
}

/* libpmr(3), CONNECTION LOSS: every later call returns PMR_E_CONN_LOST,
 * an open too, also one whose flags the (version 2) server lacks; its
 * argument errors still come first */
Test(fence, open_on_a_lost_connection)
{
	struct pmr_region *r = NULL;

	conn.lost = PMR_E_CONN_LOST;
	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_RW, &r),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_EXCL, &r),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_region_open(&conn, "", PMR_OPEN_EXCL, &r), -EINVAL);
	cr_assert_eq(pmr_region_open(&conn, "x", PMR_OPEN_RO | PMR_OPEN_EXCL,
				     &r),
		     -EINVAL);
	cr_assert_null(r);
}
