/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_rawclient.c -- a raw rdmacm client for pmrd's VM tests: speaks the
 * wire protocol by hand (pmrproto only, never libpmr) so it can send what a
 * real client never would -- bad hellos, wrong versions, malformed or
 * oversize control messages, writes to read-only regions -- and check that
 * pmrd answers as proto/FLOW.md says while other connections stay healthy.
 *
 *   pmr-rawclient HOST PORT SCENARIO [ARGS...]   (see usage for the list)
 *
 * Exit: 0 the scenario behaved as expected, 1 it did not (reason on
 * stderr), 2 usage, 77 not applicable to this build (skip).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "pmr_proto.h"
#include "proof.h"

#define TIMEOUT_MS  5000
#define CREDITS	    4 /* what a hello asks, unless g_credits says */
#define CREDITS_MAX 8 /* what the buffers hold (hog asks up to it) */
#define DATA_SIZE   (64 * 1024)
#define SEND_BIT    (1ull << 63)
#define DATA_WRID   0x4000000000000000ull

struct conn {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *cc; /* the hog sleeps on it */
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	uint8_t *buf; /* CREDITS_MAX recv slots, 1 send slot, data area */
	struct pmr_welcome welcome;
	struct pmr_reject reject;
	bool rejected;
	bool dead;
	struct ibv_wc stash[2 * CREDITS_MAX +
			    8]; /* polled while waiting for another */
	unsigned n_stash;
	uint64_t next_req;
	const char *name;
	uint8_t cnonce[PMR_NONCE_SIZE]; /* sent in the hello (conn_hello) */
};

static const char *g_host, *g_port;
static unsigned g_credits = CREDITS; /* asked in conn_hello */
static volatile sig_atomic_t g_stop; /* SIGTERM: the hog winds down */

/* on_term -- the hog stops sending, collects its answers, reports */
static void on_term(int sig)
{
	g_stop = 1;
}

/* fail -- print why the scenario failed; returns 1 for `return fail()` */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* say -- progress on stdout */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* now_ms -- monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static uint8_t *recv_slot(struct conn *c, unsigned i)
{
	return c->buf + (size_t)i * PMR_MSG_MAX;
}

static uint8_t *send_slot(struct conn *c)
{
	return c->buf + (size_t)CREDITS_MAX * PMR_MSG_MAX;
}

static uint8_t *data_area(struct conn *c)
{
	return c->buf + (size_t)(CREDITS_MAX + 1) * PMR_MSG_MAX;
}

/*
 * wait_cm -- the next CM event of C within MS; its type, or -ETIMEDOUT.
 * Private data of ESTABLISHED/REJECTED is decoded into C.
 */
static int wait_cm(struct conn *c, int ms)
{
	struct rdma_cm_event *ev;
	struct pollfd p = { .fd = c->ec->fd, .events = POLLIN };
	int type;

	for (;;) {
		if (!rdma_get_cm_event(c->ec, &ev))
			break;
		if (errno != EAGAIN)
			return -errno;
		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
	}
	type = ev->event;
	if (type == RDMA_CM_EVENT_ESTABLISHED)
		pmr_welcome_decode(ev->param.conn.private_data,
				   ev->param.conn.private_data_len,
				   &c->welcome);
	if (type == RDMA_CM_EVENT_REJECTED) {
		c->rejected = true;
		if (pmr_reject_decode(ev->param.conn.private_data,
				      ev->param.conn.private_data_len,
				      &c->reject))
			c->reject.reason = 0;
	}
	if (type == RDMA_CM_EVENT_DISCONNECTED)
		c->dead = true;
	rdma_ack_cm_event(ev);
	return type;
}

/* post_recv -- post recv slot I */
static int post_recv(struct conn *c, unsigned i)
{
	struct ibv_sge sge = { (uintptr_t)recv_slot(c, i), PMR_MSG_MAX,
			       c->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return -ibv_post_recv(c->id->qp, &wr, &bad);
}

/* conn_close -- tear down C (any state) */
static void conn_close(struct conn *c)
{
	if (c->id && c->id->qp && !c->dead && !c->rejected) {
		rdma_disconnect(c->id);
		wait_cm(c, 1000);
	}
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	if (c->mr)
		ibv_dereg_mr(c->mr);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->cc)
		ibv_destroy_comp_channel(c->cc);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->ec)
		rdma_destroy_event_channel(c->ec);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/*
 * conn_open -- connect with HELLO (LEN bytes, NULL: none).  0 when
 * established, -ECONNREFUSED when rejected (c->reject filled), else
 * negative errno.
 */
static int conn_open(struct conn *c, const char *name, const void *hello,
		     size_t len)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res;
	struct ibv_qp_init_attr_ex qa;
	struct rdma_conn_param cp;
	size_t size = (size_t)(CREDITS_MAX + 1) * PMR_MSG_MAX + DATA_SIZE;
	int err, flags;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->next_req = 1;
	if (rdma_getaddrinfo(g_host, g_port, &hints, &res))
		return -errno;
	c->ec = rdma_create_event_channel();
	if (!c->ec)
		return -errno;
	flags = fcntl(c->ec->fd, F_GETFL);
	fcntl(c->ec->fd, F_SETFL, flags | O_NONBLOCK);
	if (rdma_create_id(c->ec, &c->id, c, RDMA_PS_TCP))
		return -errno;
	if (rdma_resolve_addr(c->id, NULL, res->ai_dst_addr, 2000))
		return -errno;
	rdma_freeaddrinfo(res);
	if (wait_cm(c, TIMEOUT_MS) != RDMA_CM_EVENT_ADDR_RESOLVED)
		return -EHOSTUNREACH;
	if (rdma_resolve_route(c->id, 2000))
		return -errno;
	if (wait_cm(c, TIMEOUT_MS) != RDMA_CM_EVENT_ROUTE_RESOLVED)
		return -EHOSTUNREACH;

	c->pd = ibv_alloc_pd(c->id->verbs);
	c->cc = ibv_create_comp_channel(c->id->verbs);
	c->cq = c->cc ? ibv_create_cq(c->id->verbs, 4 * CREDITS_MAX + 8, NULL,
				      c->cc, 0) :
			NULL;
	if (!c->pd || !c->cq)
		return -ENOMEM;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 2 * CREDITS_MAX + 4;
	qa.cap.max_recv_wr = CREDITS_MAX;
	qa.cap.max_send_sge = qa.cap.max_recv_sge = 1;
	qa.sq_sig_all = 1;
	qa.pd = c->pd;
	qa.comp_mask = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	qa.send_ops_flags = IBV_QP_EX_WITH_SEND | IBV_QP_EX_WITH_RDMA_WRITE |
			    IBV_QP_EX_WITH_RDMA_READ;
#ifdef PMRD_HAVE_IBV_FLUSH
	qa.send_ops_flags |= IBV_QP_EX_WITH_FLUSH;
#endif
	if (rdma_create_qp_ex(c->id, &qa)) {
		/* devices without FLUSH: a plain QP still tests everything else */
		qa.send_ops_flags = IBV_QP_EX_WITH_SEND |
				    IBV_QP_EX_WITH_RDMA_WRITE |
				    IBV_QP_EX_WITH_RDMA_READ;
		if (rdma_create_qp_ex(c->id, &qa))
			return -errno;
	}
	if (posix_memalign((void **)&c->buf, 4096, size))
		return -ENOMEM;
	memset(c->buf, 0, size);
	c->mr = ibv_reg_mr(c->pd, c->buf, size, IBV_ACCESS_LOCAL_WRITE);
	if (!c->mr)
		return -errno;
	for (unsigned i = 0; i < g_credits; i++) {
		err = post_recv(c, i);
		if (err)
			return err;
	}

	memset(&cp, 0, sizeof(cp));
	cp.private_data = hello;
	cp.private_data_len = (uint8_t)len;
	cp.initiator_depth = 16;
	cp.responder_resources = 0;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(c->id, &cp))
		return -errno;
	err = wait_cm(c, TIMEOUT_MS);
	if (err == RDMA_CM_EVENT_ESTABLISHED)
		return 0;
	if (err == RDMA_CM_EVENT_REJECTED)
		return -ECONNREFUSED;
	return err < 0 ? err : -EPROTO;
}

