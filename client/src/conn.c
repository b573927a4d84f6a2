/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c -- connection set-up and tear-down: rdmacm address and route,
 * the QP, buffers and op slots, the hello/welcome exchange, the fds the
 * caller waits on
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check.h"
#include "completion.h"
#include "conn.h"
#include "ctl.h"
#include "log_cb.h"
#include "op.h"

/* set_nonblock -- O_NONBLOCK on FD */
static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* cm_wait -- the next rdmacm event within TIMEOUT_MS, or -ETIMEDOUT */
static int cm_wait(struct rdma_event_channel *ec, unsigned int timeout_ms,
		   struct rdma_cm_event **ret)
{
	struct pollfd pfd = { .fd = ec->fd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (rdma_get_cm_event(ec, ret))
		return -errno;
	return 0;
}

/* cm_expect -- wait for event WANT; others become errors */
static int cm_expect(struct pmr_conn *conn, enum rdma_cm_event_type want)
{
	struct rdma_cm_event *ev;
	int rc;

	rc = cm_wait(conn->ec, conn->cfg.timeout_ms, &ev);
	if (rc)
		return rc;
	if (ev->event == want) {
		rdma_ack_cm_event(ev);
		return 0;
	}
	pmr_err("expected %s, got %s (status %d)", rdma_event_str(want),
		rdma_event_str(ev->event), ev->status);
	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
		rc = -EHOSTUNREACH;
		break;
	default:
		rc = ev->status < 0 ? ev->status : -ECONNREFUSED;
		break;
	}
	rdma_ack_cm_event(ev);
	return rc;
}

/* resolve -- resolve HOST:PORT's address and route on CONN's id */
static int resolve(struct pmr_conn *conn, const char *host, const char *port)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP };
	struct rdma_addrinfo *res;
	int rc;

	rc = rdma_getaddrinfo(host, port, &hints, &res);
	if (rc) {
		pmr_err("cannot resolve %s:%s", host, port);
		return -EHOSTUNREACH;
	}
	rc = rdma_resolve_addr(conn->id, NULL, res->ai_dst_addr,
			       (int)conn->cfg.timeout_ms);
	rdma_freeaddrinfo(res);
	if (rc)
		return -errno;
	rc = cm_expect(conn, RDMA_CM_EVENT_ADDR_RESOLVED);
	if (rc)
		return rc;
	if (rdma_resolve_route(conn->id, (int)conn->cfg.timeout_ms))
		return -errno;
	return cm_expect(conn, RDMA_CM_EVENT_ROUTE_RESOLVED);
}

/*
 * create_qp -- an RC QP: extended (ibv_wr_*, with FLUSH and ATOMIC WRITE
 * where the device and rdma-core have them, and CAS / fetch-add where the
 * device has atomics), else classic
 */
