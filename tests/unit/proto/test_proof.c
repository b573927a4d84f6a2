/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_proof.c -- PSK proofs: the HMAC-SHA256 plumbing against RFC 4231
 * vectors, known answers for the version 2 and version 3 forms (the
 * layouts in proof.h, computed apart from this code), and what a proof
 * depends on (every input changes it; the same inputs give the same proof
 * on both sides; from version 3 every OPEN field version 3 added).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proof.h"

/* unhex -- N bytes of HEX into OUT */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

Test(proof, rfc4231_case_1)
{
	uint8_t key[20], want[32], got[32];

	memset(key, 0x0b, sizeof(key));
	unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	      want, sizeof(want));
	cr_assert_eq(pmr_hmac_sha256(key, sizeof(key), "Hi There", 8, got), 0);
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(proof, rfc4231_case_2)
{
	const char *msg = "what do ya want for nothing?";
	uint8_t want[32], got[32];

	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	      want, sizeof(want));
	cr_assert_eq(pmr_hmac_sha256("Jefe", 4, msg, strlen(msg), got), 0);
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(proof, rfc4231_case_6_long_key)
{
	const char *msg =
		"Test Using Larger Than Block-Size Key - Hash Key First";
	uint8_t key[131], want[32], got[32];

	memset(key, 0xaa, sizeof(key));
	unhex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	      want, sizeof(want));
	cr_assert_eq(pmr_hmac_sha256(key, sizeof(key), msg, strlen(msg), got),
		     0);
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(proof, bad_arguments)
{
	uint8_t out[32];

	cr_assert_eq(pmr_hmac_sha256(NULL, 16, "x", 1, out), -EINVAL);
	cr_assert_eq(pmr_hmac_sha256("k", 0, "x", 1, out), -EINVAL);
	struct pmr_open_req req = { .name = "" };

	cr_assert_eq(pmr_proof_client("0123456789abcdef", 16, out, out, 2, &req,
				      out),
		     -EINVAL);
	cr_assert_eq(pmr_proof_client("0123456789abcdef", 16, out, out, 3, NULL,
				      out),
		     -EINVAL);
}

/* client_proof -- the client proof over fixed nonces, varied inputs */
static void client_proof(const char *key, uint8_t cn, uint8_t sn,
			 const char *name, uint8_t access, uint8_t out[32])
{
	uint8_t cnonce[PMR_NONCE_SIZE], snonce[PMR_NONCE_SIZE];
	struct pmr_open_req req = { .access = access };

	memset(cnonce, cn, sizeof(cnonce));
	memset(snonce, sn, sizeof(snonce));
	snprintf(req.name, sizeof(req.name), "%s", name);
	cr_assert_eq(pmr_proof_client(key, strlen(key), cnonce, snonce,
				      PMR_PROTO_VERSION_AUTH, &req, out),
		     0);
}

Test(proof, client_proof_binds_every_input)
{
	const char *k = "sixteen byte key", *k2 = "sixteen byte kez";
	uint8_t a[32], b[32];

	client_proof(k, 1, 2, "db", 0, a);
	client_proof(k, 1, 2, "db", 0, b);
	cr_assert(pmr_proof_equal(a, b), "deterministic");
	client_proof(k2, 1, 2, "db", 0, b);
	cr_assert_not(pmr_proof_equal(a, b), "key");
	client_proof(k, 3, 2, "db", 0, b);
	cr_assert_not(pmr_proof_equal(a, b), "client nonce");
	client_proof(k, 1, 3, "db", 0, b);
	cr_assert_not(pmr_proof_equal(a, b), "server nonce");
	client_proof(k, 1, 2, "dc", 0, b);
	cr_assert_not(pmr_proof_equal(a, b), "region name");
	client_proof(k, 1, 2, "db", 1, b);
	cr_assert_not(pmr_proof_equal(a, b), "access");
}

Test(proof, server_proof_binds_the_key_it_sends)
{
	const char *k = "sixteen byte key";
	uint8_t cn[PMR_NONCE_SIZE] = { 1 }, sn[PMR_NONCE_SIZE] = { 2 };
	struct pmr_open_req req = { .access = 0, .name = "db" };
	struct pmr_open_resp resp = {
		.handle = 1, .rkey = 0x1234, .addr = 0x1000, .length = 4096
	};
	uint8_t a[32], b[32], c[32];

	cr_assert_eq(pmr_proof_client(k, 16, cn, sn, 2, &req, req.proof), 0);
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, 2, &req, &resp, a), 0);
	cr_assert_not(pmr_proof_equal(a, req.proof), "not the client's");
	resp.rkey ^= 1;
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, 2, &req, &resp, b), 0);
	cr_assert_not(pmr_proof_equal(a, b), "rkey");
	resp.rkey ^= 1;
	resp.addr += 64;
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, 2, &req, &resp, c), 0);
	cr_assert_not(pmr_proof_equal(a, c), "addr");
}

