/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_proto.c -- libFuzzer target for every pmrproto decoder
 *
 * Each input goes to pmr_msg_decode_ver (at version 2, the layout of
 * versions 1 and 2, and at version 3, with atomics and fencing), pmr_msg_hdr_decode
 * and the hello, welcome and reject decoders.  Whatever a decoder accepts
 * must re-encode to the same bytes (decoding is canonical: one value, one
 * encoding).  The input is also read as a raw struct pmr_msg for the
 * encoder (at both layouts): whatever it agrees to write must decode back
 * and re-encode identically.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "le.h"
#include "pmr_proto.h"

/* zero_after -- bytes OFF..LEN of P are zero */
static bool zero_after(const uint8_t *p, size_t off, size_t len)
{
	for (size_t i = off; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* fuzz_msg -- decode at VERSION; accepted input re-encodes to itself */
static void fuzz_msg(const uint8_t *data, size_t size, uint16_t version)
{
	static struct pmr_msg m, again;
	static uint8_t out[PMR_MSG_MAX];
	struct pmr_msg_hdr h;
	int err = pmr_msg_decode_ver(data, size, version, &m);
	int n;

	if (pmr_msg_hdr_decode(data, size, &h) == 0)
		check(h.length == pmr_get_le32(data + 4));
	else
		check(size < PMR_MSG_HDR_SIZE && err == -EBADMSG);
	if (err == -EPROTO) {
		check(m.hdr.type == h.type && m.hdr.req_id == h.req_id);
		check(h.length == size);
		return;
	}
	check(err == 0 || err == -EBADMSG);
	if (err)
		return;
	n = pmr_msg_encode_ver(&m, version, out, sizeof(out));
	check(n == (int)size && memcmp(out, data, size) == 0);
	check(pmr_msg_decode_ver(out, (size_t)n, version, &again) == 0);
	check(pmr_msg_encode_ver(&again, version, out, sizeof(out)) == n);
	check(memcmp(out, data, size) == 0);
}

/* fuzz_private -- hello/welcome/reject: accepted input is canonical */
static void fuzz_private(const uint8_t *data, size_t size)
{
	uint8_t out[PMR_WELCOME_SIZE_V2];
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;
	int err, n;

	err = pmr_hello_decode(data, size, &h);
	check(err == 0 || err == -EBADMSG);
	if (!err) {
		n = pmr_hello_encode(&h, out, sizeof(out));
		check(n == PMR_HELLO_SIZE || n == PMR_HELLO_SIZE_V2);
		check(!memcmp(out, data, (size_t)n));
		check(zero_after(data, (size_t)n, size));
		check(pmr_version_negotiate(h.min_version, h.version,
					    PMR_PROTO_VERSION_MIN,
					    PMR_PROTO_VERSION) != -EINVAL);
	}
	err = pmr_welcome_decode(data, size, &w);
	check(err == 0 || err == -EBADMSG);
	if (!err) {
		n = pmr_welcome_encode(&w, out, sizeof(out));
		check(n == PMR_WELCOME_SIZE || n == PMR_WELCOME_SIZE_V2);
		check(!memcmp(out, data, (size_t)n));
		check(zero_after(data, (size_t)n, size));
	}
	err = pmr_reject_decode(data, size, &r);
	check(err == 0 || err == -EBADMSG);
	if (!err) {
		check(pmr_reject_encode(&r, out, sizeof(out)) ==
		      PMR_REJECT_SIZE);
		check(!memcmp(out, data, PMR_REJECT_SIZE));
		check(zero_after(data, PMR_REJECT_SIZE, size));
		check(pmr_reject_reason_str(r.reason) != NULL);
	}
}

/*
 * fuzz_encoder -- the input as a raw pmr_msg (zero-extended): encode at
 * VERSION must stay inside CAP, and what it writes must decode back and
 * re-encode the same, or (an error response of an unknown type) decode
 * as -EPROTO.
 */
static void fuzz_encoder(const uint8_t *data, size_t size, uint16_t version)
{
	static struct pmr_msg m, back;
	static uint8_t out[PMR_MSG_MAX + 1], again[PMR_MSG_MAX];
	size_t cap;
	int n, err;

	if (size < 2)
		return;
	/* the first byte picks the capacity, the rest is the struct */
	cap = (size_t)data[0] * 17;
	if (cap > PMR_MSG_MAX)
		cap = PMR_MSG_MAX;
	memset(&m, 0, sizeof(m));
	memcpy(&m, data + 1, size - 1 < sizeof(m) ? size - 1 : sizeof(m));
	/* fold the header into mostly-meaningful values to get deep */
	m.hdr.type = (uint16_t)((m.hdr.type & 0x7) | (m.hdr.type & 0x8000));
	m.hdr.status %= PMR_ST_FENCED + 2;
	if (m.u.list_resp.count > PMR_LIST_MAX_ENTRIES + 1)
		m.u.list_resp.count %= PMR_LIST_MAX_ENTRIES + 2;
	out[cap] = 0x5a; /* guard: nothing written at or past cap */
	n = pmr_msg_encode_ver(&m, version, out, cap);
	check(out[cap] == 0x5a);
	check(n == -EINVAL || n == -ENOSPC ||
	      (n >= PMR_MSG_HDR_SIZE && (size_t)n <= cap));
	if (n < 0)
		return;
	err = pmr_msg_decode_ver(out, (size_t)n, version, &back);
	if (!pmr_msg_type_known(m.hdr.type, version)) {
		check(err == -EPROTO && m.hdr.status != PMR_ST_OK);
		return;
	}
	check(err == 0);
	check(pmr_msg_encode_ver(&back, version, again, sizeof(again)) == n);
	check(memcmp(out, again, (size_t)n) == 0);
	if (m.hdr.type == (PMR_MSG_LIST_REGIONS | PMR_MSG_RESP) &&
	    m.hdr.status == PMR_ST_OK)
		check(pmr_list_resp_fit_ver(m.u.list_resp.entries,
					    m.u.list_resp.count, (size_t)n,
					    version) == m.u.list_resp.count);
}

/* LLVMFuzzerTestOneInput -- every decoder and encoder on DATA */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_msg(data, size, PMR_PROTO_VERSION_AUTH);
	fuzz_msg(data, size, PMR_PROTO_VERSION_ATOMICS);
	fuzz_private(data, size);
	fuzz_encoder(data, size, PMR_PROTO_VERSION_AUTH);
	fuzz_encoder(data, size, PMR_PROTO_VERSION_ATOMICS);
	return 0;
}
