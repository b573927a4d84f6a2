/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.h -- one client's control-plane state and request handling
 * (LIST_REGIONS, OPEN, CLOSE, PERSIST, PING, ATOMIC_WRITE) and its FENCED
 * notices, independent of verbs so it can be driven by unit tests with any
 * byte string.
 */
#ifndef PMRD_SESSION_H
#define PMRD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exclusive.h"
#include "open_auth.h"
#include "region_mr.h"
#include "rkeys.h"

/* Handles carry a per-slot generation so a stale handle is NOENT. */
#define PMRD_HANDLE_SLOTS_MAX 0xffffu

struct pmrd_session;

struct pmrd_handle {
	struct pmrd_export *ex; /* NULL: slot free */
	uint16_t gen;
	uint8_t access; /* enum pmr_wire_access */
	uint32_t rkey;	/* what OPEN handed out */
	void *key;	/* the key source's cookie, NULL: shared MR rkey */
	struct pmrd_session *s;
	struct pmrd_excl_link link; /* rw handles: in the registry */
	bool fenced;		    /* taken over: only CLOSE works */
	bool notice_due;	    /* its FENCED notice is not sent yet */
	uint64_t fenced_gen;	    /* the generation that fenced it */
};

/* A PERSIST's checked range, left to the caller (deferred persists). */
struct pmrd_persist_range {
	const struct pmrd_region *region; /* NULL: none */
	uint64_t off, len;
};

/* An OPEN whose key is granted off the loop (pmrd_session_defer_grant). */
struct pmrd_key_wait {
	struct pmrd_handle *h; /* NULL: none; else held, keyless */
	unsigned slot;
	struct pmr_open_req open;
	uint16_t type;
	uint64_t req_id;
};

/* What the caller must call to grant that key (anywhere, any thread). */
struct pmrd_key_request {
	const struct pmrd_key_ops *ops;
	void *ctx;
	struct pmrd_export *ex;
	uint8_t access;
};

struct pmrd_session {
	struct pmrd_export *const *exports;
	size_t n_exports;
	struct pmrd_handle *handles;
	unsigned max_handles; /* max_regions_per_client */
	unsigned n_open;
	unsigned *n_global;  /* open handles of all sessions; NULL: no cap */
	unsigned max_global; /* max_handles of the config */
	size_t max_msg;	     /* largest response (the welcome's max_msg) */
	unsigned max_bad;    /* consecutive bad requests tolerated */
	unsigned bad_streak;
	const char *peer;		    /* for log messages */
	const struct pmrd_key_ops *key_ops; /* NULL: no per-open keys */
	void *key_ctx;
	unsigned n_keys;	    /* keys granted and not revoked */
	struct pmrd_auth_conn auth; /* zero: no rules (pmrd_auth_conn_start) */
	bool defer_persist;	    /* PERSIST ranges go to the caller */
	bool defer_grant;	    /* slow keys are granted by the caller */
	struct pmrd_key_wait wait;  /* the OPEN waiting for its key */
	struct pmrd_persist_range persist; /* the last one, not yet taken */
	/* PMR_PERSIST_* bits this peer's QP cannot carry (its access flags
	 * were set at accept, before a reload added a region needing them):
	 * LIST and OPEN never advertise them */
	unsigned no_persist;
	/* PMR_ATOMICS_* bits this peer's QP cannot carry (likewise) */
	unsigned no_atomics;
	/* the negotiated protocol version: which fields go on the wire */
	uint16_t version;
	uint64_t n_requests;
	uint64_t n_bad;
	struct pmrd_excl *excl;	   /* NULL: exclusive opens unsupported */
	unsigned n_notices;	   /* handles with notice_due */
	void (*notify)(void *arg); /* a notice is due (endpoint: a turn) */
	void *notify_arg;
};

/*
 * pmrd_session_init -- a session over EXPORTS (not copied, must outlive
 * it) allowing MAX_HANDLES open regions and MAX_BAD consecutive bad
 * requests.  Negative errno.
 */
int pmrd_session_init(struct pmrd_session *s,
		      struct pmrd_export *const *exports, size_t n_exports,
		      unsigned max_handles, unsigned max_bad, const char *peer);

/*
 * pmrd_session_set_limits -- the server-wide limits: responses of at most
 * MAX_MSG bytes (PMR_MSG_MAX_FLOOR..PMR_MSG_MAX; the default PMR_MSG_MAX),
 * and OPEN refused (LIMIT) while *N_GLOBAL >= MAX_GLOBAL; *N_GLOBAL counts
 * every session's open handles (NULL: no global cap, the default).
 */
void pmrd_session_set_limits(struct pmrd_session *s, size_t max_msg,
			     unsigned *n_global, unsigned max_global);

