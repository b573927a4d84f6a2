/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_encode_errors.c -- encoders refuse what decoders would refuse
 * (-EINVAL), and a short buffer (-ENOSPC) is left unwritten.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

/* enc -- encode M into a scratch buffer, return the result */
static int enc(const struct pmr_msg *m)
{
	uint8_t buf[PMR_MSG_MAX];

	return pmr_msg_encode(m, buf, sizeof(buf));
}

Test(encode_errors, enospc_writes_nothing)
{
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t full[PMR_MSG_MAX], buf[PMR_MSG_MAX];
		struct pmr_msg m;
		size_t n = proto_sample_encode(i, full);

		proto_sample(i, &m);
		for (size_t cap = 0; cap < n; cap++) {
			memset(buf, 0xee, sizeof(buf));
			cr_assert_eq(pmr_msg_encode_ver(&m,
							proto_sample_version(i),
							buf, cap),
				     -ENOSPC);
			for (size_t b = 0; b < sizeof(buf); b++)
				cr_assert_eq(buf[b], 0xee);
		}
	}
}

Test(encode_errors, header_rules)
{
	struct pmr_msg m;

	pmr_msg_init(&m, 0, 1); /* unknown request type */
	cr_assert_eq(enc(&m), -EINVAL);
	pmr_msg_init(&m, 6, 1);
	cr_assert_eq(enc(&m), -EINVAL);
	pmr_msg_init(&m, 6 | PMR_MSG_RESP, 1); /* unknown, status OK */
	cr_assert_eq(enc(&m), -EINVAL);
	pmr_msg_init(&m, PMR_MSG_PING, 1); /* request with a status */
	m.hdr.status = PMR_ST_INVALID;
	cr_assert_eq(enc(&m), -EINVAL);
	pmr_msg_init(&m, PMR_MSG_PING | PMR_MSG_RESP, 1);
	m.hdr.status = PMR_ST_FENCED + 1; /* undefined status */
	cr_assert_eq(enc(&m), -EINVAL);
	cr_assert_eq(pmr_msg_encode(NULL, NULL, 0), -EINVAL);
	cr_assert_eq(pmr_msg_encode(&m, NULL, 16), -EINVAL);
}

Test(encode_errors, length_is_computed_not_read)
{
	struct pmr_msg m, out;
	uint8_t buf[PMR_MSG_MAX];

	pmr_msg_init(&m, PMR_MSG_PING, 1);
	m.hdr.length = 9999;
	cr_assert_eq(pmr_msg_encode(&m, buf, sizeof(buf)), PMR_MSG_HDR_SIZE);
	cr_assert_eq(pmr_msg_decode(buf, PMR_MSG_HDR_SIZE, &out), 0);
	cr_assert_eq(out.hdr.length, PMR_MSG_HDR_SIZE);
}

Test(encode_errors, unsupported_reply_to_unknown_type)
{
	struct pmr_msg m, out;
	uint8_t buf[PMR_MSG_MAX];
	int n;

	pmr_msg_init(&m, 0x0042 | PMR_MSG_RESP, 1234);
	m.hdr.status = PMR_ST_UNSUPPORTED;
	strcpy(m.u.error.text, "type 0x42");
	n = pmr_msg_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, PMR_MSG_HDR_SIZE + 2 + 9);
	/* the receiver does not know the type either: header only */
	cr_assert_eq(pmr_msg_decode(buf, (size_t)n, &out), -EPROTO);
	cr_assert_eq(out.hdr.req_id, 1234);
	cr_assert_eq(out.hdr.status, PMR_ST_UNSUPPORTED);
}

Test(encode_errors, names)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN, 1); /* empty name */
	cr_assert_eq(enc(&m), -EINVAL);
	memset(m.u.open_req.name, 'x', sizeof(m.u.open_req.name)); /* no NUL */
	cr_assert_eq(enc(&m), -EINVAL);
	m.u.open_req.name[PMR_NAME_MAX] = '\0';
	cr_assert_eq(enc(&m), PMR_MSG_HDR_SIZE + 2 + PMR_NAME_MAX);
	m.u.open_req.access = 2;
	cr_assert_eq(enc(&m), -EINVAL);
}

Test(encode_errors, error_text)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, 1);
	m.hdr.status = PMR_ST_INTERNAL;
	memset(m.u.error.text, 'e', sizeof(m.u.error.text)); /* no NUL */
	cr_assert_eq(enc(&m), -EINVAL);
	m.u.error.text[PMR_ERRTEXT_MAX] = '\0';
	cr_assert_eq(enc(&m), PMR_MSG_HDR_SIZE + 2 + PMR_ERRTEXT_MAX);
}

Test(encode_errors, open_resp_enums)
{
	struct pmr_msg m;

	proto_sample(6, &m);
	cr_assert_eq(m.hdr.type, PMR_MSG_OPEN | PMR_MSG_RESP);
	cr_assert_gt(enc(&m), 0);
	m.u.open_resp.persist = PMR_PERSIST_ALL + 1;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(6, &m);
	m.u.open_resp.gran = 3;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(6, &m);
	m.u.open_resp.kind = 3;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(6, &m);
	m.u.open_resp.access = 2;
	cr_assert_eq(enc(&m), -EINVAL);
}

Test(encode_errors, list_resp)
{
	struct pmr_msg m;

	proto_sample(3, &m); /* 48 entries */
	m.u.list_resp.count = PMR_LIST_MAX_ENTRIES + 1;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.total = m.u.list_resp.count - 1;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[47].name[0] = '\0';
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[47].name[PMR_NAME_MAX] = 'x';
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[10].persist = 0x08;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[0].kind = 3;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[0].gran = 3;
	cr_assert_eq(enc(&m), -EINVAL);
	proto_sample(3, &m);
	m.u.list_resp.entries[0].access = 2;
	cr_assert_eq(enc(&m), -EINVAL);
}

Test(encode_errors, hello_welcome_reject)
{
	uint8_t buf[PMR_WELCOME_MAX];
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;

	proto_sample_hello(&h);
	cr_assert_eq(pmr_hello_encode(&h, buf, PMR_HELLO_SIZE - 1), -ENOSPC);
	cr_assert_eq(pmr_hello_encode(NULL, buf, sizeof(buf)), -EINVAL);
	h.flags = 1;
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	proto_sample_hello(&h);
	h.min_version = h.version + 1;
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	proto_sample_hello(&h);
	h.credits = 0;
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), -EINVAL);

	proto_sample_welcome(&w);
	cr_assert_eq(pmr_welcome_encode(&w, buf, PMR_WELCOME_SIZE - 1),
		     -ENOSPC);
	w.max_msg = PMR_MSG_MAX + 1;
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)), -EINVAL);
	proto_sample_welcome(&w);
	w.credits = 0;
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)), -EINVAL);
	proto_sample_welcome(&w);
	w.version = 0;
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)), -EINVAL);

	proto_sample_reject(&r);
	cr_assert_eq(pmr_reject_encode(&r, buf, PMR_REJECT_SIZE - 1), -ENOSPC);
	r.reason = 0;
	cr_assert_eq(pmr_reject_encode(&r, buf, sizeof(buf)), -EINVAL);
	proto_sample_reject(&r);
	r.min_version = 0;
	cr_assert_eq(pmr_reject_encode(&r, buf, sizeof(buf)), -EINVAL);
}
