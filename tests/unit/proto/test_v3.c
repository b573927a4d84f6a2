/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_v3.c -- protocol version 3 (8-byte atomics and fencing): the exact
 * bytes of ATOMIC_WRITE, of the atomics byte in OPEN responses and LIST
 * entries, of an exclusive OPEN response carrying both the atomics byte
 * and the generation, and that a connection below version 3 neither sends
 * nor accepts any of them (its messages stay those of versions 1 and 2,
 * byte for byte).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

#define V3	   PMR_PROTO_VERSION_ATOMICS
#define V2	   PMR_PROTO_VERSION_AUTH
#define REQ_ID	   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01
#define REQ_ID_VAL 0x0102030405060708ull

/* check_v3 -- M encodes at v3 to exactly WANT, which decodes back to M */
static void check_v3(const struct pmr_msg *m, const uint8_t *want,
		     size_t want_len)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg out;
	int n = pmr_msg_encode_ver(m, V3, buf, sizeof(buf));

	cr_assert_eq(n, (int)want_len);
	cr_assert_arr_eq(buf, want, want_len);
	cr_assert_eq(pmr_msg_decode_ver(want, want_len, V3, &out), 0);
	cr_assert(proto_msg_equal(m, &out));
}

static const uint8_t atomic_write_req[] = {
	0x06,	0x00,			/* type ATOMIC_WRITE */
	0x00,	0x00,			/* status */
	0x28,	0x00, 0x00, 0x00,	/* length 40 */
	REQ_ID, 0x07, 0x00, 0x00, 0x00, /* handle 7 */
	0x00,	0x00, 0x00, 0x00,	/* reserved */
	0x08,	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset 0x1008 */
	0xef,	0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, /* value */
};

/* atomic_write_msg -- the message atomic_write_req[] encodes */
static void atomic_write_msg(struct pmr_msg *m)
{
	pmr_msg_init(m, PMR_MSG_ATOMIC_WRITE, REQ_ID_VAL);
	m->u.atomic_write_req.handle = 7;
	m->u.atomic_write_req.offset = 0x1008;
	m->u.atomic_write_req.value = 0x0123456789abcdefull;
}

Test(v3, atomic_write_request_golden)
{
	struct pmr_msg m;

	atomic_write_msg(&m);
	check_v3(&m, atomic_write_req, sizeof(atomic_write_req));
}

Test(v3, atomic_write_response_is_empty)
{
	static const uint8_t want[] = {
		0x06, 0x80, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, REQ_ID,
	};
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_ATOMIC_WRITE | PMR_MSG_RESP, REQ_ID_VAL);
	check_v3(&m, want, sizeof(want));
}

Test(v3, atomic_write_is_unknown_below_v3)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m;

	atomic_write_msg(&m);
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	cr_expect_eq(pmr_msg_encode_ver(&m, 1, buf, sizeof(buf)), -EINVAL);
	memset(&m, 0, sizeof(m));
	/* -EPROTO with the header: the server answers UNSUPPORTED */
	cr_expect_eq(pmr_msg_decode(atomic_write_req, sizeof(atomic_write_req),
				    &m),
		     -EPROTO);
	cr_expect_eq(m.hdr.type, PMR_MSG_ATOMIC_WRITE);
	cr_expect_eq(m.hdr.req_id, REQ_ID_VAL);
	cr_expect_eq(pmr_msg_decode_ver(atomic_write_req,
					sizeof(atomic_write_req), V2, &m),
		     -EPROTO);
}

Test(v3, atomic_write_malformed)
{
	uint8_t buf[sizeof(atomic_write_req) + 1];
	struct pmr_msg m;

	/* reserved must be 0 */
	memcpy(buf, atomic_write_req, sizeof(atomic_write_req));
	buf[20] = 1;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(atomic_write_req), V3, &m),
		     -EBADMSG);
	/* every shorter body, with the header's length telling the truth */
	for (size_t len = PMR_MSG_HDR_SIZE; len < sizeof(atomic_write_req);
	     len++) {
		memcpy(buf, atomic_write_req, len);
		buf[4] = (uint8_t)len;
		cr_expect_eq(pmr_msg_decode_ver(buf, len, V3, &m), -EBADMSG,
			     "length %zu", len);
	}
	/* a byte too many */
	memcpy(buf, atomic_write_req, sizeof(atomic_write_req));
	buf[sizeof(atomic_write_req)] = 0;
	buf[4] = (uint8_t)sizeof(buf);
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V3, &m), -EBADMSG);
	/* a response carrying a request body */
	memcpy(buf, atomic_write_req, sizeof(atomic_write_req));
	buf[1] = 0x80;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(atomic_write_req), V3, &m),
		     -EBADMSG);
}

