/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * atomic.c -- 8-byte atomics on a region, sync and async: the atomic write
 * (native RDMA ATOMIC WRITE, or pmrd's ATOMIC_WRITE request), CAS and
 * fetch-add, each posted together with what makes its word durable
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "completion.h"
#include "op.h"

/*
 * word_check -- the checks of every atomic call, before anything is
 * posted: a handle and an 8-aligned OFF (-EINVAL), a rw handle
 * (PMR_E_READONLY), the word inside the region (PMR_E_RANGE), a handle
 * not fenced by a takeover (PMR_E_FENCED), a live connection
 */
static int word_check(struct pmr_region *region, uint64_t off)
{
	int rc;

	if (!region)
		return -EINVAL;
	rc = pmr_check_word(region->size, off);
	if (rc == -EINVAL)
		return rc;
	if (region->ro)
		return PMR_E_READONLY;
	if (rc)
		return rc;
	return pmr_region_usable(region);
}

/* rdma_check -- word_check, then what CAS and fetch-add need: a key
 * carrying atomics, a device that has them, a persist method */
static int rdma_check(struct pmr_region *region, uint64_t off)
{
	int rc = word_check(region, off);

	if (rc)
		return rc;
	if (!(region->atomics & PMR_ATOMICS_RDMA) ||
	    !region->conn->local_atomics)
		return PMR_E_UNSUPPORTED;
	if (!region->method)
		return PMR_E_NO_METHOD;
	return 0;
}

/* pmr_region_atomic_write_path -- see libpmr.h */
unsigned int pmr_region_atomic_write_path(const struct pmr_region *region)
{
	if (!region)
		return 0;
	return pmr_atomic_write_path_pick(region->atomics, region->ro,
					  region->conn->local_atomic_write,
					  region->conn->version,
					  region->method);
}

/* server_write -- the ATOMIC_WRITE request of VALUE at OFF for the op in
 * SLOT: pmrd answers once the word is durable */
static int server_write(struct pmr_region *region, uint32_t slot, uint64_t off,
			uint64_t value, bool may_wait)
{
	struct pmr_msg req;

	pmr_msg_init(&req, PMR_MSG_ATOMIC_WRITE, 0);
	req.u.atomic_write_req.handle = region->handle;
	req.u.atomic_write_req.offset = off;
	req.u.atomic_write_req.value = value;
	return pmr_ctl_request_post(region->conn, slot, &req, may_wait);
}

/* post_atomic_write -- VALUE at OFF for the op in SLOT by the region's
 * path; NATIVE: the ATOMIC WRITE and the persist of its 8 bytes in one
 * post */
static int post_atomic_write(struct pmr_region *region, uint32_t slot,
			     uint64_t off, uint64_t value, bool may_wait)
{
	struct pmr_swr w[2];

	switch (pmr_region_atomic_write_path(region)) {
	case PMR_ATOMIC_WRITE_NATIVE:
		memset(w, 0, sizeof(w));
		w[0].op = PMR_SWR_ATOMIC_WRITE;
		w[0].raddr = region->addr + off;
		w[0].rkey = region->rkey;
		w[0].len = 8;
		/* the bytes land as they are: little-endian, as the
		 * region's words are defined */
		w[0].swap = htole64(value);
		return pmr_persist_post_after(region, slot, w, off, 8,
					      may_wait);
	case PMR_ATOMIC_WRITE_SERVER:
		return server_write(region, slot, off, value, may_wait);
	default:
		return PMR_E_UNSUPPORTED;
	}
}

/* rdma_swr -- W[0] as the atomic OP on the word at OFF, its old word
 * into LADDR (LKEY) */
static void rdma_swr(const struct pmr_region *region, struct pmr_swr w[2],
		     enum pmr_swr_op op, uint64_t off, uint64_t laddr,
		     uint32_t lkey, uint64_t compare, uint64_t swap)
{
	memset(w, 0, 2 * sizeof(*w));
	w[0].op = (uint8_t)op;
	w[0].laddr = laddr;
	w[0].lkey = lkey;
	w[0].raddr = region->addr + off;
	w[0].rkey = region->rkey;
	w[0].len = 8;
	w[0].compare = compare;
	w[0].swap = swap;
}

/* pmr_region_atomic_write -- see libpmr.h */
int pmr_region_atomic_write(struct pmr_region *region, uint64_t off,
			    uint64_t value)
{
	struct pmr_opctx *op;
	int rc = word_check(region, off);

	if (rc)
		return rc;
	if (!pmr_region_atomic_write_path(region))
		return PMR_E_UNSUPPORTED;
	op = &region->conn->ops[PMR_SYNC_OP];
	pmr_op_start(op);
	rc = post_atomic_write(region, PMR_SYNC_OP, off, value, true);
	return pmr_wait_op(region->conn, op) ?: rc;
}

/* sync_rdma -- CAS or fetch-add (OP) and its persist; the old word into
 * *RET_OLD (if not NULL) on success only */
static int sync_rdma(struct pmr_region *region, enum pmr_swr_op op,
		     uint64_t off, uint64_t compare, uint64_t swap,
		     uint64_t *ret_old)
{
	struct pmr_swr w[2];
	struct pmr_conn *conn;
	uint8_t *sink;
	int rc = rdma_check(region, off);

	if (rc)
		return rc;
	conn = region->conn;
	sink = pmr_atomic_sink(conn);
	rdma_swr(region, w, op, off, (uintptr_t)sink, conn->ctl_mr->lkey,
		 compare, swap);
	pmr_op_start(&conn->ops[PMR_SYNC_OP]);
	rc = pmr_persist_post_after(region, PMR_SYNC_OP, w, off, 8, true);
	rc = pmr_wait_op(conn, &conn->ops[PMR_SYNC_OP]) ?: rc;
	if (!rc && ret_old)
		memcpy(ret_old, sink, sizeof(*ret_old));
	return rc;
}

/* pmr_region_cas -- see libpmr.h */
int pmr_region_cas(struct pmr_region *region, uint64_t off, uint64_t expected,
		   uint64_t desired, uint64_t *ret_old)
{
	return sync_rdma(region, PMR_SWR_CAS, off, expected, desired, ret_old);
}

/* pmr_region_fetch_add -- see libpmr.h */
int pmr_region_fetch_add(struct pmr_region *region, uint64_t off, uint64_t add,
			 uint64_t *ret_old)
{
	return sync_rdma(region, PMR_SWR_FETCH_ADD, off, 0, add, ret_old);
}

/* pmr_region_post_atomic_write -- see libpmr.h */
int pmr_region_post_atomic_write(struct pmr_region *region, uint64_t off,
				 uint64_t value, uint64_t user_tag)
{
	struct pmr_conn *conn;
	uint32_t slot;
	int rc = word_check(region, off);

	if (rc)
		return rc;
	if (!pmr_region_atomic_write_path(region))
		return PMR_E_UNSUPPORTED;
	conn = region->conn;
	rc = pmr_async_begin(region, PMR_OP_ATOMIC_WRITE, user_tag, &slot);
	if (rc)
		return rc;
	rc = post_atomic_write(region, slot, off, value, false);
	return pmr_async_end(conn, slot, rc);
}

/*
 * post_rdma -- the async CAS or fetch-add (OP, completing as KIND): DST
 * must take region reads, hold [DST_OFF, DST_OFF+8) and put it at an
 * 8-aligned address (the old word lands there), before rdma_check
 */
static int post_rdma(struct pmr_region *region, struct pmr_mr *dst,
		     size_t dst_off, int kind, enum pmr_swr_op op, uint64_t off,
		     uint64_t compare, uint64_t swap, uint64_t tag)
{
	struct pmr_swr w[2];
	struct pmr_conn *conn;
	uint32_t slot;
	int rc = pmr_mr_check(region, dst, dst_off, 8, PMR_MR_READ_DST);

	if (rc)
		return rc;
	if ((uintptr_t)(dst->ptr + dst_off) % 8)
		return -EINVAL;
	rc = rdma_check(region, off);
	if (rc)
		return rc;
	conn = region->conn;
	rc = pmr_async_begin(region, kind, tag, &slot);
	if (rc)
		return rc;
	rdma_swr(region, w, op, off, (uintptr_t)(dst->ptr + dst_off),
		 dst->mr->lkey, compare, swap);
	rc = pmr_persist_post_after(region, slot, w, off, 8, false);
	return pmr_async_end(conn, slot, rc);
}

/* pmr_region_post_cas -- see libpmr.h */
int pmr_region_post_cas(struct pmr_region *region, struct pmr_mr *dst,
			size_t dst_off, uint64_t off, uint64_t expected,
			uint64_t desired, uint64_t user_tag)
{
	return post_rdma(region, dst, dst_off, PMR_OP_CAS, PMR_SWR_CAS, off,
			 expected, desired, user_tag);
}

/* pmr_region_post_fetch_add -- see libpmr.h */
int pmr_region_post_fetch_add(struct pmr_region *region, struct pmr_mr *dst,
			      size_t dst_off, uint64_t off, uint64_t add,
			      uint64_t user_tag)
{
	return post_rdma(region, dst, dst_off, PMR_OP_FETCH_ADD,
			 PMR_SWR_FETCH_ADD, off, 0, add, user_tag);
}
