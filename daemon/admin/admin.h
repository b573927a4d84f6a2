/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin.h -- the admin socket: a UNIX stream socket served from the
 * daemon's libev loop, one request line in (admin_req.h), one line of JSON
 * out per request:
 *
 *     {"ok":true,"regions":[...]}
 *     {"ok":false,"errno":95,"error":"unknown request 'x'"}
 *
 * A connection may send any number of requests; a bad one gets an error
 * response and the connection stays; an over-long line is answered with
 * E2BIG and the rest of it dropped.  Limits: PMRD_ADMIN_CONNS_MAX
 * connections, PMRD_ADMIN_IDLE_S seconds of silence, PMRD_ADMIN_REQ_MAX
 * bytes per request.
 */
#ifndef PMRD_ADMIN_H
#define PMRD_ADMIN_H

#include <ev.h>
#include <json-c/json.h>

#include "admin_req.h"

#define PMRD_ADMIN_CONNS_MAX 16
#define PMRD_ADMIN_IDLE_S    30.0
#define PMRD_ADMIN_MODE	     0660

struct pmrd_admin;

/*
 * Answers REQ by adding members to RESP (an object; "ok" is added by the
 * caller).  0, or a negative errno with *ERR_TEXT set to a static string.
 */
typedef int pmrd_admin_handler_fn(void *arg, const struct pmrd_admin_req *req,
				  struct json_object *resp,
				  const char **err_text);

/*
 * pmrd_admin_new -- create the socket at PATH (a stale socket file is
 * replaced, anything else there is an error), mode 0660, and serve it on
 * LOOP with HANDLER.  Negative errno with the reason logged.
 */
int pmrd_admin_new(struct ev_loop *loop, const char *path,
		   pmrd_admin_handler_fn *handler, void *arg,
		   struct pmrd_admin **ret);

/* pmrd_admin_delete -- close every connection, unlink the socket; NULL ok */
void pmrd_admin_delete(struct pmrd_admin **admin);

#endif
