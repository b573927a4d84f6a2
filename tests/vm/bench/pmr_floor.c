/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_floor.c -- pmr-floor: what the RDMA device itself allows for one
 * synchronous operation, timed the way pmr-bench times libpmr (no libpmr)
 *
 *   pmr-floor [-p PORT] [-b ADDR] [-m PATH] [-S BYTES]        server
 *   pmr-floor [-p PORT] [-o OPS] [-s SIZES] [-w N] [-n N] [-t SECS]
 *             [-g NS] HOST
 *
 * Like perftest, one binary is both sides.  The server registers PATH
 * (a devdax device or a file, mapped shared; anonymous memory without -m)
 * for remote read, write and, with rdma-core >= 45, FLUSH to the
 * persistence domain, accepts one rdmacm connection, hands the client the
 * buffer's address and rkey in the accept's private data and waits for the
 * disconnect.  The client, on an RC QP with the extended post API (the one
 * libpmr uses), per op and size does WARMUP untimed operations, then up to
 * ITERS timed ones (or until the time limit): each sample is
 * clock_gettime, one post, busy-polling the CQ until its completion,
 * clock_gettime -- the sample loop pmr-bench runs (bench_samples in
 * client/bench/bench_util.h) with the library taken out, so "pmr / floor"
 * is libpmr's cost.  Ops:
 *   read         one RDMA READ, signaled
 *   write        one RDMA WRITE, signaled
 *   write-flush  WRITE (unsignaled) and FLUSH (IBV_FLUSH_PERSISTENT,
 *                IBV_FLUSH_RANGE, signaled) of the same range in one post,
 *                as libpmr posts a write+persist with FLUSH (io.c)
 *   write-read   WRITE (unsignaled) and a 0-byte READ (signaled) in one
 *                post: librpma 1.2.0's write + rpma_flush where the device
 *                has no native FLUSH (pmr-rpma's write-flush), and
 *                libpmr's RAW persist, as raw verbs; next to write-flush
 *                it prices FLUSH against the READ that stands in for it
 *   write-send   WRITE (unsignaled) and a 16-byte SEND (offset, length) in
 *                one post, then the server's 8-byte reply: the server,
 *                busy-polling its CQ, flushes the range from the CPU caches
 *                (clflush + sfence, what pmem2 does where there is no
 *                clwb) and answers -- a SERVER persist in its least form,
 *                the floor of libpmr's write+persist with SERVER
 * Output: one JSON line per (op, size) on stdout (p50/p99/p999/max/mean
 * in us); where FLUSH cannot run (no ibv_wr_flush in this rdma-core, no
 * FLUSH cap, the server's MR refused FLUSH access) a line with "skipped"
 * and the reason instead.  Progress and errors on stderr.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "bench_pair.h"

#define FLOOR_PORT	 "7472"
#define FLOOR_TIMEOUT_MS 10000
/* device_cap_flags_ex bit 39: FLUSH to persistence (the kernel's
 * IB_DEVICE_FLUSH_PERSISTENT; tests/vm/probe/pmr_probe.c) */
#define FLOOR_CAP_FLUSH_PERSISTENT (1ULL << 39)

/* what the server tells the client (accept private data, little endian) */
struct floor_info {
	uint64_t addr;
	uint64_t len;
	uint32_t rkey;
	uint32_t flush; /* 1: the MR has FLUSH_PERSISTENT access */
};

enum floor_op {
	OP_READ,
	OP_WRITE,
	OP_WRITE_FLUSH,
	OP_WRITE_READ,
	OP_WRITE_SEND
};

static const char *const op_names[] = { "read", "write", "write-flush",
					"write-read", "write-send" };

/* write-send's request (client -> server) and reply, little endian */
struct floor_req {
	uint64_t off;
	uint64_t len;
};

/* the SEND/RECV buffers of a connection: what arrives, what goes out */
struct floor_msgs {
	struct floor_req in;
	struct floor_req out;
};

struct floor_conn {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp_ex *qpx;
	struct ibv_mr *mr;
	struct ibv_mr *msg_mr; /* over msgs */
	struct floor_msgs msgs;
	uint8_t *buf;
	size_t len;
	bool mapped;
	bool flush; /* the QP was created with FLUSH */
	struct floor_info peer;
};

/* cm_expect -- the next rdmacm event must be WANT; *RET keeps it (the
 * caller acks) or, with RET NULL, it is acked here */
static int cm_expect(struct rdma_event_channel *ec,
		     enum rdma_cm_event_type want, struct rdma_cm_event **ret)
{
	struct rdma_cm_event *ev;

	if (rdma_get_cm_event(ec, &ev))
		return -errno;
	if (ev->event != want) {
		fprintf(stderr,
			"pmr-floor: rdmacm: %s (status %d), expected %s\n",
			rdma_event_str(ev->event), ev->status,
			rdma_event_str(want));
		rdma_ack_cm_event(ev);
		return -ECONNREFUSED;
	}
	if (ret)
		*ret = ev;
	else
		rdma_ack_cm_event(ev);
	return 0;
}

/* create_qp -- an RC QP on ID with the extended post API; FLUSH where this
 * rdma-core has ibv_wr_flush and the device the cap (as libpmr's
 * create_qp decides) */
static int create_qp(struct floor_conn *c, struct rdma_cm_id *id)
{
	uint64_t ops = IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_RDMA_READ |
		       IBV_QP_EX_WITH_SEND;
	struct ibv_qp_init_attr_ex a;
	int attempt;

#ifdef PMRD_HAVE_IBV_FLUSH
	struct ibv_device_attr_ex dev = { 0 };

	if (!ibv_query_device_ex(id->verbs, NULL, &dev) &&
	    (dev.device_cap_flags_ex & FLOOR_CAP_FLUSH_PERSISTENT))
		ops |= IBV_QP_EX_WITH_FLUSH;
#endif
	c->cq = ibv_create_cq(id->verbs, 16, NULL, NULL, 0);
	if (!c->cq)
		return -errno;
	for (attempt = 0; attempt < 2; attempt++) {
		memset(&a, 0, sizeof(a));
		a.qp_type = IBV_QPT_RC;
		a.send_cq = c->cq;
		a.recv_cq = c->cq;
		a.cap.max_send_wr = 16;
		a.cap.max_recv_wr = 1;
		a.cap.max_send_sge = 1;
		a.cap.max_recv_sge = 1;
		a.pd = c->pd;
		a.comp_mask = IBV_QP_INIT_ATTR_PD |
			      IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
		a.send_ops_flags = ops;
		if (!rdma_create_qp_ex(id, &a))
			break;
#ifdef PMRD_HAVE_IBV_FLUSH
		ops &= ~(uint64_t)IBV_QP_EX_WITH_FLUSH;
#endif
	}
	if (attempt == 2)
		return -errno;
	c->qpx = ibv_qp_to_qp_ex(id->qp);
	if (!c->qpx)
		return -EOPNOTSUPP;
#ifdef PMRD_HAVE_IBV_FLUSH
	c->flush = ops & IBV_QP_EX_WITH_FLUSH;
#endif
	return 0;
}

/* reg_buf -- register C's buffer with ACCESS; the server first tries FLUSH
 * persistent access on top (rxe grants it on pmem pages only) */
static int reg_buf(struct floor_conn *c, int access, bool try_flush)
{
#ifdef PMRD_HAVE_IBV_FLUSH
	if (try_flush) {
		c->mr = ibv_reg_mr(c->pd, c->buf, c->len,
				   access | IBV_ACCESS_FLUSH_PERSISTENT |
					   IBV_ACCESS_FLUSH_GLOBAL);
		if (c->mr) {
			c->peer.flush = 1;
			return 0;
		}
		fprintf(stderr,
			"pmr-floor: MR with FLUSH access refused (%s): no FLUSH\n",
			strerror(errno));
	}
#else
	(void)try_flush;
#endif
	c->mr = ibv_reg_mr(c->pd, c->buf, c->len, access);
	return c->mr ? 0 : -errno;
}

/* reg_msgs -- register C's SEND/RECV buffers */
static int reg_msgs(struct floor_conn *c)
{
	c->msg_mr = ibv_reg_mr(c->pd, &c->msgs, sizeof(c->msgs),
			       IBV_ACCESS_LOCAL_WRITE);
	return c->msg_mr ? 0 : -errno;
}

/* post_recv -- one receive into C's msgs.in */
static int post_recv(struct floor_conn *c)
{
	struct ibv_sge sge = { .addr = (uintptr_t)&c->msgs.in,
			       .length = sizeof(c->msgs.in),
			       .lkey = c->msg_mr->lkey };
	struct ibv_recv_wr wr = { .sg_list = &sge, .num_sge = 1 }, *bad;

	return -ibv_post_recv(c->id->qp, &wr, &bad);
}

/* map_buf -- C's buffer of LEN (bench_pair.h's pair_map_buf) */
static int map_buf(struct floor_conn *c, const char *path, size_t len)
{
	c->len = len;
	return pair_map_buf(path, len, &c->buf, &c->mapped);
}

/* floor_close -- undo whatever of C was set up */
static void floor_close(struct floor_conn *c)
{
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->mr)
		ibv_dereg_mr(c->mr);
	if (c->msg_mr)
		ibv_dereg_mr(c->msg_mr);
	pair_free_buf(c->buf, c->len, c->mapped);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->ec)
		rdma_destroy_event_channel(c->ec);
}

