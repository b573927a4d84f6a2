/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c -- connection set-up and tear-down, the completion engine
 * (poll, spin-then-sleep waits, lost-connection handling) and control
 * request/response exchange
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "log_cb.h"

#define CQ_BATCH     16
#define CQ_ACK_BATCH 16
/* empty polls between clock reads while spinning: clock_gettime can be a
 * real syscall (TSC unusable, e.g. under emulation: HPET), and even through
 * the vDSO it is not free (0.13-0.16 us in the VM); the spin budget needs
 * no finer grain than this */
#define SPIN_CLOCK_EVERY 256
/* pmr_conn_poll calls that skip the fd check while armed and quiet */
#define QUIET_POLLS 16

/* now_ns -- monotonic clock (vDSO: no syscall) */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* set_nonblock -- O_NONBLOCK on FD */
static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* req_buf -- the control request buffer of SLOT */
static uint8_t *req_buf(struct pmr_conn *conn, uint32_t slot)
{
	return conn->ctl + (size_t)conn->nrecv * PMR_MSG_MAX +
	       (size_t)slot * PMR_REQ_BUF;
}

/* recv_post -- (re)post receive buffer SLOT */
static int recv_post(struct pmr_conn *conn, uint32_t slot)
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

/* pmr_conn_usable -- 0, or why CONN cannot take new work */
int pmr_conn_usable(struct pmr_conn *conn)
{
	return conn->lost;
}

/* pmr_conn_set_lost -- mark CONN unusable; the QP goes to error so every
 * posted work request completes (flushed) instead of hanging */
void pmr_conn_set_lost(struct pmr_conn *conn, int why)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };

	if (conn->lost)
		return;
	conn->lost = why;
	pmr_err("connection lost: %s", pmr_strerror(why));
	if (conn->qp)
		ibv_modify_qp(conn->qp, &attr, IBV_QP_STATE);
}

/* pmr_op_queue -- async SLOT was posted: its completion is delivered after
 * those of every async op posted before it (libpmr.h: posting order) */
void pmr_op_queue(struct pmr_conn *conn, uint32_t slot)
{
	uint32_t i = (conn->ring_head + conn->ring_count) % conn->ring_cap;

	conn->ring[i] = slot;
	conn->ring_count++;
}

/* pmr_op_maybe_done -- an async op with nothing outstanding is finished;
 * pmr_conn_poll delivers it once the ops posted before it are delivered */
void pmr_op_maybe_done(struct pmr_conn *conn, uint32_t slot)
{
	struct pmr_opctx *op = &conn->ops[slot];

	if (op->busy != 1 || op->pending || op->await_resp || !op->async)
		return;
	op->busy = 2;
}

/* fail_all -- after a loss, finish every op still waiting: the device may
 * never report its flushed work requests (device removal) */
static void fail_all(struct pmr_conn *conn)
{
	uint32_t i;

	for (i = 0; i < conn->nops; i++) {
		struct pmr_opctx *op = &conn->ops[i];

		if (op->busy != 1)
			continue;
		if (!op->status)
			op->status = PMR_E_CONN_LOST;
		op->pending = 0;
		op->await_resp = 0;
		pmr_op_maybe_done(conn, i);
	}
	conn->ctl_inflight = 0;
	conn->sq_used = 0;
}

