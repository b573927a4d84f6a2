/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_selftest.c -- a loopback RC connection on the serving device that
 * writes into and reads from an ODP MR the way clients will (unaligned,
 * several packets, across pages) and checks the memory with the CPU.
 *
 * Why a test and not a capability: rxe's ODP copy (Linux 6.15 until the
 * fix in tests/vm/kernel/) completes every operation while it puts each
 * page's bytes at the start of the page; a fixed module reports the same
 * capabilities and vendor id.  Only the data path itself can tell, and a
 * region served through a wrong one loses data silently.
 *
 * It runs before the server listens, on its own event channel, with every
 * wait bounded (SELFTEST_TIMEOUT_MS in all).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rdma/rdma_cma.h>

#include "odp_pattern.h"
#include "odp_selftest.h"
#include "util.h"

#define SELFTEST_TIMEOUT_MS 5000
#define CM_RESOLVE_MS	    2000
#define ODP_PAGES	    4 /* the ODP MR */

struct selftest {
	struct rdma_event_channel *ec;
	struct rdma_cm_id *listen_id, *client_id, *server_id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	uint8_t *odp;	/* ODP_PAGES pages, anonymous */
	uint8_t *local; /* the initiator's buffer, pinned */
	struct ibv_mr *odp_mr, *local_mr;
	size_t page, size;
	double deadline;
	char *detail;
	size_t detail_len;
};

/* pmrd_odp_state_name -- see odp_selftest.h */
const char *pmrd_odp_state_name(enum pmrd_odp_state s)
{
	switch (s) {
	case PMRD_ODP_UNSUPPORTED:
		return "not supported";
	case PMRD_ODP_VERIFIED:
		return "verified";
	case PMRD_ODP_MISPLACES:
		return "misplaces data";
	case PMRD_ODP_TEST_FAILED:
		return "self-test failed";
	}
	return "?";
}

/* say -- set the detail text (the last word wins) */
PMR_PRINTF(2, 3) static void say(struct selftest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->detail, t->detail_len, fmt, ap);
	va_end(ap);
}

/* left_ms -- milliseconds to the deadline, at least 0 */
static int left_ms(const struct selftest *t)
{
	double l = t->deadline - pmrd_now_ms();

	return l > 0 ? (int)l + 1 : 0;
}

/*
 * next_event -- the next CM event of the channel, acknowledged, as its type
 * and id (for a CONNECT_REQUEST the new id).  -ETIMEDOUT at the deadline.
 */
static int next_event(struct selftest *t, enum rdma_cm_event_type *ret_type,
		      struct rdma_cm_id **ret_id, int *ret_status)
{
	struct pollfd pfd = { .fd = t->ec->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int n;

	n = poll(&pfd, 1, left_ms(t));
	if (n < 0)
		return -errno;
	if (!n)
		return -ETIMEDOUT;
	if (rdma_get_cm_event(t->ec, &ev))
		return -errno;
	*ret_type = ev->event;
	*ret_id = ev->id;
	*ret_status = ev->status;
	rdma_ack_cm_event(ev);
	return 0;
}

/* expect_event -- wait for WANT on ID; anything else is a failure */
static int expect_event(struct selftest *t, struct rdma_cm_id *id,
			enum rdma_cm_event_type want,
			struct rdma_cm_id **ret_id)
{
	/* initialised for gcc 12, which cannot see next_event set them */
	enum rdma_cm_event_type type = RDMA_CM_EVENT_ADDR_ERROR;
	struct rdma_cm_id *got = NULL;
	int err, status = 0;

	err = next_event(t, &type, &got, &status);
	if (err) {
		say(t, "loopback connection: waiting for %s: %s",
		    rdma_event_str(want), strerror(-err));
		return err;
	}
	if (type != want || (id && got != id)) {
		say(t, "loopback connection: %s (status %d) instead of %s",
		    rdma_event_str(type), status, rdma_event_str(want));
		return -EPROTO;
	}
	if (ret_id)
		*ret_id = got;
	return 0;
}

/* create_qp -- an RC QP on ID with the shared CQ */
static int create_qp(struct selftest *t, struct rdma_cm_id *id)
{
	struct ibv_qp_init_attr a = {
		.send_cq = t->cq,
		.recv_cq = t->cq,
		.cap = {
			.max_send_wr = 2,
			.max_recv_wr = 1,
			.max_send_sge = 1,
			.max_recv_sge = 1,
		},
		.qp_type = IBV_QPT_RC,
	};

	if (rdma_create_qp(id, t->pd, &a)) {
		say(t, "loopback connection: rdma_create_qp: %s",
		    strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * connect_loopback -- listen on ADDR with an ephemeral port, connect to it
 * and accept: client_id and server_id are then an established RC pair
 */
static int connect_loopback(struct selftest *t, const struct sockaddr *addr)
{
	struct rdma_conn_param cp = {
		.responder_resources = 1,
		.initiator_depth = 1,
		.retry_count = 7,
		.rnr_retry_count = 7,
	};
	struct sockaddr_storage ss;
	bool client_up = false, server_up = false;
	int err;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in));
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)&ss)->sin_port = 0;