/* kat_nonces -- the nonces of the known answers: 00..0f and f0..ff */
static void kat_nonces(uint8_t cn[PMR_NONCE_SIZE], uint8_t sn[PMR_NONCE_SIZE])
{
	for (unsigned i = 0; i < PMR_NONCE_SIZE; i++) {
		cn[i] = (uint8_t)i;
		sn[i] = (uint8_t)(0xf0 + i);
	}
}

/*
 * The known answers were computed with Python's hmac module from the
 * layouts in proof.h, not with proof.c.  The version 2 pair is also what
 * proof.c gave before version 3 proofs existed: a version 2 peer's proofs
 * are unchanged, byte for byte.
 */
Test(proof, version_2_known_answer)
{
	const char *k = "sixteen byte key";
	uint8_t cn[PMR_NONCE_SIZE], sn[PMR_NONCE_SIZE], want[32], got[32];
	struct pmr_open_req req = { .access = PMR_WIRE_ACCESS_RW,
				    .name = "db" };
	struct pmr_open_resp resp = { .handle = 0x10001,
				      .rkey = 0x1234,
				      .addr = 0x1000,
				      .length = 4096,
				      .persist = PMR_PERSIST_SERVER,
				      .gran = PMR_WIRE_GRAN_CACHE_LINE };

	kat_nonces(cn, sn);
	unhex("ba96a01798bcfc79c1e3e710c40b4da8fdc94c4696b0a028168b3abd8fd77032",
	      want, sizeof(want));
	for (uint16_t v = 1; v <= PMR_PROTO_VERSION_AUTH; v++) {
		cr_assert_eq(pmr_proof_client(k, 16, cn, sn, v, &req, got), 0);
		cr_assert_arr_eq(got, want, sizeof(want), "client v%u", v);
	}
	memcpy(req.proof, got, sizeof(got));
	unhex("e0f0ab2d78837c2898cf0cd40e28fb9ce125f8de03f6579253950a32309f5f4d",
	      want, sizeof(want));
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, 2, &req, &resp, got), 0);
	cr_assert_arr_eq(got, want, sizeof(want), "server v2");
}

Test(proof, version_3_known_answer)
{
	const char *k = "sixteen byte key";
	uint8_t cn[PMR_NONCE_SIZE], sn[PMR_NONCE_SIZE], want[32], got[32];
	struct pmr_open_req req = { .access = PMR_WIRE_ACCESS_RW,
				    .flags = PMR_OPEN_F_EXCL |
					     PMR_OPEN_F_RESUME,
				    .name = "db",
				    .expect_gen = 7 };
	struct pmr_open_resp resp = { .handle = 0x10001,
				      .rkey = 0x1234,
				      .addr = 0x1000,
				      .length = 4096,
				      .persist = PMR_PERSIST_SERVER,
				      .gran = PMR_WIRE_GRAN_CACHE_LINE,
				      .atomics = PMR_ATOMICS_RDMA,
				      .excl = 1,
				      .generation = 7 };

	kat_nonces(cn, sn);
	unhex("f6d071096e8b8f554e5398d45be6e12c0fd75060b96a64903c5ec8fd209c9042",
	      want, sizeof(want));
	cr_assert_eq(pmr_proof_client(k, 16, cn, sn, 3, &req, got), 0);
	cr_assert_arr_eq(got, want, sizeof(want), "client v3");
	memcpy(req.proof, got, sizeof(got));
	unhex("2d8363733456e31d9294fde45250e475bcaa4cbda4f71218809c55607c518098",
	      want, sizeof(want));
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, 3, &req, &resp, got), 0);
	cr_assert_arr_eq(got, want, sizeof(want), "server v3");
}

/* v3_req -- an exclusive rw OPEN of "db" with FLAGS and EXPECT */
static struct pmr_open_req v3_req(uint8_t flags, uint64_t expect)
{
	struct pmr_open_req req = { .access = PMR_WIRE_ACCESS_RW,
				    .flags = flags,
				    .expect_gen = expect,
				    .name = "db" };

	return req;
}

/* client_v3 -- REQ's client proof on a version VERSION connection */
static void client_v3(uint16_t version, const struct pmr_open_req *req,
		      uint8_t out[32])
{
	uint8_t cn[PMR_NONCE_SIZE] = { 1 }, sn[PMR_NONCE_SIZE] = { 2 };

	cr_assert_eq(pmr_proof_client("sixteen byte key", 16, cn, sn, version,
				      req, out),
		     0);
}

