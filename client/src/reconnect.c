/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reconnect.c -- bringing a lost connection back: a new transport to the
 * same server, the caller's buffers registered on it and its regions
 * opened on it, then all of it put in place of the old one at once
 *
 * Nothing of the connection changes until an attempt has everything: the
 * new transport lives in a struct of its own meanwhile, so an attempt
 * that fails anywhere leaves the connection as lost as it was (its
 * handles still those of the old, dead transport) and is simply dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "completion.h"
#include "conn.h"
#include "log_cb.h"
#include "mr.h"
#include "region.h"

/* what an attempt found out for one region */
enum {
	REOPEN_SKIP = 1, /* already fenced or stale: stays as it is */
};

/* one attempt's new transport and grants, not yet in place */
struct attempt {
	struct pmr_conn *fresh;
	struct ibv_mr **mrs;	/* per conn->mrs entry */
	struct pmr_region *got; /* per conn->regions entry */
	int *res;		/* per region: 0, REOPEN_SKIP or its error */
	unsigned int nmrs;	/* of mrs registered */
	bool fds_added;		/* fresh's fds are in the caller's epoll */
};

/* epoll_swap -- put fd ADD into EPFD in place of fd DEL (DEL < 0: none);
 * the caller's registration of EPFD stays valid */
static int epoll_swap(int epfd, int add, int del)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = add };

	if (add >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, add, &ev))
		return -errno;
	if (del >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, del, NULL);
	return 0;
}

/* attempt_fds -- the fresh channels join the fd the caller watches */
static int attempt_fds(struct pmr_conn *conn, struct attempt *a)
{
	int rc;

	rc = epoll_swap(conn->epfd, a->fresh->cc->fd, -1);
	if (rc)
		return rc;
	rc = epoll_swap(conn->epfd, a->fresh->ec->fd, -1);
	if (rc) {
		epoll_swap(conn->epfd, -1, a->fresh->cc->fd);
		return rc;
	}
	a->fds_added = true;
	return 0;
}

/* attempt_drop -- free an attempt that will not be used */
static void attempt_drop(struct pmr_conn *conn, struct attempt *a)
{
	if (a->fds_added) {
		epoll_swap(conn->epfd, -1, a->fresh->cc->fd);
		epoll_swap(conn->epfd, -1, a->fresh->ec->fd);
	}
	if (a->nmrs)
		pmr_mr_drop(a->mrs, a->nmrs);
	if (a->fresh) {
		/* why it failed, where the server or a verbs status said */
		if (a->fresh->errtext[0])
			memcpy(conn->errtext, a->fresh->errtext,
			       sizeof(conn->errtext));
		/* the server forgets its handles with the connection */
		pmr_conn_release(a->fresh);
		pmr_cfg_wipe_psks(&a->fresh->cfg);
	}
	free(a->fresh);
	free(a->mrs);
	free(a->got);
	free(a->res);
}

/*
 * transient -- a region's re-open failed with ERR for a reason that may
 * be gone in a moment (the server stopping again, short of memory or of
 * a limit, a malformed answer): the attempt fails and is retried rather
 * than the region being given up
 */
static bool transient(int err)
{
	switch (err) {
	case -ENOMEM:
	case PMR_E_SHUTDOWN:
	case PMR_E_LIMIT:
	case PMR_E_SERVER:
	case PMR_E_PROTOCOL:
	case PMR_E_UNKNOWN:
		return true;
	default:
		return false;
	}
}

/*
 * attempt_run -- connect anew and redo the buffers and regions of CONN
 * on it.  A region the server refuses for good (RESUME after a takeover,
 * a region gone, access denied, a new length) is that region's result,
 * not the attempt's: a failure of the new connection itself, or a
 * transient one, fails the attempt.
 */
static int attempt_run(struct pmr_conn *conn, struct attempt *a)
{
	struct pmr_region *r;
	unsigned int i;
	int rc;

	a->fresh = calloc(1, sizeof(*a->fresh));
	if (a->fresh)
		a->fresh->epfd = -1; /* releasable before it is set up */
	a->mrs = calloc(conn->nmrs + 1, sizeof(*a->mrs));
	a->got = calloc(conn->nregions + 1, sizeof(*a->got));
	a->res = calloc(conn->nregions + 1, sizeof(*a->res));
	if (!a->fresh || !a->mrs || !a->got || !a->res)
		return -ENOMEM;
	a->fresh->cfg = conn->cfg;
	rc = pmr_conn_setup(a->fresh, conn->host, conn->port);
	if (!rc)
		rc = pmr_mr_reg_again(conn, a->fresh->pd, a->mrs);
	if (rc)
		return rc;
	a->nmrs = conn->nmrs;
	for (r = conn->regions, i = 0; r; r = r->next, i++) {
		if (r->fenced || r->stale) {
			a->res[i] = REOPEN_SKIP;
			continue;
		}
		a->res[i] = pmr_region_reopen(a->fresh, r, &a->got[i]);
		if (a->fresh->lost || transient(a->res[i]))
			return a->res[i] ? a->res[i] : a->fresh->lost;
		if (a->res[i])
			continue;
		/* a takeover's FENCED notice may come while the others are
		 * re-opened: the fresh connection marks the grant */
		a->got[i].next = a->fresh->regions;
		a->fresh->regions = &a->got[i];
	}
	return attempt_fds(conn, a);
}

