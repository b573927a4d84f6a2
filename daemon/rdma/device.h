/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * device.h -- the RDMA device that serves the listen address: its rdmacm
 * event channel and listen id, the one PD that owns every MR and QP, and
 * the capabilities the registration strategy and the persistence methods
 * are decided from.
 */
#ifndef PMRD_DEVICE_H
#define PMRD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "odp_selftest.h"

/*
 * Bits the kernel reports in device_cap_flags_ex and odp rc caps.  Spelled
 * out here because rdma-core 44 (bookworm) does not name them; the kernel
 * ABI values are fixed.
 */
#define PMRD_DEV_CAP_FLUSH_GLOBAL     (1ULL << 38)
#define PMRD_DEV_CAP_FLUSH_PERSISTENT (1ULL << 39)
#define PMRD_DEV_CAP_ATOMIC_WRITE     (1ULL << 40)
#define PMRD_ODP_SUPPORT_FLUSH	      (1u << 6)
#define PMRD_ODP_SUPPORT_ATOMIC_WRITE (1u << 7)

/* Soft-RoCE's vendor id (drivers/infiniband/sw/rxe: RXE_VENDOR_ID) */
#define PMRD_RXE_VENDOR_ID 0xffffff

/* What the device (and this build) can do, as far as pmrd cares. */
struct pmrd_dev_caps {
	bool odp;		       /* general ODP support */
	bool odp_rc_read;	       /* RC RDMA READ on an ODP MR */
	bool odp_rc_write;	       /* RC RDMA WRITE on an ODP MR */
	bool odp_rc_flush;	       /* RC RDMA FLUSH on an ODP MR */
	enum pmrd_odp_state odp_state; /* the self-test's verdict */
	bool soft_roce;		  /* rxe: for its limits in error messages */
	bool flush_global;	  /* device_cap_flags_ex bit 38 */
	bool flush_persistent;	  /* device_cap_flags_ex bit 39 */
	bool flush_verbs;	  /* built against rdma-core >= 45 */
	bool atomics;		  /* atomic_cap != IBV_ATOMIC_NONE: CAS, FAA */
	bool atomic_write;	  /* device_cap_flags_ex bit 40 */
	bool atomic_write_verbs;  /* built with ibv_wr_atomic_write */
	bool odp_rc_atomic;	  /* RC atomics on an ODP MR */
	bool odp_rc_atomic_write; /* RC ATOMIC WRITE on an ODP MR */
	uint32_t max_qp_wr;
	int max_cqe;
	int max_qp_rd_atom;
	uint32_t max_msg_sz; /* port attribute */
	uint64_t max_mr_size;
};

struct pmrd_async;

struct pmrd_device {
	struct rdma_event_channel *ec; /* non-blocking */
	struct rdma_cm_id *listen_id;
	struct ibv_context *verbs; /* listen_id->verbs, not owned */
	struct ibv_pd *pd;
	struct pmrd_dev_caps caps;
	struct pmrd_async *async; /* its async events, while serving */
	char addr[64];		  /* "10.77.0.1:7471", for messages */
	char odp_detail[256];	  /* what the ODP self-test saw */
};

/*
 * pmrd_device_open -- create the event channel, bind a listen id to
 * HOST:PORT (numeric), take the device that owns the address, allocate the
 * PD, query the capabilities and, where the device reports RC ODP, run the
 * ODP self-test (odp_selftest.h): only a verified ODP serves regions.
 * Does not listen yet.  Negative errno with
 * the reason logged; *ret untouched on failure.
 */
int pmrd_device_open(const char *host, uint16_t port, struct pmrd_device **ret);

/* pmrd_device_listen -- start accepting connection requests */
int pmrd_device_listen(struct pmrd_device *dev, int backlog);

/* pmrd_device_close -- stop watching async events (async_event.h), free
 * the PD, the listen id and the channel */
void pmrd_device_close(struct pmrd_device **dev);

#endif