Test(proof, version_3_client_proof_binds_flags_and_expected_generation)
{
	struct pmr_open_req excl = v3_req(PMR_OPEN_F_EXCL, 0);
	struct pmr_open_req take =
		v3_req(PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER, 0);
	struct pmr_open_req resume =
		v3_req(PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME, 5);
	struct pmr_open_req plain = v3_req(0, 0);
	uint8_t a[32], b[32];

	client_v3(3, &take, a);
	client_v3(3, &excl, b);
	cr_assert_not(pmr_proof_equal(a, b), "TAKEOVER stripped");
	client_v3(3, &plain, a);
	cr_assert_not(pmr_proof_equal(a, b), "EXCL stripped");
	client_v3(3, &resume, a);
	cr_assert_not(pmr_proof_equal(a, b), "RESUME stripped");
	resume.expect_gen = 6;
	client_v3(3, &resume, b);
	cr_assert_not(pmr_proof_equal(a, b), "expected generation");
	/* without RESUME the wire has no expected generation to sign */
	excl.expect_gen = 9;
	client_v3(3, &excl, a);
	excl.expect_gen = 0;
	client_v3(3, &excl, b);
	cr_assert(pmr_proof_equal(a, b), "expect_gen off the wire");
	/* the version is signed: a version 2 proof does not pass for 3 */
	client_v3(3, &plain, a);
	client_v3(2, &plain, b);
	cr_assert_not(pmr_proof_equal(a, b), "version 2 form");
	client_v3(4, &plain, b);
	cr_assert_not(pmr_proof_equal(a, b), "version");
}

Test(proof, version_2_client_proof_ignores_what_its_wire_lacks)
{
	struct pmr_open_req plain = v3_req(0, 0);
	struct pmr_open_req flagged =
		v3_req(PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME, 5);
	uint8_t a[32], b[32];

	client_v3(2, &plain, a);
	client_v3(2, &flagged, b);
	cr_assert(pmr_proof_equal(a, b));
}

/* server_v3 -- the server's proof of RESP answering REQ at VERSION */
static void server_v3(uint16_t version, const struct pmr_open_req *req,
		      const struct pmr_open_resp *resp, uint8_t out[32])
{
	uint8_t cn[PMR_NONCE_SIZE] = { 1 }, sn[PMR_NONCE_SIZE] = { 2 };

	cr_assert_eq(pmr_proof_server("sixteen byte key", 16, cn, sn, version,
				      req, resp, out),
		     0);
}

Test(proof, version_3_server_proof_binds_atomics_excl_and_generation)
{
	struct pmr_open_req req = v3_req(PMR_OPEN_F_EXCL, 0);
	struct pmr_open_resp resp = { .handle = 1,
				      .rkey = 0x1234,
				      .addr = 0x1000,
				      .length = 4096,
				      .atomics = PMR_ATOMICS_RDMA,
				      .excl = 1,
				      .generation = 3 };
	struct pmr_open_resp r;
	uint8_t a[32], b[32];

	client_v3(3, &req, req.proof);
	server_v3(3, &req, &resp, a);
	r = resp;
	r.atomics |= PMR_ATOMICS_NATIVE_WRITE;
	server_v3(3, &req, &r, b);
	cr_assert_not(pmr_proof_equal(a, b), "atomics");
	r = resp;
	r.generation = 4;
	server_v3(3, &req, &r, b);
	cr_assert_not(pmr_proof_equal(a, b), "generation");
	r = resp;
	r.excl = 0;
	r.generation = 0;
	server_v3(3, &req, &r, b);
	cr_assert_not(pmr_proof_equal(a, b), "EXCL");
	server_v3(2, &req, &resp, b);
	cr_assert_not(pmr_proof_equal(a, b), "version 2 form");
	/* the client proof, so the request's flags, is answered too */
	req.proof[0] ^= 1;
	server_v3(3, &req, &resp, b);
	cr_assert_not(pmr_proof_equal(a, b), "client proof");
}

Test(proof, version_2_server_proof_unchanged_by_version_3_fields)
{
	struct pmr_open_req req = v3_req(0, 0);
	struct pmr_open_resp resp = { .handle = 1, .rkey = 2, .length = 64 };
	struct pmr_open_resp r = resp;
	uint8_t a[32], b[32];

	client_v3(2, &req, req.proof);
	server_v3(2, &req, &resp, a);
	r.atomics = PMR_ATOMICS_ALL;
	r.generation = 9;
	server_v3(2, &req, &r, b);
	cr_assert(pmr_proof_equal(a, b));
}

Test(proof, nonces_are_random)
{
	uint8_t a[PMR_NONCE_SIZE], b[PMR_NONCE_SIZE];

	cr_assert_eq(pmr_nonce_new(a), 0);
	cr_assert_eq(pmr_nonce_new(b), 0);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
}
