/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_opcount.c -- libpmr's public data-path calls in a loop against fake
 * verbs (fake_verbs.h), for counting the instructions each operation costs
 * (tests/perf/opcount.sh runs it under callgrind), and a raw-verbs loop
 * against the same fakes: the floor libpmr's own work sits on
 *
 * The connection, region and registered buffers are built by hand, as
 * pmr_conn_open, pmr_region_open and pmr_mr_reg would leave them, with the
 * fake QP and CQ in place of the device's.  Every scenario runs a warm-up,
 * then N rounds between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT
 * (its name), so each gets its own callgrind dump and set-up is counted in
 * none; natively those macros do nothing.  Each scenario is also a check:
 * every call returns 0, and the fake saw exactly the expected work requests
 * (posts, opcodes, signaled ones, inline ones) -- ctest runs it natively.
 * SERVER persists get their response from server_respond, pmrd's part
 * played in the fake's on_send (counted with the fake, not libpmr).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * valgrind's header comes with the valgrind package, which the trixie
 * root and the package build do not install: without it the native run
 * (the ctest) is the same, and opcount.sh refuses the binary (one dump
 * instead of one per scenario)
 */
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#endif

#include "ctl.h"
#include "fake_verbs.h"
#include "internal.h"
#include "libpmr.h"
#include "op.h"

#define REMOTE_ADDR 0x100000000ull /* the fake region's remote address */
#define REMOTE_SIZE (1u << 20)
#define REGION_RKEY 0x5a5a
#define BUF_SIZE    (64u << 10) /* each user buffer (plain and registered) */
#define QD_MAX	    16

struct bench;
struct scenario;
typedef int round_fn(struct bench *b, const struct scenario *s);

/* work requests one operation is expected to post */
struct want {
	unsigned int posts, write, read, flush, send, signaled, inl;
	unsigned int recv; /* responses received (SERVER) */
};

struct scenario {
	const char *name;  /* its callgrind dump */
	const char *floor; /* the floor scenario it is set against */
	round_fn *round;
	size_t len;
	unsigned int method; /* persist method (0: none involved) */
	unsigned int qd;     /* operations per round (async, floor) */
	/* floor only: the data work request and whether it is inline */
	uint8_t op;
	uint8_t inl;
	struct want want; /* per operation */
};

struct bench {
	struct fake_verbs fv;
	struct pmr_conn *conn;
	struct pmr_region region;
	struct ibv_mr ctl_mr, bounce_mr, user_mr;
	struct pmr_mr src_mr, dst_mr;
	uint8_t *src, *dst, *remote;
	uint64_t tag;
	uint8_t floor_req[PMR_REQ_BUF]; /* the floor's PERSIST request */
	uint32_t floor_req_len;
	int err; /* first failure's detail printed, nonzero */
};

/* fail -- note and print a scenario failure */
static int fail(struct bench *b, const char *name, const char *what, long v)
{
	if (!b->err)
		fprintf(stderr, "pmr_opcount: %s: %s (%ld)\n", name, what, v);
	b->err = 1;
	return -1;
}

/* conn_build -- a connection as pmr_conn_setup leaves it (alloc_buffers'
 * layout), on the fake QP and CQ */
static struct pmr_conn *conn_build(struct bench *b)
{
	struct pmr_conn *conn = calloc(1, sizeof(*conn));
	uint32_t i;

	if (!conn)
		return NULL;
	pmr_cfg_defaults(&conn->cfg);
	conn->epfd = -1;
	conn->cq = &b->fv.cq;
	/* the receives go through conn->qp (ibv_post_recv is inline); only
	 * a loss would reach past the fake (ibv_modify_qp, in libibverbs) */
	conn->qp = &b->fv.qpx.qp_base;
	conn->qpx = &b->fv.qpx;
	conn->connected = true;
	conn->local_methods = PMR_METHOD_SERVER | PMR_METHOD_FLUSH |
			      PMR_METHOD_RAW;
	conn->max_wr = 1u << 30;
	conn->max_inline = 64; /* what create_qp asks for */
	conn->sq_depth = conn->cfg.sq_depth;
	conn->credits = (uint16_t)conn->cfg.credits;
	conn->nrecv = conn->cfg.credits;
	conn->version = PMR_PROTO_VERSION;
	conn->max_msg = PMR_MSG_MAX;