/* addr_of -- HOST:PORT (HOST NULL: any) as an rdmacm address in *RET */
static int addr_of(const char *host, const char *port, bool passive,
		   struct rdma_addrinfo **ret)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP };

	if (passive)
		hints.ai_flags = RAI_PASSIVE;
	if (rdma_getaddrinfo(host, port, &hints, ret)) {
		fprintf(stderr, "pmr-floor: cannot resolve %s:%s\n",
			host ? host : "*", port);
		return -EINVAL;
	}
	return 0;
}

/* flush_range -- write [P, P + LEN) back from the CPU caches */
static void flush_range(const uint8_t *p, size_t len)
{
#if defined(__x86_64__)
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)63;

	for (; a < (uintptr_t)p + len; a += 64)
		__builtin_ia32_clflush((const void *)a);
	__builtin_ia32_sfence();
#else
	(void)p;
	(void)len;
	__sync_synchronize();
#endif
}

/* answer -- write-send's request in C's msgs.in: flush the range, receive
 * again, reply */
static int answer(struct floor_conn *c)
{
	uint64_t off = le64toh(c->msgs.in.off), len = le64toh(c->msgs.in.len);
	int rc;

	if (off > c->len || len > c->len - off)
		return -ERANGE;
	flush_range(c->buf + off, len);
	rc = post_recv(c);
	if (rc)
		return rc;
	c->msgs.out = c->msgs.in;
	ibv_wr_start(c->qpx);
	c->qpx->wr_id = OP_WRITE_SEND;
	c->qpx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_send(c->qpx);
	ibv_wr_set_sge(c->qpx, c->msg_mr->lkey, (uintptr_t)&c->msgs.out,
		       sizeof(c->msgs.out));
	return -ibv_wr_complete(c->qpx);
}

