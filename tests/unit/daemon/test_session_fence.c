/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session_fence.c -- exclusive opens and takeovers (exclusive.c)
 * through the sessions of several clients sharing one registry, with a
 * fake key source that logs every grant, revoke and fence in one list, so
 * the order of a takeover can be checked: the old holder's key dies
 * before the new holder's key is granted.  Generations go to a temporary
 * state directory.  On a PSK region the proofs cover the flags, the
 * expected generation and the generation answered: an on-path rewrite of
 * any of them is refused or fails the client's check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "generation.h"
#include "fake_exports.h"
#include "open_auth.h"
#include "pmr_proto.h"
#include "proof.h"
#include "session.h"

/* alpha (rw, fake_exports.h): keys MW2 unless a test says otherwise */
#define FENCED_REGION "alpha"

#define N_SESS	4
#define LOG_MAX 64

/* One fake key source per session; every event goes to one log. */
struct fake_keys {
	char who; /* 'A', 'B', ... */
	int cookies[8];
	unsigned n;
};

enum ev_kind { EV_GRANT = 1, EV_REVOKE, EV_FENCE, EV_REVOKE_ALL };

static struct {
	struct {
		enum ev_kind kind;
		char who;
		void *cookie;
	} ev[LOG_MAX];
	unsigned n;
} evlog;

static struct fake_keys fks[N_SESS];
static struct pmrd_session sess[N_SESS];
static struct pmrd_excl reg_excl;
static char dir[] = "/tmp/pmrd-fence-XXXXXX";
static unsigned notified[N_SESS];

/* note -- one event into the log */
static void note(enum ev_kind kind, struct fake_keys *k, void *cookie)
{
	cr_assert_lt(evlog.n, LOG_MAX);
	evlog.ev[evlog.n].kind = kind;
	evlog.ev[evlog.n].who = k->who;
	evlog.ev[evlog.n].cookie = cookie;
	evlog.n++;
}

static int fake_grant(void *ctx, struct pmrd_export *e, uint8_t access,
		      uint32_t *rkey, void **cookie)
{
	struct fake_keys *k = ctx;

	(void)e;
	(void)access;
	cr_assert_lt(k->n, 8);
	*cookie = &k->cookies[k->n];
	*rkey = (uint32_t)(k->who << 8 | k->n++);
	note(EV_GRANT, k, *cookie);
	return 0;
}

static void fake_revoke(void *ctx, void *cookie)
{
	note(EV_REVOKE, ctx, cookie);
}

static void fake_fence(void *ctx, void *cookie)
{
	note(EV_FENCE, ctx, cookie);
}

static void fake_revoke_all(void *ctx)
{
	note(EV_REVOKE_ALL, ctx, NULL);
}

static const struct pmrd_key_ops fake_ops = {
	.grant = fake_grant,
	.revoke = fake_revoke,
	.fence = fake_fence,
	.revoke_all = fake_revoke_all,
};

/* notify -- pmrd_session's notify: counts per session */
static void notify(void *arg)
{
	notified[(struct pmrd_session *)arg - sess]++;
}

static const char *const peers[N_SESS] = {
	"#1 10.0.0.2:40000",
	"#2 10.0.0.3:40001",
	"#3 10.0.0.4:40002",
	"#4 10.0.0.5:40003",
};

/* start -- session I speaking VERSION */
static void start(unsigned i, uint16_t version)
{
	cr_assert_eq(pmrd_session_init(&sess[i], exports, 2, 4, 3, peers[i]),
		     0);
	fks[i].who = (char)('A' + i);
	pmrd_session_set_keys(&sess[i], &fake_ops, &fks[i]);
	pmrd_session_set_version(&sess[i], version);
	pmrd_session_set_exclusive(&sess[i], &reg_excl, notify, &sess[i]);
}

