/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * io.c -- synchronous reads, writes and persists: plain buffers through
 * the bounce buffer (PMR_BOUNCE_SLOTS chunks in flight, copying one while
 * the others travel), registered buffers directly
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "completion.h"
#include "ctl.h"
#include "log_cb.h"
#include "op.h"
#include "qp.h"
#include "xfer.h"

/* pmr_io_check -- argument and state checks before anything is posted */
int pmr_io_check(struct pmr_region *region, uint64_t off, size_t len,
		 bool write)
{
	int rc;

	if (!region)
		return -EINVAL;
	if (write && region->ro)
		return PMR_E_READONLY;
	rc = pmr_check_range(region->size, off, len);
	if (rc)
		return rc;
	return pmr_region_usable(region);
}

/* pmr_region_usable -- the last checks of every call that posts */
int pmr_region_usable(struct pmr_region *region)
{
	if (region->fenced)
		return PMR_E_FENCED;
	if (region->stale)
		return region->stale;
	/* a sync call's work requests are done before it returns, so the
	 * sync slots work for this region until the next call */
	region->conn->sync_region = region;
	return region->conn->lost;
}

/* pmr_mr_check -- MR belongs to REGION's connection and holds the range;
 * called before pmr_io_check, so that its -EINVAL comes first */
int pmr_mr_check(const struct pmr_region *region, const struct pmr_mr *mr,
		 size_t mr_off, size_t len, unsigned int usage)
{
	if (!region || !mr || mr->conn != region->conn || !(mr->usage & usage))
		return -EINVAL;
	return pmr_check_buf(mr->len, mr_off, len);
}

/*
 * one_sided_persist -- the signaled work request persisting [OFF, OFF+LEN)
 * (LEN <= max_wr) with FLUSH, or RAW's READ of the last bytes written (RC:
 * the READ executes after the WRITEs before it; its response proves they
 * reached the persistence domain); its completion frees COVERS entries
 */
static void one_sided_persist(struct pmr_region *region, uint32_t slot,
			      uint32_t covers, uint64_t off, uint64_t len,
			      struct pmr_swr *w)
{
	struct pmr_conn *conn = region->conn;
	uint32_t k = len < 8 ? (uint32_t)len : 8;

	memset(w, 0, sizeof(*w));
	w->wr_id = pmr_wrid(PMR_WRID_SIGNALED, slot, covers);
	w->rkey = region->rkey;
	w->signaled = 1;
	if (region->method == PMR_METHOD_FLUSH) {
		w->op = PMR_SWR_FLUSH;
		w->raddr = region->addr + off;
		w->len = (uint32_t)len;
		return;
	}
	w->op = PMR_SWR_READ;
	w->laddr = (uintptr_t)pmr_raw_sink(conn);
	w->lkey = conn->ctl_mr->lkey;
	w->raddr = region->addr + off + len - k;
	w->len = k;
}

/* persist_req -- the SERVER method's PERSIST request for [OFF, OFF+LEN) */
static void persist_req(const struct pmr_region *region, uint64_t off,
			uint64_t len, struct pmr_msg *req)
{
	pmr_msg_init(req, PMR_MSG_PERSIST, 0);
	req->u.persist_req.handle = region->handle;
	req->u.persist_req.offset = off;
	req->u.persist_req.length = len;
}

/* pmr_ctl_request_post -- control request REQ for the op in SLOT once a
 * credit and a send queue entry are free (MAY_WAIT false: -EAGAIN now) */
int pmr_ctl_request_post(struct pmr_conn *conn, uint32_t slot,
			 struct pmr_msg *req, bool may_wait)
{
	int rc;

	if (conn->ctl_inflight >= conn->credits ||
	    conn->sq_used >= conn->sq_depth) {
		if (!may_wait)
			return -EAGAIN;
		rc = pmr_wait_credit(conn);
		if (rc)
			return rc;
	}
	return pmr_ctl_post(conn, slot, req, NULL);
}

/* pmr_persist_post -- post the region's persist of [OFF, OFF+LEN) for the
 * op in SLOT, ordered after every write posted before it */
