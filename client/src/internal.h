/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * internal.h -- libpmr's private structures: connection, operation slots,
 * work request descriptors
 *
 * Operation slots: every posted user-level operation owns one slot in
 * conn->ops.  Slots 0..PMR_BOUNCE_SLOTS-1 belong to the bounce buffer's
 * chunks, PMR_SYNC_OP to the other synchronous calls, the rest to async
 * operations (free list, returned when the user polls the completion).
 * A work request's wr_id says which slot it belongs to, whether it is
 * signaled, and how many send queue entries its completion frees.
 */
#ifndef PMR_CLIENT_INTERNAL_H
#define PMR_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "libpmr.h"
#include "pmr_proto.h"
#include "proof.h"

#define PMR_DEFAULT_PORT "7471"
#define PMR_BOUNCE_SLOTS 4
#define PMR_SYNC_OP	 PMR_BOUNCE_SLOTS
#define PMR_FIRST_ASYNC	 (PMR_SYNC_OP + 1)
#define PMR_REQ_BUF	 128 /* per-slot control request buffer */
#define PMR_POST_BATCH	 32  /* work requests per ibv_post_send call */

#define PMR_CFG_PSK_MAX 16 /* keys per cfg */

/* pmr_conn_reconnect: attempts, and the longest pause between two (the
 * back-off doubles up to it); libpmr.h documents both */
#define PMR_RECONNECT_TRIES_MAX	     1000
#define PMR_RECONNECT_BACKOFF_CAP_MS 10000

/* One pre-shared key: for REGION, or any region when region[0] is 0. */
struct pmr_psk {
	char region[PMR_NAME_MAX + 1];
	uint8_t key[PMR_PSK_MAX];
	size_t len; /* 0: slot unused */
};

struct pmr_conn_cfg {
	struct pmr_psk psk[PMR_CFG_PSK_MAX];
	unsigned int timeout_ms;
	unsigned int credits;
	unsigned int sq_depth;
	unsigned int spin_us;
	size_t bounce_size;
	size_t max_wr_size;
	unsigned int reconnect_tries;	   /* attempts per pmr_conn_reconnect */
	unsigned int reconnect_backoff_ms; /* before the 2nd; doubles */
};

void pmr_cfg_defaults(struct pmr_conn_cfg *cfg);

/* client/src/auth.c: PSK proofs for OPEN */
/* pmr_cfg_wipe_psks -- clear every key of CFG */
void pmr_cfg_wipe_psks(struct pmr_conn_cfg *cfg);
/* pmr_auth_prove_open -- put the proof into REQ when its region has a key */
int pmr_auth_prove_open(struct pmr_conn *conn, struct pmr_open_req *req);
/* pmr_auth_check_open -- RESP carries the server's proof REQ's key needs */
int pmr_auth_check_open(struct pmr_conn *conn, const struct pmr_open_req *req,
			const struct pmr_open_resp *resp);

/* wr_id layout: [63..32] send queue entries freed, [31..8] slot, [7..0] kind */
enum pmr_wrid_kind {
	PMR_WRID_SIGNALED = 1,	 /* counts against its op's pending */
	PMR_WRID_UNSIGNALED = 2, /* only seen when it fails */
	PMR_WRID_RECV = 3,	 /* slot = receive buffer index */
};

static inline uint64_t pmr_wrid(unsigned int kind, uint32_t slot,
				uint32_t covers)
{
	return (uint64_t)covers << 32 | (uint64_t)slot << 8 | kind;
}

struct pmr_opctx {
	uint64_t tag;
	uint64_t req_id;      /* of the control request awaited */
	struct pmr_msg *resp; /* sync control: the response goes here */
	int status;
	uint32_t pending;   /* signaled work requests not completed */
	uint16_t resp_type; /* expected response type */
	uint8_t await_resp; /* a control response is still due */
	uint8_t kind;	    /* enum pmr_op (async) */
	uint8_t async;
	uint8_t busy;
	uint32_t next_free;
	struct pmr_region *region; /* async: the region it works on */
};

enum pmr_swr_op {
	PMR_SWR_WRITE,
	PMR_SWR_READ,
	PMR_SWR_SEND,
	PMR_SWR_FLUSH,
	PMR_SWR_CAS,	      /* old word into laddr (8 bytes) */
	PMR_SWR_FETCH_ADD,    /* old word into laddr (8 bytes) */
	PMR_SWR_ATOMIC_WRITE, /* the 8 bytes of swap, no local buffer */
};

/* One send work request, independent of the verbs post API used. */
struct pmr_swr {
	uint64_t wr_id;
	uint64_t laddr;
	uint64_t raddr;
	uint64_t compare; /* CAS */
	uint64_t swap;	  /* CAS: new word; FETCH_ADD: addend;
			   * ATOMIC_WRITE: the bytes stored */
	uint32_t len;
	uint32_t lkey;
	uint32_t rkey;
	uint8_t op; /* enum pmr_swr_op */
	uint8_t signaled;
	uint8_t inl;
	uint8_t fence; /* wait for earlier READs and atomics (IBV_SEND_FENCE) */
};

