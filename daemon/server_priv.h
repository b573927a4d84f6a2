/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server_priv.h -- the server's state, shared by server.c (rdmacm, signals,
 * the loop), reload.c (SIGHUP) and admin_view.c (the admin socket's
 * answers); nothing else looks inside.
 */
#ifndef PMRD_SERVER_PRIV_H
#define PMRD_SERVER_PRIV_H

#include <stdbool.h>
#include <time.h>

#include <ev.h>

#include "admin.h"
#include "device.h"
#include "endpoint.h"
#include "peer_log.h"
#include "region_mr.h"
#include "server.h"
#include "work.h"

/* A reload whose new regions are prepared off the loop (reload.c). */
struct pmrd_reload {
	struct pmrd_work work; /* prepares and registers the new regions */
	struct pmrd_conf *nc;  /* the file being applied */
	const struct pmrd_region_conf **add; /* the regions to add */
	struct pmrd_export **added; /* per region: its export, NULL: failed */
	int *err;		    /* per region: why it failed */
	size_t n_add;
	unsigned removed, refused, failed;
	bool again; /* a SIGHUP came meanwhile: reload once more */
};

struct pmrd_server {
	struct ev_loop *loop;
	const struct pmrd_conf *conf;
	struct pmrd_device *dev;
	struct pmrd_export **exports; /* served: OPEN finds these */
	size_t n_exports;
	struct pmrd_export **draining; /* removed by a reload, still open */
	size_t n_draining;
	ev_check drain_watcher;
	struct pmrd_reload reload;
	bool owns_regions; /* exports' regions are ours to close */
	struct pmrd_client_env env;
	ev_io cm_watcher;
	ev_signal sigint, sigterm, sighup;
#ifdef PMRD_FAULT_INJECTION
	ev_signal sigusr2; /* synthesized async events (fault_async.c) */
#endif
	ev_timer stop_timer;
	struct pmrd_peer_log peer_log; /* peers that never got connected */
	struct pmrd_admin *admin;
	time_t started;
	bool stopping;
	int result;
};

/*
 * pmrd_server_reload -- SIGHUP: read the config file again; prepare and
 * export new regions, stop offering removed ones (released when their
 * last handle closes), refuse changed ones with the reason logged.  A file
 * with errors changes nothing.  sd_notify RELOADING=1 ... READY=1.  New
 * regions are prepared and registered on a worker thread; they are
 * offered (and READY=1 sent) once all are done, the loop serving
 * meanwhile.  A SIGHUP during that is applied after it.
 */
void pmrd_server_reload(struct pmrd_server *s);

/* pmrd_server_release_all -- at exit: a reload in progress finished, then
 * every export (draining ones too) deregistered, and the regions closed
 * where the server owns them */
void pmrd_server_release_all(struct pmrd_server *s);

/* pmrd_server_admin_handle -- the admin socket's answers (admin_view.c);
 * ARG is the struct pmrd_server */
pmrd_admin_handler_fn pmrd_server_admin_handle;

#endif