int pmr_persist_post(struct pmr_region *region, uint32_t slot, uint64_t off,
		     uint64_t len, bool may_wait)
{
	struct pmr_conn *conn = region->conn;
	struct pmr_swr w;
	struct pmr_msg req;
	int rc;

	switch (region->method) {
	case PMR_METHOD_RAW:
		if (conn->sq_used >= conn->sq_depth) {
			if (!may_wait)
				return -EAGAIN;
			rc = pmr_wait_sq(conn, 1);
			if (rc)
				return rc;
		}
		one_sided_persist(region, slot, 1, off, len, &w);
		rc = pmr_post(conn, &w, 1);
		if (!rc)
			conn->ops[slot].pending++;
		return rc;
	case PMR_METHOD_FLUSH:
		return pmr_xfer_post(conn, slot, PMR_SWR_FLUSH, 0, 0,
				     region->addr + off, region->rkey, len,
				     may_wait);
	case PMR_METHOD_SERVER:
		persist_req(region, off, len, &req);
		return pmr_ctl_request_post(conn, slot, &req, may_wait);
	default:
		return PMR_E_NO_METHOD;
	}
}

/* drain_sync -- wait for every sync slot; the first error */
static int drain_sync(struct pmr_conn *conn)
{
	int rc = 0, r;
	uint32_t i;

	for (i = 0; i <= PMR_SYNC_OP; i++) {
		if (conn->ops[i].busy != 1)
			continue; /* what pmr_wait_op says first, without a call */
		r = pmr_wait_op(conn, &conn->ops[i]);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

/*
 * pmr_persist_post_after -- post W[0] (filled in but for its wr_id and
 * signaling: a write or an atomic) and the region's persist of [OFF,
 * OFF+LEN) for the op in SLOT in a single post: one doorbell instead of
 * two, and only the persist is signaled.  FLUSH or RAW: RC completes in
 * order, so the persist's completion says W[0] is done.  SERVER: the
 * PERSIST SEND follows W[0] on the same QP, so pmrd's RECV completion
 * comes after its data was placed (RC executes a QP's requests in order)
 * and its response after its pmem2 persist of the range; the SEND's
 * completion frees both entries.  A failed W[0] still reports (any
 * failed work request does) and loses the connection.  W[1] is scratch.
 * With MAY_WAIT false the send queue (and for SERVER a credit) must be
 * free now (else -EAGAIN, nothing posted).
 */
int pmr_persist_post_after(struct pmr_region *region, uint32_t slot,
			   struct pmr_swr w[2], uint64_t off, uint64_t len,
			   bool may_wait)
{
	struct pmr_conn *conn = region->conn;
	bool server = region->method == PMR_METHOD_SERVER;
	struct pmr_msg req;
	int rc;

	if (!server && region->method != PMR_METHOD_FLUSH &&
	    region->method != PMR_METHOD_RAW)
		return PMR_E_NO_METHOD;
	if (conn->sq_depth < 2)
		return -E2BIG;
	if (server && conn->ctl_inflight >= conn->credits) {
		if (!may_wait)
			return -EAGAIN;
		rc = pmr_wait_credit(conn);
		if (rc)
			return rc;
	}
	if (conn->sq_depth - conn->sq_used < 2) {
		if (!may_wait)
			return -EAGAIN;
		rc = pmr_wait_sq(conn, 2);
		if (rc)
			return rc;
	}
	w[0].wr_id = pmr_wrid(PMR_WRID_UNSIGNALED, slot, 0);
	w[0].signaled = 0;
	if (server) {
		persist_req(region, off, len, &req);
		return pmr_ctl_post(conn, slot, &req, &w[0]);
	}
	one_sided_persist(region, slot, 2, off, len, &w[1]);
	rc = pmr_post(conn, w, 2);
	if (!rc)
		conn->ops[slot].pending++;
	return rc;
}

/*
 * write_persist_one -- a write that fits one work request, W[0], posted
 * with its persist of [OFF, OFF+LEN) by pmr_persist_post_after.  -EAGAIN:
 * not this case (the caller posts the two separately).
 */
static int write_persist_one(struct pmr_region *region, struct pmr_swr w[2],
			     uint64_t off, size_t len)
{
	struct pmr_conn *conn = region->conn;
	int rc;

	if (region->method != PMR_METHOD_SERVER &&
	    region->method != PMR_METHOD_FLUSH &&
	    region->method != PMR_METHOD_RAW)
		return -EAGAIN;
	if (len > conn->max_wr || conn->sq_depth < 2)
		return -EAGAIN;
	pmr_op_start(&conn->ops[PMR_SYNC_OP]);
	rc = pmr_persist_post_after(region, PMR_SYNC_OP, w, off, len, true);
	if (rc == -EOPNOTSUPP) {
		conn->ops[PMR_SYNC_OP].busy = 0;
		return -EAGAIN;
	}
	return drain_sync(conn) ?: rc;
}

/* write_inline -- a small write carried in the work request itself; with
 * PERSIST posted together with the persist where write_persist_one can */
static int write_inline(struct pmr_region *r, const void *buf, uint64_t off,
			size_t len, bool persist)
{
	struct pmr_conn *conn = r->conn;
	struct pmr_opctx *op = &conn->ops[PMR_SYNC_OP];
	struct pmr_swr w[2] = { 0 };
	int rc;

	w[0].op = PMR_SWR_WRITE;
	w[0].laddr = (uintptr_t)buf;
	w[0].raddr = r->addr + off;
	w[0].rkey = r->rkey;
	w[0].len = (uint32_t)len;
	w[0].inl = 1;
	if (persist) {
		rc = write_persist_one(r, w, off, len);
		if (rc != -EAGAIN)
			return rc;
	}
	rc = pmr_wait_sq(conn, 1);
	if (rc)
		return rc;
	pmr_op_start(op);
	w[0].wr_id = pmr_wrid(PMR_WRID_SIGNALED, PMR_SYNC_OP, 1);
	w[0].signaled = 1;
	rc = pmr_post(conn, w, 1);
	if (!rc) {
		op->pending++;
		if (persist)
			rc = pmr_persist_post(r, PMR_SYNC_OP, off, len, true);
	}
	return drain_sync(conn) ?: rc;
}

/* bounce_write -- copy BUF through the bounce slots, then persist */
static int bounce_write(struct pmr_region *r, const uint8_t *buf, uint64_t off,
			size_t len, bool persist)
{
	struct pmr_conn *conn = r->conn;
	size_t done = 0, n;
	unsigned int i = 0, s;
	uint8_t *dst;
	int rc = 0;

	while (done < len) {
		s = i++ % PMR_BOUNCE_SLOTS;
		rc = pmr_wait_op(conn, &conn->ops[s]);
		if (rc)
			goto out_drain;
		n = len - done < conn->slot_size ? len - done : conn->slot_size;
		dst = conn->bounce + (size_t)s * conn->slot_size;
		memcpy(dst, buf + done, n);
		pmr_op_start(&conn->ops[s]);
		rc = pmr_xfer_post(conn, s, PMR_SWR_WRITE, (uintptr_t)dst,
				   conn->bounce_mr->lkey, r->addr + off + done,
				   r->rkey, n, true);
		if (rc)
			goto out_drain;
		done += n;
	}
	if (persist && len) {
		pmr_op_start(&conn->ops[PMR_SYNC_OP]);
		rc = pmr_persist_post(r, PMR_SYNC_OP, off, len, true);
	}
out_drain:
	return drain_sync(conn) ?: rc;
}

/* bounce_read -- read into the bounce slots, copy out in order */
static int bounce_read(struct pmr_region *r, uint8_t *buf, uint64_t off,
		       size_t len)
{
	struct pmr_conn *conn = r->conn;
	size_t posted = 0, copied = 0, n;
	unsigned int ip = 0, ic = 0, s;
	int rc = 0;

	while (copied < len) {
		while (posted < len && ip - ic < PMR_BOUNCE_SLOTS) {
			s = ip % PMR_BOUNCE_SLOTS;
			n = len - posted < conn->slot_size ? len - posted :
							     conn->slot_size;
			pmr_op_start(&conn->ops[s]);
			rc = pmr_xfer_post(
				conn, s, PMR_SWR_READ,
				(uintptr_t)(conn->bounce +
					    (size_t)s * conn->slot_size),
				conn->bounce_mr->lkey, r->addr + off + posted,
				r->rkey, n, true);
			if (rc)
				goto out_drain;
			posted += n;
			ip++;
		}
		s = ic % PMR_BOUNCE_SLOTS;
		n = len - copied < conn->slot_size ? len - copied :
						     conn->slot_size;
		rc = pmr_wait_op(conn, &conn->ops[s]);
		if (rc)
			goto out_drain;
		memcpy(buf + copied, conn->bounce + (size_t)s * conn->slot_size,
		       n);
		copied += n;
		ic++;
	}
out_drain:
	return drain_sync(conn) ?: rc;
}

/* pmr_region_read -- see libpmr.h */
int pmr_region_read(struct pmr_region *region, void *buf, uint64_t off,
		    size_t len)
{
	int rc;

	if (!buf && len)
		return -EINVAL;
	rc = pmr_io_check(region, off, len, false);
	if (rc)
		return rc;
	return bounce_read(region, buf, off, len);
}

/* write_common -- pmr_region_write and _write_persist */
static int write_common(struct pmr_region *region, const void *buf,
			uint64_t off, size_t len, bool persist)
{
	int rc;

	if (!buf && len)
		return -EINVAL;
	rc = pmr_io_check(region, off, len, true);
	if (rc)
		return rc;
	if (persist && !region->method)
		return PMR_E_NO_METHOD;
	if (len == 0)
		return 0;
	if (len <= region->conn->max_inline)
		return write_inline(region, buf, off, len, persist);
	return bounce_write(region, buf, off, len, persist);
}

/* pmr_region_write -- see libpmr.h */
int pmr_region_write(struct pmr_region *region, const void *buf, uint64_t off,
		     size_t len)
{
	return write_common(region, buf, off, len, false);
}

/* pmr_region_write_persist -- see libpmr.h */
int pmr_region_write_persist(struct pmr_region *region, const void *buf,
			     uint64_t off, size_t len)
{
	return write_common(region, buf, off, len, true);
}

/* pmr_region_persist -- see libpmr.h */
int pmr_region_persist(struct pmr_region *region, uint64_t off, size_t len)
{
	struct pmr_opctx *op;
	int rc = pmr_io_check(region, off, len, true);

	if (rc)
		return rc;
	if (!region->method)
		return PMR_E_NO_METHOD;
	if (len == 0)
		return 0;
	op = &region->conn->ops[PMR_SYNC_OP];
	pmr_op_start(op);
	rc = pmr_persist_post(region, PMR_SYNC_OP, off, len, true);
	return drain_sync(region->conn) ?: rc;
}

/* write_persist_mr -- write_persist_one from a registered buffer */
static int write_persist_mr(struct pmr_region *region, const struct pmr_mr *mr,
			    size_t mr_off, uint64_t off, size_t len)
{
	struct pmr_swr w[2] = { 0 };

	w[0].op = PMR_SWR_WRITE;
	w[0].laddr = (uintptr_t)(mr->ptr + mr_off);
	w[0].lkey = mr->mr->lkey;
	w[0].raddr = region->addr + off;
	w[0].rkey = region->rkey;
	w[0].len = (uint32_t)len;
	return write_persist_one(region, w, off, len);
}

/* mr_xfer -- a sync zero-copy transfer, optionally persisted */
static int mr_xfer(struct pmr_region *region, const struct pmr_mr *mr,
		   size_t mr_off, uint64_t off, size_t len, enum pmr_swr_op op,
		   bool persist)
{
	bool write = op == PMR_SWR_WRITE;
	struct pmr_conn *conn;
	int rc = pmr_mr_check(region, mr, mr_off, len,
			      write ? PMR_MR_WRITE_SRC : PMR_MR_READ_DST);

	if (rc)
		return rc;
	rc = pmr_io_check(region, off, len, write);
	if (rc)
		return rc;
	if (persist && !region->method)
		return PMR_E_NO_METHOD;
	if (len == 0)
		return 0;
	if (persist) {
		rc = write_persist_mr(region, mr, mr_off, off, len);
		if (rc != -EAGAIN)
			return rc;
	}
	conn = region->conn;
	pmr_op_start(&conn->ops[PMR_SYNC_OP]);
	rc = pmr_xfer_post(conn, PMR_SYNC_OP, op, (uintptr_t)(mr->ptr + mr_off),
			   mr->mr->lkey, region->addr + off, region->rkey, len,
			   true);
	if (!rc && persist)
		rc = pmr_persist_post(region, PMR_SYNC_OP, off, len, true);
	return drain_sync(conn) ?: rc;
}

/* pmr_region_read_mr -- see libpmr.h */
int pmr_region_read_mr(struct pmr_region *region, struct pmr_mr *dst,
		       size_t dst_off, uint64_t off, size_t len)
{
	return mr_xfer(region, dst, dst_off, off, len, PMR_SWR_READ, false);
}

/* pmr_region_write_mr -- see libpmr.h */
int pmr_region_write_mr(struct pmr_region *region, const struct pmr_mr *src,
			size_t src_off, uint64_t off, size_t len)
{
	return mr_xfer(region, src, src_off, off, len, PMR_SWR_WRITE, false);
}

/* pmr_region_write_persist_mr -- see libpmr.h */
int pmr_region_write_persist_mr(struct pmr_region *region,
				const struct pmr_mr *src, size_t src_off,
				uint64_t off, size_t len)
{
	return mr_xfer(region, src, src_off, off, len, PMR_SWR_WRITE, true);
}
