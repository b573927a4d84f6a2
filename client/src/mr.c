/* SPDX-License-Identifier: BSD-3-Clause */
/* mr.c -- caller buffers registered for zero-copy transfers */
#include <errno.h>
#include <stdlib.h>

#include "log_cb.h"
#include "mr.h"

/* mr_access -- the verbs access flags a buffer of USAGE needs */
static int mr_access(unsigned int usage)
{
	/* RDMA READ responses are local writes into the buffer */
	return (usage & PMR_MR_READ_DST) ? IBV_ACCESS_LOCAL_WRITE : 0;
}

/* pmr_mr_reg -- see libpmr.h */
int pmr_mr_reg(struct pmr_conn *conn, void *ptr, size_t len, unsigned int usage,
	       struct pmr_mr **ret)
{
	struct pmr_mr *mr;

	if (!conn || !ptr || !len || !ret || !usage ||
	    (usage & ~(PMR_MR_READ_DST | PMR_MR_WRITE_SRC)))
		return -EINVAL;
	if (conn->lost)
		return conn->lost;
	mr = malloc(sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->mr = ibv_reg_mr(conn->pd, ptr, len, mr_access(usage));
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
	mr->next = conn->mrs;
	conn->mrs = mr;
	conn->nmrs++;
	*ret = mr;
	return 0;
}

/* pmr_mr_dereg -- see libpmr.h; the caller must not have operations on
 * the buffer in flight */
int pmr_mr_dereg(struct pmr_mr **mrp)
{
	struct pmr_mr *mr, **p;
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
	for (p = &mr->conn->mrs; *p; p = &(*p)->next) {
		if (*p == mr) {
			*p = mr->next;
			break;
		}
	}
	mr->conn->nmrs--;
	free(mr);
	*mrp = NULL;
	return rc;
}

/* pmr_mr_reg_again -- see mr.h */
int pmr_mr_reg_again(const struct pmr_conn *conn, struct ibv_pd *pd,
		     struct ibv_mr **out)
{
	const struct pmr_mr *mr;
	unsigned int i = 0;
	int rc;

	for (mr = conn->mrs; mr; mr = mr->next, i++) {
		out[i] = ibv_reg_mr(pd, mr->ptr, mr->len, mr_access(mr->usage));
		if (!out[i]) {
			rc = -errno;
			pmr_err("registering %zu bytes again: %s", mr->len,
				pmr_strerror(rc));
			pmr_mr_drop(out, i);
			return rc;
		}
	}
	return 0;
}

/* pmr_mr_drop -- see mr.h */
void pmr_mr_drop(struct ibv_mr **mrs, unsigned int n)
{
	while (n--)
		ibv_dereg_mr(mrs[n]);
}

/* pmr_mr_rebind -- see mr.h */
void pmr_mr_rebind(struct pmr_conn *conn, struct ibv_mr **mrs)
{
	struct pmr_mr *mr;
	unsigned int i = 0;

	for (mr = conn->mrs; mr; mr = mr->next, i++) {
		/* the old PD goes next: its registrations must go first */
		if (ibv_dereg_mr(mr->mr))
			pmr_warn("deregistering %zu bytes of the lost "
				 "connection failed",
				 mr->len);
		mr->mr = mrs[i];
	}
}