static void setup(void)
{
	memset(&evlog, 0, sizeof(evlog));
	memset(fks, 0, sizeof(fks));
	memset(notified, 0, sizeof(notified));
	ex_a.n_open = 0;
	ex_b.n_open = 0;
	ex_a.plan.keys = PMRD_KEYS_MW2;
	strcpy(dir, "/tmp/pmrd-fence-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	pmrd_excl_init(&reg_excl, dir);
	for (unsigned i = 0; i < N_SESS; i++)
		start(i, PMR_PROTO_VERSION_FENCE);
}

static void teardown(void)
{
	char path[512];

	for (unsigned i = 0; i < N_SESS; i++)
		pmrd_session_fini(&sess[i]);
	cr_assert(hlist_empty(&reg_excl.rw), "a link outlived its session");
	snprintf(path, sizeof(path), "%s/alpha.generation", dir);
	unlink(path);
	rmdir(dir);
}

/* request -- M to session I, its answer into R: M in the version 3
 * layout (a version 2 session must refuse what it cannot speak), the
 * answer in the session's */
static void request(unsigned i, struct pmr_msg *m, struct pmr_msg *r)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	int n = pmr_msg_encode_ver(m, PMR_PROTO_VERSION_FENCE, in, sizeof(in));

	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&sess[i], in, (size_t)n, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode_ver(out, (size_t)n, sess[i].version, r), 0);
}

/* open_as -- session I opens NAME with ACCESS and FLAGS (EXPECT for
 * RESUME): the status, the answer in *O, the text in *R */
static uint16_t open_as(unsigned i, const char *name, uint8_t access,
			uint8_t flags, uint64_t expect, struct pmr_open_resp *o,
			struct pmr_msg *r)
{
	struct pmr_msg m, tmp;

	if (!r)
		r = &tmp;
	pmr_msg_init(&m, PMR_MSG_OPEN, 1);
	m.u.open_req.access = access;
	m.u.open_req.flags = flags;
	m.u.open_req.expect_gen = expect;
	strcpy(m.u.open_req.name, name);
	request(i, &m, r);
	if (!r->hdr.status && o)
		*o = r->u.open_resp;
	return r->hdr.status;
}

/* excl -- session I opens alpha with FLAGS (read-write); the status */
static uint16_t excl(unsigned i, uint8_t flags, struct pmr_open_resp *o,
		     struct pmr_msg *r)
{
	return open_as(i, FENCED_REGION, PMR_WIRE_ACCESS_RW, flags, 0, o, r);
}

/* simple -- session I, plain or RO (ACCESS) open of alpha */
static uint16_t simple(unsigned i, uint8_t access, struct pmr_open_resp *o)
{
	return open_as(i, FENCED_REGION, access, 0, 0, o, NULL);
}

/* persist_as -- PERSIST 0+64 on handle H of session I; the answer in R */
static uint16_t persist_as(unsigned i, uint32_t h, struct pmr_msg *r)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_PERSIST, 3);
	m.u.persist_req.handle = h;
	m.u.persist_req.length = 64;
	request(i, &m, r);
	return r->hdr.status;
}

/* close_as -- CLOSE H in session I; the status */
static uint16_t close_as(unsigned i, uint32_t h)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_CLOSE, 2);
	m.u.close_req.handle = h;
	request(i, &m, &r);
	return r.hdr.status;
}

/* stored -- the generation in the state directory */
static uint64_t stored(void)
{
	uint64_t g = UINT64_MAX;

	cr_assert_eq(pmrd_gen_load(dir, FENCED_REGION, &g), 0);
	return g;
}

/* find -- index of the first event KIND of WHO from FROM, or -1 */
static int find(enum ev_kind kind, char who, unsigned from)
{
	for (unsigned i = from; i < evlog.n; i++)
		if (evlog.ev[i].kind == kind && evlog.ev[i].who == who)
			return (int)i;
	return -1;
}

TestSuite(fence, .init = setup, .fini = teardown);

Test(fence, first_grant_is_generation_1_and_is_stored)
{
	struct pmr_open_resp o;

	cr_assert_eq(stored(), 0);
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(o.excl, 1);
	cr_assert_eq(o.generation, 1);
	cr_assert_eq(stored(), 1);
}

Test(fence, second_excl_is_busy_naming_the_holder)
{
	struct pmr_open_resp o;
	struct pmr_msg r;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL, NULL, &r), PMR_ST_BUSY);
	cr_assert_not_null(strstr(r.u.error.text,
				  "held exclusively by 10.0.0.2:40000 "
				  "(generation 1)"),
			   "%s", r.u.error.text);
	/* the same session cannot hold it twice either */
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, NULL, NULL), PMR_ST_BUSY);
	cr_assert_eq(stored(), 1, "a refused open took a generation");
}

