/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello.c -- connection private data: hello, welcome, reject; versions
 *
 * These ride in rdmacm private data, whose received length is the
 * transport's private-data size, not what the peer wrote (IB CM: 56 bytes
 * for a REQ, 196 for a REP, 148 for a REJ; the rest is zero padding).  So
 * decoders accept a longer buffer as long as everything past the message
 * is zero: non-zero trailing bytes are something we do not understand.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "wire.h"

/* zero_tail -- true when the N bytes at P are all zero */
static bool zero_tail(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* range_ok -- MIN..MAX is a non-empty range of real versions (>= 1) */
static bool range_ok(uint16_t min, uint16_t max)
{
	return min >= 1 && min <= max;
}

/* nonce_size -- bytes of nonce a hello or welcome of VERSION carries */
static size_t nonce_size(uint16_t version)
{
	return version >= PMR_PROTO_VERSION_AUTH ? PMR_NONCE_SIZE : 0;
}

/*
 * pmr_hello_encode -- magic le32, version le16, min_version le16,
 * flags le32, credits le16, reserved le16, then the nonce when version
 * >= 2.  Returns PMR_HELLO_SIZE or PMR_HELLO_SIZE_V2.
 * credits must be >= 1 (the server grants min(credits, its limit), and a
 * welcome granting none would be useless); its upper end is the server's.
 */
int pmr_hello_encode(const struct pmr_hello *h, void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t nn;

	if (!h || (!buf && cap) || h->flags || !h->credits ||
	    !range_ok(h->min_version, h->version))
		return -EINVAL;
	nn = nonce_size(h->version);
	if (cap < PMR_HELLO_SIZE + nn)
		return -ENOSPC;
	pmr_put_le32(p, PMR_PROTO_MAGIC);
	pmr_put_le16(p + 4, h->version);
	pmr_put_le16(p + 6, h->min_version);
	pmr_put_le32(p + 8, h->flags);
	pmr_put_le16(p + 12, h->credits);
	pmr_put_le16(p + 14, 0);
	memcpy(p + PMR_HELLO_SIZE, h->nonce, nn);
	return (int)(PMR_HELLO_SIZE + nn);
}

/* pmr_hello_decode -- the inverse of pmr_hello_encode */
int pmr_hello_decode(const void *buf, size_t len, struct pmr_hello *ret)
{
	const uint8_t *p = buf;
	struct pmr_hello h;
	size_t size;

	if (!ret || (!buf && len))
		return -EINVAL;
	if (len < PMR_HELLO_SIZE || pmr_get_le32(p) != PMR_PROTO_MAGIC)
		return -EBADMSG;
	memset(&h, 0, sizeof(h));
	h.version = pmr_get_le16(p + 4);
	h.min_version = pmr_get_le16(p + 6);
	h.flags = pmr_get_le32(p + 8);
	h.credits = pmr_get_le16(p + 12);
	size = PMR_HELLO_SIZE + nonce_size(h.version);
	if (len < size || h.flags || !h.credits || pmr_get_le16(p + 14) ||
	    !range_ok(h.min_version, h.version) ||
	    !zero_tail(p + size, len - size))
		return -EBADMSG;
	memcpy(h.nonce, p + PMR_HELLO_SIZE, size - PMR_HELLO_SIZE);
	*ret = h;
	return 0;
}

/* welcome_valid -- W is something a client could act on */
static bool welcome_valid(const struct pmr_welcome *w)
{
	return w->version >= 1 && w->credits >= 1 &&
	       w->max_msg >= PMR_MSG_MAX_FLOOR && w->max_msg <= PMR_MSG_MAX;
}

/*
 * pmr_welcome_encode -- magic le32, version le16, reserved le16,
 * credits le16, reserved le16, max_msg le32, then the nonce when version
 * >= 2.  Returns PMR_WELCOME_SIZE or PMR_WELCOME_SIZE_V2.
 */
int pmr_welcome_encode(const struct pmr_welcome *w, void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t nn;

	if (!w || (!buf && cap) || !welcome_valid(w))
		return -EINVAL;
	nn = nonce_size(w->version);
	if (cap < PMR_WELCOME_SIZE + nn)
		return -ENOSPC;
	pmr_put_le32(p, PMR_PROTO_MAGIC);
	pmr_put_le16(p + 4, w->version);
	pmr_put_le16(p + 6, 0);
	pmr_put_le16(p + 8, w->credits);
	pmr_put_le16(p + 10, 0);
	pmr_put_le32(p + 12, w->max_msg);
	memcpy(p + PMR_WELCOME_SIZE, w->nonce, nn);
	return (int)(PMR_WELCOME_SIZE + nn);
}

/* pmr_welcome_decode -- the inverse of pmr_welcome_encode */
int pmr_welcome_decode(const void *buf, size_t len, struct pmr_welcome *ret)
{
	const uint8_t *p = buf;
	struct pmr_welcome w;
	size_t size;

	if (!ret || (!buf && len))
		return -EINVAL;
	if (len < PMR_WELCOME_SIZE || pmr_get_le32(p) != PMR_PROTO_MAGIC)
		return -EBADMSG;
	memset(&w, 0, sizeof(w));
	w.version = pmr_get_le16(p + 4);
	w.credits = pmr_get_le16(p + 8);
	w.max_msg = pmr_get_le32(p + 12);
	size = PMR_WELCOME_SIZE + nonce_size(w.version);
	if (len < size || pmr_get_le16(p + 6) || pmr_get_le16(p + 10) ||
	    !welcome_valid(&w) || !zero_tail(p + size, len - size))
		return -EBADMSG;
	memcpy(w.nonce, p + PMR_WELCOME_SIZE, size - PMR_WELCOME_SIZE);
	*ret = w;
	return 0;
}

/*
 * pmr_reject_encode -- magic le32, reason le16, version le16,
 * min_version le16, reserved le16.  Returns PMR_REJECT_SIZE.  Any non-zero
 * reason is accepted (see pmr_reject_decode).
 */
int pmr_reject_encode(const struct pmr_reject *r, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!r || (!buf && cap) || !r->reason ||
	    !range_ok(r->min_version, r->version))
		return -EINVAL;
	if (cap < PMR_REJECT_SIZE)
		return -ENOSPC;
	pmr_put_le32(p, PMR_PROTO_MAGIC);
	pmr_put_le16(p + 4, r->reason);
	pmr_put_le16(p + 6, r->version);
	pmr_put_le16(p + 8, r->min_version);
	pmr_put_le16(p + 10, 0);
	return PMR_REJECT_SIZE;
}

