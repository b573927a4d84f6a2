/* SPDX-License-Identifier: BSD-3-Clause */
/* conn.h -- a connection's transport, set up and released (conn.c) */
#ifndef PMR_CLIENT_CONN_H
#define PMR_CLIENT_CONN_H

#include "internal.h"

/* pmr_conn_setup -- connect CONN (zeroed but for its cfg) to HOST:PORT:
 * rdmacm id, PD, CQ, QP, buffers, hello/welcome, fds.  On failure the
 * caller releases what exists with pmr_conn_release. */
int pmr_conn_setup(struct pmr_conn *conn, const char *host, const char *port);
/* pmr_conn_release -- free CONN's transport (not CONN, its cfg, its lists,
 * host and port) */
void pmr_conn_release(struct pmr_conn *conn);

#endif
