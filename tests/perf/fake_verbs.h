/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_verbs.h -- a verbs "provider" in process memory for counting
 * libpmr's per-operation work on a host without RDMA: an extended QP whose
 * ibv_wr_* builders record the work requests and, on ibv_wr_complete,
 * queue a completion for each signaled one in a CQ that ibv_poll_cq reads
 *
 * Only what libpmr's inline verbs calls reach is filled in (the ibv_wr_*
 * function pointers of struct ibv_qp_ex, ops.poll_cq and
 * ops.req_notify_cq and ops.post_recv of struct ibv_context); nothing
 * goes through libibverbs' provider loading.  Optionally the QP moves data
 * against a local "remote" buffer, so a read returns what a write put
 * there; an on_send callback plays the server: it answers a SEND through
 * fake_verbs_respond, which fills the oldest posted receive and queues its
 * RECV completion.
 */
#ifndef PMR_FAKE_VERBS_H
#define PMR_FAKE_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>

#include "fake_flush.h"

#define FAKE_WR_MAX 64	 /* work requests in one wr_start..wr_complete */
#define FAKE_CQ_MAX 1024 /* completions queued, not yet polled */
#define FAKE_RQ_MAX 64	 /* receives posted, not yet filled */

enum fake_op {
	FAKE_WRITE,
	FAKE_READ,
	FAKE_SEND,
	FAKE_FLUSH,
	FAKE_NOPS,
};

/* one recorded work request */
struct fake_wr {
	uint64_t wr_id;
	uint64_t raddr;
	uint64_t laddr; /* sge or inline data; 0 for FLUSH */
	uint32_t len;
	uint32_t rkey;
	uint32_t lkey;
	unsigned int flags; /* IBV_SEND_* as the QP's wr_flags had them */
	uint8_t op;	    /* enum fake_op */
	uint8_t inl;
};

/* what the fake saw (compared against each scenario's expectation) */
struct fake_counts {
	uint64_t posts;	 /* wr_complete calls (doorbells) */
	uint64_t aborts; /* wr_abort calls */
	uint64_t wrs;	 /* work requests posted */
	uint64_t op[FAKE_NOPS];
	uint64_t signaled;  /* of wrs */
	uint64_t inl;	    /* of wrs: inline data */
	uint64_t wcs;	    /* completions polled */
	uint64_t notifies;  /* req_notify_cq calls */
	uint64_t errors;    /* work requests completed in error */
	uint64_t recvs;	    /* receives posted */
	uint64_t responses; /* receives filled (fake_verbs_respond) */
};

/* one posted receive */
struct fake_recv {
	uint64_t wr_id;
	uint64_t addr;
	uint32_t len;
};

struct fake_verbs {
	struct ibv_qp_ex qpx; /* first: the builders get back to us */
	struct ibv_context ctx;
	struct ibv_cq cq;
	struct fake_wr wr[FAKE_WR_MAX]; /* the post being built */
	unsigned int nwr;
	bool overflow;			  /* more than FAKE_WR_MAX in a post */
	struct fake_wr last[FAKE_WR_MAX]; /* the last post completed */
	unsigned int nlast;
	struct ibv_wc cqe[FAKE_CQ_MAX];
	unsigned int cq_head, cq_count;
	struct fake_recv rq[FAKE_RQ_MAX];
	unsigned int rq_head, rq_count;
	struct fake_counts n;
	/* the "server": called for each SEND when it is posted, after its
	 * own completion is queued (NULL: SENDs go unanswered) */
	void (*on_send)(struct fake_verbs *fv, const struct fake_wr *w);
	/* move_data: WRITEs copy into remote[raddr - remote_addr], READs out
	 * of it; out of range completes with IBV_WC_REM_ACCESS_ERR */
	bool move_data;
	uint8_t *remote;
	uint64_t remote_addr, remote_size;
};

/* fake_verbs_init -- FV's QP, context and CQ wired to the fakes, empty */
void fake_verbs_init(struct fake_verbs *fv);
/* fake_verbs_respond -- MSG (LEN bytes) into the oldest posted receive and
 * its RECV completion queued; -ENOBUFS when none is posted or it is too
 * small, -ENOMEM when the CQ is full */
int fake_verbs_respond(struct fake_verbs *fv, const void *msg, uint32_t len);

#endif