Test(fence, plain_rw_refused_while_held_and_blocks_excl)
{
	struct pmr_open_resp o, p;
	struct pmr_msg r;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(open_as(1, FENCED_REGION, PMR_WIRE_ACCESS_RW, 0, 0, NULL,
			     &r),
		     PMR_ST_BUSY);
	cr_assert_not_null(strstr(r.u.error.text, "10.0.0.2:40000"));
	cr_assert_eq(close_as(0, o.handle), PMR_ST_OK);

	/* now a plain rw holder: an EXCL open is refused, naming it */
	cr_assert_eq(simple(1, PMR_WIRE_ACCESS_RW, &p), PMR_ST_OK);
	cr_assert_eq(p.excl, 0);
	cr_assert_eq(p.generation, 0);
	cr_assert_eq(excl(2, PMR_OPEN_F_EXCL, NULL, &r), PMR_ST_BUSY);
	cr_assert_not_null(strstr(r.u.error.text, "10.0.0.3:40001"), "%s",
			   r.u.error.text);
	/* plain rw opens among themselves are as before */
	cr_assert_eq(simple(2, PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
}

Test(fence, read_only_opens_unaffected)
{
	struct pmr_open_resp o;

	cr_assert_eq(simple(1, PMR_WIRE_ACCESS_RO, NULL), PMR_ST_OK);
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(simple(2, PMR_WIRE_ACCESS_RO, NULL), PMR_ST_OK);
	/* a takeover leaves read-only handles alone */
	cr_assert_eq(excl(3, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, NULL),
		     PMR_ST_OK);
	cr_assert_eq(find(EV_FENCE, 'B', 0), -1);
	cr_assert_eq(find(EV_FENCE, 'C', 0), -1);
	cr_assert_neq(find(EV_FENCE, 'A', 0), -1);
}

Test(fence, takeover_fences_before_it_grants)
{
	struct pmr_open_resp a, b;
	int grant_a, fence_a, grant_b;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &b, NULL),
		     PMR_ST_OK);
	cr_assert_eq(b.excl, 1);
	cr_assert_eq(b.generation, 2);
	cr_assert_gt(b.generation, a.generation);
	cr_assert_eq(stored(), 2);

	grant_a = find(EV_GRANT, 'A', 0);
	fence_a = find(EV_FENCE, 'A', 0);
	grant_b = find(EV_GRANT, 'B', 0);
	cr_assert_geq(grant_a, 0);
	cr_assert_gt(fence_a, grant_a);
	cr_assert_gt(grant_b, fence_a, "B's key granted before A's died");
	cr_assert_eq(evlog.ev[fence_a].cookie, &fks[0].cookies[0]);
	/* fenced through the fence op, not a queued revoke */
	cr_assert_eq(find(EV_REVOKE, 'A', 0), -1);
}

Test(fence, fenced_session_gets_a_notice_and_refusals)
{
	struct pmr_open_resp a;
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, r;
	int n;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(pmrd_session_take_notice(&sess[0], buf, sizeof(buf)), 0);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, NULL),
		     PMR_ST_OK);
	cr_assert_eq(notified[0], 1);
	cr_assert_eq(notified[1], 0);

	n = pmrd_session_take_notice(&sess[0], buf, sizeof(buf));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode_ver(buf, (size_t)n, PMR_PROTO_VERSION_FENCE,
					&m),
		     0);
	cr_assert_eq(m.hdr.type, PMR_MSG_FENCED);
	cr_assert_eq(m.hdr.req_id, 0);
	cr_assert_eq(m.u.fenced.handle, a.handle);
	cr_assert_eq(m.u.fenced.generation, 2);
	cr_assert_eq(pmrd_session_take_notice(&sess[0], buf, sizeof(buf)), 0,
		     "one notice per fenced handle");

	cr_assert_eq(persist_as(0, a.handle, &r), PMR_ST_FENCED);
	cr_assert_not_null(strstr(r.u.error.text, "generation 2"));
	/* CLOSE still works, and revokes nothing (the key is gone) */
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
	cr_assert_eq(find(EV_REVOKE, 'A', 0), -1);
	cr_assert_eq(close_as(0, a.handle), PMR_ST_NOENT);
}

/* atomic_write_as -- ATOMIC_WRITE at 8 on handle H of session I; the
 * answer in R */
static uint16_t atomic_write_as(unsigned i, uint32_t h, struct pmr_msg *r)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_ATOMIC_WRITE, 4);
	m.u.atomic_write_req.handle = h;
	m.u.atomic_write_req.offset = 8;
	m.u.atomic_write_req.value = 1;
	request(i, &m, r);
	return r->hdr.status;
}

