/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_req.h -- the admin socket's request language (pure C, no libev, no
 * verbs: the fuzz target links this alone).
 *
 * A request is one line of at most PMRD_ADMIN_REQ_MAX bytes, newline
 * included: a verb and up to PMRD_ADMIN_ARGS_MAX arguments separated by
 * single or repeated blanks, printable ASCII only:
 *
 *     status
 *     list-regions
 *     list-clients
 *
 * Each request is answered by one line of JSON (see admin.h).
 */
#ifndef PMRD_ADMIN_REQ_H
#define PMRD_ADMIN_REQ_H

#include <stddef.h>

#define PMRD_ADMIN_REQ_MAX  256 /* bytes of one request line, '\n' included */
#define PMRD_ADMIN_ARGS_MAX 4
#define PMRD_ADMIN_WORD_MAX 64 /* bytes of one word, without NUL */

enum pmrd_admin_verb {
	PMRD_ADMIN_STATUS = 1,
	PMRD_ADMIN_LIST_REGIONS,
	PMRD_ADMIN_LIST_CLIENTS,
};

struct pmrd_admin_req {
	enum pmrd_admin_verb verb;
	unsigned n_args;
	char args[PMRD_ADMIN_ARGS_MAX][PMRD_ADMIN_WORD_MAX + 1];
};

/*
 * pmrd_admin_req_parse -- parse LINE of LEN bytes (without the '\n'; a
 * trailing '\r' is tolerated).  0 and *ret filled; -EINVAL for bytes that
 * are not printable ASCII or an empty line, -E2BIG for a line, word or
 * argument list over the limits, -EOPNOTSUPP for an unknown verb, -EINVAL
 * for arguments to a verb that takes none.  *ret untouched on failure;
 * ERR_TEXT (if not NULL, CAP bytes) gets the reason for the peer.
 */
int pmrd_admin_req_parse(const char *line, size_t len,
			 struct pmrd_admin_req *ret, char *err_text,
			 size_t cap);

/* pmrd_admin_verb_name -- "list-regions" for PMRD_ADMIN_LIST_REGIONS */
const char *pmrd_admin_verb_name(enum pmrd_admin_verb verb);

#endif