/*
 * hello_encode -- a proper hello asking CREDITS into B, its random nonce
 * into NONCE; the hello's length or negative errno
 */
static int hello_encode(uint8_t b[PMR_HELLO_SIZE_V2],
			uint8_t nonce[PMR_NONCE_SIZE])
{
	struct pmr_hello h = {
		.version = PMR_PROTO_VERSION,
		.min_version = PMR_PROTO_VERSION_MIN,
		.credits = (uint16_t)g_credits,
	};

	/* a real client's nonce is random; any will do for a probe */
	if (getrandom(h.nonce, sizeof(h.nonce), 0) != sizeof(h.nonce))
		return -EIO;
	memcpy(nonce, h.nonce, PMR_NONCE_SIZE);
	return pmr_hello_encode(&h, b, PMR_HELLO_SIZE_V2);
}

/* conn_hello -- conn_open with a proper hello asking CREDITS */
static int conn_hello(struct conn *c, const char *name)
{
	uint8_t b[PMR_HELLO_SIZE_V2], nonce[PMR_NONCE_SIZE];
	int n;

	n = hello_encode(b, nonce);
	if (n < 0)
		return n;
	n = conn_open(c, name, b, (size_t)n);
	memcpy(c->cnonce, nonce, sizeof(c->cnonce)); /* conn_open zeroed C */
	return n;
}

/*
 * wait_wc -- poll until a completion with WR_ID (or, with ANY_RECV, any
 * recv) arrives; other successful completions are skipped.  0 and *WC, or
 * -ETIMEDOUT, or -ECONNRESET on an error completion (*WC filled).
 */
static int wait_wc(struct conn *c, uint64_t wr_id, bool any_recv, int ms,
		   struct ibv_wc *out)
{
	long long end = now_ms() + ms;
	struct ibv_wc wc;
	int n;

	/* a completion polled earlier while waiting for another one */
	for (unsigned i = 0; i < c->n_stash; i++) {
		wc = c->stash[i];
		if (wc.wr_id == wr_id ||
		    (any_recv && !(wc.wr_id & (SEND_BIT | DATA_WRID)))) {
			memmove(&c->stash[i], &c->stash[i + 1],
				(c->n_stash - i - 1) * sizeof(wc));
			c->n_stash--;
			*out = wc;
			return 0;
		}
	}
	while (now_ms() < end) {
		n = ibv_poll_cq(c->cq, 1, &wc);
		if (n < 0)
			return -EIO;
		if (n == 0) {
			struct timespec ts = { 0, 50000 };

			if (!c->dead &&
			    wait_cm(c, 0) == RDMA_CM_EVENT_DISCONNECTED)
				c->dead = true;
			nanosleep(&ts, NULL);
			continue;
		}
		if (wc.status != IBV_WC_SUCCESS) {
			*out = wc;
			c->dead = true;
			return -ECONNRESET;
		}
		if (wc.wr_id == wr_id ||
		    (any_recv && !(wc.wr_id & (SEND_BIT | DATA_WRID)))) {
			*out = wc;
			return 0;
		}
		/* a response can complete before our SEND's ack: keep it */
		if (!(wc.wr_id & (SEND_BIT | DATA_WRID)) &&
		    c->n_stash < sizeof(c->stash) / sizeof(c->stash[0]))
			c->stash[c->n_stash++] = wc;
	}
	return -ETIMEDOUT;
}

