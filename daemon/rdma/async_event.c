/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_event.c -- the device's asynchronous events on the event loop.
 *
 * Each event is copied and acked before it is handled: ibv_destroy_qp and
 * ibv_destroy_cq block until every event the kernel reported for the
 * object is acked, and pmrd is one thread, so an unread event for a QP
 * would hang the daemon in the destroy of a client that failed (endpoint.c
 * calls pmrd_async_drain before it destroys anything).
 *
 * The port state is what ibv_query_port says after each port event, not
 * the event's type: events queue, and rxe reports PORT_ACTIVE twice when
 * a link comes up (once for the netdev going up, once for its carrier).
 * A port that left ACTIVE loses every client (their QPs cannot reach the
 * peers; a connection that crossed a port-down is not trusted to have
 * lost nothing in flight), and connection requests are refused with
 * PMR_REJECT_PORT_DOWN until it is ACTIVE again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>
#include <rdma/rdma_cma.h>

#include "async_event.h"
#include "log.h"
#include "util.h"

/* events handled per loop callback: the loop serves everything else in
 * between, whatever a device floods us with */
#define ASYNC_BUDGET 64

struct pmrd_async {
	struct ev_loop *loop;
	struct ibv_context *verbs;
	unsigned port; /* the listen port */
	enum ibv_port_state state;
	time_t port_since;
	uint64_t port_down_count;
	const struct pmrd_async_ops *ops;
	void *arg;
	bool fatal_seen;
	bool broken; /* reading failed for good: the watcher is stopped */
	ev_io watcher;
	uint64_t n_events;
	const char *last_event;
	time_t last_time;
	char last_detail[128];
#ifdef PMRD_FAULT_INJECTION
	bool forced_down; /* a synthesized PORT_ERR, until a PORT_ACTIVE */
#endif
};

/* pmrd_async_classify -- see async_event.h */
enum pmrd_async_action pmrd_async_classify(enum ibv_event_type type,
					   unsigned port, unsigned listen_port)
{
	switch (type) {
	case IBV_EVENT_QP_FATAL:
	case IBV_EVENT_QP_REQ_ERR:
	case IBV_EVENT_QP_ACCESS_ERR:
	case IBV_EVENT_PATH_MIG_ERR:
		return PMRD_ASYNC_QP_FAILED;
	case IBV_EVENT_COMM_EST:
		return PMRD_ASYNC_QP_ESTABLISHED;
	case IBV_EVENT_CQ_ERR:
		return PMRD_ASYNC_CQ_FAILED;
	case IBV_EVENT_PORT_ERR:
		return port == listen_port ? PMRD_ASYNC_PORT_DOWN :
					     PMRD_ASYNC_LOG;
	case IBV_EVENT_PORT_ACTIVE:
		return port == listen_port ? PMRD_ASYNC_PORT_UP :
					     PMRD_ASYNC_LOG;
	case IBV_EVENT_DEVICE_FATAL:
		return PMRD_ASYNC_DEVICE_FATAL;
	default:
		/*
		 * SQ_DRAINED, PATH_MIG, QP_LAST_WQE_REACHED (QP); SRQ_ERR,
		 * SRQ_LIMIT_REACHED (pmrd has no SRQ); WQ_FATAL (no WQ);
		 * LID, PKEY, SM, GID changes, CLIENT_REREGISTER (port).
		 */
		return PMRD_ASYNC_LOG;
	}
}

/* pmrd_async_action_name -- see async_event.h */
const char *pmrd_async_action_name(enum pmrd_async_action a)
{
	switch (a) {
	case PMRD_ASYNC_LOG:
		return "log";
	case PMRD_ASYNC_QP_FAILED:
		return "qp-failed";
	case PMRD_ASYNC_QP_ESTABLISHED:
		return "qp-established";
	case PMRD_ASYNC_CQ_FAILED:
		return "cq-failed";
	case PMRD_ASYNC_PORT_DOWN:
		return "port-down";
	case PMRD_ASYNC_PORT_UP:
		return "port-up";
	case PMRD_ASYNC_DEVICE_FATAL:
		return "device-fatal";
	}
	return "?";
}

