/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer_log.h -- log lines about peers that never got connected (bad
 * hellos, limits, set-up failures, accept timeouts).  Any host that
 * reaches the listen address can cause these at will, so they are
 * rate-limited: at most PMRD_PEER_LOG_BURST lines per
 * PMRD_PEER_LOG_INTERVAL_MS, then one "N more ... suppressed" line when
 * the window ends.
 */
#ifndef PMRD_PEER_LOG_H
#define PMRD_PEER_LOG_H

#include <stddef.h>

#include <ev.h>
#include <rdma/rdma_cma.h>

#include "ratelimit.h"
#include "util.h"

#define PMRD_PEER_LOG_BURST	  10
#define PMRD_PEER_LOG_INTERVAL_MS 10000

struct pmrd_peer_log {
	struct ev_loop *loop;
	struct pmrd_ratelimit rl;
	ev_timer timer; /* writes the "suppressed" line at the window's end */
};

/* pmrd_peer_log_init -- ready to log on LOOP */
void pmrd_peer_log_init(struct pmrd_peer_log *pl, struct ev_loop *loop);

/* pmrd_peer_log -- one line at LEVEL, unless this window's lines are used */
void pmrd_peer_log(struct pmrd_peer_log *pl, int level, const char *fmt, ...)
	PMR_PRINTF(3, 4);

/* pmrd_peer_log_fini -- the timer stopped, what was held back counted */
void pmrd_peer_log_fini(struct pmrd_peer_log *pl);

/* pmrd_peer_name -- "addr:port" of ID's remote end into BUF; BUF */
const char *pmrd_peer_name(struct rdma_cm_id *id, char *buf, size_t len);

#endif