	conn->nops = PMR_FIRST_ASYNC + conn->sq_depth;
	conn->ops = calloc(conn->nops, sizeof(*conn->ops));
	conn->ring_cap = conn->sq_depth;
	conn->ring = calloc(conn->ring_cap, sizeof(*conn->ring));
	conn->ctl_size = (size_t)conn->nrecv * PMR_MSG_MAX +
			 (size_t)conn->nops * PMR_REQ_BUF + 128;
	conn->ctl = aligned_alloc(4096, conn->ctl_size);
	conn->slot_size = conn->cfg.bounce_size / PMR_BOUNCE_SLOTS;
	conn->bounce = aligned_alloc(4096, conn->cfg.bounce_size);
	if (!conn->ops || !conn->ring || !conn->ctl || !conn->bounce)
		return conn; /* main checks */
	conn->free_head = UINT32_MAX;
	for (i = conn->nops; i-- > PMR_FIRST_ASYNC;)
		pmr_op_free_async(conn, i);
	memset(conn->ctl, 0, conn->ctl_size);
	b->ctl_mr.addr = conn->ctl;
	b->ctl_mr.length = conn->ctl_size;
	b->ctl_mr.lkey = 0x1c71;
	conn->ctl_mr = &b->ctl_mr;
	b->bounce_mr.addr = conn->bounce;
	b->bounce_mr.length = conn->cfg.bounce_size;
	b->bounce_mr.lkey = 0xb0b0;
	conn->bounce_mr = &b->bounce_mr;
	return conn;
}

/* conn_free -- undo conn_build */
static void conn_free(struct pmr_conn *conn)
{
	if (!conn)
		return;
	free(conn->bounce);
	free(conn->ctl);
	free(conn->ring);
	free(conn->ops);
	free(conn);
}

/*
 * server_respond -- pmrd's part for the fake: decode the control request
 * a SEND carries and answer it with an OK response of its type (all a
 * PERSIST response is) through the oldest posted receive.  A request that
 * does not decode, or no receive to answer into, counts as a failed work
 * request, which fails the scenario.
 */
static void server_respond(struct fake_verbs *fv, const struct fake_wr *w)
{
	uint8_t buf[PMR_REQ_BUF];
	struct pmr_msg req, resp;
	int len;

	if (pmr_msg_decode_ver((const void *)(uintptr_t)w->laddr, w->len,
			       PMR_PROTO_VERSION, &req) < 0) {
		fv->n.errors++;
		return;
	}
	pmr_msg_init(&resp, req.hdr.type | PMR_MSG_RESP, req.hdr.req_id);
	len = pmr_msg_encode_ver(&resp, PMR_PROTO_VERSION, buf, sizeof(buf));
	if (len < 0 || fake_verbs_respond(fv, buf, (uint32_t)len))
		fv->n.errors++;
}

/* bench_build -- fakes, connection (its receives posted), region (every
 * method offered) and the two registered buffers (one ibv_mr under both,
 * as one registration of a buffer would be) */
static int bench_build(struct bench *b)
{
	struct pmr_msg req;
	uint32_t i;
	int len;

	memset(b, 0, sizeof(*b));
	fake_verbs_init(&b->fv);
	b->fv.on_send = server_respond;
	b->src = aligned_alloc(4096, BUF_SIZE * 2);
	b->remote = aligned_alloc(4096, REMOTE_SIZE);
	b->conn = conn_build(b);
	if (!b->src || !b->remote || !b->conn || !b->conn->bounce)
		return -ENOMEM;
	b->dst = b->src + BUF_SIZE;
	memset(b->src, 0, BUF_SIZE * 2);
	memset(b->remote, 0, REMOTE_SIZE);
	b->fv.remote = b->remote;
	b->fv.remote_addr = REMOTE_ADDR;
	b->fv.remote_size = REMOTE_SIZE;

	b->region.conn = b->conn;
	b->region.addr = REMOTE_ADDR;
	b->region.size = REMOTE_SIZE;
	b->region.rkey = REGION_RKEY;
	b->region.handle = 1;
	b->region.methods = b->conn->local_methods;
	b->region.method = PMR_METHOD_RAW;
	b->region.want = PMR_METHOD_AUTO;
	strcpy(b->region.name, "opcount");
	b->conn->regions = &b->region;
	b->conn->nregions = 1;

	b->user_mr.addr = b->src;
	b->user_mr.length = BUF_SIZE * 2;
	b->user_mr.lkey = 0x3e3e;
	b->src_mr = (struct pmr_mr){ .conn = b->conn,
				     .mr = &b->user_mr,
				     .ptr = b->src,
				     .len = BUF_SIZE,
				     .usage = PMR_MR_WRITE_SRC };
	b->dst_mr = b->src_mr;
	b->dst_mr.ptr = b->dst;
	b->dst_mr.usage = PMR_MR_READ_DST;

	for (i = 0; i < b->conn->nrecv; i++)
		if (pmr_ctl_recv_post(b->conn, i))
			return -ENOMEM;
	/* what libpmr's SERVER persist of 64 bytes at 0 sends */
	pmr_msg_init(&req, PMR_MSG_PERSIST, 1);
	req.u.persist_req.handle = b->region.handle;
	req.u.persist_req.length = 64;
	len = pmr_msg_encode_ver(&req, PMR_PROTO_VERSION, b->floor_req,
				 sizeof(b->floor_req));
	if (len < 0)
		return len;
	b->floor_req_len = (uint32_t)len;
	return 0;
}