/* port_state_name -- lower-case port state for messages and status */
static const char *port_state_name(enum ibv_port_state s)
{
	switch (s) {
	case IBV_PORT_NOP:
		return "nop";
	case IBV_PORT_DOWN:
		return "down";
	case IBV_PORT_INIT:
		return "init";
	case IBV_PORT_ARMED:
		return "armed";
	case IBV_PORT_ACTIVE:
		return "active";
	case IBV_PORT_ACTIVE_DEFER:
		return "active-defer";
	}
	return "unknown";
}

/* A copy of one event: the original is acked before it is handled. */
struct async_copy {
	enum ibv_event_type type;
	struct ibv_qp *qp; /* compared with the clients', never dereferenced */
	struct ibv_cq *cq;
	unsigned port;
};

/* dev_name -- the device's name, for messages */
static const char *dev_name(const struct pmrd_async *a)
{
	return ibv_get_device_name(a->verbs->device);
}

/* query_state -- the listen port's state now (DOWN when the query fails) */
static enum ibv_port_state query_state(struct pmrd_async *a)
{
	struct ibv_port_attr pa;
	int err;

#ifdef PMRD_FAULT_INJECTION
	if (a->forced_down)
		return IBV_PORT_DOWN;
#endif
	memset(&pa, 0, sizeof(pa));
	err = ibv_query_port(a->verbs, (uint8_t)a->port, &pa);
	if (err) {
		log_warn("device %s: ibv_query_port %u: %s", dev_name(a),
			 a->port, strerror(err));
		return IBV_PORT_DOWN;
	}
	return pa.state;
}

/* set_state -- record the port's new state S; true when it changed */
static bool set_state(struct pmrd_async *a, enum ibv_port_state s)
{
	bool was_active = a->state == IBV_PORT_ACTIVE;

	if (s == a->state)
		return false;
	a->state = s;
	a->port_since = time(NULL);
	if (was_active)
		a->port_down_count++;
	return true;
}

/* on_qp -- a client's QP failed (or established early) */
static void on_qp(struct pmrd_async *a, const struct async_copy *e,
		  enum pmrd_async_action act)
{
	if (a->ops->qp(a->arg, e->qp, e->type, act, a->last_detail,
		       sizeof(a->last_detail)))
		return;
	snprintf(a->last_detail, sizeof(a->last_detail),
		 "a QP of no current client");
	log_info("device %s: %s on a QP of no current client", dev_name(a),
		 ibv_event_type_str(e->type));
}

/* on_cq -- a client's CQ overran or failed */
static void on_cq(struct pmrd_async *a, const struct async_copy *e)
{
	if (a->ops->cq(a->arg, e->cq, a->last_detail, sizeof(a->last_detail)))
		return;
	snprintf(a->last_detail, sizeof(a->last_detail),
		 "a CQ of no current client");
	log_info("device %s: CQ error on a CQ of no current client",
		 dev_name(a));
}

/* on_port -- a port event of the listen port: follow the real state */
static void on_port(struct pmrd_async *a, const struct async_copy *e)
{
	const char *what = ibv_event_type_str(e->type);
	bool was_active = a->state == IBV_PORT_ACTIVE;
	enum ibv_port_state s = query_state(a);
	unsigned n;

	snprintf(a->last_detail, sizeof(a->last_detail), "port %u, now %s",
		 e->port, port_state_name(s));
	set_state(a, s);
	if (e->type == IBV_EVENT_PORT_ERR) {
		/* a flap shorter than our reaction still broke the links */
		n = a->ops->disconnect_all(a->arg, "port error");
		if (s == IBV_PORT_ACTIVE && was_active)
			a->port_down_count++; /* down and up before we looked */
		if (s == IBV_PORT_ACTIVE)
			log_warn(
				"device %s port %u: %s (active again already): disconnected %u clients",
				dev_name(a), e->port, what, n);
		else
			log_warn(
				"device %s port %u: %s, port %s: disconnected %u clients; connection requests are refused until the port is active again",
				dev_name(a), e->port, what, port_state_name(s),
				n);
	}
	if (s == IBV_PORT_ACTIVE && !was_active) {
		log_notice("device %s port %u: %s: serving again", dev_name(a),
			   e->port, what);
		a->ops->port(a->arg, e->port, true, port_state_name(s));
	} else if (s != IBV_PORT_ACTIVE && was_active) {
		a->ops->port(a->arg, e->port, false, port_state_name(s));
	} else if (e->type == IBV_EVENT_PORT_ACTIVE) {
		log_info("device %s port %u: %s (port %s already)", dev_name(a),
			 e->port, what, port_state_name(s));
	}
}

