/* SPDX-License-Identifier: BSD-3-Clause */
/* xfer.h -- transfers split into work requests (xfer.c) */
#ifndef PMR_CLIENT_XFER_H
#define PMR_CLIENT_XFER_H

#include "internal.h"

/* pmr_xfer_post -- post a LEN-byte transfer for the op in SLOT */
int pmr_xfer_post(struct pmr_conn *conn, uint32_t slot, enum pmr_swr_op op,
		  uint64_t laddr, uint32_t lkey, uint64_t raddr, uint32_t rkey,
		  uint64_t len, bool may_wait);

#endif
