/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.c -- pre-shared keys: where the cfg keeps them, the proof an OPEN
 * carries, and the check of the server's proof before a key is used
 *
 * The keys are copied into the cfg (and with it into every connection),
 * so the caller's buffer may go at once; every copy is wiped when its
 * owner is deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "log_cb.h"
#include "psk.h"

/* find_slot -- the slot of REGION ("" = any region), else a free one */
static struct pmr_psk *find_slot(struct pmr_conn_cfg *cfg, const char *region)
{
	struct pmr_psk *free_slot = NULL;

	for (unsigned int i = 0; i < PMR_CFG_PSK_MAX; i++) {
		struct pmr_psk *p = &cfg->psk[i];

		if (p->len && !strcmp(p->region, region))
			return p;
		if (!p->len && !free_slot)
			free_slot = p;
	}
	return free_slot;
}

/* pmr_conn_cfg_set_psk -- see libpmr.h */
int pmr_conn_cfg_set_psk(struct pmr_conn_cfg *cfg, const char *region,
			 const void *key, size_t len)
{
	struct pmr_psk *p;

	if (!cfg || !key || len < PMR_PSK_MIN || len > PMR_PSK_MAX)
		return -EINVAL;
	if (!region)
		region = "";
	if (strlen(region) > PMR_NAME_MAX)
		return -ENAMETOOLONG;
	p = find_slot(cfg, region);
	if (!p)
		return -ENOSPC;
	pmr_secret_wipe(p, sizeof(*p));
	strcpy(p->region, region);
	memcpy(p->key, key, len);
	p->len = len;
	return 0;
}

/* pmr_conn_cfg_set_psk_file -- see libpmr.h */
int pmr_conn_cfg_set_psk_file(struct pmr_conn_cfg *cfg, const char *region,
			      const char *path)
{
	char buf[4 * PMR_PSK_MAX + 1];
	uint8_t key[PMR_PSK_MAX];
	ssize_t n;
	size_t len;
	int fd, rc;

	if (!cfg || !path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	len = (size_t)n < sizeof(buf) ? pmr_psk_decode(buf, (size_t)n, key) : 0;
	rc = pmr_conn_cfg_set_psk(cfg, region, key, len);
	pmr_secret_wipe(buf, sizeof(buf));
	pmr_secret_wipe(key, sizeof(key));
	return rc;
}

/* pmr_cfg_wipe_psks -- see internal.h */
void pmr_cfg_wipe_psks(struct pmr_conn_cfg *cfg)
{
	pmr_secret_wipe(cfg->psk, sizeof(cfg->psk));
}

/* key_for -- CONN's key for region NAME: its own, else the any-region one */
static const struct pmr_psk *key_for(const struct pmr_conn *conn,
				     const char *name)
{
	const struct pmr_psk *any = NULL;

	for (unsigned int i = 0; i < PMR_CFG_PSK_MAX; i++) {
		const struct pmr_psk *p = &conn->cfg.psk[i];

		if (!p->len)
			continue;
		if (!strcmp(p->region, name))
			return p;
		if (!p->region[0])
			any = p;
	}
	return any;
}

/* pmr_auth_prove_open -- see internal.h */
int pmr_auth_prove_open(struct pmr_conn *conn, struct pmr_open_req *req)
{
	const struct pmr_psk *k = key_for(conn, req->name);

	req->has_proof = 0;
	if (!k)
		return 0;
	if (conn->version < PMR_PROTO_VERSION_AUTH) {
		pmr_err("open %s: the server speaks protocol %u, which has "
			"no PSK proofs",
			req->name, conn->version);
		return PMR_E_DENIED;
	}
	if (pmr_proof_client(k->key, k->len, conn->cnonce, conn->snonce,
			     conn->version, req, req->proof))
		return PMR_E_UNKNOWN;
	req->has_proof = 1;
	return 0;
}

/* pmr_auth_check_open -- see internal.h */
int pmr_auth_check_open(struct pmr_conn *conn, const struct pmr_open_req *req,
			const struct pmr_open_resp *resp)
{
	const struct pmr_psk *k;
	uint8_t want[PMR_PROOF_SIZE];
	bool good;

	if (!req->has_proof)
		return 0;
	k = key_for(conn, req->name);
	if (!k || !resp->has_proof) {
		pmr_err("open %s: the server sent no proof of the key",
			req->name);
		return PMR_E_AUTH;
	}
	if (pmr_proof_server(k->key, k->len, conn->cnonce, conn->snonce,
			     conn->version, req, resp, want))
		return PMR_E_UNKNOWN;
	good = pmr_proof_equal(want, resp->proof);
	pmr_secret_wipe(want, sizeof(want));
	if (!good) {
		pmr_err("open %s: the server's proof of the key is wrong",
			req->name);
		return PMR_E_AUTH;
	}
	return 0;
}
