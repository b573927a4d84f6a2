/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exclusive.h -- exclusive writers and fencing: who holds a region
 * read-write, over every session, and what an exclusive open or a
 * takeover does to them (issue 17 item 3)
 *
 * Every read-write handle of every session is linked here while it is
 * open.  An exclusive open (PMR_OPEN_F_EXCL) is granted only when no
 * read-write handle of the region is open, and while it is held no other
 * read-write open is; a takeover fences every read-write handle of the
 * region first (each one's key dies through its session's key source
 * before this returns), then grants.  Each exclusive grant takes the next
 * generation, stored in the state directory (generation.h) before it is
 * answered.  Verbs-free: the sessions give each link the calls that act
 * on their own state.
 */
#ifndef PMRD_EXCLUSIVE_H
#define PMRD_EXCLUSIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"

struct pmrd_export;

/* One open read-write handle, as the registry sees it. */
struct pmrd_excl_link {
	struct hlist_node node; /* in pmrd_excl.rw while open and unfenced */
	struct pmrd_export *ex;
	const char *peer; /* its client, for the BUSY text */
	bool excl;	  /* the region's exclusive holder */
	uint64_t gen;	  /* generation granted to it (excl) */
	/* fence -- kill the handle's key now (not just queued on its QP),
	 * mark it fenced and tell its client GEN, the new generation */
	void (*fence)(struct pmrd_excl_link *l, uint64_t gen);
	/* busy -- its session is granting a key off the loop right now, so
	 * its key source must not be touched (a takeover answers BUSY) */
	bool (*busy)(const struct pmrd_excl_link *l);
};

/* The registry of one server (every session of it). */
struct pmrd_excl {
	const char *state_dir; /* generation files (pmrd.conf state_dir) */
	struct hlist_head rw;
};

/* pmrd_excl_init -- an empty registry storing generations in STATE_DIR */
void pmrd_excl_init(struct pmrd_excl *x, const char *state_dir);

/* The outcome of pmrd_excl_admit. */
struct pmrd_excl_verdict {
	uint16_t status; /* PMR_ST_OK, or the error to answer */
	uint64_t gen;	 /* OK and exclusive: the generation granted */
	char text[160];	 /* the error's text */
};

/*
 * pmrd_excl_admit -- may a read-write open of EX with FLAGS (PMR_OPEN_F_*)
 * and, with PMR_OPEN_F_RESUME, EXPECT proceed?  For an exclusive one the
 * generation is taken (and stored) and, with PMR_OPEN_F_TAKEOVER, every
 * read-write handle of EX is fenced before this returns OK.  A region
 * whose keys are one shared MR (KEYS_SHARED) cannot be fenced:
 * UNSUPPORTED for any exclusive flag.
 */
void pmrd_excl_admit(struct pmrd_excl *x, struct pmrd_export *ex,
		     bool keys_shared, uint8_t flags, uint64_t expect,
		     struct pmrd_excl_verdict *ret);

/* pmrd_excl_add -- L (ex, peer, excl, gen, fence, busy set) is open */
void pmrd_excl_add(struct pmrd_excl *x, struct pmrd_excl_link *l);

/* pmrd_excl_del -- L is closed (or was never added, or was fenced) */
void pmrd_excl_del(struct pmrd_excl_link *l);

/*
 * pmrd_excl_holder -- EX's exclusive holder (its peer and generation into
 * *PEER and *GEN), or false when it has none; for the admin socket
 */
bool pmrd_excl_holder(const struct pmrd_excl *x, const struct pmrd_export *ex,
		      const char **peer, uint64_t *gen);

/*
 * pmrd_excl_generation -- EX's stored generation (0: never granted), or a
 * negative errno (corrupt file: -EBADMSG); for the admin socket
 */
int pmrd_excl_generation(const struct pmrd_excl *x,
			 const struct pmrd_export *ex, uint64_t *ret);

#endif
