/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_view.c -- the admin socket's answers: status, list-regions and
 * list-clients as JSON, read from the server's state (server_priv.h).
 *
 * Field names are the documented interface of pmrctl -j (pmrctl(8)); add
 * fields, never rename them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "admin.h"
#include "async_event.h"
#include "endpoint.h"
#include "log.h"
#include "open_auth.h"
#include "pmr_proto.h"
#include "region_mr.h"
#include "server_priv.h"

/* add_str / add_int / add_bool -- json-c with fewer words */
static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* add_time -- seconds since the epoch and the same in ISO 8601 UTC */
static void add_time(struct json_object *o, const char *k, time_t t)
{
	char key[64], iso[32];
	struct tm tm;

	add_int(o, k, (int64_t)t);
	if (!gmtime_r(&t, &tm) ||
	    !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	snprintf(key, sizeof(key), "%s_iso", k);
	add_str(o, key, iso);
}

/* What status shows of the server. */
struct pmrd_server_info {
	const char *state;  /* "serving", "stopping" */
	time_t started;	    /* serving since */
	const char *device; /* RDMA device name */
	const char *odp;    /* the ODP self-test's verdict (device.c) */
	const char *odp_detail;
	const char *listen; /* "10.77.0.1:7471" */
	const char *config; /* the config file */
	size_t n_regions;
	unsigned n_clients;
	unsigned max_clients, max_regions_per_client, max_outstanding;
	unsigned n_handles, max_handles; /* open region handles, all clients */
	unsigned max_msg;
	uint64_t client_memory, max_client_memory; /* client buffer bytes */
	unsigned busy_poll_us;	    /* CQ busy-poll window after a completion */
	unsigned accept_timeout_ms; /* accepted, never established: dropped */
	const char *keys;	    /* the key strategy in force (mr_plan.h) */
	const struct pmrd_async *async; /* port state, events (async_event.h) */
};

/* export_count -- the exports served and draining */
static size_t export_count(const struct pmrd_server *s)
{
	return s->n_exports + s->n_draining;
}

/* export_at -- the Ith export (served, then draining), NULL past the end */
static const struct pmrd_export *export_at(const struct pmrd_server *s,
					   size_t i)
{
	if (i < s->n_exports)
		return s->exports[i];
	i -= s->n_exports;
	return i < s->n_draining ? s->draining[i] : NULL;
}

/* export_state -- "serving" (or "removed": draining) */
static const char *export_state(const struct pmrd_export *ex)
{
	return ex->removed ? "removed" : "serving";
}

/* server_info -- what status shows of S */
static void server_info(const struct pmrd_server *s,
			struct pmrd_server_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->state = s->stopping ? "stopping" : "serving";
	ret->started = s->started;
	ret->device = ibv_get_device_name(s->dev->verbs->device);
	ret->odp = pmrd_odp_state_name(s->dev->caps.odp_state);
	ret->odp_detail = s->dev->odp_detail;
	ret->listen = s->dev->addr;
	ret->config = s->conf->file;
	ret->n_regions = s->n_exports;
	ret->n_clients = s->env.n_clients;
	ret->max_clients = s->conf->limits.max_clients;
	ret->max_regions_per_client = s->conf->limits.max_regions_per_client;
	ret->max_outstanding = s->conf->limits.max_outstanding;
	ret->n_handles = s->env.n_handles;
	ret->max_handles = s->conf->limits.max_handles;
	ret->max_msg = s->conf->limits.max_msg;
	ret->client_memory = s->env.buf_bytes;
	ret->max_client_memory = s->conf->limits.max_client_memory;
	ret->busy_poll_us = s->conf->limits.busy_poll_us;
	ret->accept_timeout_ms = s->conf->limits.accept_timeout_ms;
	ret->keys = pmrd_keys_strategy_name(s->env.keys);
	ret->async = s->dev->async;
}

/* kind_name -- lower-case kind for machines: fsdax, devdax, testing */
static const char *kind_name(enum pmrd_region_kind k)
{
	switch (k) {
	case PMRD_REGION_FSDAX:
		return "fsdax";
	case PMRD_REGION_DEVDAX:
		return "devdax";
	case PMRD_REGION_TESTING:
		return "testing";
	}
	return "?";
}

/* methods_array -- PMR_PERSIST_* bits as ["server","flush","raw"]: the
 * wire's names (pmr_persist_method_str), which libpmr's users also see */
static struct json_object *methods_array(uint32_t persist)
{
	static const uint32_t order[] = { PMR_PERSIST_SERVER, PMR_PERSIST_FLUSH,
					  PMR_PERSIST_RAW };
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < ARRAY_SIZE(order); i++)
		if (persist & order[i])
			json_object_array_add(
				a, json_object_new_string(
					   pmr_persist_method_str(order[i])));
	return a;
}