/* process_recv -- a control response arrived in receive buffer SLOT */
static void process_recv(struct pmr_conn *conn, uint32_t slot,
			 const struct ibv_wc *wc)
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
	rc = pmr_msg_decode(buf, wc->byte_len, &m);
	if (rc < 0 && rc != -EPROTO &&
	    pmr_msg_hdr_decode(buf, wc->byte_len, &m.hdr)) {
		pmr_err("undecodable message from the server (%u bytes)",
			wc->byte_len);
		pmr_conn_set_lost(conn, PMR_E_PROTOCOL);
		return;
	}
	/* the header is valid: the request it answers learns the error */
	bad = rc < 0;
	if (recv_post(conn, slot)) {
		pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
		return;
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

/* process_wc -- account one work completion */
static void process_wc(struct pmr_conn *conn, const struct ibv_wc *wc)
{
	unsigned int kind = wc->wr_id & 0xff;
	uint32_t slot = (uint32_t)(wc->wr_id >> 8) & 0xffffff;
	uint32_t covers = (uint32_t)(wc->wr_id >> 32);
	struct pmr_opctx *op;
	int err;

	if (kind == PMR_WRID_RECV) {
		process_recv(conn, slot, wc);
		return;
	}
	if (slot >= conn->nops)
		return;
	op = &conn->ops[slot];
	conn->sq_used -= covers < conn->sq_used ? covers : conn->sq_used;
	if (wc->status != IBV_WC_SUCCESS) {
		err = pmr_wc_status_to_err(wc->status);
		if (wc->status != IBV_WC_WR_FLUSH_ERR && !conn->lost) {
			pmr_err("work request failed: %s (vendor error 0x%x)",
				ibv_wc_status_str(wc->status), wc->vendor_err);
			snprintf(conn->errtext, sizeof(conn->errtext),
				 "work request failed: %s",
				 ibv_wc_status_str(wc->status));
		}
		if (op->busy == 1 && !op->status)
			op->status = err;
		/* an RC QP in error is final: the connection is gone */
		pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
	}
	if (kind == PMR_WRID_SIGNALED && op->busy == 1 && op->pending) {
		op->pending--;
		pmr_op_maybe_done(conn, slot);
	}
}

/* poll_cq -- process what the CQ holds; returns how many, or 0 */
static int poll_cq(struct pmr_conn *conn)
{
	struct ibv_wc wc[CQ_BATCH];
	int n, i;

	n = ibv_poll_cq(conn->cq, CQ_BATCH, wc);
	if (n < 0) {
		pmr_conn_set_lost(conn, PMR_E_UNKNOWN);
		return 0;
	}
	if (n > 0 && conn->armed)
		conn->maybe_event = true;
	for (i = 0; i < n; i++)
		process_wc(conn, &wc[i]);
	return n;
}

/* drain_events -- read the completion channel and rdmacm events of the N
 * epoll events in EVS (both fds are non-blocking; only the readable ones
 * are read): a channel event disarms the CQ, a disconnect loses the
 * connection */
static void drain_events(struct pmr_conn *conn, const struct epoll_event *evs,
			 int n)
{
	struct rdma_cm_event *ev;
	bool cc = false, cm = false;
	struct ibv_cq *cq;
	void *ctx;
	int i;

	for (i = 0; i < n; i++) {
		cc |= evs[i].data.fd == conn->cc->fd;
		cm |= evs[i].data.fd == conn->ec->fd;
	}
	/* one event per arm: a second read would only say EAGAIN */
	if (cc && ibv_get_cq_event(conn->cc, &cq, &ctx) == 0) {
		conn->armed = false;
		conn->maybe_event = false;
		if (++conn->cq_events >= CQ_ACK_BATCH) {
			ibv_ack_cq_events(conn->cq, conn->cq_events);
			conn->cq_events = 0;
		}
	}
	while (cm && rdma_get_cm_event(conn->ec, &ev) == 0) {
		pmr_dbg("rdmacm event %s", rdma_event_str(ev->event));
		switch (ev->event) {
		case RDMA_CM_EVENT_DISCONNECTED:
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
		case RDMA_CM_EVENT_ADDR_CHANGE:
			pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
			break;
		default:
			break;
		}
		rdma_ack_cm_event(ev);
	}
}

/* arm -- ask for a channel event on the next completion */
static void arm(struct pmr_conn *conn)
{
	if (conn->armed)
		return;
	if (ibv_req_notify_cq(conn->cq, 0)) {
		pmr_conn_set_lost(conn, PMR_E_UNKNOWN);
		return;
	}
	conn->armed = true;
}

typedef bool wait_done_fn(struct pmr_conn *conn, void *arg);

/*
 * conn_wait -- progress CONN until DONE says so.  Busy-polls for spin_us,
 * then arms the CQ and sleeps in epoll on the channel and rdmacm fds.
 * -ETIMEDOUT (and the connection is lost) after timeout_ms without any
 * completion; the connection's loss reason when DONE can no longer happen.
 * The clock is read once per SPIN_CLOCK_EVERY empty polls, not per poll,
 * and not on entry (the spin budget and the timeout start at the first
 * read): where it is a syscall (HPET under emulation) a read per poll
 * delayed noticing the completion by one clock read and loaded the
 * machine, and a sync read or write that completes within the first polls
 * reads no clock at all.
 */
static int conn_wait(struct pmr_conn *conn, wait_done_fn *done, void *arg)
{
	uint64_t t, spin_end = 0, deadline = 0;
	bool spinning = conn->cfg.spin_us != 0;
	struct epoll_event evs[2];
	unsigned int empty = 0;
	int n;

	for (;;) {
		if (done(conn, arg))
			return 0;
		n = poll_cq(conn);
		if (n > 0) {
			/* progress: the no-progress timeout starts again
			 * (from the next clock read) */
			deadline = 0;
			continue;
		}
		if (conn->lost) {
			fail_all(conn);
			return done(conn, arg) ? 0 : conn->lost;
		}
		if (spinning && ++empty % SPIN_CLOCK_EVERY)
			continue;
		t = now_ns();
		if (!deadline)
			deadline = t + (uint64_t)conn->cfg.timeout_ms * 1000000;
		if (!spin_end)
			spin_end = t + (uint64_t)conn->cfg.spin_us * 1000;
		if (t < spin_end)
			continue;
		spinning = false; /* spun out: every round reads the clock */
		if (t >= deadline) {
			pmr_err("no completion within %u ms",
				conn->cfg.timeout_ms);
			pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
			fail_all(conn);
			return -ETIMEDOUT;
		}
		if (!conn->armed) {
			/* arm, then poll again: a completion that arrived
			 * before the arm raises no event */
			arm(conn);
			continue;
		}
		n = epoll_wait(conn->epfd, evs, 2,
			       (int)((deadline - t) / 1000000 + 1));
		if (n < 0 && errno != EINTR) {
			pmr_conn_set_lost(conn, -errno);
			continue;
		}
		if (n > 0)
			drain_events(conn, evs, n);
	}
}

/* op_done -- wait predicate: the op in ARG has nothing outstanding */
static bool op_done(struct pmr_conn *conn, void *arg)
{
	const struct pmr_opctx *op = arg;

	return op->busy != 1 || (!op->pending && !op->await_resp);
}

/* pmr_wait_op -- wait for sync OP; returns its status and frees it */
int pmr_wait_op(struct pmr_conn *conn, struct pmr_opctx *op)
{
	int rc;

	if (op->busy != 1)
		return 0;
	rc = conn_wait(conn, op_done, op);
	op->busy = 0;
	if (rc == -ETIMEDOUT || !op->status)
		return rc;
	return op->status;
}

/* sq_room -- wait predicate: ARG send queue entries free */
static bool sq_room(struct pmr_conn *conn, void *arg)
{
	uint32_t need = *(uint32_t *)arg;

	return !conn->lost && conn->sq_depth - conn->sq_used >= need;
}

/* pmr_wait_sq -- wait until NEED send queue entries are free */
int pmr_wait_sq(struct pmr_conn *conn, uint32_t need)
{
	if (conn->lost)
		return conn->lost;
	return conn_wait(conn, sq_room, &need);
}

/* credit_free -- wait predicate: a control request may be sent */
static bool credit_free(struct pmr_conn *conn, void *arg)
{
	return !conn->lost && conn->ctl_inflight < conn->credits &&
	       conn->sq_used < conn->sq_depth;
}

/* pmr_wait_credit -- wait until a control request may be sent */
int pmr_wait_credit(struct pmr_conn *conn)
{
	if (conn->lost)
		return conn->lost;
	return conn_wait(conn, credit_free, NULL);
}

/* pmr_raw_sink -- where RAW persist reads land (contents unused) */
uint8_t *pmr_raw_sink(struct pmr_conn *conn)
{
	return conn->ctl + conn->ctl_size - 64;
}

/* idle -- wait predicate: no operation outstanding */
static bool idle(struct pmr_conn *conn, void *arg)
{
	uint32_t i;

	for (i = 0; i < conn->nops; i++)
		if (conn->ops[i].busy == 1)
			return false;
	return true;
}

/* pmr_wait_idle -- wait until every posted operation finished (async ones
 * stay queued for pmr_conn_poll) */
int pmr_wait_idle(struct pmr_conn *conn)
{
	return conn_wait(conn, idle, NULL);
}

/* pmr_op_start -- reset OP for a new operation */
void pmr_op_start(struct pmr_opctx *op)
{
	op->status = 0;
	op->pending = 0;
	op->await_resp = 0;
	op->resp = NULL;
	op->async = 0;
	op->busy = 1;
}

/* pmr_op_alloc_async -- a free async slot, or -EAGAIN */
int pmr_op_alloc_async(struct pmr_conn *conn, uint32_t *ret)
{
	uint32_t slot = conn->free_head;

	if (slot == UINT32_MAX)
		return -EAGAIN;
	conn->free_head = conn->ops[slot].next_free;
	pmr_op_start(&conn->ops[slot]);
	conn->ops[slot].async = 1;
	*ret = slot;
	return 0;
}

/* pmr_op_free_async -- return SLOT to the free list */
void pmr_op_free_async(struct pmr_conn *conn, uint32_t slot)
{
	conn->ops[slot].busy = 0;
	conn->ops[slot].next_free = conn->free_head;
	conn->free_head = slot;
}

/*
 * pmr_ctl_post -- send control request REQ for the op in SLOT (a credit and
 * a send queue entry, two with BEFORE, must be available); its response
 * completes the op.  BEFORE (or NULL): an unsignaled work request posted
 * in the same call just ahead of the SEND (one doorbell); the SEND's
 * completion frees both entries.
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
	len = pmr_msg_encode(req, buf,
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

/* pmr_ctl_call -- send REQ and wait for its response (into RESP) */
int pmr_ctl_call(struct pmr_conn *conn, struct pmr_msg *req,
		 struct pmr_msg *resp)
{
	struct pmr_opctx *op = &conn->ops[PMR_SYNC_OP];
	int rc;

	if (conn->lost)
		return conn->lost;
	rc = conn_wait(conn, credit_free, NULL);
	if (rc)
		return rc;
	conn->errtext[0] = '\0';
	pmr_op_start(op);
	op->resp = resp;
	rc = pmr_ctl_post(conn, PMR_SYNC_OP, req, NULL);
	if (rc) {
		op->busy = 0;
		return rc;
	}
	return pmr_wait_op(conn, op);
}

/* ---- connecting ---------------------------------------------------- */

/* cm_wait -- the next rdmacm event within TIMEOUT_MS, or -ETIMEDOUT */
static int cm_wait(struct rdma_event_channel *ec, unsigned int timeout_ms,
		   struct rdma_cm_event **ret)
{
	struct pollfd pfd = { .fd = ec->fd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (rdma_get_cm_event(ec, ret))
		return -errno;
	return 0;
}

/* cm_expect -- wait for event WANT; others become errors */
static int cm_expect(struct pmr_conn *conn, enum rdma_cm_event_type want)
{
	struct rdma_cm_event *ev;
	int rc;

	rc = cm_wait(conn->ec, conn->cfg.timeout_ms, &ev);
	if (rc)
		return rc;
	if (ev->event == want) {
		rdma_ack_cm_event(ev);
		return 0;
	}
	pmr_err("expected %s, got %s (status %d)", rdma_event_str(want),
		rdma_event_str(ev->event), ev->status);
	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
		rc = -EHOSTUNREACH;
		break;
	default:
		rc = ev->status < 0 ? ev->status : -ECONNREFUSED;
		break;
	}
	rdma_ack_cm_event(ev);
	return rc;
}

/* resolve -- resolve HOST:PORT's address and route on CONN's id */
static int resolve(struct pmr_conn *conn, const char *host, const char *port)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP };
	struct rdma_addrinfo *res;
	int rc;

	rc = rdma_getaddrinfo(host, port, &hints, &res);
	if (rc) {
		pmr_err("cannot resolve %s:%s", host, port);
		return -EHOSTUNREACH;
	}
	rc = rdma_resolve_addr(conn->id, NULL, res->ai_dst_addr,
			       (int)conn->cfg.timeout_ms);
	rdma_freeaddrinfo(res);
	if (rc)
		return -errno;
	rc = cm_expect(conn, RDMA_CM_EVENT_ADDR_RESOLVED);
	if (rc)
		return rc;
	if (rdma_resolve_route(conn->id, (int)conn->cfg.timeout_ms))
		return -errno;
	return cm_expect(conn, RDMA_CM_EVENT_ROUTE_RESOLVED);
}

