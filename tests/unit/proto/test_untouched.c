/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_untouched.c -- a failing decoder leaves its out-param as it was,
 * even when it failed late (last list entry bad, after many good ones),
 * and -EPROTO fills only the header.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"
#include "samples.h"

#define FILL 0xa5

Test(untouched, msg_every_prefix)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX];
		size_t n = proto_sample_encode(i, buf);

		for (size_t len = PMR_MSG_HDR_SIZE; len < n; len++) {
			struct pmr_msg m, ref;

			memset(&m, FILL, sizeof(m));
			memset(&ref, FILL, sizeof(ref));
			pmr_put_le32(buf + 4, (uint32_t)len);
			if (len == proto_sample_proof_cut(i))
				continue; /* valid: the OPEN without a proof */
			cr_assert_eq(pmr_msg_decode_ver(buf, len,
							proto_sample_version(i),
							&m),
				     -EBADMSG);
			cr_assert_eq(memcmp(&m, &ref, sizeof(m)), 0,
				     "%s at %zu", proto_sample_name(i), len);
		}
	}
}

Test(untouched, list_fails_on_last_entry)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, ref;
	size_t n = proto_sample_encode(3, buf); /* 48 full entries */

	cr_assert_str_eq(proto_sample_name(3), "list_resp_full");
	buf[n - 1] = 0x10; /* last entry's persist: undefined bit */
	memset(&m, FILL, sizeof(m));
	memset(&ref, FILL, sizeof(ref));
	cr_assert_eq(pmr_msg_decode(buf, n, &m), -EBADMSG);
	cr_assert_eq(memcmp(&m, &ref, sizeof(m)), 0);
}

Test(untouched, eproto_fills_only_the_header)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, ref;
	size_t n = proto_sample_encode(0, buf);

	pmr_put_le16(buf, 0x0042);
	memset(&m, FILL, sizeof(m));
	memset(&ref, FILL, sizeof(ref));
	cr_assert_eq(pmr_msg_decode(buf, n, &m), -EPROTO);
	cr_assert_eq(m.hdr.type, 0x42);
	cr_assert_eq(memcmp(&m.u, &ref.u, sizeof(m.u)), 0);
}

Test(untouched, hdr_decode)
{
	uint8_t buf[PMR_MSG_HDR_SIZE] = { 0 };
	struct pmr_msg_hdr h, ref;

	memset(&h, FILL, sizeof(h));
	memset(&ref, FILL, sizeof(ref));
	cr_assert_eq(pmr_msg_hdr_decode(buf, sizeof(buf) - 1, &h), -EBADMSG);
	cr_assert_eq(memcmp(&h, &ref, sizeof(h)), 0);
}

Test(untouched, hello_welcome_reject)
{
	uint8_t buf[PMR_WELCOME_MAX];
	struct pmr_hello h, href;
	struct pmr_welcome w, wref;
	struct pmr_reject r, rref;

	memset(&href, FILL, sizeof(href));
	memset(&wref, FILL, sizeof(wref));
	memset(&rref, FILL, sizeof(rref));

	/* each is valid but for one byte of non-zero padding at the end */
	memset(buf, 0, sizeof(buf));
	proto_sample_hello(&h);
	pmr_hello_encode(&h, buf, sizeof(buf));
	buf[PMR_HELLO_MAX - 1] = 1;
	h = href;
	cr_assert_eq(pmr_hello_decode(buf, PMR_HELLO_MAX, &h), -EBADMSG);
	cr_assert_eq(memcmp(&h, &href, sizeof(h)), 0);

	memset(buf, 0, sizeof(buf));
	proto_sample_welcome(&w);
	pmr_welcome_encode(&w, buf, sizeof(buf));
	buf[PMR_WELCOME_MAX - 1] = 1;
	w = wref;
	cr_assert_eq(pmr_welcome_decode(buf, PMR_WELCOME_MAX, &w), -EBADMSG);
	cr_assert_eq(memcmp(&w, &wref, sizeof(w)), 0);

	memset(buf, 0, sizeof(buf));
	proto_sample_reject(&r);
	pmr_reject_encode(&r, buf, sizeof(buf));
	buf[PMR_WELCOME_MAX - 1] = 1;
	r = rref;
	cr_assert_eq(pmr_reject_decode(buf, PMR_WELCOME_MAX, &r), -EBADMSG);
	cr_assert_eq(memcmp(&r, &rref, sizeof(r)), 0);
}
