/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_async_classify.c -- what pmrd does with each verbs async event:
 * QP and CQ errors cost their client only, port events matter only on the
 * listen port, a fatal device error stops serving, the rest is logged.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "async_event.h"

#define LISTEN 1

/* act -- the action for TYPE on port PORT with the listen port LISTEN */
static enum pmrd_async_action act(enum ibv_event_type type, unsigned port)
{
	return pmrd_async_classify(type, port, LISTEN);
}

Test(async_classify, qp_errors_cost_their_client)
{
	cr_assert_eq(act(IBV_EVENT_QP_FATAL, 0), PMRD_ASYNC_QP_FAILED);
	cr_assert_eq(act(IBV_EVENT_QP_REQ_ERR, 0), PMRD_ASYNC_QP_FAILED);
	cr_assert_eq(act(IBV_EVENT_QP_ACCESS_ERR, 0), PMRD_ASYNC_QP_FAILED);
	cr_assert_eq(act(IBV_EVENT_PATH_MIG_ERR, 0), PMRD_ASYNC_QP_FAILED);
	cr_assert_eq(act(IBV_EVENT_CQ_ERR, 0), PMRD_ASYNC_CQ_FAILED);
}

Test(async_classify, comm_est_goes_to_rdmacm)
{
	cr_assert_eq(act(IBV_EVENT_COMM_EST, 0), PMRD_ASYNC_QP_ESTABLISHED);
}

Test(async_classify, port_events_of_the_listen_port)
{
	cr_assert_eq(act(IBV_EVENT_PORT_ERR, LISTEN), PMRD_ASYNC_PORT_DOWN);
	cr_assert_eq(act(IBV_EVENT_PORT_ACTIVE, LISTEN), PMRD_ASYNC_PORT_UP);
	/* another port of the same device serves nobody of ours */
	cr_assert_eq(act(IBV_EVENT_PORT_ERR, LISTEN + 1), PMRD_ASYNC_LOG);
	cr_assert_eq(act(IBV_EVENT_PORT_ACTIVE, LISTEN + 1), PMRD_ASYNC_LOG);
}

Test(async_classify, device_fatal_stops)
{
	cr_assert_eq(act(IBV_EVENT_DEVICE_FATAL, 0), PMRD_ASYNC_DEVICE_FATAL);
}

Test(async_classify, the_rest_is_logged)
{
	static const enum ibv_event_type logged[] = {
		IBV_EVENT_SQ_DRAINED,	     IBV_EVENT_PATH_MIG,
		IBV_EVENT_LID_CHANGE,	     IBV_EVENT_PKEY_CHANGE,
		IBV_EVENT_SM_CHANGE,	     IBV_EVENT_SRQ_ERR,
		IBV_EVENT_SRQ_LIMIT_REACHED, IBV_EVENT_QP_LAST_WQE_REACHED,
		IBV_EVENT_CLIENT_REREGISTER, IBV_EVENT_GID_CHANGE,
		IBV_EVENT_WQ_FATAL,
	};

	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++)
		cr_assert_eq(act(logged[i], LISTEN), PMRD_ASYNC_LOG, "event %d",
			     (int)logged[i]);
	/* an event type newer than this build */
	cr_assert_eq(act((enum ibv_event_type)1000, LISTEN), PMRD_ASYNC_LOG);
}

Test(async_classify, action_names)
{
	for (int a = PMRD_ASYNC_LOG; a <= PMRD_ASYNC_DEVICE_FATAL; a++)
		cr_assert_str_neq(pmrd_async_action_name(a), "?");
	cr_assert_str_eq(pmrd_async_action_name(PMRD_ASYNC_PORT_DOWN),
			 "port-down");
}

Test(async_classify, info_without_a_watcher)
{
	struct pmrd_async_info ai;

	memset(&ai, 0xff, sizeof(ai));
	pmrd_async_info(NULL, &ai);
	cr_assert_eq(ai.n_events, 0);
	cr_assert_str_eq(ai.port_state, "");
	cr_assert_str_eq(ai.last_event, "");
	cr_assert(pmrd_async_port_active(NULL));
}
