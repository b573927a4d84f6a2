/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xfer.c -- transfers as work requests: split at the largest work request,
 * only the last of each piece signaled, waiting for send queue room
 */
#include <errno.h>

#include "check.h"
#include "completion.h"
#include "qp.h"
#include "xfer.h"

/*
 * pmr_xfer_post -- post a LEN-byte transfer for the op in SLOT, split at
 * conn->max_wr.  Only the last work request of each piece is signaled; a
 * piece is what the send queue holds at the time.  With MAY_WAIT false the
 * whole transfer must fit now (else -EAGAIN, nothing posted).
 */
int pmr_xfer_post(struct pmr_conn *conn, uint32_t slot, enum pmr_swr_op op,
		  uint64_t laddr, uint32_t lkey, uint64_t raddr, uint32_t rkey,
		  uint64_t len, bool may_wait)
{
	struct pmr_swr w[PMR_POST_BATCH];
	uint64_t left = pmr_chunks(len, conn->max_wr);
	uint64_t piece, avail;
	uint32_t total;
	unsigned int n;
	int rc;

	if (!may_wait && left > conn->sq_depth - conn->sq_used)
		return left > conn->sq_depth ? -E2BIG : -EAGAIN;
	while (left) {
		avail = conn->sq_depth - conn->sq_used;
		if (!avail) {
			rc = pmr_wait_sq(conn, 1);
			if (rc)
				return rc;
			continue;
		}
		piece = left < avail ? left : avail;
		total = (uint32_t)piece;
		left -= piece;
		while (piece) {
			for (n = 0; n < PMR_POST_BATCH && n < piece; n++) {
				uint32_t l = len < conn->max_wr ?
						     (uint32_t)len :
						     conn->max_wr;
				bool last = n + 1 == piece;

				/* the signaled one frees the whole piece */
				w[n].wr_id =
					last ? pmr_wrid(PMR_WRID_SIGNALED, slot,
							total) :
					       pmr_wrid(PMR_WRID_UNSIGNALED,
							slot, 0);
				w[n].op = (uint8_t)op;
				w[n].laddr = laddr;
				w[n].lkey = lkey;
				w[n].raddr = raddr;
				w[n].rkey = rkey;
				w[n].len = l;
				w[n].signaled = last;
				w[n].inl = 0;
				if (op != PMR_SWR_FLUSH)
					laddr += l;
				raddr += l;
				len -= l;
			}
			piece -= n;
			rc = pmr_post(conn, w, n);
			if (rc)
				return rc;
			if (piece == 0) /* the signaled one went out */
				conn->ops[slot].pending++;
		}
	}
	return 0;
}