/* open_resp_msg -- an rw OPEN response granting ATOMICS */
static void open_resp_msg(struct pmr_msg *m, uint8_t atomics)
{
	pmr_msg_init(m, PMR_MSG_OPEN | PMR_MSG_RESP, REQ_ID_VAL);
	m->u.open_resp.handle = 0x11223344;
	m->u.open_resp.rkey = 0xdeadbeef;
	m->u.open_resp.addr = 0x7f0000001000ull;
	m->u.open_resp.length = 8ull << 30;
	m->u.open_resp.persist = PMR_PERSIST_SERVER | PMR_PERSIST_RAW;
	m->u.open_resp.gran = PMR_WIRE_GRAN_CACHE_LINE;
	m->u.open_resp.access = PMR_WIRE_ACCESS_RW;
	m->u.open_resp.atomics = atomics;
}

static const uint8_t open_resp_v3[] = {
	0x02,	0x80,					  /* type OPEN | RESP */
	0x00,	0x00,					  /* status OK */
	0x30,	0x00, 0x00, 0x00,			  /* length 48 */
	REQ_ID, 0x44, 0x33, 0x22, 0x11,			  /* handle */
	0xef,	0xbe, 0xad, 0xde,			  /* rkey */
	0x00,	0x10, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, /* addr */
	0x00,	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* 8 GiB */
	0x05,	0x00, 0x00, 0x00, /* persist SERVER | RAW */
	0x01,			  /* gran CACHE_LINE */
	0x00,			  /* kind FSDAX */
	0x00,			  /* access RW */
	0x03,			  /* atomics RDMA | NATIVE_WRITE */
};

Test(v3, open_response_atomics_byte)
{
	struct pmr_msg m;

	open_resp_msg(&m, PMR_ATOMICS_ALL);
	check_v3(&m, open_resp_v3, sizeof(open_resp_v3));
}

Test(v3, open_response_atomics_refused_below_v3)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, out;
	int n;

	open_resp_msg(&m, PMR_ATOMICS_RDMA);
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	cr_expect_eq(pmr_msg_decode(open_resp_v3, sizeof(open_resp_v3), &out),
		     -EBADMSG);
	/* 0 is what versions 1 and 2 send: the same bytes at every version */
	open_resp_msg(&m, 0);
	n = pmr_msg_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, (int)sizeof(open_resp_v3));
	cr_expect_arr_eq(buf, open_resp_v3, sizeof(open_resp_v3) - 1);
	cr_expect_eq(buf[sizeof(open_resp_v3) - 1], 0);
	cr_expect_eq(pmr_msg_decode_ver(buf, (size_t)n, V3, &out), 0);
	cr_expect_eq(out.u.open_resp.atomics, 0);
}

Test(v3, open_response_unknown_atomics_bits)
{
	uint8_t buf[sizeof(open_resp_v3)];
	struct pmr_msg m;

	open_resp_msg(&m, 1u << 2);
	cr_expect_eq(pmr_msg_encode_ver(&m, V3, buf, sizeof(buf)), -EINVAL);
	memcpy(buf, open_resp_v3, sizeof(buf));
	buf[sizeof(buf) - 1] = 0x04;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V3, &m), -EBADMSG);
}

/* the exclusive rw OPEN response: access byte RW | EXCL, the atomics
 * byte, the generation, then the proof */
static const uint8_t open_resp_excl_v3[] = {
	0x02,	0x80,					  /* type OPEN | RESP */
	0x00,	0x00,					  /* status OK */
	0x58,	0x00, 0x00, 0x00,			  /* length 88 */
	REQ_ID, 0x44, 0x33, 0x22, 0x11,			  /* handle */
	0xef,	0xbe, 0xad, 0xde,			  /* rkey */
	0x00,	0x10, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, /* addr */
	0x00,	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* 8 GiB */
	0x05,	0x00, 0x00, 0x00, /* persist SERVER | RAW */
	0x01,			  /* gran CACHE_LINE */
	0x00,			  /* kind FSDAX */
	0x02,			  /* access RW | PMR_OPEN_F_EXCL */
	0x01,			  /* atomics RDMA */
	0x08,	0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* generation */
	0xc3,	0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, /* proof[32] */
	0xc3,	0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
	0xc3,	0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
	0xc3,	0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
};

