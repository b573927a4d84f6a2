/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * msg.c -- control message header and the type/status -> body dispatch
 *
 * Which body a message carries is decided by the header alone:
 *  - request (PMR_MSG_RESP clear): status must be 0; the body is the
 *    request body of its type (LIST_REGIONS: pmr_list_req, OPEN:
 *    pmr_open_req, CLOSE: pmr_close_req, PERSIST: pmr_persist_req, PING:
 *    empty, ATOMIC_WRITE: pmr_atomic_write_req; FENCED, the server's
 *    unsolicited notice: pmr_fenced, req_id 0).
 *  - response with status PMR_ST_OK: the response body of its type
 *    (LIST_REGIONS: pmr_list_resp, OPEN: pmr_open_resp, CLOSE, PERSIST,
 *    PING and ATOMIC_WRITE: empty).
 *  - response with any other known status: a pmr_error_body, whatever the
 *    type.
 * So a response carrying a request body (or the reverse) is simply a body
 * of the wrong size or content, and fails as -EBADMSG like any other.
 * Decoding checks form, not direction: the receiver checks that
 * hdr.type & PMR_MSG_RESP is what it expects and that req_id matches.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "wire.h"

/* pmr_msg_type_known -- see pmr_proto.h */
bool pmr_msg_type_known(uint16_t type, uint16_t version)
{
	uint16_t base = type & (uint16_t)~PMR_MSG_RESP;

	if (base == PMR_MSG_ATOMIC_WRITE)
		return version >= PMR_PROTO_VERSION_ATOMICS;
	if (base == PMR_MSG_FENCED)
		return version >= PMR_PROTO_VERSION_FENCE;
	return base >= PMR_MSG_LIST_REGIONS && base <= PMR_MSG_PING;
}

/* status_known -- STATUS is a pmr_status VERSION defines (BUSY and
 * FENCED came with fencing) */
static bool status_known(uint16_t status, uint16_t version)
{
	if (version < PMR_PROTO_VERSION_FENCE)
		return status <= PMR_ST_DENIED;
	return status <= PMR_ST_FENCED;
}

#define MSG_EXTENT(member) \
	(offsetof(struct pmr_msg, u) + sizeof(((struct pmr_msg *)0)->u.member))

/*
 * msg_extent -- the bytes of a struct pmr_msg that a message of TYPE with
 * STATUS uses: the header and its body's member of the union; a response
 * of PMR_ST_OK also the error body (a handler may still turn it into an
 * error).  A PERSIST is 4 KiB of struct for 24 bytes of message: zeroing
 * and copying only this much keeps the hot path from moving kilobytes.
 */
static size_t msg_extent(uint16_t type, uint16_t status)
{
	size_t body;

	if ((type & PMR_MSG_RESP) && status != PMR_ST_OK)
		return MSG_EXTENT(error);
	switch (type & (uint16_t)~PMR_MSG_RESP) {
	case PMR_MSG_OPEN:
		body = type & PMR_MSG_RESP ? MSG_EXTENT(open_resp) :
					     MSG_EXTENT(open_req);
		break;
	case PMR_MSG_CLOSE:
		body = MSG_EXTENT(close_req);
		break;
	case PMR_MSG_PERSIST:
		body = MSG_EXTENT(persist_req);
		break;
	case PMR_MSG_PING:
		body = offsetof(struct pmr_msg, u);
		break;
	case PMR_MSG_ATOMIC_WRITE:
		body = MSG_EXTENT(atomic_write_req);
		break;
	case PMR_MSG_FENCED:
		body = MSG_EXTENT(fenced);
		break;
	default: /* LIST_REGIONS (its response is the big one), unknown */
		return sizeof(struct pmr_msg);
	}
	if ((type & PMR_MSG_RESP) && body < MSG_EXTENT(error))
		body = MSG_EXTENT(error);
	return body;
}

/* pmr_msg_init -- zero M's header and the body TYPE uses; set its type and
 * request id */
void pmr_msg_init(struct pmr_msg *m, uint16_t type, uint64_t req_id)
{
	memset(m, 0, msg_extent(type, PMR_ST_OK));
	m->hdr.type = type;
	m->hdr.req_id = req_id;
}

