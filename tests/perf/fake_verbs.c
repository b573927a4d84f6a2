/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_verbs.c -- the fake extended QP and CQ (fake_verbs.h): builders
 * that record, a complete that queues the signaled completions, a poll
 * that hands them out, and a receive queue the fake server's responses
 * fill
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fake_verbs.h"
#include "util.h"

/* rdma-core 45's IBV_WC_FLUSH (absent from older headers; libpmr reads no
 * send completion's opcode) */
#define FAKE_WC_FLUSH 8

/* fv_of -- the fake a QP belongs to */
static struct fake_verbs *fv_of(struct ibv_qp_ex *qp)
{
	return container_of(qp, struct fake_verbs, qpx);
}

/* next_wr -- start recording a work request of OP: wr_id and flags are
 * read here, as providers read them in the opcode builder */
static struct fake_wr *next_wr(struct ibv_qp_ex *qp, uint8_t op)
{
	struct fake_verbs *fv = fv_of(qp);
	struct fake_wr *w;

	if (fv->nwr == FAKE_WR_MAX) {
		fv->overflow = true;
		fv->nwr--; /* overwrite the last: the post fails anyway */
	}
	w = &fv->wr[fv->nwr++];
	memset(w, 0, sizeof(*w));
	w->wr_id = qp->wr_id;
	w->flags = qp->wr_flags;
	w->op = op;
	return w;
}

/* cur_wr -- the work request being built (set_sge, set_inline_data) */
static struct fake_wr *cur_wr(struct ibv_qp_ex *qp)
{
	struct fake_verbs *fv = fv_of(qp);

	return &fv->wr[fv->nwr ? fv->nwr - 1 : 0];
}

/* fake_wr_start -- a new post */
static void fake_wr_start(struct ibv_qp_ex *qp)
{
	fv_of(qp)->nwr = 0;
	fv_of(qp)->overflow = false;
}

/* fake_wr_rdma_write -- record an RDMA WRITE */
static void fake_wr_rdma_write(struct ibv_qp_ex *qp, uint32_t rkey,
			       uint64_t remote_addr)
{
	struct fake_wr *w = next_wr(qp, FAKE_WRITE);

	w->rkey = rkey;
	w->raddr = remote_addr;
}

/* fake_wr_rdma_read -- record an RDMA READ */
static void fake_wr_rdma_read(struct ibv_qp_ex *qp, uint32_t rkey,
			      uint64_t remote_addr)
{
	struct fake_wr *w = next_wr(qp, FAKE_READ);

	w->rkey = rkey;
	w->raddr = remote_addr;
}

/* fake_wr_send -- record a SEND */
static void fake_wr_send(struct ibv_qp_ex *qp)
{
	next_wr(qp, FAKE_SEND);
}

/* fake_wr_flush -- record a FLUSH (see fake_flush.h) */
void fake_wr_flush(struct ibv_qp_ex *qp, uint32_t rkey, uint64_t remote_addr,
		   size_t len, uint8_t type, uint8_t level)
{
	struct fake_wr *w = next_wr(qp, FAKE_FLUSH);

	w->rkey = rkey;
	w->raddr = remote_addr;
	w->len = (uint32_t)len;
}

/* fake_wr_set_sge -- the current work request's local buffer */
static void fake_wr_set_sge(struct ibv_qp_ex *qp, uint32_t lkey, uint64_t addr,
			    uint32_t length)
{
	struct fake_wr *w = cur_wr(qp);

	w->lkey = lkey;
	w->laddr = addr;
	w->len = length;
}

/* fake_wr_set_inline_data -- the current work request's inline data (a
 * provider copies it here; the fake only notes where it is, which the
 * sync caller keeps valid until the post completes) */
static void fake_wr_set_inline_data(struct ibv_qp_ex *qp, void *addr,
				    size_t length)
{
	struct fake_wr *w = cur_wr(qp);

	w->laddr = (uintptr_t)addr;
	w->len = (uint32_t)length;
	w->inl = 1;
}

/* fake_wr_abort -- drop the post being built */
static void fake_wr_abort(struct ibv_qp_ex *qp)
{
	fv_of(qp)->nwr = 0;
	fv_of(qp)->n.aborts++;
}

/* move -- carry out W (WRITE, READ, FLUSH) against the remote buffer;
 * the completion status */
static enum ibv_wc_status move(struct fake_verbs *fv, const struct fake_wr *w)
{
	uint64_t off = w->raddr - fv->remote_addr;
	uint8_t *local = (uint8_t *)(uintptr_t)w->laddr;

	if (w->op == FAKE_SEND)
		return IBV_WC_SUCCESS; /* no remote address: on_send's */
	if (w->raddr < fv->remote_addr || off > fv->remote_size ||
	    w->len > fv->remote_size - off)
		return IBV_WC_REM_ACCESS_ERR;
	if (w->op == FAKE_WRITE)
		memcpy(fv->remote + off, local, w->len);
	else if (w->op == FAKE_READ)
		memcpy(local, fv->remote + off, w->len);
	return IBV_WC_SUCCESS;
}

/* cq_push -- a new completion at the CQ's tail, or NULL when it is full */
static struct ibv_wc *cq_push(struct fake_verbs *fv)
{
	struct ibv_wc *wc;

	if (fv->cq_count == FAKE_CQ_MAX)
		return NULL;
	wc = &fv->cqe[(fv->cq_head + fv->cq_count++) % FAKE_CQ_MAX];
	memset(wc, 0, sizeof(*wc));
	wc->qp_num = 1;
	return wc;
}

/* fake_wr_complete -- "ring the doorbell": count the post, queue a
 * completion for each signaled work request (and for a failed one), hand
 * each SEND to the server */
