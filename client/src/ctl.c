/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.c -- control messages: a request goes out as a SEND from its slot's
 * request buffer, its response comes back into one of the receive buffers
 * and finishes the op whose request id it carries; a request needs a
 * credit (a receive buffer the server may fill)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ctl.h"
#include "log_cb.h"
#include "op.h"
#include "qp.h"

/* req_buf -- the control request buffer of SLOT */
static uint8_t *req_buf(struct pmr_conn *conn, uint32_t slot)
{
	return conn->ctl + (size_t)conn->nrecv * PMR_MSG_MAX +
	       (size_t)slot * PMR_REQ_BUF;
}

/* pmr_ctl_recv_post -- (re)post receive buffer SLOT */
int pmr_ctl_recv_post(struct pmr_conn *conn, uint32_t slot)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(conn->ctl + (size_t)slot * PMR_MSG_MAX),
		.length = PMR_MSG_MAX,
		.lkey = conn->ctl_mr->lkey,
	};
	struct ibv_recv_wr wr = {
		.wr_id = pmr_wrid(PMR_WRID_RECV, slot, 0),
		.sg_list = &sge,
		.num_sge = 1,
	};
	struct ibv_recv_wr *bad;

	return -ibv_post_recv(conn->qp, &wr, &bad);
}

/*
 * fenced -- the server's FENCED notice F: another client took the region
 * of handle F->handle over, its key is dead; every later call on that
 * region fails with PMR_E_FENCED (pmr_io_check), closing it still works
 */
static void fenced(struct pmr_conn *conn, const struct pmr_fenced *f)
{
	struct pmr_region *r;

	for (r = conn->regions; r; r = r->next) {
		if (r->handle != f->handle || r->orphan)
			continue;
		r->fenced = true;
		snprintf(conn->errtext, sizeof(conn->errtext),
			 "region taken over (generation %llu)",
			 (unsigned long long)f->generation);
		pmr_warn(
			"handle %#x fenced: region taken over (generation %llu)",
			f->handle, (unsigned long long)f->generation);
		return;
	}
	pmr_info("FENCED notice for unknown handle %#x ignored", f->handle);
}

/* pmr_ctl_recv -- a control response arrived in receive buffer SLOT */
void pmr_ctl_recv(struct pmr_conn *conn, uint32_t slot, const struct ibv_wc *wc)
{
	struct pmr_msg m;
	struct pmr_opctx *op;
	const uint8_t *buf;
	uint32_t idx;
	bool bad;
	int rc;

	if (wc->status != IBV_WC_SUCCESS) {
		if (wc->status != IBV_WC_WR_FLUSH_ERR)
			pmr_err("receive failed: %s",
				ibv_wc_status_str(wc->status));
		pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
		return;
	}
	if (slot >= conn->nrecv) {
		pmr_conn_set_lost(conn, PMR_E_UNKNOWN);
		return;
	}
	buf = conn->ctl + (size_t)slot * PMR_MSG_MAX;
	if (wc->byte_len > conn->max_msg) {
		pmr_err("%u-byte message from the server, max_msg is %u",
			wc->byte_len, conn->max_msg);
		pmr_conn_set_lost(conn, PMR_E_PROTOCOL);
		return;
	}
	rc = pmr_msg_decode_ver(buf, wc->byte_len, conn->version, &m);
	if (rc < 0 && rc != -EPROTO &&
	    pmr_msg_hdr_decode(buf, wc->byte_len, &m.hdr)) {
		pmr_err("undecodable message from the server (%u bytes)",
			wc->byte_len);
		pmr_conn_set_lost(conn, PMR_E_PROTOCOL);
		return;
	}
	/* the header is valid: the request it answers learns the error */
	bad = rc < 0;
	if (pmr_ctl_recv_post(conn, slot)) {
		pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
		return;
	}
	if (m.hdr.type == PMR_MSG_FENCED && !bad) {
		fenced(conn, &m.u.fenced);
		return; /* a notice, not a response: no credit comes back */
	}
	if (conn->ctl_inflight)
		conn->ctl_inflight--;

	idx = (uint32_t)(m.hdr.req_id & 0xffff);
	op = idx < conn->nops ? &conn->ops[idx] : NULL;
	if (!op || op->busy != 1 || !op->await_resp ||
	    op->req_id != m.hdr.req_id) {
		pmr_warn("response to unknown request id %llu ignored",
			 (unsigned long long)m.hdr.req_id);
		return;
	}
	op->await_resp = 0;
	if (bad || m.hdr.type != op->resp_type) {
		pmr_err("malformed response (type 0x%x) from the server",
			m.hdr.type);
		if (!op->status)
			op->status = PMR_E_PROTOCOL;
	} else if (m.hdr.status != PMR_ST_OK) {
		memcpy(conn->errtext, m.u.error.text, sizeof(conn->errtext));
		conn->errtext[sizeof(conn->errtext) - 1] = '\0';
		pmr_info("server: %s: %s", pmr_status_str(m.hdr.status),
			 conn->errtext);
		if (!op->status)
			op->status = pmr_status_to_err(m.hdr.status);
	} else if (op->resp) {
		*op->resp = m;
	}
	pmr_op_maybe_done(conn, idx);
}

/*
 * pmr_ctl_post -- send control request REQ for the op in SLOT (a credit and
 * a send queue entry, two with BEFORE, must be available); its response
 * completes the op.  BEFORE (or NULL): an unsignaled work request posted
 * in the same call just ahead of the SEND (one doorbell); the SEND's
 * completion frees both entries.  Behind a CAS or fetch-add the SEND is
 * fenced: pmrd must act (persist) only on what the atomic already did,
 * and a fence is the verbs' one promise that it has.
 */
int pmr_ctl_post(struct pmr_conn *conn, uint32_t slot, struct pmr_msg *req,
		 const struct pmr_swr *before)
{
	struct pmr_opctx *op = &conn->ops[slot];
	struct pmr_swr ws[2] = { 0 };
	unsigned int n = before ? 1 : 0;
	struct pmr_swr *w = &ws[n];
	uint8_t *buf = req_buf(conn, slot);
	int len, rc;

	req->hdr.req_id = ++conn->req_seq << 16 | slot;
	len = pmr_msg_encode_ver(req, conn->version, buf,
				 PMR_REQ_BUF < conn->max_msg ? PMR_REQ_BUF :
							       conn->max_msg);
	if (len < 0)
		return len;
	if (before)
		ws[0] = *before;
	w->wr_id = pmr_wrid(PMR_WRID_SIGNALED, slot, n + 1);
	w->op = PMR_SWR_SEND;
	w->laddr = (uintptr_t)buf;
	w->len = (uint32_t)len;
	w->lkey = conn->ctl_mr->lkey;
	w->signaled = 1;
	w->inl = (uint32_t)len <= conn->max_inline;
	w->fence = before && (before->op == PMR_SWR_CAS ||
			      before->op == PMR_SWR_FETCH_ADD);
	rc = pmr_post(conn, ws, n + 1);
	if (rc)
		return rc;
	op->req_id = req->hdr.req_id;
	op->resp_type = req->hdr.type | PMR_MSG_RESP;
	op->await_resp = 1;
	op->pending++;
	conn->ctl_inflight++;
	return 0;
}
