/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pace.c -- the pause between two chunks of a long PERSIST (pace.h).
 *
 * Others are active while the loop took a request within the last
 * PMRD_PACE_ACTIVE_NS: a chunk is shorter than a client's round trip, so
 * "a request since the previous chunk" would miss most of a synchronous
 * client's requests.  The pause is capped, so a chunk that took long
 * because the thread was preempted (nice 19) does not park the job for
 * as long again.
 */
#include "pace.h"

/* pmrd_pace_start -- see pace.h */
void pmrd_pace_start(struct pmrd_pace *p, uint64_t served)
{
	p->served = served;
	p->active = 0;
	p->ever_active = false;
}

/* pmrd_pace_next -- see pace.h */
uint64_t pmrd_pace_next(struct pmrd_pace *p, uint64_t served, uint64_t now,
			uint64_t chunk_ns)
{
	uint64_t pause;

	if (served != p->served) {
		p->served = served;
		p->active = now;
		p->ever_active = true;
	}
	if (!p->ever_active || now - p->active >= PMRD_PACE_ACTIVE_NS)
		return 0;
	pause = chunk_ns * PMRD_PACE_FACTOR;
	return pause < PMRD_PACE_MAX_NS ? pause : PMRD_PACE_MAX_NS;
}