/* create_qp -- an RC QP: extended (ibv_wr_*, with FLUSH where the device
 * and rdma-core have it), else classic */
static int create_qp(struct pmr_conn *conn)
{
	uint64_t ops = IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_RDMA_READ |
		       IBV_QP_EX_WITH_SEND;
	struct ibv_qp_init_attr_ex a;
	int attempt;

#ifdef PMRD_HAVE_IBV_FLUSH
	struct ibv_device_attr_ex dev = { 0 };

	/* bit 39: the kernel's IB_DEVICE_FLUSH_PERSISTENT (rdma-core has
	 * no name for it; tests/vm/probe/pmr_probe.c checks it on each
	 * platform); the QP flag alone is not a promise the device
	 * executes FLUSH */
	if (!ibv_query_device_ex(conn->id->verbs, NULL, &dev) &&
	    (dev.device_cap_flags_ex & (1ULL << 39)))
		ops |= IBV_QP_EX_WITH_FLUSH;
#endif
	for (attempt = 0; attempt < 3; attempt++) {
		memset(&a, 0, sizeof(a));
		a.qp_type = IBV_QPT_RC;
		a.send_cq = conn->cq;
		a.recv_cq = conn->cq;
		a.cap.max_send_wr = conn->sq_depth;
		a.cap.max_recv_wr = conn->nrecv;
		a.cap.max_send_sge = 1;
		a.cap.max_recv_sge = 1;
		a.cap.max_inline_data = 64;
		a.sq_sig_all = 0;
		a.pd = conn->pd;
		a.comp_mask = IBV_QP_INIT_ATTR_PD;
		if (attempt < 2) {
			a.comp_mask |= IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
			a.send_ops_flags = ops;
		}
		if (attempt == 2)
			a.cap.max_inline_data = 0;
		if (rdma_create_qp_ex(conn->id, &a) == 0)
			break;
		pmr_dbg("create QP (attempt %d, ops 0x%llx): %s", attempt,
			(unsigned long long)ops, strerror(errno));
#ifdef PMRD_HAVE_IBV_FLUSH
		ops &= ~(uint64_t)IBV_QP_EX_WITH_FLUSH;
#endif
	}
	if (attempt == 3)
		return -errno;
	conn->qp = conn->id->qp;
	conn->max_inline = a.cap.max_inline_data;
	conn->local_methods = PMR_METHOD_SERVER | PMR_METHOD_RAW;
	if (attempt < 2) {
		conn->qpx = ibv_qp_to_qp_ex(conn->qp);
#ifdef PMRD_HAVE_IBV_FLUSH
		if (conn->qpx && (ops & IBV_QP_EX_WITH_FLUSH))
			conn->local_methods |= PMR_METHOD_FLUSH;
#endif
	}
	pmr_dbg("QP %u: %s post API, inline %u, methods 0x%x", conn->qp->qp_num,
		conn->qpx ? "extended" : "classic", conn->max_inline,
		conn->local_methods);
	return 0;
}

