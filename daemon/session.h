/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.h -- one client's control-plane state and request handling
 * (LIST_REGIONS, OPEN, CLOSE, PERSIST, PING), independent of verbs so it
 * can be driven by unit tests with any byte string.
 */
#ifndef PMRD_SESSION_H
#define PMRD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "auth.h"
#include "mr.h"

/* Handles carry a per-slot generation so a stale handle is NOENT. */
#define PMRD_HANDLE_SLOTS_MAX 0xffffu

struct pmrd_handle {
	struct pmrd_export *ex; /* NULL: slot free */
	uint16_t gen;
	uint8_t access; /* enum pmr_wire_access */
	uint32_t rkey;	/* what OPEN handed out */
	void *key;	/* the key source's cookie, NULL: shared MR rkey */
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
	/* PMR_PERSIST_* bits this peer's QP cannot carry (its access flags
	 * were set at accept, before a reload added a region needing them):
	 * LIST and OPEN never advertise them */
	unsigned no_persist;
	uint64_t n_requests;
	uint64_t n_bad;
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
 * pmrd_session_set_keys -- where OPEN gets keys for exports whose
 * strategy is not the shared MR (keys.h); without it such an OPEN is
 * INTERNAL.  CTX is passed to every op.
 */
void pmrd_session_set_keys(struct pmrd_session *s,
			   const struct pmrd_key_ops *ops, void *ctx);

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
 * length, 0 when no response can be sent (header unreadable), or -EPROTO
 * when the client must be disconnected (too much garbage in a row, or too
 * many failed PSK proofs); the reason is logged here.
 */
int pmrd_session_handle(struct pmrd_session *s, const void *req, size_t len,
			void *resp, size_t cap);

#endif
