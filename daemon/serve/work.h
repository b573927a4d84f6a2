/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work.h -- run one blocking job (zeroing a new region, registering it) on
 * a thread of its own while the event loop keeps serving clients and the
 * admin socket; the job's result is applied back on the loop.
 */
#ifndef PMRD_WORK_H
#define PMRD_WORK_H

#include <pthread.h>
#include <stdbool.h>

#include <ev.h>

struct pmrd_work {
	struct ev_loop *loop;
	ev_async done_watcher; /* the thread ended: call done on the loop */
	pthread_t thread;
	bool running;
	void (*run)(struct pmrd_work *w);  /* on the thread */
	void (*done)(struct pmrd_work *w); /* on the loop, thread joined */
};

/*
 * pmrd_work_start -- run RUN(W) on a new thread; once it returned, DONE(W)
 * is called from LOOP.  W must stay put until then (embed it in the
 * job's state, container_of in RUN and DONE).  Negative errno (then
 * nothing runs).
 */
int pmrd_work_start(struct pmrd_work *w, struct ev_loop *loop,
		    void (*run)(struct pmrd_work *w),
		    void (*done)(struct pmrd_work *w));

/* pmrd_work_busy -- true from pmrd_work_start until DONE was called */
bool pmrd_work_busy(const struct pmrd_work *w);

/*
 * pmrd_work_finish -- if W runs: wait for its thread, then call DONE now
 * (at exit, when the loop no longer runs)
 */
void pmrd_work_finish(struct pmrd_work *w);

#endif