	if (rdma_create_id(t->ec, &t->listen_id, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(t->listen_id, (struct sockaddr *)&ss) ||
	    rdma_listen(t->listen_id, 1)) {
		err = -errno;
		say(t, "loopback connection: listen: %s", strerror(errno));
		return err;
	}
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port =
			rdma_get_src_port(t->listen_id);
	else
		((struct sockaddr_in *)&ss)->sin_port =
			rdma_get_src_port(t->listen_id);

	if (rdma_create_id(t->ec, &t->client_id, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(t->client_id, NULL, (struct sockaddr *)&ss,
			      CM_RESOLVE_MS)) {
		err = -errno;
		say(t, "loopback connection: resolve: %s", strerror(errno));
		return err;
	}
	err = expect_event(t, t->client_id, RDMA_CM_EVENT_ADDR_RESOLVED, NULL);
	if (err)
		return err;
	if (t->client_id->verbs != t->pd->context) {
		say(t,
		    "loopback connection: the address resolved to another device (%s)",
		    ibv_get_device_name(t->client_id->verbs->device));
		return -EXDEV;
	}
	if (rdma_resolve_route(t->client_id, CM_RESOLVE_MS)) {
		err = -errno;
		say(t, "loopback connection: rdma_resolve_route: %s",
		    strerror(errno));
		return err;
	}
	err = expect_event(t, t->client_id, RDMA_CM_EVENT_ROUTE_RESOLVED, NULL);
	if (err)
		return err;
	err = create_qp(t, t->client_id);
	if (err)
		return err;
	if (rdma_connect(t->client_id, &cp)) {
		err = -errno;
		say(t, "loopback connection: rdma_connect: %s",
		    strerror(errno));
		return err;
	}
	err = expect_event(t, NULL, RDMA_CM_EVENT_CONNECT_REQUEST,
			   &t->server_id);
	if (err)
		return err;
	err = create_qp(t, t->server_id);
	if (err)
		return err;
	if (rdma_accept(t->server_id, &cp)) {
		err = -errno;
		say(t, "loopback connection: rdma_accept: %s", strerror(errno));
		return err;
	}
	/* the two ESTABLISHED events come in either order */
	while (!client_up || !server_up) {
		struct rdma_cm_id *id;

		err = expect_event(t, NULL, RDMA_CM_EVENT_ESTABLISHED, &id);
		if (err)
			return err;
		client_up |= id == t->client_id;
		server_up |= id == t->server_id;
	}
	return 0;
}

/* wait_completion -- the one signaled work request's completion */
static int wait_completion(struct selftest *t, const char *what)
{
	struct ibv_wc wc;
	int n;

	while (!(n = ibv_poll_cq(t->cq, 1, &wc))) {
		if (!left_ms(t)) {
			say(t, "%s: no completion in %d ms", what,
			    SELFTEST_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		usleep(20);
	}
	if (n < 0) {
		say(t, "%s: ibv_poll_cq failed", what);
		return -EIO;
	}
	if (wc.status != IBV_WC_SUCCESS) {
		say(t, "%s: completion status %s", what,
		    ibv_wc_status_str(wc.status));
		return -EIO;
	}
	return 0;
}

/* post_rdma -- one signaled RDMA op between local[0, N) and odp[OFF, +N) */
static int post_rdma(struct selftest *t, enum ibv_wr_opcode op, size_t off,
		     size_t n, const char *what)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)t->local,
		.length = (uint32_t)n,
		.lkey = t->local_mr->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = {
			.remote_addr = (uintptr_t)t->odp + off,
			.rkey = t->odp_mr->rkey,
		},
	};
	struct ibv_send_wr *bad;
	int err;

	err = ibv_post_send(t->client_id->qp, &wr, &bad);
	if (err) {
		say(t, "%s: ibv_post_send: %s", what, strerror(err));
		return -err;
	}
	return wait_completion(t, what);
}

/*
 * check_write -- RDMA WRITE a window that starts inside one page and ends
 * two pages on into a zeroed ODP MR; every byte of the MR must be right
 */
static enum pmrd_odp_state check_write(struct selftest *t)
{
	size_t off = t->page + 1000, n = 2 * t->page + 100, bad;

	memset(t->odp, 0, t->size);
	pmrd_odp_pattern_fill(t->local, off, n, 1);
	if (post_rdma(t, IBV_WR_RDMA_WRITE, off, n, "RDMA WRITE to the ODP MR"))
		return PMRD_ODP_TEST_FAILED;
	if (pmrd_odp_window_check(t->odp, t->size, off, n, 1, &bad)) {
		say(t,
		    "a %zu-byte RDMA WRITE at page offset %zu completed, but byte %zu of the MR (page %zu, offset %zu) is wrong: the device's ODP copy puts data elsewhere",
		    n, off % t->page, bad, bad / t->page, bad % t->page);
		return PMRD_ODP_MISPLACES;
	}
	return PMRD_ODP_VERIFIED;
}

/* check_read -- RDMA READ an unaligned, page-crossing window back */
static enum pmrd_odp_state check_read(struct selftest *t)
{
	size_t off = 3000, n = 2 * t->page + 500, bad;

