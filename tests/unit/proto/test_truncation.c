/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_truncation.c -- every prefix of every message shape fails cleanly,
 * both as is (header length now lies) and with the header length patched
 * to the prefix (so the body parser meets the short body itself); one
 * byte too many fails the same way.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"
#include "samples.h"

/* decode_copy -- decode LEN bytes from a heap copy, so ASan sees overreads,
 * at VERSION */
static int decode_copy(const uint8_t *src, size_t len, uint16_t version)
{
	uint8_t *p = malloc(len ? len : 1);
	struct pmr_msg m;
	int err;

	cr_assert_not_null(p);
	memcpy(p, src, len);
	err = pmr_msg_decode_ver(p, len, version, &m);
	free(p);
	return err;
}

Test(truncation, every_prefix_of_every_message)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX];
		size_t n = proto_sample_encode(i, buf);
		uint16_t v = proto_sample_version(i);

		for (size_t len = 0; len < n; len++) {
			uint8_t cut[PMR_MSG_MAX];

			cr_assert_eq(decode_copy(buf, len, v), -EBADMSG,
				     "%s cut at %zu", proto_sample_name(i),
				     len);
			if (len < PMR_MSG_HDR_SIZE)
				continue;
			memcpy(cut, buf, len);
			pmr_put_le32(cut + 4, (uint32_t)len);
			if (len == proto_sample_proof_cut(i)) {
				/* the same OPEN without its optional proof */
				cr_assert_eq(decode_copy(cut, len, v), 0);
				continue;
			}
			cr_assert_eq(decode_copy(cut, len, v), -EBADMSG,
				     "%s cut at %zu, length patched",
				     proto_sample_name(i), len);
		}
	}
}

Test(truncation, one_trailing_byte)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX + 1];
		size_t n = proto_sample_encode(i, buf);
		uint16_t ver = proto_sample_version(i);

		for (int v = 0; v < 256; v += 85) {
			buf[n] = (uint8_t)v;
			cr_assert_eq(decode_copy(buf, n + 1, ver), -EBADMSG,
				     "%s", proto_sample_name(i));
			pmr_put_le32(buf + 4, (uint32_t)n + 1);
			cr_assert_eq(decode_copy(buf, n + 1, ver), -EBADMSG,
				     "%s + byte %d, length patched",
				     proto_sample_name(i), v);
			pmr_put_le32(buf + 4, (uint32_t)n);
		}
	}
}

Test(truncation, hello_welcome_reject_prefixes)
{
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;
	uint8_t hb[PMR_HELLO_SIZE], wb[PMR_WELCOME_SIZE], rb[PMR_REJECT_SIZE];

	proto_sample_hello(&h);
	proto_sample_welcome(&w);
	proto_sample_reject(&r);
	cr_assert_eq(pmr_hello_encode(&h, hb, sizeof(hb)), PMR_HELLO_SIZE);
	cr_assert_eq(pmr_welcome_encode(&w, wb, sizeof(wb)), PMR_WELCOME_SIZE);
	cr_assert_eq(pmr_reject_encode(&r, rb, sizeof(rb)), PMR_REJECT_SIZE);
	for (size_t len = 0; len < PMR_HELLO_SIZE; len++)
		cr_assert_eq(pmr_hello_decode(hb, len, &h), -EBADMSG);
	for (size_t len = 0; len < PMR_WELCOME_SIZE; len++)
		cr_assert_eq(pmr_welcome_decode(wb, len, &w), -EBADMSG);
	for (size_t len = 0; len < PMR_REJECT_SIZE; len++)
		cr_assert_eq(pmr_reject_decode(rb, len, &r), -EBADMSG);
}
