/* SPDX-License-Identifier: BSD-3-Clause */
/* admin_io.h -- pmrctl's side of the admin socket: one request, one answer */
#ifndef PMRCTL_ADMIN_IO_H
#define PMRCTL_ADMIN_IO_H

#include <json-c/json.h>

#define PMRCTL_ANSWER_MAX (16u << 20) /* bytes of one JSON answer */

/*
 * admin_call -- connect to the admin socket PATH, send the request line
 * VERB, read one line of JSON within TIMEOUT_MS and parse it into *ret.
 * -ENOENT/-ECONNREFUSED/-EACCES: no daemon there (or not allowed);
 * -ETIMEDOUT; -EMSGSIZE: answer over PMRCTL_ANSWER_MAX; -EPROTO: not JSON.
 */
int admin_call(const char *path, const char *verb, int timeout_ms,
	       struct json_object **ret);

#endif