/* alloc_buffers -- control and bounce buffers, op slots, completion ring */
static int alloc_buffers(struct pmr_conn *conn)
{
	uint32_t i;

	conn->nops = PMR_FIRST_ASYNC + conn->sq_depth;
	conn->ops = calloc(conn->nops, sizeof(*conn->ops));
	conn->ring_cap = conn->sq_depth;
	conn->ring = calloc(conn->ring_cap, sizeof(*conn->ring));
	if (!conn->ops || !conn->ring)
		return -ENOMEM;
	conn->free_head = UINT32_MAX;
	for (i = conn->nops; i-- > PMR_FIRST_ASYNC;)
		pmr_op_free_async(conn, i);

	conn->ctl_size = (size_t)conn->nrecv * PMR_MSG_MAX +
			 (size_t)conn->nops * PMR_REQ_BUF + 64;
	if (posix_memalign((void **)&conn->ctl, 4096, conn->ctl_size))
		return -ENOMEM;
	memset(conn->ctl, 0, conn->ctl_size);
	conn->ctl_mr = ibv_reg_mr(conn->pd, conn->ctl, conn->ctl_size,
				  IBV_ACCESS_LOCAL_WRITE);
	if (!conn->ctl_mr)
		return -errno;

	conn->slot_size = conn->cfg.bounce_size / PMR_BOUNCE_SLOTS;
	if (posix_memalign((void **)&conn->bounce, 4096,
			   conn->slot_size * PMR_BOUNCE_SLOTS))
		return -ENOMEM;
	conn->bounce_mr = ibv_reg_mr(conn->pd, conn->bounce,
				     conn->slot_size * PMR_BOUNCE_SLOTS,
				     IBV_ACCESS_LOCAL_WRITE);
	if (!conn->bounce_mr)
		return -errno;
	return 0;
}

