/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ratelimit.c -- BURST lines per INTERVAL with a count of the rest
 * (ratelimit.h); the kernel's ___ratelimit without the locking.
 */
#include "ratelimit.h"

/* pmrd_ratelimit_init -- see ratelimit.h */
void pmrd_ratelimit_init(struct pmrd_ratelimit *rl, unsigned interval_ms,
			 unsigned burst)
{
	rl->interval_ns = (uint64_t)interval_ms * 1000000u;
	rl->burst = burst;
	rl->window_start = 0;
	rl->n = 0;
	rl->suppressed = 0;
}

/* pmrd_ratelimit_take -- see ratelimit.h */
bool pmrd_ratelimit_take(struct pmrd_ratelimit *rl, uint64_t now,
			 unsigned *ret_suppressed)
{
	*ret_suppressed = 0;
	if (!rl->window_start || now - rl->window_start >= rl->interval_ns) {
		*ret_suppressed = rl->suppressed;
		rl->window_start = now ? now : 1;
		rl->n = 0;
		rl->suppressed = 0;
	}
	if (rl->n < rl->burst) {
		rl->n++;
		return true;
	}
	rl->suppressed++;
	return false;
}

/* pmrd_ratelimit_flush -- see ratelimit.h */
unsigned pmrd_ratelimit_flush(struct pmrd_ratelimit *rl)
{
	unsigned n = rl->suppressed;

	rl->suppressed = 0;
	return n;
}

/* pmrd_ratelimit_window_end -- see ratelimit.h */
uint64_t pmrd_ratelimit_window_end(const struct pmrd_ratelimit *rl)
{
	return rl->window_start + rl->interval_ns;
}
