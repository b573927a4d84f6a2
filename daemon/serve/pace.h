/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pace.h -- how long a long PERSIST's worker thread pauses between two
 * chunks: PMRD_PACE_FACTOR times as long as the last chunk took while the
 * loop served other requests lately, not at all while nobody else is
 * served (endpoint.c says why).  Verbs-free, so it is tested on its own.
 */
#ifndef PMRD_PACE_H
#define PMRD_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* the pause is this many times as long as the chunk before it */
#define PMRD_PACE_FACTOR 1
/* the longest pause, whatever the chunk took */
#define PMRD_PACE_MAX_NS (20ull * 1000 * 1000)
/*
 * others count as active this long after the loop last took a request: a
 * client waiting for its answer sends nothing meanwhile
 */
#define PMRD_PACE_ACTIVE_NS (10ull * 1000 * 1000)

struct pmrd_pace {
	uint64_t served;  /* the loop's request count at the last check */
	uint64_t active;  /* when it was last seen to move (ns) */
	bool ever_active; /* it did since the job started */
};

/*
 * pmrd_pace_start -- begin a job; SERVED is the loop's request count once
 * the job's own request was taken (so that one does not count)
 */
void pmrd_pace_start(struct pmrd_pace *p, uint64_t served);

/*
 * pmrd_pace_next -- a chunk took CHUNK_NS, it is NOW (ns, monotonic) and
 * the loop's request count is SERVED: the ns to pause before the next
 * chunk (0: go on at once)
 */
uint64_t pmrd_pace_next(struct pmrd_pace *p, uint64_t served, uint64_t now,
			uint64_t chunk_ns);

#endif
