// SPDX-License-Identifier: BSD-3-Clause
/*
 * reload.c -- SIGHUP: apply the region set of a re-read config file.
 *
 * The whole reload runs inside one loop callback, so no client request is
 * handled while the export table changes, and every session is pointed at
 * the new table before the loop runs again.  Preparing a new region (its
 * zeroing) blocks the loop meanwhile: reloads are an operator's action.
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

/* add -- prepare, map, register and export a new region */
static int add(struct pmrd_server *s, const struct pmrd_region_conf *rc)
{
	struct pmrd_region *r;
	struct pmrd_export *ex, **v;
	int err;

	pmrd_notify("STATUS=reload: preparing region %s", rc->name);
	v = realloc(s->exports, (s->n_exports + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->exports = v;
	err = pmrd_region_open(rc, &r);
	if (err)
		return err;
	err = pmrd_export_new(s->dev, r, s->env.keys, &ex);
	if (err) {
		pmrd_region_close(&r);
		return err;
	}
	s->exports[s->n_exports++] = ex;
	log_notice("reload: region %s added", rc->name);
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
	unsigned added = 0, removed = 0, refused = 0, failed = 0;
	struct pmrd_auth *auth;
	struct pmrd_conf *nc;
	const char *why;
	int err;

	pmrd_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		    monotonic_usec());
	log_notice("SIGHUP: reloading %s", s->conf->file);
	err = pmrd_conf_load(s->conf->file, report, NULL, &nc);
	if (err) {
		log_err("reload: %s: %s; nothing changed", s->conf->file,
			err == -EINVAL ? "errors above" : strerror(-err));
		goto out_ready;
	}
	warn_restart(s->conf, nc);

	for (size_t i = s->n_exports; i-- > 0;) {
		if (pmrd_conf_find_region(nc, s->exports[i]->region->name))
			continue;
		if (remove_at(s, i))
			failed++;
		else
			removed++;
	}
	for (size_t i = 0; i < nc->n_regions; i++) {
		const struct pmrd_region_conf *rc = &nc->regions[i];
		long at = find(s->exports, s->n_exports, rc->name);

		if (at >= 0) {
			why = changed(rc, s->exports[at]->region);
			if (why) {
				log_warn(
					"reload: region %s: %s changed: refused, it keeps running as before (restart pmrd to change a region)",
					rc->name, why);
				refused++;
			}
			continue;
		}
		if (find(s->draining, s->n_draining, rc->name) >= 0 ||
		    path_taken(s->draining, s->n_draining, rc->path)) {
			log_warn(
				"reload: region %s: still open by clients after its removal: not added (reload again later)",
				rc->name);
			refused++;
			continue;
		}
		if (path_taken(s->exports, s->n_exports, rc->path)) {
			log_warn(
				"reload: region %s: %s is served as another region: refused",
				rc->name, rc->path);
			refused++;
			continue;
		}
		err = add(s, rc);
		if (err) {
			log_err("reload: region %s: cannot be served (%s): not added",
				rc->name, strerror(-err));
			failed++;
			continue;
		}
		if (s->exports[s->n_exports - 1]->plan.access &
		    PMRD_ACCESS_FLUSH_PERSISTENT)
			s->env.qp_extra_access |= PMRD_ACCESS_FLUSH_PERSISTENT;
		added++;
	}
	/* allow lists and keys apply at once, to the next OPEN of everyone */
	if (!pmrd_auth_new(nc, &auth)) {
		pmrd_auth_delete(&s->env.auth);
		s->env.auth = auth;
	} else {
		log_err("reload: allow and psk_file rules not updated: out of memory");
		failed++;
	}
	sync_sessions(s);
	log_notice(
		"reload: %u added, %u removed, %u refused, %u failed; serving %zu regions",
		added, removed, refused, failed, s->n_exports);
	pmrd_conf_free(&nc);
out_ready:
	pmrd_notify("READY=1\nSTATUS=serving %zu regions on %s", s->n_exports,
		    s->dev->addr);
}

/* pmrd_server_release_all -- see server_priv.h */
void pmrd_server_release_all(struct pmrd_server *s)
{
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