/* send_raw -- SEND LEN bytes of BYTES (copied into the send slot) */
static int send_raw(struct conn *c, const void *bytes, size_t len)
{
	struct ibv_sge sge = { (uintptr_t)send_slot(c), (uint32_t)len,
			       c->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = SEND_BIT,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *bad;
	struct ibv_wc wc;

	if (len > PMR_MSG_MAX) /* oversize: send from the data area */
		sge.addr = (uintptr_t)data_area(c);
	else
		memcpy(send_slot(c), bytes, len);
	if (ibv_post_send(c->id->qp, &wr, &bad))
		return -EIO;
	return wait_wc(c, SEND_BIT, false, TIMEOUT_MS, &wc);
}

/* recv_resp -- the next response within MS, decoded; recv reposted */
static int recv_resp(struct conn *c, int ms, struct pmr_msg *resp)
{
	struct ibv_wc wc;
	int err;

	err = wait_wc(c, 0, true, ms, &wc);
	if (err)
		return err;
	/* the layout of the version the server chose (welcome) */
	err = pmr_msg_decode_ver(recv_slot(c, (unsigned)wc.wr_id), wc.byte_len,
				 c->welcome.version, resp);
	post_recv(c, (unsigned)wc.wr_id);
	if (err == -EPROTO) {
		/* an answer to an unknown type: only the header is decoded */
		memset(&resp->u, 0, sizeof(resp->u));
		err = 0;
	}
	return err;
}

/* request -- encode MSG (fresh req_id), send, wait for its response */
static int request(struct conn *c, struct pmr_msg *msg, struct pmr_msg *resp)
{
	uint8_t b[PMR_MSG_MAX];
	int n, err;

	msg->hdr.req_id = c->next_req++;
	n = pmr_msg_encode_ver(msg, c->welcome.version, b, sizeof(b));
	if (n < 0)
		return n;
	err = send_raw(c, b, (size_t)n);
	if (err)
		return err;
	err = recv_resp(c, TIMEOUT_MS, resp);
	if (err)
		return err;
	if (resp->hdr.req_id != msg->hdr.req_id ||
	    resp->hdr.type != (msg->hdr.type | PMR_MSG_RESP))
		return -EBADMSG;
	return 0;
}

/* do_ping -- PING; 0 when answered OK */
static int do_ping(struct conn *c)
{
	struct pmr_msg m, r;
	int err;

	pmr_msg_init(&m, PMR_MSG_PING, 0);
	err = request(c, &m, &r);
	if (err)
		return err;
	return r.hdr.status == PMR_ST_OK ? 0 : -EPROTO;
}

/* do_open -- OPEN NAME ACCESS; the response status, negative on errors */
static int do_open(struct conn *c, const char *name, uint8_t access,
		   struct pmr_open_resp *ret)
{
	struct pmr_msg m, r;
	int err;

	pmr_msg_init(&m, PMR_MSG_OPEN, 0);
	m.u.open_req.access = access;
	snprintf(m.u.open_req.name, sizeof(m.u.open_req.name), "%s", name);
	err = request(c, &m, &r);
	if (err)
		return err;
	if (r.hdr.status == PMR_ST_OK && ret)
		*ret = r.u.open_resp;
	if (r.hdr.status)
		say("%s: open %s: %s: %s", c->name, name,
		    pmr_status_str(r.hdr.status), r.u.error.text);
	return r.hdr.status;
}

/* do_simple -- CLOSE or PERSIST; the response status */
static int do_simple(struct conn *c, struct pmr_msg *m)
{
	struct pmr_msg r;
	int err = request(c, m, &r);

	return err ? err : r.hdr.status;
}

/* rdma_op -- one RDMA WRITE or READ of LEN bytes of the data area */
static int rdma_op(struct conn *c, enum ibv_wr_opcode op, uint64_t raddr,
		   uint32_t rkey, uint32_t len, struct ibv_wc *wc)
{
	struct ibv_sge sge = { (uintptr_t)data_area(c), len, c->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = DATA_WRID,
				  .sg_list = &sge,
				  .num_sge = 1,
				  .opcode = op,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *bad;

	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	if (ibv_post_send(c->id->qp, &wr, &bad))
		return -EIO;
	return wait_wc(c, DATA_WRID, false, TIMEOUT_MS, wc);
}

/* expect_dead -- C is disconnected by the server within MS */
static int expect_dead(struct conn *c, int ms)
{
	long long end = now_ms() + ms;

	while (!c->dead && now_ms() < end) {
		struct ibv_wc wc;

		if (ibv_poll_cq(c->cq, 1, &wc) == 1 &&
		    wc.status != IBV_WC_SUCCESS)
			c->dead = true;
		else if (wait_cm(c, 50) == RDMA_CM_EVENT_DISCONNECTED)
			c->dead = true;
	}
	return c->dead ? 0 :
			 fail("%s: still connected after %d ms", c->name, ms);
}

/* expect_reject -- connecting with HELLO is rejected with REASON */
static int expect_reject(const void *hello, size_t len, uint16_t reason)
{
	struct conn c;
	int err = conn_open(&c, "probe", hello, len);
	int rc = 0;

	if (err != -ECONNREFUSED)
		rc = fail("expected a reject (%s), got %s",
			  pmr_reject_reason_str(reason),
			  err ? strerror(-err) : "a connection");
	else if (c.reject.reason != reason)
		rc = fail("rejected with reason %u (%s), expected %u (%s)",
			  c.reject.reason,
			  pmr_reject_reason_str(c.reject.reason), reason,
			  pmr_reject_reason_str(reason));
	else
		say("rejected as expected: %s (server speaks %u..%u)",
		    pmr_reject_reason_str(reason), c.reject.min_version,
		    c.reject.version);
	conn_close(&c);
	return rc;
}

/* sc_hello -- bad magic, no private data, wrong version, nonzero flags */
static int sc_hello(int argc, char **argv)
{
	struct pmr_hello h = { 200, 100, 0, CREDITS, { 0 } };
	uint8_t junk[PMR_HELLO_SIZE], b[PMR_HELLO_SIZE_V2];
	int rc = 0, n;

	memset(junk, 0xab, sizeof(junk));
	rc |= expect_reject(junk, sizeof(junk), PMR_REJECT_BAD_HELLO);
	rc |= expect_reject(NULL, 0, PMR_REJECT_BAD_HELLO);
	n = pmr_hello_encode(&h, b, sizeof(b));
	rc |= expect_reject(b, (size_t)n, PMR_REJECT_VERSION);
	h.version = h.min_version = PMR_PROTO_VERSION;
	n = pmr_hello_encode(&h, b, sizeof(b));
	b[8] = 1; /* flags: none defined */
	rc |= expect_reject(b, (size_t)n, PMR_REJECT_BAD_HELLO);
	/* a version 2 hello without its nonce is short */
	rc |= expect_reject(b, PMR_HELLO_SIZE, PMR_REJECT_BAD_HELLO);
	return rc;
}

/* sc_list -- print every region: name size access kind gran persist */
static int sc_list(int argc, char **argv)
{
	struct pmr_msg m, r;
	struct conn c;
	uint32_t got = 0, total = 1;
	int err;

	err = conn_hello(&c, "list");
	if (err)
		return fail("connect: %s", strerror(-err));
	say("welcome: version %u, %u credits, max_msg %u", c.welcome.version,
	    c.welcome.credits, c.welcome.max_msg);
	while (got < total) {
		pmr_msg_init(&m, PMR_MSG_LIST_REGIONS, 0);
		m.u.list_req.start = got;
		err = request(&c, &m, &r);
		if (err || r.hdr.status)
			return fail("LIST_REGIONS: %s",
				    err ? strerror(-err) :
					  pmr_status_str(r.hdr.status));
		total = r.u.list_resp.total;
		for (uint32_t i = 0; i < r.u.list_resp.count; i++) {
			struct pmr_region_info *e = &r.u.list_resp.entries[i];

			say("region %s size %llu access %s kind %u gran %u persist %s%s%s",
			    e->name, (unsigned long long)e->size,
			    e->access ? "ro" : "rw", e->kind, e->gran,
			    (e->persist & PMR_PERSIST_SERVER) ? "server" : "",
			    (e->persist & PMR_PERSIST_FLUSH) ? ",flush" : "",
			    (e->persist & PMR_PERSIST_RAW) ? ",raw" : "");
		}
		if (!r.u.list_resp.count)
			break;
		got += r.u.list_resp.count;
	}
	conn_close(&c);
	return 0;
}

/* sc_open -- OPEN NAME rw|ro; exit 0 on OK, 3 on any error status */
static int sc_open(int argc, char **argv)
{
	struct pmr_open_resp o;
	struct conn c;
	int err;

	if (argc < 2)
		return 2;
	err = conn_hello(&c, "open");
	if (err)
		return fail("connect: %s", strerror(-err));
	err = do_open(&c, argv[0], !strcmp(argv[1], "ro"), &o);
	if (err < 0)
		return fail("open: %s", strerror(-err));
	if (err) {
		printf("status %s\n", pmr_status_str((uint16_t)err));
		conn_close(&c);
		return 3;
	}
	say("status OK handle %#x length %llu persist %#x kind %u gran %u access %u",
	    o.handle, (unsigned long long)o.length, o.persist, o.kind, o.gran,
	    o.access);
	conn_close(&c);
	return 0;
}

/* put_hdr -- a raw header: TYPE STATUS LENGTH REQ_ID */
static void put_hdr(uint8_t *b, uint16_t type, uint16_t status, uint32_t len,
		    uint64_t req_id)
{
	b[0] = (uint8_t)type;
	b[1] = (uint8_t)(type >> 8);
	b[2] = (uint8_t)status;
	b[3] = (uint8_t)(status >> 8);
	for (int i = 0; i < 4; i++)
		b[4 + i] = (uint8_t)(len >> (8 * i));
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(req_id >> (8 * i));
}

/*
 * expect_status -- send LEN raw bytes, expect a response STATUS echoing ID;
 * then a PING, so a run of these never reaches the server's bad-streak
 * limit (sc_abuse tests that)
 */
static int expect_status(struct conn *c, const uint8_t *b, size_t len,
			 uint64_t id, uint16_t status, const char *what)
{
	struct pmr_msg r;
	int err;

	err = send_raw(c, b, len);
	if (!err)
		err = recv_resp(c, TIMEOUT_MS, &r);
	if (err)
		return fail("%s: %s", what, strerror(-err));
	if (do_ping(c))
		return fail("%s: PING after it failed", what);
	if (r.hdr.req_id != id || r.hdr.status != status)
		return fail(
			"%s: got status %s for req %llu, expected %s for %llu",
			what, pmr_status_str(r.hdr.status),
			(unsigned long long)r.hdr.req_id,
			pmr_status_str(status), (unsigned long long)id);
	say("%s: %s (%s)", what, pmr_status_str(status), r.u.error.text);
	return 0;
}

/*
 * garbage -- a run of malformed control messages on C, each answered
 * (except the headerless one); every one counts as bad.  Returns how many
 * bad messages were sent, or -1 on a failed expectation.
 */
static int garbage(struct conn *c)
{
	uint8_t b[PMR_MSG_MAX];
	struct pmr_msg r;
	int sent = 0;

	memset(b, 0, sizeof(b));
	/* 1: header length disagrees with the message length */
	put_hdr(b, PMR_MSG_PING, 0, 999, 101);
	if (expect_status(c, b, PMR_MSG_HDR_SIZE, 101, PMR_ST_INVALID,
			  "length mismatch"))
		return -1;
	sent++;
	/* 2: unknown type */
	put_hdr(b, 77, 0, PMR_MSG_HDR_SIZE, 102);
	if (expect_status(c, b, PMR_MSG_HDR_SIZE, 102, PMR_ST_UNSUPPORTED,
			  "unknown type"))
		return -1;
	sent++;
	/* 3: OPEN whose name_len runs past the end */
	put_hdr(b, PMR_MSG_OPEN, 0, PMR_MSG_HDR_SIZE + 3, 103);
	b[16] = 0;
	b[17] = 60;
	b[18] = 'x';
	if (expect_status(c, b, PMR_MSG_HDR_SIZE + 3, 103, PMR_ST_INVALID,
			  "open name_len overrun"))
		return -1;
	sent++;
	/* 4: a response sent as a request */
	put_hdr(b, PMR_MSG_PING | PMR_MSG_RESP, 0, PMR_MSG_HDR_SIZE, 104);
	if (expect_status(c, b, PMR_MSG_HDR_SIZE, 104, PMR_ST_INVALID,
			  "response as request"))
		return -1;
	sent++;
	/* 5: nonzero status in a request */
	put_hdr(b, PMR_MSG_PING, 3, PMR_MSG_HDR_SIZE, 105);
	if (expect_status(c, b, PMR_MSG_HDR_SIZE, 105, PMR_ST_INVALID,
			  "status in request"))
		return -1;
	sent++;
	/* 6: PERSIST with trailing bytes */
	put_hdr(b, PMR_MSG_PERSIST, 0, PMR_MSG_HDR_SIZE + 32, 106);
	if (expect_status(c, b, PMR_MSG_HDR_SIZE + 32, 106, PMR_ST_INVALID,
			  "persist with trailing bytes"))
		return -1;
	sent++;
	/* 7: shorter than a header: no answer possible, none expected */
	if (send_raw(c, b, 7) || recv_resp(c, 300, &r) != -ETIMEDOUT) {
		fail("7-byte message: expected silence");
		return -1;
	}
	say("7-byte message: no answer (as expected)");
	sent++;
	return sent;
}

/* sc_garbage -- malformed messages get INVALID/UNSUPPORTED; PING still OK */
static int sc_garbage(int argc, char **argv)
{
	struct conn c;
	int err;

	err = conn_hello(&c, "garbage");
	if (err)
		return fail("connect: %s", strerror(-err));
	if (c.welcome.credits < 1)
		return fail("welcome without credits");
	if (garbage(&c) < 0)
		return 1;
	err = do_ping(&c);
	if (err)
		return fail("PING after garbage: %s", strerror(-err));
	say("PING after garbage: OK; connection kept");
	conn_close(&c);
	return 0;
}

/* sc_abuse N -- more than N (max_outstanding) bad messages: disconnected */
static int sc_abuse(int argc, char **argv)
{
	unsigned n = argc > 0 ? (unsigned)atoi(argv[0]) : 16;
	uint8_t b[PMR_MSG_HDR_SIZE];
	struct conn c;
	int err;

	err = conn_hello(&c, "abuse");
	if (err)
		return fail("connect: %s", strerror(-err));
	for (unsigned i = 0; i <= n + 1 && !c.dead; i++) {
		struct pmr_msg r;

		put_hdr(b, 77, 0, sizeof(b), 1000 + i);
		if (send_raw(&c, b, sizeof(b)))
			break;
		if (recv_resp(&c, 1000, &r))
			break;
	}
	err = expect_dead(&c, TIMEOUT_MS);
	if (!err)
		say("disconnected after more than %u bad messages", n);
	conn_close(&c);
	return err;
}

/*
 * sc_oversize [BYTES] -- a message larger than max_msg (default
 * PMR_MSG_MAX + 1024 bytes; less for a server configured with a smaller
 * max_msg): disconnected
 */
static int sc_oversize(int argc, char **argv)
{
	static const uint8_t zeros[PMR_MSG_MAX];
	unsigned len = PMR_MSG_MAX + 1024;
	struct conn c;
	int err;

	if (argc >= 1)
		len = (unsigned)atoi(argv[0]);
	if (len <= PMR_MSG_HDR_SIZE || len > DATA_SIZE)
		return 2;
	err = conn_hello(&c, "oversize");
	if (err)
		return fail("connect: %s", strerror(-err));
	say("welcome: max_msg %u", c.welcome.max_msg);
	send_raw(&c, zeros, len);
	err = expect_dead(&c, TIMEOUT_MS);
	if (!err)
		say("disconnected after a %u-byte message", len);
	conn_close(&c);
	return err;
}

/* check_data -- write, persist, read back on an open rw handle */
static int check_data(struct conn *c, const struct pmr_open_resp *o,
		      uint8_t seed)
{
	uint64_t off = o->length >= 2 * 4096 ? 4096 : 0;
	uint32_t len = (uint32_t)(o->length < 4096 ? o->length : 4096);
	struct pmr_msg m;
	struct ibv_wc wc;
	int st;

	for (uint32_t i = 0; i < len; i++)
		data_area(c)[i] = (uint8_t)(seed + i * 7);
	if (rdma_op(c, IBV_WR_RDMA_WRITE, o->addr + off, o->rkey, len, &wc))
		return fail("%s: RDMA WRITE: %s", c->name,
			    ibv_wc_status_str(wc.status));
	pmr_msg_init(&m, PMR_MSG_PERSIST, 0);
	m.u.persist_req.handle = o->handle;
	m.u.persist_req.offset = off;
	m.u.persist_req.length = len;
	st = do_simple(c, &m);
	if (st)
		return fail("%s: PERSIST: %d", c->name, st);
	memset(data_area(c), 0, len);
	if (rdma_op(c, IBV_WR_RDMA_READ, o->addr + off, o->rkey, len, &wc))
		return fail("%s: RDMA READ: %s", c->name,
			    ibv_wc_status_str(wc.status));
	for (uint32_t i = 0; i < len; i++)
		if (data_area(c)[i] != (uint8_t)(seed + i * 7))
			return fail("%s: read back differs at %u", c->name, i);
	return 0;
}

/* sc_data NAME -- write/persist/read, RANGE and NOENT answers, CLOSE */
static int sc_data(int argc, char **argv)
{
	struct pmr_open_resp o;
	struct pmr_msg m;
	struct conn c;
	int err, st;

	if (argc < 1)
		return 2;
	err = conn_hello(&c, "data");
	if (err)
		return fail("connect: %s", strerror(-err));
	st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RW, &o);
	if (st)
		return fail("open %s rw: %d", argv[0], st);
	if (!(o.persist & PMR_PERSIST_SERVER))
		return fail("server persist not advertised");
	if (check_data(&c, &o, 0x5a))
		return 1;
	say("write + PERSIST + read back: OK (%llu-byte region)",
	    (unsigned long long)o.length);

	pmr_msg_init(&m, PMR_MSG_PERSIST, 0);
	m.u.persist_req.handle = o.handle;
	m.u.persist_req.offset = o.length - 8;
	m.u.persist_req.length = 16;
	if ((st = do_simple(&c, &m)) != PMR_ST_RANGE)
		return fail("PERSIST past the end: status %d, expected RANGE",
			    st);
	m.u.persist_req.offset = UINT64_MAX - 4;
	m.u.persist_req.length = 16;
	if ((st = do_simple(&c, &m)) != PMR_ST_RANGE)
		return fail("PERSIST wrapping: status %d, expected RANGE", st);
	m.u.persist_req.handle = o.handle ^ 0x10000;
	m.u.persist_req.offset = 0;
	if ((st = do_simple(&c, &m)) != PMR_ST_NOENT)
		return fail("PERSIST bad handle: status %d, expected NOENT",
			    st);
	say("PERSIST out of range: RANGE; unknown handle: NOENT");

	pmr_msg_init(&m, PMR_MSG_CLOSE, 0);
	m.u.close_req.handle = o.handle;
	if ((st = do_simple(&c, &m)))
		return fail("CLOSE: %d", st);
	if ((st = do_simple(&c, &m)) != PMR_ST_NOENT)
		return fail("CLOSE twice: status %d, expected NOENT", st);
	say("CLOSE: OK; again: NOENT");
	if ((st = do_open(&c, "no-such-region", 0, NULL)) != PMR_ST_NOENT)
		return fail("open unknown region: %d, expected NOENT", st);
	conn_close(&c);
	return 0;
}

/* sc_ro NAME -- a ro region: OPEN rw = ACCESS; RDMA WRITE fails remotely */
static int sc_ro(int argc, char **argv)
{
	struct pmr_open_resp o;
	struct pmr_msg m;
	struct ibv_wc wc;
	struct conn c;
	int err, st;

	if (argc < 1)
		return 2;
	err = conn_hello(&c, "ro");
	if (err)
		return fail("connect: %s", strerror(-err));
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RW, NULL)) !=
	    PMR_ST_ACCESS)
		return fail("open ro region rw: status %d, expected ACCESS",
			    st);
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RO, &o)))
		return fail("open ro region ro: %d", st);
	if (o.persist & PMR_PERSIST_FLUSH)
		return fail("FLUSH advertised on a read-only region");
	if (rdma_op(&c, IBV_WR_RDMA_READ, o.addr, o.rkey, 64, &wc))
		return fail("RDMA READ: %s", ibv_wc_status_str(wc.status));
	/* PERSIST costs the server time: refused on a ro handle */
	pmr_msg_init(&m, PMR_MSG_PERSIST, 0);
	m.u.persist_req.handle = o.handle;
	m.u.persist_req.length = o.length;
	if ((st = do_simple(&c, &m)) != PMR_ST_ACCESS)
		return fail(
			"PERSIST on a ro handle: status %d, expected ACCESS",
			st);
	err = rdma_op(&c, IBV_WR_RDMA_WRITE, o.addr, o.rkey, 64, &wc);
	if (err != -ECONNRESET || wc.status != IBV_WC_REM_ACCESS_ERR)
		return fail("RDMA WRITE to a ro region: %s",
			    err ? ibv_wc_status_str(wc.status) :
				  "succeeded (MR has remote write!)");
	say("ro region: open rw ACCESS, READ ok, PERSIST ACCESS, WRITE -> %s",
	    ibv_wc_status_str(wc.status));
	conn_close(&c);
	return 0;
}