static int create_qp(struct pmr_conn *conn)
{
	uint64_t ops = IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_RDMA_READ |
		       IBV_QP_EX_WITH_SEND;
	/* what later attempts leave out: the newer operations, ATOMIC
	 * WRITE first (so a provider refusing only it keeps FLUSH) */
	uint64_t optional = 0, drop = 0;
	struct ibv_device_attr_ex dev = { 0 };
	struct ibv_qp_init_attr_ex a;
	int attempt;

	if (!ibv_query_device_ex(conn->id->verbs, NULL, &dev) &&
	    dev.orig_attr.atomic_cap != IBV_ATOMIC_NONE) {
		conn->local_atomics = true;
		ops |= IBV_QP_EX_WITH_ATOMIC_CMP_AND_SWP |
		       IBV_QP_EX_WITH_ATOMIC_FETCH_AND_ADD;
	}
#ifdef PMRD_HAVE_IBV_FLUSH
	/* bit 39: the kernel's IB_DEVICE_FLUSH_PERSISTENT (rdma-core has
	 * no name for it; tests/vm/probe/pmr_probe.c checks it on each
	 * platform); the QP flag alone is not a promise the device
	 * executes FLUSH */
	if (dev.device_cap_flags_ex & (1ULL << 39))
		optional |= IBV_QP_EX_WITH_FLUSH;
#endif
#ifdef PMRD_HAVE_IBV_ATOMIC_WRITE
	/* bit 40: IB_UVERBS_DEVICE_ATOMIC_WRITE, likewise */
	if (dev.device_cap_flags_ex & (1ULL << 40)) {
		optional |= IBV_QP_EX_WITH_ATOMIC_WRITE;
		drop = IBV_QP_EX_WITH_ATOMIC_WRITE;
	}
#endif
	ops |= optional;
	for (attempt = 0; attempt < 3; attempt++) {
		memset(&a, 0, sizeof(a));
		a.qp_type = IBV_QPT_RC;
		a.send_cq = conn->cq;
		a.recv_cq = conn->cq;
		a.cap.max_send_wr = conn->sq_depth;
		a.cap.max_recv_wr = conn->nrecv;
		a.cap.max_send_sge = 1;
		a.cap.max_recv_sge = 1;
		a.cap.max_inline_data = 64;
		a.sq_sig_all = 0;
		a.pd = conn->pd;
		a.comp_mask = IBV_QP_INIT_ATTR_PD;
		if (attempt < 2) {
			a.comp_mask |= IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
			a.send_ops_flags = ops;
		}
		if (attempt == 2)
			a.cap.max_inline_data = 0;
		if (rdma_create_qp_ex(conn->id, &a) == 0)
			break;
		pmr_dbg("create QP (attempt %d, ops 0x%llx): %s", attempt,
			(unsigned long long)ops, strerror(errno));
		if (drop && (ops & drop)) {
			ops &= ~drop; /* the same attempt again without it */
			attempt--;
			continue;
		}
		ops &= ~optional;
	}
	if (attempt == 3)
		return -errno;
	conn->qp = conn->id->qp;
	conn->max_inline = a.cap.max_inline_data;
	conn->local_methods = PMR_METHOD_SERVER | PMR_METHOD_RAW;
	if (attempt < 2) {
		conn->qpx = ibv_qp_to_qp_ex(conn->qp);
#ifdef PMRD_HAVE_IBV_FLUSH
		if (conn->qpx && (ops & IBV_QP_EX_WITH_FLUSH))
			conn->local_methods |= PMR_METHOD_FLUSH;
#endif
#ifdef PMRD_HAVE_IBV_ATOMIC_WRITE
		conn->local_atomic_write = conn->qpx &&
					   (ops & IBV_QP_EX_WITH_ATOMIC_WRITE);
#endif
	}
	pmr_dbg("QP %u: %s post API, inline %u, methods 0x%x, atomics %s, "
		"atomic write %s",
		conn->qp->qp_num, conn->qpx ? "extended" : "classic",
		conn->max_inline, conn->local_methods,
		conn->local_atomics ? "yes" : "no",
		conn->local_atomic_write ? "native" : "no");
	return 0;
}

/* alloc_buffers -- control and bounce buffers, op slots, completion ring */
static int alloc_buffers(struct pmr_conn *conn)
{
	uint32_t i;

	conn->nops = PMR_FIRST_ASYNC + conn->sq_depth;
	conn->ops = calloc(conn->nops, sizeof(*conn->ops));
	conn->ring_cap = conn->sq_depth;
	conn->ring = calloc(conn->ring_cap, sizeof(*conn->ring));
	if (!conn->ops || !conn->ring)
		return -ENOMEM;
	conn->free_head = UINT32_MAX;
	for (i = conn->nops; i-- > PMR_FIRST_ASYNC;)
		pmr_op_free_async(conn, i);

	conn->ctl_size = (size_t)conn->nrecv * PMR_MSG_MAX +
			 (size_t)conn->nops * PMR_REQ_BUF + 128;
	if (posix_memalign((void **)&conn->ctl, 4096, conn->ctl_size))
		return -ENOMEM;
	memset(conn->ctl, 0, conn->ctl_size);
	conn->ctl_mr = ibv_reg_mr(conn->pd, conn->ctl, conn->ctl_size,
				  IBV_ACCESS_LOCAL_WRITE);
	if (!conn->ctl_mr)
		return -errno;

	conn->slot_size = conn->cfg.bounce_size / PMR_BOUNCE_SLOTS;
	if (posix_memalign((void **)&conn->bounce, 4096,
			   conn->slot_size * PMR_BOUNCE_SLOTS))
		return -ENOMEM;
	conn->bounce_mr = ibv_reg_mr(conn->pd, conn->bounce,
				     conn->slot_size * PMR_BOUNCE_SLOTS,
				     IBV_ACCESS_LOCAL_WRITE);
	if (!conn->bounce_mr)
		return -errno;
	return 0;
}

/* free_buffers -- undo alloc_buffers (partial allocations too) */
static void free_buffers(struct pmr_conn *conn)
{
	if (conn->bounce_mr)
		ibv_dereg_mr(conn->bounce_mr);
	free(conn->bounce);
	if (conn->ctl_mr)
		ibv_dereg_mr(conn->ctl_mr);
	free(conn->ctl);
	free(conn->ring);
	free(conn->ops);
}

