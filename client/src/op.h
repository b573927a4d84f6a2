/* SPDX-License-Identifier: BSD-3-Clause */
/* op.h -- operation slots (op.c) */
#ifndef PMR_CLIENT_OP_H
#define PMR_CLIENT_OP_H

#include "internal.h"

/* pmr_op_start -- reset OP for a new operation */
void pmr_op_start(struct pmr_opctx *op);
/* pmr_op_alloc_async -- a free async slot, or -EAGAIN */
int pmr_op_alloc_async(struct pmr_conn *conn, uint32_t *ret);
/* pmr_op_free_async -- return SLOT to the free list */
void pmr_op_free_async(struct pmr_conn *conn, uint32_t slot);
/* pmr_op_maybe_done -- mark async SLOT finished when nothing is due */
void pmr_op_maybe_done(struct pmr_conn *conn, uint32_t slot);

#endif
