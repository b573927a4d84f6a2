/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_malformed.c -- each rule pmr_msg_decode enforces, one at a time:
 * lying lengths, oversize, names and texts, enums, reserved fields,
 * status rules, list counts, bodies that do not match type and status.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"
#include "samples.h"

static uint8_t buf[PMR_MSG_MAX + 64];
static size_t len;

/* build -- encode M into buf/len */
static void build(const struct pmr_msg *m)
{
	int n = pmr_msg_encode(m, buf, PMR_MSG_MAX);

	cr_assert_gt(n, 0);
	len = (size_t)n;
}

/* decode -- pmr_msg_decode of buf/len into a scratch message */
static int decode(void)
{
	struct pmr_msg m;

	return pmr_msg_decode(buf, len, &m);
}

/* set_len -- change the message length, header included */
static void set_len(size_t n)
{
	len = n;
	pmr_put_le32(buf + 4, (uint32_t)n);
}

/* open_req -- an OPEN request for NAME */
static void open_req(const char *name)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_OPEN, 1);
	strcpy(m.u.open_req.name, name);
	build(&m);
	cr_assert_eq(decode(), 0);
}

Test(malformed, header_length_lies)
{
	static const uint32_t lies[] = { 0, 15, 16, 19, 21, 4096, UINT32_MAX };

	open_req("db"); /* 20 bytes */
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		pmr_put_le32(buf + 4, lies[i]);
		cr_assert_eq(decode(), -EBADMSG, "length %u", lies[i]);
	}
}

Test(malformed, oversize)
{
	struct pmr_msg m;

	memset(buf, 0, sizeof(buf));
	pmr_msg_init(&m, PMR_MSG_PING, 1);
	build(&m);
	set_len(PMR_MSG_MAX + 1);
	cr_assert_eq(decode(), -EBADMSG);
	set_len(PMR_MSG_MAX + 64);
	cr_assert_eq(decode(), -EBADMSG);
	/* an unknown type is still refused as oversize, not -EPROTO */
	pmr_put_le16(buf, 77);
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, name_with_nul)
{
	open_req("abc");
	buf[PMR_MSG_HDR_SIZE + 3] = 0; /* the 'b' */
	cr_assert_eq(decode(), -EBADMSG);
	open_req("abc");
	buf[PMR_MSG_HDR_SIZE + 4] = 0; /* last byte */
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, name_length)
{
	char name[PMR_NAME_MAX + 1];

	open_req("a");
	buf[PMR_MSG_HDR_SIZE + 1] = 0; /* name_len 0, then 1 stray byte */
	cr_assert_eq(decode(), -EBADMSG);
	set_len(len - 1); /* name_len 0, nothing after */
	cr_assert_eq(decode(), -EBADMSG);

	memset(name, 'n', PMR_NAME_MAX);
	name[PMR_NAME_MAX] = '\0';
	open_req(name);
	buf[len] = 'n'; /* 64 real bytes: too long */
	buf[PMR_MSG_HDR_SIZE + 1] = PMR_NAME_MAX + 1;
	set_len(len + 1);
	cr_assert_eq(decode(), -EBADMSG);

	open_req("abc");
	buf[PMR_MSG_HDR_SIZE + 1] = 200; /* longer than the message */
	cr_assert_eq(decode(), -EBADMSG);
	buf[PMR_MSG_HDR_SIZE + 1] = 2; /* shorter: trailing byte */
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, bad_enums_open)
{
	struct pmr_msg m;
	const size_t o = PMR_MSG_HDR_SIZE;

	open_req("x");
	buf[o] = 0x10; /* access: a bit no version defines */
	cr_assert_eq(decode(), -EBADMSG);
	buf[o] = PMR_WIRE_ACCESS_RO | PMR_OPEN_F_EXCL; /* EXCL needs RW */
	cr_assert_eq(decode(), -EBADMSG);
	buf[o] = PMR_OPEN_F_TAKEOVER; /* TAKEOVER without EXCL */
	cr_assert_eq(decode(), -EBADMSG);
	buf[o] = 0xff;
	cr_assert_eq(decode(), -EBADMSG);

	proto_sample(6, &m); /* open_resp */
	cr_assert_str_eq(proto_sample_name(6), "open_resp");
	build(&m);
	cr_assert_eq(decode(), 0);
	buf[o + 24] = 8; /* persist: undefined bit */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 27] = 0x80; /* persist: high byte */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 28] = 3; /* gran */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 29] = 3; /* kind */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 30] = 0x10; /* access: a bit no version defines */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 30] = 2; /* RW | EXCL: now a generation must follow */
	cr_assert_neq(decode(), 0);
	build(&m);
	buf[o + 30] = PMR_WIRE_ACCESS_RO | PMR_OPEN_F_EXCL; /* EXCL needs RW */
	cr_assert_eq(decode(), -EBADMSG);
	build(&m);
	buf[o + 31] = 1; /* reserved */
	cr_assert_eq(decode(), -EBADMSG);
}