/* free_buffers -- undo alloc_buffers (partial allocations too) */
static void free_buffers(struct pmr_conn *conn)
{
	if (conn->bounce_mr)
		ibv_dereg_mr(conn->bounce_mr);
	free(conn->bounce);
	if (conn->ctl_mr)
		ibv_dereg_mr(conn->ctl_mr);
	free(conn->ctl);
	free(conn->ring);
	free(conn->ops);
}

/* rejected -- turn a REJECTED event into an error code */
static int rejected(const struct rdma_cm_event *ev)
{
	struct pmr_reject rej;

	/* 28: IB_CM_REJ_CONSUMER_DEFINED, i.e. the server said no */
	if (ev->status != 28) {
		pmr_err("connection refused (rdmacm status %d): no pmrd "
			"listening there?",
			ev->status);
		return -ECONNREFUSED;
	}
	if (pmr_reject_decode(ev->param.conn.private_data,
			      ev->param.conn.private_data_len, &rej)) {
		pmr_err("connection rejected without a pmrd reason");
		return PMR_E_REJECTED;
	}
	pmr_err("connection rejected: %s (server speaks versions %u..%u, "
		"we speak %u..%u)",
		pmr_reject_reason_str(rej.reason), rej.min_version, rej.version,
		PMR_PROTO_VERSION_MIN, PMR_PROTO_VERSION);
	return pmr_reject_to_err(rej.reason);
}

