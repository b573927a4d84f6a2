/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * endpoint.h -- the daemon's end of one connected client (struct
 * pmrd_client): its rdmacm id and RC QP, a CQ whose completion channel the
 * event loop watches, the SEND/RECV buffers (one small MR), credit
 * accounting and its control session.
 */
#ifndef PMRD_ENDPOINT_H
#define PMRD_ENDPOINT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>
#include <rdma/rdma_cma.h>

#include "device.h"
#include "list.h"
#include "pmrd_conf.h"
#include "region_mr.h"
#include "session.h"
#include "work.h"

/* What every client shares with the server (owned by the server). */
struct pmrd_client_env {
	struct ev_loop *loop;
	struct pmrd_device *dev;
	struct pmrd_export *const *exports;
	size_t n_exports;
	const struct pmrd_limits *limits;
	/* the key strategy, chosen at start (mr_plan.h) */
	enum pmrd_keys_strategy keys;
	int qp_extra_access;	   /* FLUSH, atomic access bits for every QP */
	struct hlist_head clients; /* all clients, newest first */
	unsigned n_clients;
	unsigned n_handles; /* open region handles of all clients */
	uint64_t buf_bytes; /* SEND/RECV buffers of all clients */
	uint64_t next_serial;
	struct pmrd_auth *auth; /* allow lists and PSKs; replaced on reload */
	struct pmrd_excl excl;	/* read-write holders of every client */
	ev_check busy_poll;	/* polls the hot clients every iteration */
	ev_idle busy_spin;	/* keeps the loop from blocking meanwhile */
	struct hlist_head hot;	/* the clients being busy-polled */
	struct hlist_head zombies; /* deleted, waiting for a job's thread */
	/* requests the loop took, read by PERSIST threads (endpoint.c) */
	_Atomic uint64_t served;
};

enum pmrd_client_state {
	PMRD_CLIENT_ACCEPTING = 0, /* rdma_accept sent, not ESTABLISHED */
	PMRD_CLIENT_ESTABLISHED,
	PMRD_CLIENT_DISCONNECTING, /* rdma_disconnect sent, waiting */
};

/* A PERSIST being served a chunk per loop turn (endpoint.c: a short one,
 * or when no worker thread could be started). */
struct pmrd_client_persist {
	const struct pmrd_region *region; /* NULL: none in progress */
	uint64_t off, left;		  /* what is still to persist */
	uint32_t sslot;			  /* SEND slot holding the response */
	uint32_t resp_len;
};

/*
 * What a worker thread does for a client (endpoint.c): register an OPEN's
 * key, or persist a PERSIST's range; one at a time, as the client's later
 * requests wait for it.
 */
struct pmrd_client_job {
	struct pmrd_work work;
	struct pmrd_key_request req; /* a grant: what the thread calls */
	int err;		     /* and what it got */
	uint32_t rkey;
	void *cookie;
	struct pmrd_persist_range range; /* a persist: the range */
	uint32_t sslot;			 /* SEND slot for the answer */
	uint32_t resp_len;		 /* a persist's answer, encoded */
	uint64_t served;		 /* env->served when it was taken */
};

struct pmrd_client {
	struct pmrd_client_env *env;
	struct hlist_node link; /* in env->clients */
	struct rdma_cm_id *id;
	struct ibv_pd *pd; /* its QP's: the device's, or its own (mr_plan.h) */
	bool own_pd;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct ibv_mr *buf_mr;
	uint8_t *buf; /* credits RECV slots, then credits SEND slots */
	size_t buf_size;
	unsigned msg_size; /* bytes per slot: the welcome's max_msg */
	unsigned credits;
	uint32_t *free_send; /* stack of free SEND slots */
	unsigned n_free_send;
	uint32_t *pending; /* RECV slots waiting for a SEND slot (FIFO) */
	uint32_t *pending_len;
	unsigned pending_head, n_pending;
	struct pmrd_client_persist persist; /* later requests wait for it */
	struct pmrd_client_job job;	    /* so do they for this */
	bool zombie; /* deleted while the job ran: freed when it ends */
	ev_io cc_watcher;
	struct hlist_node hot_link; /* in env->hot: polled, CQ not armed */
	uint64_t hot_until;	    /* CLOCK_MONOTONIC ns: then arm again */
	enum pmrd_client_state state;
	ev_timer accept_timer; /* accepted, not ESTABLISHED: dropped (server.c) */
	struct pmrd_session sess;
	struct pmrd_keys *keys; /* per-open rkeys on this QP (rkeys.h) */
	uint64_t serial;
	time_t since;  /* connection request accepted */
	char peer[80]; /* "#3 10.77.0.1:40001" */
};