/* on_fatal -- the device is gone for good: every client, then the server */
static void on_fatal(struct pmrd_async *a)
{
	unsigned n;

	snprintf(a->last_detail, sizeof(a->last_detail), "device %s",
		 dev_name(a));
	if (a->fatal_seen)
		return;
	a->fatal_seen = true;
	a->state = IBV_PORT_DOWN;
	a->port_since = time(NULL);
	n = a->ops->disconnect_all(a->arg, "device fatal error");
	log_err("device %s: fatal error (async event): disconnected %u clients; stopping (a restart opens the device anew)",
		dev_name(a), n);
	a->ops->fatal(a->arg);
}

/* handle -- one event, already acked */
static void handle(struct pmrd_async *a, const struct async_copy *e)
{
	enum pmrd_async_action act =
		pmrd_async_classify(e->type, e->port, a->port);

	a->n_events++;
	a->last_event = ibv_event_type_str(e->type);
	a->last_time = time(NULL);
	a->last_detail[0] = '\0';
	switch (act) {
	case PMRD_ASYNC_QP_FAILED:
	case PMRD_ASYNC_QP_ESTABLISHED:
		on_qp(a, e, act);
		break;
	case PMRD_ASYNC_CQ_FAILED:
		on_cq(a, e);
		break;
	case PMRD_ASYNC_PORT_DOWN:
	case PMRD_ASYNC_PORT_UP:
		on_port(a, e);
		break;
	case PMRD_ASYNC_DEVICE_FATAL:
		on_fatal(a);
		break;
	case PMRD_ASYNC_LOG:
		if (e->type == IBV_EVENT_PORT_ACTIVE ||
		    e->type == IBV_EVENT_PORT_ERR ||
		    e->type == IBV_EVENT_LID_CHANGE ||
		    e->type == IBV_EVENT_PKEY_CHANGE ||
		    e->type == IBV_EVENT_SM_CHANGE ||
		    e->type == IBV_EVENT_CLIENT_REREGISTER ||
		    e->type == IBV_EVENT_GID_CHANGE)
			snprintf(a->last_detail, sizeof(a->last_detail),
				 "port %u", e->port);
		log_info("device %s: async event %s%s%s", dev_name(a),
			 a->last_event, a->last_detail[0] ? " on " : "",
			 a->last_detail);
		break;
	}
}

/* read_one -- take one event off the fd, copy and ack it; false: none */
static bool read_one(struct pmrd_async *a, struct async_copy *e)
{
	struct ibv_async_event ev;

	if (ibv_get_async_event(a->verbs, &ev)) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && !a->broken) {
			/* a removed device: its fd stays readable, and
			 * rdmacm's DEVICE_REMOVAL stops the server */
			log_warn(
				"device %s: ibv_get_async_event: %s; no more async events are read",
				dev_name(a), strerror(errno));
			a->broken = true;
		}
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->type = ev.event_type;
	switch (ev.event_type) {
	case IBV_EVENT_CQ_ERR:
		e->cq = ev.element.cq;
		break;
	case IBV_EVENT_QP_FATAL:
	case IBV_EVENT_QP_REQ_ERR:
	case IBV_EVENT_QP_ACCESS_ERR:
	case IBV_EVENT_COMM_EST:
	case IBV_EVENT_SQ_DRAINED:
	case IBV_EVENT_PATH_MIG:
	case IBV_EVENT_PATH_MIG_ERR:
	case IBV_EVENT_QP_LAST_WQE_REACHED:
		e->qp = ev.element.qp;
		break;
	case IBV_EVENT_PORT_ACTIVE:
	case IBV_EVENT_PORT_ERR:
	case IBV_EVENT_LID_CHANGE:
	case IBV_EVENT_PKEY_CHANGE:
	case IBV_EVENT_SM_CHANGE:
	case IBV_EVENT_CLIENT_REREGISTER:
	case IBV_EVENT_GID_CHANGE:
		e->port = (unsigned)ev.element.port_num;
		break;
	default:
		break;
	}
	ibv_ack_async_event(&ev);
	return true;
}

