/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session.c -- one client's control requests against fake exports:
 * every answer, every limit, and garbage that must neither crash nor go
 * unanswered (FLOW.md step 3).
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake_exports.h"
#include "persist_recorder.h"
#include "pmr_proto.h"
#include "session.h"

#define MAX_BAD 3

static struct pmrd_session s;

/* setup -- a fresh session allowing 2 open handles */
static void setup(void)
{
	fake_exports_persist(fake_persist);
	persist_recorder_reset();
	cr_assert_eq(pmrd_session_init(&s, exports, 2, 2, MAX_BAD, "test"), 0);
}

static void teardown(void)
{
	pmrd_session_fini(&s);
}

/* roundtrip -- encode REQ, handle it, decode the response into RESP */
static int roundtrip(struct pmr_msg *req, struct pmr_msg *resp)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	int n = pmr_msg_encode(req, in, sizeof(in));

	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	if (n <= 0)
		return n;
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, resp), 0);
	cr_assert_eq(resp->hdr.req_id, req->hdr.req_id);
	cr_assert_eq(resp->hdr.type, req->hdr.type | PMR_MSG_RESP);
	return n;
}

/* open -- OPEN NAME ACCESS; the status, handle in *H */
static uint16_t open_region(const char *name, uint8_t access, uint32_t *h)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_OPEN, 7);
	m.u.open_req.access = access;
	strcpy(m.u.open_req.name, name);
	cr_assert_gt(roundtrip(&m, &r), 0);
	if (!r.hdr.status && h)
		*h = r.u.open_resp.handle;
	return r.hdr.status;
}

/* persist -- PERSIST H OFF LEN; the status */
static uint16_t persist(uint32_t h, uint64_t off, uint64_t len)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_PERSIST, 9);
	m.u.persist_req.handle = h;
	m.u.persist_req.offset = off;
	m.u.persist_req.length = len;
	cr_assert_gt(roundtrip(&m, &r), 0);
	return r.hdr.status;
}

TestSuite(session, .init = setup, .fini = teardown);

Test(session, ping_echoes_req_id)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_PING, 0x1122334455667788ull);
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_OK);
}

Test(session, list_reports_every_region)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 1);
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.list_resp.total, 2);
	cr_assert_eq(r.u.list_resp.count, 2);
	cr_expect_str_eq(r.u.list_resp.entries[0].name, "alpha");
	cr_expect_eq(r.u.list_resp.entries[0].size, sizeof(mem_a));
	cr_expect_eq(r.u.list_resp.entries[0].kind, PMR_WIRE_KIND_DEVDAX);
	cr_expect_eq(r.u.list_resp.entries[0].persist,
		     PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH);
	cr_expect_eq(r.u.list_resp.entries[1].access, PMR_WIRE_ACCESS_RO);
	cr_expect_eq(r.u.list_resp.entries[1].gran, PMR_WIRE_GRAN_PAGE);

	m.u.list_req.start = 2;
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.list_resp.count, 0);
	m.u.list_req.start = 3;
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_RANGE);
}

Test(session, open_answers_and_limits)
{
	struct pmr_msg m, r;
	uint32_t h;

	pmr_msg_init(&m, PMR_MSG_OPEN, 3);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	strcpy(m.u.open_req.name, "alpha");
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.open_resp.rkey, 0xabc);
	cr_expect_eq(r.u.open_resp.addr, 0x1000);
	cr_expect_eq(r.u.open_resp.length, sizeof(mem_a));
	cr_expect_eq(r.u.open_resp.persist,
		     PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH);
	cr_expect_eq(r.u.open_resp.access, PMR_WIRE_ACCESS_RW);

	cr_expect_eq(open_region("beta", PMR_WIRE_ACCESS_RW, NULL),
		     PMR_ST_ACCESS);
	cr_expect_eq(open_region("gamma", PMR_WIRE_ACCESS_RO, NULL),
		     PMR_ST_NOENT);
	cr_expect_eq(open_region("beta", PMR_WIRE_ACCESS_RO, &h), PMR_ST_OK);
	cr_expect_eq(open_region("alpha", PMR_WIRE_ACCESS_RO, NULL),
		     PMR_ST_LIMIT);
	cr_expect_eq(s.n_open, 2);
}

/* a QP accepted without FLUSH access (before a reload added the first
 * FLUSH region): LIST and OPEN never offer FLUSH to that session */
Test(session, methods_the_qp_lacks_are_not_offered)
{
	struct pmr_msg m, r;

	s.no_persist = PMR_PERSIST_FLUSH;
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 1);
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.list_resp.entries[0].persist, PMR_PERSIST_SERVER);
	pmr_msg_init(&m, PMR_MSG_OPEN, 3);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	strcpy(m.u.open_req.name, "alpha");
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.open_resp.persist, PMR_PERSIST_SERVER);
}

Test(session, persist_checks_bounds_then_persists)
{
	uint32_t h;

	cr_assert_eq(open_region("alpha", PMR_WIRE_ACCESS_RW, &h), PMR_ST_OK);
	cr_expect_eq(persist(h, 4096, 100), PMR_ST_OK);
	cr_expect_eq(persisted.calls, 1);
	cr_expect_eq(persisted.ptr, mem_a + 4096);
	cr_expect_eq(persisted.len, 100);
	cr_expect_eq(persist(h, 0, sizeof(mem_a)), PMR_ST_OK);
	cr_expect_eq(persist(h, sizeof(mem_a) - 8, 16), PMR_ST_RANGE);
	cr_expect_eq(persist(h, sizeof(mem_a) + 1, 0), PMR_ST_RANGE);
	cr_expect_eq(persist(h, UINT64_MAX - 4, 16), PMR_ST_RANGE);
	cr_expect_eq(persist(h, 8, UINT64_MAX), PMR_ST_RANGE);
	cr_expect_eq(persist(h ^ 1, 0, 8), PMR_ST_NOENT);
	cr_expect_eq(persisted.calls, 2, "persist ran for a refused range");
}

