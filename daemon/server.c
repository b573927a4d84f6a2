/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.c -- the rdmacm listener and the event loop.
 *
 * One libev loop watches the rdmacm event channel (non-blocking, drained
 * in one callback), every client's completion channel (endpoint.c) and the
 * signals.  Each rdmacm event is copied and acked before it is handled, so
 * handling may destroy the event's id (rdma_destroy_id waits for the acks
 * of that id's events).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <ev.h>

#include "admin.h"
#include "async_event.h"
#include "device.h"
#include "endpoint.h"
#include "fault_async.h"
#include "log.h"
#include "notify.h"
#include "peer_log.h"
#include "pmr_proto.h"
#include "region_mr.h"
#include "server.h"
#include "server_priv.h"

#define LISTEN_BACKLOG 128
#define STOP_GRACE_S   3.0
#define CREDITS_MAX    1024 /* whatever the config says: buffers are 8 KiB each */
#define CM_BUDGET      16   /* rdmacm events per callback: then the others */

_Static_assert(PMRD_MSG_MIN == PMR_MSG_MAX_FLOOR && PMRD_MSG_MAX == PMR_MSG_MAX,
	       "conf's max_msg bounds are proto's");

/*
 * accept_timer_cb -- accepted accept_timeout_ms ago and still not
 * ESTABLISHED (pmrd_client_established stops this timer): a peer that
 * never sends its RTU keeps answering the CM's retries, so without this
 * it would hold a client slot, a QP, a CQ and buffers as long as it
 * lives.  Destroying the id rejects the connection.  Restarted by
 * pmrd_client_disconnect: a disconnect started while the port is down
 * completes only after the port is back (rxe on 7.x), and the client's QP
 * and buffers are not held that long.
 */
static void accept_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pmrd_client *c =
		container_of(w, struct pmrd_client, accept_timer);
	struct pmrd_server *s = container_of(c->env, struct pmrd_server, env);

	if (c->state == PMRD_CLIENT_ESTABLISHED)
		return;
	/* libev may run an expired timer before the io watchers of the
	 * same iteration: after a busy spell the ESTABLISHED (or the first
	 * request, which establishes too) may be waiting, so let the CM and
	 * completion callbacks run first */
	if (ev_is_pending(&s->cm_watcher) || ev_is_pending(&c->cc_watcher)) {
		ev_timer_set(w, 0.001, 0.);
		ev_timer_start(loop, w);
		return;
	}
	if (c->state == PMRD_CLIENT_DISCONNECTING)
		log_notice(
			"client %s: disconnect not complete %u ms after it started (accept_timeout_ms): freed",
			c->peer, s->conf->limits.accept_timeout_ms);
	else
		pmrd_peer_log(
			&s->peer_log, LOG_NOTICE,
			"client %s: not established %u ms after the accept (accept_timeout_ms): dropped",
			c->peer, s->conf->limits.accept_timeout_ms);
	pmrd_client_delete(&c);
	if (s->stopping && !s->env.n_clients)
		ev_break(s->loop, EVBREAK_ALL);
}

/* A CM event, copied so the event can be acked before it is handled. */
struct cm_event {
	enum rdma_cm_event_type type;
	int status;
	struct rdma_cm_id *id;
	uint8_t responder_resources; /* the client's initiator depth */
	uint8_t private_data_len;
	uint8_t private_data[UINT8_MAX]; /* the length is a u8 */
};

/*
 * send_reject -- refuse the connection request ID with REASON; ID stays
 * (its owner destroys it: reject() or pmrd_client_delete())
 */
static void send_reject(struct rdma_cm_id *id, uint16_t reason)
{
	struct pmr_reject r = {
		.reason = reason,
		.version = PMR_PROTO_VERSION,
		.min_version = PMR_PROTO_VERSION_MIN,
	};
	uint8_t buf[PMR_REJECT_SIZE];
	int n = pmr_reject_encode(&r, buf, sizeof(buf));

	if (rdma_reject(id, n > 0 ? buf : NULL, n > 0 ? (uint8_t)n : 0))
		log_debug("rdma_reject: %s", strerror(errno));
}

/* reject -- refuse the connection request ID with REASON and destroy ID */
static void reject(struct rdma_cm_id *id, uint16_t reason)
{
	send_reject(id, reason);
	rdma_destroy_id(id);
}

