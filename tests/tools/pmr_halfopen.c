/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_halfopen.c -- connection requests that never become connections,
 * for pmrd's VM tests (tests/vm/suites/73-peers.sh):
 *
 *   pmr-halfopen HOST PORT hold N SECS
 *	N requests with a proper hello and no QP: pmrd accepts each (our
 *	rdmacm reports CONNECT_RESPONSE), and we never call rdma_establish,
 *	so no RTU is sent; our kernel CM answers pmrd's REP retries with
 *	MRAs, so the server's CM keeps waiting as long as we live.  Then
 *	SECS seconds of listening: a REJECTED (or any other) event per id
 *	is printed; pmrd's accept timeout should reject them all.
 *	Exit 0 when all N were accepted; the events are for the suite.
 *
 *   pmr-halfopen HOST PORT churn N
 *	N times: a request with a proper hello, destroyed at once (the
 *	peer that makes the daemon log set-up failures at will).
 *
 * Exit: 0 done as described, 1 failure (stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rdma/rdma_cma.h>

#include "pmr_proto.h"

#define TIMEOUT_MS 5000
#define MAX_IDS	   64
/* queue pair numbers for the REQs, far above what rxe hands out */
#define FAKE_QPN 0xa00000u

static const char *g_host, *g_port;

/* now_ms -- CLOCK_MONOTONIC in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* next_event -- the next event on EC within MS: its type and id (acked),
 * or -ETIMEDOUT */
static int next_event(struct rdma_event_channel *ec, int ms,
		      struct rdma_cm_id **ret_id, int *ret_status)
{
	struct pollfd p = { .fd = ec->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int type;

	for (;;) {
		if (!rdma_get_cm_event(ec, &ev))
			break;
		if (errno != EAGAIN)
			return -errno;
		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
	}
	type = ev->event;
	*ret_id = ev->id;
	*ret_status = ev->status;
	rdma_ack_cm_event(ev);
	return type;
}

/* wait_for -- the next event of EC must be WANT (within TIMEOUT_MS) */
static int wait_for(struct rdma_event_channel *ec, int want)
{
	struct rdma_cm_id *id;
	int st, type = next_event(ec, TIMEOUT_MS, &id, &st);

	if (type == want)
		return 0;
	fprintf(stderr, "expected %s, got %s (status %d)\n",
		rdma_event_str(want),
		type < 0 ? strerror(-type) :
			   rdma_event_str((enum rdma_cm_event_type)type),
		st);
	return -EPROTO;
}

/*
 * request -- a new id on EC, resolved, with a proper hello sent; QPN is
 * the queue pair number the REQ names (none exists: each request needs
 * its own, or the server's CM takes the next one for a stale connection)
 */
static int request(struct rdma_event_channel *ec, uint32_t qpn,
		   struct rdma_cm_id **ret)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res;
	struct pmr_hello h = {
		.version = PMR_PROTO_VERSION,
		.min_version = PMR_PROTO_VERSION_MIN,
		.credits = 4,
	};
	uint8_t hello[PMR_HELLO_SIZE_V2];
	struct rdma_conn_param cp;
	struct rdma_cm_id *id;
	int n, len;

	if (getrandom(h.nonce, sizeof(h.nonce), 0) != sizeof(h.nonce))
		return -EIO;
	len = pmr_hello_encode(&h, hello, sizeof(hello));
	if (len < 0)
		return len;
	if (rdma_getaddrinfo(g_host, g_port, &hints, &res))
		return -errno;
	if (rdma_create_id(ec, &id, NULL, RDMA_PS_TCP)) {
		rdma_freeaddrinfo(res);
		return -errno;
	}
	n = rdma_resolve_addr(id, NULL, res->ai_dst_addr, 2000);
	rdma_freeaddrinfo(res);
	if (n || wait_for(ec, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(id, 2000) ||
	    wait_for(ec, RDMA_CM_EVENT_ROUTE_RESOLVED))
		goto out_destroy;
	/* no QP: rdmacm hands us CONNECT_RESPONSE instead of sending RTU */
	memset(&cp, 0, sizeof(cp));
	cp.private_data = hello;
	cp.private_data_len = (uint8_t)len;
	cp.initiator_depth = 1;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	cp.qp_num = qpn;
	if (rdma_connect(id, &cp))
		goto out_destroy;
	*ret = id;
	return 0;

out_destroy:
	n = errno ? -errno : -EPROTO;
	rdma_destroy_id(id);
	return n;
}

/* sc_hold -- see the top of the file */
static int sc_hold(int n, int secs)
{
	struct rdma_event_channel *ec = rdma_create_event_channel();
	struct rdma_cm_id *ids[MAX_IDS], *id;
	long long end;
	int err, st, type, accepted = 0, events = 0;

	if (!ec || n < 1 || n > MAX_IDS)
		return 2;
	fcntl(ec->fd, F_SETFL, fcntl(ec->fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < n; i++) {
		err = request(ec, FAKE_QPN + (uint32_t)i, &ids[i]);
		if (err) {
			fprintf(stderr, "request %d: %s\n", i, strerror(-err));
			return 1;
		}
		err = wait_for(ec, RDMA_CM_EVENT_CONNECT_RESPONSE);
		if (err) {
			fprintf(stderr, "request %d was not accepted\n", i);
			return 1;
		}
		accepted++;
	}
	printf("accepted %d of %d (CONNECT_RESPONSE; no RTU sent)\n", accepted,
	       n);
	fflush(stdout);
	end = now_ms() + (long long)secs * 1000;
	while (now_ms() < end) {
		type = next_event(ec, (int)(end - now_ms()), &id, &st);
		if (type == -ETIMEDOUT)
			break;
		if (type < 0) {
			fprintf(stderr, "events: %s\n", strerror(-type));
			return 1;
		}
		events++;
		printf("event %s (status %d) after %.1f s\n",
		       rdma_event_str((enum rdma_cm_event_type)type), st,
		       (double)(now_ms() - (end - secs * 1000ll)) / 1000.);
		fflush(stdout);
	}
	printf("%d events in %d s\n", events, secs);
	for (int i = 0; i < n; i++)
		rdma_destroy_id(ids[i]);
	rdma_destroy_event_channel(ec);
	return 0;
}

/* sc_churn -- see the top of the file */
static int sc_churn(int n)
{
	struct rdma_event_channel *ec = rdma_create_event_channel();
	struct rdma_cm_id *id;
	int err, sent = 0;

	if (!ec || n < 1)
		return 2;
	fcntl(ec->fd, F_SETFL, fcntl(ec->fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < n; i++) {
		err = request(ec, FAKE_QPN + (uint32_t)i, &id);
		if (err) {
			fprintf(stderr, "request %d: %s\n", i, strerror(-err));
			continue;
		}
		rdma_destroy_id(id);
		sent++;
	}
	printf("%d of %d requests sent and destroyed at once\n", sent, n);
	rdma_destroy_event_channel(ec);
	return sent ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[3], "hold")) {
		g_host = argv[1];
		g_port = argv[2];
		return sc_hold(atoi(argv[4]), atoi(argv[5]));
	}
	if (argc >= 5 && !strcmp(argv[3], "churn")) {
		g_host = argv[1];
		g_port = argv[2];
		return sc_churn(atoi(argv[4]));
	}
	fprintf(stderr, "usage: pmr-halfopen HOST PORT hold N SECS\n"
			"       pmr-halfopen HOST PORT churn N\n");
	return 2;
}