/* sc_flush NAME -- FLUSH advertised, WRITE + native RDMA FLUSH succeed */
static int sc_flush(int argc, char **argv)
{
#ifdef PMRD_HAVE_IBV_FLUSH
	struct pmr_open_resp o;
	struct ibv_qp_ex *qx;
	struct ibv_wc wc;
	struct conn c;
	int err, st;

	if (argc < 1)
		return 2;
	err = conn_hello(&c, "flush");
	if (err)
		return fail("connect: %s", strerror(-err));
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RW, &o)))
		return fail("open: %d", st);
	if (!(o.persist & PMR_PERSIST_FLUSH))
		return fail("FLUSH not advertised (persist %#x)", o.persist);
	memset(data_area(&c), 0xc3, 4096);
	qx = ibv_qp_to_qp_ex(c.id->qp);
	ibv_wr_start(qx);
	qx->wr_id = SEND_BIT | 1;
	qx->wr_flags = 0;
	ibv_wr_rdma_write(qx, o.rkey, o.addr);
	ibv_wr_set_sge(qx, c.mr->lkey, (uintptr_t)data_area(&c), 4096);
	qx->wr_id = DATA_WRID;
	qx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_flush(qx, o.rkey, o.addr, 4096, IBV_FLUSH_PERSISTENT,
		     IBV_FLUSH_RANGE);
	err = ibv_wr_complete(qx);
	if (err)
		return fail("posting WRITE+FLUSH: %s", strerror(err));
	err = wait_wc(&c, DATA_WRID, false, TIMEOUT_MS, &wc);
	if (err)
		return fail("FLUSH: %s", err == -ECONNRESET ?
						 ibv_wc_status_str(wc.status) :
						 strerror(-err));
	say("WRITE + RDMA FLUSH (persistent): OK");
	conn_close(&c);
	return 0;