/* serve_requests -- busy-poll C's CQ, answering write-send's requests,
 * until the client disconnects */
static int serve_requests(struct floor_conn *c)
{
	struct rdma_cm_event *ev;
	unsigned int spins = 0;
	struct ibv_wc wc;
	int n, rc;

	if (fcntl(c->ec->fd, F_SETFL, fcntl(c->ec->fd, F_GETFL) | O_NONBLOCK))
		return -errno;
	for (;;) {
		n = ibv_poll_cq(c->cq, 1, &wc);
		if (n < 0)
			return -EIO;
		if (n && wc.status != IBV_WC_SUCCESS)
			continue; /* flushed at the disconnect */
		if (n && wc.opcode == IBV_WC_RECV) {
			rc = answer(c);
			if (rc)
				return rc;
		}
		/* the cm channel now and then: a syscall */
		if (n || ++spins % 4096)
			continue;
		if (rdma_get_cm_event(c->ec, &ev))
			continue;
		n = ev->event == RDMA_CM_EVENT_DISCONNECTED;
		rdma_ack_cm_event(ev);
		if (n)
			return 0;
	}
}

/* serve -- one client: accept it with the buffer's address and rkey, wait
 * for its disconnect */
static int serve(const struct pair_opts *o)
{
	struct floor_conn c = { 0 };
	struct rdma_conn_param param = { 0 };
	struct rdma_cm_event *ev;
	struct rdma_addrinfo *ai;
	struct rdma_cm_id *lid;
	struct floor_info wire;
	int rc;

	rc = addr_of(o->bind, o->port, true, &ai);
	if (rc)
		return rc;
	c.ec = rdma_create_event_channel();
	if (!c.ec) {
		rc = -errno;
		goto out_free_ai;
	}
	if (rdma_create_id(c.ec, &lid, NULL, RDMA_PS_TCP)) {
		rc = -errno;
		goto out_close;
	}
	if (rdma_bind_addr(lid, ai->ai_src_addr) || rdma_listen(lid, 1)) {
		rc = -errno;
		goto out_destroy_listener;
	}
	fprintf(stderr, "pmr-floor: listening on %s:%s\n",
		o->bind ? o->bind : "*", o->port);
	rc = cm_expect(c.ec, RDMA_CM_EVENT_CONNECT_REQUEST, &ev);
	if (rc)
		goto out_destroy_listener;
	c.id = ev->id;
	rdma_ack_cm_event(ev);
	c.pd = ibv_alloc_pd(c.id->verbs);
	if (!c.pd) {
		rc = -errno;
		goto out_destroy_listener;
	}
	rc = map_buf(&c, o->path, o->buf_len);
	if (rc)
		goto out_destroy_listener;
	rc = reg_buf(&c,
		     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
			     IBV_ACCESS_REMOTE_WRITE,
		     true);
	if (rc)
		goto out_destroy_listener;
	rc = create_qp(&c, c.id);
	if (!rc)
		rc = reg_msgs(&c);
	if (!rc)
		rc = post_recv(&c);
	if (rc)
		goto out_destroy_listener;
	wire.addr = htole64((uintptr_t)c.buf);
	wire.len = htole64(c.len);
	wire.rkey = htole32(c.mr->rkey);
	wire.flush = htole32(c.peer.flush);
	param.private_data = &wire;
	param.private_data_len = sizeof(wire);
	param.responder_resources = 1;
	param.initiator_depth = 1;
	if (rdma_accept(c.id, &param)) {
		rc = -errno;
		goto out_destroy_listener;
	}
	rc = cm_expect(c.ec, RDMA_CM_EVENT_ESTABLISHED, NULL);
	if (!rc)
		rc = serve_requests(&c);
	fprintf(stderr, "pmr-floor: client gone\n");
out_destroy_listener:
	rdma_destroy_id(lid);
out_close:
	floor_close(&c);
out_free_ai:
	rdma_freeaddrinfo(ai);
	return rc;
}

