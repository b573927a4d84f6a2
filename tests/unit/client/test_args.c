/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_args.c -- the public calls refuse bad arguments before touching the
 * device: these handles are fakes with no QP behind them, so any call that
 * got as far as posting would crash
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "libpmr.h"
#include "log_cb.h"

static struct pmr_conn conn, other;
static struct pmr_region rw, ro;
static struct pmr_mr mr_src, mr_dst, mr_other;
static char buf[64];

/* setup -- fake connection, two regions, three registered buffers */
static void setup(void)
{
	memset(&conn, 0, sizeof(conn));
	memset(&other, 0, sizeof(other));
	conn.local_methods = PMR_METHOD_RAW | PMR_METHOD_SERVER;
	rw = (struct pmr_region){ .conn = &conn,
				  .size = 4096,
				  .methods = PMR_METHOD_SERVER,
				  .method = PMR_METHOD_SERVER };
	ro = rw;
	ro.ro = true;
	mr_src = (struct pmr_mr){ .conn = &conn,
				  .ptr = (uint8_t *)buf,
				  .len = sizeof(buf),
				  .usage = PMR_MR_WRITE_SRC };
	mr_dst = mr_src;
	mr_dst.usage = PMR_MR_READ_DST;
	mr_other = mr_src;
	mr_other.conn = &other;
}

TestSuite(args, .init = setup);

