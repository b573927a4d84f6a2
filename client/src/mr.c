/* SPDX-License-Identifier: BSD-3-Clause */
/* mr.c -- caller buffers registered for zero-copy transfers */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "log_cb.h"

/* pmr_mr_reg -- see libpmr.h */
int pmr_mr_reg(struct pmr_conn *conn, void *ptr, size_t len, unsigned int usage,
	       struct pmr_mr **ret)
{
	struct pmr_mr *mr;
	int access = 0;

	if (!conn || !ptr || !len || !ret || !usage ||
	    (usage & ~(PMR_MR_READ_DST | PMR_MR_WRITE_SRC)))
		return -EINVAL;
	if (conn->lost)
		return conn->lost;
	/* RDMA READ responses are local writes into the buffer */
	if (usage & PMR_MR_READ_DST)
		access |= IBV_ACCESS_LOCAL_WRITE;
	mr = malloc(sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->mr = ibv_reg_mr(conn->pd, ptr, len, access);
	if (!mr->mr) {
		int rc = -errno;

		pmr_err("registering %zu bytes: %s", len, pmr_strerror(rc));
		free(mr);
		return rc;
	}
	mr->conn = conn;
	mr->ptr = ptr;
	mr->len = len;
	mr->usage = usage;
	conn->nmrs++;
	*ret = mr;
	return 0;
}

/* pmr_mr_dereg -- see libpmr.h; the caller must not have operations on
 * the buffer in flight */
int pmr_mr_dereg(struct pmr_mr **mrp)
{
	struct pmr_mr *mr;
	int rc;

	if (!mrp || !*mrp)
		return 0;
	mr = *mrp;
	/* the destructor rule (libpmr.h): freed even when deregistration
	 * fails; a retry could only fail the same way */
	rc = -ibv_dereg_mr(mr->mr);
	if (rc)
		pmr_err("deregistering %zu bytes: %s", mr->len,
			pmr_strerror(rc));
	mr->conn->nmrs--;
	free(mr);
	*mrp = NULL;
	return rc;
}
