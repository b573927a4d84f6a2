/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_selftest.h -- does a device's On-Demand Paging data path put the
 * bytes where they belong?  Capabilities cannot say (rxe reports ODP on
 * kernels whose ODP copy misplaces data, and its vendor id is the same
 * with a fixed module), so pmrd measures it once at start.
 */
#ifndef PMRD_ODP_SELFTEST_H
#define PMRD_ODP_SELFTEST_H

#include <stddef.h>
#include <sys/socket.h>

#include <infiniband/verbs.h>

enum pmrd_odp_state {
	PMRD_ODP_UNSUPPORTED = 0, /* no RC ODP for READ and WRITE reported */
	PMRD_ODP_VERIFIED,	  /* the self-test found every byte right */
	PMRD_ODP_MISPLACES,	  /* ops completed, bytes landed elsewhere */
	PMRD_ODP_TEST_FAILED,	  /* the self-test could not run */
};

/* pmrd_odp_state_name -- "verified", "misplaces data", ... (status) */
const char *pmrd_odp_state_name(enum pmrd_odp_state s);

/*
 * pmrd_odp_selftest -- connect two RC QPs of PD to each other through
 * the device's own address ADDR (its port is ignored: an ephemeral one is
 * used), then RDMA WRITE into and RDMA READ from an ODP MR at non-zero
 * page offsets, multi-packet and crossing page boundaries, and compare
 * through the CPU.  Returns VERIFIED, MISPLACES or TEST_FAILED, with what
 * was seen in DETAIL (DETAIL_LEN bytes).  Logs nothing; milliseconds.
 */
enum pmrd_odp_state pmrd_odp_selftest(const struct sockaddr *addr,
				      struct ibv_pd *pd, char *detail,
				      size_t detail_len);

#endif
