/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_recorder.h -- a fake pmem2 persist for the session tests: it
 * records the range the session asked to persist and counts the calls,
 * so a test can check that a PERSIST or ATOMIC_WRITE persisted exactly
 * its bytes (or that a refused one persisted nothing).  Install it with
 * fake_exports_persist(fake_persist) (fake_exports.h).
 */
#ifndef PMRD_TEST_PERSIST_RECORDER_H
#define PMRD_TEST_PERSIST_RECORDER_H

#include <stddef.h>

/* What fake_persist was last asked, and how many times it was called. */
struct persist_record {
	const void *ptr;
	size_t len;
	int calls;
};

extern struct persist_record persisted;

/* fake_persist -- a pmem2_persist_fn recording its call in persisted */
void fake_persist(const void *ptr, size_t len);

/* persist_recorder_reset -- nothing persisted yet */
void persist_recorder_reset(void);

#endif