/* open_resp_excl_msg -- the message open_resp_excl_v3[] encodes */
static void open_resp_excl_msg(struct pmr_msg *m)
{
	open_resp_msg(m, PMR_ATOMICS_RDMA);
	m->u.open_resp.excl = 1;
	m->u.open_resp.generation = 0x0102030405060708ull;
	m->u.open_resp.has_proof = 1;
	memset(m->u.open_resp.proof, 0xc3, PMR_PROOF_SIZE);
}

Test(v3, open_response_exclusive_atomics_generation_proof)
{
	struct pmr_msg m, out;
	size_t cut = sizeof(open_resp_excl_v3) - PMR_PROOF_SIZE;
	uint8_t buf[sizeof(open_resp_excl_v3)];

	open_resp_excl_msg(&m);
	check_v3(&m, open_resp_excl_v3, sizeof(open_resp_excl_v3));
	/* without the proof: still valid, the generation still read */
	memcpy(buf, open_resp_excl_v3, cut);
	buf[4] = (uint8_t)cut;
	cr_assert_eq(pmr_msg_decode_ver(buf, cut, V3, &out), 0);
	cr_expect_eq(out.u.open_resp.excl, 1);
	cr_expect_eq(out.u.open_resp.atomics, PMR_ATOMICS_RDMA);
	cr_expect_eq(out.u.open_resp.generation, 0x0102030405060708ull);
	cr_expect_eq(out.u.open_resp.has_proof, 0);
	/* the generation cut short */
	buf[4] = (uint8_t)(cut - 1);
	cr_expect_eq(pmr_msg_decode_ver(buf, cut - 1, V3, &out), -EBADMSG);
	/* EXCL on a read-only answer */
	memcpy(buf, open_resp_excl_v3, sizeof(buf));
	buf[46] = PMR_WIRE_ACCESS_RO | PMR_OPEN_F_EXCL;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V3, &out), -EBADMSG);
}

Test(v3, exclusive_open_response_refused_below_v3)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, out;

	open_resp_excl_msg(&m);
	m.u.open_resp.atomics = 0;
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	cr_expect_eq(pmr_msg_encode_ver(&m, 1, buf, sizeof(buf)), -EINVAL);
	/* the EXCL bit is an access value a version 2 peer does not know */
	memcpy(buf, open_resp_excl_v3, sizeof(open_resp_excl_v3));
	buf[47] = 0;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(open_resp_excl_v3), V2,
					&out),
		     -EBADMSG);
}

Test(v3, exclusive_open_request_refused_below_v3)
{
	static const uint8_t takeover[] = {
		0x02,	0x00,		  /* type OPEN */
		0x00,	0x00,		  /* status */
		0x14,	0x00, 0x00, 0x00, /* length 20 */
		REQ_ID, 0x06,		  /* access RW | EXCL | TAKEOVER */
		0x02,	'd',  'b',	  /* name_len 2, "db" */
	};
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, out;

	pmr_msg_init(&m, PMR_MSG_OPEN, REQ_ID_VAL);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	m.u.open_req.flags = PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER;
	strcpy(m.u.open_req.name, "db");
	check_v3(&m, takeover, sizeof(takeover));
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	cr_expect_eq(pmr_msg_decode_ver(takeover, sizeof(takeover), V2, &out),
		     -EBADMSG);
}

