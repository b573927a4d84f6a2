/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_async.h -- synthesized device async events on SIGUSR2, for tests
 * (fault-injection builds only; fault_async.c says what is synthesized).
 */
#ifndef PMRD_FAULT_ASYNC_H
#define PMRD_FAULT_ASYNC_H

struct pmrd_server;

#ifdef PMRD_FAULT_INJECTION
/* pmrd_fault_async_start -- handle SIGUSR2 from now on (S's loop) */
void pmrd_fault_async_start(struct pmrd_server *s);
/* pmrd_fault_async_stop -- stop handling it */
void pmrd_fault_async_stop(struct pmrd_server *s);
#else
static inline void pmrd_fault_async_start(struct pmrd_server *s)
{
}

static inline void pmrd_fault_async_stop(struct pmrd_server *s)
{
}
#endif

#endif