	pmrd_odp_pattern_fill(t->odp, 0, t->size, 2);
	memset(t->local, 0, n);
	if (post_rdma(t, IBV_WR_RDMA_READ, off, n, "RDMA READ from the ODP MR"))
		return PMRD_ODP_TEST_FAILED;
	bad = pmrd_odp_pattern_diff(t->local, off, n, 2);
	if (bad < n) {
		say(t,
		    "a %zu-byte RDMA READ at page offset %zu completed, but its byte %zu (MR page %zu, offset %zu) is wrong: the device's ODP copy reads from elsewhere",
		    n, off, bad, (off + bad) / t->page, (off + bad) % t->page);
		return PMRD_ODP_MISPLACES;
	}
	return PMRD_ODP_VERIFIED;
}

/* run -- set up, connect, WRITE then READ */
static enum pmrd_odp_state run(struct selftest *t, const struct sockaddr *addr)
{
	enum pmrd_odp_state s;

	t->odp = mmap(NULL, t->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->odp == MAP_FAILED) {
		t->odp = NULL;
		say(t, "mmap: %s", strerror(errno));
		return PMRD_ODP_TEST_FAILED;
	}
	t->local = aligned_alloc(t->page, t->size);
	if (!t->local) {
		say(t, "out of memory");
		return PMRD_ODP_TEST_FAILED;
	}
	t->odp_mr = ibv_reg_mr(
		t->pd, t->odp, t->size,
		IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			IBV_ACCESS_REMOTE_READ | IBV_ACCESS_ON_DEMAND);
	if (!t->odp_mr) {
		say(t, "ibv_reg_mr with IBV_ACCESS_ON_DEMAND: %s",
		    strerror(errno));
		return PMRD_ODP_TEST_FAILED;
	}
	t->local_mr =
		ibv_reg_mr(t->pd, t->local, t->size, IBV_ACCESS_LOCAL_WRITE);
	if (!t->local_mr) {
		say(t, "ibv_reg_mr of the local buffer: %s", strerror(errno));
		return PMRD_ODP_TEST_FAILED;
	}
	t->cq = ibv_create_cq(t->pd->context, 4, NULL, NULL, 0);
	if (!t->cq) {
		say(t, "ibv_create_cq: %s", strerror(errno));
		return PMRD_ODP_TEST_FAILED;
	}
	t->ec = rdma_create_event_channel();
	if (!t->ec) {
		say(t, "rdma_create_event_channel: %s", strerror(errno));
		return PMRD_ODP_TEST_FAILED;
	}
	if (connect_loopback(t, addr))
		return PMRD_ODP_TEST_FAILED;
	s = check_write(t);
	if (s != PMRD_ODP_VERIFIED)
		return s;
	s = check_read(t);
	if (s != PMRD_ODP_VERIFIED)
		return s;
	say(t,
	    "RDMA WRITE of %zu and READ of %zu bytes at page offsets %zu and %zu, across pages: every byte right",
	    2 * t->page + 100, 2 * t->page + 500, (size_t)1000, (size_t)3000);
	return PMRD_ODP_VERIFIED;
}

/* teardown -- release whatever run() got, in reverse order */
static void teardown(struct selftest *t)
{
	if (t->server_id) {
		if (t->server_id->qp)
			rdma_destroy_qp(t->server_id);
		rdma_destroy_id(t->server_id);
	}
	if (t->client_id) {
		if (t->client_id->qp)
			rdma_destroy_qp(t->client_id);
		rdma_destroy_id(t->client_id);
	}
	if (t->listen_id)
		rdma_destroy_id(t->listen_id);
	if (t->ec)
		rdma_destroy_event_channel(t->ec);
	if (t->cq)
		ibv_destroy_cq(t->cq);
	if (t->local_mr)
		ibv_dereg_mr(t->local_mr);
	if (t->odp_mr)
		ibv_dereg_mr(t->odp_mr);
	free(t->local);
	if (t->odp)
		munmap(t->odp, t->size);
}

/* pmrd_odp_selftest -- see odp_selftest.h */
enum pmrd_odp_state pmrd_odp_selftest(const struct sockaddr *addr,
				      struct ibv_pd *pd, char *detail,
				      size_t detail_len)
{
	struct selftest t = {
		.pd = pd,
		.detail = detail,
		.detail_len = detail_len,
	};
	enum pmrd_odp_state s;
	long page = sysconf(_SC_PAGESIZE);

	t.page = page > 0 ? (size_t)page : 4096;
	t.size = ODP_PAGES * t.page;
	t.deadline = pmrd_now_ms() + SELFTEST_TIMEOUT_MS;
	if (detail_len)
		detail[0] = '\0';
	s = run(&t, addr);
	teardown(&t);
	return s;
}
