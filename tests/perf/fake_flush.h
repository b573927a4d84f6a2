/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_flush.h -- a stand-in for rdma-core's ibv_wr_flush where the
 * installed <infiniband/verbs.h> predates it (rdma-core < 45), so that the
 * opcount harness counts libpmr's FLUSH path as a newer rdma-core builds
 * it; empty where the header has the real one
 *
 * Force-included (-include) into every source of the harness, libpmr's
 * qp.c and conn.c among them, which are built with PMRD_HAVE_IBV_FLUSH.
 * The real ibv_wr_flush is an indirect call through qpx->wr_flush; this
 * one calls the fake directly (struct ibv_qp_ex has no wr_flush member to
 * call through): one load less than the real thing.
 */
#ifndef PMR_FAKE_FLUSH_H
#define PMR_FAKE_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>

/* fake_wr_flush -- fake_verbs.c's FLUSH builder (qpx->wr_flush where
 * struct ibv_qp_ex has it) */
void fake_wr_flush(struct ibv_qp_ex *qp, uint32_t rkey, uint64_t remote_addr,
		   size_t len, uint8_t type, uint8_t level);

#ifdef PMR_FAKE_FLUSH_SHIM
/* rdma-core 45's values */
#define IBV_QP_EX_WITH_FLUSH (1 << 11)
#define IBV_FLUSH_GLOBAL     1
#define IBV_FLUSH_PERSISTENT 2
#define IBV_FLUSH_RANGE	     0
#define IBV_FLUSH_MR	     1

/* ibv_wr_flush -- rdma-core 45's signature, straight to the fake */
static inline void ibv_wr_flush(struct ibv_qp_ex *qp, uint32_t rkey,
				uint64_t remote_addr, size_t len, uint8_t type,
				uint8_t level)
{
	fake_wr_flush(qp, rkey, remote_addr, len, type, level);
}
#endif

#endif
