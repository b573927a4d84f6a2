/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_session_atomics.c -- protocol version 3 in the control session:
 * the atomics byte in LIST and OPEN (only at v3, never for a read-only
 * open, never what the QP cannot carry) and ATOMIC_WRITE: one 8-byte
 * little-endian store plus a persist of exactly those 8 bytes, refused for
 * unknown and read-only handles, misaligned offsets and offsets past the
 * region, and unknown to a v2 peer.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>
#include <infiniband/verbs.h>

#include "fake_exports.h"
#include "persist_recorder.h"
#include "pmr_proto.h"
#include "session.h"

#define V3 PMR_PROTO_VERSION_ATOMICS

static struct pmrd_session s;

/* setup -- a v3 session; "alpha" grants both atomics to rw opens */
static void setup(void)
{
	fake_exports_persist(fake_persist);
	persist_recorder_reset();
	ex_a.plan.atomics = PMR_ATOMICS_ALL;
	ex_a.plan.grant_ceiling = IBV_ACCESS_REMOTE_READ |
				  IBV_ACCESS_REMOTE_WRITE |
				  IBV_ACCESS_REMOTE_ATOMIC;
	memset(mem_a, 0, sizeof(mem_a));
	cr_assert_eq(pmrd_session_init(&s, exports, 2, 4, 3, "test"), 0);
	pmrd_session_set_version(&s, V3);
}

static void teardown(void)
{
	pmrd_session_fini(&s);
}

/* roundtrip -- REQ through the session at its version; the response */
static void roundtrip(struct pmr_msg *req, struct pmr_msg *resp)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	int n = pmr_msg_encode_ver(req, V3, in, sizeof(in));

	cr_assert_gt(n, 0);
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(pmr_msg_decode_ver(out, (size_t)n, s.version, resp), 0);
	cr_assert_eq(resp->hdr.req_id, req->hdr.req_id);
}

/* open_region -- OPEN NAME ACCESS, which must succeed; its response */
static struct pmr_open_resp open_region(const char *name, uint8_t access)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_OPEN, 7);
	m.u.open_req.access = access;
	strcpy(m.u.open_req.name, name);
	roundtrip(&m, &r);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	return r.u.open_resp;
}

/* atomic_write -- ATOMIC_WRITE H OFF VALUE; the response (error text in
 * r.u.error) */
static struct pmr_msg atomic_write(uint32_t h, uint64_t off, uint64_t value)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_ATOMIC_WRITE, 11);
	m.u.atomic_write_req.handle = h;
	m.u.atomic_write_req.offset = off;
	m.u.atomic_write_req.value = value;
	roundtrip(&m, &r);
	return r;
}

TestSuite(session_atomics, .init = setup, .fini = teardown);

Test(session_atomics, list_and_open_carry_the_byte)
{
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 1);
	roundtrip(&m, &r);
	cr_assert_eq(r.u.list_resp.count, 2);
	cr_expect_eq(r.u.list_resp.entries[0].atomics, PMR_ATOMICS_ALL);
	cr_expect_eq(r.u.list_resp.entries[1].atomics, 0, "ro region");
	cr_expect_eq(open_region("alpha", PMR_WIRE_ACCESS_RW).atomics,
		     PMR_ATOMICS_ALL);
	cr_expect_eq(open_region("alpha", PMR_WIRE_ACCESS_RO).atomics, 0,
		     "a read-only key carries no atomics");
}

Test(session_atomics, qp_without_atomics_keeps_native_write)
{
	s.no_atomics = PMR_ATOMICS_RDMA;
	cr_expect_eq(open_region("alpha", PMR_WIRE_ACCESS_RW).atomics,
		     PMR_ATOMICS_NATIVE_WRITE);
}