/*
 * pmrd_session_set_version -- the protocol version negotiated with the
 * peer (default PMR_PROTO_VERSION_AUTH): from version 3 on, LIST and OPEN
 * carry the atomics byte, ATOMIC_WRITE is served, OPEN may carry the
 * exclusive flags and FENCED notices are sent (with
 * pmrd_session_set_exclusive); below it the messages are those of
 * versions 1 and 2, byte for byte.
 */
void pmrd_session_set_version(struct pmrd_session *s, uint16_t version);

/*
 * pmrd_session_set_keys -- where OPEN gets keys for exports whose
 * strategy is not the shared MR (rkeys.h); without it such an OPEN is
 * INTERNAL.  CTX is passed to every op.
 */
void pmrd_session_set_keys(struct pmrd_session *s,
			   const struct pmrd_key_ops *ops, void *ctx);

/*
 * pmrd_session_set_exclusive -- the server's registry of read-write
 * holders (exclusive.h) and NOTIFY, called with ARG whenever a takeover by
 * another session leaves a FENCED notice for this one
 * (pmrd_session_take_notice).  Exclusive flags and FENCED notices need the
 * version set by pmrd_session_set_version to be PMR_PROTO_VERSION_FENCE
 * or later.  Without it exclusive opens are UNSUPPORTED and read-write
 * opens are not tracked.
 */
void pmrd_session_set_exclusive(struct pmrd_session *s, struct pmrd_excl *x,
				void (*notify)(void *arg), void *arg);

/*
 * pmrd_session_take_notice -- the next FENCED notice due (req_id 0),
 * encoded into BUF (CAP >= PMR_MSG_MAX); its length, 0 when none is due
 */
int pmrd_session_take_notice(struct pmrd_session *s, void *buf, size_t cap);

/*
 * pmrd_session_defer_persist -- with ON, a PERSIST that passes its checks
 * is not persisted by pmrd_session_handle: its range is left for
 * pmrd_session_take_persist, and the caller must persist it before it
 * sends the (success) response.  Off (the default): persisted inline.
 */
void pmrd_session_defer_persist(struct pmrd_session *s, bool on);

/*
 * pmrd_session_take_persist -- after pmrd_session_handle: true and the
 * range into *RET when that request was a deferred PERSIST (then empty)
 */
bool pmrd_session_take_persist(struct pmrd_session *s,
			       struct pmrd_persist_range *ret);

/*
 * pmrd_session_defer_grant -- with ON, an OPEN whose key is a registration
 * of its own (mr-per-client: hundreds of ms for a large region) holds its
 * handle without a key and pmrd_session_handle returns 0 for it; the
 * caller gets the grant to run from pmrd_session_key_wanted (it may run
 * on another thread: the session must not be used meanwhile) and the
 * response from pmrd_session_key_done.  Off (the default): granted inline.
 */
void pmrd_session_defer_grant(struct pmrd_session *s, bool on);

/*
 * pmrd_session_key_wanted -- after pmrd_session_handle returned 0: true
 * and what to call (RET->ops->grant(RET->ctx, RET->ex, RET->access, ...))
 * when that request was an OPEN waiting for its key
 */
bool pmrd_session_key_wanted(const struct pmrd_session *s,
			     struct pmrd_key_request *ret);

/*
 * pmrd_session_key_done -- the grant of the waiting OPEN returned ERR
 * (negative errno) or RKEY and COOKIE: the open completes (or is undone)
 * and its response is written into RESP (CAP >= PMR_MSG_MAX); returns
 * its length (0 when no OPEN was waiting)
 */
int pmrd_session_key_done(struct pmrd_session *s, int err, uint32_t rkey,
			  void *cookie, void *resp, size_t cap);

/*
 * pmrd_session_fini -- revoke every key the session still holds (the
 * key source's revoke_all) and free the handle table
 */
void pmrd_session_fini(struct pmrd_session *s);

/*
 * pmrd_session_open_regions -- the names of the regions open in S (one per
 * handle, so a region opened twice is named twice), at most CAP of them
 * into NAMES; returns how many.  For the admin socket.
 */
size_t pmrd_session_open_regions(const struct pmrd_session *s,
				 const char **names, size_t cap);

/*
 * pmrd_session_handle -- process one received message REQ of LEN bytes and
 * write the response into RESP (CAP >= PMR_MSG_MAX).  Returns the response
 * length, 0 when no response can be sent (header unreadable) or it waits
 * for a key (pmrd_session_defer_grant), or -EPROTO
 * when the client must be disconnected (too much garbage in a row, or too
 * many failed PSK proofs); the reason is logged here.
 */
int pmrd_session_handle(struct pmrd_session *s, const void *req, size_t len,
			void *resp, size_t cap);

#endif
