/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_event.h -- the RDMA device's asynchronous events (the ibv_context's
 * async_fd): read on the event loop, acked, logged, and acted on.
 *
 * A QP or CQ event disconnects the client that owns the QP or CQ; the
 * listen port leaving ACTIVE disconnects every client and new connection
 * requests are refused until it is ACTIVE again (pmrd serves again without
 * a restart); a fatal device error disconnects every client and stops the
 * server.  `pmrctl status` shows the port state and the events seen.
 *
 * The watcher knows the device, not the clients: what is done for a
 * client is its user's (struct pmrd_async_ops, server.c with endpoint.c).
 */
#ifndef PMRD_ASYNC_EVENT_H
#define PMRD_ASYNC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>
#include <infiniband/verbs.h>

struct pmrd_async;

/* What an event means for pmrd (pmrd_async_classify). */
enum pmrd_async_action {
	PMRD_ASYNC_LOG = 0,	   /* informational: logged, nothing else */
	PMRD_ASYNC_QP_FAILED,	   /* a client's QP: disconnect that client */
	PMRD_ASYNC_QP_ESTABLISHED, /* data before the RTU: tell rdmacm */
	PMRD_ASYNC_CQ_FAILED,	   /* a client's CQ: disconnect that client */
	PMRD_ASYNC_PORT_DOWN,	   /* the listen port: disconnect everyone */
	PMRD_ASYNC_PORT_UP,	   /* the listen port: serve again */
	PMRD_ASYNC_DEVICE_FATAL,   /* disconnect everyone, stop serving */
};

/*
 * pmrd_async_classify -- the action for an event of TYPE; PORT is the
 * event's port (port events only) and LISTEN_PORT the port pmrd serves
 * on: events of other ports are only logged.  Pure (unit-tested).
 */
enum pmrd_async_action pmrd_async_classify(enum ibv_event_type type,
					   unsigned port, unsigned listen_port);

/* pmrd_async_action_name -- "qp-failed", "port-down", ... (for messages) */
const char *pmrd_async_action_name(enum pmrd_async_action a);

/*
 * What the watcher's user does about the events (server.c, for its
 * clients and itself).  Every function gets the ARG given to
 * pmrd_async_new.
 */
struct pmrd_async_ops {
	/*
	 * qp -- QP had the event TYPE, which means ACT (QP_FAILED or
	 * QP_ESTABLISHED): act on it and describe the QP's owner into DETAIL
	 * (LEN bytes, for status).  False when no current client owns QP
	 * (QP is only compared, never dereferenced).
	 */
	bool (*qp)(void *arg, struct ibv_qp *qp, enum ibv_event_type type,
		   enum pmrd_async_action act, char *detail, size_t len);
	/* cq -- CQ failed: the same for the owner of a CQ */
	bool (*cq)(void *arg, struct ibv_cq *cq, char *detail, size_t len);
	/* disconnect_all -- tell every client to go (WHY: the reason they
	 * log); returns how many were not disconnecting already */
	unsigned (*disconnect_all)(void *arg, const char *why);
	/* port -- the listen port PORT became ACTIVE, or left it for STATE */
	void (*port)(void *arg, unsigned port, bool active, const char *state);
	/* fatal -- once, when the device reported a fatal error (after
	 * disconnect_all): the server stops */
	void (*fatal)(void *arg);
};

/*
 * pmrd_async_new -- watch VERBS's async_fd (made non-blocking) on LOOP,
 * for the listen port PORT, whose state is queried now; OPS(ARG) act on
 * the events.  Negative errno (logged); *ret untouched on failure.
 */
int pmrd_async_new(struct ev_loop *loop, struct ibv_context *verbs,
		   unsigned port, const struct pmrd_async_ops *ops, void *arg,
		   struct pmrd_async **ret);

/* pmrd_async_delete -- stop watching (pending events are read and acked
 * first); NULL ok, clears the caller's pointer */
void pmrd_async_delete(struct pmrd_async **a);

/*
 * pmrd_async_drain -- read, ack and handle every event pending now.  Call
 * it before destroying a QP or CQ: ibv_destroy_qp/cq wait until every
 * event reported for the object has been acked, and the loop that would
 * ack it is the caller.  Handling must never free a client (OPS may start
 * a disconnect).  NULL ok.
 */
void pmrd_async_drain(struct pmrd_async *a);

/*
 * pmrd_async_port_active -- may a connection be accepted now?  The state
 * the events said, checked with ibv_query_port when they said not active
 * (a PORT_ACTIVE event may still be queued).  True without a watcher.
 */
bool pmrd_async_port_active(struct pmrd_async *a);

#ifdef PMRD_FAULT_INJECTION
/*
 * pmrd_async_synthesize -- handle TYPE as if the device had reported it
 * (fault-injection builds only: rxe raises no QP fatal event, and its port
 * cannot be down while a peer still reaches it).  QP and CQ name the
 * client's objects for QP and CQ events; a synthesized PORT_ERR makes the
 * listen port read DOWN until a synthesized PORT_ACTIVE.
 */
void pmrd_async_synthesize(struct pmrd_async *a, enum ibv_event_type type,
			   struct ibv_qp *qp, struct ibv_cq *cq);
#endif

/* What the admin socket shows (status). */
struct pmrd_async_info {
	unsigned port;		  /* the listen port's number */
	const char *port_state;	  /* "active", "down", "init", "armed", ... */
	time_t port_since;	  /* in this state since (0: since start) */
	uint64_t port_down_count; /* times it left ACTIVE */
	uint64_t n_events;	  /* async events read */
	const char *last_event;	  /* ibv_event_type_str, "" when none */
	const char *last_detail;  /* "port 1", "QP 0x11 of client #3 ..." */
	time_t last_time;
};

/* pmrd_async_info -- fill RET (zeros and "" when A is NULL) */
void pmrd_async_info(const struct pmrd_async *a, struct pmrd_async_info *ret);

#endif
