/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg.c -- connection configuration: an opaque bag of checked setters */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* pmr_cfg_defaults -- the values a NULL cfg means */
void pmr_cfg_defaults(struct pmr_conn_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 5000;
	cfg->credits = 4;
	cfg->sq_depth = 128;
	cfg->spin_us = 200;
	cfg->bounce_size = 1u << 20;
	cfg->max_wr_size = 0;
	cfg->reconnect_tries = 5;
	cfg->reconnect_backoff_ms = 100;
}

/* pmr_conn_cfg_new -- a configuration holding the defaults */
int pmr_conn_cfg_new(struct pmr_conn_cfg **ret)
{
	struct pmr_conn_cfg *cfg;

	if (!ret)
		return -EINVAL;
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	pmr_cfg_defaults(cfg);
	*ret = cfg;
	return 0;
}

/* pmr_conn_cfg_delete -- free *CFG and clear it */
void pmr_conn_cfg_delete(struct pmr_conn_cfg **cfg)
{
	if (!cfg)
		return;
	if (*cfg)
		pmr_cfg_wipe_psks(*cfg);
	free(*cfg);
	*cfg = NULL;
}

/* pmr_conn_cfg_set_timeout -- see libpmr.h */
int pmr_conn_cfg_set_timeout(struct pmr_conn_cfg *cfg, unsigned int ms)
{
	/* 0 would fail every call; a day is more than any RDMA timeout */
	if (!cfg || ms == 0 || ms > 86400000u)
		return -EINVAL;
	cfg->timeout_ms = ms;
	return 0;
}

/* pmr_conn_cfg_set_credits -- see libpmr.h */
int pmr_conn_cfg_set_credits(struct pmr_conn_cfg *cfg, unsigned int credits)
{
	if (!cfg || credits < 1 || credits > 64)
		return -EINVAL;
	cfg->credits = credits;
	return 0;
}

/* pmr_conn_cfg_set_sq_depth -- see libpmr.h */
int pmr_conn_cfg_set_sq_depth(struct pmr_conn_cfg *cfg, unsigned int depth)
{
	if (!cfg || depth < 16 || depth > 4096)
		return -EINVAL;
	cfg->sq_depth = depth;
	return 0;
}

/* pmr_conn_cfg_set_bounce_size -- see libpmr.h */
int pmr_conn_cfg_set_bounce_size(struct pmr_conn_cfg *cfg, size_t bytes)
{
	if (!cfg || bytes < 4096 || bytes > (1ul << 30))
		return -EINVAL;
	cfg->bounce_size = bytes;
	return 0;
}

/* pmr_conn_cfg_set_max_wr_size -- see libpmr.h */
int pmr_conn_cfg_set_max_wr_size(struct pmr_conn_cfg *cfg, size_t bytes)
{
	if (!cfg || (bytes != 0 && (bytes < 64 || bytes > (1ul << 31))))
		return -EINVAL;
	cfg->max_wr_size = bytes;
	return 0;
}

/* pmr_conn_cfg_set_spin_us -- see libpmr.h */
int pmr_conn_cfg_set_spin_us(struct pmr_conn_cfg *cfg, unsigned int us)
{
	if (!cfg || us > 1000000u)
		return -EINVAL;
	cfg->spin_us = us;
	return 0;
}

/* pmr_conn_cfg_set_reconnect -- see libpmr.h */
int pmr_conn_cfg_set_reconnect(struct pmr_conn_cfg *cfg, unsigned int tries,
			       unsigned int backoff_ms)
{
	/* 0 tries would make pmr_conn_reconnect a no-op that still fails */
	if (!cfg || tries < 1 || tries > PMR_RECONNECT_TRIES_MAX ||
	    backoff_ms > PMR_RECONNECT_BACKOFF_CAP_MS)
		return -EINVAL;
	cfg->reconnect_tries = tries;
	cfg->reconnect_backoff_ms = backoff_ms;
	return 0;
}