Test(fence, fenced_handle_refuses_atomic_write)
{
	struct pmr_open_resp a;
	struct pmr_msg r;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, NULL),
		     PMR_ST_OK);
	/* the server's store must not bypass the dead key */
	cr_assert_eq(atomic_write_as(0, a.handle, &r), PMR_ST_FENCED);
	cr_assert_not_null(strstr(r.u.error.text, "fenced"), "%s",
			   r.u.error.text);
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
}

Test(fence, version_2_client_refused_with_a_status_it_knows)
{
	struct pmr_msg r;

	pmrd_session_fini(&sess[0]);
	start(0, 2);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL, NULL, NULL), PMR_ST_OK);
	/* BUSY is version 3's: a version 2 peer gets ACCESS, same text */
	cr_assert_eq(open_as(0, FENCED_REGION, PMR_WIRE_ACCESS_RW, 0, 0, NULL,
			     &r),
		     PMR_ST_ACCESS);
	cr_assert_not_null(strstr(r.u.error.text, "held exclusively"), "%s",
			   r.u.error.text);
	cr_assert_eq(simple(0, PMR_WIRE_ACCESS_RO, NULL), PMR_ST_OK);
}

Test(fence, takeover_fences_every_plain_rw_holder)
{
	struct pmr_open_resp a, c, d;

	cr_assert_eq(simple(0, PMR_WIRE_ACCESS_RW, &a), PMR_ST_OK);
	cr_assert_eq(simple(2, PMR_WIRE_ACCESS_RW, &c), PMR_ST_OK);
	cr_assert_eq(excl(3, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &d, NULL),
		     PMR_ST_OK);
	cr_assert_eq(d.generation, 1);
	cr_assert_lt(find(EV_FENCE, 'A', 0), find(EV_GRANT, 'D', 0));
	cr_assert_lt(find(EV_FENCE, 'C', 0), find(EV_GRANT, 'D', 0));
	cr_assert_eq(notified[0], 1);
	cr_assert_eq(notified[2], 1);
}

Test(fence, takeover_of_a_free_region_and_again)
{
	struct pmr_open_resp a, b;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &a, NULL),
		     PMR_ST_OK);
	cr_assert_eq(a.generation, 1);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &b, NULL),
		     PMR_ST_OK);
	cr_assert_eq(b.generation, 2);
	/* the fenced holder is no holder: a third takes it from B */
	cr_assert_eq(excl(2, PMR_OPEN_F_EXCL, NULL, NULL), PMR_ST_BUSY);
	cr_assert_eq(close_as(1, b.handle), PMR_ST_OK);
	cr_assert_eq(excl(2, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(a.generation, 3);
}

Test(fence, generation_survives_a_restart)
{
	struct pmr_open_resp o;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &o, NULL),
		     PMR_ST_OK);
	/* a "restart": every session gone, a new registry on the same dir */
	for (unsigned i = 0; i < N_SESS; i++)
		pmrd_session_fini(&sess[i]);
	pmrd_excl_init(&reg_excl, dir);
	for (unsigned i = 0; i < N_SESS; i++)
		start(i, PMR_PROTO_VERSION_FENCE);
	cr_assert_eq(excl(2, PMR_OPEN_F_EXCL, &o, NULL), PMR_ST_OK);
	cr_assert_eq(o.generation, 3);
}

Test(fence, resume_at_the_expected_generation)
{
	struct pmr_open_resp a, b;
	struct pmr_msg r;
	uint8_t flags = PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
	/* free and still at 1: re-acquired without a new generation */
	cr_assert_eq(open_as(1, FENCED_REGION, PMR_WIRE_ACCESS_RW, flags, 1, &b,
			     NULL),
		     PMR_ST_OK);
	cr_assert_eq(b.generation, 1);
	cr_assert_eq(stored(), 1);
	/* held: FENCED, not BUSY (the holder is not coming back to it) */
	cr_assert_eq(open_as(2, FENCED_REGION, PMR_WIRE_ACCESS_RW, flags, 1,
			     NULL, &r),
		     PMR_ST_FENCED);
	cr_assert_eq(close_as(1, b.handle), PMR_ST_OK);
	/* a takeover happened meanwhile: the generation moved on */
	cr_assert_eq(excl(3, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, &a, NULL),
		     PMR_ST_OK);
	cr_assert_eq(close_as(3, a.handle), PMR_ST_OK);
	cr_assert_eq(open_as(2, FENCED_REGION, PMR_WIRE_ACCESS_RW, flags, 1,
			     NULL, &r),
		     PMR_ST_FENCED);
	cr_assert_not_null(strstr(r.u.error.text, "generation 2"), "%s",
			   r.u.error.text);
}

