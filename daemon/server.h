/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.h -- the daemon's data path: register the regions on the RDMA
 * device that serves the listen address and serve clients over rdmacm from
 * a libev loop until SIGINT/SIGTERM.
 */
#ifndef PMRD_SERVER_H
#define PMRD_SERVER_H

#include <stddef.h>

#include "pmrd_conf.h"

struct pmrd_region;

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

#endif
