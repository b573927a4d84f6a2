/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_golden.c -- exact bytes on the wire, written out by hand from the
 * layout comments in pmr_proto.h, so the little-endian layout is pinned
 * both ways: encode must produce them and decode must read them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

#define MAGIC	   0x50, 0x4d, 0x52, 0x31 /* "PMR1" */
#define REQ_ID	   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01
#define REQ_ID_VAL 0x0102030405060708ull

/* check_msg_ver -- M encodes at VERSION to exactly WANT and WANT decodes
 * back to M */
static void check_msg_ver(const struct pmr_msg *m, uint16_t version,
			  const uint8_t *want, size_t want_len)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg out;
	int n = pmr_msg_encode_ver(m, version, buf, sizeof(buf));

	cr_assert_eq(n, (int)want_len);
	for (size_t i = 0; i < want_len; i++)
		cr_assert_eq(buf[i], want[i], "byte %zu: %02x != %02x", i,
			     buf[i], want[i]);
	cr_assert_eq(pmr_msg_decode_ver(want, want_len, version, &out), 0);
	cr_assert(proto_msg_equal(m, &out));
}

/* check_msg -- the same in the layout of versions 1 and 2 */
static void check_msg(const struct pmr_msg *m, const uint8_t *want,
		      size_t want_len)
{
	check_msg_ver(m, PMR_PROTO_VERSION_AUTH, want, want_len);
}

Test(golden, hello)
{
	static const uint8_t want[] = {
		MAGIC, 0x01, 0x00,	 /* version 1 */
		0x01,  0x00,		 /* min_version 1 */
		0x00,  0x00, 0x00, 0x00, /* flags */
		0x10,  0x00,		 /* credits 16 */
		0x00,  0x00,		 /* reserved */
	};
	struct pmr_hello h = { .version = 1, .min_version = 1, .credits = 16 };
	struct pmr_hello out;
	uint8_t buf[PMR_HELLO_MAX];

	cr_assert_eq(sizeof(want), PMR_HELLO_SIZE);
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), PMR_HELLO_SIZE);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(pmr_hello_decode(want, sizeof(want), &out), 0);
	cr_assert_eq(out.version, 1);
	cr_assert_eq(out.min_version, 1);
	cr_assert_eq(out.flags, 0);
	cr_assert_eq(out.credits, 16);
}

Test(golden, welcome)
{
	static const uint8_t want[] = {
		MAGIC, 0x01, 0x00,	 /* version 1 */
		0x00,  0x00,		 /* reserved */
		0x08,  0x00,		 /* credits 8 */
		0x00,  0x00,		 /* reserved */
		0x00,  0x10, 0x00, 0x00, /* max_msg 4096 */
	};
	struct pmr_welcome w = { .version = 1, .credits = 8, .max_msg = 4096 };
	struct pmr_welcome out;
	uint8_t buf[PMR_WELCOME_MAX];

	cr_assert_eq(sizeof(want), PMR_WELCOME_SIZE);
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)),
		     PMR_WELCOME_SIZE);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(pmr_welcome_decode(want, sizeof(want), &out), 0);
	cr_assert_eq(out.version, 1);
	cr_assert_eq(out.credits, 8);
	cr_assert_eq(out.max_msg, 4096);
}

Test(golden, hello_v2_nonce)
{
	static const uint8_t want[] = {
		MAGIC, 0x02, 0x00,	 /* version 2 */
		0x01,  0x00,		 /* min_version 1 */
		0x00,  0x00, 0x00, 0x00, /* flags */
		0x04,  0x00,		 /* credits 4 */
		0x00,  0x00,		 /* reserved */
		0x00,  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /* nonce */
		0x88,  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	struct pmr_hello h = { .version = 2, .min_version = 1, .credits = 4 };
	struct pmr_hello out;
	uint8_t buf[PMR_HELLO_MAX];

	for (int i = 0; i < PMR_NONCE_SIZE; i++)
		h.nonce[i] = (uint8_t)(0x11 * i);
	cr_assert_eq(sizeof(want), PMR_HELLO_SIZE_V2);
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), PMR_HELLO_SIZE_V2);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(pmr_hello_decode(want, sizeof(want), &out), 0);
	cr_assert_eq(out.version, 2);
	cr_assert_arr_eq(out.nonce, h.nonce, PMR_NONCE_SIZE);
	/* a version 2 hello cut after 16 bytes lacks its nonce */
	cr_assert_eq(pmr_hello_decode(want, PMR_HELLO_SIZE, &out), -EBADMSG);
}