/*
 * pmrd_client_buf_size -- bytes of SEND/RECV buffers a client with CREDITS
 * control slots holds (what max_client_memory counts)
 */
uint64_t pmrd_client_buf_size(const struct pmrd_client_env *env,
			      unsigned credits);

/*
 * pmrd_client_new -- set up a client for the connection request ID: CQ with
 * a completion channel, an RC QP on ID with the device PD (or a PD of its
 * own where pmrd_keys_own_pd says so), CREDITS RECVs
 * posted, the session.  Links it into ENV.  ID is not owned until this
 * succeeds (the caller rejects and destroys it on failure).
 */
int pmrd_client_new(struct pmrd_client_env *env, struct rdma_cm_id *id,
		    unsigned credits, struct pmrd_client **ret);

/*
 * pmrd_client_accept -- rdma_accept *CP with the welcome; RESPONDER is the
 * responder_resources to grant.  Negative errno on failure, and then *CP
 * is no longer the caller's (set to NULL): deleted when it was not
 * accepted, disconnecting (freed on its DISCONNECTED event) when the QP
 * could not be finished after the accept.
 */
int pmrd_client_accept(struct pmrd_client **cp, uint16_t version,
		       uint8_t responder);

/* pmrd_client_established -- the ESTABLISHED event arrived */
void pmrd_client_established(struct pmrd_client *c);

/*
 * pmrd_client_disconnect -- start a disconnect (rdma_disconnect); the
 * client is freed on its DISCONNECTED event.  Idempotent.
 */
void pmrd_client_disconnect(struct pmrd_client *c, const char *why);

/* Read-only views for the admin socket. */
/* pmrd_client_addr -- "10.77.0.1:40001" (the peer without its "#serial ") */
const char *pmrd_client_addr(const struct pmrd_client *c);
/* pmrd_client_state_name -- "accepting", "established", "disconnecting" */
const char *pmrd_client_state_name(const struct pmrd_client *c);

/*
 * The device's async events (async_event.h), for the clients of ENV:
 * pmrd_client_env_qp_event -- QP failed (or, ESTABLISHED, carried data
 * before the RTU: rdmacm is told): its client is disconnected; its name
 * into DETAIL.  False when no client owns QP.
 */
bool pmrd_client_env_qp_event(struct pmrd_client_env *env, struct ibv_qp *qp,
			      enum ibv_event_type type, bool established,
			      char *detail, size_t len);

/* pmrd_client_env_cq_event -- the same for a CQ that failed */
bool pmrd_client_env_cq_event(struct pmrd_client_env *env, struct ibv_cq *cq,
			      char *detail, size_t len);

/*
 * pmrd_client_env_disconnect_all -- pmrd_client_disconnect every client
 * with WHY; returns how many were not disconnecting already
 */
unsigned pmrd_client_env_disconnect_all(struct pmrd_client_env *env,
					const char *why);

/*
 * pmrd_client_delete -- free everything the client holds, unlink it.  A
 * client whose job (key registration, persist) runs on a worker thread is
 * unlinked at once and freed when the thread ends (pmrd_client_env_finish at exit).
 */
void pmrd_client_delete(struct pmrd_client **c);

/*
 * pmrd_client_env_finish -- wait for the worker threads of deleted clients
 * and free them (at exit, once the loop stopped, before the regions go)
 */
void pmrd_client_env_finish(struct pmrd_client_env *env);

#endif
