/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rkeys.c -- per-open remote keys for one client, with verbs (rkeys.h).
 *
 * MW2: a type 2 memory window per open, bound by an IBV_WR_BIND_MW posted
 * on the client's own QP, so the device accepts its rkey only on that QP
 * (rxe_lookup_mw: mw->qp == qp) and only with the bound access.  CLOSE
 * posts IBV_WR_LOCAL_INV on the same QP; the window goes back to this
 * client's free slots and a later bind gives it a new key byte
 * (ibv_inc_rkey), so the old rkey stays dead.  At the end of the session
 * the windows are deallocated, before the QP is destroyed (a bound window
 * holds its QP).
 *
 * Ordering: the bind (or invalidation) is posted before the response that
 * carries (or confirms the end of) the key, on the same send queue, and
 * endpoint.c posts every response with IBV_SEND_FENCE.  RC executes a send
 * queue in order; binds and invalidations are local operations, and a
 * fenced WR starts only after the WRs before it have completed (rxe:
 * req_next_wqe waits for the completer; mlx5 fences the WR after a bind on
 * its own).  So the client cannot see the OPEN response before the window
 * is valid, nor the CLOSE response before it is dead, and nothing here has
 * to wait for the bind's completion.  A bind that fails completes in error
 * and moves the QP to the error state: the response is flushed, never
 * sent, and the client is disconnected (endpoint.c).
 *
 * MR_PER_CLIENT: a registration of the whole region per open with exactly
 * the access asked for, deregistered on CLOSE and at the end of the
 * session.  Such an rkey is not tied to one QP but to a PD (any QP of the
 * PD may use it while it lives, and rxe's keys are an index plus 8 random
 * bits, found by trial), so each client of this strategy has a PD of its
 * own (endpoint.c): another client's QP is in another PD and its guess
 * fails with a remote access error.  Registering pins the region again:
 * the cost is logged per open (measured: SECURITY.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "device.h"
#include "log.h"
#include "pmr_proto.h"
#include "region_mr.h"
#include "rkeys.h"
#include "util.h"

/* One key a client holds (or a window kept for reuse). */
struct pmrd_key {
	struct pmrd_keys *owner;
	struct pmrd_export *ex;
	struct ibv_mw *mw; /* MW2: kept after CLOSE for the next bind */
	struct ibv_mr *mr; /* MR_PER_CLIENT: this open's registration */
	bool used;
};

struct pmrd_keys {
	struct pmrd_device *dev;
	struct ibv_pd *pd; /* the QP's: the device's, or the client's own */
	struct ibv_qp *qp;
	unsigned max;
	struct pmrd_key *slots;
};

/* pmrd_keys_device_mw2 -- see rkeys.h */
int pmrd_keys_device_mw2(struct ibv_context *verbs, bool *ret)
{
	struct ibv_device_attr a;
	int err = ibv_query_device(verbs, &a);

	if (err)
		return err > 0 ? -err : -EIO;
	*ret = a.device_cap_flags &
	       (IBV_DEVICE_MEM_WINDOW_TYPE_2A | IBV_DEVICE_MEM_WINDOW_TYPE_2B);
	return 0;
}

/* pmrd_keys_choose -- see rkeys.h */
int pmrd_keys_choose(struct pmrd_device *dev, enum pmrd_conf_keys want,
		     enum pmrd_keys_strategy *ret)
{
	enum pmrd_keys_strategy k;
	bool mw2;
	int err = pmrd_keys_device_mw2(dev->verbs, &mw2);

	if (err) {
		/* guessing "no windows" would pick another key strategy */
		log_err("cannot query the device for memory windows: %s",
			strerror(-err));
		return err;
	}
	if (pmrd_keys_resolve(want, mw2, &k)) {
		log_err("keys = mw2: the device has no type 2 memory windows");
		return -EOPNOTSUPP;
	}
	if (want == PMRD_CONF_KEYS_AUTO && !mw2)
		log_notice(
			"the device has no type 2 memory windows: one registration per open instead (keys mr-per-client)");
	*ret = k;
	return 0;
}

/* pmrd_keys_new -- see rkeys.h */
int pmrd_keys_new(struct pmrd_device *dev, struct ibv_pd *pd, struct ibv_qp *qp,
		  unsigned max, struct pmrd_keys **ret)
{
	struct pmrd_keys *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	if (max) {
		k->slots = calloc(max, sizeof(*k->slots));
		if (!k->slots) {
			free(k);
			return -ENOMEM;
		}
	}
	for (unsigned i = 0; i < max; i++)
		k->slots[i].owner = k;
	k->dev = dev;
	k->pd = pd;
	k->qp = qp;
	k->max = max;
	*ret = k;
	return 0;
}

/* drop -- free what slot K holds: its registration, or its window */
static void drop(struct pmrd_key *key)
{
	int err;

	if (key->mr) {
		err = ibv_dereg_mr(key->mr);
		if (err)
			log_warn("region %s: deregistering a client's MR: %s",
				 key->ex->region->name, strerror(err));
		key->mr = NULL;
	}
	if (key->mw) {
		err = ibv_dealloc_mw(key->mw);
		if (err)
			log_warn("deallocating a memory window: %s",
				 strerror(err));
		key->mw = NULL;
	}
	key->used = false;
	key->ex = NULL;
}

/* pmrd_keys_delete -- see rkeys.h */
void pmrd_keys_delete(struct pmrd_keys **kp)
{
	struct pmrd_keys *k = kp ? *kp : NULL;

	if (!k)
		return;
	for (unsigned i = 0; i < k->max; i++)
		drop(&k->slots[i]);
	free(k->slots);
	free(k);
	*kp = NULL;
}

/* pmrd_keys_wr_id_is_ours -- see rkeys.h */
bool pmrd_keys_wr_id_is_ours(uint64_t wr_id)
{
	return (wr_id & PMRD_KEYS_WR_BIT) && !(wr_id & (1ull << 63));
}

/* bind_window -- post the bind of KEY's window over EX with ACCESS */
static int bind_window(struct pmrd_keys *k, struct pmrd_key *key,
		       struct pmrd_export *ex, int access, uint32_t *rkey)
{
	struct ibv_send_wr wr, *bad;
	uint32_t next;
	int err;

	if (!key->mw) {
		key->mw = ibv_alloc_mw(k->pd, IBV_MW_TYPE_2);
		if (!key->mw)
			return errno ? -errno : -ENOMEM;
	}
	next = ibv_inc_rkey(key->mw->rkey);
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = PMRD_KEYS_WR_BIT | (uint64_t)(key - k->slots);
	wr.opcode = IBV_WR_BIND_MW;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.bind_mw.mw = key->mw;
	wr.bind_mw.rkey = next;
	wr.bind_mw.bind_info.mr = ex->mr;
	wr.bind_mw.bind_info.addr = ex->addr;
	wr.bind_mw.bind_info.length = ex->region->size;
	wr.bind_mw.bind_info.mw_access_flags = (unsigned)access;
	err = ibv_post_send(k->qp, &wr, &bad);
	if (err)
		return -err;
	/* the provider sends the window's current rkey with the next WR */
	key->mw->rkey = next;
	*rkey = next;
	return 0;
}

/* register_client_mr -- KEY's own registration of EX with ACCESS */
static int register_client_mr(struct pmrd_key *key, struct pmrd_export *ex,
			      int access, uint32_t *rkey)
{
	struct pmrd_region *r = ex->region;
	double t0 = pmrd_now_ms();

	key->mr = ibv_reg_mr(key->owner->pd, r->addr, r->size, access);
	if (!key->mr)
		return errno ? -errno : -ENOMEM;
	log_debug(
		"region %s: client MR (%s) of %zu bytes registered in %.1f ms",
		r->name,
		(access & IBV_ACCESS_REMOTE_WRITE) ? "read-write" : "read-only",
		r->size, pmrd_now_ms() - t0);
	*rkey = key->mr->rkey;
	return 0;
}

/* keys_grant -- pmrd_key_ops.grant */
static int keys_grant(void *ctx, struct pmrd_export *ex, uint8_t access,
		      uint32_t *rkey, void **cookie)
{
	struct pmrd_keys *k = ctx;
	struct pmrd_key *key = NULL;
	bool rw = access == PMR_WIRE_ACCESS_RW;
	int flags = pmrd_mr_grant_access(&ex->plan, rw);
	uint32_t got;
	int err;

	for (unsigned i = 0; i < k->max; i++) {
		if (!k->slots[i].used) {
			key = &k->slots[i];
			break;
		}
	}
	if (!key)
		return -ENOMEM;

	switch (ex->plan.keys) {
	case PMRD_KEYS_MW2:
		err = bind_window(k, key, ex, flags, &got);
		break;
	case PMRD_KEYS_MR_PER_CLIENT:
		err = register_client_mr(key, ex, flags, &got);
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (err)
		return err;
	key->used = true;
	key->ex = ex;
	*rkey = got;
	*cookie = key;
	return 0;
}

/* keys_revoke -- pmrd_key_ops.revoke (CLOSE) */
static void keys_revoke(void *ctx, void *cookie)
{
	struct pmrd_keys *k = ctx;
	struct pmrd_key *key = cookie;
	struct ibv_send_wr wr, *bad;
	int err;

	/*
	 * A registration dies at once; so does a window over a region a
	 * reload removed, whose MR is deregistered when its last handle
	 * closes (rxe refuses to deregister an MR with windows bound).
	 */
	if (key->mr || key->ex->removed) {
		drop(key);
		return;
	}
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = PMRD_KEYS_WR_BIT | (uint64_t)(key - k->slots);
	wr.opcode = IBV_WR_LOCAL_INV;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.invalidate_rkey = key->mw->rkey;
	err = ibv_post_send(k->qp, &wr, &bad);
	if (err) {
		/* cannot queue it: kill the window outright instead */
		log_notice("invalidating a memory window: %s; deallocating it",
			   strerror(err));
		drop(key);
		return;
	}
	/* a later bind of this window is ordered after the invalidation */
	key->used = false;
	key->ex = NULL;
}

/*
 * keys_fence -- pmrd_key_ops.fence (takeover): the window is deallocated
 * or the registration dropped now, by the kernel, instead of a LOCAL_INV
 * that would run only when this client's send queue gets to it.  Either
 * way the device no longer finds the rkey: the client's WRITEs with it
 * complete with a remote access error and its QP goes to the error state.
 */
static void keys_fence(void *ctx, void *cookie)
{
	(void)ctx;
	drop(cookie);
}

/* keys_revoke_all -- pmrd_key_ops.revoke_all (end of the session) */
static void keys_revoke_all(void *ctx)
{
	struct pmrd_keys *k = ctx;

	for (unsigned i = 0; i < k->max; i++)
		drop(&k->slots[i]);
}

const struct pmrd_key_ops pmrd_keys_verbs_ops = {
	.grant = keys_grant,
	.revoke = keys_revoke,
	.fence = keys_fence,
	.revoke_all = keys_revoke_all,
};
