/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keys.h -- which remote key a client gets when it opens a region, and how
 * that key is taken away again (issue 8: least authority on the wire).
 *
 * The control session (session.c) stays verbs-free: it asks a key source
 * (struct pmrd_key_ops) for a key per OPEN, gives it back on CLOSE and
 * drops every key at the end of the session.  keys.c implements the ops
 * with verbs for one client's QP; unit tests implement them with a fake.
 */
#ifndef PMRD_KEYS_H
#define PMRD_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "pmrd_conf.h"

struct pmrd_export;
struct pmrd_device;
struct ibv_qp;
struct ibv_pd;
struct ibv_context;

/* How an export hands out remote keys (the region's, decided at start). */
enum pmrd_keys_strategy {
	/* every client gets the region MR's rkey (no way to take it back) */
	PMRD_KEYS_SHARED_MR = 0,
	/* a type 2 memory window per open, bound on the client's own QP,
	 * invalidated on CLOSE, deallocated on disconnect */
	PMRD_KEYS_MW2 = 1,
	/* a registration per open with exactly the access asked for, in
	 * the client's own protection domain, deregistered on CLOSE and on
	 * disconnect (devices without type 2 windows; forced with
	 * "keys = mr-per-client") */
	PMRD_KEYS_MR_PER_CLIENT = 2,
};

/* pmrd_keys_strategy_name -- "shared-mr", "mw2", "mr-per-client" */
const char *pmrd_keys_strategy_name(enum pmrd_keys_strategy k);

/*
 * pmrd_keys_resolve -- the strategy for pmrd.conf's "keys" WANT on a device
 * that has type 2 windows or not (MW2): auto is mw2 where there are
 * windows, else mr-per-client.  -EOPNOTSUPP for mw2 without windows;
 * *ret untouched then.
 */
int pmrd_keys_resolve(enum pmrd_conf_keys want, bool mw2,
		      enum pmrd_keys_strategy *ret);

/*
 * pmrd_keys_own_pd -- whether clients get a protection domain of their
 * own under strategy K: a registration's rkey is valid on every QP of its
 * PD, so mr-per-client keys are kept to their client's QP this way (a
 * window is tied to its QP already; shared-mr needs the region MR's PD)
 */
static inline bool pmrd_keys_own_pd(enum pmrd_keys_strategy k)
{
	return k == PMRD_KEYS_MR_PER_CLIENT;
}

/*
 * A key source for one session.  ACCESS is enum pmr_wire_access.  Every
 * function gets the CTX the session was given.
 */
struct pmrd_key_ops {
	/*
	 * grant -- a remote key for EX valid for ACCESS only, into *RKEY,
	 * and an opaque *COOKIE for revoke.  It must be usable by the
	 * client once the response that carries it arrives (keys.c: ordered
	 * before the response on the QP).  Negative errno; outputs untouched
	 * on failure.
	 */
	int (*grant)(void *ctx, struct pmrd_export *ex, uint8_t access,
		     uint32_t *rkey, void **cookie);
	/* revoke -- COOKIE's key stops working before the response to the
	 * request that revoked it (CLOSE) reaches the client */
	void (*revoke)(void *ctx, void *cookie);
	/* revoke_all -- the session ends: every key it still holds dies */
	void (*revoke_all)(void *ctx);
};

/* The verbs implementation, per client (keys.c). */
struct pmrd_keys;

/* The ops of keys.c; their CTX is a struct pmrd_keys. */
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
 * (bind or invalidate) posted by keys.c on the client's QP
 */
bool pmrd_keys_wr_id_is_ours(uint64_t wr_id);

/*
 * pmrd_keys_device_mw2 -- whether the device reports type 2 memory windows
 * (IBV_DEVICE_MEM_WINDOW_TYPE_2A or _2B).  A failed query is an error, not
 * a "no": negative errno, *ret untouched.
 */
int pmrd_keys_device_mw2(struct ibv_context *verbs, bool *ret);

/* The bit keys.c sets in the wr_id of its binds and invalidations. */
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