/* connect_server -- send the hello, read the welcome */
static int connect_server(struct pmr_conn *conn)
{
	struct pmr_hello hello = {
		.version = PMR_PROTO_VERSION,
		.min_version = PMR_PROTO_VERSION_MIN,
		.credits = (uint16_t)conn->nrecv,
	};
	uint8_t pdata[PMR_HELLO_SIZE_V2];
	struct rdma_conn_param param = { 0 };
	struct ibv_device_attr dev;
	struct rdma_cm_event *ev;
	struct pmr_welcome w;
	int rc;

	/* our challenge: the server's PSK proofs must cover it */
	if (pmr_nonce_new(conn->cnonce))
		return PMR_E_UNKNOWN;
	memcpy(hello.nonce, conn->cnonce, sizeof(hello.nonce));
	rc = pmr_hello_encode(&hello, pdata, sizeof(pdata));
	if (rc < 0)
		return rc;
	if (ibv_query_device(conn->id->verbs, &dev))
		return -errno;
	param.private_data = pdata;
	param.private_data_len = (uint8_t)rc;
	param.initiator_depth = (uint8_t)(dev.max_qp_init_rd_atom < 16 ?
						  dev.max_qp_init_rd_atom :
						  16);
	param.responder_resources = 0;
	param.retry_count = 7;
	param.rnr_retry_count = 7;
	if (rdma_connect(conn->id, &param))
		return -errno;

	rc = cm_wait(conn->ec, conn->cfg.timeout_ms, &ev);
	if (rc)
		return rc;
	switch (ev->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		rc = pmr_welcome_decode(ev->param.conn.private_data,
					ev->param.conn.private_data_len, &w);
		if (rc) {
			pmr_err("server sent no valid welcome");
			rc = PMR_E_PROTOCOL;
		} else if (w.version < PMR_PROTO_VERSION_MIN ||
			   w.version > PMR_PROTO_VERSION) {
			pmr_err("server chose version %u we do not speak",
				w.version);
			rc = PMR_E_PROTOCOL;
		}
		break;
	case RDMA_CM_EVENT_REJECTED:
		rc = rejected(ev);
		break;
	case RDMA_CM_EVENT_UNREACHABLE:
		rc = -EHOSTUNREACH;
		break;
	default:
		pmr_err("connect: unexpected %s (status %d)",
			rdma_event_str(ev->event), ev->status);
		rc = -ECONNABORTED;
		break;
	}
	if (ev->event == RDMA_CM_EVENT_ESTABLISHED)
		conn->connected = true;
	rdma_ack_cm_event(ev);
	if (rc)
		return rc;
	conn->credits = w.credits < conn->nrecv ? w.credits :
						  (uint16_t)conn->nrecv;
	conn->max_msg = w.max_msg; /* the decoder checked its range */
	conn->version = w.version;
	memcpy(conn->snonce, w.nonce, sizeof(conn->snonce));
	pmr_info("connected: protocol %u, %u credits, max message %u",
		 w.version, conn->credits, w.max_msg);
	return 0;
}