#else
	say("built against rdma-core without ibv_wr_flush");
	return 77;
#endif
}

/* sc_limit_regions NAME K -- K opens succeed, the next one is LIMIT */
static int sc_limit_regions(int argc, char **argv)
{
	struct conn c;
	int k, err, st;

	if (argc < 2)
		return 2;
	k = atoi(argv[1]);
	err = conn_hello(&c, "limit");
	if (err)
		return fail("connect: %s", strerror(-err));
	for (int i = 0; i < k; i++)
		if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RO, NULL)))
			return fail("open #%d: %d", i + 1, st);
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RO, NULL)) !=
	    PMR_ST_LIMIT)
		return fail("open #%d: status %d, expected LIMIT", k + 1, st);
	say("%d opens OK, open #%d: LIMIT", k, k + 1);
	conn_close(&c);
	return 0;
}

/* sc_limit_clients K -- K connections succeed, the next is TOO_MANY */
static int sc_limit_clients(int argc, char **argv)
{
	uint8_t b[PMR_HELLO_SIZE_V2], nonce[PMR_NONCE_SIZE];
	struct conn *cs;
	int k, n, err, rc = 0;

	if (argc < 1)
		return 2;
	k = atoi(argv[0]);
	cs = calloc((size_t)k + 1, sizeof(*cs));
	if (!cs)
		return 1;
	for (int i = 0; i < k; i++) {
		err = conn_hello(&cs[i], "many");
		if (err) {
			rc = fail("connection %d: %s", i + 1, strerror(-err));
			goto out;
		}
	}
	n = hello_encode(b, nonce);
	if (n < 0) {
		rc = fail("hello: %s", strerror(-n));
		goto out;
	}
	rc = expect_reject(b, (size_t)n, PMR_REJECT_TOO_MANY);
	/* the first one still works */
	if (!rc && do_ping(&cs[0]))
		rc = fail("PING on connection 1 after the limit");
out:
	for (int i = 0; i <= k; i++)
		conn_close(&cs[i]);
	free(cs);
	return rc;
}

/*
 * sc_isolation NAME -- a well-behaved connection A keeps working (PING,
 * write/persist/read) while B sends an oversize message and C keeps
 * sending garbage until the server drops them.
 */
static int sc_isolation(int argc, char **argv)
{
	struct pmr_open_resp o;
	struct conn a, b, c;
	uint8_t h[PMR_MSG_HDR_SIZE];
	int err, st;

	if (argc < 2)
		return 2;
	err = conn_hello(&a, "A");
	if (err)
		return fail("A: connect: %s", strerror(-err));
	if ((st = do_open(&a, argv[0], PMR_WIRE_ACCESS_RW, &o)))
		return fail("A: open: %d", st);
	if (check_data(&a, &o, 1))
		return 1;
	err = conn_hello(&b, "B");
	if (!err)
		err = conn_hello(&c, "C");
	if (err)
		return fail("B/C: connect: %s", strerror(-err));

	send_raw(&b, NULL, PMR_MSG_MAX + 1);
	if (expect_dead(&b, TIMEOUT_MS))
		return 1;
	say("B (oversize message) disconnected");
	if (garbage(&c) < 0)
		return 1;
	for (int i = 0; i < atoi(argv[1]) + 2 && !c.dead; i++) {
		struct pmr_msg r;

		put_hdr(h, 0x7777, 0, sizeof(h), 500 + (unsigned)i);
		if (send_raw(&c, h, sizeof(h)) || recv_resp(&c, 1000, &r))
			break;
	}
	if (expect_dead(&c, TIMEOUT_MS))
		return 1;
	say("C (garbage) disconnected");

	if (do_ping(&a))
		return fail("A: PING after B and C were dropped");
	if (check_data(&a, &o, 2))
		return 1;
	say("A: PING and write/persist/read still OK");
	conn_close(&c);
	conn_close(&b);
	conn_close(&a);
	return 0;
}

