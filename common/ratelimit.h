/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ratelimit.h -- at most BURST log lines per INTERVAL, and a count of the
 * lines held back, so a peer that can make the daemon log (a flood of
 * connection requests) cannot fill the log; pure, the caller gives the
 * time.
 */
#ifndef PMRD_COMMON_RATELIMIT_H
#define PMRD_COMMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct pmrd_ratelimit {
	uint64_t interval_ns;
	unsigned burst;
	uint64_t window_start; /* ns; 0: no line yet */
	unsigned n;	       /* lines let through in this window */
	unsigned suppressed;   /* lines held back in this window */
};

/* pmrd_ratelimit_init -- BURST lines per INTERVAL_MS milliseconds */
void pmrd_ratelimit_init(struct pmrd_ratelimit *rl, unsigned interval_ms,
			 unsigned burst);

/*
 * pmrd_ratelimit_take -- may a line be logged at NOW (CLOCK_MONOTONIC ns)?
 * false: it is counted as suppressed.  When NOW starts a new window and
 * the last one held lines back, their count goes to *RET_SUPPRESSED (else
 * 0), for the caller's "N more suppressed" line before this one.
 */
bool pmrd_ratelimit_take(struct pmrd_ratelimit *rl, uint64_t now,
			 unsigned *ret_suppressed);

/*
 * pmrd_ratelimit_flush -- the lines held back so far in this window, and
 * that count reset (a summary at the end of a window nobody logged in
 * after, or at exit)
 */
unsigned pmrd_ratelimit_flush(struct pmrd_ratelimit *rl);

/* pmrd_ratelimit_window_end -- when the current window ends (ns) */
uint64_t pmrd_ratelimit_window_end(const struct pmrd_ratelimit *rl);

#endif