/* credits_for -- what a client asking for ASK control slots gets */
static unsigned credits_for(const struct pmrd_server *s, uint16_t ask)
{
	unsigned c = ask ? ask : 1;

	c = MIN(c, s->conf->limits.max_outstanding);
	c = MIN(c, (unsigned)CREDITS_MAX);
	if (s->dev->caps.max_qp_wr)
		c = MIN(c, s->dev->caps.max_qp_wr);
	if (s->dev->caps.max_cqe > 1)
		c = MIN(c, (unsigned)s->dev->caps.max_cqe / 2);
	return c ? c : 1;
}

/* on_connect_request -- hello, limits, then a client and rdma_accept */
static void on_connect_request(struct pmrd_server *s, struct cm_event *e)
{
	struct pmrd_client *c;
	struct pmr_hello h;
	unsigned responder, credits;
	uint64_t need;
	int version, err;
	char peer[INET6_ADDRSTRLEN + 8];

	if (s->stopping) {
		reject(e->id, PMR_REJECT_SHUTDOWN);
		return;
	}
	if (!pmrd_async_port_active(s->dev->async)) {
		log_notice(
			"connection request rejected: the RDMA port is down");
		reject(e->id, PMR_REJECT_PORT_DOWN);
		return;
	}
	err = pmr_hello_decode(e->private_data, e->private_data_len, &h);
	if (err) {
		pmrd_peer_log(
			&s->peer_log, LOG_INFO,
			"connection request from %s with a bad hello (%u bytes): rejected",
			pmrd_peer_name(e->id, peer, sizeof(peer)),
			e->private_data_len);
		reject(e->id, PMR_REJECT_BAD_HELLO);
		return;
	}
	version = pmr_version_negotiate(h.min_version, h.version,
					PMR_PROTO_VERSION_MIN,
					PMR_PROTO_VERSION);
	if (version < 0) {
		pmrd_peer_log(
			&s->peer_log, LOG_INFO,
			"connection request from %s for protocol %u..%u (we speak %u..%u): rejected",
			pmrd_peer_name(e->id, peer, sizeof(peer)),
			h.min_version, h.version, PMR_PROTO_VERSION_MIN,
			PMR_PROTO_VERSION);
		reject(e->id, PMR_REJECT_VERSION);
		return;
	}
	if (s->env.n_clients >= s->conf->limits.max_clients) {
		pmrd_peer_log(
			&s->peer_log, LOG_NOTICE,
			"connection request from %s rejected: %u clients connected (max_clients)",
			pmrd_peer_name(e->id, peer, sizeof(peer)),
			s->env.n_clients);
		reject(e->id, PMR_REJECT_TOO_MANY);
		return;
	}
	credits = credits_for(s, h.credits);
	need = pmrd_client_buf_size(&s->env, credits);
	if (s->env.buf_bytes + need > s->conf->limits.max_client_memory) {
		pmrd_peer_log(
			&s->peer_log, LOG_NOTICE,
			"connection request from %s rejected: its %llu buffer bytes would exceed max_client_memory (%llu of %llu in use)",
			pmrd_peer_name(e->id, peer, sizeof(peer)),
			(unsigned long long)need,
			(unsigned long long)s->env.buf_bytes,
			(unsigned long long)s->conf->limits.max_client_memory);
		reject(e->id, PMR_REJECT_MEMORY);
		return;
	}
	err = pmrd_client_new(&s->env, e->id, credits, &c);
	if (err) {
		/* mostly a peer that went away at once: nothing of ours */
		pmrd_peer_log(
			&s->peer_log, err == -ENOMEM ? LOG_WARNING : LOG_INFO,
			"connection request from %s: cannot set up the connection: %s",
			pmrd_peer_name(e->id, peer, sizeof(peer)),
			strerror(-err));
		reject(e->id, PMR_REJECT_INTERNAL);
		return;
	}
	/* allow lists use the rdmacm peer address; PSK proofs the nonces */
	err = pmrd_auth_conn_start(
		&c->sess.auth, &s->env.auth, rdma_get_peer_addr(e->id),
		version >= PMR_PROTO_VERSION_AUTH ? h.nonce : NULL);
	if (err) {
		log_err("client %s: no random nonce: rejected", c->peer);
		/* the client owns the id now: its delete destroys it */
		send_reject(e->id, PMR_REJECT_INTERNAL);
		pmrd_client_delete(&c);
		return;
	}
	/*
	 * The event's responder_resources is the client's initiator depth.
	 * Grant at least one even when it asked for none: rxe on 7.x
	 * dereferences a zero-sized resource array (kernel oops) when a
	 * FLUSH or READ reaches a QP with max_dest_rd_atomic 0.
	 */
	responder = MIN((unsigned)e->responder_resources,
			(unsigned)MAX(s->dev->caps.max_qp_rd_atom, 1));
	responder = MAX(responder, 1u);
	/* started first: a client whose QP set-up fails after the accept is
	 * disconnecting, and its disconnect may never complete before an RTU */
	ev_timer_init(&c->accept_timer, accept_timer_cb,
		      s->conf->limits.accept_timeout_ms / 1000., 0.);
	ev_timer_start(s->loop, &c->accept_timer);
	pmrd_peer_name(e->id, peer, sizeof(peer));
	/* on failure the client is gone, or disconnecting (freed on its
	 * DISCONNECTED event or by the accept timer) */
	err = pmrd_client_accept(&c, (uint16_t)version, (uint8_t)responder);
	if (err)
		pmrd_peer_log(&s->peer_log, LOG_INFO,
			      "connection request from %s: not accepted: %s",
			      peer, strerror(-err));
}