/*
 * expect_op -- one RDMA OP of 64 bytes at ADDR with RKEY on C: succeeds
 * when WANT_OK, else fails with a remote access error (IBV_WC_REM_ACCESS_ERR,
 * which leaves C's QP in error: use a fresh connection afterwards).  The
 * completion status is printed either way.
 */
static int expect_op(struct conn *c, enum ibv_wr_opcode op, uint64_t addr,
		     uint32_t rkey, bool want_ok, const char *what)
{
	const char *name = op == IBV_WR_RDMA_WRITE ? "WRITE" : "READ";
	struct ibv_wc wc;
	int err;

	memset(&wc, 0, sizeof(wc));
	err = rdma_op(c, op, addr, rkey, 64, &wc);
	say("%s: %s: %s %#llx rkey %#x -> %s", c->name, what, name,
	    (unsigned long long)addr, rkey,
	    err == -ETIMEDOUT ? "timeout" : ibv_wc_status_str(wc.status));
	if (want_ok && err)
		return fail("%s: %s: %s should work", c->name, what, name);
	if (!want_ok &&
	    (err != -ECONNRESET || wc.status != IBV_WC_REM_ACCESS_ERR))
		return fail("%s: %s: %s should fail with %s", c->name, what,
			    name, ibv_wc_status_str(IBV_WC_REM_ACCESS_ERR));
	return 0;
}

/* close_handle -- CLOSE H on C; 0 when OK */
static int close_handle(struct conn *c, uint32_t h)
{
	struct pmr_msg m;

	pmr_msg_init(&m, PMR_MSG_CLOSE, 0);
	m.u.close_req.handle = h;
	return do_simple(c, &m) ? fail("%s: CLOSE failed", c->name) : 0;
}

/* op_on_fresh -- OP with ADDR/RKEY from a new connection NAME */
static int op_on_fresh(const char *name, enum ibv_wr_opcode op, uint64_t addr,
		       uint32_t rkey, bool want_ok, const char *what)
{
	struct conn c;
	int err = conn_hello(&c, name);

	if (err)
		return fail("%s: connect: %s", name, strerror(-err));
	err = expect_op(&c, op, addr, rkey, want_ok, what);
	conn_close(&c);
	return err;
}

/*
 * sc_keys NAME SHARED -- least authority of the keys OPEN hands out for
 * the rw region NAME (issue 8): a ro key reads and cannot write; a key dies
 * on CLOSE and on disconnect; another connection cannot use a client's key
 * unless SHARED is "shared" (mr-per-client keys are valid on every QP of
 * the PD while they live: SECURITY.md).
 */
static int sc_keys(int argc, char **argv)
{
	struct pmr_open_resp rw, ro, e;
	bool other_ok;
	struct conn a, b, c;
	int err, st;

	if (argc < 2)
		return 2;
	other_ok = !strcmp(argv[1], "shared");

	/* A: a rw key works (write, persist, read back) */
	err = conn_hello(&a, "A");
	if (err)
		return fail("A: connect: %s", strerror(-err));
	if ((st = do_open(&a, argv[0], PMR_WIRE_ACCESS_RW, &rw)))
		return fail("A: open rw: %d", st);
	if (check_data(&a, &rw, 0x11))
		return 1;
	say("A: rw key %#x: write + persist + read back OK", rw.rkey);

	/* B: a ro open of the rw region reads, cannot write */
	err = conn_hello(&b, "B");
	if (err)
		return fail("B: connect: %s", strerror(-err));
	if ((st = do_open(&b, argv[0], PMR_WIRE_ACCESS_RO, &ro)))
		return fail("B: open ro: %d", st);
	if (ro.rkey == rw.rkey)
		return fail("B: ro open got A's rw key %#x", ro.rkey);
	if (expect_op(&b, IBV_WR_RDMA_READ, ro.addr, ro.rkey, true, "ro key") ||
	    expect_op(&b, IBV_WR_RDMA_WRITE, ro.addr, ro.rkey, false, "ro key"))
		return 1;
	conn_close(&b);

	/* other connections with A's key (A still holds it) */
	if (op_on_fresh("C", IBV_WR_RDMA_READ, rw.addr, rw.rkey, other_ok,
			"A's key on another QP") ||
	    op_on_fresh("D", IBV_WR_RDMA_WRITE, rw.addr, rw.rkey, other_ok,
			"A's key on another QP"))
		return 1;

	/* A's own key still works; after CLOSE it reads nothing */
	if (check_data(&a, &rw, 0x22))
		return 1;
	say("A: key still works after the others' attempts");
	if (close_handle(&a, rw.handle) ||
	    expect_op(&a, IBV_WR_RDMA_READ, rw.addr, rw.rkey, false,
		      "key after CLOSE"))
		return 1;
	conn_close(&a);

	/* E: after CLOSE a key writes nothing either */
	err = conn_hello(&c, "E");
	if (err)
		return fail("E: connect: %s", strerror(-err));
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RW, &e)))
		return fail("E: open rw: %d", st);
	if (check_data(&c, &e, 0x33) || close_handle(&c, e.handle) ||
	    expect_op(&c, IBV_WR_RDMA_WRITE, e.addr, e.rkey, false,
		      "key after CLOSE"))
		return 1;
	conn_close(&c);

	/* F: after F disconnects, its key is dead for everyone */
	err = conn_hello(&c, "F");
	if (err)
		return fail("F: connect: %s", strerror(-err));
	if ((st = do_open(&c, argv[0], PMR_WIRE_ACCESS_RW, &e)))
		return fail("F: open rw: %d", st);
	if (check_data(&c, &e, 0x44))
		return 1;
	conn_close(&c);
	if (op_on_fresh("G", IBV_WR_RDMA_READ, e.addr, e.rkey, false,
			"F's key after F disconnected") ||
	    op_on_fresh("H", IBV_WR_RDMA_WRITE, e.addr, e.rkey, false,
			"F's key after F disconnected"))
		return 1;
	say("keys: ro key read-only; keys die on CLOSE and disconnect; other QPs: %s",
	    other_ok ? "accepted (shared PD)" : "refused");
	return 0;
}

/*
 * sc_mrkey NAME RKEY -- the region MR's own rkey (from pmrd's start-up
 * log) neither reads nor writes NAME: OK only when both fail
 */
static int sc_mrkey(int argc, char **argv)
{
	struct pmr_open_resp o;
	uint32_t rkey;
	struct conn a;
	int err, st;

	if (argc < 2)
		return 2;
	rkey = (uint32_t)strtoul(argv[1], NULL, 0);
	err = conn_hello(&a, "A");
	if (err)
		return fail("A: connect: %s", strerror(-err));
	if ((st = do_open(&a, argv[0], PMR_WIRE_ACCESS_RO, &o)))
		return fail("A: open: %d", st);
	if (o.rkey == rkey)
		return fail("OPEN handed out the region MR's rkey %#x", rkey);
	err = expect_op(&a, IBV_WR_RDMA_READ, o.addr, rkey, false,
			"region MR rkey");
	conn_close(&a);
	if (err)
		return 1;
	return op_on_fresh("B", IBV_WR_RDMA_WRITE, o.addr, rkey, false,
			   "region MR rkey");
}

