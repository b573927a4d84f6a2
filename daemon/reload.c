/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.c -- SIGHUP: apply the region set of a re-read config file.
 *
 * The export table changes only inside loop callbacks, so no client
 * request is handled while it changes, and every session is pointed at
 * the new table before the loop runs again.  Removals take effect in the
 * SIGHUP callback.  New regions are prepared (a new file is zeroed, which
 * takes seconds per GiB), mapped and registered on a worker thread
 * (work.h) that touches nothing the loop owns; the loop keeps serving
 * clients and the admin socket, and adds the new exports when the thread
 * is done.  One reload at a time: a SIGHUP meanwhile reloads again after.
 *
 * Rules: a new [region] is prepared, registered and exported; a region no
 * longer in the file stops accepting OPEN at once and is deregistered and
 * unmapped when its last handle closes ("removed" in list-regions until
 * then); a region whose path, size, access, persistence or persistence
 * domain changed is refused (restart to change it); [pmrd] settings need a
 * restart.  A file with errors changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "notify.h"
#include "region_open.h"
#include "server_priv.h"

/* report -- config problems of the reloaded file into the log */
static void report(void *arg, const char *file, unsigned line, const char *msg)
{
	if (line)
		log_err("reload: %s:%u: %s", file, line, msg);
	else
		log_err("reload: %s: %s", file, msg);
}

/* monotonic_usec -- CLOCK_MONOTONIC in microseconds, for RELOADING=1 */
static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull +
	       (unsigned long long)ts.tv_nsec / 1000;
}

/* find -- the export named NAME in V[0..N), or -1 */
static long find(struct pmrd_export *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->region->name, name))
			return (long)i;
	return -1;
}

/* path_taken -- is PATH the path of any export in V[0..N)? */
static bool path_taken(struct pmrd_export *const *v, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i]->region->path, path))
			return true;
	return false;
}

/* changed -- why RC differs from the running region R, or NULL */
static const char *changed(const struct pmrd_region_conf *rc,
			   const struct pmrd_region *r)
{
	if (strcmp(rc->path, r->path))
		return "path";
	if (rc->size && rc->size != r->size)
		return "size";
	if (rc->access != r->access)
		return "access";
	if (rc->pdomain != r->pdomain)
		return "persistence_domain";
	if (rc->persistent && r->kind == PMRD_REGION_TESTING)
		return "persistent";
	return NULL;
}

/* release -- deregister, unmap and close one export's region */
static void release(struct pmrd_server *s, struct pmrd_export *ex)
{
	struct pmrd_region *r = ex->region;

	pmrd_export_delete(&ex);
	if (s->owns_regions)
		pmrd_region_close(&r);
}

/* drain_cb -- after each loop iteration: release drained exports */
static void drain_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct pmrd_server *s =
		container_of(w, struct pmrd_server, drain_watcher);
	size_t i = 0;

	while (i < s->n_draining) {
		struct pmrd_export *ex = s->draining[i];

		if (ex->n_open) {
			i++;
			continue;
		}
		log_notice("region %s: last handle closed: released",
			   ex->region->name);
		s->draining[i] = s->draining[--s->n_draining];
		release(s, ex);
	}
	if (!s->n_draining)
		ev_check_stop(loop, w);
}

/* sync_sessions -- new clients and every session see the current table */
static void sync_sessions(struct pmrd_server *s)
{
	struct pmrd_client *c;

	s->env.exports = s->exports;
	s->env.n_exports = s->n_exports;
	hlist_for_each_entry(c, &s->env.clients, link) {
		c->sess.exports = s->exports;
		c->sess.n_exports = s->n_exports;
	}
}