/* setup_fds -- make the channels non-blocking and put both in one epoll */
static int setup_fds(struct pmr_conn *conn)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	rc = set_nonblock(conn->cc->fd);
	if (!rc)
		rc = set_nonblock(conn->ec->fd);
	if (rc)
		return rc;
	conn->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (conn->epfd < 0)
		return -errno;
	ev.data.fd = conn->cc->fd;
	if (epoll_ctl(conn->epfd, EPOLL_CTL_ADD, conn->cc->fd, &ev))
		return -errno;
	ev.data.fd = conn->ec->fd;
	if (epoll_ctl(conn->epfd, EPOLL_CTL_ADD, conn->ec->fd, &ev))
		return -errno;
	return 0;
}

/* teardown -- free whatever of CONN exists, in reverse order */
static void teardown(struct pmr_conn *conn)
{
	if (conn->connected)
		rdma_disconnect(conn->id);
	if (conn->epfd >= 0)
		close(conn->epfd);
	if (conn->qp)
		rdma_destroy_qp(conn->id);
	free_buffers(conn);
	if (conn->cq) {
		if (conn->cq_events)
			ibv_ack_cq_events(conn->cq, conn->cq_events);
		ibv_destroy_cq(conn->cq);
	}
	if (conn->cc)
		ibv_destroy_comp_channel(conn->cc);
	if (conn->pd)
		ibv_dealloc_pd(conn->pd);
	if (conn->id)
		rdma_destroy_id(conn->id);
	if (conn->ec)
		rdma_destroy_event_channel(conn->ec);
	pmr_cfg_wipe_psks(&conn->cfg);
	free(conn);
}

/* pmr_conn_open -- see libpmr.h */
int pmr_conn_open(const char *host, const char *port,
		  const struct pmr_conn_cfg *cfg, struct pmr_conn **ret)
{
	struct ibv_port_attr pattr;
	struct ibv_device_attr dev;
	struct pmr_conn *conn;
	uint32_t i;
	uint64_t max;
	int rc;

	if (!host || !ret)
		return -EINVAL;
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return -ENOMEM;
	conn->epfd = -1;
	if (cfg)
		conn->cfg = *cfg;
	else
		pmr_cfg_defaults(&conn->cfg);
	conn->sq_depth = conn->cfg.sq_depth;
	conn->nrecv = conn->cfg.credits;

	conn->ec = rdma_create_event_channel();
	if (!conn->ec) {
		rc = -errno;
		goto out_teardown;
	}
	if (rdma_create_id(conn->ec, &conn->id, conn, RDMA_PS_TCP)) {
		rc = -errno;
		goto out_teardown;
	}
	rc = resolve(conn, host, port ? port : PMR_DEFAULT_PORT);
	if (rc)
		goto out_teardown;

	if (ibv_query_device(conn->id->verbs, &dev) ||
	    ibv_query_port(conn->id->verbs, conn->id->port_num, &pattr)) {
		rc = -errno;
		goto out_teardown;
	}
	if ((uint32_t)dev.max_qp_wr < conn->sq_depth)
		conn->sq_depth = (uint32_t)dev.max_qp_wr;
	max = pattr.max_msg_sz ? pattr.max_msg_sz : 1u << 30;
	if (conn->cfg.max_wr_size && conn->cfg.max_wr_size < max)
		max = conn->cfg.max_wr_size;
	if (max > 1u << 30)
		max = 1u << 30;
	conn->max_wr = (uint32_t)max;

	conn->pd = ibv_alloc_pd(conn->id->verbs);
	conn->cc = conn->pd ? ibv_create_comp_channel(conn->id->verbs) : NULL;
	/* every signaled send and every receive fits: no CQ overrun */
	conn->cq = conn->cc ? ibv_create_cq(conn->id->verbs,
					    (int)(conn->sq_depth + conn->nrecv),
					    conn, conn->cc, 0) :
			      NULL;
	if (!conn->cq) {
		rc = -errno;
		goto out_teardown;
	}
	rc = create_qp(conn);
	if (rc)
		goto out_teardown;
	rc = alloc_buffers(conn);
	if (rc)
		goto out_teardown;
	for (i = 0; i < conn->nrecv; i++) {
		rc = recv_post(conn, i);
		if (rc)
			goto out_teardown;
	}
	rc = connect_server(conn);
	if (rc)
		goto out_teardown;
	rc = setup_fds(conn);
	if (rc)
		goto out_teardown;
	*ret = conn;
	return 0;

out_teardown:
	pmr_err("connecting to %s:%s failed: %s", host,
		port ? port : PMR_DEFAULT_PORT, pmr_strerror(rc));
	teardown(conn);
	return rc;
}

