/* SPDX-License-Identifier: BSD-3-Clause */
/* completion.h -- the completion engine: waits, posting order (completion.c) */
#ifndef PMR_CLIENT_COMPLETION_H
#define PMR_CLIENT_COMPLETION_H

#include "internal.h"

/* pmr_op_queue -- async SLOT was posted: deliver it in posting order */
void pmr_op_queue(struct pmr_conn *conn, uint32_t slot);
/* pmr_async_begin -- a slot for an async op of KIND on REGION tagged TAG */
int pmr_async_begin(struct pmr_region *region, int kind, uint64_t tag,
		    uint32_t *slot);
/* pmr_async_end -- free SLOT on failure RC, else queue it (posted) */
int pmr_async_end(struct pmr_conn *conn, uint32_t slot, int rc);
/* pmr_wait_op -- wait for sync OP; returns its status and frees it */
int pmr_wait_op(struct pmr_conn *conn, struct pmr_opctx *op);
/* pmr_wait_sq -- wait until NEED send queue entries are free */
int pmr_wait_sq(struct pmr_conn *conn, uint32_t need);
/* pmr_wait_credit -- wait until a control request may be sent */
int pmr_wait_credit(struct pmr_conn *conn);
/* pmr_async_busy -- an async op posted whose completion pmr_conn_poll
 * has not returned yet */
bool pmr_async_busy(const struct pmr_conn *conn);
/* pmr_wait_idle -- wait until every posted operation finished */
int pmr_wait_idle(struct pmr_conn *conn);

#endif