/*
 * body_put -- validate and append MSG's body to W (W->p NULL: measure
 * only).  An error response may carry a type this code does not know: that
 * is how a server answers PMR_ST_UNSUPPORTED to a request it could not
 * parse, echoing its type and req_id.
 */
static int body_put(struct pmr_wr *w, const struct pmr_msg *msg)
{
	uint16_t type = msg->hdr.type;
	uint16_t status = msg->hdr.status;

	if (type & PMR_MSG_RESP) {
		if (!status_known(status, w->version))
			return -EINVAL;
		if (status != PMR_ST_OK)
			return pmrp_error_put(w, &msg->u.error);
	} else if (status != PMR_ST_OK) {
		return -EINVAL;
	}
	if (!pmr_msg_type_known(type, w->version))
		return -EINVAL;

	switch (type) {
	case PMR_MSG_LIST_REGIONS:
		return pmrp_list_req_put(w, &msg->u.list_req);
	case PMR_MSG_LIST_REGIONS | PMR_MSG_RESP:
		return pmrp_list_resp_put(w, &msg->u.list_resp);
	case PMR_MSG_OPEN:
		return pmrp_open_req_put(w, &msg->u.open_req);
	case PMR_MSG_OPEN | PMR_MSG_RESP:
		return pmrp_open_resp_put(w, &msg->u.open_resp);
	case PMR_MSG_CLOSE:
		return pmrp_close_req_put(w, &msg->u.close_req);
	case PMR_MSG_PERSIST:
		return pmrp_persist_req_put(w, &msg->u.persist_req);
	case PMR_MSG_ATOMIC_WRITE:
		return pmrp_atomic_write_req_put(w, &msg->u.atomic_write_req);
	case PMR_MSG_FENCED:
		if (msg->hdr.req_id)
			return -EINVAL;
		return pmrp_fenced_put(w, &msg->u.fenced);
	case PMR_MSG_CLOSE | PMR_MSG_RESP:
	case PMR_MSG_PERSIST | PMR_MSG_RESP:
	case PMR_MSG_PING:
	case PMR_MSG_PING | PMR_MSG_RESP:
	case PMR_MSG_ATOMIC_WRITE | PMR_MSG_RESP:
		return 0;
	default:
		return -EINVAL;
	}
}

/* pmr_msg_encode_ver -- header + body into BUF; see pmr_proto.h */
int pmr_msg_encode_ver(const struct pmr_msg *msg, uint16_t version, void *buf,
		       size_t cap)
{
	struct pmr_wr w = { .p = NULL,
			    .off = PMR_MSG_HDR_SIZE,
			    .version = version };
	uint8_t *p = buf;
	int err;

	if (!msg || (!buf && cap))
		return -EINVAL;
	err = body_put(&w, msg);
	if (err)
		return err;
	if (w.off > PMR_MSG_MAX)
		return -EINVAL;
	if (w.off > cap)
		return -ENOSPC;

	pmr_put_le16(p, msg->hdr.type);
	pmr_put_le16(p + 2, msg->hdr.status);
	pmr_put_le32(p + 4, (uint32_t)w.off);
	pmr_put_le64(p + 8, msg->hdr.req_id);
	w.p = p;
	w.off = PMR_MSG_HDR_SIZE;
	err = body_put(&w, msg);
	if (err) /* cannot happen: the measuring pass took the same path */
		return err;
	return (int)w.off;
}

/* pmr_msg_encode -- the layout of versions 1 and 2; see pmr_proto.h */
int pmr_msg_encode(const struct pmr_msg *msg, void *buf, size_t cap)
{
	return pmr_msg_encode_ver(msg, PMR_PROTO_VERSION_AUTH, buf, cap);
}

