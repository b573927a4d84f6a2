/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op.c -- operation slots (internal.h): starting an op, the async free
 * list, and when an async op counts as finished
 */
#include <errno.h>

#include "op.h"

/* pmr_op_start -- reset OP for a new operation */
void pmr_op_start(struct pmr_opctx *op)
{
	op->status = 0;
	op->pending = 0;
	op->await_resp = 0;
	op->resp = NULL;
	op->async = 0;
	op->region = NULL;
	op->busy = 1;
}

/* pmr_op_alloc_async -- a free async slot, or -EAGAIN */
int pmr_op_alloc_async(struct pmr_conn *conn, uint32_t *ret)
{
	uint32_t slot = conn->free_head;

	if (slot == UINT32_MAX)
		return -EAGAIN;
	conn->free_head = conn->ops[slot].next_free;
	pmr_op_start(&conn->ops[slot]);
	conn->ops[slot].async = 1;
	*ret = slot;
	return 0;
}

/* pmr_op_free_async -- return SLOT to the free list */
void pmr_op_free_async(struct pmr_conn *conn, uint32_t slot)
{
	conn->ops[slot].busy = 0;
	conn->ops[slot].next_free = conn->free_head;
	conn->free_head = slot;
}

/* pmr_op_maybe_done -- an async op with nothing outstanding is finished;
 * pmr_conn_poll delivers it once the ops posted before it are delivered */
void pmr_op_maybe_done(struct pmr_conn *conn, uint32_t slot)
{
	struct pmr_opctx *op = &conn->ops[slot];

	if (op->busy != 1 || op->pending || op->await_resp || !op->async)
		return;
	op->busy = 2;
}
