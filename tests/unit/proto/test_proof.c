/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_proof.c -- PSK proofs: the HMAC-SHA256 plumbing against RFC 4231
 * vectors, and what a proof depends on (every input changes it; the same
 * inputs give the same proof on both sides).
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
	cr_assert_eq(pmr_proof_client("0123456789abcdef", 16, out, out, "", 0,
				      out),
		     -EINVAL);
}

/* client_proof -- the client proof over fixed nonces, varied inputs */
static void client_proof(const char *key, uint8_t cn, uint8_t sn,
			 const char *name, uint8_t access, uint8_t out[32])
{
	uint8_t cnonce[PMR_NONCE_SIZE], snonce[PMR_NONCE_SIZE];

	memset(cnonce, cn, sizeof(cnonce));
	memset(snonce, sn, sizeof(snonce));
	cr_assert_eq(pmr_proof_client(key, strlen(key), cnonce, snonce, name,
				      access, out),
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

	cr_assert_eq(pmr_proof_client(k, 16, cn, sn, "db", 0, req.proof), 0);
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, &req, &resp, a), 0);
	cr_assert_not(pmr_proof_equal(a, req.proof), "not the client's");
	resp.rkey ^= 1;
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, &req, &resp, b), 0);
	cr_assert_not(pmr_proof_equal(a, b), "rkey");
	resp.rkey ^= 1;
	resp.addr += 64;
	cr_assert_eq(pmr_proof_server(k, 16, cn, sn, &req, &resp, c), 0);
	cr_assert_not(pmr_proof_equal(a, c), "addr");
}

Test(proof, nonces_are_random)
{
	uint8_t a[PMR_NONCE_SIZE], b[PMR_NONCE_SIZE];

	cr_assert_eq(pmr_nonce_new(a), 0);
	cr_assert_eq(pmr_nonce_new(b), 0);
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
}
