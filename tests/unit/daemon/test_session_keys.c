/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session_keys.c -- the session's side of per-open keys (rkeys.h)
 * against a fake key source: OPEN asks for a key with the access opened,
 * CLOSE revokes exactly that key, a stale handle revokes nothing, the end
 * of the session revokes what is left, and a refused grant opens nothing.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pmr_proto.h"
#include "session.h"

static uint8_t mem[8192];
static struct pmrd_region reg = {
	.name = "win",
	.kind = PMRD_REGION_DEVDAX,
	.access = PMRD_ACCESS_RW,
	.addr = mem,
	.size = sizeof(mem),
	.granularity = PMEM2_GRANULARITY_CACHE_LINE,
};
static struct pmrd_export ex = {
	.region = &reg,
	.plan = { .persist = PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH,
		  .keys = PMRD_KEYS_MW2 },
	.addr = 0x7000,
	.rkey = 0x5150, /* the region MR's: must never be handed out */
};
static struct pmrd_export *const exports[] = { &ex };

/* The fake key source: key N is rkey 0x100 + N, cookie &cookies[N]. */
static struct {
	int cookies[8];
	unsigned granted, revoked, revoke_all, fenced;
	uint8_t last_access;
	void *last_revoked;
	int fail; /* negative errno for the next grant */
} fk;

static int fake_grant(void *ctx, struct pmrd_export *e, uint8_t access,
		      uint32_t *rkey, void **cookie)
{
	cr_assert_eq(ctx, &fk);
	cr_assert_eq(e, &ex);
	if (fk.fail)
		return fk.fail;
	fk.last_access = access;
	*rkey = 0x100 + fk.granted;
	*cookie = &fk.cookies[fk.granted++];
	return 0;
}

static void fake_revoke(void *ctx, void *cookie)
{
	cr_assert_eq(ctx, &fk);
	fk.revoked++;
	fk.last_revoked = cookie;
}

static void fake_fence(void *ctx, void *cookie)
{
	cr_assert_eq(ctx, &fk);
	fk.fenced++;
	fk.last_revoked = cookie;
}

static void fake_revoke_all(void *ctx)
{
	cr_assert_eq(ctx, &fk);
	fk.revoke_all++;
}

static const struct pmrd_key_ops fake_ops = {
	.grant = fake_grant,
	.revoke = fake_revoke,
	.fence = fake_fence,
	.revoke_all = fake_revoke_all,
};

static struct pmrd_session s;

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	ex.n_open = 0;
	cr_assert_eq(pmrd_session_init(&s, exports, 1, 4, 3, "test"), 0);
	pmrd_session_set_keys(&s, &fake_ops, &fk);
}

static void teardown(void)
{
	pmrd_session_fini(&s);
}

/* request -- encode M, handle it, decode the answer into R */
static void request(struct pmr_msg *m, struct pmr_msg *r)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	int n = pmr_msg_encode(m, in, sizeof(in));

	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, r), 0);
}

/* open_win -- OPEN "win" ACCESS; the status, the answer in *O */
static uint16_t open_win(uint8_t access, struct pmr_open_resp *o)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_OPEN, 1);
	m.u.open_req.access = access;
	strcpy(m.u.open_req.name, "win");
	request(&m, &r);
	if (!r.hdr.status && o)
		*o = r.u.open_resp;
	return r.hdr.status;
}

/* close_h -- CLOSE H; the status */
static uint16_t close_h(uint32_t h)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_CLOSE, 2);
	m.u.close_req.handle = h;
	request(&m, &r);
	return r.hdr.status;
}

TestSuite(session_keys, .init = setup, .fini = teardown);

Test(session_keys, open_hands_out_a_granted_key_not_the_mr_rkey)
{
	struct pmr_open_resp o;

	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &o), PMR_ST_OK);
	cr_expect_eq(fk.granted, 1);
	cr_expect_eq(fk.last_access, PMR_WIRE_ACCESS_RW);
	cr_expect_eq(o.rkey, 0x100);
	cr_expect_neq(o.rkey, ex.rkey);
	cr_expect_eq(o.addr, ex.addr);
}

Test(session_keys, ro_open_of_rw_region_gets_an_ro_grant)
{
	struct pmr_open_resp o;

	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RO, &o), PMR_ST_OK);
	cr_expect_eq(fk.last_access, PMR_WIRE_ACCESS_RO);
	cr_expect_eq(o.access, PMR_WIRE_ACCESS_RO);
	/* a read-only key cannot FLUSH: not advertised to it */
	cr_expect_eq(o.persist, PMR_PERSIST_SERVER);
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &o), PMR_ST_OK);
	cr_expect_eq(o.persist, PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH);
}

Test(session_keys, each_open_gets_its_own_key)
{
	struct pmr_open_resp a, b;

	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &a), PMR_ST_OK);
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &b), PMR_ST_OK);
	cr_expect_neq(a.rkey, b.rkey);
	cr_expect_eq(fk.granted, 2);
}

