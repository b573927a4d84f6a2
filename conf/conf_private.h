/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_private.h -- helpers shared by the conf/ sources and their unit tests
 *
 * The value parsers return a short reason next to the errno so that the
 * messages in pmrd.conf diagnostics say what is wrong, not just "invalid".
 */
#ifndef PMRD_CONF_PRIVATE_H
#define PMRD_CONF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmrd_conf.h"

/* longest sun_path an AF_UNIX socket takes, without the NUL */
#define PMRD_ADMIN_SOCKET_MAX 107

/* biggest pmrd.conf we read; real ones are a few KiB */
#define PMRD_CONF_FILE_MAX (1024 * 1024)

/* conf_size_parse -- pmrd_size_parse plus a reason on failure */
int conf_size_parse(const char *s, uint64_t *ret, const char **why);

/* conf_listen_parse -- pmrd_listen_parse plus a reason on failure */
int conf_listen_parse(const char *s, char **ret_host, uint16_t *ret_port,
		      const char **why);

/* conf_path_normalize -- malloc'ed lexical normal form of an absolute path */
int conf_path_normalize(const char *path, char **ret, const char **why);

/* conf_path_is_devdax -- does a normalized path name a /dev/dax* device? */
bool conf_path_is_devdax(const char *path);

/* conf_bool_parse -- yes|no|true|false|on|off|1|0, any case */
int conf_bool_parse(const char *s, bool *ret);

/* conf_uint_parse -- a decimal integer in [min, max], no sign, no junk */
int conf_uint_parse(const char *s, unsigned min, unsigned max, unsigned *ret);

/* conf_cidr_parse -- one "addr" or "addr/prefix" (IPv4 or IPv6) */
int conf_cidr_parse(const char *s, struct pmrd_cidr *ret, const char **why);

/*
 * conf_allow_parse -- a comma- and/or space-separated list of rules into a
 * malloc'ed array; on failure BAD (BAD_CAP bytes) gets the entry at fault
 */
int conf_allow_parse(const char *s, struct pmrd_cidr **ret, size_t *ret_n,
		     char *bad, size_t bad_cap, const char **why);

/*
 * conf_psk_read -- the key in PATH (hex or raw, 16..64 bytes; a regular
 * file, not a symbolic link, owned by root or the calling user, without
 * group/other permissions) into KEY (PMRD_PSK_MAX bytes)
 */
int conf_psk_read(const char *path, uint8_t *key, size_t *ret_len,
		  const char **why);

/* conf_psk_wipe -- clear R's key bytes */
void conf_psk_wipe(struct pmrd_region_conf *r);

/* conf_region_free_fields -- free what R owns (path, rules, key) */
void conf_region_free_fields(struct pmrd_region_conf *r);

/* conf_region_name_valid -- 1..63 bytes of [A-Za-z0-9_.-] */
bool conf_region_name_valid(const char *name, size_t len);

#endif
