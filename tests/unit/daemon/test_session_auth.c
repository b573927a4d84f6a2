/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session_auth.c -- allow lists and PSK proofs in daemon/session.c
 * over fake exports: a denied OPEN answers DENIED naming the region and
 * carries no byte of the region's address or rkey; LIST hides what the
 * peer's address may not open; a correct proof opens and is answered with
 * the server's proof; a proof from another connection (other nonces), a
 * missing one and a version 1 client are denied; the fourth failure
 * disconnects; at version 3 a proof of the version 2 form is denied and
 * the server's proof covers the atomics byte (test_session_fence.c: the
 * flags and the generation).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <criterion/criterion.h>
#include <infiniband/verbs.h>

#include "open_auth.h"
#include "fake_exports.h"
#include "pmr_proto.h"
#include "proof.h"
#include "session.h"

static const char key[] = "0123456789abcdef0123";
static struct pmrd_auth_region rules[1];
static struct pmrd_auth table_storage = { rules, 1 };
static struct pmrd_auth *table = &table_storage;
static struct pmrd_session s;
static uint8_t cnonce[PMR_NONCE_SIZE] = { 7, 7, 7 };

/* start -- a session of peer ADDR (IPv4 text), nonces unless V1 */
static void start(const char *addr, bool v1)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	cr_assert_eq(pmrd_session_init(&s, exports, 2, 2, 3, "test"), 0);
	cr_assert_eq(pmrd_auth_conn_start(&s.auth, &table,
					  (struct sockaddr *)&sin,
					  v1 ? NULL : cnonce),
		     0);
}

/* rules_for_alpha -- alpha: allow 10.0.0.0/8, and the PSK when WITH_PSK */
static void rules_for_alpha(bool with_psk)
{
	static struct pmrd_cidr net = { .prefix = 96 + 8 };

	memset(rules, 0, sizeof(rules));
	net.addr[10] = net.addr[11] = 0xff;
	net.addr[12] = 10;
	strcpy(rules[0].name, "alpha");
	rules[0].allow = &net;
	rules[0].n_allow = 1;
	if (with_psk) {
		memcpy(rules[0].psk, key, sizeof(key) - 1);
		rules[0].psk_len = sizeof(key) - 1;
	}
}

static void teardown(void)
{
	pmrd_session_fini(&s);
}

/* handle -- REQ through the session; the raw response in OUT, its length */
static int handle(struct pmr_msg *req, uint8_t *out)
{
	uint8_t in[PMR_MSG_MAX];
	int n = pmr_msg_encode(req, in, sizeof(in));

	cr_assert_gt(n, 0);
	return pmrd_session_handle(&s, in, (size_t)n, out, PMR_MSG_MAX);
}

/* open_alpha -- OPEN alpha rw with PROOF (NULL: none); raw answer in OUT */
static int open_alpha(const uint8_t *proof, uint8_t *out, struct pmr_msg *r)
{
	struct pmr_msg m;
	int n;

	pmr_msg_init(&m, PMR_MSG_OPEN, 11);
	strcpy(m.u.open_req.name, "alpha");
	if (proof) {
		m.u.open_req.has_proof = 1;
		memcpy(m.u.open_req.proof, proof, PMR_PROOF_SIZE);
	}
	n = handle(&m, out);
	if (n > 0)
		cr_assert_eq(pmr_msg_decode(out, (size_t)n, r), 0);
	return n;
}

/* no_key_bytes -- none of alpha's rkey or address is in the N bytes */
static void no_key_bytes(const uint8_t *out, int n)
{
	uint8_t rkey[4] = { 0xbc, 0x0a, 0, 0 }, addr[8] = { 0, 0x10 };

	cr_assert_null(memmem(out, (size_t)n, rkey, sizeof(rkey)));
	cr_assert_null(memmem(out, (size_t)n, addr, sizeof(addr)));
}