/*
 * auth_json -- "allow": the region's rules (CIDR strings; null: every
 * peer) and "psk": whether opening it needs a key (never the key itself)
 */
static void auth_json(struct json_object *o, const struct pmrd_auth *auth,
		      const char *name)
{
	const struct pmrd_auth_region *ar = pmrd_auth_find(auth, name);
	struct json_object *a = NULL;
	char buf[64];

	if (ar && ar->n_allow) {
		a = json_object_new_array();
		for (size_t i = 0; a && i < ar->n_allow; i++) {
			pmrd_cidr_format(&ar->allow[i], buf, sizeof(buf));
			json_object_array_add(a, json_object_new_string(buf));
		}
	}
	json_object_object_add(o, "allow", a);
	add_bool(o, "psk", ar && ar->psk_len);
}

/*
 * excl_json -- "generation" (the stored one; null and "generation_error"
 * when its file is corrupt or unreadable) and "exclusive_holder" (the
 * holder's address, or null)
 */
static void excl_json(struct json_object *o, const struct pmrd_server *s,
		      const struct pmrd_export *ex)
{
	const char *holder;
	uint64_t gen, held_gen;
	int err = pmrd_excl_generation(&s->env.excl, ex, &gen);

	if (err) {
		json_object_object_add(o, "generation", NULL);
		add_str(o, "generation_error",
			err == -EBADMSG ? "corrupt" : strerror(-err));
	} else {
		add_int(o, "generation", (int64_t)gen);
	}
	if (pmrd_excl_holder(&s->env.excl, ex, &holder, &held_gen)) {
		add_str(o, "exclusive_holder", holder);
		add_int(o, "exclusive_generation", (int64_t)held_gen);
	} else {
		json_object_object_add(o, "exclusive_holder", NULL);
	}
}

/* region_json -- one export as an object */
static struct json_object *region_json(const struct pmrd_server *s,
				       const struct pmrd_export *ex)
{
	const struct pmrd_region *r = ex->region;
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_str(o, "name", r->name);
	add_str(o, "path", r->path);
	add_int(o, "size", (int64_t)r->size);
	add_str(o, "kind", kind_name(r->kind));
	add_str(o, "registration",
		ex->plan.strategy == PMRD_MR_ODP ? "odp" : "pinned");
	add_str(o, "access", r->access == PMRD_ACCESS_RW ? "rw" : "ro");
	/* what an rw open's key allows (the region MR itself may not) */
	add_bool(o, "remote_write",
		 ex->plan.grant_ceiling & IBV_ACCESS_REMOTE_WRITE);
	add_str(o, "keys", pmrd_keys_strategy_name(ex->plan.keys));
	auth_json(o, s->env.auth, r->name);
	add_str(o, "granularity", pmrd_granularity_name(r->granularity));
	json_object_object_add(o, "persist_methods",
			       methods_array(ex->plan.persist));
	/* what an rw open of a version 3 client gets (read-only: none) */
	add_str(o, "atomic_write",
		r->access != PMRD_ACCESS_RW ?
			"none" :
			pmr_atomic_write_path_str(ex->plan.atomics));
	add_bool(o, "rdma_atomics", ex->plan.atomics & PMR_ATOMICS_RDMA);
	add_int(o, "open_count", ex->n_open);
	/* the whole region is prepared (zeroed) before it is exported */
	add_int(o, "bytes_prepared", (int64_t)r->size);
	add_str(o, "prepared",
		r->kind == PMRD_REGION_DEVDAX ? "device" :
		r->zeroed_now		      ? "now" :
						"before");
	add_str(o, "state", export_state(ex));
	excl_json(o, s, ex);
	add_bool(o, "persistent", r->kind != PMRD_REGION_TESTING);
	json_object_object_add(o, "registration_ms",
			       json_object_new_double(ex->reg_ms));
	return o;
}

/* do_list_regions -- "regions": [...] */
static int do_list_regions(const struct pmrd_server *s,
			   struct json_object *resp)
{
	struct json_object *a = json_object_new_array();
	size_t n = export_count(s);

	if (!a)
		return -ENOMEM;
	json_object_object_add(resp, "regions", a);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = region_json(s, export_at(s, i));

		if (!o)
			return -ENOMEM;
		json_object_array_add(a, o);
	}
	return 0;
}

/* client_json -- one client as an object */
static struct json_object *client_json(const struct pmrd_client *c)
{
	const char *names[PMRD_HANDLE_SLOTS_MAX < 1024 ? PMRD_HANDLE_SLOTS_MAX :
							 1024];
	struct json_object *o = json_object_new_object(), *a;
	size_t n;

