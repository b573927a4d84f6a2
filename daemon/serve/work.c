/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work.c -- one blocking job on a thread of its own (work.h).
 *
 * The thread only runs the job's RUN function; it touches nothing the
 * loop owns.  It runs at the lowest priority (nice 19): it is background
 * work (zeroing a region, pinning its pages) that must not take CPU from
 * the loop and the clients' RDMA traffic when they need it, and runs at
 * full speed when they do not.  ev_async_send is libev's one call that is safe from another
 * thread: it wakes the loop, whose callback joins the thread and applies
 * the result (DONE), so every change to the server's state happens on the
 * loop as before.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "work.h"

/* thread_main -- the job, then tell the loop */
static void *thread_main(void *arg)
{
	struct pmrd_work *w = arg;

	/* Linux: PRIO_PROCESS with a thread id sets that thread's nice */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19))
		log_debug("worker thread: setpriority: %s", strerror(errno));
	w->run(w);
	ev_async_send(w->loop, &w->done_watcher);
	return NULL;
}

/* finish -- join the thread, stop watching, call DONE */
static void finish(struct pmrd_work *w)
{
	pthread_join(w->thread, NULL);
	ev_async_stop(w->loop, &w->done_watcher);
	w->running = false;
	w->done(w);
}

/* done_cb -- the thread ended (its ev_async_send) */
static void done_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	finish(container_of(a, struct pmrd_work, done_watcher));
}

/* pmrd_work_start -- see work.h */
int pmrd_work_start(struct pmrd_work *w, struct ev_loop *loop,
		    void (*run)(struct pmrd_work *w),
		    void (*done)(struct pmrd_work *w))
{
	int err;

	if (w->running)
		return -EBUSY;
	w->loop = loop;
	w->run = run;
	w->done = done;
	ev_async_init(&w->done_watcher, done_cb);
	ev_async_start(loop, &w->done_watcher);
	err = pthread_create(&w->thread, NULL, thread_main, w);
	if (err) {
		ev_async_stop(loop, &w->done_watcher);
		log_err("cannot start a worker thread: %s", strerror(err));
		return -err;
	}
	w->running = true;
	return 0;
}

/* pmrd_work_busy -- see work.h */
bool pmrd_work_busy(const struct pmrd_work *w)
{
	return w->running;
}

/* pmrd_work_finish -- see work.h */
void pmrd_work_finish(struct pmrd_work *w)
{
	if (w->running)
		finish(w);
}
