/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exclusive.c -- exclusive read-write holders of regions and takeovers
 * (exclusive.h)
 *
 * The order of a takeover is the point of it: the new generation is on
 * disk first (a crash after it only wastes a number), then every old
 * read-write handle's key is killed, synchronously (the key source's
 * fence: a deallocated window or deregistered MR refuses the old
 * holder's writes, also those already on the wire, with a remote access
 * error), and only then is the new holder's key granted and its answer
 * sent.  Nothing the old holder wrote can land after the new one was
 * told it holds the region.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exclusive.h"
#include "generation.h"
#include "pmr_proto.h"
#include "region_mr.h"
#include "util.h"

/* pmrd_excl_init -- see exclusive.h */
void pmrd_excl_init(struct pmrd_excl *x, const char *state_dir)
{
	x->state_dir = state_dir;
	x->rw.first = NULL;
}

/* peer_addr -- "addr:port" of a session's peer text "#serial addr:port" */
static const char *peer_addr(const char *peer)
{
	const char *sp = peer ? strchr(peer, ' ') : NULL;

	return sp ? sp + 1 : (peer ? peer : "?");
}

/* refuse -- RET is STATUS with a printf'd text */
PMR_PRINTF(3, 4)
static void refuse(struct pmrd_excl_verdict *ret, uint16_t status,
		   const char *fmt, ...)
{
	va_list ap;

	ret->status = status;
	va_start(ap, fmt);
	vsnprintf(ret->text, sizeof(ret->text), fmt, ap);
	va_end(ap);
}

/* refuse_held -- RET is STATUS: EX is held exclusively by HOLDER */
static void refuse_held(struct pmrd_excl_verdict *ret, uint16_t status,
			const struct pmrd_export *ex,
			const struct pmrd_excl_link *holder)
{
	refuse(ret, status,
	       "region '%s' held exclusively by %s (generation %" PRIu64 ")",
	       ex->region->name, peer_addr(holder->peer), holder->gen);
}

/* scan -- EX's holder (NULL: none), its rw handles, whether any is busy */
static struct pmrd_excl_link *scan(const struct pmrd_excl *x,
				   const struct pmrd_export *ex,
				   struct pmrd_excl_link **first, unsigned *n,
				   bool *busy)
{
	struct pmrd_excl_link *l, *holder = NULL;

	*first = NULL;
	*n = 0;
	*busy = false;
	hlist_for_each_entry(l, &x->rw, node) {
		if (l->ex != ex)
			continue;
		if (l->excl)
			holder = l;
		if (!*first)
			*first = l;
		(*n)++;
		*busy = *busy || (l->busy && l->busy(l));
	}
	return holder;
}

/* fence_all -- every rw handle of EX is fenced with generation GEN */
static void fence_all(struct pmrd_excl *x, struct pmrd_export *ex, uint64_t gen)
{
	struct pmrd_excl_link *l;
	struct hlist_node *next;

	hlist_for_each_entry_safe(l, next, &x->rw, node) {
		if (l->ex != ex)
			continue;
		hlist_del(&l->node);
		l->fence(l, gen);
	}
}

/* pmrd_excl_admit -- see exclusive.h */
void pmrd_excl_admit(struct pmrd_excl *x, struct pmrd_export *ex,
		     bool keys_shared, uint8_t flags, uint64_t expect,
		     struct pmrd_excl_verdict *ret)
{
	const char *name = ex->region->name;
	struct pmrd_excl_link *holder, *first;
	uint64_t gen;
	unsigned n;
	bool busy;
	int err;

	memset(ret, 0, sizeof(*ret));
	holder = scan(x, ex, &first, &n, &busy);
	if (!(flags & PMR_OPEN_F_EXCL)) {
		if (holder)
			refuse_held(ret, PMR_ST_BUSY, ex, holder);
		return;
	}
	if (keys_shared) {
		refuse(ret, PMR_ST_UNSUPPORTED,
		       "region '%s' has one shared key (keys = shared-mr): exclusive opens need keys = mw2 or mr-per-client",
		       name);
		return;
	}
	if (!(flags & PMR_OPEN_F_TAKEOVER)) {
		if (holder) {
			/* a resume finds it taken over: not coming back */
			refuse_held(ret,
				    (flags & PMR_OPEN_F_RESUME) ?
					    PMR_ST_FENCED :
					    PMR_ST_BUSY,
				    ex, holder);
			return;
		}
		if (first) {
			refuse(ret, PMR_ST_BUSY,
			       "region '%s' is open read-write %u times (first by %s): PMR_OPEN_TAKEOVER fences them",
			       name, n, peer_addr(first->peer));
			return;
		}
	} else if (busy) {
		refuse(ret, PMR_ST_BUSY,
		       "region '%s': a holder's key is being granted; retry",
		       name);
		return;
	}
	err = pmrd_gen_load(x->state_dir, name, &gen);
	if (err) {
		char path[256];

		refuse(ret, PMR_ST_INTERNAL,
		       "region '%s': generation file %s %s", name,
		       pmrd_gen_path(x->state_dir, name, path, sizeof(path)) ?
			       path :
			       "(path too long)",
		       err == -EBADMSG ? "is corrupt" : "is unreadable");
		return;
	}
	if (flags & PMR_OPEN_F_RESUME) {
		if (gen != expect) {
			refuse(ret, PMR_ST_FENCED,
			       "region '%s' is at generation %" PRIu64
			       ", not %" PRIu64,
			       name, gen, expect);
			return;
		}
		ret->gen = gen;
		return;
	}
	if (gen == UINT64_MAX) {
		refuse(ret, PMR_ST_LIMIT, "region '%s': generations exhausted",
		       name);
		return;
	}
	err = pmrd_gen_store(x->state_dir, name, gen + 1);
	if (err) {
		refuse(ret, PMR_ST_INTERNAL,
		       "region '%s': cannot store its generation: %s", name,
		       strerror(-err));
		return;
	}
	if (flags & PMR_OPEN_F_TAKEOVER)
		fence_all(x, ex, gen + 1);
	ret->gen = gen + 1;
}

/* pmrd_excl_add -- see exclusive.h */
void pmrd_excl_add(struct pmrd_excl *x, struct pmrd_excl_link *l)
{
	hlist_add_head(&l->node, &x->rw);
}

/* pmrd_excl_del -- see exclusive.h */
void pmrd_excl_del(struct pmrd_excl_link *l)
{
	if (!hlist_unhashed(&l->node))
		hlist_del(&l->node);
}

/* pmrd_excl_holder -- see exclusive.h */
bool pmrd_excl_holder(const struct pmrd_excl *x, const struct pmrd_export *ex,
		      const char **peer, uint64_t *gen)
{
	struct pmrd_excl_link *l;

	hlist_for_each_entry(l, &x->rw, node) {
		if (l->ex == ex && l->excl) {
			*peer = peer_addr(l->peer);
			*gen = l->gen;
			return true;
		}
	}
	return false;
}

/* pmrd_excl_generation -- see exclusive.h */
int pmrd_excl_generation(const struct pmrd_excl *x,
			 const struct pmrd_export *ex, uint64_t *ret)
{
	return pmrd_gen_load(x->state_dir, ex->region->name, ret);
}
