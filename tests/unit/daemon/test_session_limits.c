/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session_limits.c -- the server-wide limits a session enforces:
 * max_handles over several sessions (one counter), the per-client limit
 * first, counts given back on CLOSE and on fini; max_msg caps every
 * response and splits LIST_REGIONS.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pmr_proto.h"
#include "session.h"

#define N_EXPORTS 20

static uint8_t mem[4096];
static struct pmrd_region regs[N_EXPORTS];
static struct pmrd_export exs[N_EXPORTS];
static struct pmrd_export *exports[N_EXPORTS];
static struct pmrd_session a, b;
static unsigned n_global;

/* setup -- N_EXPORTS regions with long names; sessions A and B allow 2
 * handles each, 3 in all */
static void setup(void)
{
	for (int i = 0; i < N_EXPORTS; i++) {
		snprintf(regs[i].name, sizeof(regs[i].name),
			 "region-with-a-rather-long-name-%02d", i);
		regs[i].kind = PMRD_REGION_TESTING;
		regs[i].access = PMRD_ACCESS_RW;
		regs[i].addr = mem;
		regs[i].size = sizeof(mem);
		regs[i].granularity = PMEM2_GRANULARITY_PAGE;
		exs[i].region = &regs[i];
		exs[i].plan.persist = PMR_PERSIST_SERVER;
		exs[i].n_open = 0;
		exports[i] = &exs[i];
	}
	n_global = 0;
	cr_assert_eq(pmrd_session_init(&a, exports, N_EXPORTS, 2, 3, "a"), 0);
	cr_assert_eq(pmrd_session_init(&b, exports, N_EXPORTS, 2, 3, "b"), 0);
	pmrd_session_set_limits(&a, 256, &n_global, 3);
	pmrd_session_set_limits(&b, 256, &n_global, 3);
}

static void teardown(void)
{
	pmrd_session_fini(&a);
	pmrd_session_fini(&b);
}

/* call -- REQ through session S; the response (at most 256 bytes) */
static void call(struct pmrd_session *s, struct pmr_msg *req,
		 struct pmr_msg *resp)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	int n = pmr_msg_encode(req, in, sizeof(in));

	cr_assert_gt(n, 0);
	n = pmrd_session_handle(s, in, (size_t)n, out, 256);
	cr_assert_gt(n, 0);
	cr_assert_leq(n, 256);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, resp), 0);
}

/* open_one -- OPEN region I on S; the status, the handle in *H */
static uint16_t open_one(struct pmrd_session *s, int i, uint32_t *h, char *text)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_OPEN, 1);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	strcpy(m.u.open_req.name, regs[i].name);
	call(s, &m, &r);
	if (!r.hdr.status && h)
		*h = r.u.open_resp.handle;
	if (r.hdr.status && text)
		strcpy(text, r.u.error.text);
	return r.hdr.status;
}

/* close_one -- CLOSE H on S; the status */
static uint16_t close_one(struct pmrd_session *s, uint32_t h)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_CLOSE, 2);
	m.u.close_req.handle = h;
	call(s, &m, &r);
	return r.hdr.status;
}

TestSuite(session_limits, .init = setup, .fini = teardown);

Test(session_limits, max_handles_counts_every_session)
{
	char text[PMR_ERRTEXT_MAX + 1];
	uint32_t ha1 = 0, ha2 = 0, hb1 = 0;

	cr_assert_eq(open_one(&a, 0, &ha1, NULL), PMR_ST_OK);
	cr_assert_eq(open_one(&a, 1, &ha2, NULL), PMR_ST_OK);
	cr_assert_eq(open_one(&b, 2, &hb1, NULL), PMR_ST_OK);
	cr_assert_eq(n_global, 3);

	/* B is under its own limit, the server is not */
	cr_assert_eq(open_one(&b, 3, NULL, text), PMR_ST_LIMIT);
	cr_assert_str_eq(text,
			 "at most 3 regions open on the server (max_handles)");
	/* A is at its own limit: that is what it is told */
	cr_assert_eq(open_one(&a, 3, NULL, text), PMR_ST_LIMIT);
	cr_assert_str_eq(text, "at most 2 regions open per connection");
	cr_assert_eq(n_global, 3);

	/* a CLOSE gives one back */
	cr_assert_eq(close_one(&a, ha2), PMR_ST_OK);
	cr_assert_eq(n_global, 2);
	cr_assert_eq(open_one(&b, 3, NULL, NULL), PMR_ST_OK);
	cr_assert_eq(n_global, 3);

	/* a session that goes away (disconnect) gives back all it held */
	pmrd_session_fini(&a);
	cr_assert_eq(n_global, 2);
	cr_assert_eq(pmrd_session_init(&a, exports, N_EXPORTS, 2, 3, "a"), 0);
	pmrd_session_set_limits(&a, 256, &n_global, 3);
	cr_assert_eq(open_one(&a, 0, NULL, NULL), PMR_ST_OK);
	cr_assert_eq(open_one(&a, 1, NULL, NULL), PMR_ST_LIMIT);
	(void)ha1;
	(void)hb1;
}

Test(session_limits, no_global_cap_by_default)
{
	struct pmrd_session c;

	cr_assert_eq(pmrd_session_init(&c, exports, N_EXPORTS, 4, 3, "c"), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(open_one(&c, i, NULL, NULL), PMR_ST_OK);
	cr_assert_eq(n_global, 0);
	pmrd_session_fini(&c);
}

Test(session_limits, max_msg_splits_the_region_list)
{
	struct pmr_msg m, r;
	uint32_t start = 0, pages = 0;

	do {
		pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 3);
		m.u.list_req.start = start;
		call(&a, &m, &r);
		cr_assert_eq(r.hdr.status, PMR_ST_OK);
		cr_assert_eq(r.u.list_resp.total, N_EXPORTS);
		cr_assert_gt(r.u.list_resp.count, 0);
		for (uint32_t i = 0; i < r.u.list_resp.count; i++)
			cr_assert_str_eq(r.u.list_resp.entries[i].name,
					 regs[start + i].name);
		start += r.u.list_resp.count;
		pages++;
	} while (start < N_EXPORTS);
	/* 20 entries of ~50 bytes cannot share one 256-byte message */
	cr_assert_gt(pages, 3);
}

Test(session_limits, max_msg_is_clamped_to_the_protocol)
{
	struct pmrd_session c;

	cr_assert_eq(pmrd_session_init(&c, exports, N_EXPORTS, 1, 3, "c"), 0);
	cr_assert_eq(c.max_msg, PMR_MSG_MAX);
	pmrd_session_set_limits(&c, 10, NULL, 0);
	cr_assert_eq(c.max_msg, PMR_MSG_MAX_FLOOR);
	pmrd_session_set_limits(&c, 1 << 20, NULL, 0);
	cr_assert_eq(c.max_msg, PMR_MSG_MAX);
	pmrd_session_fini(&c);
}
