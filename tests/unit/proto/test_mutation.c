/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mutation.c -- a deterministic mutation loop over valid messages:
 * decoders never crash (run it under PMRD_SANITIZE=ON), fail only with
 * their documented codes, and whatever they accept re-encodes to the very
 * same bytes and decodes to the same value.  Fixed seed: a failure
 * reproduces, and the iteration is printed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"
#include "samples.h"

#define ITERATIONS 200000
#define BUF_MAX	   (PMR_MSG_MAX + 64)

static uint64_t rng_state;

/* rng -- xorshift64*: fast, deterministic, good enough for mutation */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* below -- a number in [0, n) */
static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* mutate -- one to four random edits of BUF (LEN bytes, room BUF_MAX) */
static size_t mutate(uint8_t *buf, size_t len, bool is_msg)
{
	static const uint8_t interesting[] = { 0,
					       1,
					       2,
					       3,
					       7,
					       0x3f,
					       0x40,
					       0x7f,
					       0x80,
					       0xfe,
					       0xff,
					       0x10,
					       PMR_NAME_MAX + 1 };
	int edits = 1 + (int)below(4);

	while (edits--) {
		size_t at = below(len ? len : 1);

		switch (below(8)) {
		case 0: /* flip a bit */
			if (len)
				buf[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1: /* an interesting byte */
			if (len)
				buf[at] =
					interesting[below(sizeof(interesting))];
			break;
		case 2: /* a random byte */
			if (len)
				buf[at] = (uint8_t)rng();
			break;
		case 3: /* truncate */
			len = below(len + 1);
			break;
		case 4: /* append a few bytes, often zeros */
			for (size_t n = 1 + below(8); n && len < BUF_MAX; n--)
				buf[len++] = below(2) ? 0 : (uint8_t)rng();
			break;
		case 5: /* delete a byte */
			if (len) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		case 6: /* insert a byte */
			if (len < BUF_MAX) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = (uint8_t)rng();
				len++;
			}
			break;
		default: /* a random le16/le32 somewhere */
			if (len >= 4)
				pmr_put_le32(buf + below(len - 3),
					     (uint32_t)rng() >> below(32));
			break;
		}
	}
	/* keep the header length honest half the time: reach the bodies */
	if (is_msg && len >= PMR_MSG_HDR_SIZE && below(2))
		pmr_put_le32(buf + 4, (uint32_t)len);
	return len;
}

/* check_msg -- decode BUF at VERSION; if accepted, it re-encodes to the
 * same bytes */
static void check_msg(const uint8_t *buf, size_t len, uint16_t version,
		      long iter)
{
	static struct pmr_msg m, again;
	static uint8_t out[PMR_MSG_MAX];
	int err = pmr_msg_decode_ver(buf, len, version, &m);
	int n;

	if (err == -EPROTO) {
		cr_assert_geq(len, PMR_MSG_HDR_SIZE, "iter %ld", iter);
		cr_assert_eq(m.hdr.type, pmr_get_le16(buf), "iter %ld", iter);
		cr_assert_eq(m.hdr.req_id, pmr_get_le64(buf + 8));
		return;
	}
	cr_assert(err == 0 || err == -EBADMSG, "iter %ld: %d", iter, err);
	if (err)
		return;
	n = pmr_msg_encode_ver(&m, version, out, sizeof(out));
	cr_assert_eq(n, (int)len, "iter %ld: re-encode %d, len %zu", iter, n,
		     len);
	cr_assert_eq(memcmp(out, buf, len), 0, "iter %ld: bytes differ", iter);
	cr_assert_eq(pmr_msg_decode_ver(out, (size_t)n, version, &again), 0);
	cr_assert(proto_msg_equal(&m, &again), "iter %ld", iter);
}

/* zero_after -- bytes of BUF from OFF to LEN are all zero */
static bool zero_after(const uint8_t *buf, size_t off, size_t len)
{
	for (size_t i = off; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

/* check_private -- the hello/welcome/reject decoders on BUF */
static void check_private(const uint8_t *buf, size_t len, long iter)
{
	uint8_t out[PMR_WELCOME_SIZE_V2];
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;
	int err, n;

	err = pmr_hello_decode(buf, len, &h);
	cr_assert(err == 0 || err == -EBADMSG, "iter %ld", iter);
	if (!err) {
		n = pmr_hello_encode(&h, out, sizeof(out));
		cr_assert(n == PMR_HELLO_SIZE || n == PMR_HELLO_SIZE_V2);
		cr_assert_eq(memcmp(out, buf, (size_t)n), 0);
		cr_assert(zero_after(buf, (size_t)n, len));
	}
	err = pmr_welcome_decode(buf, len, &w);
	cr_assert(err == 0 || err == -EBADMSG, "iter %ld", iter);
	if (!err) {
		n = pmr_welcome_encode(&w, out, sizeof(out));
		cr_assert(n == PMR_WELCOME_SIZE || n == PMR_WELCOME_SIZE_V2);
		cr_assert_eq(memcmp(out, buf, (size_t)n), 0);
		cr_assert(zero_after(buf, (size_t)n, len));
	}
	err = pmr_reject_decode(buf, len, &r);
	cr_assert(err == 0 || err == -EBADMSG, "iter %ld", iter);
	if (!err) {
		cr_assert_eq(pmr_reject_encode(&r, out, sizeof(out)),
			     PMR_REJECT_SIZE);
		cr_assert_eq(memcmp(out, buf, PMR_REJECT_SIZE), 0);
		cr_assert(zero_after(buf, PMR_REJECT_SIZE, len));
	}
}

/* seed_private -- a valid hello, welcome or reject (by K) in BUF */
static size_t seed_private(uint8_t *buf, size_t k)
{
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;

	switch (k % 3) {
	case 0:
		proto_sample_hello(&h);
		return (size_t)pmr_hello_encode(&h, buf, BUF_MAX);
	case 1:
		proto_sample_welcome(&w);
		return (size_t)pmr_welcome_encode(&w, buf, BUF_MAX);
	default:
		proto_sample_reject(&r);
		return (size_t)pmr_reject_encode(&r, buf, BUF_MAX);
	}
}

Test(mutation, decoders_survive_and_accepted_input_is_canonical, .timeout = 280)
{
	static uint8_t buf[BUF_MAX];
	size_t nsamples = proto_sample_count();
	long accepted = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (long iter = 0; iter < ITERATIONS; iter++) {
		size_t k = below(nsamples + 3);
		bool is_msg = k < nsamples;
		size_t len = is_msg ? proto_sample_encode(k, buf) :
				      seed_private(buf, k);
		uint16_t v = is_msg ? proto_sample_version(k) :
				      PMR_PROTO_VERSION_AUTH;
		uint8_t *copy;

		len = mutate(buf, len, is_msg);
		/* an exact-size heap copy, so ASan catches any overread */
		copy = malloc(len ? len : 1);
		cr_assert_not_null(copy);
		memcpy(copy, buf, len);
		check_msg(copy, len, v, iter);
		check_private(copy, len, iter);
		free(copy);
		accepted += pmr_msg_decode_ver(buf, len, v,
					       &(struct pmr_msg){ 0 }) == 0;
	}
	/* the mutator must not be so wild nothing ever decodes */
	cr_assert_gt(accepted, ITERATIONS / 100, "accepted %ld", accepted);
	cr_log_info("mutation: %d iterations, %ld accepted messages",
		    ITERATIONS, accepted);
}
