/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open_auth.c -- allow lists and PSK proofs at OPEN (see open_auth.h)
 *
 * The order of the checks is the order of cost and of what they reveal:
 * the address first (a peer outside the list learns nothing about keys),
 * then the proof.  The caller answers PMR_ST_DENIED naming the region only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "open_auth.h"
#include "proof.h"

/* pmrd_auth_new -- see open_auth.h */
int pmrd_auth_new(const struct pmrd_conf *conf, struct pmrd_auth **ret)
{
	struct pmrd_auth *a;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (conf->n_regions) {
		a->regions = calloc(conf->n_regions, sizeof(*a->regions));
		if (!a->regions)
			goto out_delete;
	}
	for (size_t i = 0; i < conf->n_regions; i++) {
		const struct pmrd_region_conf *rc = &conf->regions[i];
		struct pmrd_auth_region *r = &a->regions[a->n];

		if (!rc->n_allow && !rc->psk_len)
			continue;
		snprintf(r->name, sizeof(r->name), "%s", rc->name);
		if (rc->n_allow) {
			r->allow = calloc(rc->n_allow, sizeof(*r->allow));
			if (!r->allow)
				goto out_delete;
			memcpy(r->allow, rc->allow,
			       rc->n_allow * sizeof(*r->allow));
			r->n_allow = rc->n_allow;
		}
		memcpy(r->psk, rc->psk, rc->psk_len);
		r->psk_len = rc->psk_len;
		a->n++;
	}
	*ret = a;
	return 0;

out_delete:
	pmrd_auth_delete(&a);
	return -ENOMEM;
}

/* pmrd_auth_delete -- see open_auth.h */
void pmrd_auth_delete(struct pmrd_auth **ap)
{
	struct pmrd_auth *a;

	if (!ap || !*ap)
		return;
	a = *ap;
	for (size_t i = 0; i < a->n; i++) {
		free(a->regions[i].allow);
		pmr_secret_wipe(a->regions[i].psk, sizeof(a->regions[i].psk));
	}
	free(a->regions);
	free(a);
	*ap = NULL;
}

/* pmrd_auth_find -- see open_auth.h */
const struct pmrd_auth_region *pmrd_auth_find(const struct pmrd_auth *a,
					      const char *name)
{
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(a->regions[i].name, name))
			return &a->regions[i];
	return NULL;
}

/* peer_bytes -- SA (AF_INET/AF_INET6) as 16 bytes; false if neither */
static bool peer_bytes(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &in->sin_addr, 4);
		return true;
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		memcpy(out, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

/* pmrd_auth_conn_start -- see open_auth.h */
int pmrd_auth_conn_start(struct pmrd_auth_conn *ac,
			 struct pmrd_auth *const *table,
			 const struct sockaddr *peer, const uint8_t *cnonce)
{
	struct pmrd_auth_conn c;

	memset(&c, 0, sizeof(c));
	c.table = table;
	c.have_peer = peer_bytes(peer, c.peer);
	if (pmr_nonce_new(c.snonce))
		return -EIO;
	if (cnonce) {
		memcpy(c.cnonce, cnonce, PMR_NONCE_SIZE);
		c.nonces = true;
	}
	*ac = c;
	return 0;
}

/* rules -- the rules of NAME under AC, NULL when none */
static const struct pmrd_auth_region *rules(const struct pmrd_auth_conn *ac,
					    const char *name)
{
	if (!ac->table || !*ac->table)
		return NULL;
	return pmrd_auth_find(*ac->table, name);
}

/* addr_ok -- R's allow list lets AC's peer in */
static bool addr_ok(const struct pmrd_auth_conn *ac,
		    const struct pmrd_auth_region *r)
{
	if (!r || !r->n_allow)
		return true;
	return ac->have_peer &&
	       pmrd_allow_match(r->allow, r->n_allow, ac->peer);
}

/* pmrd_auth_may_list -- see open_auth.h */
bool pmrd_auth_may_list(const struct pmrd_auth_conn *ac, const char *name)
{
	return addr_ok(ac, rules(ac, name));
}

/* pmrd_auth_check_open -- see open_auth.h */
enum pmrd_auth_verdict pmrd_auth_check_open(struct pmrd_auth_conn *ac,
					    uint16_t version,
					    const struct pmr_open_req *req)
{
	const struct pmrd_auth_region *r = rules(ac, req->name);
	uint8_t want[PMR_PROOF_SIZE];
	bool good;

	if (!addr_ok(ac, r))
		return PMRD_AUTH_DENIED_ADDR;
	if (!r || !r->psk_len)
		return PMRD_AUTH_OK;
	if (!ac->nonces || !req->has_proof) {
		ac->failed++;
		return PMRD_AUTH_NO_PROOF;
	}
	if (pmr_proof_client(r->psk, r->psk_len, ac->cnonce, ac->snonce,
			     version, req, want))
		return PMRD_AUTH_ERROR;
	good = pmr_proof_equal(want, req->proof);
	pmr_secret_wipe(want, sizeof(want));
	if (!good) {
		ac->failed++;
		return PMRD_AUTH_BAD_PROOF;
	}
	return PMRD_AUTH_OK;
}

/* pmrd_auth_sign_open -- see open_auth.h */
int pmrd_auth_sign_open(const struct pmrd_auth_conn *ac, uint16_t version,
			const struct pmr_open_req *req,
			struct pmr_open_resp *resp)
{
	const struct pmrd_auth_region *r = rules(ac, req->name);
	int err;

	if (!r || !r->psk_len || !req->has_proof)
		return 0;
	err = pmr_proof_server(r->psk, r->psk_len, ac->cnonce, ac->snonce,
			       version, req, resp, resp->proof);
	if (err)
		return err;
	resp->has_proof = 1;
	return 0;
}