Test(session_atomics, v2_peer_sees_no_byte_and_no_request)
{
	uint8_t in[PMR_MSG_MAX], out[PMR_MSG_MAX];
	struct pmr_msg m, r;
	int n;

	pmrd_session_set_version(&s, PMR_PROTO_VERSION_AUTH);
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 1);
	n = pmr_msg_encode(&m, in, sizeof(in));
	n = pmrd_session_handle(&s, in, (size_t)n, out, sizeof(out));
	/* v2 bytes: decodes with the v1/v2 decoder, entries of 13 + name */
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), 0);
	cr_expect_eq(n, 16 + 8 + 13 + 5 + 13 + 4);
	cr_expect_eq(r.u.list_resp.entries[0].atomics, 0);
	cr_expect_eq(open_region("alpha", PMR_WIRE_ACCESS_RW).atomics, 0);

	/* what a v2 server answers to a type it does not know */
	memcpy(in, (uint8_t[]){ 6, 0, 0, 0, 40, 0, 0, 0, 9 }, 9);
	memset(in + 9, 0, 31);
	n = pmrd_session_handle(&s, in, 40, out, sizeof(out));
	cr_assert_gt(n, 0);
	/* an error response of a type v2 does not know: -EPROTO, header */
	cr_assert_eq(pmr_msg_decode(out, (size_t)n, &r), -EPROTO);
	cr_expect_eq(r.hdr.status, PMR_ST_UNSUPPORTED);
	cr_expect_eq(r.hdr.req_id, 9);
	cr_expect_eq(persisted.calls, 0);
}

Test(session_atomics, atomic_write_stores_and_persists_8_bytes)
{
	uint32_t h = open_region("alpha", PMR_WIRE_ACCESS_RW).handle;
	struct pmr_msg r = atomic_write(h, 0x1008, 0x0123456789abcdefull);
	uint64_t word;

	cr_assert_eq(r.hdr.status, PMR_ST_OK, "%s", r.u.error.text);
	memcpy(&word, mem_a + 0x1008, 8);
	cr_expect_eq(le64toh(word), 0x0123456789abcdefull);
	cr_expect_eq(mem_a[0x1008], 0xef, "little-endian in the region");
	cr_expect_eq(persisted.calls, 1);
	cr_expect_eq(persisted.ptr, mem_a + 0x1008);
	cr_expect_eq(persisted.len, 8);
	/* the last word of the region */
	r = atomic_write(h, sizeof(mem_a) - 8, 5);
	cr_expect_eq(r.hdr.status, PMR_ST_OK);
	cr_expect_eq(mem_a[sizeof(mem_a) - 8], 5);
}

Test(session_atomics, atomic_write_refusals)
{
	uint32_t rw = open_region("alpha", PMR_WIRE_ACCESS_RW).handle;
	uint32_t ro = open_region("alpha", PMR_WIRE_ACCESS_RO).handle;
	uint32_t ro_region = open_region("beta", PMR_WIRE_ACCESS_RO).handle;
	struct pmr_msg r;

	r = atomic_write(ro, 0, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_ACCESS);
	cr_expect(strstr(r.u.error.text, "read-only"), "%s", r.u.error.text);
	r = atomic_write(ro_region, 0, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_ACCESS);
	r = atomic_write(0x7777, 0, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_NOENT);
	r = atomic_write(rw, 12, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_INVALID);
	cr_expect(strstr(r.u.error.text, "aligned"), "%s", r.u.error.text);
	r = atomic_write(rw, 1, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_INVALID);
	r = atomic_write(rw, sizeof(mem_a), 1);
	cr_expect_eq(r.hdr.status, PMR_ST_RANGE);
	cr_expect(strstr(r.u.error.text, "outside"), "%s", r.u.error.text);
	r = atomic_write(rw, UINT64_MAX - 7, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_RANGE, "no overflow");
	for (size_t i = 0; i < sizeof(mem_a); i++)
		cr_assert_eq(mem_a[i], 0, "byte %zu written", i);
	cr_expect_eq(persisted.calls, 0);
}

Test(session_atomics, closed_handle_is_noent)
{
	uint32_t h = open_region("alpha", PMR_WIRE_ACCESS_RW).handle;
	struct pmr_msg m, r;

	pmr_msg_init(&m, PMR_MSG_CLOSE, 3);
	m.u.close_req.handle = h;
	roundtrip(&m, &r);
	cr_assert_eq(r.hdr.status, PMR_ST_OK);
	r = atomic_write(h, 0, 1);
	cr_expect_eq(r.hdr.status, PMR_ST_NOENT);
}