/*
 * sc_rawop NAME read|write RKEY -- one 64-byte op at NAME's address with
 * RKEY on a fresh connection (NAME opened ro for the address only); prints
 * the completion status; exit 0 on success, 3 on an error completion
 */
static int sc_rawop(int argc, char **argv)
{
	struct pmr_open_resp o;
	struct ibv_wc wc;
	struct conn a;
	int err, st;

	if (argc < 3)
		return 2;
	err = conn_hello(&a, "raw");
	if (err)
		return fail("connect: %s", strerror(-err));
	if ((st = do_open(&a, argv[0], PMR_WIRE_ACCESS_RO, &o)))
		return fail("open: %d", st);
	memset(&wc, 0, sizeof(wc));
	err = rdma_op(&a,
		      strcmp(argv[1], "write") ? IBV_WR_RDMA_READ :
						 IBV_WR_RDMA_WRITE,
		      o.addr, (uint32_t)strtoul(argv[2], NULL, 0), 64, &wc);
	printf("status %s\n",
	       err == -ETIMEDOUT ? "timeout" : ibv_wc_status_str(wc.status));
	conn_close(&a);
	return err ? 3 : 0;
}

/* sc_hold SECS -- connect and wait for the server to disconnect us */
static int sc_hold(int argc, char **argv)
{
	int secs = argc > 0 ? atoi(argv[0]) : 30;
	struct conn c;
	int err;

	err = conn_hello(&c, "hold");
	if (err)
		return fail("connect: %s", strerror(-err));
	say("connected; waiting up to %d s to be disconnected", secs);
	err = expect_dead(&c, secs * 1000);
	if (!err)
		say("disconnected by the server");
	conn_close(&c);
	return err;
}

/*
 * cq_sleep -- wait up to MS for an event of C's armed CQ, asleep: a
 * hostile client on another machine takes none of this one's CPU, so the
 * hog must not either (a poll loop with 100 us sleeps woke a vCPU 10000
 * times a second)
 */
static void cq_sleep(struct conn *c, int ms)
{
	struct pollfd p = { .fd = c->cc->fd, .events = POLLIN };
	struct ibv_cq *cq;
	void *ctx;

	if (poll(&p, 1, ms) == 1 && !ibv_get_cq_event(c->cc, &cq, &ctx))
		ibv_ack_cq_events(cq, 1);
}

/*
 * sc_hog NAME rw|ro SECS [CREDITS] -- what one hostile client can do to
 * the daemon: with every credit granted in flight, stream PERSISTs of the
 * whole region on a NAME handle opened rw or ro for SECS seconds; each
 * answer must be OK (rw) or ACCESS (ro: refused).  Prints "hogging" once
 * the stream runs, and the count and mean round trip at the end.
 */
static int sc_hog(int argc, char **argv)
{
	uint8_t b[PMR_MSG_MAX];
	struct pmr_open_resp o;
	struct pmr_msg m, r;
	struct ibv_sge sge;
	struct ibv_send_wr wr, *bad;
	struct ibv_wc wc;
	struct conn c;
	unsigned credits, out = 0;
	unsigned long long answered = 0;
	long long t0, end, last;
	bool rw, send_busy = false;
	uint16_t want;
	int err, st, n, secs;

	if (argc < 3 || (strcmp(argv[1], "rw") && strcmp(argv[1], "ro")))
		return 2;
	rw = !strcmp(argv[1], "rw");
	secs = atoi(argv[2]);
	g_credits = argc > 3 ? (unsigned)atoi(argv[3]) : CREDITS_MAX;
	if (!g_credits || g_credits > CREDITS_MAX)
		return 2;
	err = conn_hello(&c, "hog");
	if (err)
		return fail("connect: %s", strerror(-err));
	st = do_open(&c, argv[0], rw ? PMR_WIRE_ACCESS_RW : PMR_WIRE_ACCESS_RO,
		     &o);
	if (st)
		return fail("open %s %s: %d", argv[0], argv[1], st);
	credits = c.welcome.credits < g_credits ? c.welcome.credits : g_credits;
	want = rw ? PMR_ST_OK : PMR_ST_ACCESS;
	pmr_msg_init(&m, PMR_MSG_PERSIST, 0);
	m.u.persist_req.handle = o.handle;
	m.u.persist_req.length = o.length;
	say("hogging: %u credits, PERSIST of %llu bytes on a %s handle, %d s",
	    credits, (unsigned long long)o.length, argv[1], secs);
	signal(SIGTERM, on_term);
	t0 = last = now_ms();
	end = t0 + secs * 1000LL;
	while ((!g_stop && now_ms() < end) || out) {
		if (!g_stop && now_ms() < end && out < credits && !send_busy) {
			m.hdr.req_id = c.next_req++;
			n = pmr_msg_encode_ver(&m, c.welcome.version, b,
					       sizeof(b));
			if (n < 0)
				return fail("encode: %s", strerror(-n));
			memcpy(send_slot(&c), b, (size_t)n);
			sge = (struct ibv_sge){ (uintptr_t)send_slot(&c),
						(uint32_t)n, c.mr->lkey };
			wr = (struct ibv_send_wr){ .wr_id = SEND_BIT,
						   .sg_list = &sge,
						   .num_sge = 1,
						   .opcode = IBV_WR_SEND,
						   .send_flags =
							   IBV_SEND_SIGNALED };
			if (ibv_post_send(c.id->qp, &wr, &bad))
				return fail("ibv_post_send failed");
			send_busy = true;
			out++;
		}
		n = ibv_poll_cq(c.cq, 1, &wc);
		if (!n) {
			/* arm, then poll again: a completion that came
			 * before the arm raises no event */
			if (ibv_req_notify_cq(c.cq, 0))
				return fail("ibv_req_notify_cq failed");
			n = ibv_poll_cq(c.cq, 1, &wc);
		}
		if (n < 0)
			return fail("ibv_poll_cq failed");
		if (!n) {
			if (now_ms() - last > 30000)
				return fail("no answer for 30 s (%u in flight)",
					    out);
			cq_sleep(&c, 100);
			continue;
		}
		if (wc.status != IBV_WC_SUCCESS)
			return fail("completion: %s",
				    ibv_wc_status_str(wc.status));
		if (wc.wr_id == SEND_BIT) {
			send_busy = false;
			continue;
		}
		err = pmr_msg_decode_ver(recv_slot(&c, (unsigned)wc.wr_id),
					 wc.byte_len, c.welcome.version, &r);
		post_recv(&c, (unsigned)wc.wr_id);
		if (err)
			return fail("undecodable answer: %s", strerror(-err));
		if (r.hdr.status != want)
			return fail("PERSIST answered %s (%s), expected %s",
				    pmr_status_str(r.hdr.status),
				    r.hdr.status ? r.u.error.text : "",
				    pmr_status_str(want));
		out--;
		answered++;
		last = now_ms();
	}
	say("hog: %llu PERSISTs answered %s in %.1f s (%.2f ms each)", answered,
	    pmr_status_str(want), (double)(now_ms() - t0) / 1e3,
	    answered ? (double)(now_ms() - t0) * credits / (double)answered :
		       0.);
	conn_close(&c);
	return 0;
}

/* sc_features -- what this build can test: "flush: yes|no" */
/*
 * open_proof -- OPEN NAME rw on C carrying PROOF (NULL: none); the status
 * (negative on transport errors), the response in *RET.  A refused open
 * must not carry a single byte of an open response (the error body only).
 */