/* r_write -- pmr_region_write (plain buffer: inline or bounce) */
static int r_write(struct bench *b, const struct scenario *s)
{
	return pmr_region_write(&b->region, b->src, 0, s->len);
}

/* r_read -- pmr_region_read (through the bounce buffer) */
static int r_read(struct bench *b, const struct scenario *s)
{
	return pmr_region_read(&b->region, b->dst, 0, s->len);
}

/* r_write_persist -- pmr_region_write_persist */
static int r_write_persist(struct bench *b, const struct scenario *s)
{
	return pmr_region_write_persist(&b->region, b->src, 0, s->len);
}

/* r_write_mr -- pmr_region_write_mr (zero-copy) */
static int r_write_mr(struct bench *b, const struct scenario *s)
{
	return pmr_region_write_mr(&b->region, &b->src_mr, 0, 0, s->len);
}

/* r_read_mr -- pmr_region_read_mr (zero-copy) */
static int r_read_mr(struct bench *b, const struct scenario *s)
{
	return pmr_region_read_mr(&b->region, &b->dst_mr, 0, 0, s->len);
}

/* r_write_persist_mr -- pmr_region_write_persist_mr (zero-copy) */
static int r_write_persist_mr(struct bench *b, const struct scenario *s)
{
	return pmr_region_write_persist_mr(&b->region, &b->src_mr, 0, 0,
					   s->len);
}

/* reap -- pmr_conn_poll until the QD operations just posted (tags from
 * FIRST) are delivered: each in order, of OP, with status 0 */
static int reap(struct bench *b, const struct scenario *s, uint64_t first,
		int op)
{
	struct pmr_completion out[QD_MAX];
	unsigned int got = 0, empty = 0;
	int n, i;

	while (got < s->qd) {
		n = pmr_conn_poll(b->conn, out, (int)(s->qd - got));
		if (n < 0)
			return n;
		if (n == 0 && ++empty > 1000)
			return -ETIMEDOUT; /* the fake completes at once */
		for (i = 0; i < n; i++, got++) {
			if (out[i].status)
				return out[i].status;
			if (out[i].user_tag != first + got || out[i].op != op)
				return -EPROTO;
		}
	}
	return 0;
}

/* r_post_write -- QD pmr_region_post_write (each LEN bytes further in
 * buffer and region), then pmr_conn_poll until all are reaped */
static int r_post_write(struct bench *b, const struct scenario *s)
{
	uint64_t first = b->tag;
	unsigned int i;
	int rc;

	for (i = 0; i < s->qd; i++) {
		rc = pmr_region_post_write(&b->region, &b->src_mr,
					   (size_t)i * s->len,
					   (uint64_t)i * s->len, s->len,
					   b->tag++);
		if (rc)
			return rc;
	}
	return reap(b, s, first, PMR_OP_WRITE);
}