/* expect_denied -- R is DENIED naming alpha, nothing but an error body */
static void expect_denied(const struct pmr_msg *r, const uint8_t *out, int n)
{
	cr_assert_eq(r->hdr.status, PMR_ST_DENIED);
	cr_assert_str_eq(r->u.error.text,
			 "not authorized to open region 'alpha'");
	cr_assert_eq(n, PMR_MSG_HDR_SIZE + 2 + (int)strlen(r->u.error.text));
	no_key_bytes(out, n);
}

Test(session_auth, address_outside_allow_list_denied_without_key,
     .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg r;
	int n;

	rules_for_alpha(false);
	start("192.168.1.1", false);
	n = open_alpha(NULL, out, &r);
	expect_denied(&r, out, n);
	cr_assert_eq(s.n_open, 0);
	cr_assert_eq(ex_a.n_open, 0);
}

Test(session_auth, list_hides_what_the_address_may_not_open, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg m, r;
	int n;

	rules_for_alpha(false);
	start("192.168.1.1", false);
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 3);
	n = handle(&m, out);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_assert_eq(r.u.list_resp.total, 1);
	cr_assert_eq(r.u.list_resp.count, 1);
	cr_assert_str_eq(r.u.list_resp.entries[0].name, "beta");
	m.u.list_req.start = 1;
	n = handle(&m, out);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_assert_eq(r.u.list_resp.count, 0);
	m.u.list_req.start = 2;
	n = handle(&m, out);
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_RANGE);
}

