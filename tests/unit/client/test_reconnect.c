/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_reconnect.c -- pmr_conn_reconnect and its cfg setter on fake
 * handles with no device behind them (anything that connected or posted
 * would fail or crash): what it refuses before doing anything, and the
 * regions a reconnect could not re-open refusing every call, closed
 * without a word to the server
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "libpmr.h"

static struct pmr_conn conn;
static struct pmr_opctx ops[PMR_FIRST_ASYNC + 2];
static char buf[64];

/* setup -- a fake healthy connection with slots and no async op */
static void setup(void)
{
	memset(&conn, 0, sizeof(conn));
	memset(ops, 0, sizeof(ops));
	conn.ops = ops;
	conn.nops = PMR_FIRST_ASYNC + 2;
	conn.local_methods = PMR_METHOD_SERVER;
	conn.epfd = -1;
}

TestSuite(reconnect, .init = setup);

Test(reconnect, null_conn)
{
	cr_assert_eq(pmr_conn_reconnect(NULL), -EINVAL);
}

Test(reconnect, healthy_conn_is_connected)
{
	cr_assert_eq(pmr_conn_reconnect(&conn), -EISCONN);
	cr_assert_eq(conn.lost, 0);
	cr_assert_null(conn.id); /* nothing was set up */
}

Test(reconnect, unpolled_async_completion_is_busy)
{
	conn.lost = PMR_E_CONN_LOST;
	ops[PMR_FIRST_ASYNC + 1].busy = 2; /* finished, not yet delivered */
	cr_assert_eq(pmr_conn_reconnect(&conn), -EBUSY);
	ops[PMR_FIRST_ASYNC + 1].busy = 1; /* still outstanding */
	cr_assert_eq(pmr_conn_reconnect(&conn), -EBUSY);
	cr_assert_eq(conn.lost, PMR_E_CONN_LOST);
	cr_assert_null(conn.id);
}

Test(reconnect, sync_slots_do_not_count)
{
	/* a lost fake connection that never connected: past the checks,
	 * refused for want of a host, nothing set up */
	conn.lost = PMR_E_CONN_LOST;
	ops[PMR_SYNC_OP].busy = 1;
	cr_assert_eq(pmr_conn_reconnect(&conn), -EINVAL);
	cr_assert_null(conn.id);
}

Test(reconnect, cfg_setter_ranges)
{
	struct pmr_conn_cfg *cfg;

	cr_assert_eq(pmr_conn_cfg_new(&cfg), 0);
	cr_assert_eq(cfg->reconnect_tries, 5);
	cr_assert_eq(cfg->reconnect_backoff_ms, 100);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(NULL, 1, 0), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(cfg, 0, 100), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(cfg, 1001, 100), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(cfg, 3, 10001), -EINVAL);
	/* refused: unchanged */
	cr_assert_eq(cfg->reconnect_tries, 5);
	cr_assert_eq(cfg->reconnect_backoff_ms, 100);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(cfg, 1, 0), 0);
	cr_assert_eq(cfg->reconnect_tries, 1);
	cr_assert_eq(cfg->reconnect_backoff_ms, 0);
	cr_assert_eq(pmr_conn_cfg_set_reconnect(cfg, 1000, 10000), 0);
	cr_assert_eq(cfg->reconnect_tries, 1000);
	cr_assert_eq(cfg->reconnect_backoff_ms, 10000);
	pmr_conn_cfg_delete(&cfg);
}

Test(reconnect, stale_region_refuses_calls)
{
	struct pmr_region r = { .conn = &conn,
				.size = 4096,
				.methods = PMR_METHOD_SERVER,
				.method = PMR_METHOD_SERVER,
				.stale = PMR_E_RANGE,
				.orphan = true };

	cr_assert_eq(pmr_region_write(&r, buf, 0, 8), PMR_E_RANGE);
	cr_assert_eq(pmr_region_read(&r, buf, 0, 8), PMR_E_RANGE);
	cr_assert_eq(pmr_region_persist(&r, 0, 8), PMR_E_RANGE);
	cr_assert_eq(pmr_region_post_persist(&r, 0, 8, 1), PMR_E_RANGE);
	cr_assert_eq(pmr_region_atomic_write(&r, 0, 1), PMR_E_RANGE);
	cr_assert_eq(pmr_region_set_persist_method(&r, PMR_METHOD_SERVER),
		     PMR_E_RANGE);
	/* argument checks still come first */
	cr_assert_eq(pmr_region_write(&r, NULL, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write(&r, buf, 4090, 16), PMR_E_RANGE);
	/* the getters answer */
	cr_assert_eq(pmr_region_size(&r), 4096);
}

Test(reconnect, orphan_region_closes_without_the_server)
{
	struct pmr_region *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	r->conn = &conn;
	r->size = 4096;
	r->fenced = true;
	r->orphan = true;
	conn.regions = r;
	conn.nregions = 1;
	/* the connection is up: a CLOSE would be posted on no QP */
	cr_assert_eq(pmr_region_close(&r), 0);
	cr_assert_null(r);
	cr_assert_eq(conn.nregions, 0);
	cr_assert_null(conn.regions);
}
