/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cpu_contention.c -- when pmrd and libpmr stop busy-polling: a large share of
 * waiting runnable turns it off for the back-off, a short preemption does
 * not.
 */
#include <pthread.h>
#include <time.h>

#include <criterion/criterion.h>

#include "cpu_contention.h"
#include "util.h"

Test(cpu_contention, share_of_waiting_decides)
{
	uint64_t ms = 1000000;

	cr_assert(pmrd_cpu_contended(ms, ms / PMRD_CONTENTION_SHARE));
	cr_assert(pmrd_cpu_contended(ms, ms));
	cr_assert_not(pmrd_cpu_contended(ms, ms / PMRD_CONTENTION_SHARE - 1));
	/* a ksoftirqd turn of a few microseconds */
	cr_assert_not(pmrd_cpu_contended(ms, 5000));
	cr_assert_not(pmrd_cpu_contended(0, 0));
}

/* spin_for -- burn the CPU for NS */
static void spin_for(uint64_t ns)
{
	uint64_t end = pmrd_now_ns() + ns;

	while (pmrd_now_ns() < end)
		;
}

Test(cpu_contention, fini_closes)
{
	struct pmrd_cpu_contention c;

	pmrd_cpu_contention_init(&c);
	pmrd_cpu_spin_ok(&c, pmrd_now_ns(), NULL);
	cr_assert(c.fd >= 0 || c.unavailable);
	pmrd_cpu_contention_fini(&c);
	cr_assert_eq(c.fd, -1);
}

/* hog -- a thread that competes for the CPU the test pins both to */
static void *hog(void *arg)
{
	volatile bool *stop = arg;

	while (!*stop)
		;
	return NULL;
}

Test(cpu_contention, sharing_the_cpu_stops_spinning)
{
	struct pmrd_cpu_contention c;
	volatile bool stop = false;
	cpu_set_t one;
	pthread_t t;
	bool ok = true, started = false, seen = false;
	int i;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	cr_assert_eq(pthread_setaffinity_np(pthread_self(), sizeof(one), &one),
		     0);
	pmrd_cpu_contention_init(&c);
	if (pmrd_cpu_spin_ok(&c, pmrd_now_ns(), NULL) && c.unavailable)
		cr_skip_test("no /proc/thread-self/schedstat here");
	cr_assert_eq(pthread_create(&t, NULL, hog, (void *)&stop), 0);
	pthread_setaffinity_np(t, sizeof(one), &one);
	/* two threads on one CPU: each waits about half the time */
	for (i = 0; i < 200 && ok; i++) {
		spin_for(PMRD_CONTENTION_CHECK_NS);
		ok = pmrd_cpu_spin_ok(&c, pmrd_now_ns(), &started);
		seen |= started;
	}
	stop = true;
	pthread_join(t, NULL);
	cr_assert_not(ok, "still spinning after 200 ms on a shared CPU");
	cr_assert(seen, "the switch to sleeping was not reported");
	/* it stays off for the back-off, then is tried again */
	cr_assert_not(pmrd_cpu_spin_ok(&c, pmrd_now_ns(), NULL));
	cr_assert(pmrd_cpu_spin_ok(&c, c.nospin_until, NULL));
	pmrd_cpu_contention_fini(&c);
}

/* other_thread -- pmrd_cpu_thread_spin_ok on a thread of its own */
static void *other_thread(void *arg)
{
	*(bool *)arg = pmrd_cpu_thread_spin_ok(pmrd_now_ns());
	return NULL;
}

Test(cpu_contention, each_thread_has_its_own_state)
{
	bool ok = false;
	pthread_t t;
	int i;

	/* threads that come and go (libpmr's callers) each open, and at
	 * exit close, their own schedstat: no fd is left behind */
	for (i = 0; i < 64; i++) {
		cr_assert_eq(pthread_create(&t, NULL, other_thread, &ok), 0);
		pthread_join(t, NULL);
		cr_assert(ok);
	}
	cr_assert(pmrd_cpu_thread_spin_ok(pmrd_now_ns()));
}