/* rejected -- turn a REJECTED event into an error code */
static int rejected(const struct rdma_cm_event *ev)
{
	struct pmr_reject rej;

	/* 28: IB_CM_REJ_CONSUMER_DEFINED, i.e. the server said no */
	if (ev->status != 28) {
		pmr_err("connection refused (rdmacm status %d): no pmrd "
			"listening there?",
			ev->status);
		return -ECONNREFUSED;
	}
	if (pmr_reject_decode(ev->param.conn.private_data,
			      ev->param.conn.private_data_len, &rej)) {
		pmr_err("connection rejected without a pmrd reason");
		return PMR_E_REJECTED;
	}
	pmr_err("connection rejected: %s (server speaks versions %u..%u, "
		"we speak %u..%u)",
		pmr_reject_reason_str(rej.reason), rej.min_version, rej.version,
		PMR_PROTO_VERSION_MIN, PMR_PROTO_VERSION);
	return pmr_reject_to_err(rej.reason);
}

/* connect_server -- send the hello, read the welcome */
static int connect_server(struct pmr_conn *conn)
{
	struct pmr_hello hello = {
		.version = PMR_PROTO_VERSION,
		.min_version = PMR_PROTO_VERSION_MIN,
		.credits = (uint16_t)conn->nrecv,
	};
	uint8_t pdata[PMR_HELLO_SIZE_V2];
	struct rdma_conn_param param = { 0 };
	struct ibv_device_attr dev;
	struct rdma_cm_event *ev;
	struct pmr_welcome w;
	int rc;

	/* our challenge: the server's PSK proofs must cover it */
	if (pmr_nonce_new(conn->cnonce))
		return PMR_E_UNKNOWN;
	memcpy(hello.nonce, conn->cnonce, sizeof(hello.nonce));
	rc = pmr_hello_encode(&hello, pdata, sizeof(pdata));
	if (rc < 0)
		return rc;
	if (ibv_query_device(conn->id->verbs, &dev))
		return -errno;
	param.private_data = pdata;
	param.private_data_len = (uint8_t)rc;
	param.initiator_depth = (uint8_t)(dev.max_qp_init_rd_atom < 16 ?
						  dev.max_qp_init_rd_atom :
						  16);
	param.responder_resources = 0;
	param.retry_count = 7;
	param.rnr_retry_count = 7;
	if (rdma_connect(conn->id, &param))
		return -errno;

	rc = cm_wait(conn->ec, conn->cfg.timeout_ms, &ev);
	if (rc)
		return rc;
	switch (ev->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		rc = pmr_welcome_decode(ev->param.conn.private_data,
					ev->param.conn.private_data_len, &w);
		if (rc) {
			pmr_err("server sent no valid welcome");
			rc = PMR_E_PROTOCOL;
		} else if (w.version < PMR_PROTO_VERSION_MIN ||
			   w.version > PMR_PROTO_VERSION) {
			pmr_err("server chose version %u we do not speak",
				w.version);
			rc = PMR_E_PROTOCOL;
		}
		break;
	case RDMA_CM_EVENT_REJECTED:
		rc = rejected(ev);
		break;
	case RDMA_CM_EVENT_UNREACHABLE:
		rc = -EHOSTUNREACH;
		break;
	default:
		pmr_err("connect: unexpected %s (status %d)",
			rdma_event_str(ev->event), ev->status);
		rc = -ECONNABORTED;
		break;
	}
	if (ev->event == RDMA_CM_EVENT_ESTABLISHED)
		conn->connected = true;
	rdma_ack_cm_event(ev);
	if (rc)
		return rc;
	conn->credits = w.credits < conn->nrecv ? w.credits :
						  (uint16_t)conn->nrecv;
	conn->max_msg = w.max_msg; /* the decoder checked its range */
	conn->version = w.version;
	memcpy(conn->snonce, w.nonce, sizeof(conn->snonce));
	pmr_info("connected: protocol %u, %u credits, max message %u",
		 w.version, conn->credits, w.max_msg);
	return 0;
}

/* setup_fds -- make the channels non-blocking and put both in one epoll */
static int setup_fds(struct pmr_conn *conn)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	rc = set_nonblock(conn->cc->fd);
	if (!rc)
		rc = set_nonblock(conn->ec->fd);
	if (rc)
		return rc;
	conn->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (conn->epfd < 0)
		return -errno;
	ev.data.fd = conn->cc->fd;
	if (epoll_ctl(conn->epfd, EPOLL_CTL_ADD, conn->cc->fd, &ev))
		return -errno;
	ev.data.fd = conn->ec->fd;
	if (epoll_ctl(conn->epfd, EPOLL_CTL_ADD, conn->ec->fd, &ev))
		return -errno;
	return 0;
}

/* pmr_conn_release -- see conn.h */
void pmr_conn_release(struct pmr_conn *conn)
{
	if (conn->connected)
		rdma_disconnect(conn->id);
	if (conn->epfd >= 0)
		close(conn->epfd);
	if (conn->qp)
		rdma_destroy_qp(conn->id);
	free_buffers(conn);
	if (conn->cq) {
		if (conn->cq_events)
			ibv_ack_cq_events(conn->cq, conn->cq_events);
		ibv_destroy_cq(conn->cq);
	}
	if (conn->cc)
		ibv_destroy_comp_channel(conn->cc);
	if (conn->pd)
		ibv_dealloc_pd(conn->pd);
	if (conn->id)
		rdma_destroy_id(conn->id);
	if (conn->ec)
		rdma_destroy_event_channel(conn->ec);
}

