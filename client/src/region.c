/* SPDX-License-Identifier: BSD-3-Clause */
/* region.c -- listing, opening and closing regions; persist method choice */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "completion.h"
#include "ctl.h"
#include "log_cb.h"
#include "op.h"
#include "region.h"

/* ctl_call -- send REQ from the sync slot and wait for its response (into
 * RESP) */
static int ctl_call(struct pmr_conn *conn, struct pmr_msg *req,
		    struct pmr_msg *resp)
{
	struct pmr_opctx *op = &conn->ops[PMR_SYNC_OP];
	int rc;

	rc = pmr_wait_credit(conn);
	if (rc)
		return rc;
	conn->errtext[0] = '\0';
	pmr_op_start(op);
	op->resp = resp;
	rc = pmr_ctl_post(conn, PMR_SYNC_OP, req, NULL);
	if (rc) {
		op->busy = 0;
		return rc;
	}
	return pmr_wait_op(conn, op);
}

/* list_page -- one LIST_REGIONS round trip starting at START */
static int list_page(struct pmr_conn *conn, uint32_t start,
		     struct pmr_msg *resp)
{
	struct pmr_msg req;

	pmr_msg_init(&req, PMR_MSG_LIST_REGIONS, 0);
	req.u.list_req.start = start;
	return ctl_call(conn, &req, resp);
}

