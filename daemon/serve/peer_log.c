/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer_log.c -- rate-limited log lines about peers that never got
 * connected (peer_log.h).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "peer_log.h"

/* flush -- the "N more suppressed" line for the window so far */
static void flush(struct pmrd_peer_log *pl)
{
	unsigned n = pmrd_ratelimit_flush(&pl->rl);

	if (n)
		log_notice(
			"%u more messages about connection set-up suppressed",
			n);
}

/* timer_cb -- a window with suppressed lines ended */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	flush(container_of(w, struct pmrd_peer_log, timer));
}

/* pmrd_peer_log_init -- see peer_log.h */
void pmrd_peer_log_init(struct pmrd_peer_log *pl, struct ev_loop *loop)
{
	pl->loop = loop;
	pmrd_ratelimit_init(&pl->rl, PMRD_PEER_LOG_INTERVAL_MS,
			    PMRD_PEER_LOG_BURST);
	ev_init(&pl->timer, timer_cb);
}

/* pmrd_peer_log -- see peer_log.h */
void pmrd_peer_log(struct pmrd_peer_log *pl, int level, const char *fmt, ...)
{
	uint64_t now = pmrd_now_ns(), end;
	unsigned held;
	char buf[512];
	va_list ap;

	if (!pmrd_ratelimit_take(&pl->rl, now, &held)) {
		if (!ev_is_active(&pl->timer)) {
			end = pmrd_ratelimit_window_end(&pl->rl);
			ev_timer_set(&pl->timer,
				     (double)(end - MIN(end, now)) / 1e9, 0.);
			ev_timer_start(pl->loop, &pl->timer);
		}
		return;
	}
	if (held)
		log_notice(
			"%u more messages about connection set-up suppressed",
			held);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pmrd_log(level, "%s", buf);
}

/* pmrd_peer_log_fini -- see peer_log.h */
void pmrd_peer_log_fini(struct pmrd_peer_log *pl)
{
	ev_timer_stop(pl->loop, &pl->timer);
	flush(pl);
}

/* pmrd_peer_name -- see peer_log.h */
const char *pmrd_peer_name(struct rdma_cm_id *id, char *buf, size_t len)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa && sa->sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	snprintf(buf, len, "%s:%u", host, port);
	return buf;
}