/* teardown -- free whatever of CONN exists, in reverse order */
static void teardown(struct pmr_conn *conn)
{
	pmr_conn_release(conn);
	pmr_cfg_wipe_psks(&conn->cfg);
	free(conn->host);
	free(conn->port);
	free(conn);
}

/*
 * pmr_conn_setup -- see conn.h: everything of a connection but its
 * handles, from the rdmacm channel to the fds, on CONN holding only its
 * cfg
 */
int pmr_conn_setup(struct pmr_conn *conn, const char *host, const char *port)
{
	struct ibv_port_attr pattr;
	struct ibv_device_attr dev;
	uint32_t i;
	uint64_t max;
	int rc;

	conn->epfd = -1;
	conn->sq_depth = conn->cfg.sq_depth;
	conn->nrecv = conn->cfg.credits;

	conn->ec = rdma_create_event_channel();
	if (!conn->ec)
		return -errno;
	if (rdma_create_id(conn->ec, &conn->id, conn, RDMA_PS_TCP))
		return -errno;
	rc = resolve(conn, host, port);
	if (rc)
		return rc;

	if (ibv_query_device(conn->id->verbs, &dev) ||
	    ibv_query_port(conn->id->verbs, conn->id->port_num, &pattr))
		return -errno;
	if ((uint32_t)dev.max_qp_wr < conn->sq_depth)
		conn->sq_depth = (uint32_t)dev.max_qp_wr;
	max = pattr.max_msg_sz ? pattr.max_msg_sz : 1u << 30;
	if (conn->cfg.max_wr_size && conn->cfg.max_wr_size < max)
		max = conn->cfg.max_wr_size;
	if (max > 1u << 30)
		max = 1u << 30;
	conn->max_wr = (uint32_t)max;

	conn->pd = ibv_alloc_pd(conn->id->verbs);
	conn->cc = conn->pd ? ibv_create_comp_channel(conn->id->verbs) : NULL;
	/* every signaled send and every receive fits: no CQ overrun */
	conn->cq = conn->cc ? ibv_create_cq(conn->id->verbs,
					    (int)(conn->sq_depth + conn->nrecv),
					    NULL, conn->cc, 0) :
			      NULL;
	if (!conn->cq)
		return -errno;
	rc = create_qp(conn);
	if (!rc)
		rc = alloc_buffers(conn);
	for (i = 0; !rc && i < conn->nrecv; i++)
		rc = pmr_ctl_recv_post(conn, i);
	if (!rc)
		rc = connect_server(conn);
	if (!rc)
		rc = setup_fds(conn);
	return rc;
}

/* pmr_conn_open -- see libpmr.h */
int pmr_conn_open(const char *host, const char *port,
		  const struct pmr_conn_cfg *cfg, struct pmr_conn **ret)
{
	struct pmr_conn *conn;
	int rc;

	if (!host || !ret)
		return -EINVAL;
	if (!port)
		port = PMR_DEFAULT_PORT;
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return -ENOMEM;
	conn->epfd = -1;
	if (cfg)
		conn->cfg = *cfg;
	else
		pmr_cfg_defaults(&conn->cfg);
	/* kept for pmr_conn_reconnect */
	conn->host = strdup(host);
	conn->port = strdup(port);
	rc = conn->host && conn->port ? pmr_conn_setup(conn, host, port) :
					-ENOMEM;
	if (rc) {
		pmr_err("connecting to %s:%s failed: %s", host, port,
			pmr_strerror(rc));
		teardown(conn);
		return rc;
	}
	*ret = conn;
	return 0;
}

/* pmr_conn_close -- see libpmr.h */
int pmr_conn_close(struct pmr_conn **connp)
{
	struct pmr_conn *conn;
	int rc;

	if (!connp || !*connp)
		return 0;
	conn = *connp;
	if (conn->nregions || conn->nmrs)
		return -EBUSY;
	/* after a loss nothing is outstanding any more (fail_all); a loss
	 * during the wait is no failure of closing either */
	rc = conn->lost ? 0 : pmr_wait_idle(conn);
	if (rc == PMR_E_CONN_LOST)
		rc = 0;
	teardown(conn);
	*connp = NULL;
	return rc;
}

/* pmr_conn_last_error_text -- see libpmr.h */
const char *pmr_conn_last_error_text(const struct pmr_conn *conn)
{
	return conn ? conn->errtext : "";
}

/* pmr_conn_get_fd -- see libpmr.h */
int pmr_conn_get_fd(const struct pmr_conn *conn)
{
	return conn ? conn->epfd : -EINVAL;
}