/* body_get -- read the body MSG's header implies from R into MSG */
static int body_get(struct pmr_rd *r, struct pmr_msg *msg)
{
	uint16_t type = msg->hdr.type;
	uint16_t status = msg->hdr.status;

	if (type & PMR_MSG_RESP) {
		if (!status_known(status, r->version))
			return -EBADMSG;
		if (status != PMR_ST_OK)
			return pmrp_error_get(r, &msg->u.error);
	} else if (status != PMR_ST_OK) {
		return -EBADMSG;
	}

	switch (type) {
	case PMR_MSG_LIST_REGIONS:
		return pmrp_list_req_get(r, &msg->u.list_req);
	case PMR_MSG_LIST_REGIONS | PMR_MSG_RESP:
		return pmrp_list_resp_get(r, &msg->u.list_resp);
	case PMR_MSG_OPEN:
		return pmrp_open_req_get(r, &msg->u.open_req);
	case PMR_MSG_OPEN | PMR_MSG_RESP:
		return pmrp_open_resp_get(r, &msg->u.open_resp);
	case PMR_MSG_CLOSE:
		return pmrp_close_req_get(r, &msg->u.close_req);
	case PMR_MSG_PERSIST:
		return pmrp_persist_req_get(r, &msg->u.persist_req);
	case PMR_MSG_ATOMIC_WRITE:
		return pmrp_atomic_write_req_get(r, &msg->u.atomic_write_req);
	case PMR_MSG_FENCED:
		if (msg->hdr.req_id)
			return -EBADMSG;
		return pmrp_fenced_get(r, &msg->u.fenced);
	case PMR_MSG_FENCED | PMR_MSG_RESP: /* only an error answers one */
		return -EBADMSG;
	case PMR_MSG_CLOSE | PMR_MSG_RESP:
	case PMR_MSG_PERSIST | PMR_MSG_RESP:
	case PMR_MSG_PING:
	case PMR_MSG_PING | PMR_MSG_RESP:
	case PMR_MSG_ATOMIC_WRITE | PMR_MSG_RESP:
		return 0;
	default: /* pmr_msg_type_known() passed a type this switch lacks */
		return -EPROTO;
	}
}

/* hdr_get -- the 16 header bytes at P, no judgement */
static void hdr_get(const uint8_t *p, struct pmr_msg_hdr *hdr)
{
	hdr->type = pmr_get_le16(p);
	hdr->status = pmr_get_le16(p + 2);
	hdr->length = pmr_get_le32(p + 4);
	hdr->req_id = pmr_get_le64(p + 8);
}

/* pmr_msg_hdr_decode -- just the header, for answering bad messages */
int pmr_msg_hdr_decode(const void *buf, size_t len, struct pmr_msg_hdr *ret)
{
	if (!ret || (!buf && len))
		return -EINVAL;
	if (len < PMR_MSG_HDR_SIZE)
		return -EBADMSG;
	hdr_get(buf, ret);
	return 0;
}

/*
 * pmr_msg_decode_ver -- parse LEN bytes into *RET; see pmr_proto.h.
 * Decodes into a local, zeroed as far as the message's type and status
 * use it (msg_extent), so *RET is untouched on failure (except ret->hdr on
 * -EPROTO, by contract) and the used body's unused bytes are zero.
 */
int pmr_msg_decode_ver(const void *buf, size_t len, uint16_t version,
		       struct pmr_msg *ret)
{
	struct pmr_msg m;
	struct pmr_rd r;
	size_t extent;
	int err;

	if (!ret || (!buf && len))
		return -EINVAL;
	if (len < PMR_MSG_HDR_SIZE || len > PMR_MSG_MAX)
		return -EBADMSG;

	hdr_get(buf, &m.hdr);
	if (m.hdr.length != len)
		return -EBADMSG;
	if (!pmr_msg_type_known(m.hdr.type, version)) {
		ret->hdr = m.hdr;
		return -EPROTO;
	}
	extent = msg_extent(m.hdr.type, m.hdr.status);
	memset(&m.u, 0, extent - offsetof(struct pmr_msg, u));

	pmr_rd_init(&r, (const uint8_t *)buf + PMR_MSG_HDR_SIZE,
		    len - PMR_MSG_HDR_SIZE);
	r.version = version;
	err = body_get(&r, &m);
	if (err)
		return err;
	if (!pmr_rd_done(&r))
		return -EBADMSG;
	memcpy(ret, &m, extent);
	return 0;
}

/* pmr_msg_decode -- the layout of versions 1 and 2; see pmr_proto.h */
int pmr_msg_decode(const void *buf, size_t len, struct pmr_msg *ret)
{
	return pmr_msg_decode_ver(buf, len, PMR_PROTO_VERSION_AUTH, ret);
}