/* list_one -- a LIST response with one entry "r1"; entry starts at +8 */
static void list_one(void)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, 1);
	m.u.list_resp.total = 1;
	m.u.list_resp.count = 1;
	proto_sample_entry(&m.u.list_resp.entries[0], "r1", 0);
	build(&m);
	cr_assert_eq(decode(), 0);
}

Test(malformed, bad_list_entries)
{
	const size_t e = PMR_MSG_HDR_SIZE + 8; /* name_len, "r1", size, ... */

	list_one();
	buf[e + 2] = 0; /* NUL in name */
	cr_assert_eq(decode(), -EBADMSG);
	list_one();
	buf[e] = 0; /* name_len 0 */
	cr_assert_eq(decode(), -EBADMSG);
	list_one();
	buf[e + 11] = 2; /* access */
	cr_assert_eq(decode(), -EBADMSG);
	list_one();
	buf[e + 12] = 3; /* kind */
	cr_assert_eq(decode(), -EBADMSG);
	list_one();
	buf[e + 13] = 3; /* gran */
	cr_assert_eq(decode(), -EBADMSG);
	list_one();
	buf[e + 14] = 0x09; /* persist: undefined bit 3 */
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, list_counts)
{
	const size_t o = PMR_MSG_HDR_SIZE;

	list_one();
	pmr_put_le32(buf + o + 4, 2); /* count 2, one entry present */
	pmr_put_le32(buf + o, 10);
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le32(buf + o + 4, 0); /* count 0, one entry present */
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le32(buf + o + 4, PMR_LIST_MAX_ENTRIES + 1);
	pmr_put_le32(buf + o, UINT32_MAX);
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le32(buf + o + 4, UINT32_MAX);
	cr_assert_eq(decode(), -EBADMSG);

	list_one();
	pmr_put_le32(buf + o, 0); /* total 0 < count 1 */
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, list_count_over_max_with_room)
{
	struct pmr_msg m;
	uint8_t entry[PMR_MSG_MAX];
	size_t o, elen;

	/* 49 valid small entries, all present: count is still too big */
	list_one();
	elen = len - PMR_MSG_HDR_SIZE - 8;
	memcpy(entry, buf + PMR_MSG_HDR_SIZE + 8, elen);
	o = PMR_MSG_HDR_SIZE + 8;
	for (int k = 0; k < PMR_LIST_MAX_ENTRIES + 1; k++, o += elen)
		memcpy(buf + o, entry, elen);
	pmr_put_le32(buf + PMR_MSG_HDR_SIZE, 100);
	pmr_put_le32(buf + PMR_MSG_HDR_SIZE + 4, PMR_LIST_MAX_ENTRIES + 1);
	set_len(o);
	cr_assert_eq(decode(), -EBADMSG);
	/* and the same with 48 decodes */
	pmr_put_le32(buf + PMR_MSG_HDR_SIZE + 4, PMR_LIST_MAX_ENTRIES);
	set_len(o - elen);
	cr_assert_eq(pmr_msg_decode(buf, len, &m), 0);
	cr_assert_eq(m.u.list_resp.count, PMR_LIST_MAX_ENTRIES);
}

Test(malformed, error_text)
{
	struct pmr_msg m;
	const size_t o = PMR_MSG_HDR_SIZE;

	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, 1);
	m.hdr.status = PMR_ST_INVALID;
	strcpy(m.u.error.text, "bad");
	build(&m);
	cr_assert_eq(decode(), 0);
	buf[o + 3] = 0; /* NUL inside */
	cr_assert_eq(decode(), -EBADMSG);

	build(&m);
	pmr_put_le16(buf + o, 4); /* text_len past the end */
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le16(buf + o, 2); /* trailing byte */
	cr_assert_eq(decode(), -EBADMSG);

	/* 161 bytes of text, all present */
	memset(buf + o + 2, 'x', PMR_ERRTEXT_MAX + 1);
	pmr_put_le16(buf + o, PMR_ERRTEXT_MAX + 1);
	set_len(o + 2 + PMR_ERRTEXT_MAX + 1);
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le16(buf + o, PMR_ERRTEXT_MAX);
	set_len(o + 2 + PMR_ERRTEXT_MAX);
	cr_assert_eq(decode(), 0);
	pmr_put_le16(buf + o, UINT16_MAX);
	cr_assert_eq(decode(), -EBADMSG);

	set_len(o); /* error status with no body at all */
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, reserved_fields)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_PERSIST, 1);
	build(&m);
	for (size_t b = 4; b < 8; b++) {
		build(&m);
		buf[PMR_MSG_HDR_SIZE + b] = 1;
		cr_assert_eq(decode(), -EBADMSG, "reserved byte %zu", b);
	}
}

