/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rkeys.h -- which remote key a client gets when it opens a region, and how
 * that key is taken away again (least authority on the wire).
 *
 * The control session (session.c) stays verbs-free: it asks a key source
 * (struct pmrd_key_ops) for a key per OPEN, gives it back on CLOSE and
 * drops every key at the end of the session.  rkeys.c implements the ops
 * with verbs for one client's QP; unit tests implement them with a fake.
 */
#ifndef PMRD_RKEYS_H
#define PMRD_RKEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "mr_plan.h"

struct pmrd_export;
struct pmrd_device;
struct ibv_qp;
struct ibv_pd;
struct ibv_context;

/*
 * A key source for one session.  ACCESS is enum pmr_wire_access.  Every
 * function gets the CTX the session was given.
 */
struct pmrd_key_ops {
	/*
	 * grant -- a remote key for EX valid for ACCESS only, into *RKEY,
	 * and an opaque *COOKIE for revoke.  It must be usable by the
	 * client once the response that carries it arrives (rkeys.c: ordered
	 * before the response on the QP).  Negative errno; outputs untouched
	 * on failure.
	 */
	int (*grant)(void *ctx, struct pmrd_export *ex, uint8_t access,
		     uint32_t *rkey, void **cookie);
	/* revoke -- COOKIE's key stops working before the response to the
	 * request that revoked it (CLOSE) reaches the client */
	void (*revoke)(void *ctx, void *cookie);
	/*
	 * fence -- COOKIE's key is dead when this returns, whatever is
	 * queued on the QP (a takeover: the new holder's answer leaves on
	 * another QP, which revoke's ordering does not cover); writes with
	 * it, also those already on the wire, fail with a remote access
	 * error.  The cookie is spent as by revoke.
	 */
	void (*fence)(void *ctx, void *cookie);
	/* revoke_all -- the session ends: every key it still holds dies */
	void (*revoke_all)(void *ctx);
};

/*
 * pmrd_keys_choose -- the daemon's key strategy for pmrd.conf's "keys"
 * WANT on DEV, chosen once at start (every export uses it: a client's PD
 * follows from it).  Logs and returns -EOPNOTSUPP when mw2 is asked for
 * and the device has no type 2 windows; *ret untouched then.
 */
int pmrd_keys_choose(struct pmrd_device *dev, enum pmrd_conf_keys want,
		     enum pmrd_keys_strategy *ret);

/* The verbs implementation, per client (rkeys.c). */
struct pmrd_keys;

/* The ops of rkeys.c; their CTX is a struct pmrd_keys. */
extern const struct pmrd_key_ops pmrd_keys_verbs_ops;

/*
 * pmrd_keys_new -- a key source for the client QP on DEV, at most MAX keys
 * held at once (max_regions_per_client); windows and registrations are
 * made in PD, the QP's.  Negative errno; *ret untouched.
 */
int pmrd_keys_new(struct pmrd_device *dev, struct ibv_pd *pd, struct ibv_qp *qp,
		  unsigned max, struct pmrd_keys **ret);

/*
 * pmrd_keys_delete -- deallocate every window and deregister every MR
 * still held (after the QP is destroyed: disconnect); NULL is fine
 */
void pmrd_keys_delete(struct pmrd_keys **k);

/*
 * pmrd_keys_wr_id_is_ours -- the completion WR_ID is a key operation
 * (bind or invalidate) posted by rkeys.c on the client's QP
 */
bool pmrd_keys_wr_id_is_ours(uint64_t wr_id);

/*
 * pmrd_keys_device_mw2 -- whether the device reports type 2 memory windows
 * (IBV_DEVICE_MEM_WINDOW_TYPE_2A or _2B).  A failed query is an error, not
 * a "no": negative errno, *ret untouched.
 */
int pmrd_keys_device_mw2(struct ibv_context *verbs, bool *ret);

/* The bit rkeys.c sets in the wr_id of its binds and invalidations. */
#define PMRD_KEYS_WR_BIT (1ull << 62)

/*
 * pmrd_keys_sq_extra -- send queue entries (and CQ entries) a client QP
 * needs beyond its responses: one bind or invalidation per request in
 * flight, as each is posted just before that request's response
 */
static inline unsigned pmrd_keys_sq_extra(unsigned credits)
{
	return credits;
}

#endif