Test(fence, shared_mr_refuses_naming_the_fix)
{
	struct pmr_msg r;

	ex_a.plan.keys = PMRD_KEYS_SHARED_MR;
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, NULL, &r), PMR_ST_UNSUPPORTED);
	cr_assert_not_null(strstr(r.u.error.text,
				  "keys = mw2 or mr-per-client"),
			   "%s", r.u.error.text);
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, &r),
		     PMR_ST_UNSUPPORTED);
	/* plain opens of it work as ever */
	cr_assert_eq(simple(0, PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
	cr_assert_eq(stored(), 0);
}

Test(fence, version_2_client)
{
	struct pmr_open_resp a;
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg r;

	pmrd_session_fini(&sess[0]);
	start(0, 2);
	/* the flags have no meaning in version 2 */
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, NULL, NULL), PMR_ST_INVALID);
	/* its plain rw handle is fenced by a takeover all the same, but it
	 * gets no notice and a status it knows */
	cr_assert_eq(simple(0, PMR_WIRE_ACCESS_RW, &a), PMR_ST_OK);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, NULL),
		     PMR_ST_OK);
	cr_assert_neq(find(EV_FENCE, 'A', 0), -1);
	cr_assert_eq(notified[0], 0);
	cr_assert_eq(pmrd_session_take_notice(&sess[0], buf, sizeof(buf)), 0);
	cr_assert_eq(persist_as(0, a.handle, &r), PMR_ST_ACCESS);
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
}

Test(fence, corrupt_generation_file_refuses_exclusive_opens)
{
	char path[512];
	FILE *f;
	struct pmr_msg r;

	snprintf(path, sizeof(path), "%s/alpha.generation", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("seven\n", f);
	fclose(f);
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, NULL, &r), PMR_ST_INTERNAL);
	cr_assert_not_null(strstr(r.u.error.text, "alpha.generation"), "%s",
			   r.u.error.text);
	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, NULL, &r),
		     PMR_ST_INTERNAL);
	/* never reset */
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(path, sizeof(path), f));
	fclose(f);
	cr_assert_str_eq(path, "seven\n");
	/* plain opens do not need it */
	cr_assert_eq(simple(0, PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
	snprintf(path, sizeof(path), "%s/alpha.generation", dir);
	unlink(path);
}

Test(fence, fenced_notice_from_a_client_is_invalid)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_FENCED, 0);
	m.u.fenced.handle = 1;
	request(0, &m, &r);
	cr_assert_eq(r.hdr.status, PMR_ST_INVALID);
}

Test(fence, closing_the_holder_frees_the_region)
{
	struct pmr_open_resp a;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
	cr_assert_neq(find(EV_REVOKE, 'A', 0), -1, "CLOSE revokes as ever");
	cr_assert_eq(simple(1, PMR_WIRE_ACCESS_RW, NULL), PMR_ST_OK);
}