/* dial -- connect to the server, learn its buffer; C's own buffer of LEN */
static int dial(const struct pair_opts *o, struct floor_conn *c, size_t len)
{
	struct rdma_conn_param param = { .responder_resources = 1,
					 .initiator_depth = 1,
					 .retry_count = 7,
					 .rnr_retry_count = 7 };
	struct rdma_cm_event *ev;
	struct rdma_addrinfo *ai;
	struct floor_info wire;
	int rc;

	rc = addr_of(o->host, o->port, false, &ai);
	if (rc)
		return rc;
	c->ec = rdma_create_event_channel();
	if (!c->ec || rdma_create_id(c->ec, &c->id, NULL, RDMA_PS_TCP)) {
		rc = -errno;
		goto out_free_ai;
	}
	if (rdma_resolve_addr(c->id, NULL, ai->ai_dst_addr, FLOOR_TIMEOUT_MS)) {
		rc = -errno;
		goto out_free_ai;
	}
	rc = cm_expect(c->ec, RDMA_CM_EVENT_ADDR_RESOLVED, NULL);
	if (rc)
		goto out_free_ai;
	if (rdma_resolve_route(c->id, FLOOR_TIMEOUT_MS)) {
		rc = -errno;
		goto out_free_ai;
	}
	rc = cm_expect(c->ec, RDMA_CM_EVENT_ROUTE_RESOLVED, NULL);
	if (rc)
		goto out_free_ai;
	c->pd = ibv_alloc_pd(c->id->verbs);
	if (!c->pd) {
		rc = -errno;
		goto out_free_ai;
	}
	rc = map_buf(c, NULL, len);
	if (!rc)
		rc = reg_buf(c, IBV_ACCESS_LOCAL_WRITE, false);
	if (!rc)
		rc = create_qp(c, c->id);
	if (!rc)
		rc = reg_msgs(c);
	if (rc)
		goto out_free_ai;
	if (rdma_connect(c->id, &param)) {
		rc = -errno;
		goto out_free_ai;
	}
	rc = cm_expect(c->ec, RDMA_CM_EVENT_ESTABLISHED, &ev);
	if (rc)
		goto out_free_ai;
	if (ev->param.conn.private_data_len < sizeof(wire)) {
		rdma_ack_cm_event(ev);
		rc = -EPROTO;
		goto out_free_ai;
	}
	memcpy(&wire, ev->param.conn.private_data, sizeof(wire));
	rdma_ack_cm_event(ev);
	c->peer.addr = le64toh(wire.addr);
	c->peer.len = le64toh(wire.len);
	c->peer.rkey = le32toh(wire.rkey);
	c->peer.flush = le32toh(wire.flush);
out_free_ai:
	rdma_freeaddrinfo(ai);
	return rc;
}

