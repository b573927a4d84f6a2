/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.h -- the daemon's data path: register the regions on the RDMA
 * device that serves the listen address and serve clients over rdmacm from
 * a libev loop until SIGINT/SIGTERM.
 */
#ifndef PMRD_SERVER_H
#define PMRD_SERVER_H

#include <stddef.h>
#include <time.h>

#include "pmrd_conf.h"
#include "pmrd_region.h"

struct pmrd_server;
struct pmrd_export;
struct pmrd_client;
struct pmrd_async;
struct hlist_head;

/*
 * pmrd_server_run -- bind conf->listen_host:listen_port, register the N
 * opened REGIONS (each by its strategy: pinned or ODP; a region that
 * cannot be served fails the start), listen and serve until SIGINT or
 * SIGTERM, then disconnect every client and deregister.  SIGHUP reloads
 * the config file (regions added and removed).  Once every region is
 * registered the server owns them (it closes them, the caller's slots are
 * set to NULL); when registration fails they stay the caller's.  0 after a
 * clean stop; a negative errno when start-up failed (reason logged) or the
 * device went away.
 */
int pmrd_server_run(const struct pmrd_conf *conf, struct pmrd_region **regions,
		    size_t n);

/* What the admin socket shows of the server (status). */
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
	const char *keys;	    /* the key strategy in force (keys.h) */
	const struct pmrd_async *async; /* port state, events (async_event.h) */
};

/* Read-only accessors for the admin socket (daemon/admin_view.c). */
void pmrd_server_info(const struct pmrd_server *s,
		      struct pmrd_server_info *ret);
size_t pmrd_server_export_count(const struct pmrd_server *s);
/* pmrd_server_export_at -- the Ith export, NULL past the end */
const struct pmrd_export *pmrd_server_export_at(const struct pmrd_server *s,
						size_t i);
/* pmrd_server_auth -- the allow/psk rules in force (auth.h), or NULL */
const struct pmrd_auth *pmrd_server_auth(const struct pmrd_server *s);
/* pmrd_server_export_state -- "serving" (or "removed": draining) */
const char *pmrd_server_export_state(const struct pmrd_export *ex);
/* pmrd_server_clients -- newest first: hlist_for_each_entry over ->link */
const struct hlist_head *pmrd_server_clients(const struct pmrd_server *s);

#endif