/* async_cb -- the async fd is readable: up to ASYNC_BUDGET events */
static void async_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pmrd_async *a = container_of(w, struct pmrd_async, watcher);
	struct async_copy e;

	for (int i = 0; i < ASYNC_BUDGET && read_one(a, &e); i++)
		handle(a, &e);
	if (a->broken)
		ev_io_stop(loop, w);
}

/* pmrd_async_drain -- see async_event.h */
void pmrd_async_drain(struct pmrd_async *a)
{
	struct async_copy e;

	if (!a)
		return;
	while (read_one(a, &e))
		handle(a, &e);
}

#ifdef PMRD_FAULT_INJECTION
/* pmrd_async_synthesize -- see async_event.h */
void pmrd_async_synthesize(struct pmrd_async *a, enum ibv_event_type type,
			   struct ibv_qp *qp, struct ibv_cq *cq)
{
	struct async_copy e = { .type = type, .qp = qp, .cq = cq };

	if (type == IBV_EVENT_PORT_ERR || type == IBV_EVENT_PORT_ACTIVE) {
		e.port = a->port;
		a->forced_down = type == IBV_EVENT_PORT_ERR;
	}
	log_notice("device %s: fault injection: synthesized async event %s",
		   dev_name(a), ibv_event_type_str(type));
	handle(a, &e);
}
#endif

/* pmrd_async_port_active -- see async_event.h */
bool pmrd_async_port_active(struct pmrd_async *a)
{
	if (!a)
		return true;
	if (a->state == IBV_PORT_ACTIVE)
		return true;
	if (a->fatal_seen)
		return false;
	/* the PORT_ACTIVE event may be queued behind this request */
	if (set_state(a, query_state(a)) && a->state == IBV_PORT_ACTIVE)
		log_notice("device %s port %u: active again: serving",
			   dev_name(a), a->port);
	return a->state == IBV_PORT_ACTIVE;
}

/* pmrd_async_info -- see async_event.h */
void pmrd_async_info(const struct pmrd_async *a, struct pmrd_async_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->port_state = "";
	ret->last_event = "";
	ret->last_detail = "";
	if (!a)
		return;
	ret->port = a->port;
	ret->port_state = port_state_name(a->state);
	ret->port_since = a->port_since;
	ret->port_down_count = a->port_down_count;
	ret->n_events = a->n_events;
	ret->last_event = a->last_event ? a->last_event : "";
	ret->last_detail = a->last_detail;
	ret->last_time = a->last_time;
}

/* pmrd_async_new -- see async_event.h */
int pmrd_async_new(struct ev_loop *loop, struct ibv_context *verbs,
		   unsigned port, const struct pmrd_async_ops *ops, void *arg,
		   struct pmrd_async **ret)
{
	struct pmrd_async *a;
	int flags;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->loop = loop;
	a->verbs = verbs;
	a->port = port;
	a->ops = ops;
	a->arg = arg;
	flags = fcntl(verbs->async_fd, F_GETFL);
	if (flags < 0 ||
	    fcntl(verbs->async_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		int err = -errno;

		log_err("device %s: async event fd: O_NONBLOCK: %s",
			dev_name(a), strerror(-err));
		free(a);
		return err;
	}
	a->state = query_state(a);
	if (a->state != IBV_PORT_ACTIVE)
		log_warn(
			"device %s port %u is %s: connection requests are refused until it is active",
			dev_name(a), a->port, port_state_name(a->state));
	ev_io_init(&a->watcher, async_cb, verbs->async_fd, EV_READ);
	ev_io_start(loop, &a->watcher);
	*ret = a;
	return 0;
}

/* pmrd_async_delete -- see async_event.h */
void pmrd_async_delete(struct pmrd_async **ap)
{
	struct pmrd_async *a = ap ? *ap : NULL;
	struct async_copy e;

	if (!a)
		return;
	ev_io_stop(a->loop, &a->watcher);
	/* acked, not acted on: nobody is left to act for */
	while (read_one(a, &e))
		log_debug("device %s: async event %s at exit", dev_name(a),
			  ibv_event_type_str(e.type));
	free(a);
	*ap = NULL;
}