Test(v3, fencing_types_and_statuses_unknown_below_v3)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m;
	int n;

	pmr_msg_init(&m, PMR_MSG_FENCED, 0);
	m.u.fenced.handle = 0x10005;
	m.u.fenced.generation = 9;
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	n = pmr_msg_encode_ver(&m, V3, buf, sizeof(buf));
	cr_assert_eq(n, 32);
	cr_expect_eq(pmr_msg_decode_ver(buf, (size_t)n, V2, &m), -EPROTO);
	cr_expect_eq(m.hdr.type, PMR_MSG_FENCED);
	for (uint16_t st = PMR_ST_BUSY; st <= PMR_ST_FENCED; st++) {
		pmr_msg_init(&m, PMR_MSG_OPEN | PMR_MSG_RESP, 3);
		m.hdr.status = st;
		strcpy(m.u.error.text, "held");
		cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
		n = pmr_msg_encode_ver(&m, V3, buf, sizeof(buf));
		cr_assert_gt(n, 0);
		cr_expect_eq(pmr_msg_decode_ver(buf, (size_t)n, V2, &m),
			     -EBADMSG, "status %u", st);
		cr_expect_eq(pmr_msg_decode_ver(buf, (size_t)n, V3, &m), 0);
	}
}

Test(v3, first_unknown_type_is_8)
{
	static const uint16_t types[] = { 0, 8, 0x8008, 0x7fff, 0xffff };
	uint8_t buf[PMR_MSG_HDR_SIZE];
	struct pmr_msg m;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		pmr_msg_init(&m, PMR_MSG_PING, 5);
		cr_assert_eq(pmr_msg_encode_ver(&m, V3, buf, sizeof(buf)),
			     PMR_MSG_HDR_SIZE);
		buf[0] = (uint8_t)types[i];
		buf[1] = (uint8_t)(types[i] >> 8);
		cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V3, &m),
			     -EPROTO, "type %#x", types[i]);
	}
	/* 6 and 7 (ATOMIC_WRITE, FENCED) are v3's own: unknown at v2 */
	for (uint16_t t = PMR_MSG_ATOMIC_WRITE; t <= PMR_MSG_FENCED; t++) {
		pmr_msg_init(&m, PMR_MSG_PING, 5);
		cr_assert_eq(pmr_msg_encode(&m, buf, sizeof(buf)),
			     PMR_MSG_HDR_SIZE);
		buf[0] = (uint8_t)t;
		cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V2, &m),
			     -EPROTO, "type %u", t);
	}
}

Test(v3, type_known_is_what_the_decoder_knows)
{
	uint8_t buf[PMR_MSG_HDR_SIZE];
	struct pmr_msg m;

	for (uint16_t v = PMR_PROTO_VERSION_MIN; v <= PMR_PROTO_VERSION; v++) {
		for (unsigned t = 0; t <= 0x10; t++) {
			uint16_t req = (uint16_t)t;
			uint16_t resp = (uint16_t)(t | PMR_MSG_RESP);
			bool want = (t >= PMR_MSG_LIST_REGIONS &&
				     t <= PMR_MSG_PING) ||
				    (v >= V3 && (t == PMR_MSG_ATOMIC_WRITE ||
						 t == PMR_MSG_FENCED));

			cr_expect_eq(pmr_msg_type_known(req, v), want,
				     "type %u, version %u", t, v);
			cr_expect_eq(pmr_msg_type_known(resp, v), want,
				     "type %#x, version %u", resp, v);
			/* the decoder answers -EPROTO exactly for the rest */
			pmr_msg_init(&m, PMR_MSG_PING, 5);
			cr_assert_eq(pmr_msg_encode(&m, buf, sizeof(buf)),
				     PMR_MSG_HDR_SIZE);
			buf[0] = (uint8_t)t;
			cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), v,
							&m) == -EPROTO,
				     !want, "type %u, version %u", t, v);
		}
	}
}

static const uint8_t list_resp_v3[] = {
	0x01,	0x80,			/* type LIST_REGIONS | RESP */
	0x00,	0x00,			/* status OK */
	0x29,	0x00, 0x00, 0x00,	/* length 41 */
	REQ_ID, 0x05, 0x00, 0x00, 0x00, /* total 5 */
	0x01,	0x00, 0x00, 0x00,	/* count 1 */
	0x03,	'p',  'm',  '0',	/* name_len 3, "pm0" */
	0x88,	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* size */
	0x00,						  /* access RW */
	0x01,						  /* kind DEVDAX */
	0x00,						  /* gran BYTE */
	0x06, /* persist FLUSH | RAW */
	0x01, /* atomics RDMA */
};