/* desc_from_info -- wire entry -> public description (on CONN) */
static void desc_from_info(const struct pmr_conn *conn,
			   struct pmr_region_desc *d,
			   const struct pmr_region_info *e)
{
	int m;

	memset(d, 0, sizeof(*d));
	memcpy(d->name, e->name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	d->size = e->size;
	d->read_only = e->access == PMR_WIRE_ACCESS_RO;
	d->kind = e->kind;
	d->granularity = e->gran;
	d->persist_methods = e->persist & PMR_PERSIST_ALL;
	/* what an rw open would take, with the method AUTO would pick */
	m = pmr_method_pick(d->persist_methods, conn->local_methods,
			    PMR_METHOD_AUTO);
	d->atomic_write_path = pmr_atomic_write_path_pick(
		e->atomics, d->read_only, conn->local_atomic_write,
		conn->version, m > 0 ? (unsigned int)m : 0);
	d->rdma_atomics = !d->read_only && conn->local_atomics &&
			  (e->atomics & PMR_ATOMICS_RDMA);
}

/*
 * pmr_conn_list_regions -- see libpmr.h.  The pages are gathered in a copy
 * and OUT is written only once all arrived (out-parameters are untouched on
 * failure); entries beyond the first page's total are not kept, so the
 * copy is bounded by what the caller's array holds.
 */
int pmr_conn_list_regions(struct pmr_conn *conn, struct pmr_region_desc *out,
			  size_t cap, size_t *total)
{
	struct pmr_region_desc *got = NULL;
	struct pmr_msg *resp;
	uint32_t start = 0, i, all = 0;
	size_t n = 0, lim = 0;
	int rc;

	if (!conn || (!out && cap))
		return -EINVAL;
	/* 4 KiB: keep it off the caller's stack */
	resp = malloc(sizeof(*resp));
	if (!resp)
		return -ENOMEM;
	do {
		rc = list_page(conn, start, resp);
		if (rc)
			goto out_free;
		if (!start) {
			all = resp->u.list_resp.total;
			lim = cap < all ? cap : all;
			got = lim ? calloc(lim, sizeof(*got)) : NULL;
			if (lim && !got) {
				rc = -ENOMEM;
				goto out_free;
			}
		}
		for (i = 0; i < resp->u.list_resp.count && n < lim; i++)
			desc_from_info(conn, &got[n++],
				       &resp->u.list_resp.entries[i]);
		if (resp->u.list_resp.count == 0 && start < all) {
			/* a server that promises more but sends none */
			rc = PMR_E_PROTOCOL;
			goto out_free;
		}
		start += resp->u.list_resp.count;
	} while (n < lim && start < all);
	if (n)
		memcpy(out, got, n * sizeof(*got));
	if (total)
		*total = all;
	rc = n > (size_t)INT32_MAX ? INT32_MAX : (int)n;
out_free:
	free(got);
	free(resp);
	return rc;
}

/* close_handle -- give HANDLE back to the server (errors ignored: the
 * caller already fails, and a lost connection closed it anyway) */
static void close_handle(struct pmr_conn *conn, uint32_t handle,
			 struct pmr_msg *resp)
{
	struct pmr_msg req;

	pmr_msg_init(&req, PMR_MSG_CLOSE, 0);
	req.u.close_req.handle = handle;
	ctl_call(conn, &req, resp);
}

/*
 * open_call -- one OPEN of NAME (LEN bytes) with wire ACCESS and OFLAGS
 * (PMR_OPEN_F_*; EXPECT with RESUME), the server's PSK proof checked and
 * what was granted matching what was asked; the answer in RESP.  A
 * handle the client will not use is closed again.
 */
static int open_call(struct pmr_conn *conn, const char *name, size_t len,
		     uint8_t access, uint8_t oflags, uint64_t expect,
		     struct pmr_msg *resp)
{
	struct pmr_msg req;
	int rc;

	pmr_msg_init(&req, PMR_MSG_OPEN, 0);
	req.u.open_req.access = access;
	req.u.open_req.flags = oflags;
	req.u.open_req.expect_gen = expect;
	memcpy(req.u.open_req.name, name, len + 1);
	rc = pmr_auth_prove_open(conn, &req.u.open_req);
	if (rc)
		return rc;
	rc = ctl_call(conn, &req, resp);
	if (rc)
		return rc;
	/* an unproven key is never used; the handle goes back */
	rc = pmr_auth_check_open(conn, &req.u.open_req, &resp->u.open_resp);
	if (!rc && oflags && !resp->u.open_resp.excl)
		rc = PMR_E_PROTOCOL; /* granted something we did not ask */
	if (!rc && (oflags & PMR_OPEN_F_RESUME) &&
	    resp->u.open_resp.generation != expect)
		rc = PMR_E_PROTOCOL; /* a resume keeps its generation */
	if (rc)
		close_handle(conn, resp->u.open_resp.handle, resp);
	return rc;
}

/* take_grant -- R's keys and rights from the OPEN answer A */
static void take_grant(struct pmr_region *r, const struct pmr_open_resp *a)
{
	r->handle = a->handle;
	r->rkey = a->rkey;
	r->addr = a->addr;
	r->methods = a->persist & PMR_PERSIST_ALL;
	r->ro = r->ro || a->access == PMR_WIRE_ACCESS_RO;
	r->atomics = r->ro ? 0 : a->atomics;
	r->excl = a->excl;
	r->generation = a->generation;
}

/* pick_method -- R's persist method from its wish on its connection (the
 * wish may name one a new server no longer offers: then AUTO's) */
static void pick_method(struct pmr_region *r)
{
	int rc;

	rc = pmr_method_pick(r->methods, r->conn->local_methods, r->want);
	if (rc <= 0)
		rc = pmr_method_pick(r->methods, r->conn->local_methods,
				     PMR_METHOD_AUTO);
	r->method = rc > 0 ? (unsigned int)rc : 0;
}

/* pmr_region_open -- see libpmr.h */
int pmr_region_open(struct pmr_conn *conn, const char *name, unsigned int flags,
		    struct pmr_region **ret)
{
	struct pmr_msg *resp;
	struct pmr_region *r;
	uint8_t oflags = 0;
	size_t len;
	int rc;

	if (!conn || !name || !ret || pmr_check_open_flags(flags))
		return -EINVAL;
	len = strlen(name);
	if (len == 0)
		return -EINVAL;
	if (len > PMR_NAME_MAX)
		return -ENAMETOOLONG;
	/* a lost connection answers nothing, whatever the flags ask */
	if (conn->lost)
		return conn->lost;
	if (flags & (PMR_OPEN_EXCL | PMR_OPEN_TAKEOVER)) {
		if (conn->version < PMR_PROTO_VERSION_FENCE)
			return PMR_E_UNSUPPORTED; /* the server has no such
						   * thing */
		oflags = PMR_OPEN_F_EXCL;
		if (flags & PMR_OPEN_TAKEOVER)
			oflags |= PMR_OPEN_F_TAKEOVER;
	}
	r = calloc(1, sizeof(*r));
	resp = malloc(sizeof(*resp));
	if (!r || !resp) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = open_call(conn, name, len,
		       (flags & PMR_OPEN_RO) ? PMR_WIRE_ACCESS_RO :
					       PMR_WIRE_ACCESS_RW,
		       oflags, 0, resp);
	if (rc)
		goto out_free;
	r->conn = conn;
	memcpy(r->name, name, len + 1);
	r->ro = flags & PMR_OPEN_RO;
	r->size = resp->u.open_resp.length;
	take_grant(r, &resp->u.open_resp);
	r->want = PMR_METHOD_AUTO;
	pick_method(r);
	pmr_info("opened %s: %llu bytes, %s, methods 0x%x (using 0x%x)", name,
		 (unsigned long long)r->size, r->ro ? "ro" : "rw", r->methods,
		 r->method);
	conn->nregions++;
	r->next = conn->regions;
	conn->regions = r;
	free(resp);
	*ret = r;
	return 0;

out_free:
	free(resp);
	free(r);
	return rc;
}

/*
 * pmr_region_reopen -- see region.h.  An exclusive handle asks to RESUME
 * at its generation: granted only if nobody took the region over since.
 */
int pmr_region_reopen(struct pmr_conn *fresh, const struct pmr_region *r,
		      struct pmr_region *out)
{
	struct pmr_msg *resp;
	int rc;

	/* a server that went back to a version without exclusive opens */
	if (r->excl && fresh->version < PMR_PROTO_VERSION_FENCE)
		return PMR_E_UNSUPPORTED;
	resp = malloc(sizeof(*resp));
	if (!resp)
		return -ENOMEM;
	rc = open_call(fresh, r->name, strlen(r->name),
		       r->ro ? PMR_WIRE_ACCESS_RO : PMR_WIRE_ACCESS_RW,
		       r->excl ? PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME : 0,
		       r->generation, resp);
	if (!rc && resp->u.open_resp.length != r->size) {
		/* offsets the caller computed may not hold any more */
		snprintf(fresh->errtext, sizeof(fresh->errtext),
			 "region '%s' is now %llu bytes, was %llu", r->name,
			 (unsigned long long)resp->u.open_resp.length,
			 (unsigned long long)r->size);
		close_handle(fresh, resp->u.open_resp.handle, resp);
		rc = PMR_E_RANGE;
	}
	if (!rc) {
		*out = *r;
		take_grant(out, &resp->u.open_resp);
	}
	free(resp);
	return rc;
}

/* pmr_region_rebind -- see region.h */
void pmr_region_rebind(struct pmr_region *r, const struct pmr_region *got)
{
	r->handle = got->handle;
	r->rkey = got->rkey;
	r->addr = got->addr;
	r->methods = got->methods;
	r->ro = got->ro;
	r->atomics = got->atomics;
	r->excl = got->excl;
	r->generation = got->generation;
	pick_method(r);
}

/* unlink_region -- R leaves its connection's list of open regions */
static void unlink_region(struct pmr_region *r)
{
	struct pmr_region **p;

	for (p = &r->conn->regions; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	if (r->conn->sync_region == r)
		r->conn->sync_region = NULL;
}

/* pmr_region_close -- see libpmr.h */
int pmr_region_close(struct pmr_region **regionp)
{
	struct pmr_region *r;
	struct pmr_msg req;
	int rc = 0;

	if (!regionp || !*regionp)
		return 0;
	r = *regionp;
	/* after a loss the handle died with the connection */
	if (!r->conn->lost && !r->orphan) {
		rc = pmr_wait_idle(r->conn);
		if (!rc) {
			pmr_msg_init(&req, PMR_MSG_CLOSE, 0);
			req.u.close_req.handle = r->handle;
			rc = ctl_call(r->conn, &req, NULL);
		}
		if (rc == PMR_E_CONN_LOST)
			rc = 0;
	}
	unlink_region(r);
	r->conn->nregions--;
	free(r);
	*regionp = NULL;
	return rc;
}

/* pmr_region_size -- see libpmr.h */
uint64_t pmr_region_size(const struct pmr_region *region)
{
	return region ? region->size : 0;
}

/* pmr_region_generation -- see libpmr.h */
uint64_t pmr_region_generation(const struct pmr_region *region)
{
	return region && region->excl ? region->generation : 0;
}

/* pmr_region_persist_methods -- see libpmr.h */
unsigned int pmr_region_persist_methods(const struct pmr_region *region)
{
	return region ? region->methods : 0;
}

/* pmr_region_set_persist_method -- see libpmr.h */
int pmr_region_set_persist_method(struct pmr_region *region,
				  unsigned int method)
{
	int rc;

	if (!region)
		return -EINVAL;
	rc = pmr_method_pick(region->methods, region->conn->local_methods,
			     method);
	if (rc == -EINVAL)
		return rc;
	/* a dead handle takes no settings either (libpmr.h: every call) */
	if (region->fenced)
		return PMR_E_FENCED;
	if (region->stale)
		return region->stale;
	if (region->conn->lost)
		return region->conn->lost;
	if (rc < 0)
		return rc;
	region->want = method;
	region->method = (unsigned int)rc;
	return 0;
}

/* pmr_region_get_persist_method -- see libpmr.h */
unsigned int pmr_region_get_persist_method(const struct pmr_region *region)
{
	return region ? region->method : 0;
}