/* r_post_read -- QD pmr_region_post_read, then reaped */
static int r_post_read(struct bench *b, const struct scenario *s)
{
	uint64_t first = b->tag;
	unsigned int i;
	int rc;

	for (i = 0; i < s->qd; i++) {
		rc = pmr_region_post_read(&b->region, &b->dst_mr,
					  (size_t)i * s->len,
					  (uint64_t)i * s->len, s->len,
					  b->tag++);
		if (rc)
			return rc;
	}
	return reap(b, s, first, PMR_OP_READ);
}

/* floor_post -- one operation as a raw-verbs user posts it: the data work
 * request (and the persist's, FLUSH, RAW's 8-byte READ or SERVER's SEND of
 * a PERSIST request, signaled in its stead) in one post */
static int floor_post(struct bench *b, const struct scenario *s, uint64_t id,
		      uint64_t off)
{
	struct ibv_qp_ex *qpx = &b->fv.qpx;
	uint64_t raddr = REMOTE_ADDR + off;
	uint8_t *buf = s->op == FAKE_READ ? b->dst : b->src;

	ibv_wr_start(qpx);
	qpx->wr_id = id;
	qpx->wr_flags = (s->method ? 0 : IBV_SEND_SIGNALED) |
			(s->inl ? IBV_SEND_INLINE : 0);
	if (s->op == FAKE_READ)
		ibv_wr_rdma_read(qpx, REGION_RKEY, raddr);
	else
		ibv_wr_rdma_write(qpx, REGION_RKEY, raddr);
	if (s->inl)
		ibv_wr_set_inline_data(qpx, buf + off, s->len);
	else
		ibv_wr_set_sge(qpx, b->user_mr.lkey, (uintptr_t)(buf + off),
			       (uint32_t)s->len);
	if (s->method == PMR_METHOD_FLUSH) {
		qpx->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_flush(qpx, REGION_RKEY, raddr, s->len,
			     IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE);
	} else if (s->method == PMR_METHOD_RAW) {
		qpx->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_rdma_read(qpx, REGION_RKEY, raddr + s->len - 8);
		ibv_wr_set_sge(qpx, b->user_mr.lkey, (uintptr_t)b->dst, 8);
	} else if (s->method == PMR_METHOD_SERVER) {
		/* libpmr inlines a request that fits; so does the floor */
		qpx->wr_flags = IBV_SEND_SIGNALED |
				(b->floor_req_len <= b->conn->max_inline ?
					 IBV_SEND_INLINE :
					 0);
		ibv_wr_send(qpx);
		if (qpx->wr_flags & IBV_SEND_INLINE)
			ibv_wr_set_inline_data(qpx, b->floor_req,
					       b->floor_req_len);
		else
			ibv_wr_set_sge(qpx, b->conn->ctl_mr->lkey,
				       (uintptr_t)b->floor_req,
				       b->floor_req_len);
	}
	return ibv_wr_complete(qpx);
}

/* floor_repost -- put the receive of WC back (SERVER's response came in
 * it): the same wr_id and buffer, so libpmr's receive ring stays intact */