struct pmr_conn {
	struct pmr_conn_cfg cfg;
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_qp_ex *qpx; /* NULL: classic ibv_post_send */
	int epfd;
	bool armed;	  /* CQ notification requested, event not yet read */
	bool maybe_event; /* a completion was polled while armed: its
			   * channel event may be waiting */
	unsigned int quiet_polls; /* pmr_conn_poll calls without a syscall */
	bool connected;	     /* rdma_connect succeeded: disconnect on close */
	int lost;	     /* 0, or PMR_E_CONN_LOST: unusable */
	bool loss_delivered; /* a failed op delivered since the loss */
	unsigned int local_methods;
	bool local_atomics;	 /* the device has CAS / fetch-add */
	bool local_atomic_write; /* the QP can post ATOMIC WRITE */
	uint32_t max_wr;	 /* bytes per work request */
	uint32_t max_inline;	 /* IBV_SEND_INLINE limit */
	uint32_t sq_depth;
	uint32_t sq_used;
	uint16_t credits;		/* granted by the welcome */
	uint16_t version;		/* negotiated (welcome) */
	uint8_t cnonce[PMR_NONCE_SIZE]; /* ours, sent in the hello */
	uint8_t snonce[PMR_NONCE_SIZE]; /* the server's, from the welcome */
	uint32_t max_msg; /* the welcome's: no message either way is larger */
	uint16_t ctl_inflight;
	uint32_t nrecv; /* receive buffers posted (= credits asked) */

	/* ctl: nrecv receive buffers of PMR_MSG_MAX, then a PMR_REQ_BUF
	 * request buffer per slot, then 64 bytes for the sync atomics' old
	 * words, then 64 for RAW persist reads */
	uint8_t *ctl;
	size_t ctl_size;
	struct ibv_mr *ctl_mr;
	uint8_t *bounce;
	size_t slot_size;
	struct ibv_mr *bounce_mr;

	struct pmr_opctx *ops;
	uint32_t nops;
	uint32_t free_head; /* async free list, UINT32_MAX: empty */
	uint32_t *ring;	    /* posted async slots, in posting order */
	uint32_t ring_head, ring_count, ring_cap;
	uint64_t req_seq;
	unsigned int nregions, nmrs;
	struct pmr_region *regions;	/* open ones (FENCED notices) */
	struct pmr_mr *mrs;		/* registered ones (reconnect) */
	char *host, *port;		/* where pmr_conn_reconnect goes */
	struct pmr_region *sync_region; /* of the sync slots' work requests */
	unsigned int cq_events;		/* read but not yet acked */
	char errtext[PMR_ERRTEXT_MAX + 1];
};

/* pmr_raw_sink -- where RAW persist reads land (contents unused): the last
 * 64 bytes of the control buffer */
static inline uint8_t *pmr_raw_sink(struct pmr_conn *conn)
{
	return conn->ctl + conn->ctl_size - 64;
}

/* pmr_atomic_sink -- where a sync CAS or fetch-add's old word lands: the
 * 64 bytes before the RAW sink (8-aligned: the buffer is page-aligned) */
static inline uint8_t *pmr_atomic_sink(struct pmr_conn *conn)
{
	return conn->ctl + conn->ctl_size - 128;
}

struct pmr_region {
	struct pmr_conn *conn;
	uint64_t addr;
	uint64_t size;
	uint32_t rkey;
	uint32_t handle;
	unsigned int methods; /* advertised */
	unsigned int method;  /* in use: one bit */
	unsigned int want;    /* PMR_METHOD_AUTO or one bit */
	unsigned int atomics; /* PMR_ATOMICS_* bits the OPEN granted */
	bool ro;
	bool excl;	     /* an exclusive open (PMR_OPEN_EXCL/TAKEOVER) */
	bool fenced;	     /* taken over: every call PMR_E_FENCED */
	int stale;	     /* 0, or what every call returns after a
			      * reconnect could not re-open it */
	bool orphan;	     /* its handle died with an earlier
			      * connection: no CLOSE, no notices */
	uint64_t generation; /* granted with excl */
	char name[PMR_NAME_MAX + 1]; /* re-opened by name on reconnect */
	struct pmr_region *next;     /* in conn->regions */
};

struct pmr_mr {
	struct pmr_conn *conn;
	struct ibv_mr *mr;
	uint8_t *ptr;
	size_t len;
	unsigned int usage;
	struct pmr_mr *next; /* in conn->mrs */
};

/* io.c */
int pmr_io_check(struct pmr_region *region, uint64_t off, size_t len,
		 bool write);
/* pmr_region_usable -- REGION not fenced (PMR_E_FENCED) on a live
 * connection, and named as the sync slots' region: the last check before
 * posting, after the arguments' */
int pmr_region_usable(struct pmr_region *region);
int pmr_mr_check(const struct pmr_region *region, const struct pmr_mr *mr,
		 size_t mr_off, size_t len, unsigned int usage);
int pmr_persist_post(struct pmr_region *region, uint32_t slot, uint64_t off,
		     uint64_t len, bool may_wait);
int pmr_ctl_request_post(struct pmr_conn *conn, uint32_t slot,
			 struct pmr_msg *req, bool may_wait);
int pmr_persist_post_after(struct pmr_region *region, uint32_t slot,
			   struct pmr_swr w[2], uint64_t off, uint64_t len,
			   bool may_wait);

#endif