struct floor_ctx {
	struct floor_conn *c;
	enum floor_op op;
};

/* one_op -- post the op of SIZE at remote offset OFF and busy-poll its one
 * completion (a bench_op_fn) */
static int one_op(void *arg, uint64_t off, size_t size)
{
	const struct floor_ctx *ctx = arg;
	struct floor_conn *c = ctx->c;
	enum floor_op op = ctx->op;
	struct ibv_qp_ex *qpx = c->qpx;
	uint64_t raddr = c->peer.addr + off;
	struct ibv_wc wc;
	int n;

	if (op == OP_WRITE_SEND) {
		n = post_recv(c);
		if (n)
			return n;
	}
	ibv_wr_start(qpx);
	qpx->wr_id = op;
	qpx->wr_flags = op == OP_WRITE_FLUSH || op == OP_WRITE_READ ||
					op == OP_WRITE_SEND ?
				0 :
				IBV_SEND_SIGNALED;
	if (op == OP_READ)
		ibv_wr_rdma_read(qpx, c->peer.rkey, raddr);
	else
		ibv_wr_rdma_write(qpx, c->peer.rkey, raddr);
	ibv_wr_set_sge(qpx, c->mr->lkey, (uintptr_t)c->buf, (uint32_t)size);
#ifdef PMRD_HAVE_IBV_FLUSH
	if (op == OP_WRITE_FLUSH) {
		qpx->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_flush(qpx, c->peer.rkey, raddr, size,
			     IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE);
	}
#endif
	if (op == OP_WRITE_READ) {
		qpx->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_rdma_read(qpx, c->peer.rkey, raddr);
		ibv_wr_set_sge_list(qpx, 0, NULL);
	}
	if (op == OP_WRITE_SEND) {
		c->msgs.out.off = htole64(off);
		c->msgs.out.len = htole64(size);
		qpx->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_send(qpx);
		ibv_wr_set_sge(qpx, c->msg_mr->lkey, (uintptr_t)&c->msgs.out,
			       sizeof(c->msgs.out));
	}
	n = ibv_wr_complete(qpx);
	if (n)
		return -n;
	/* write-send: the SEND's completion and the reply, in either order */
	for (int left = op == OP_WRITE_SEND ? 2 : 1; left; left--) {
		while ((n = ibv_poll_cq(c->cq, 1, &wc)) == 0)
			;
		if (n < 0)
			return -EIO;
		if (wc.status != IBV_WC_SUCCESS) {
			fprintf(stderr, "pmr-floor: %s: %s\n", op_names[op],
				ibv_wc_status_str(wc.status));
			return -EIO;
		}
	}
	return 0;
}