static int floor_repost(struct bench *b, const struct ibv_wc *wc)
{
	uint32_t slot = (uint32_t)(wc->wr_id >> 8) & 0xffffff;
	struct ibv_sge sge = {
		.addr = (uintptr_t)(b->conn->ctl + (size_t)slot * PMR_MSG_MAX),
		.length = PMR_MSG_MAX,
		.lkey = b->conn->ctl_mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = wc->wr_id,
				  .sg_list = &sge,
				  .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(&b->fv.qpx.qp_base, &wr, &bad);
}

/* r_floor -- QD raw operations, then ibv_poll_cq until each completed
 * (SERVER: and its response arrived, its receive posted again) */
static int r_floor(struct bench *b, const struct scenario *s)
{
	struct ibv_wc wc[QD_MAX];
	unsigned int i, got = 0, resp = 0, empty = 0;
	unsigned int want_resp = s->method == PMR_METHOD_SERVER ? s->qd : 0;
	int n, rc;

	for (i = 0; i < s->qd; i++) {
		rc = floor_post(b, s, b->tag + i, (uint64_t)i * s->len);
		if (rc)
			return -rc;
	}
	while (got < s->qd || resp < want_resp) {
		n = ibv_poll_cq(&b->fv.cq, QD_MAX, wc);
		if (n < 0)
			return n;
		if (n == 0 && ++empty > 1000)
			return -ETIMEDOUT;
		for (i = 0; i < (unsigned int)n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				return -EIO;
			if (wc[i].opcode == IBV_WC_RECV) {
				resp++;
				if (floor_repost(b, &wc[i]))
					return -ENOBUFS;
			} else if (wc[i].wr_id != b->tag + got++) {
				return -EIO;
			}
		}
	}
	b->tag += s->qd;
	return 0;
}

/* per-op expectations: data work request, then the persist's */
#define W1                                            \
	{                                             \
		.posts = 1, .write = 1, .signaled = 1 \
	}
#define W1_INL                                                  \
	{                                                       \
		.posts = 1, .write = 1, .signaled = 1, .inl = 1 \
	}
#define R1                                           \
	{                                            \
		.posts = 1, .read = 1, .signaled = 1 \
	}
#define WF                                                        \
	{                                                         \
		.posts = 1, .write = 1, .flush = 1, .signaled = 1 \
	}
#define WF_INL                                                              \
	{                                                                   \
		.posts = 1, .write = 1, .flush = 1, .signaled = 1, .inl = 1 \
	}
#define WR                                                       \
	{                                                        \
		.posts = 1, .write = 1, .read = 1, .signaled = 1 \
	}
#define WR_INL                                                             \
	{                                                                  \
		.posts = 1, .write = 1, .read = 1, .signaled = 1, .inl = 1 \
	}
/* SERVER: the WRITE and the PERSIST request's SEND (inline: it fits), the
 * response received */
#define WS                                                                  \
	{                                                                   \
		.posts = 1, .write = 1, .send = 1, .signaled = 1, .inl = 1, \
		.recv = 1                                                   \
	}
#define WS_INL                                                              \
	{                                                                   \
		.posts = 1, .write = 1, .send = 1, .signaled = 1, .inl = 2, \
		.recv = 1                                                   \
	}
/* 4 KiB is beyond max_inline: the bounce write, then the FLUSH, each
 * posted and waited for */
#define W_THEN_F                                                  \
	{                                                         \
		.posts = 2, .write = 1, .flush = 1, .signaled = 2 \
	}

static const struct scenario scenarios[] = {
	/* sync, plain buffers */
	{ "sync_write_64", "floor_write_inl_64", r_write, 64, 0, 1, 0, 0,
	  W1_INL },
	{ "sync_write_4k", "floor_write_4k", r_write, 4096, 0, 1, 0, 0, W1 },
	{ "sync_read_64", "floor_read_64", r_read, 64, 0, 1, 0, 0, R1 },
	{ "sync_read_4k", "floor_read_4k", r_read, 4096, 0, 1, 0, 0, R1 },
	{ "sync_wp_flush_64", "floor_wp_flush_inl_64", r_write_persist, 64,
	  PMR_METHOD_FLUSH, 1, 0, 0, WF_INL },
	{ "sync_wp_raw_64", "floor_wp_raw_inl_64", r_write_persist, 64,
	  PMR_METHOD_RAW, 1, 0, 0, WR_INL },
	{ "sync_wp_server_64", "floor_wp_server_inl_64", r_write_persist, 64,
	  PMR_METHOD_SERVER, 1, 0, 0, WS_INL },
	{ "sync_wp_flush_4k", "floor_wp_flush_4k", r_write_persist, 4096,
	  PMR_METHOD_FLUSH, 1, 0, 0, W_THEN_F },
	/* sync, zero-copy (registered buffers) */
	{ "zc_write_64", "floor_write_64", r_write_mr, 64, 0, 1, 0, 0, W1 },
	{ "zc_write_4k", "floor_write_4k", r_write_mr, 4096, 0, 1, 0, 0, W1 },
	{ "zc_read_64", "floor_read_64", r_read_mr, 64, 0, 1, 0, 0, R1 },
	{ "zc_read_4k", "floor_read_4k", r_read_mr, 4096, 0, 1, 0, 0, R1 },
	{ "zc_wp_flush_64", "floor_wp_flush_64", r_write_persist_mr, 64,
	  PMR_METHOD_FLUSH, 1, 0, 0, WF },
	{ "zc_wp_raw_64", "floor_wp_raw_64", r_write_persist_mr, 64,
	  PMR_METHOD_RAW, 1, 0, 0, WR },
	{ "zc_wp_server_64", "floor_wp_server_64", r_write_persist_mr, 64,
	  PMR_METHOD_SERVER, 1, 0, 0, WS },
	/* async: post, then pmr_conn_poll */
	{ "async_write_64_qd1", "floor_write_64", r_post_write, 64, 0, 1, 0, 0,
	  W1 },
	{ "async_write_64_qd16", "floor_write_64_qd16", r_post_write, 64, 0, 16,
	  0, 0, W1 },
	{ "async_read_64_qd16", "floor_read_64_qd16", r_post_read, 64, 0, 16, 0,
	  0, R1 },
	/* floors: raw ibv_wr_* and ibv_poll_cq on the same fakes */
	{ "floor_write_inl_64", NULL, r_floor, 64, 0, 1, FAKE_WRITE, 1,
	  W1_INL },
	{ "floor_write_64", NULL, r_floor, 64, 0, 1, FAKE_WRITE, 0, W1 },
	{ "floor_write_4k", NULL, r_floor, 4096, 0, 1, FAKE_WRITE, 0, W1 },
	{ "floor_read_64", NULL, r_floor, 64, 0, 1, FAKE_READ, 0, R1 },
	{ "floor_read_4k", NULL, r_floor, 4096, 0, 1, FAKE_READ, 0, R1 },
	{ "floor_wp_flush_inl_64", NULL, r_floor, 64, PMR_METHOD_FLUSH, 1,
	  FAKE_WRITE, 1, WF_INL },
	{ "floor_wp_raw_inl_64", NULL, r_floor, 64, PMR_METHOD_RAW, 1,
	  FAKE_WRITE, 1, WR_INL },
	{ "floor_wp_flush_64", NULL, r_floor, 64, PMR_METHOD_FLUSH, 1,
	  FAKE_WRITE, 0, WF },
	{ "floor_wp_raw_64", NULL, r_floor, 64, PMR_METHOD_RAW, 1, FAKE_WRITE,
	  0, WR },
	{ "floor_wp_server_inl_64", NULL, r_floor, 64, PMR_METHOD_SERVER, 1,
	  FAKE_WRITE, 1, WS_INL },
	{ "floor_wp_server_64", NULL, r_floor, 64, PMR_METHOD_SERVER, 1,
	  FAKE_WRITE, 0, WS },
	{ "floor_write_64_qd16", NULL, r_floor, 64, 0, 16, FAKE_WRITE, 0, W1 },
	{ "floor_read_64_qd16", NULL, r_floor, 64, 0, 16, FAKE_READ, 0, R1 },
	/* sync_wp_flush_4k's: libpmr posts the bounce WRITE and the FLUSH
	 * apart (W_THEN_F), its floor in one post, so the difference
	 * includes the second post and wait */
	{ "floor_wp_flush_4k", NULL, r_floor, 4096, PMR_METHOD_FLUSH, 1,
	  FAKE_WRITE, 0, WF },
};

/* check_counts -- the fake saw OPS operations' worth of S's work
 * requests between BEFORE and now, and has nothing left over */
static int check_counts(struct bench *b, const struct scenario *s,
			const struct fake_counts *before, uint64_t ops)
{
	const struct fake_counts *n = &b->fv.n;
	const struct want *w = &s->want;
	uint32_t i;

#define CHECK(field, exp)                                                 \
	do {                                                              \
		if (n->field - before->field != (exp)*ops)                \
			return fail(b, s->name, "wrong count of " #field, \
				    (long)(n->field - before->field));    \
	} while (0)
	CHECK(posts, w->posts);
	CHECK(op[FAKE_WRITE], w->write);
	CHECK(op[FAKE_READ], w->read);
	CHECK(op[FAKE_FLUSH], w->flush);
	CHECK(op[FAKE_SEND], w->send);
	CHECK(wrs, w->write + w->read + w->flush + w->send);
	CHECK(signaled, w->signaled);
	CHECK(inl, w->inl);
	CHECK(wcs, w->signaled + w->recv);
	CHECK(responses, w->recv);
	CHECK(recvs, w->recv); /* each receive posted again */
	CHECK(aborts, 0);
	CHECK(errors, 0);
#undef CHECK
	if (b->fv.cq_count)
		return fail(b, s->name, "completions left in the CQ",
			    (long)b->fv.cq_count);
	if (b->fv.rq_count != b->conn->nrecv)
		return fail(b, s->name, "receives not all posted again",
			    (long)b->fv.rq_count);
	if (b->conn->lost || b->conn->sq_used)
		return fail(b, s->name, "connection lost or send queue used",
			    (long)b->conn->sq_used);
	for (i = 0; i < b->conn->nops; i++)
		if (b->conn->ops[i].busy)
			return fail(b, s->name, "op slot still busy", (long)i);
	return 0;
}

/* check_last -- the last post's shape for the persisted writes: the
 * write unsignaled at the range, then the persist signaled (FLUSH of the
 * range, RAW's READ of its last 8 bytes, or SERVER's SEND) */
static int check_last(struct bench *b, const struct scenario *s)
{
	const struct fake_wr *w = b->fv.last;
	uint64_t raddr = REMOTE_ADDR; /* every scenario works at offset 0 */

	if (!s->method || s->want.posts != 1)
		return 0;
	if (b->fv.nlast != 2 || w[0].op != FAKE_WRITE ||
	    (w[0].flags & IBV_SEND_SIGNALED) || w[0].raddr != raddr ||
	    w[0].len != s->len || w[0].rkey != REGION_RKEY)
		return fail(b, s->name, "persisted write not as expected",
			    (long)b->fv.nlast);
	if (!(w[1].flags & IBV_SEND_SIGNALED))
		return fail(b, s->name, "persist not signaled", 0);
	if (s->method == PMR_METHOD_SERVER && w[1].op != FAKE_SEND)
		return fail(b, s->name, "SERVER persist not a SEND", w[1].op);
	if (s->method != PMR_METHOD_SERVER && w[1].rkey != REGION_RKEY)
		return fail(b, s->name, "persist not of the region", 0);
	if (s->method == PMR_METHOD_FLUSH &&
	    (w[1].op != FAKE_FLUSH || w[1].raddr != raddr ||
	     w[1].len != s->len))
		return fail(b, s->name, "FLUSH not of the range", w[1].op);
	if (s->method == PMR_METHOD_RAW &&
	    (w[1].op != FAKE_READ || w[1].raddr != raddr + s->len - 8 ||
	     w[1].len != 8))
		return fail(b, s->name, "RAW READ not of the last 8 bytes",
			    w[1].op);
	return 0;
}

/* run -- WARM rounds of S, then N counted ones; the checks */
static int run(struct bench *b, const struct scenario *s, unsigned int warm,
	       unsigned int n)
{
	struct fake_counts before;
	unsigned int i;
	int rc;

	b->err = 0;
	if (s->method && s->round != r_floor) {
		rc = pmr_region_set_persist_method(&b->region, s->method);
		if (rc)
			return fail(b, s->name, "set_persist_method", rc);
	}
	for (i = 0; i < warm; i++) {
		rc = s->round(b, s);
		if (rc)
			return fail(b, s->name, "warm-up call failed", rc);
	}
	before = b->fv.n;
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < n; i++) {
		rc = s->round(b, s);
		if (rc)
			break;
	}
	CALLGRIND_DUMP_STATS_AT(s->name);
	if (rc)
		return fail(b, s->name, "call failed", rc);
	if (check_counts(b, s, &before, (uint64_t)n * s->qd))
		return -1;
	if (check_last(b, s))
		return -1;
	/* opcount.sh reads the ops and the floor from this line */
	printf("%-22s ok  ops %u  per op: %u post(s), %u WR(s), %u signaled"
	       "  floor %s\n",
	       s->name, n * s->qd, s->want.posts,
	       s->want.write + s->want.read + s->want.flush + s->want.send,
	       s->want.signaled, s->floor ? s->floor : "-");
	return 0;
}

