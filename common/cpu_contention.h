/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpu_contention.h -- whether a thread competes for its CPU, measured by
 * the time it waited runnable (the kernel's schedstat run_delay), so that
 * busy-polling (pmrd's loop, libpmr's sync waits) stops while it only
 * steals CPU time from the work it waits for.
 *
 * A spinner competes with whatever has to run before its completion can
 * arrive (other processes on the CPU, the device's kernel threads, on one
 * machine the client and the server, each spinning while the other needs
 * the CPU) and the scheduler counts the CPU time it burns against it; a
 * sleeper woken by a completion event is usually run at once.  The run delay tells contention from the rest: a preemption by a
 * short kernel thread (ksoftirqd running rxe's tasklets) adds microseconds
 * of waiting, a CPU shared with another busy process adds a large part of
 * the elapsed time.
 */
#ifndef PMRD_CPU_CONTENTION_H
#define PMRD_CPU_CONTENTION_H

#include <stdbool.h>
#include <stdint.h>

/* How often the run delay is read while busy-polling, how much waiting per
 * elapsed time counts as contended (1/CONTENDED_SHARE), and how long
 * busy-polling then stays off before it is tried again. */
#define PMRD_CONTENTION_CHECK_NS   1000000u
#define PMRD_CONTENTION_SHARE	   5u
#define PMRD_CONTENTION_BACKOFF_NS 20000000u

struct pmrd_cpu_contention {
	int fd;		       /* /proc/thread-self/schedstat; -1: closed */
	bool unavailable;      /* no schedstat: never contended */
	uint64_t checked_ns;   /* when the run delay was read */
	uint64_t run_delay_ns; /* its value then */
	uint64_t nospin_until; /* no busy-polling before this */
};

/* pmrd_cpu_contention_init -- opens the calling thread's schedstat (call
 * it from the thread it watches, at start: the descriptor stays open until
 * pmrd_cpu_contention_fini); without one contention is never seen */
void pmrd_cpu_contention_init(struct pmrd_cpu_contention *c);
void pmrd_cpu_contention_fini(struct pmrd_cpu_contention *c);

/*
 * pmrd_cpu_contended -- the decision: DELAY_NS of waiting runnable in
 * ELAPSED_NS means the CPU is contended.  Pure (unit-tested).
 */
bool pmrd_cpu_contended(uint64_t elapsed_ns, uint64_t delay_ns);

/*
 * pmrd_cpu_thread_spin_ok -- pmrd_cpu_spin_ok for the calling thread, with
 * a state of its own per thread (its schedstat file is closed when the
 * thread exits): for a library whose callers' threads come and go
 */
bool pmrd_cpu_thread_spin_ok(uint64_t now);

/*
 * pmrd_cpu_spin_ok -- whether busy-polling pays at NOW: reads the run
 * delay at most every PMRD_CONTENTION_CHECK_NS; after a contended
 * interval, false for PMRD_CONTENTION_BACKOFF_NS.  *STARTED (may be NULL)
 * is set when this call turned busy-polling off.
 */
bool pmrd_cpu_spin_ok(struct pmrd_cpu_contention *c, uint64_t now,
		      bool *started);

#endif