Test(golden, welcome_v2_nonce)
{
	static const uint8_t want[] = {
		MAGIC, 0x02, 0x00,	 /* version 2 */
		0x00,  0x00,		 /* reserved */
		0x08,  0x00,		 /* credits 8 */
		0x00,  0x00,		 /* reserved */
		0x00,  0x10, 0x00, 0x00, /* max_msg 4096 */
		0xff,  0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, /* nonce */
		0x77,  0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
	};
	struct pmr_welcome w = { .version = 2, .credits = 8, .max_msg = 4096 };
	struct pmr_welcome out;
	uint8_t buf[PMR_WELCOME_MAX];

	for (int i = 0; i < PMR_NONCE_SIZE; i++)
		w.nonce[i] = (uint8_t)(0xff - 0x11 * i);
	cr_assert_eq(sizeof(want), PMR_WELCOME_SIZE_V2);
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)),
		     PMR_WELCOME_SIZE_V2);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(pmr_welcome_decode(want, sizeof(want), &out), 0);
	cr_assert_arr_eq(out.nonce, w.nonce, PMR_NONCE_SIZE);
	cr_assert_eq(pmr_welcome_decode(want, PMR_WELCOME_SIZE, &out),
		     -EBADMSG);
	cr_assert_eq(pmr_welcome_encode(&w, buf, PMR_WELCOME_SIZE), -ENOSPC);
}

Test(golden, reject)
{
	static const uint8_t want[] = {
		MAGIC, 0x02, 0x00, /* reason VERSION */
		0x04,  0x00,	   /* server version 4 */
		0x02,  0x00,	   /* server min_version 2 */
		0x00,  0x00,	   /* reserved */
	};
	struct pmr_reject r = { .reason = PMR_REJECT_VERSION,
				.version = 4,
				.min_version = 2 };
	struct pmr_reject out;
	uint8_t buf[PMR_WELCOME_MAX];

	cr_assert_eq(sizeof(want), PMR_REJECT_SIZE);
	cr_assert_eq(pmr_reject_encode(&r, buf, sizeof(buf)), PMR_REJECT_SIZE);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(pmr_reject_decode(want, sizeof(want), &out), 0);
	cr_assert_eq(out.reason, PMR_REJECT_VERSION);
	cr_assert_eq(out.version, 4);
	cr_assert_eq(out.min_version, 2);
}

Test(golden, open_request)
{
	static const uint8_t want[] = {
		0x02,	0x00,		  /* type OPEN */
		0x00,	0x00,		  /* status */
		0x14,	0x00, 0x00, 0x00, /* length 20 */
		REQ_ID, 0x01,		  /* access RO */
		0x02,	'd',  'b',	  /* name_len 2, "db" */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN, REQ_ID_VAL);
	m.u.open_req.access = PMR_WIRE_ACCESS_RO;
	strcpy(m.u.open_req.name, "db");
	check_msg(&m, want, sizeof(want));
}

Test(golden, open_request_with_proof)
{
	static const uint8_t want[] = {
		0x02,	0x00,		  /* type OPEN */
		0x00,	0x00,		  /* status */
		0x34,	0x00, 0x00, 0x00, /* length 52 */
		REQ_ID, 0x00,		  /* access RW */
		0x02,	'd',  'b',	  /* name_len 2, "db" */
		0x00,	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, /* proof */
		0x08,	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10,	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18,	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN, REQ_ID_VAL);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	strcpy(m.u.open_req.name, "db");
	m.u.open_req.has_proof = 1;
	for (int i = 0; i < PMR_PROOF_SIZE; i++)
		m.u.open_req.proof[i] = (uint8_t)i;
	check_msg(&m, want, sizeof(want));
	/* a proof is all 32 bytes or none: 1..31 or 33 extra bytes fail */
	cr_assert_eq(pmr_msg_decode(want, sizeof(want) - 1, &m), -EBADMSG);
}

Test(golden, open_response)
{
	static const uint8_t want[] = {
		0x02,	0x80,			/* type OPEN | RESP */
		0x00,	0x00,			/* status OK */
		0x30,	0x00, 0x00, 0x00,	/* length 48 */
		REQ_ID, 0x44, 0x33, 0x22, 0x11, /* handle */
		0xef,	0xbe, 0xad, 0xde,	/* rkey */
		0x00,	0x10, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, /* addr */
		0x00,	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* 8 GiB */
		0x05,	0x00, 0x00, 0x00, /* persist SERVER | RAW */
		0x01,			  /* gran CACHE_LINE */
		0x00,			  /* kind FSDAX */
		0x00,			  /* access RW */
		0x00,			  /* reserved */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, REQ_ID_VAL);
	m.u.open_resp.handle = 0x11223344;
	m.u.open_resp.rkey = 0xdeadbeef;
	m.u.open_resp.addr = 0x7f0000001000ull;
	m.u.open_resp.length = 8ull << 30;
	m.u.open_resp.persist = PMR_PERSIST_SERVER | PMR_PERSIST_RAW;
	m.u.open_resp.gran = PMR_WIRE_GRAN_CACHE_LINE;
	m.u.open_resp.kind = PMR_WIRE_KIND_FSDAX;
	m.u.open_resp.access = PMR_WIRE_ACCESS_RW;
	check_msg(&m, want, sizeof(want));
}