/* pmr_conn_close -- see libpmr.h */
int pmr_conn_close(struct pmr_conn **connp)
{
	struct pmr_conn *conn;
	int rc;

	if (!connp || !*connp)
		return 0;
	conn = *connp;
	if (conn->nregions || conn->nmrs)
		return -EBUSY;
	/* after a loss nothing is outstanding any more (fail_all); a loss
	 * during the wait is no failure of closing either */
	rc = conn->lost ? 0 : pmr_wait_idle(conn);
	if (rc == PMR_E_CONN_LOST)
		rc = 0;
	teardown(conn);
	*connp = NULL;
	return rc;
}

/* pmr_conn_last_error_text -- see libpmr.h */
const char *pmr_conn_last_error_text(const struct pmr_conn *conn)
{
	return conn ? conn->errtext : "";
}

/* pmr_conn_get_fd -- see libpmr.h */
int pmr_conn_get_fd(const struct pmr_conn *conn)
{
	return conn ? conn->epfd : -EINVAL;
}

/*
 * deliver -- move up to MAX finished async ops into OUT, in posting order:
 * the oldest posted op that has not finished holds back the ones after it.
 * Work requests complete in order on the QP, but a SERVER persist is done
 * only when the server's response arrives, after the completions of
 * writes posted behind it.
 */
static int deliver(struct pmr_conn *conn, struct pmr_completion *out, int max)
{
	int n = 0;

	while (n < max && conn->ring_count) {
		uint32_t slot = conn->ring[conn->ring_head];
		struct pmr_opctx *op = &conn->ops[slot];

		if (op->busy != 2)
			break;
		conn->ring_head = (conn->ring_head + 1) % conn->ring_cap;
		conn->ring_count--;
		out[n].user_tag = op->tag;
		out[n].op = op->kind;
		out[n].status = op->status;
		n++;
		pmr_op_free_async(conn, slot);
	}
	return n;
}

/* async_busy -- any async op still outstanding */
static bool async_busy(const struct pmr_conn *conn)
{
	uint32_t i;

	for (i = PMR_FIRST_ASYNC; i < conn->nops; i++)
		if (conn->ops[i].busy)
			return true;
	return false;
}

/* pmr_conn_poll -- see libpmr.h */
int pmr_conn_poll(struct pmr_conn *conn, struct pmr_completion *out, int max)
{
	struct epoll_event evs[2];
	int n;

	if (!conn || !out || max <= 0)
		return -EINVAL;
	n = deliver(conn, out, max);
	/* a batch may finish nothing (a SEND whose response is still due):
	 * keep polling until something is delivered or the CQ is empty */
	while (n < max && poll_cq(conn) > 0)
		n += deliver(conn, out + n, max - n);
	if (n > 0)
		return n;
	/*
	 * Nothing in the CQ.  Armed, and nothing polled since: no channel
	 * event can be waiting, the fd is as armed as the caller needs, so
	 * a busy poller is spared the syscalls -- but every QUIET_POLLS-th
	 * call still reads the fds (connection events).
	 */
	if (conn->armed && !conn->maybe_event && !conn->lost &&
	    ++conn->quiet_polls % QUIET_POLLS)
		return 0;
	/* consume fd events so the fd stops being readable, then leave the
	 * CQ armed for the caller's wait */
	n = epoll_wait(conn->epfd, evs, 2, 0);
	if (n > 0)
		drain_events(conn, evs, n);
	n = 0;
	if (conn->lost)
		fail_all(conn);
	else
		arm(conn);
	poll_cq(conn);
	n += deliver(conn, out + n, max - n);
	if (n == 0 && conn->lost && !async_busy(conn))
		return conn->lost;
	return n;
}