static int open_proof(struct conn *c, const char *name, const uint8_t *proof,
		      struct pmr_msg *ret)
{
	struct pmr_msg m;
	int err;

	pmr_msg_init(&m, PMR_MSG_OPEN, 0);
	m.u.open_req.access = PMR_WIRE_ACCESS_RW;
	snprintf(m.u.open_req.name, sizeof(m.u.open_req.name), "%s", name);
	if (proof) {
		m.u.open_req.has_proof = 1;
		memcpy(m.u.open_req.proof, proof, PMR_PROOF_SIZE);
	}
	err = request(c, &m, ret);
	if (err)
		return err;
	say("%s: open %s %s proof: %s%s%s", c->name, name,
	    proof ? "with" : "without", pmr_status_str(ret->hdr.status),
	    ret->hdr.status ? ": " : "",
	    ret->hdr.status ? ret->u.error.text : "");
	return ret->hdr.status;
}

/* hex_key -- HEX (even number of digits, 16..64 bytes) into KEY */
static int hex_key(const char *hex, uint8_t *key, size_t *len)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 || n < PMR_PSK_MIN || n > PMR_PSK_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		key[i] = (uint8_t)v;
	}
	*len = n;
	return 0;
}

/* denied_clean -- R is a DENIED answer that names NAME and nothing else */
static int denied_clean(const struct pmr_msg *r, const char *name,
			const char *what)
{
	if (r->hdr.status != PMR_ST_DENIED)
		return fail("%s: status %s, expected DENIED", what,
			    pmr_status_str(r->hdr.status));
	if (!strstr(r->u.error.text, name))
		return fail("%s: error text '%s' does not name the region",
			    what, r->u.error.text);
	if (r->hdr.length != PMR_MSG_HDR_SIZE + 2 + strlen(r->u.error.text))
		return fail("%s: %u bytes: more than the error body", what,
			    r->hdr.length);
	return 0;
}

/*
 * sc_psk -- PSK proofs by hand: connection A opens NAME with a correct
 * proof and checks the server's; B replays A's proof (DENIED, no key
 * bytes), then none and a wrong one (DENIED), and after more than
 * PMRD_AUTH_MAX_FAILS (3) failures is disconnected; a version 1 client
 * (no nonces) is DENIED; A is unharmed.
 */
static int sc_psk(int argc, char **argv)
{
	uint8_t key[PMR_PSK_MAX], proof[PMR_PROOF_SIZE], want[PMR_PROOF_SIZE];
	struct pmr_open_req q = { .access = PMR_WIRE_ACCESS_RW };
	struct pmr_hello h1 = { 1, 1, 0, CREDITS, { 0 } };
	uint8_t hb[PMR_HELLO_SIZE];
	struct pmr_msg r;
	struct conn a, b, v1;
	const char *name;
	size_t klen;
	int err, rc = 0;

	if (argc < 2 || hex_key(argv[1], key, &klen))
		return 2;
	name = argv[0];
	err = conn_hello(&a, "A");
	if (err)
		return fail("connect A: %s", strerror(-err));
	if (a.welcome.version < PMR_PROTO_VERSION_AUTH)
		return fail("server chose version %u: no nonces",
			    a.welcome.version);
	snprintf(q.name, sizeof(q.name), "%s", name);
	if (pmr_proof_client(key, klen, a.cnonce, a.welcome.nonce,
			     a.welcome.version, &q, proof))
		return fail("computing the proof");
	if (open_proof(&a, name, proof, &r) != PMR_ST_OK)
		return fail("A: a correct proof was refused");
	memcpy(q.proof, proof, sizeof(proof));
	if (!r.u.open_resp.has_proof ||
	    pmr_proof_server(key, klen, a.cnonce, a.welcome.nonce,
			     a.welcome.version, &q, &r.u.open_resp, want) ||
	    !pmr_proof_equal(want, r.u.open_resp.proof))
		return fail("A: the server's proof does not verify");
	say("A: server proof verified (rkey %#x)", r.u.open_resp.rkey);

	err = conn_hello(&b, "B");
	if (err)
		return fail("connect B: %s", strerror(-err));
	if (open_proof(&b, name, proof, &r) < 0 ||
	    denied_clean(&r, name, "B replaying A's proof"))
		rc = 1;
	else
		say("replay: DENIED, no key");
	if (open_proof(&b, name, NULL, &r) < 0 ||
	    denied_clean(&r, name, "B without a proof"))
		rc = 1;
	proof[0] ^= 1;
	if (open_proof(&b, name, proof, &r) < 0 ||
	    denied_clean(&r, name, "B with a wrong proof"))
		rc = 1;
	/* the fourth failure: the server hangs up instead of answering */
	err = open_proof(&b, name, proof, &r);
	if (err >= 0)
		rc = fail("B: the fourth failed proof was answered (%s)",
			  pmr_status_str((uint16_t)err));
	if (expect_dead(&b, 3000))
		rc = 1;
	else
		say("B: disconnected after 4 failed proofs");
	conn_close(&b);

	pmr_hello_encode(&h1, hb, sizeof(hb));
	err = conn_open(&v1, "v1", hb, sizeof(hb));
	if (err)
		return fail("connect v1: %s", strerror(-err));
	if (v1.welcome.version != 1) {
		rc = fail("v1: welcome version %u", v1.welcome.version);
	} else if (open_proof(&v1, name, NULL, &r) < 0 ||
		   denied_clean(&r, name, "version 1 client")) {
		rc = 1;
	} else {
		say("version 1 client: DENIED");
	}
	conn_close(&v1);

	if (do_ping(&a))
		rc = fail("A: PING failed after B's attempts");
	conn_close(&a);
	return rc;
}

static int sc_features(int argc, char **argv)
{
#ifdef PMRD_HAVE_IBV_FLUSH
	say("flush: yes");
#else
	say("flush: no");
#endif
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
} scenarios[] = {
	{ "features", sc_features, "(HOST and PORT unused)" },
	{ "psk", sc_psk, "NAME HEXKEY" },
	{ "hello", sc_hello, "" },
	{ "list", sc_list, "" },
	{ "open", sc_open, "NAME rw|ro" },
	{ "garbage", sc_garbage, "" },
	{ "abuse", sc_abuse, "MAX_OUTSTANDING" },
	{ "oversize", sc_oversize, "[BYTES]" },
	{ "data", sc_data, "NAME" },
	{ "ro", sc_ro, "NAME" },
	{ "flush", sc_flush, "NAME" },
	{ "limit-regions", sc_limit_regions, "NAME MAX_REGIONS_PER_CLIENT" },
	{ "limit-clients", sc_limit_clients, "MAX_CLIENTS" },
	{ "isolation", sc_isolation, "NAME MAX_OUTSTANDING" },
	{ "hold", sc_hold, "SECS" },
	{ "hog", sc_hog, "NAME rw|ro SECS [CREDITS]" },
	{ "keys", sc_keys, "NAME own|shared" },
	{ "mrkey", sc_mrkey, "NAME RKEY" },
	{ "rawop", sc_rawop, "NAME read|write RKEY" },
};

/* main -- HOST PORT SCENARIO [ARGS...] */
int main(int argc, char **argv)
{
	if (argc >= 4) {
		g_host = argv[1];
		g_port = argv[2];
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]);
		     i++)
			if (!strcmp(argv[3], scenarios[i].name))
				return scenarios[i].fn(argc - 4, argv + 4);
	}
	fprintf(stderr, "usage: pmr-rawclient HOST PORT SCENARIO [ARGS]\n");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		fprintf(stderr, "  %s %s\n", scenarios[i].name,
			scenarios[i].args);
	return 2;
}