/*
 * attempt_commit -- CONN takes A's transport; its buffers and regions
 * their new keys.  Cannot fail.  Returns PMR_E_FENCED if an exclusive
 * handle was taken over meanwhile, else the first other region's error,
 * else 0.
 */
static int attempt_commit(struct pmr_conn *conn, struct attempt *a)
{
	struct pmr_conn old = *conn;
	struct pmr_region *r;
	int verdict = 0;
	unsigned int i;

	/* the old PD goes below: its registrations first */
	pmr_mr_rebind(conn, a->mrs);
	epoll_swap(conn->epfd, -1, old.cc->fd);
	epoll_swap(conn->epfd, -1, old.ec->fd);
	*conn = *a->fresh;
	/* what belongs to the connection, not to its transport */
	conn->regions = old.regions;
	conn->nregions = old.nregions;
	conn->mrs = old.mrs;
	conn->nmrs = old.nmrs;
	conn->host = old.host;
	conn->port = old.port;
	conn->epfd = old.epfd; /* the fd the caller watches stays */
	conn->sync_region = NULL;
	conn->id->context = conn;
	old.epfd = a->fresh->epfd;
	pmr_conn_release(&old);
	pmr_cfg_wipe_psks(&old.cfg);
	pmr_cfg_wipe_psks(&a->fresh->cfg);
	free(a->fresh);
	a->fresh = NULL;

	for (r = conn->regions, i = 0; r; r = r->next, i++) {
		if (a->res[i] == REOPEN_SKIP) {
			r->orphan = true;
			continue;
		}
		if (!a->res[i]) {
			pmr_region_rebind(r, &a->got[i]);
			/* granted, then taken over: its handle is valid */
			r->fenced = a->got[i].fenced;
			if (r->fenced)
				verdict = PMR_E_FENCED;
			continue;
		}
		/* its handle died with the old connection */
		r->orphan = true;
		if (a->res[i] == PMR_E_FENCED)
			r->fenced = true;
		else
			r->stale = a->res[i];
		pmr_warn("region '%s' not re-opened: %s", r->name,
			 pmr_strerror(a->res[i]));
		if (a->res[i] == PMR_E_FENCED || !verdict)
			verdict = a->res[i];
	}
	free(a->mrs);
	free(a->got);
	free(a->res);
	return verdict;
}

/* pause_ms -- sleep MS milliseconds (signals do not cut it short) */
static void pause_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* pmr_conn_reconnect -- see libpmr.h */
int pmr_conn_reconnect(struct pmr_conn *conn)
{
	unsigned int t, delay;
	int rc = PMR_E_CONN_LOST;

	if (!conn)
		return -EINVAL;
	if (!conn->lost)
		return -EISCONN;
	/* their PMR_E_CONN_LOST completions are the caller's to see: the
	 * new transport has no slots for them, and nothing is replayed */
	if (pmr_async_busy(conn))
		return -EBUSY;
	if (!conn->host)
		return -EINVAL; /* never connected */
	delay = conn->cfg.reconnect_backoff_ms;
	for (t = 0; t < conn->cfg.reconnect_tries; t++) {
		struct attempt a = { 0 };

		if (t) {
			pause_ms(delay);
			delay = delay > PMR_RECONNECT_BACKOFF_CAP_MS / 2 ?
					PMR_RECONNECT_BACKOFF_CAP_MS :
					delay * 2;
		}
		rc = attempt_run(conn, &a);
		if (!rc) {
			rc = attempt_commit(conn, &a);
			pmr_info("reconnected to %s:%s (attempt %u)",
				 conn->host, conn->port, t + 1);
			return rc;
		}
		attempt_drop(conn, &a);
		pmr_err("reconnect attempt %u of %u to %s:%s: %s", t + 1,
			conn->cfg.reconnect_tries, conn->host, conn->port,
			pmr_strerror(rc));
	}
	return rc;
}