/* fill -- a pattern that differs per SEED */
static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* data_check -- with the fake moving data: what each path writes lands
 * in the "remote" buffer, what it reads comes back (the counted scenarios
 * reuse offset 0 and check only the work requests) */
static int data_check(struct bench *b)
{
	static const struct scenario qd = { .name = "data",
					    .qd = QD_MAX,
					    .len = 64 };
	uint8_t *rem = b->remote;
	bool move = b->fv.move_data;
	int rc;

	b->fv.move_data = true;
	b->region.method = PMR_METHOD_RAW;
	fill(b->src, 4096, 1);
	rc = pmr_region_write(&b->region, b->src, 4096, 4096);
	if (rc || memcmp(rem + 4096, b->src, 4096))
		return fail(b, "data", "bounce write", rc);
	memset(b->dst, 0, 4096);
	rc = pmr_region_read(&b->region, b->dst, 4096, 4096);
	if (rc || memcmp(b->dst, b->src, 4096))
		return fail(b, "data", "bounce read", rc);
	fill(b->src, 64, 2);
	rc = pmr_region_write_persist(&b->region, b->src, 100, 64);
	if (rc || memcmp(rem + 100, b->src, 64))
		return fail(b, "data", "inline write_persist", rc);
	b->region.method = PMR_METHOD_SERVER;
	fill(b->src, 64, 5);
	rc = pmr_region_write_persist(&b->region, b->src, 200, 64);
	b->region.method = PMR_METHOD_RAW;
	if (rc || memcmp(rem + 200, b->src, 64))
		return fail(b, "data", "SERVER write_persist", rc);
	fill(b->src, 4096, 3);
	rc = pmr_region_write_persist_mr(&b->region, &b->src_mr, 0, 8192, 4096);
	if (rc || memcmp(rem + 8192, b->src, 4096))
		return fail(b, "data", "write_persist_mr", rc);
	memset(b->dst, 0, 4096);
	rc = pmr_region_read_mr(&b->region, &b->dst_mr, 0, 8192, 4096);
	if (rc || memcmp(b->dst, b->src, 4096))
		return fail(b, "data", "read_mr", rc);
	/* async: 16 writes of 64 bytes from the start of the region, read
	 * back by 16 reads */
	fill(b->src, 1024, 4);
	rc = r_post_write(b, &qd);
	if (rc || memcmp(rem, b->src, 1024))
		return fail(b, "data", "post_write", rc);
	memset(b->dst, 0, 1024);
	rc = r_post_read(b, &qd);
	if (rc || memcmp(b->dst, b->src, 1024))
		return fail(b, "data", "post_read", rc);
	/* beyond the remote buffer: the fake fails it, libpmr reports it
	 * and loses the connection (no QP to put in error: ibv_modify_qp
	 * would reach past the fake into libibverbs) */
	b->conn->qp = NULL;
	b->region.size = REMOTE_SIZE + 4096;
	rc = pmr_region_write_mr(&b->region, &b->src_mr, 0, REMOTE_SIZE, 64);
	b->region.size = REMOTE_SIZE;
	if (rc == 0)
		return fail(b, "data", "a failed work request went unnoticed",
			    rc);
	b->fv.move_data = move;
	printf("%-22s ok  (writes land, reads return them, errors surface)\n",
	       "data");
	return 0;
}