/*
 * pmr_reject_decode -- the inverse of pmr_reject_encode.  Unlike the other
 * enums, reason is not range-checked: a reject is read before any version
 * is agreed, typically from a newer server, and "rejected, reason 7" is
 * more useful to the client than "malformed".  Only 0 (no reason) is
 * refused.
 */
int pmr_reject_decode(const void *buf, size_t len, struct pmr_reject *ret)
{
	const uint8_t *p = buf;
	struct pmr_reject r;

	if (!ret || (!buf && len))
		return -EINVAL;
	if (len < PMR_REJECT_SIZE || pmr_get_le32(p) != PMR_PROTO_MAGIC)
		return -EBADMSG;
	r.reason = pmr_get_le16(p + 4);
	r.version = pmr_get_le16(p + 6);
	r.min_version = pmr_get_le16(p + 8);
	if (!r.reason || pmr_get_le16(p + 10) ||
	    !range_ok(r.min_version, r.version) ||
	    !zero_tail(p + PMR_REJECT_SIZE, len - PMR_REJECT_SIZE))
		return -EBADMSG;
	*ret = r;
	return 0;
}

/* pmr_version_negotiate -- see pmr_proto.h; -EINVAL on an empty range */
int pmr_version_negotiate(uint16_t a_min, uint16_t a_max, uint16_t b_min,
			  uint16_t b_max)
{
	uint16_t lo = a_min > b_min ? a_min : b_min;
	uint16_t hi = a_max < b_max ? a_max : b_max;

	if (!range_ok(a_min, a_max) || !range_ok(b_min, b_max))
		return -EINVAL;
	if (lo > hi)
		return -EPROTONOSUPPORT;
	return hi;
}

/* pmr_reject_reason_str -- a short human description of REASON */
const char *pmr_reject_reason_str(uint16_t reason)
{
	switch (reason) {
	case PMR_REJECT_BAD_HELLO:
		return "bad or missing hello";
	case PMR_REJECT_VERSION:
		return "no common protocol version";
	case PMR_REJECT_TOO_MANY:
		return "server's client limit reached";
	case PMR_REJECT_MEMORY:
		return "server's client memory limit reached";
	case PMR_REJECT_SHUTDOWN:
		return "server is shutting down";
	case PMR_REJECT_DENIED:
		return "not authorized";
	case PMR_REJECT_INTERNAL:
		return "server could not set up the connection";
	case PMR_REJECT_PORT_DOWN:
		return "server's RDMA port is down";
	default:
		return "unknown reject reason";
	}
}