Test(fence, session_end_releases_the_region)
{
	struct pmr_open_resp a;

	cr_assert_eq(excl(0, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	pmrd_session_fini(&sess[0]);
	start(0, PMR_PROTO_VERSION_FENCE);
	cr_assert_eq(excl(1, PMR_OPEN_F_EXCL, &a, NULL), PMR_ST_OK);
	cr_assert_eq(a.generation, 2);
}

/* alpha's PSK in the proof tests, and the client nonce of every session */
static const char psk[] = "0123456789abcdef0123";
static struct pmrd_auth_region psk_rule;
static struct pmrd_auth psk_table_storage = { &psk_rule, 1 };
static struct pmrd_auth *psk_table = &psk_table_storage;
static const uint8_t cnonce[PMR_NONCE_SIZE] = { 9, 9 };

/* with_psk -- session I must prove alpha's PSK to open it */
static void with_psk(unsigned i)
{
	memset(&psk_rule, 0, sizeof(psk_rule));
	strcpy(psk_rule.name, FENCED_REGION);
	memcpy(psk_rule.psk, psk, sizeof(psk) - 1);
	psk_rule.psk_len = sizeof(psk) - 1;
	cr_assert_eq(pmrd_auth_conn_start(&sess[i].auth, &psk_table, NULL,
					  cnonce),
		     0);
}

/* rw_req -- a read-write OPEN of alpha with FLAGS and EXPECT */
static struct pmr_open_req rw_req(uint8_t flags, uint64_t expect)
{
	struct pmr_open_req q = { .access = PMR_WIRE_ACCESS_RW,
				  .flags = flags,
				  .expect_gen = expect,
				  .name = FENCED_REGION };

	return q;
}

/*
 * open_signed -- session I is sent SENT carrying the proof of MEANT (what
 * the client signed; SENT is what an on-path rewrite made of it, the
 * proof copied into SENT): the status, the answer in *O
 */
static uint16_t open_signed(unsigned i, const struct pmr_open_req *meant,
			    struct pmr_open_req *sent, struct pmr_open_resp *o)
{
	struct pmr_msg m, r;

	cr_assert_eq(pmr_proof_client(
			     psk, sizeof(psk) - 1, cnonce, sess[i].auth.snonce,
			     PMR_PROTO_VERSION_FENCE, meant, sent->proof),
		     0);
	sent->has_proof = 1;
	pmr_msg_init(&m, PMR_MSG_OPEN, 1);
	m.u.open_req = *sent;
	request(i, &m, &r);
	if (!r.hdr.status && o)
		*o = r.u.open_resp;
	return r.hdr.status;
}

/* proven -- O carries the server's proof of answering Q in session I */
static bool proven(unsigned i, const struct pmr_open_req *q,
		   const struct pmr_open_resp *o)
{
	uint8_t want[PMR_PROOF_SIZE];

	cr_assert_eq(o->has_proof, 1);
	cr_assert_eq(pmr_proof_server(psk, sizeof(psk) - 1, cnonce,
				      sess[i].auth.snonce,
				      PMR_PROTO_VERSION_FENCE, q, o, want),
		     0);
	return pmr_proof_equal(want, o->proof);
}

Test(fence, psk_proof_covers_flags_and_generation)
{
	struct pmr_open_req ex = rw_req(PMR_OPEN_F_EXCL, 0);
	struct pmr_open_req take =
		rw_req(PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, 0);
	struct pmr_open_req res =
		rw_req(PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME, 1);
	struct pmr_open_req sent;
	struct pmr_open_resp a, forged;

	for (unsigned i = 0; i < 3; i++)
		with_psk(i);
	sent = ex;
	cr_assert_eq(open_signed(0, &ex, &sent, &a), PMR_ST_OK);
	cr_assert_eq(a.generation, 1);
	cr_assert(proven(0, &sent, &a));
	/* a forged fencing token or a hidden exclusivity fails the check */
	forged = a;
	forged.generation = 7;
	cr_assert_not(proven(0, &sent, &forged), "generation");
	forged = a;
	forged.excl = 0;
	forged.generation = 0;
	cr_assert_not(proven(0, &sent, &forged), "EXCL");

	/* B meant EXCL, a rewrite adds TAKEOVER: refused, A not fenced */
	sent = take;
	cr_assert_eq(open_signed(1, &ex, &sent, NULL), PMR_ST_DENIED);
	cr_assert_eq(find(EV_FENCE, 'A', 0), -1);
	cr_assert_eq(stored(), 1);
	/* B meant TAKEOVER, a rewrite strips it: refused, not BUSY */
	sent = ex;
	cr_assert_eq(open_signed(1, &take, &sent, NULL), PMR_ST_DENIED);
	/* and a plain rw open signed as EXCL is refused too */
	sent = rw_req(0, 0);
	cr_assert_eq(open_signed(1, &ex, &sent, NULL), PMR_ST_DENIED);

	/* RESUME at an expected generation other than the signed one */
	cr_assert_eq(close_as(0, a.handle), PMR_ST_OK);
	sent = res;
	sent.expect_gen = 2;
	cr_assert_eq(open_signed(2, &res, &sent, NULL), PMR_ST_DENIED);
	sent = res;
	cr_assert_eq(open_signed(2, &res, &sent, &a), PMR_ST_OK);
	cr_assert_eq(a.generation, 1);
	cr_assert(proven(2, &sent, &a));
}