static int fake_wr_complete(struct ibv_qp_ex *qp)
{
	static const enum ibv_wc_opcode wc_op[FAKE_NOPS] = {
		[FAKE_WRITE] = IBV_WC_RDMA_WRITE,
		[FAKE_READ] = IBV_WC_RDMA_READ,
		[FAKE_SEND] = IBV_WC_SEND,
		[FAKE_FLUSH] = (enum ibv_wc_opcode)FAKE_WC_FLUSH,
	};
	struct fake_verbs *fv = fv_of(qp);
	enum ibv_wc_status st;
	struct ibv_wc *wc;
	unsigned int i;

	if (fv->overflow)
		return ENOMEM;
	fv->n.posts++;
	for (i = 0; i < fv->nwr; i++) {
		const struct fake_wr *w = &fv->wr[i];
		bool sig = w->flags & IBV_SEND_SIGNALED;

		fv->n.wrs++;
		fv->n.op[w->op]++;
		fv->n.signaled += sig;
		fv->n.inl += w->inl;
		st = fv->move_data ? move(fv, w) : IBV_WC_SUCCESS;
		if (sig || st != IBV_WC_SUCCESS) {
			wc = cq_push(fv);
			if (!wc)
				return ENOMEM; /* the CQ would overrun */
			wc->wr_id = w->wr_id;
			wc->status = st;
			wc->opcode = wc_op[w->op];
		}
		if (w->op == FAKE_SEND && fv->on_send)
			fv->on_send(fv, w);
	}
	memcpy(fv->last, fv->wr, fv->nwr * sizeof(fv->wr[0]));
	fv->nlast = fv->nwr;
	fv->nwr = 0;
	return 0;
}

/* fake_poll_cq -- up to NUM queued completions into WC */
static int fake_poll_cq(struct ibv_cq *cq, int num, struct ibv_wc *wc)
{
	struct fake_verbs *fv = cq->cq_context;
	int n = 0;

	while (n < num && fv->cq_count) {
		wc[n] = fv->cqe[fv->cq_head];
		fv->n.errors += wc[n].status != IBV_WC_SUCCESS;
		fv->cq_head = (fv->cq_head + 1) % FAKE_CQ_MAX;
		fv->cq_count--;
		n++;
	}
	fv->n.wcs += (uint64_t)n;
	return n;
}

/* fake_req_notify_cq -- arming: counted; no channel event ever comes */
static int fake_req_notify_cq(struct ibv_cq *cq, int solicited_only)
{
	struct fake_verbs *fv = cq->cq_context;

	fv->n.notifies++;
	return 0;
}

/* fake_post_recv -- record the receives of the chain WR */
static int fake_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
			  struct ibv_recv_wr **bad)
{
	struct fake_verbs *fv =
		container_of(qp, struct fake_verbs, qpx.qp_base);
	struct fake_recv *r;

	for (; wr; wr = wr->next) {
		if (fv->rq_count == FAKE_RQ_MAX || wr->num_sge != 1) {
			*bad = wr;
			return ENOMEM;
		}
		r = &fv->rq[(fv->rq_head + fv->rq_count++) % FAKE_RQ_MAX];
		r->wr_id = wr->wr_id;
		r->addr = wr->sg_list[0].addr;
		r->len = wr->sg_list[0].length;
		fv->n.recvs++;
	}
	return 0;
}

/* fake_verbs_respond -- see fake_verbs.h */
int fake_verbs_respond(struct fake_verbs *fv, const void *msg, uint32_t len)
{
	struct fake_recv *r = &fv->rq[fv->rq_head];
	struct ibv_wc *wc;

	if (!fv->rq_count || len > r->len)
		return -ENOBUFS;
	wc = cq_push(fv);
	if (!wc)
		return -ENOMEM;
	memcpy((void *)(uintptr_t)r->addr, msg, len);
	wc->wr_id = r->wr_id;
	wc->status = IBV_WC_SUCCESS;
	wc->opcode = IBV_WC_RECV;
	wc->byte_len = len;
	fv->rq_head = (fv->rq_head + 1) % FAKE_RQ_MAX;
	fv->rq_count--;
	fv->n.responses++;
	return 0;
}

/* fake_verbs_init -- see fake_verbs.h */
void fake_verbs_init(struct fake_verbs *fv)
{
	memset(fv, 0, sizeof(*fv));
	fv->ctx.ops.poll_cq = fake_poll_cq;
	fv->ctx.ops.req_notify_cq = fake_req_notify_cq;
	fv->ctx.ops.post_recv = fake_post_recv;
	fv->cq.context = &fv->ctx;
	fv->cq.cq_context = fv;
	fv->cq.cqe = FAKE_CQ_MAX;
	fv->qpx.qp_base.context = &fv->ctx;
	fv->qpx.qp_base.send_cq = &fv->cq;
	fv->qpx.qp_base.recv_cq = &fv->cq;
	fv->qpx.qp_base.qp_num = 1;
	fv->qpx.qp_base.qp_type = IBV_QPT_RC;
	fv->qpx.qp_base.state = IBV_QPS_RTS;
	fv->qpx.wr_start = fake_wr_start;
	fv->qpx.wr_complete = fake_wr_complete;
	fv->qpx.wr_abort = fake_wr_abort;
	fv->qpx.wr_rdma_write = fake_wr_rdma_write;
	fv->qpx.wr_rdma_read = fake_wr_rdma_read;
	fv->qpx.wr_send = fake_wr_send;
	fv->qpx.wr_set_sge = fake_wr_set_sge;
	fv->qpx.wr_set_inline_data = fake_wr_set_inline_data;
#ifndef PMR_FAKE_FLUSH_SHIM
	fv->qpx.wr_flush = fake_wr_flush;
#endif
}