Test(malformed, status_rules)
{
	struct pmr_msg m;

	/* a request with a status */
	pmr_msg_init(&m, PMR_MSG_PING, 1);
	build(&m);
	pmr_put_le16(buf + 2, PMR_ST_INVALID);
	cr_assert_eq(decode(), -EBADMSG);

	/* a response with an undefined status, with a valid error body */
	pmr_msg_init(&m, PMR_MSG_PING | PMR_MSG_RESP, 1);
	m.hdr.status = PMR_ST_DENIED;
	build(&m);
	cr_assert_eq(decode(), 0);
	pmr_put_le16(buf + 2, PMR_ST_FENCED + 1);
	cr_assert_eq(decode(), -EBADMSG);
	pmr_put_le16(buf + 2, UINT16_MAX);
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, body_does_not_match_type_and_status)
{
	struct pmr_msg m;

	/* CLOSE request body (handle) under a CLOSE response: trailing */
	pmr_msg_init(&m, PMR_MSG_CLOSE, 1);
	m.u.close_req.handle = 5;
	build(&m);
	pmr_put_le16(buf, PMR_MSG_CLOSE | PMR_MSG_RESP);
	cr_assert_eq(decode(), -EBADMSG);

	/* PING with a body */
	pmr_msg_init(&m, PMR_MSG_CLOSE, 1);
	build(&m);
	pmr_put_le16(buf, PMR_MSG_PING);
	cr_assert_eq(decode(), -EBADMSG);

	/* OPEN response body under an error status */
	proto_sample(6, &m);
	build(&m);
	pmr_put_le16(buf + 2, PMR_ST_NOENT);
	cr_assert_eq(decode(), -EBADMSG);

	/* error body under status OK (OPEN response wants 32 bytes) */
	pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, 1);
	m.hdr.status = PMR_ST_NOENT;
	strcpy(m.u.error.text, "x");
	build(&m);
	pmr_put_le16(buf + 2, PMR_ST_OK);
	cr_assert_eq(decode(), -EBADMSG);

	/* PERSIST request (24 bytes) read as a LIST request (4 bytes) */
	pmr_msg_init(&m, PMR_MSG_PERSIST, 1);
	build(&m);
	pmr_put_le16(buf, PMR_MSG_LIST_REGIONS);
	cr_assert_eq(decode(), -EBADMSG);
}

Test(malformed, unknown_type_is_eproto_with_header)
{
	static const uint16_t types[] = { 0,	  6,	  0x7fff, PMR_MSG_RESP,
					  0x8006, 0xffff, 0x0102 };
	struct pmr_msg m;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		pmr_msg_init(&m, PMR_MSG_CLOSE, 0xabcdef0123ull);
		m.u.close_req.handle = 9;
		build(&m);
		pmr_put_le16(buf, types[i]);
		pmr_put_le16(buf + 2, 3); /* status ignored for unknown types */
		memset(&m, 0x5a, sizeof(m));
		cr_assert_eq(pmr_msg_decode(buf, len, &m), -EPROTO, "type %#x",
			     types[i]);
		cr_assert_eq(m.hdr.type, types[i]);
		cr_assert_eq(m.hdr.status, 3);
		cr_assert_eq(m.hdr.length, len);
		cr_assert_eq(m.hdr.req_id, 0xabcdef0123ull);
		cr_assert_eq(m.u.close_req.handle, 0x5a5a5a5a,
			     "body untouched");
	}
}

Test(malformed, null_and_empty)
{
	struct pmr_msg m;
	struct pmr_msg_hdr h;

	cr_assert_eq(pmr_msg_decode(NULL, 0, &m), -EBADMSG);
	cr_assert_eq(pmr_msg_decode(NULL, 16, &m), -EINVAL);
	cr_assert_eq(pmr_msg_decode(buf, 16, NULL), -EINVAL);
	cr_assert_eq(pmr_msg_hdr_decode(NULL, 0, &h), -EBADMSG);
	cr_assert_eq(pmr_msg_hdr_decode(buf, 16, NULL), -EINVAL);
}

Test(malformed, hdr_decode_reads_any_header)
{
	struct pmr_msg m;
	struct pmr_msg_hdr h;

	open_req("abc");
	buf[PMR_MSG_HDR_SIZE] = 9; /* bad access: full decode refuses */
	pmr_put_le64(buf + 8, 77);
	cr_assert_eq(pmr_msg_decode(buf, len, &m), -EBADMSG);
	cr_assert_eq(pmr_msg_hdr_decode(buf, len, &h), 0);
	cr_assert_eq(h.type, PMR_MSG_OPEN);
	cr_assert_eq(h.req_id, 77);
	cr_assert_eq(h.length, len);
	for (size_t n = 0; n < PMR_MSG_HDR_SIZE; n++)
		cr_assert_eq(pmr_msg_hdr_decode(buf, n, &h), -EBADMSG);
}