/* remove_at -- take export I out of the table; release now or drain */
static int remove_at(struct pmrd_server *s, size_t i)
{
	struct pmrd_export *ex = s->exports[i];
	struct pmrd_export **d;

	if (ex->n_open) {
		d = realloc(s->draining, (s->n_draining + 1) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		s->draining = d;
		s->draining[s->n_draining++] = ex;
		if (!ev_is_active(&s->drain_watcher)) {
			ev_check_init(&s->drain_watcher, drain_cb);
			ev_check_start(s->loop, &s->drain_watcher);
		}
		log_notice(
			"reload: region %s removed: no new opens; released when its %u open handle(s) close",
			ex->region->name, ex->n_open);
	} else {
		log_notice("reload: region %s removed and released",
			   ex->region->name);
	}
	ex->removed = true;
	memmove(&s->exports[i], &s->exports[i + 1],
		(s->n_exports - i - 1) * sizeof(*s->exports));
	s->n_exports--;
	if (!ex->n_open)
		release(s, ex);
	return 0;
}

/*
 * prepare_cb -- on the worker thread: prepare, map and register each new
 * region (the slow part: zeroing, pinning); nothing the loop owns is
 * touched
 */
static void prepare_cb(struct pmrd_work *w)
{
	struct pmrd_reload *rl = container_of(w, struct pmrd_reload, work);
	struct pmrd_server *s = container_of(rl, struct pmrd_server, reload);

	for (size_t i = 0; i < rl->n_add; i++) {
		const struct pmrd_region_conf *rc = rl->add[i];
		struct pmrd_region *r;
		int err;

		pmrd_notify("STATUS=reload: preparing region %s", rc->name);
		err = pmrd_region_open(rc, &r);
		if (!err) {
			err = pmrd_export_new(s->dev, r, s->env.keys,
					      &rl->added[i]);
			if (err)
				pmrd_region_close(&r);
		}
		rl->err[i] = err;
	}
}

/*
 * add_prepared -- on the loop: the new exports join the table; how many
 * could not be served
 */
static unsigned add_prepared(struct pmrd_server *s, unsigned *added)
{
	struct pmrd_reload *rl = &s->reload;
	struct pmrd_export **v;
	unsigned failed = 0;

	for (size_t i = 0; i < rl->n_add; i++) {
		struct pmrd_export *ex = rl->added[i];

		if (!ex) {
			log_err("reload: region %s: cannot be served (%s): not added",
				rl->add[i]->name, strerror(-rl->err[i]));
			failed++;
			continue;
		}
		v = realloc(s->exports, (s->n_exports + 1) * sizeof(*v));
		if (!v) {
			log_err("reload: region %s: out of memory: not added",
				ex->region->name);
			release(s, ex);
			failed++;
			continue;
		}
		s->exports = v;
		s->exports[s->n_exports++] = ex;
		s->env.qp_extra_access |= pmrd_mr_qp_access(&ex->plan);
		log_notice("reload: region %s added", ex->region->name);
		(*added)++;
	}
	return failed;
}

/*
 * finish -- on the loop: add what was prepared, apply the allow and PSK
 * rules, point every session at the table, READY=1; reload again if a
 * SIGHUP came meanwhile
 */
static void finish(struct pmrd_server *s)
{
	struct pmrd_reload *rl = &s->reload;
	unsigned added = 0, failed = rl->failed;
	struct pmrd_auth *auth;
	bool again = rl->again;

	failed += add_prepared(s, &added);
	/* allow lists and keys apply at once, to the next OPEN of everyone */
	if (!pmrd_auth_new(rl->nc, &auth)) {
		pmrd_auth_delete(&s->env.auth);
		s->env.auth = auth;
	} else {
		log_err("reload: allow and psk_file rules not updated: out of memory");
		failed++;
	}
	sync_sessions(s);
	log_notice(
		"reload: %u added, %u removed, %u refused, %u failed; serving %zu regions",
		added, rl->removed, rl->refused, failed, s->n_exports);
	pmrd_conf_free(&rl->nc);
	free(rl->add);
	free(rl->added);
	free(rl->err);
	memset(rl, 0, sizeof(*rl));
	pmrd_notify("READY=1\nSTATUS=serving %zu regions on %s", s->n_exports,
		    s->dev->addr);
	if (again && !s->stopping)
		pmrd_server_reload(s);
}

/* prepared_cb -- on the loop: the worker thread is done */
static void prepared_cb(struct pmrd_work *w)
{
	struct pmrd_reload *rl = container_of(w, struct pmrd_reload, work);

	finish(container_of(rl, struct pmrd_server, reload));
}

/* plan_add -- RC is to be prepared by the worker (rl->add) */
static int plan_add(struct pmrd_reload *rl, const struct pmrd_region_conf *rc)
{
	const struct pmrd_region_conf **v;

	v = realloc(rl->add, (rl->n_add + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	rl->add = v;
	rl->add[rl->n_add++] = rc;
	return 0;
}

/* warn_restart -- [pmrd] settings a reload does not apply */
static void warn_restart(const struct pmrd_conf *old,
			 const struct pmrd_conf *nc)
{
	if (strcmp(old->listen_host, nc->listen_host) ||
	    old->listen_port != nc->listen_port)
		log_warn("reload: listen changed: needs a restart");
	if (strcmp(old->admin_socket, nc->admin_socket))
		log_warn("reload: admin_socket changed: needs a restart");
	if (strcmp(old->state_dir, nc->state_dir))
		log_warn("reload: state_dir changed: needs a restart");
	if (memcmp(&old->limits, &nc->limits, sizeof(old->limits)))
		log_warn("reload: limits changed: need a restart");
	if (old->log_level != nc->log_level)
		log_warn("reload: log_level changed: needs a restart");
	if (old->keys != nc->keys)
		log_warn("reload: keys changed: needs a restart");
}

/* pmrd_server_reload -- see server_priv.h */
void pmrd_server_reload(struct pmrd_server *s)
{
	struct pmrd_reload *rl = &s->reload;
	const char *why;
	int err;

	if (pmrd_work_busy(&rl->work)) {
		log_notice("SIGHUP: a reload is still preparing regions; "
			   "reloading again when it is done");
		rl->again = true;
		return;
	}
	pmrd_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		    monotonic_usec());
	log_notice("SIGHUP: reloading %s", s->conf->file);
	memset(rl, 0, sizeof(*rl));
	err = pmrd_conf_load(s->conf->file, report, NULL, &rl->nc);
	if (err) {
		log_err("reload: %s: %s; nothing changed", s->conf->file,
			err == -EINVAL ? "errors above" : strerror(-err));
		pmrd_notify("READY=1\nSTATUS=serving %zu regions on %s",
			    s->n_exports, s->dev->addr);
		return;
	}
	warn_restart(s->conf, rl->nc);

	for (size_t i = s->n_exports; i-- > 0;) {
		if (pmrd_conf_find_region(rl->nc, s->exports[i]->region->name))
			continue;
		if (remove_at(s, i))
			rl->failed++;
		else
			rl->removed++;
	}
	for (size_t i = 0; i < rl->nc->n_regions; i++) {
		const struct pmrd_region_conf *rc = &rl->nc->regions[i];
		long at = find(s->exports, s->n_exports, rc->name);

		if (at >= 0) {
			why = changed(rc, s->exports[at]->region);
			if (why) {
				log_warn(
					"reload: region %s: %s changed: refused, it keeps running as before (restart pmrd to change a region)",
					rc->name, why);
				rl->refused++;
			}
			continue;
		}
		if (find(s->draining, s->n_draining, rc->name) >= 0 ||
		    path_taken(s->draining, s->n_draining, rc->path)) {
			log_warn(
				"reload: region %s: still open by clients after its removal: not added (reload again later)",
				rc->name);
			rl->refused++;
			continue;
		}
		if (path_taken(s->exports, s->n_exports, rc->path)) {
			log_warn(
				"reload: region %s: %s is served as another region: refused",
				rc->name, rc->path);
			rl->refused++;
			continue;
		}
		if (plan_add(rl, rc)) {
			log_err("reload: region %s: out of memory: not added",
				rc->name);
			rl->failed++;
		}
	}
	if (rl->n_add) {
		rl->added = calloc(rl->n_add, sizeof(*rl->added));
		rl->err = calloc(rl->n_add, sizeof(*rl->err));
		if (!rl->added || !rl->err) {
			log_err("reload: out of memory: no region added");
			rl->failed += (unsigned)rl->n_add;
			rl->n_add = 0;
		}
	}
	if (rl->n_add &&
	    !pmrd_work_start(&rl->work, s->loop, prepare_cb, prepared_cb)) {
		/* serving meanwhile; prepared_cb adds them */
		sync_sessions(s);
		return;
	}
	/* no worker thread: nothing to add, or prepare on the loop */
	if (rl->n_add)
		prepare_cb(&rl->work);
	finish(s);
}

/* pmrd_server_release_all -- see server_priv.h */
void pmrd_server_release_all(struct pmrd_server *s)
{
	/* the worker's regions join the table, to be released below; a
	 * SIGHUP that came meanwhile starts no new reload now */
	s->reload.again = false;
	pmrd_work_finish(&s->reload.work);
	if (ev_is_active(&s->drain_watcher))
		ev_check_stop(s->loop, &s->drain_watcher);
	for (size_t i = 0; i < s->n_draining; i++)
		release(s, s->draining[i]);
	for (size_t i = 0; i < s->n_exports; i++)
		release(s, s->exports[i]);
	free(s->draining);
	free(s->exports);
	pmrd_auth_delete(&s->env.auth);
	s->draining = s->exports = NULL;
	s->n_draining = s->n_exports = 0;
}