Test(session_auth, address_inside_allow_list_opens, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg r;

	rules_for_alpha(false);
	start("10.77.0.1", false);
	cr_assert_gt(open_alpha(NULL, out, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_assert_eq(r.u.open_resp.rkey, 0xabc);
	cr_assert_eq(r.u.open_resp.has_proof, 0);
}

/* prove -- the client proof of Q (its proof field set) at VERSION */
static void prove(struct pmr_open_req *q, uint16_t version)
{
	cr_assert_eq(pmr_proof_client(key, sizeof(key) - 1, cnonce,
				      s.auth.snonce, version, q, q->proof),
		     0);
	q->has_proof = 1;
}

/* server_proves -- R answers Q with the server's proof of VERSION */
static bool server_proves(const struct pmr_open_req *q,
			  const struct pmr_open_resp *r, uint16_t version)
{
	uint8_t want[PMR_PROOF_SIZE];

	cr_assert_eq(pmr_proof_server(key, sizeof(key) - 1, cnonce,
				      s.auth.snonce, version, q, r, want),
		     0);
	return pmr_proof_equal(want, r->proof);
}

Test(session_auth, psk_proof_opens_and_server_proves, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX];
	struct pmr_open_req q = { .access = PMR_WIRE_ACCESS_RW,
				  .name = "alpha" };
	struct pmr_msg r;

	rules_for_alpha(true);
	start("10.77.0.1", false);
	prove(&q, PMR_PROTO_VERSION_AUTH);
	cr_assert_gt(open_alpha(q.proof, out, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	cr_assert_eq(r.u.open_resp.has_proof, 1);
	cr_assert(server_proves(&q, &r.u.open_resp, PMR_PROTO_VERSION_AUTH));
}

/*
 * open_v3 -- Q to the session (version 3 layout, as sent), the answer
 * decoded into R; its status
 */
static uint16_t open_v3(const struct pmr_open_req *q, struct pmr_msg *r)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	struct pmr_msg m;
	int n;

	pmr_msg_init(&m, PMR_MSG_OPEN, 12);
	m.u.open_req = *q;
	n = pmr_msg_encode_ver(&m, PMR_PROTO_VERSION_FENCE, in, sizeof(in));
	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode_ver(out, (size_t)n, PMR_PROTO_VERSION_FENCE,
					r),
		     0);
	if (r->hdr.status)
		no_key_bytes(out, n);
	return r->hdr.status;
}

Test(session_auth, version_3_proof_covers_the_atomic_path, .fini = teardown)
{
	struct pmr_open_req q = { .access = PMR_WIRE_ACCESS_RW,
				  .name = "alpha" };
	struct pmr_open_resp forged;
	struct pmr_msg r;

	rules_for_alpha(true);
	ex_a.plan.atomics = PMR_ATOMICS_RDMA;
	ex_a.plan.grant_ceiling = IBV_ACCESS_REMOTE_READ |
				  IBV_ACCESS_REMOTE_WRITE |
				  IBV_ACCESS_REMOTE_ATOMIC;
	start("10.77.0.1", false);
	pmrd_session_set_version(&s, PMR_PROTO_VERSION_ATOMICS);
	/* a version 2 proof (a peer downgraded in the middle) is refused */
	prove(&q, PMR_PROTO_VERSION_AUTH);
	cr_assert_eq(open_v3(&q, &r), PMR_ST_DENIED);
	prove(&q, PMR_PROTO_VERSION_ATOMICS);
	cr_assert_eq(open_v3(&q, &r), PMR_ST_OK);
	cr_assert_eq(r.u.open_resp.atomics, PMR_ATOMICS_RDMA);
	cr_assert(server_proves(&q, &r.u.open_resp, PMR_PROTO_VERSION_ATOMICS));
	cr_assert_not(
		server_proves(&q, &r.u.open_resp, PMR_PROTO_VERSION_AUTH));
	/* an answer claiming the native ATOMIC WRITE path does not verify */
	forged = r.u.open_resp;
	forged.atomics |= PMR_ATOMICS_NATIVE_WRITE;
	cr_assert_not(server_proves(&q, &forged, PMR_PROTO_VERSION_ATOMICS));
	forged.atomics = 0;
	cr_assert_not(server_proves(&q, &forged, PMR_PROTO_VERSION_ATOMICS));
}

Test(session_auth, proof_of_another_connection_denied, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX], proof[PMR_PROOF_SIZE], old[PMR_NONCE_SIZE];
	struct pmr_open_req q = { .access = PMR_WIRE_ACCESS_RW,
				  .name = "alpha" };
	struct pmr_msg r;
	int n;

	rules_for_alpha(true);
	start("10.77.0.1", false);
	memcpy(old, s.auth.snonce, sizeof(old));
	cr_assert_eq(pmr_proof_client(key, sizeof(key) - 1, cnonce, old,
				      PMR_PROTO_VERSION_AUTH, &q, proof),
		     0);
	pmrd_session_fini(&s);
	/* a second connection: same client nonce, a fresh server nonce */
	start("10.77.0.1", false);
	cr_assert_neq(memcmp(old, s.auth.snonce, sizeof(old)), 0);
	n = open_alpha(proof, out, &r);
	expect_denied(&r, out, n);
	n = open_alpha(NULL, out, &r);
	expect_denied(&r, out, n);
	proof[5] ^= 0x40;
	n = open_alpha(proof, out, &r);
	expect_denied(&r, out, n);
	/* the fourth failed proof: the client is to be disconnected */
	cr_assert_eq(open_alpha(proof, out, &r), -EPROTO);
	cr_assert_eq(s.n_open, 0);
}

Test(session_auth, version_1_client_cannot_prove, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX], proof[PMR_PROOF_SIZE] = { 0 };
	struct pmr_msg r;
	int n;

	rules_for_alpha(true);
	start("10.77.0.1", true);
	n = open_alpha(proof, out, &r);
	expect_denied(&r, out, n);
}

Test(session_auth, no_rules_table_is_everyone, .fini = teardown)
{
	uint8_t out[PMR_MSG_MAX];
	struct pmr_msg r;

	cr_assert_eq(pmrd_session_init(&s, exports, 2, 2, 3, "test"), 0);
	cr_assert_gt(open_alpha(NULL, out, &r), 0);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
}
