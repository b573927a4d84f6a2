/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_async.c -- SIGUSR2 synthesizes one device async event
 * (-DPMRD_FAULT_INJECTION=ON builds only; tests/vm/suites/78-async-events).
 *
 * rxe raises no QP fatal event, and a port that is down cannot be reached
 * by the peer whose request pmrd would refuse; so the handling of those
 * (daemon/rdma/async_event.c, the clients' disconnects, the PORT_DOWN
 * reject) is tested by handing the same code a made-up event.  On SIGUSR2
 * pmrd reads the first word of the file named by PMR_FAULT_ASYNC:
 *
 *   qp-fatal     IBV_EVENT_QP_FATAL on the longest-connected client's QP
 *   cq-err       IBV_EVENT_CQ_ERR on that client's CQ
 *   port-err     IBV_EVENT_PORT_ERR; the listen port then reads DOWN
 *   port-active  IBV_EVENT_PORT_ACTIVE; the port reads its real state
 *
 * (A real CQ error comes from rxe itself when PMR_FAULT_CQ_DEPTH makes
 * the CQs small enough to overflow: common/fault/wrap_verbs.c.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_event.h"
#include "fault_async.h"
#include "log.h"
#include "server_priv.h"
#include "util.h"

/* event_named -- the event a word of the file names; false: none */
static bool event_named(const char *w, enum ibv_event_type *ret)
{
	static const struct {
		const char *name;
		enum ibv_event_type type;
	} names[] = {
		{ "qp-fatal", IBV_EVENT_QP_FATAL },
		{ "cq-err", IBV_EVENT_CQ_ERR },
		{ "port-err", IBV_EVENT_PORT_ERR },
		{ "port-active", IBV_EVENT_PORT_ACTIVE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(w, names[i].name)) {
			*ret = names[i].type;
			return true;
		}
	}
	return false;
}

/* oldest_client -- the established client connected longest, or NULL */
static struct pmrd_client *oldest_client(struct pmrd_server *s)
{
	struct pmrd_client *c, *old = NULL;

	hlist_for_each_entry(c, &s->env.clients, link) {
		if (c->state != PMRD_CLIENT_ESTABLISHED)
			continue;
		if (!old || c->serial < old->serial)
			old = c;
	}
	return old;
}

/* usr2_cb -- read the event's name and hand it to the async handler */
static void usr2_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct pmrd_server *s = w->data;
	const char *path = getenv("PMR_FAULT_ASYNC");
	enum ibv_event_type type;
	struct pmrd_client *c = NULL;
	char word[32] = "";
	FILE *f;

	if (!s->dev || !s->dev->async) {
		log_warn("SIGUSR2: no device watched yet");
		return;
	}
	f = path ? fopen(path, "r") : NULL;
	if (!f) {
		log_warn("SIGUSR2: PMR_FAULT_ASYNC=%s: %s", path ? path : "",
			 path ? strerror(errno) : "not set");
		return;
	}
	if (fscanf(f, "%31s", word) != 1 || !event_named(word, &type)) {
		log_warn(
			"SIGUSR2: %s: no event name (qp-fatal, cq-err, port-err, port-active) but '%s'",
			path, word);
		fclose(f);
		return;
	}
	fclose(f);
	if (type == IBV_EVENT_QP_FATAL || type == IBV_EVENT_CQ_ERR) {
		c = oldest_client(s);
		if (!c) {
			log_warn("SIGUSR2: %s: no established client", word);
			return;
		}
	}
	pmrd_async_synthesize(s->dev->async, type, c ? c->id->qp : NULL,
			      c ? c->cq : NULL);
}

/* pmrd_fault_async_start -- see fault_async.h */
void pmrd_fault_async_start(struct pmrd_server *s)
{
	ev_signal_init(&s->sigusr2, usr2_cb, SIGUSR2);
	s->sigusr2.data = s;
	ev_signal_start(s->loop, &s->sigusr2);
}

/* pmrd_fault_async_stop -- see fault_async.h */
void pmrd_fault_async_stop(struct pmrd_server *s)
{
	ev_signal_stop(s->loop, &s->sigusr2);
}