/* maybe_finish_stop -- the last client is gone: leave the loop */
static void maybe_finish_stop(struct pmrd_server *s)
{
	if (s->stopping && !s->env.n_clients)
		ev_break(s->loop, EVBREAK_ALL);
}

/* handle_cm_event -- dispatch one (already acked) rdmacm event */
static void handle_cm_event(struct pmrd_server *s, struct cm_event *e)
{
	struct pmrd_client *c = NULL;

	if (e->type == RDMA_CM_EVENT_CONNECT_REQUEST) {
		on_connect_request(s, e);
		return;
	}
	if (e->id == s->dev->listen_id) {
		switch (e->type) {
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			log_err("RDMA device %s removed: stopping",
				ibv_get_device_name(s->dev->verbs->device));
			s->result = -ENODEV;
			ev_break(s->loop, EVBREAK_ALL);
			break;
		case RDMA_CM_EVENT_ADDR_CHANGE:
			log_warn(
				"listen address %s changed (bonding failover?)",
				s->dev->addr);
			break;
		default:
			log_debug("listen id: %s", rdma_event_str(e->type));
		}
		return;
	}

	c = e->id->context;
	if (!c) {
		log_debug("%s on an unknown id", rdma_event_str(e->type));
		return;
	}
	switch (e->type) {
	case RDMA_CM_EVENT_ESTABLISHED:
		pmrd_client_established(c);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		log_debug("client %s: DISCONNECTED", c->peer);
		pmrd_client_delete(&c);
		break;
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		pmrd_peer_log(&s->peer_log, LOG_INFO,
			      "client %s: %s (status %d) before it connected",
			      c->peer, rdma_event_str(e->type), e->status);
		pmrd_client_delete(&c);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		log_err("client %s: RDMA device removed", c->peer);
		pmrd_client_delete(&c);
		s->result = -ENODEV;
		ev_break(s->loop, EVBREAK_ALL);
		break;
	case RDMA_CM_EVENT_ADDR_CHANGE:
		pmrd_client_disconnect(c, "address changed");
		break;
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	default:
		log_debug("client %s: %s", c->peer, rdma_event_str(e->type));
	}
	maybe_finish_stop(s);
}

/* cm_cb -- the rdmacm event channel is readable: up to CM_BUDGET events */
static void cm_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pmrd_server *s = container_of(w, struct pmrd_server, cm_watcher);
	struct rdma_cm_event *ev;
	struct cm_event e;
	unsigned n = 0;

	while (n++ < CM_BUDGET && !rdma_get_cm_event(s->dev->ec, &ev)) {
		memset(&e, 0, sizeof(e));
		e.type = ev->event;
		e.status = ev->status;
		e.id = ev->id;
		if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
			const struct rdma_conn_param *p = &ev->param.conn;

			e.responder_resources = p->responder_resources;
			if (p->private_data && p->private_data_len) {
				e.private_data_len = (uint8_t)MIN(
					(size_t)p->private_data_len,
					sizeof(e.private_data));
				memcpy(e.private_data, p->private_data,
				       e.private_data_len);
			}
		}
		rdma_ack_cm_event(ev);
		handle_cm_event(s, &e);
	}
	if (n > CM_BUDGET)
		return; /* the rest next iteration: the fd stays readable */
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		log_err("rdma_get_cm_event: %s", strerror(errno));
}

/* stop_timer_cb -- clients did not all leave in time: stop anyway */
static void stop_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pmrd_server *s = container_of(w, struct pmrd_server, stop_timer);

	log_notice("%u clients did not disconnect in %.0f s: dropping them",
		   s->env.n_clients, STOP_GRACE_S);
	ev_break(loop, EVBREAK_ALL);
}