/* list_resp_msg -- the message list_resp_v3[] encodes */
static void list_resp_msg(struct pmr_msg *m)
{
	struct pmr_region_info *e = &m->u.list_resp.entries[0];

	pmr_msg_init(m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, REQ_ID_VAL);
	m->u.list_resp.total = 5;
	m->u.list_resp.count = 1;
	strcpy(e->name, "pm0");
	e->size = 0x1122334455667788ull;
	e->access = PMR_WIRE_ACCESS_RW;
	e->kind = PMR_WIRE_KIND_DEVDAX;
	e->gran = PMR_WIRE_GRAN_BYTE;
	e->persist = PMR_PERSIST_FLUSH | PMR_PERSIST_RAW;
	e->atomics = PMR_ATOMICS_RDMA;
}

Test(v3, list_entry_atomics_byte)
{
	struct pmr_msg m;

	list_resp_msg(&m);
	check_v3(&m, list_resp_v3, sizeof(list_resp_v3));
	cr_expect_eq(pmr_list_entry_wire_size_ver(&m.u.list_resp.entries[0],
						  V3),
		     14 + 3);
	cr_expect_eq(pmr_list_entry_wire_size(&m.u.list_resp.entries[0]),
		     13 + 3);
}

Test(v3, list_entry_below_v3)
{
	uint8_t buf[PMR_MSG_MAX];
	struct pmr_msg m, out;
	int n;

	list_resp_msg(&m);
	/* atomics cannot be said below v3 */
	cr_expect_eq(pmr_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	/* a v3 entry read as v2 leaves a byte over */
	cr_expect_eq(pmr_msg_decode(list_resp_v3, sizeof(list_resp_v3), &out),
		     -EBADMSG);
	/* without atomics: the v2 bytes, one shorter, which v3 refuses */
	m.u.list_resp.entries[0].atomics = 0;
	n = pmr_msg_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, (int)sizeof(list_resp_v3) - 1);
	cr_expect_arr_eq(buf + 8, list_resp_v3 + 8, (size_t)n - 9);
	cr_expect_eq(pmr_msg_decode_ver(buf, (size_t)n, V3, &out), -EBADMSG);
}

Test(v3, list_entry_unknown_atomics_bits)
{
	uint8_t buf[sizeof(list_resp_v3)];
	struct pmr_msg m;

	memcpy(buf, list_resp_v3, sizeof(buf));
	buf[sizeof(buf) - 1] = 0x80;
	cr_expect_eq(pmr_msg_decode_ver(buf, sizeof(buf), V3, &m), -EBADMSG);
}

Test(v3, list_fit_counts_the_extra_byte)
{
	struct pmr_region_info e[PMR_LIST_MAX_ENTRIES];
	size_t max;
	uint32_t k2, k3;

	memset(e, 0, sizeof(e));
	for (unsigned i = 0; i < PMR_LIST_MAX_ENTRIES; i++)
		proto_sample_entry(&e[i], "region", i);
	/* room for exactly 10 v2 entries of 13 + 6 bytes */
	max = PMR_MSG_HDR_SIZE + 8 + 10 * (13 + 6);
	k2 = pmr_list_resp_fit(e, PMR_LIST_MAX_ENTRIES, max);
	k3 = pmr_list_resp_fit_ver(e, PMR_LIST_MAX_ENTRIES, max, V3);
	cr_expect_eq(k2, 10);
	cr_expect_eq(k3, 9);
}

Test(v3, samples_decode_the_same_at_v3)
{
	/* every v1/v2 sample without atomics is a valid v3 message too,
	 * but for LIST responses with entries (their layout grew) */
	for (size_t i = 0; i < proto_sample_count(); i++) {
		uint8_t buf[PMR_MSG_MAX], again[PMR_MSG_MAX];
		struct pmr_msg m, out;
		size_t n;
		int k;

		proto_sample(i, &m);
		if (m.hdr.type == (PMR_MSG_LIST_REGIONS | PMR_MSG_RESP) &&
		    !m.hdr.status && m.u.list_resp.count)
			continue;
		n = proto_sample_encode(i, buf);
		cr_assert_eq(pmr_msg_decode_ver(buf, n, V3, &out), 0, "%s",
			     proto_sample_name(i));
		k = pmr_msg_encode_ver(&out, V3, again, sizeof(again));
		cr_assert_eq(k, (int)n, "%s", proto_sample_name(i));
		cr_assert_arr_eq(again, buf, n, "%s", proto_sample_name(i));
	}
}