Test(args, null_handles)
{
	cr_assert_eq(pmr_region_read(NULL, buf, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write(NULL, buf, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_persist(NULL, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write_persist(NULL, buf, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_read_mr(NULL, &mr_dst, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_post_write(NULL, &mr_src, 0, 0, 8, 1), -EINVAL);
	cr_assert_eq(pmr_region_post_persist(NULL, 0, 8, 1), -EINVAL);
	cr_assert_eq(pmr_conn_poll(NULL, NULL, 1), -EINVAL);
	cr_assert_eq(pmr_conn_get_fd(NULL), -EINVAL);
	cr_assert_eq(pmr_conn_list_regions(NULL, NULL, 0, NULL), -EINVAL);
	cr_assert_eq(pmr_conn_list_regions(&conn, NULL, 4, NULL), -EINVAL);
	cr_assert_eq(pmr_region_size(NULL), 0);
	cr_assert_eq(pmr_region_persist_methods(NULL), 0);
	cr_assert_str_eq(pmr_conn_last_error_text(NULL), "");
}

Test(args, null_buffers)
{
	cr_assert_eq(pmr_region_read(&rw, NULL, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write(&rw, NULL, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_read_mr(&rw, NULL, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write_mr(&rw, NULL, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_post_read(&rw, NULL, 0, 0, 8, 1), -EINVAL);
}

Test(args, bounds_checked_before_posting)
{
	cr_assert_eq(pmr_region_write(&rw, buf, 4090, 16), PMR_E_RANGE);
	cr_assert_eq(pmr_region_read(&rw, buf, 4097, 0), PMR_E_RANGE);
	cr_assert_eq(pmr_region_read(&rw, buf, UINT64_MAX, 2), PMR_E_RANGE);
	cr_assert_eq(pmr_region_persist(&rw, 4000, 100), PMR_E_RANGE);
	cr_assert_eq(pmr_region_write_persist(&rw, buf, 1, 4096), PMR_E_RANGE);
	cr_assert_eq(pmr_region_write_mr(&rw, &mr_src, 0, 4095, 2),
		     PMR_E_RANGE);
	cr_assert_eq(pmr_region_post_read(&rw, &mr_dst, 0, 4095, 2, 1),
		     PMR_E_RANGE);
	cr_assert_eq(pmr_region_post_persist(&rw, 0, 4097, 1), PMR_E_RANGE);
}

Test(args, registered_buffer_checks)
{
	/* range inside the buffer, with overflow */
	cr_assert_eq(pmr_region_write_mr(&rw, &mr_src, 60, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write_mr(&rw, &mr_src, SIZE_MAX, 0, 2),
		     -EINVAL);
	/* usage: a write source is not a read destination */
	cr_assert_eq(pmr_region_read_mr(&rw, &mr_src, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_post_write(&rw, &mr_dst, 0, 0, 8, 1), -EINVAL);
	/* a buffer registered on another connection */
	cr_assert_eq(pmr_region_write_mr(&rw, &mr_other, 0, 0, 8), -EINVAL);
}

Test(args, read_only_region)
{
	cr_assert_eq(pmr_region_write(&ro, buf, 0, 8), PMR_E_READONLY);
	cr_assert_eq(pmr_region_write_persist(&ro, buf, 0, 8), PMR_E_READONLY);
	cr_assert_eq(pmr_region_persist(&ro, 0, 8), PMR_E_READONLY);
	cr_assert_eq(pmr_region_write_mr(&ro, &mr_src, 0, 0, 8),
		     PMR_E_READONLY);
	cr_assert_eq(pmr_region_post_write(&ro, &mr_src, 0, 0, 8, 1),
		     PMR_E_READONLY);
}

Test(args, zero_length_posts_nothing)
{
	cr_assert_eq(pmr_region_write(&rw, buf, 4096, 0), 0);
	cr_assert_eq(pmr_region_write_persist(&rw, buf, 0, 0), 0);
	cr_assert_eq(pmr_region_persist(&rw, 100, 0), 0);
	cr_assert_eq(pmr_region_write_mr(&rw, &mr_src, 64, 0, 0), 0);
}

Test(args, lost_connection_refuses_work)
{
	conn.lost = PMR_E_CONN_LOST;
	cr_assert_eq(pmr_region_read(&rw, buf, 0, 8), PMR_E_CONN_LOST);
	cr_assert_eq(pmr_region_write(&rw, buf, 0, 8), PMR_E_CONN_LOST);
	cr_assert_eq(pmr_region_post_read(&rw, &mr_dst, 0, 0, 8, 1),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_mr_reg(&conn, buf, 8, PMR_MR_READ_DST,
				&(struct pmr_mr *){ NULL }),
		     PMR_E_CONN_LOST);
}

/* libpmr.h: "argument checks come first": a NULL buffer or a wrong MR is
 * -EINVAL even where the region is read-only, the range wrong or the
 * connection lost */
Test(args, argument_checks_come_first)
{
	conn.lost = PMR_E_CONN_LOST;
	cr_assert_eq(pmr_region_write(&ro, NULL, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write_persist(&ro, NULL, 4090, 16), -EINVAL);
	cr_assert_eq(pmr_region_read(&rw, NULL, UINT64_MAX, 2), -EINVAL);
	cr_assert_eq(pmr_region_write_mr(&ro, &mr_other, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_write_persist_mr(&ro, &mr_dst, 0, 4095, 2),
		     -EINVAL);
	cr_assert_eq(pmr_region_read_mr(&rw, NULL, 0, 0, 8), -EINVAL);
	cr_assert_eq(pmr_region_post_write(&ro, &mr_dst, 0, 0, 8, 1), -EINVAL);
	cr_assert_eq(pmr_region_post_read(&rw, &mr_src, 0, 4097, 8, 1),
		     -EINVAL);
}

Test(args, persist_method)
{
	cr_assert_eq(pmr_region_set_persist_method(&rw, PMR_METHOD_RAW),
		     PMR_E_NO_METHOD);
	cr_assert_eq(pmr_region_get_persist_method(&rw), PMR_METHOD_SERVER);
	cr_assert_eq(pmr_region_set_persist_method(&rw, 3), -EINVAL);
	cr_assert_eq(pmr_region_set_persist_method(NULL, 0), -EINVAL);
	cr_assert_eq(pmr_region_set_persist_method(&rw, PMR_METHOD_AUTO), 0);
	cr_assert_eq(pmr_region_get_persist_method(&rw), PMR_METHOD_SERVER);
	rw.method = 0;
	cr_assert_eq(pmr_region_persist(&rw, 0, 8), PMR_E_NO_METHOD);
	cr_assert_eq(pmr_region_write_persist(&rw, buf, 0, 8), PMR_E_NO_METHOD);
	cr_assert_eq(pmr_region_post_persist(&rw, 0, 8, 1), PMR_E_NO_METHOD);
}

Test(args, out_params_untouched_on_failure)
{
	struct pmr_conn *c = (struct pmr_conn *)0x1;
	struct pmr_region *r = (struct pmr_region *)0x1;
	struct pmr_mr *m = (struct pmr_mr *)0x1;
	char name[80];

	cr_assert_eq(pmr_conn_open(NULL, NULL, NULL, &c), -EINVAL);
	cr_assert_eq(c, (struct pmr_conn *)0x1);
	cr_assert_eq(pmr_conn_open("10.0.0.1", NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(pmr_region_open(&conn, "", 0, &r), -EINVAL);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(pmr_region_open(&conn, name, 0, &r), -ENAMETOOLONG);
	cr_assert_eq(pmr_region_open(&conn, "x", 0x80, &r), -EINVAL);
	cr_assert_eq(pmr_region_open(NULL, "x", 0, &r), -EINVAL);
	cr_assert_eq(r, (struct pmr_region *)0x1);
	cr_assert_eq(pmr_mr_reg(&conn, NULL, 8, PMR_MR_READ_DST, &m), -EINVAL);
	cr_assert_eq(pmr_mr_reg(&conn, buf, 0, PMR_MR_READ_DST, &m), -EINVAL);
	cr_assert_eq(pmr_mr_reg(&conn, buf, 8, 0, &m), -EINVAL);
	cr_assert_eq(pmr_mr_reg(&conn, buf, 8, 0x10, &m), -EINVAL);
	cr_assert_eq(m, (struct pmr_mr *)0x1);
}

Test(args, destructors_accept_null)
{
	struct pmr_conn *c = NULL;
	struct pmr_region *r = NULL;
	struct pmr_mr *m = NULL;
	struct pmr_conn_cfg *cfg = NULL;

	cr_assert_eq(pmr_conn_close(NULL), 0);
	cr_assert_eq(pmr_conn_close(&c), 0);
	cr_assert_eq(pmr_region_close(NULL), 0);
	cr_assert_eq(pmr_region_close(&r), 0);
	cr_assert_eq(pmr_mr_dereg(NULL), 0);
	cr_assert_eq(pmr_mr_dereg(&m), 0);
	pmr_conn_cfg_delete(NULL);
	pmr_conn_cfg_delete(&cfg);
}

Test(args, busy_connection_not_closed)
{
	struct pmr_conn *c = &conn;

	conn.nregions = 1;
	cr_assert_eq(pmr_conn_close(&c), -EBUSY);
	cr_assert_eq(c, &conn);
}

Test(args, cfg_setters)
{
	struct pmr_conn_cfg *cfg = NULL;

	cr_assert_eq(pmr_conn_cfg_new(NULL), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_new(&cfg), 0);
	cr_assert_eq(cfg->timeout_ms, 5000);
	cr_assert_eq(pmr_conn_cfg_set_timeout(cfg, 0), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_timeout(cfg, 100), 0);
	cr_assert_eq(pmr_conn_cfg_set_credits(cfg, 0), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_credits(cfg, 65), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_credits(cfg, 8), 0);
	cr_assert_eq(pmr_conn_cfg_set_sq_depth(cfg, 15), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_sq_depth(cfg, 4097), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_sq_depth(cfg, 64), 0);
	cr_assert_eq(pmr_conn_cfg_set_bounce_size(cfg, 4095), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_bounce_size(cfg, 1 << 16), 0);
	cr_assert_eq(pmr_conn_cfg_set_max_wr_size(cfg, 63), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_max_wr_size(cfg, 0), 0);
	cr_assert_eq(pmr_conn_cfg_set_max_wr_size(cfg, 4096), 0);
	cr_assert_eq(pmr_conn_cfg_set_spin_us(cfg, 2000000), -EINVAL);
	cr_assert_eq(pmr_conn_cfg_set_spin_us(cfg, 0), 0);
	cr_assert_eq(pmr_conn_cfg_set_timeout(NULL, 100), -EINVAL);
	pmr_conn_cfg_delete(&cfg);
	cr_assert_null(cfg);
}

static int logged;

/* count_log -- a log callback that counts */
static void count_log(int level, const char *file, int line, const char *func,
		      const char *msg)
{
	logged++;
}

Test(args, log_env_override)
{
	logged = 0;
	setenv("PMR_LOG_LEVEL", "7", 1);
	pmr_log_set(count_log, PMR_LOG_ERR);
	pmr_dbg("debug message"); /* the environment raised the level */
	cr_assert_eq(logged, 1);
	unsetenv("PMR_LOG_LEVEL");
	pmr_log_set(count_log, PMR_LOG_ERR);
	pmr_dbg("debug message");
	pmr_err("error message");
	cr_assert_eq(logged, 2);
	setenv("PMR_LOG_LEVEL", "junk", 1);
	pmr_log_set(NULL, PMR_LOG_DEBUG); /* no callback: silent */
	pmr_err("error message");
	cr_assert_eq(logged, 2);
	unsetenv("PMR_LOG_LEVEL");
}
