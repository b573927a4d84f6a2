/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open_auth.h -- who may open a region: allow lists (by the rdmacm peer
 * address) and PSK proofs (HMAC-SHA256 over both connection nonces)
 *
 * The rules live in a table built from the config (pmrd_auth_new) and
 * replaced as a whole on reload; each session keeps a pointer to the
 * server's pointer, so a reload applies to the next OPEN of every client.
 * Verbs-free: the session unit tests and the fuzz target drive it.
 */
#ifndef PMRD_OPEN_AUTH_H
#define PMRD_OPEN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmr_proto.h"
#include "pmrd_conf.h"

/* failed proofs a connection may send before it is disconnected */
#define PMRD_AUTH_MAX_FAILS 3

struct sockaddr;

struct pmrd_auth_region {
	char name[PMRD_REGION_NAME_MAX + 1];
	struct pmrd_cidr *allow; /* NULL: everyone */
	size_t n_allow;
	uint8_t psk[PMRD_PSK_MAX];
	size_t psk_len; /* 0: no proof needed */
};

struct pmrd_auth {
	struct pmrd_auth_region *regions;
	size_t n;
};

/* One connection's view: its peer address and the two nonces. */
struct pmrd_auth_conn {
	struct pmrd_auth *const *table; /* NULL or *NULL: no rules at all */
	uint8_t peer[16];		/* IPv6, or IPv4 as ::ffff:a.b.c.d */
	bool have_peer;
	bool nonces; /* version >= 2: cnonce and snonce are set */
	uint8_t cnonce[PMR_NONCE_SIZE];
	uint8_t snonce[PMR_NONCE_SIZE];
	unsigned failed; /* PSK proofs that did not verify */
};

enum pmrd_auth_verdict {
	PMRD_AUTH_OK = 0,
	PMRD_AUTH_DENIED_ADDR, /* peer not in the region's allow list */
	PMRD_AUTH_NO_PROOF,    /* PSK region, no proof sent (or v1 client) */
	PMRD_AUTH_BAD_PROOF,   /* PSK region, the proof does not verify */
	PMRD_AUTH_ERROR,       /* libcrypto failed */
};

/*
 * pmrd_auth_new -- the rules of every region in CONF (copied: the table
 * outlives the conf).  Negative errno; *ret untouched on failure.
 */
int pmrd_auth_new(const struct pmrd_conf *conf, struct pmrd_auth **ret);

/* pmrd_auth_delete -- wipe the keys, free, NULL the pointer; NULL is ok */
void pmrd_auth_delete(struct pmrd_auth **a);

/* pmrd_auth_find -- the rules of region NAME, NULL when it has none */
const struct pmrd_auth_region *pmrd_auth_find(const struct pmrd_auth *a,
					      const char *name);

/*
 * pmrd_auth_conn_start -- set up AC for a new connection: TABLE (may be
 * NULL), the rdmacm PEER address (NULL: unknown, which no allow list
 * matches), the hello's CNONCE (NULL for a version 1 client: no PSK
 * region can be opened) and a fresh server nonce for the welcome.
 * 0, or -EIO when no random nonce could be had.
 */
int pmrd_auth_conn_start(struct pmrd_auth_conn *ac,
			 struct pmrd_auth *const *table,
			 const struct sockaddr *peer, const uint8_t *cnonce);

/* pmrd_auth_may_list -- may AC's peer see region NAME (allow list only) */
bool pmrd_auth_may_list(const struct pmrd_auth_conn *ac, const char *name);

/*
 * pmrd_auth_check_open -- may AC open REQ's region: the allow list, then
 * the proof when the region has a PSK, in the form of the connection's
 * VERSION (proto/proof.h).  A bad proof counts in ac->failed.
 */
enum pmrd_auth_verdict pmrd_auth_check_open(struct pmrd_auth_conn *ac,
					    uint16_t version,
					    const struct pmr_open_req *req);

/*
 * pmrd_auth_sign_open -- the server's proof (of VERSION) into RESP when
 * REQ's region has a PSK (and REQ carried a proof, checked before); 0 or
 * negative errno.
 */
int pmrd_auth_sign_open(const struct pmrd_auth_conn *ac, uint16_t version,
			const struct pmr_open_req *req,
			struct pmr_open_resp *resp);

#endif
