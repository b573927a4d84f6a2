/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async.c -- posting operations without waiting; their completions come
 * back through pmr_conn_poll (conn.c)
 */
#include <errno.h>

#include "check.h"
#include "completion.h"
#include "op.h"
#include "xfer.h"

/* post_xfer -- pmr_region_post_read and _post_write */
static int post_xfer(struct pmr_region *region, const struct pmr_mr *mr,
		     size_t mr_off, uint64_t off, size_t len, uint64_t tag,
		     bool write)
{
	struct pmr_conn *conn;
	uint32_t slot;
	int rc = pmr_mr_check(region, mr, mr_off, len,
			      write ? PMR_MR_WRITE_SRC : PMR_MR_READ_DST);

	if (rc)
		return rc;
	rc = pmr_io_check(region, off, len, write);
	if (rc)
		return rc;
	conn = region->conn;
	rc = pmr_async_begin(region, write ? PMR_OP_WRITE : PMR_OP_READ, tag,
			     &slot);
	if (rc)
		return rc;
	if (len)
		rc = pmr_xfer_post(conn, slot,
				   write ? PMR_SWR_WRITE : PMR_SWR_READ,
				   (uintptr_t)(mr->ptr + mr_off), mr->mr->lkey,
				   region->addr + off, region->rkey, len,
				   false);
	return pmr_async_end(conn, slot, rc);
}

/* pmr_region_post_read -- see libpmr.h */
int pmr_region_post_read(struct pmr_region *region, struct pmr_mr *dst,
			 size_t dst_off, uint64_t off, size_t len,
			 uint64_t user_tag)
{
	return post_xfer(region, dst, dst_off, off, len, user_tag, false);
}

/* pmr_region_post_write -- see libpmr.h */
int pmr_region_post_write(struct pmr_region *region, const struct pmr_mr *src,
			  size_t src_off, uint64_t off, size_t len,
			  uint64_t user_tag)
{
	return post_xfer(region, src, src_off, off, len, user_tag, true);
}

/* pmr_region_post_persist -- see libpmr.h */
int pmr_region_post_persist(struct pmr_region *region, uint64_t off, size_t len,
			    uint64_t user_tag)
{
	struct pmr_conn *conn;
	uint32_t slot;
	int rc = pmr_io_check(region, off, len, true);

	if (rc)
		return rc;
	if (!region->method)
		return PMR_E_NO_METHOD;
	conn = region->conn;
	rc = pmr_async_begin(region, PMR_OP_PERSIST, user_tag, &slot);
	if (rc)
		return rc;
	if (len)
		rc = pmr_persist_post(region, slot, off, len, false);
	return pmr_async_end(conn, slot, rc);
}