/* device_fatal -- the device reported a fatal error: leave the loop */
static void device_fatal(void *arg)
{
	struct pmrd_server *s = arg;

	s->result = -ENODEV;
	ev_break(s->loop, EVBREAK_ALL);
}

/* async_qp / async_cq / async_disconnect_all -- the device's async events
 * for the clients (async_event.h, endpoint.h) */
static bool async_qp(void *arg, struct ibv_qp *qp, enum ibv_event_type type,
		     enum pmrd_async_action act, char *detail, size_t len)
{
	struct pmrd_server *s = arg;

	return pmrd_client_env_qp_event(&s->env, qp, type,
					act == PMRD_ASYNC_QP_ESTABLISHED,
					detail, len);
}

static bool async_cq(void *arg, struct ibv_cq *cq, char *detail, size_t len)
{
	struct pmrd_server *s = arg;

	return pmrd_client_env_cq_event(&s->env, cq, detail, len);
}

static unsigned async_disconnect_all(void *arg, const char *why)
{
	struct pmrd_server *s = arg;

	return pmrd_client_env_disconnect_all(&s->env, why);
}

/* async_port -- the listen port came back or went: tell systemd */
static void async_port(void *arg, unsigned port, bool active, const char *state)
{
	struct pmrd_server *s = arg;

	if (active)
		pmrd_notify("STATUS=serving on %s (port active again)",
			    s->dev->addr);
	else
		pmrd_notify("STATUS=port %u of %s is %s: not serving", port,
			    ibv_get_device_name(s->dev->verbs->device), state);
}

static const struct pmrd_async_ops async_ops = {
	.qp = async_qp,
	.cq = async_cq,
	.disconnect_all = async_disconnect_all,
	.port = async_port,
	.fatal = device_fatal,
};

/* begin_stop -- refuse new clients, disconnect the others, then leave */
static void begin_stop(struct pmrd_server *s, const char *why)
{
	struct pmrd_client *c;
	struct hlist_node *next;

	if (s->stopping) {
		log_notice("%s again: stopping now", why);
		ev_break(s->loop, EVBREAK_ALL);
		return;
	}
	s->stopping = true;
	log_notice("%s: stopping (%u clients to disconnect)", why,
		   s->env.n_clients);
	pmrd_notify("STOPPING=1\nSTATUS=stopping: disconnecting %u clients",
		    s->env.n_clients);
	hlist_for_each_entry_safe(c, next, &s->env.clients, link)
		pmrd_client_disconnect(c, "server stopping");
	if (!s->env.n_clients) {
		ev_break(s->loop, EVBREAK_ALL);
		return;
	}
	ev_timer_init(&s->stop_timer, stop_timer_cb, STOP_GRACE_S, 0.);
	ev_timer_start(s->loop, &s->stop_timer);
}

/* signal_cb -- SIGINT/SIGTERM stop, SIGHUP would reload */
static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct pmrd_server *s = w->data;

	if (w->signum == SIGHUP) {
		if (s->stopping)
			log_notice("SIGHUP while stopping: ignored");
		else
			pmrd_server_reload(s);
		return;
	}
	begin_stop(s, w->signum == SIGINT ? "SIGINT" : "SIGTERM");
}

/* register_regions -- one export per region; any failure fails the start */
static int register_regions(struct pmrd_server *s, struct pmrd_region **regions,
			    size_t n)
{
	int err;

	s->exports = calloc(n ? n : 1, sizeof(*s->exports));
	if (!s->exports)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		err = pmrd_export_new(s->dev, regions[i], s->env.keys,
				      &s->exports[i]);
		if (err)
			return err;
		s->n_exports++;
		s->env.qp_extra_access |=
			pmrd_mr_qp_access(&s->exports[i]->plan);
	}
	return 0;
}

/*
 * start_signals -- catch SIGINT/SIGTERM/SIGHUP from now on; one arriving
 * while regions are registered is handled when the loop starts (an
 * orderly stop instead of death by the default action)
 */
static void start_signals(struct pmrd_server *s)
{
	ev_signal_init(&s->sigint, signal_cb, SIGINT);
	ev_signal_init(&s->sigterm, signal_cb, SIGTERM);
	ev_signal_init(&s->sighup, signal_cb, SIGHUP);
	s->sigint.data = s->sigterm.data = s->sighup.data = s;
	ev_signal_start(s->loop, &s->sigint);
	ev_signal_start(s->loop, &s->sigterm);
	ev_signal_start(s->loop, &s->sighup);
	pmrd_fault_async_start(s);
}

