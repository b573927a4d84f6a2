/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_session.c -- libFuzzer target for the daemon's control-request
 * handling (daemon/serve/session.c): what a connected client's SENDs do
 *
 * The input is a sequence of messages, each a le16 length (taken modulo
 * PMR_MSG_MAX + 1) and that many bytes, handled in order by one session
 * over two fake exports (an rw and an ro region in plain memory).  Checked:
 * every answer fits and decodes as the response to its request; PERSIST
 * only ever touches memory inside the region of an open handle; open
 * handles stay within the limit; a session that says -EPROTO is dropped
 * (and a new one started, as a new client would be); its rw handles are
 * in the exclusive registry while open and gone from it at its end (the
 * fake exports share one key, so exclusive opens are refused before any
 * generation file would be touched).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exports.h"
#include "fuzz.h"
#include "log.h"
#include "pmr_proto.h"
#include "session.h"

#define MAX_HANDLES 3
#define MAX_BAD	    4

/* fake_persist -- the range must lie inside one region's memory */
static void fake_persist(const void *ptr, size_t len)
{
	const uint8_t *p = ptr;
	bool in_a = p >= mem_a && len <= sizeof(mem_a) &&
		    (size_t)(p - mem_a) <= sizeof(mem_a) - len;
	bool in_b = p >= mem_b && len <= sizeof(mem_b) &&
		    (size_t)(p - mem_b) <= sizeof(mem_b) - len;

	check(len > 0 && (in_a || in_b));
}

/* handle_one -- one message through S; false when S must be dropped */
static bool handle_one(struct pmrd_session *s, const uint8_t *msg, size_t len)
{
	static uint8_t out[PMR_MSG_MAX + 16];
	static struct pmr_msg resp;
	struct pmr_msg_hdr h;
	int n, err;

	memset(out, 0x5a, sizeof(out));
	n = pmrd_session_handle(s, msg, len, out, PMR_MSG_MAX);
	for (size_t i = PMR_MSG_MAX; i < sizeof(out); i++)
		check(out[i] == 0x5a);
	check(s->n_open <= MAX_HANDLES);
	check(ex_a.n_open + ex_b.n_open == s->n_open);
	if (n == -EPROTO)
		return false;
	check(n >= 0 && n <= PMR_MSG_MAX);
	if (!n) {
		/* nothing to answer: only when no header could be read */
		check(pmr_msg_hdr_decode(msg, len, &h) != 0);
		return true;
	}
	check(pmr_msg_hdr_decode(msg, len, &h) == 0);
	err = pmr_msg_decode_ver(out, (size_t)n, s->version, &resp);
	check(err == 0 || err == -EPROTO);
	check(resp.hdr.req_id == h.req_id);
	check(resp.hdr.type == (h.type | PMR_MSG_RESP));
	check(err == 0 || resp.hdr.status != PMR_ST_OK);
	/* "cannot happen": our own response did not encode */
	check(resp.hdr.status != PMR_ST_INTERNAL);
	return true;
}

static struct pmrd_excl excl;

/* session_start -- a fresh session S speaking VERSION */
static void session_start(struct pmrd_session *s, uint16_t version)
{
	check(pmrd_session_init(s, exports, 2, MAX_HANDLES, MAX_BAD, "fuzz") ==
	      0);
	pmrd_session_set_version(s, version);
	pmrd_session_set_exclusive(s, &excl, NULL, NULL);
}

/* run_client -- DATA as the requests of a client speaking VERSION */
static void run_client(const uint8_t *data, size_t size, uint16_t version)
{
	struct pmrd_session s;
	size_t off = 0, len;

	session_start(&s, version);
	while (size - off >= 2) {
		len = ((size_t)data[off] | (size_t)data[off + 1] << 8) %
		      (PMR_MSG_MAX + 1);
		off += 2;
		if (len > size - off)
			len = size - off;
		if (!handle_one(&s, data + off, len)) {
			/* the daemon disconnects it: handles go away */
			pmrd_session_fini(&s);
			check(ex_a.n_open + ex_b.n_open == 0);
			check(hlist_empty(&excl.rw));
			session_start(&s, version);
		}
		off += len;
	}
	pmrd_session_fini(&s);
	check(ex_a.n_open + ex_b.n_open == 0);
	check(hlist_empty(&excl.rw));
}

/* LLVMFuzzerTestOneInput -- DATA as the requests of a client, once at
 * version 2 and once at version 3 (atomics, ATOMIC_WRITE, exclusive opens
 * and takeovers) */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pmrd_log_set_level(LOG_ERR);
	fake_exports_persist(fake_persist);
	pmrd_excl_init(&excl, "/nonexistent/pmrd-fuzz");
	run_client(data, size, PMR_PROTO_VERSION_AUTH);
	run_client(data, size, PMR_PROTO_VERSION_ATOMICS);
	return 0;
}
