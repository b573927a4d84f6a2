/* SPDX-License-Identifier: BSD-3-Clause */
/* cpu_contention.c -- a thread's run delay and what it says */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "cpu_contention.h"

/* pmrd_cpu_contention_init -- see cpu_contention.h */
void pmrd_cpu_contention_init(struct pmrd_cpu_contention *c)
{
	*c = (struct pmrd_cpu_contention){ .fd = -1 };
	c->fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	c->unavailable = c->fd < 0;
}

/* pmrd_cpu_contention_fini -- close the schedstat file */
void pmrd_cpu_contention_fini(struct pmrd_cpu_contention *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* pmrd_cpu_contended -- see cpu_contention.h */
bool pmrd_cpu_contended(uint64_t elapsed_ns, uint64_t delay_ns)
{
	return elapsed_ns && delay_ns * PMRD_CONTENTION_SHARE >= elapsed_ns;
}

/*
 * read_run_delay -- the second field of schedstat ("cpu time, run delay,
 * time slices", ns) into *RET; false when there is none (a kernel without
 * CONFIG_SCHED_INFO, /proc not mounted): then contention is never seen
 */
static bool read_run_delay(struct pmrd_cpu_contention *c, uint64_t *ret)
{
	char buf[96];
	ssize_t n;
	char *end;

	if (c->fd < 0)
		return false;
	n = pread(c->fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	strtoull(buf, &end, 10);
	if (end == buf || *end != ' ')
		return false;
	*ret = strtoull(end + 1, &end, 10);
	return *end == ' ' || *end == '\n';
}

/* pmrd_cpu_spin_ok -- see cpu_contention.h */
bool pmrd_cpu_spin_ok(struct pmrd_cpu_contention *c, uint64_t now,
		      bool *started)
{
	uint64_t delay;

	if (started)
		*started = false;
	if (c->unavailable)
		return true;
	if (now - c->checked_ns >= PMRD_CONTENTION_CHECK_NS) {
		if (!read_run_delay(c, &delay)) {
			c->unavailable = true;
			pmrd_cpu_contention_fini(c);
			return true;
		}
		/* over an interval in which the thread slept the share is
		 * smaller: a sleeper is not contended; but one preempted for
		 * a long time is, so long intervals count too */
		if (c->checked_ns &&
		    pmrd_cpu_contended(now - c->checked_ns,
				       delay - c->run_delay_ns)) {
			if (started && now >= c->nospin_until)
				*started = true;
			c->nospin_until = now + PMRD_CONTENTION_BACKOFF_NS;
		}
		c->checked_ns = now;
		c->run_delay_ns = delay;
	}
	return now >= c->nospin_until;
}

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static bool thread_key_ok;
static __thread struct pmrd_cpu_contention thread_state = { .fd = -1 };
static __thread bool thread_registered;

/* thread_exit -- a thread that used pmrd_cpu_thread_spin_ok ends */
static void thread_exit(void *state)
{
	pmrd_cpu_contention_fini(state);
}

/* thread_key_create -- once per process */
static void thread_key_create(void)
{
	thread_key_ok = !pthread_key_create(&thread_key, thread_exit);
}

/* pmrd_cpu_thread_spin_ok -- see cpu_contention.h */
bool pmrd_cpu_thread_spin_ok(uint64_t now)
{
	if (!thread_registered) {
		/* without a key to close it at thread exit, no file is
		 * opened at all: spinning as before */
		pthread_once(&thread_key_once, thread_key_create);
		if (thread_key_ok &&
		    !pthread_setspecific(thread_key, &thread_state))
			pmrd_cpu_contention_init(&thread_state);
		else
			thread_state.unavailable = true;
		thread_registered = true;
	}
	return pmrd_cpu_spin_ok(&thread_state, now, NULL);
}