	if (!o)
		return NULL;
	add_int(o, "id", (int64_t)c->serial);
	add_str(o, "address", pmrd_client_addr(c));
	add_str(o, "state", pmrd_client_state_name(c));
	add_time(o, "since", c->since);
	add_int(o, "regions_open", c->sess.n_open);
	a = json_object_new_array();
	n = pmrd_session_open_regions(&c->sess, names, ARRAY_SIZE(names));
	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	json_object_object_add(o, "regions", a);
	add_int(o, "credits", c->credits);
	add_int(o, "requests", (int64_t)c->sess.n_requests);
	add_int(o, "bad_requests", (int64_t)c->sess.n_bad);
	return o;
}

/* by_id -- json_object_array_sort order: ascending "id" */
static int by_id(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b, *ix, *iy;
	int64_t l = 0, r = 0;

	if (json_object_object_get_ex(*x, "id", &ix))
		l = json_object_get_int64(ix);
	if (json_object_object_get_ex(*y, "id", &iy))
		r = json_object_get_int64(iy);
	return l < r ? -1 : l > r;
}

/* do_list_clients -- "clients": [...], oldest first */
static int do_list_clients(const struct pmrd_server *s,
			   struct json_object *resp)
{
	struct json_object *a = json_object_new_array();
	const struct pmrd_client *c;

	if (!a)
		return -ENOMEM;
	json_object_object_add(resp, "clients", a);
	hlist_for_each_entry(c, &s->env.clients, link) {
		struct json_object *o = client_json(c);

		if (!o)
			return -ENOMEM;
		json_object_array_add(a, o);
	}
	/* the server keeps them newest first */
	json_object_array_sort(a, by_id);
	return 0;
}

/*
 * async_json -- the listen port's state and the device's async events
 * (async_event.h): "port", "port_state", "port_since", "port_down_count",
 * "async_events", "last_async_event" (ibv_event_type_str, "" before the
 * first), "last_async_event_detail", "last_async_event_time"
 */
static void async_json(struct json_object *resp, const struct pmrd_async *a)
{
	struct pmrd_async_info ai;

	pmrd_async_info(a, &ai);
	add_int(resp, "port", ai.port);
	add_str(resp, "port_state", ai.port_state);
	if (ai.port_since)
		add_time(resp, "port_since", ai.port_since);
	add_int(resp, "port_down_count", (int64_t)ai.port_down_count);
	add_int(resp, "async_events", (int64_t)ai.n_events);
	add_str(resp, "last_async_event", ai.last_event);
	add_str(resp, "last_async_event_detail", ai.last_detail);
	if (ai.last_time)
		add_time(resp, "last_async_event_time", ai.last_time);
}

/* do_status -- version, pid, uptime, device and its ODP, port, listen,
 * counts */
static int do_status(const struct pmrd_server *s, struct json_object *resp)
{
	struct pmrd_server_info si;

	server_info(s, &si);
	add_str(resp, "version", PMRD_VERSION);
	add_int(resp, "pid", getpid());
	add_str(resp, "state", si.state);
	add_time(resp, "started", si.started);
	add_int(resp, "uptime_s", (int64_t)(time(NULL) - si.started));
	add_str(resp, "device", si.device);
	add_str(resp, "odp", si.odp);
	add_str(resp, "odp_detail", si.odp_detail);
	async_json(resp, si.async);
	add_str(resp, "listen", si.listen);
	add_str(resp, "config", si.config);
	add_int(resp, "regions", (int64_t)si.n_regions);
	add_int(resp, "clients", si.n_clients);
	add_int(resp, "max_clients", si.max_clients);
	add_int(resp, "max_regions_per_client", si.max_regions_per_client);
	add_int(resp, "max_outstanding", si.max_outstanding);
	add_int(resp, "open_handles", si.n_handles);
	add_int(resp, "max_handles", si.max_handles);
	add_int(resp, "max_msg", si.max_msg);
	add_int(resp, "client_memory", (int64_t)si.client_memory);
	add_int(resp, "max_client_memory", (int64_t)si.max_client_memory);
	add_int(resp, "busy_poll_us", si.busy_poll_us);
	add_int(resp, "accept_timeout_ms", si.accept_timeout_ms);
	add_str(resp, "keys", si.keys);
	add_str(resp, "log_level", pmrd_log_level_name(pmrd_log_get_level()));
	return 0;
}

/* pmrd_server_admin_handle -- see server_priv.h */
int pmrd_server_admin_handle(void *arg, const struct pmrd_admin_req *req,
			     struct json_object *resp, const char **err_text)
{
	const struct pmrd_server *s = arg;
	int err = -EOPNOTSUPP;

	switch (req->verb) {
	case PMRD_ADMIN_STATUS:
		err = do_status(s, resp);
		break;
	case PMRD_ADMIN_LIST_REGIONS:
		err = do_list_regions(s, resp);
		break;
	case PMRD_ADMIN_LIST_CLIENTS:
		err = do_list_clients(s, resp);
		break;
	}
	if (err)
		*err_text = err == -ENOMEM ? "out of memory" : "not supported";
	return err;
}