/* pmrd_server_run -- see server.h */
int pmrd_server_run(const struct pmrd_conf *conf, struct pmrd_region **regions,
		    size_t n)
{
	struct pmrd_server s;
	struct pmrd_client *c;
	unsigned port;
	int err;

	memset(&s, 0, sizeof(s));
	s.conf = conf;
	s.loop = ev_loop_new(EVFLAG_AUTO);
	if (!s.loop) {
		log_err("cannot create the event loop");
		return -ENOMEM;
	}
	start_signals(&s);
	err = pmrd_device_open(conf->listen_host, conf->listen_port, &s.dev);
	if (err)
		goto out_destroy_loop;

	s.env.loop = s.loop;
	s.env.dev = s.dev;
	s.env.limits = &conf->limits;
	pmrd_excl_init(&s.env.excl, conf->state_dir);
	if (access(conf->state_dir, W_OK | X_OK))
		log_warn(
			"state_dir %s: %s: exclusive opens will fail until it is a writable directory",
			conf->state_dir, strerror(errno));
	pmrd_peer_log_init(&s.peer_log, s.loop);
	/* read once: a client's PD follows from it (mr_plan.h) */
	err = pmrd_keys_choose(s.dev, conf->keys, &s.env.keys);
	if (err)
		goto out_dereg_regions;
	err = pmrd_auth_new(conf, &s.env.auth);
	if (err)
		goto out_dereg_regions;
	err = register_regions(&s, regions, n);
	if (err)
		goto out_dereg_regions;
	s.env.exports = s.exports;
	s.env.n_exports = s.n_exports;
	/* from here on the regions are ours: a reload may close some */
	for (size_t i = 0; i < n; i++)
		regions[i] = NULL;
	s.owns_regions = true;

	err = pmrd_device_listen(s.dev, LISTEN_BACKLOG);
	if (err)
		goto out_dereg_regions;
	ev_io_init(&s.cm_watcher, cm_cb, s.dev->ec->fd, EV_READ);
	ev_io_start(s.loop, &s.cm_watcher);
	port = s.dev->listen_id->port_num ? s.dev->listen_id->port_num : 1;
	err = pmrd_async_new(s.loop, s.dev->verbs, port, &async_ops, &s,
			     &s.dev->async);
	if (err)
		goto out_stop_cm;
	s.started = time(NULL);
	err = pmrd_admin_new(s.loop, conf->admin_socket,
			     pmrd_server_admin_handle, &s, &s.admin);
	if (err)
		goto out_stop_cm;
	pmrd_notify("READY=1\nSTATUS=serving %zu regions on %s", s.n_exports,
		    s.dev->addr);
	log_notice(
		"serving %zu regions on %s (max %u clients, %u regions and %u requests in flight per client, %u open regions in all, %u-byte messages, %llu bytes of client buffers, accept timeout %u ms, keys %s)",
		s.n_exports, s.dev->addr, conf->limits.max_clients,
		conf->limits.max_regions_per_client,
		conf->limits.max_outstanding, conf->limits.max_handles,
		conf->limits.max_msg,
		(unsigned long long)conf->limits.max_client_memory,
		conf->limits.accept_timeout_ms,
		pmrd_keys_strategy_name(s.env.keys));

	ev_run(s.loop, 0);
	err = s.result;

	/* a request not finished (a PERSIST in progress, an OPEN waiting for
	 * its key) is not answered yet: dropping the clients loses nothing
	 * acknowledged */
	while ((c = hlist_entry_safe(s.env.clients.first, struct pmrd_client,
				     link)))
		pmrd_client_delete(&c);
	pmrd_client_env_finish(&s.env);
	ev_timer_stop(s.loop, &s.stop_timer);
	pmrd_peer_log_fini(&s.peer_log);
	pmrd_admin_delete(&s.admin);
out_stop_cm:
	ev_io_stop(s.loop, &s.cm_watcher);
	if (!err)
		log_notice("stopped");
out_dereg_regions:
	pmrd_server_release_all(&s);
	pmrd_device_close(&s.dev);
out_destroy_loop:
	pmrd_fault_async_stop(&s);
	ev_signal_stop(s.loop, &s.sighup);
	ev_signal_stop(s.loop, &s.sigterm);
	ev_signal_stop(s.loop, &s.sigint);
	ev_loop_destroy(s.loop);
	return err;
}