/* usage -- how to call */
static void usage(void)
{
	fprintf(stderr,
		"usage: pmr_opcount [-n ROUNDS] [-w WARMUP] [-m] [SCENARIO...]\n"
		"  -m  the fake moves data in the counted rounds too\n");
}

int main(int argc, char **argv)
{
	unsigned int n = 1000, warm = 100;
	struct bench b;
	size_t i;
	int c, bad = 0, ran = 0, j;
	bool move = false;

	while ((c = getopt(argc, argv, "n:w:mh")) != -1) {
		switch (c) {
		case 'n':
			n = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warm = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			move = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!n) {
		usage();
		return 2;
	}
	if (bench_build(&b)) {
		fprintf(stderr, "pmr_opcount: out of memory\n");
		return 1;
	}
	bad |= data_check(&b) != 0;
	/* a failed work request loses the connection: start again */
	conn_free(b.conn);
	free(b.src);
	free(b.remote);
	if (bench_build(&b)) {
		fprintf(stderr, "pmr_opcount: out of memory\n");
		return 1;
	}
	b.fv.move_data = move;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];

		for (j = optind; j < argc; j++)
			if (!strcmp(argv[j], s->name))
				break;
		if (optind < argc && j == argc)
			continue;
		ran++;
		if (run(&b, s, warm, n))
			bad = 1;
		if (b.conn->lost)
			break; /* every later scenario would fail the same */
	}
	conn_free(b.conn);
	free(b.src);
	free(b.remote);
	if (!ran) {
		fprintf(stderr, "pmr_opcount: no such scenario\n");
		return 2;
	}
	printf("pmr_opcount: %s\n", bad ? "FAILED" : "all passed");
	return bad;
}
