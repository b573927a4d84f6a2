/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * completion.c -- the completion engine: polling the CQ and handing each
 * completion to its op (receives to ctl.c), spin-then-sleep waits, what a
 * lost connection does to the ops still outstanding, and delivering async
 * completions in posting order (pmr_conn_poll)
 */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <time.h>

#include "check.h"
#include "completion.h"
#include "ctl.h"
#include "log_cb.h"
#include "op.h"
#include "qp.h"

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

/* pmr_op_queue -- async SLOT was posted: its completion is delivered after
 * those of every async op posted before it (libpmr.h: posting order) */
void pmr_op_queue(struct pmr_conn *conn, uint32_t slot)
{
	uint32_t i = (conn->ring_head + conn->ring_count) % conn->ring_cap;

	conn->ring[i] = slot;
	conn->ring_count++;
}

/* pmr_async_begin -- a slot of REGION's connection for an async op of
 * KIND on REGION tagged TAG */
int pmr_async_begin(struct pmr_region *region, int kind, uint64_t tag,
		    uint32_t *slot)
{
	struct pmr_conn *conn = region->conn;
	int rc = pmr_op_alloc_async(conn, slot);

	if (rc)
		return rc;
	conn->ops[*slot].kind = (uint8_t)kind;
	conn->ops[*slot].tag = tag;
	conn->ops[*slot].region = region;
	return 0;
}

/* pmr_async_end -- after posting SLOT's work requests with result RC:
 * free the slot on failure, else queue it in posting order (done at once
 * if nothing was posted: zero length) */
int pmr_async_end(struct pmr_conn *conn, uint32_t slot, int rc)
{
	if (rc) {
		pmr_op_free_async(conn, slot);
		return rc;
	}
	pmr_op_queue(conn, slot);
	pmr_op_maybe_done(conn, slot);
	return 0;
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

/*
 * wc_error -- the error a failed work request of OP (slot SLOT) completes
 * with: a remote access error on an exclusive handle is its key revoked
 * by a takeover, so that region is fenced from now on
 */
static int wc_error(struct pmr_conn *conn, uint32_t slot,
		    const struct pmr_opctx *op, enum ibv_wc_status status)
{
	struct pmr_region *r = slot < PMR_FIRST_ASYNC ? conn->sync_region :
							op->region;

	if (op->busy != 1)
		r = NULL; /* a finished op's region may be closed */
	if (status == IBV_WC_REM_ACCESS_ERR && r && r->excl) {
		r->fenced = true;
		return PMR_E_FENCED;
	}
	return pmr_wc_status_to_err(status);
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
		pmr_ctl_recv(conn, slot, wc);
		return;
	}
	if (slot >= conn->nops)
		return;
	op = &conn->ops[slot];
	conn->sq_used -= covers < conn->sq_used ? covers : conn->sq_used;
	if (wc->status != IBV_WC_SUCCESS) {
		err = wc_error(conn, slot, op, wc->status);
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
 * completion; PMR_E_CONN_LOST when DONE can no longer happen.
 * The clock is read once per SPIN_CLOCK_EVERY empty polls, not per poll,
 * and not on entry (the spin budget and the timeout start at the first
 * read): where it is a syscall (HPET under emulation) a read per poll
 * would delay noticing the completion by one clock read and load the
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

/* pmr_wait_sq -- wait until NEED send queue entries are free (a sync
 * call finds them free: no wait loop set up then) */
int pmr_wait_sq(struct pmr_conn *conn, uint32_t need)
{
	if (conn->lost)
		return conn->lost;
	if (sq_room(conn, &need))
		return 0;
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
		/* after the first failure of a lost connection every later
		 * one is pending to the caller (libpmr.h), even one that
		 * finished early and was held back behind the failure */
		if (conn->lost && op->status)
			conn->loss_delivered = true;
		else if (conn->loss_delivered && !op->status)
			out[n].status = PMR_E_CONN_LOST;
		n++;
		pmr_op_free_async(conn, slot);
	}
	return n;
}

/* pmr_async_busy -- see completion.h */
bool pmr_async_busy(const struct pmr_conn *conn)
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
	if (conn->lost) {
		/* work completions that arrived with the loss first: a
		 * failed one keeps its own status (a fenced handle's remote
		 * access error), not the blanket CONN_LOST */
		poll_cq(conn);
		fail_all(conn);
	} else {
		arm(conn);
	}
	poll_cq(conn);
	n += deliver(conn, out + n, max - n);
	if (n == 0 && conn->lost && !pmr_async_busy(conn))
		return conn->lost;
	return n;
}