Test(session, persist_refused_on_read_only_handle)
{
	struct pmr_msg m, r;
	uint32_t h;

	cr_assert_eq(open_region("alpha", PMR_WIRE_ACCESS_RO, &h), PMR_ST_OK);
	pmr_msg_init(&m, PMR_MSG_PERSIST, 9);
	m.u.persist_req.handle = h;
	m.u.persist_req.length = sizeof(mem_a);
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_ACCESS);
	cr_expect(strstr(r.u.error.text, "read-only") != NULL, "text: %s",
		  r.u.error.text);
	cr_expect_eq(persisted.calls, 0, "a read-only handle persisted");
}

Test(session, deferred_persist_is_left_to_the_caller)
{
	struct pmrd_persist_range pr;
	uint32_t h;

	pmrd_session_defer_persist(&s, true);
	cr_assert_eq(open_region("alpha", PMR_WIRE_ACCESS_RW, &h), PMR_ST_OK);
	cr_expect_not(pmrd_session_take_persist(&s, &pr), "OPEN left a range");
	cr_expect_eq(persist(h, 4096, 100), PMR_ST_OK);
	cr_expect_eq(persisted.calls, 0, "a deferred persist ran inline");
	cr_assert(pmrd_session_take_persist(&s, &pr));
	cr_expect_eq(pr.off, 4096);
	cr_expect_eq(pr.len, 100);
	cr_expect_not(pmrd_session_take_persist(&s, &pr), "taken twice");
	/* refused and empty ranges leave nothing to persist */
	cr_expect_eq(persist(h, sizeof(mem_a) - 8, 16), PMR_ST_RANGE);
	cr_expect_not(pmrd_session_take_persist(&s, &pr));
	cr_expect_eq(persist(h, 0, 0), PMR_ST_OK);
	cr_expect_not(pmrd_session_take_persist(&s, &pr));
}

Test(session, close_frees_and_stale_handles_are_noent)
{
	struct pmr_msg m, r;
	uint32_t h, h2;

	cr_assert_eq(open_region("alpha", PMR_WIRE_ACCESS_RW, &h), PMR_ST_OK);
	pmr_msg_init(&m, PMR_MSG_CLOSE, 4);
	m.u.close_req.handle = h;
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_OK);
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_NOENT);
	cr_assert_eq(open_region("alpha", PMR_WIRE_ACCESS_RW, &h2), PMR_ST_OK);
	cr_expect_neq(h, h2, "a closed handle came back");
	cr_expect_eq(persist(h, 0, 8), PMR_ST_NOENT);
	cr_expect_eq(s.n_open, 1);
}

/* raw -- handle LEN raw bytes; the return value, response in *R */
static int raw(const uint8_t *b, size_t len, struct pmr_msg_hdr *r)
{
	uint8_t out[PMR_MSG_MAX];
	int n = pmrd_session_handle(&s, b, len, out, sizeof(out));

	if (n > 0)
		cr_assert_eq(pmr_msg_hdr_decode(out, (size_t)n, r), 0);
	return n;
}

Test(session, garbage_is_answered_then_cut_off)
{
	uint8_t b[64] = { 0 };
	struct pmr_msg_hdr r;
	struct pmr_msg m, resp;

	/* short: nothing to answer */
	cr_expect_eq(raw(b, 7, &r), 0);
	/* length field disagrees: INVALID with the req_id */
	b[0] = PMR_MSG_PING;
	b[4] = 40;
	b[8] = 0x42;
	cr_assert_gt(raw(b, 16, &r), 0);
	cr_expect_eq(r.status, PMR_ST_INVALID);
	cr_expect_eq(r.req_id, 0x42);
	cr_expect_eq(r.type, PMR_MSG_PING | PMR_MSG_RESP);
	/* a good request resets the streak */
	pmr_msg_init(&m, PMR_MSG_PING, 1);
	cr_assert_gt(roundtrip(&m, &resp), 0);
	cr_expect_eq(s.bad_streak, 0);

	/* unknown type: UNSUPPORTED */
	b[0] = 99;
	b[4] = 16;
	for (int i = 0; i < MAX_BAD; i++) {
		cr_assert_gt(raw(b, 16, &r), 0);
		cr_expect_eq(r.status, PMR_ST_UNSUPPORTED);
	}
	/* one more in a row: disconnect */
	cr_expect_eq(raw(b, 16, &r), -EPROTO);
	cr_expect_eq(s.n_bad, 6);
}

Test(session, responses_are_not_requests)
{
	uint8_t b[16] = { 0 };
	struct pmr_msg_hdr r;

	b[0] = PMR_MSG_PING;
	b[1] = PMR_MSG_RESP >> 8;
	b[4] = 16;
	cr_assert_gt(raw(b, 16, &r), 0);
	cr_expect_eq(r.status, PMR_ST_INVALID);
}

/* NOENT echoes the asked-for name with its control bytes escaped */
Test(session, noent_text_escapes_the_name)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_OPEN, 11);
	m.u.open_req.access = PMR_WIRE_ACCESS_RO;
	strcpy(m.u.open_req.name, "x\033[2J\n\x7f'y");
	cr_assert_gt(roundtrip(&m, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_NOENT);
	cr_expect_str_eq(r.u.error.text,
			 "no region named 'x\\x1b[2J\\x0a\\x7f\\'y'");
}
