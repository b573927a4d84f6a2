/* SPDX-License-Identifier: BSD-3-Clause */
/* test_roundtrip.c -- every message shape survives encode then decode */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

Test(roundtrip, every_message_shape)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX];
		struct pmr_msg in, out;
		uint16_t v = proto_sample_version(i);
		int n;

		proto_sample(i, &in);
		n = pmr_msg_encode_ver(&in, v, buf, sizeof(buf));
		cr_assert_geq(n, PMR_MSG_HDR_SIZE, "%s: %d",
			      proto_sample_name(i), n);
		memset(&out, 0xa5, sizeof(out));
		cr_assert_eq(pmr_msg_decode_ver(buf, (size_t)n, v, &out), 0,
			     "%s", proto_sample_name(i));
		cr_assert_eq(out.hdr.length, (uint32_t)n);
		cr_assert(proto_msg_equal(&in, &out), "%s",
			  proto_sample_name(i));
	}
}

Test(roundtrip, encode_exact_cap_and_length)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX], exact[PMR_MSG_MAX];
		struct pmr_msg m;
		size_t n = proto_sample_encode(i, buf);

		proto_sample(i, &m);
		cr_assert_eq(pmr_msg_encode_ver(&m, proto_sample_version(i),
						exact, n),
			     (int)n);
		cr_assert_eq(memcmp(buf, exact, n), 0);
		cr_assert_eq(buf[4] | buf[5] << 8 | buf[6] << 16 | buf[7] << 24,
			     (int)n, "header length is the whole message");
	}
}

Test(roundtrip, largest_list_fits_msg_max)
{
	uint8_t buf[PMR_MSG_MAX];

	/* sample 3: 48 entries with 63-byte names */
	cr_assert_eq(proto_sample_encode(3, buf),
		     PMR_MSG_HDR_SIZE + 8 + PMR_LIST_MAX_ENTRIES * (13 + 63));
}

Test(roundtrip, hello_welcome_reject)
{
	uint8_t buf[PMR_WELCOME_MAX];
	struct pmr_hello h, h2;
	struct pmr_welcome w, w2;
	struct pmr_reject r, r2;

	proto_sample_hello(&h);
	cr_assert_eq(pmr_hello_encode(&h, buf, PMR_HELLO_MAX), PMR_HELLO_SIZE);
	cr_assert_eq(pmr_hello_decode(buf, PMR_HELLO_SIZE, &h2), 0);
	cr_assert_eq(h2.version, h.version);
	cr_assert_eq(h2.min_version, h.min_version);
	cr_assert_eq(h2.flags, 0);
	cr_assert_eq(h2.credits, h.credits);

	proto_sample_welcome(&w);
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)),
		     PMR_WELCOME_SIZE);
	cr_assert_eq(pmr_welcome_decode(buf, PMR_WELCOME_SIZE, &w2), 0);
	cr_assert_eq(w2.version, w.version);
	cr_assert_eq(w2.credits, w.credits);
	cr_assert_eq(w2.max_msg, w.max_msg);

	proto_sample_reject(&r);
	cr_assert_eq(pmr_reject_encode(&r, buf, sizeof(buf)), PMR_REJECT_SIZE);
	cr_assert_eq(pmr_reject_decode(buf, PMR_REJECT_SIZE, &r2), 0);
	cr_assert_eq(r2.reason, r.reason);
	cr_assert_eq(r2.version, r.version);
	cr_assert_eq(r2.min_version, r.min_version);
}

Test(roundtrip, extreme_field_values)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg in, out;
	int n;

	pmr_msg_init(&in, PMR_MSG_PERSIST, UINT64_MAX);
	in.u.persist_req.handle = UINT32_MAX;
	in.u.persist_req.offset = UINT64_MAX;
	in.u.persist_req.length = UINT64_MAX;
	n = pmr_msg_encode(&in, buf, sizeof(buf));
	cr_assert_eq(n, PMR_MSG_HDR_SIZE + 24);
	cr_assert_eq(pmr_msg_decode(buf, (size_t)n, &out), 0);
	cr_assert(proto_msg_equal(&in, &out));

	pmr_msg_init(&in, PMR_MSG_LIST_REGIONS, 0);
	in.u.list_req.start = UINT32_MAX;
	n = pmr_msg_encode(&in, buf, sizeof(buf));
	cr_assert_eq(pmr_msg_decode(buf, (size_t)n, &out), 0);
	cr_assert_eq(out.u.list_req.start, UINT32_MAX);
}

/* all_zero -- LEN bytes at P are zero */
static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

Test(roundtrip, msg_init_zeroes_what_the_type_uses)
{
	struct pmr_msg m;

	memset(&m, 0xff, sizeof(m));
	pmr_msg_init(&m, PMR_MSG_PING, 99);
	cr_assert_eq(m.hdr.type, PMR_MSG_PING);
	cr_assert_eq(m.hdr.req_id, 99);
	cr_assert_eq(m.hdr.status, 0);
	cr_assert_eq(m.hdr.length, 0);

	memset(&m, 0xff, sizeof(m));
	pmr_msg_init(&m, PMR_MSG_PERSIST, 1);
	cr_assert(all_zero(&m.u.persist_req, sizeof(m.u.persist_req)));

	/* a response: its body and the error body a handler may set */
	memset(&m, 0xff, sizeof(m));
	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, 2);
	cr_assert(all_zero(&m.u.open_resp, sizeof(m.u.open_resp)));
	cr_assert(all_zero(&m.u.error, sizeof(m.u.error)));

	memset(&m, 0xff, sizeof(m));
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, 3);
	cr_assert(all_zero(&m.u, sizeof(m.u)));
}