/* flush_skip -- why write-flush cannot run on C, or NULL */
static const char *flush_skip(const struct floor_conn *c)
{
#ifndef PMRD_HAVE_IBV_FLUSH
	(void)c;
	return "rdma-core < 45: no ibv_wr_flush";
#else
	if (!c->flush)
		return "the device has no FLUSH persistent cap";
	if (!c->peer.flush)
		return "the server's MR has no FLUSH access (not pmem)";
	return NULL;
#endif
}

/* point -- measure one (op, size); its JSON line on stdout */
static int point(const struct pair_opts *o, struct floor_conn *c,
		 enum floor_op op, size_t size, uint64_t *samples)
{
	uint64_t span = c->peer.len < PAIR_BUF ? c->peer.len : PAIR_BUF;
	struct floor_ctx ctx = { .c = c, .op = op };
	struct bench_result res;
	int rc;

	if (span < size)
		return -E2BIG;
	rc = bench_samples(one_op, &ctx, size, span / size, &o->loop, samples,
			   &res);
	if (rc)
		return rc;
	pair_print_lat(o, op_names[op], size, samples, &res, "");
	return 0;
}

/* run_client -- every op and size against the server */
static int run_client(const struct pair_opts *o)
{
	struct floor_conn c = { 0 };
	const char *why;
	uint64_t *samples;
	size_t maxsz = 0;
	int rc;

	for (int i = 0; i < o->sizes.n; i++)
		if (o->sizes.v[i] > maxsz)
			maxsz = o->sizes.v[i];
	samples = calloc(o->loop.iters, sizeof(*samples));
	if (!samples)
		return -ENOMEM;
	rc = dial(o, &c, maxsz);
	if (rc)
		goto out_close;
	why = flush_skip(&c);
	for (int i = 0; i < o->sizes.n && !rc; i++) {
		for (int op = OP_READ; op <= OP_WRITE_SEND && !rc; op++) {
			if (!bench_op_wanted(o->ops, op_names[op]))
				continue;
			if (op == OP_WRITE_FLUSH && why) {
				printf("{\"tool\": \"pmr-floor\", \"op\": \"%s\", "
				       "\"size\": %zu, \"skipped\": \"%s\"}\n",
				       op_names[op], o->sizes.v[i], why);
				continue;
			}
			rc = point(o, &c, op, o->sizes.v[i], samples);
		}
	}
	if (why && bench_op_wanted(o->ops, op_names[OP_WRITE_FLUSH]))
		fprintf(stderr, "pmr-floor: write-flush skipped: %s\n", why);
	rdma_disconnect(c.id);
out_close:
	floor_close(&c);
	free(samples);
	return rc;
}

/* parse_opts -- the command line into O; exits on a mistake */
static void parse_opts(int argc, char **argv, struct pair_opts *o)
{
	static const struct option lo[] = { PAIR_LONG_OPTS,
					    { NULL, 0, NULL, 0 } };
	int c, bad = 0;

	pair_opts_init(o, "pmr-floor", FLOOR_PORT,
		       "read,write,write-flush,write-read,write-send");
	while ((c = getopt_long(argc, argv, PAIR_SHORT_OPTS, lo, NULL)) != -1) {
		if (pair_opt(c, optarg, o, &bad))
			continue;
		pair_usage(c == 'h' ? stdout : stderr, o);
		exit(c == 'h' ? 0 : 2);
	}
	if (bad || pair_opts_finish(o, argc, argv)) {
		pair_usage(stderr, o);
		exit(2);
	}
}

/* main -- server without HOST, client with it */
int main(int argc, char **argv)
{
	struct pair_opts o;
	int rc;

	parse_opts(argc, argv, &o);
	rc = o.host ? run_client(&o) : serve(&o);
	if (rc)
		fprintf(stderr, "pmr-floor: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
