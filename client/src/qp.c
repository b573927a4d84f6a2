/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qp.c -- using the connected QP: posting work requests (one descriptor
 * format, two verbs APIs: extended ibv_wr_* when the QP has it, which FLUSH
 * and ATOMIC WRITE need; classic ibv_post_send otherwise), and putting it
 * in error when the connection is lost
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log_cb.h"
#include "qp.h"

/* post_ex -- post N descriptors with the extended API (all or nothing) */
static int post_ex(struct pmr_conn *conn, const struct pmr_swr *w,
		   unsigned int n)
{
	struct ibv_qp_ex *qpx = conn->qpx;
	unsigned int i;

	ibv_wr_start(qpx);
	for (i = 0; i < n; i++) {
		qpx->wr_id = w[i].wr_id;
		qpx->wr_flags = (w[i].signaled ? IBV_SEND_SIGNALED : 0) |
				(w[i].inl ? IBV_SEND_INLINE : 0) |
				(w[i].fence ? IBV_SEND_FENCE : 0);
		switch (w[i].op) {
		case PMR_SWR_WRITE:
			ibv_wr_rdma_write(qpx, w[i].rkey, w[i].raddr);
			break;
		case PMR_SWR_READ:
			ibv_wr_rdma_read(qpx, w[i].rkey, w[i].raddr);
			break;
		case PMR_SWR_SEND:
			ibv_wr_send(qpx);
			break;
		case PMR_SWR_FLUSH:
#ifdef PMRD_HAVE_IBV_FLUSH
			ibv_wr_flush(qpx, w[i].rkey, w[i].raddr, w[i].len,
				     IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE);
			continue; /* no local buffer */
#else
			ibv_wr_abort(qpx);
			return -EOPNOTSUPP;
#endif
		case PMR_SWR_CAS:
			ibv_wr_atomic_cmp_swp(qpx, w[i].rkey, w[i].raddr,
					      w[i].compare, w[i].swap);
			break;
		case PMR_SWR_FETCH_ADD:
			ibv_wr_atomic_fetch_add(qpx, w[i].rkey, w[i].raddr,
						w[i].swap);
			break;
		case PMR_SWR_ATOMIC_WRITE:
#ifdef PMRD_HAVE_IBV_ATOMIC_WRITE
			/* the 8 bytes are copied into the work request */
			ibv_wr_atomic_write(qpx, w[i].rkey, w[i].raddr,
					    &w[i].swap);
			continue; /* no local buffer */
#else
			ibv_wr_abort(qpx);
			return -EOPNOTSUPP;
#endif
		}
		if (w[i].inl)
			ibv_wr_set_inline_data(
				qpx, (void *)(uintptr_t)w[i].laddr, w[i].len);
		else
			ibv_wr_set_sge(qpx, w[i].lkey, w[i].laddr, w[i].len);
	}
	return -ibv_wr_complete(qpx);
}

/* post_classic -- post N descriptors with ibv_post_send */
static int post_classic(struct pmr_conn *conn, const struct pmr_swr *w,
			unsigned int n)
{
	static const enum ibv_wr_opcode opc[] = {
		[PMR_SWR_WRITE] = IBV_WR_RDMA_WRITE,
		[PMR_SWR_READ] = IBV_WR_RDMA_READ,
		[PMR_SWR_SEND] = IBV_WR_SEND,
		[PMR_SWR_CAS] = IBV_WR_ATOMIC_CMP_AND_SWP,
		[PMR_SWR_FETCH_ADD] = IBV_WR_ATOMIC_FETCH_AND_ADD,
	};
	struct ibv_send_wr wr[PMR_POST_BATCH], *bad;
	struct ibv_sge sge[PMR_POST_BATCH];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (w[i].op == PMR_SWR_FLUSH || w[i].op == PMR_SWR_ATOMIC_WRITE)
			return -EOPNOTSUPP;
		sge[i].addr = w[i].laddr;
		sge[i].length = w[i].len;
		sge[i].lkey = w[i].lkey;
		memset(&wr[i], 0, sizeof(wr[i]));
		wr[i].wr_id = w[i].wr_id;
		wr[i].next = i + 1 < n ? &wr[i + 1] : NULL;
		wr[i].sg_list = &sge[i];
		wr[i].num_sge = 1;
		wr[i].opcode = opc[w[i].op];
		wr[i].send_flags = (w[i].signaled ? IBV_SEND_SIGNALED : 0) |
				   (w[i].inl ? IBV_SEND_INLINE : 0) |
				   (w[i].fence ? IBV_SEND_FENCE : 0);
		if (w[i].op == PMR_SWR_CAS || w[i].op == PMR_SWR_FETCH_ADD) {
			wr[i].wr.atomic.remote_addr = w[i].raddr;
			wr[i].wr.atomic.rkey = w[i].rkey;
			wr[i].wr.atomic.compare_add = w[i].op == PMR_SWR_CAS ?
							      w[i].compare :
							      w[i].swap;
			wr[i].wr.atomic.swap = w[i].swap;
			continue;
		}
		wr[i].wr.rdma.remote_addr = w[i].raddr;
		wr[i].wr.rdma.rkey = w[i].rkey;
	}
	return -ibv_post_send(conn->qp, wr, &bad);
}

/*
 * pmr_post -- post N (<= PMR_POST_BATCH) descriptors and count them as used
 * send queue entries.  A failure leaves the QP in an unknown state (the
 * classic API may have posted a prefix), so it loses the connection and
 * says so: PMR_E_CONN_LOST (the verbs error is logged).
 */
int pmr_post(struct pmr_conn *conn, const struct pmr_swr *w, unsigned int n)
{
	int rc;

	if (conn->lost)
		return conn->lost;
	rc = conn->qpx ? post_ex(conn, w, n) : post_classic(conn, w, n);
	if (rc == -EOPNOTSUPP)
		return rc;
	if (rc) {
		pmr_err("posting %u work requests: %s", n, strerror(-rc));
		pmr_conn_set_lost(conn, PMR_E_CONN_LOST);
		return PMR_E_CONN_LOST;
	}
	conn->sq_used += n;
	return 0;
}

/*
 * pmr_conn_set_lost -- mark CONN unusable; the QP goes to error so every
 * posted work request completes (flushed) instead of hanging.  Every call
 * reports a loss as PMR_E_CONN_LOST (libpmr.h), whatever its cause: WHY,
 * where it says more (a malformed message, a failed local verbs or epoll
 * call), goes to the connection's last error text.
 */
void pmr_conn_set_lost(struct pmr_conn *conn, int why)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };

	if (conn->lost)
		return;
	conn->lost = PMR_E_CONN_LOST;
	pmr_err("connection lost: %s", pmr_strerror(why));
	if (why != PMR_E_CONN_LOST)
		snprintf(conn->errtext, sizeof(conn->errtext),
			 "connection lost: %s", pmr_strerror(why));
	if (conn->qp)
		ibv_modify_qp(conn->qp, &attr, IBV_QP_STATE);
}