Test(session_keys, close_revokes_that_key_and_stale_handle_nothing)
{
	struct pmr_open_resp a, b;

	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &a), PMR_ST_OK);
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RO, &b), PMR_ST_OK);
	cr_assert_eq(close_h(a.handle), PMR_ST_OK);
	cr_expect_eq(fk.revoked, 1);
	cr_expect_eq(fk.last_revoked, &fk.cookies[0]);
	cr_expect_eq(ex.n_open, 1);
	/* the stale handle: NOENT, and no second revoke */
	cr_expect_eq(close_h(a.handle), PMR_ST_NOENT);
	cr_expect_eq(fk.revoked, 1);
	cr_assert_eq(close_h(b.handle), PMR_ST_OK);
	cr_expect_eq(fk.last_revoked, &fk.cookies[1]);
	cr_expect_eq(s.n_keys, 0);
}

Test(session_keys, session_end_revokes_what_is_left)
{
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RO, NULL), PMR_ST_OK);
	pmrd_session_fini(&s);
	cr_expect_eq(fk.revoke_all, 1);
	cr_expect_eq(ex.n_open, 0);
	pmrd_session_fini(&s); /* teardown again: nothing more */
	cr_expect_eq(fk.revoke_all, 1);
}

Test(session_keys, nothing_held_nothing_revoked_at_end)
{
	uint32_t h;
	struct pmr_open_resp o;

	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &o), PMR_ST_OK);
	h = o.handle;
	cr_assert_eq(close_h(h), PMR_ST_OK);
	pmrd_session_fini(&s);
	cr_expect_eq(fk.revoke_all, 0);
}

Test(session_keys, refused_grant_opens_nothing)
{
	fk.fail = -EINVAL;
	cr_expect_eq(open_win(PMR_WIRE_ACCESS_RW, NULL), PMR_ST_INTERNAL);
	cr_expect_eq(ex.n_open, 0);
	cr_expect_eq(s.n_open, 0);
	fk.fail = -ENOMEM;
	cr_expect_eq(open_win(PMR_WIRE_ACCESS_RW, NULL), PMR_ST_LIMIT);
	fk.fail = 0;
	cr_expect_eq(open_win(PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
}

Test(session_keys, no_key_source_is_internal_not_the_mr_rkey)
{
	pmrd_session_set_keys(&s, NULL, NULL);
	cr_expect_eq(open_win(PMR_WIRE_ACCESS_RO, NULL), PMR_ST_INTERNAL);
	cr_expect_eq(ex.n_open, 0);
}

Test(session_keys, shared_mr_export_needs_no_key_source)
{
	struct pmr_open_resp o;

	ex.plan.keys = PMRD_KEYS_SHARED_MR;
	pmrd_session_set_keys(&s, NULL, NULL);
	cr_assert_eq(open_win(PMR_WIRE_ACCESS_RW, &o), PMR_ST_OK);
	cr_expect_eq(o.rkey, ex.rkey);
	ex.plan.keys = PMRD_KEYS_MW2;
}

/* open_deferred -- OPEN "win" ACCESS with deferred grants: no answer yet */
static void open_deferred(uint8_t access, struct pmrd_key_request *kr)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	struct pmr_msg m;
	int n;

	pmr_msg_init(&m, PMR_MSG_OPEN, 42);
	m.u.open_req.access = access;
	strcpy(m.u.open_req.name, "win");
	n = pmr_msg_encode(&m, in, sizeof(in));
	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	cr_assert_eq(n, 0, "an OPEN waiting for its key was answered");
	cr_assert(pmrd_session_key_wanted(&s, kr));
}

Test(session_keys, deferred_grant_holds_the_handle_then_answers)
{
	struct pmrd_key_request kr;
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg r;
	uint32_t rkey;
	void *cookie;
	int n;

	ex.plan.keys = PMRD_KEYS_MR_PER_CLIENT;
	pmrd_session_defer_grant(&s, true);
	open_deferred(PMR_WIRE_ACCESS_RO, &kr);
	cr_expect_eq(fk.granted, 0, "granted inline");
	/* held: a reload cannot release the region meanwhile */
	cr_expect_eq(ex.n_open, 1);
	cr_expect_eq(kr.ex, &ex);
	cr_expect_eq(kr.access, PMR_WIRE_ACCESS_RO);
	cr_assert_eq(kr.ops->grant(kr.ctx, kr.ex, kr.access, &rkey, &cookie),
		     0);
	n = pmrd_session_key_done(&s, 0, rkey, cookie, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_expect_eq(r.hdr.req_id, 42);
	cr_expect_eq(r.hdr.type, PMR_MSG_OPEN | PMR_MSG_RESP);
	cr_expect_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(r.u.open_resp.rkey, rkey);
	cr_expect_not(pmrd_session_key_wanted(&s, &kr));
	ex.plan.keys = PMRD_KEYS_MW2;
}

Test(session_keys, deferred_grant_failure_undoes_the_open)
{
	struct pmrd_key_request kr;
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg r;
	int n;

	ex.plan.keys = PMRD_KEYS_MR_PER_CLIENT;
	pmrd_session_defer_grant(&s, true);
	open_deferred(PMR_WIRE_ACCESS_RW, &kr);
	n = pmrd_session_key_done(&s, -ENOMEM, 0, NULL, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_expect_eq(r.hdr.status, PMR_ST_LIMIT);
	cr_expect_eq(ex.n_open, 0);
	cr_expect_eq(s.n_open, 0);
	ex.plan.keys = PMRD_KEYS_MW2;
}