Test(golden, error_response)
{
	static const uint8_t want[] = {
		0x02,	0x80,		  /* type OPEN | RESP */
		0x02,	0x00,		  /* status NOENT */
		0x16,	0x00, 0x00, 0x00, /* length 22 */
		REQ_ID, 0x04, 0x00,	  /* text_len 4 */
		'n',	'o',  'p',  'e',  /* text */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, REQ_ID_VAL);
	m.hdr.status = PMR_ST_NOENT;
	strcpy(m.u.error.text, "nope");
	check_msg(&m, want, sizeof(want));
}

Test(golden, list_response)
{
	static const uint8_t want[] = {
		0x01,	0x80,			/* type LIST_REGIONS | RESP */
		0x00,	0x00,			/* status OK */
		0x28,	0x00, 0x00, 0x00,	/* length 40 */
		REQ_ID, 0x05, 0x00, 0x00, 0x00, /* total 5 */
		0x01,	0x00, 0x00, 0x00,	/* count 1 */
		0x03,	'p',  'm',  '0',	/* name_len 3, "pm0" */
		0x88,	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* size */
		0x01, /* access RO */
		0x01, /* kind DEVDAX */
		0x00, /* gran BYTE */
		0x06, /* persist FLUSH | RAW */
	};
	struct pmr_msg m;
	struct pmr_region_info *e = &m.u.list_resp.entries[0];

	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, REQ_ID_VAL);
	m.u.list_resp.total = 5;
	m.u.list_resp.count = 1;
	strcpy(e->name, "pm0");
	e->size = 0x1122334455667788ull;
	e->access = PMR_WIRE_ACCESS_RO;
	e->kind = PMR_WIRE_KIND_DEVDAX;
	e->gran = PMR_WIRE_GRAN_BYTE;
	e->persist = PMR_PERSIST_FLUSH | PMR_PERSIST_RAW;
	check_msg(&m, want, sizeof(want));
}

Test(golden, open_request_exclusive_resume)
{
	static const uint8_t want[] = {
		0x02,	0x00,		  /* type OPEN */
		0x00,	0x00,		  /* status */
		0x1c,	0x00, 0x00, 0x00, /* length 28 */
		REQ_ID, 0x0a,		  /* access RW | EXCL | RESUME */
		0x02,	'd',  'b',	  /* name_len 2, "db" */
		0x07,	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* expected */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN, REQ_ID_VAL);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	m.u.open_req.flags = PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME;
	m.u.open_req.expect_gen = 7;
	strcpy(m.u.open_req.name, "db");
	check_msg_ver(&m, PMR_PROTO_VERSION_FENCE, want, sizeof(want));
}

Test(golden, fenced_notice)
{
	static const uint8_t want[] = {
		0x07, 0x00,		/* type FENCED */
		0x00, 0x00,		/* status */
		0x20, 0x00, 0x00, 0x00, /* length 32 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* req_id 0 */
		0x05, 0x00, 0x01, 0x00, /* handle 0x10005 */
		0x00, 0x00, 0x00, 0x00, /* reserved */
		0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* generation */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_FENCED, 0);
	m.u.fenced.handle = 0x10005;
	m.u.fenced.generation = 9;
	check_msg_ver(&m, PMR_PROTO_VERSION_FENCE, want, sizeof(want));
}

Test(golden, persist_request)
{
	static const uint8_t want[] = {
		0x04,	0x00,			/* type PERSIST */
		0x00,	0x00,			/* status */
		0x28,	0x00, 0x00, 0x00,	/* length 40 */
		REQ_ID, 0x07, 0x00, 0x00, 0x00, /* handle 7 */
		0x00,	0x00, 0x00, 0x00,	/* reserved */
		0x00,	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset */
		0x00,	0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* length */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_PERSIST, REQ_ID_VAL);
	m.u.persist_req.handle = 7;
	m.u.persist_req.offset = 0x1000;
	m.u.persist_req.length = 0x2000;
	check_msg(&m, want, sizeof(want));
}

Test(golden, empty_bodies)
{
	static const uint8_t ping[] = {
		0x05, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, REQ_ID,
	};
	static const uint8_t close_resp[] = {
		0x03, 0x80, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, REQ_ID,
	};
	static const uint8_t list_req[] = {
		0x01, 0x00,   0x00, 0x00, 0x14, 0x00, 0x00,
		0x00, REQ_ID, 0x2a, 0x00, 0x00, 0x00, /* start 42 */
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_PING, REQ_ID_VAL);
	check_msg(&m, ping, sizeof(ping));
	pmr_msg_init(&m, PMR_MSG_CLOSE | PMR_MSG_RESP, REQ_ID_VAL);
	check_msg(&m, close_resp, sizeof(close_resp));
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, REQ_ID_VAL);
	m.u.list_req.start = 42;
	check_msg(&m, list_req, sizeof(list_req));
}
