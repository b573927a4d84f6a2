/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * settings.c -- what each key of [pmrd] and [region NAME] means: the key
 * tables, their values, the region defaults, and the checks that need the
 * whole file (required keys)
 *
 * Keys are case-sensitive and may be given once per section; a second one
 * is an error rather than "last wins", because in a config that decides
 * which persistent memory is exported a silent override is a trap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_parser.h"
#include "conf_private.h"
#include "log.h"

#define MAX_CLIENTS_LIMIT	     4096
#define MAX_REGIONS_PER_CLIENT_LIMIT PMRD_MAX_REGIONS
#define MAX_OUTSTANDING_LIMIT	     256
#define MAX_HANDLES_LIMIT	     (1u << 20)
#define CLIENT_MEMORY_MIN	     (16ull << 10)
#define CLIENT_MEMORY_MAX	     (16ull << 30)
#define BUSY_POLL_US_MAX	     10000

enum pmrd_key {
	PMRD_KEY_LISTEN,
	PMRD_KEY_ADMIN_SOCKET,
	PMRD_KEY_LOG_LEVEL,
	PMRD_KEY_MAX_CLIENTS,
	PMRD_KEY_MAX_REGIONS_PER_CLIENT,
	PMRD_KEY_MAX_OUTSTANDING,
	PMRD_KEY_MAX_HANDLES,
	PMRD_KEY_MAX_MSG,
	PMRD_KEY_MAX_CLIENT_MEMORY,
	PMRD_KEY_BUSY_POLL_US,
	PMRD_KEY_ACCEPT_TIMEOUT_MS,
	PMRD_KEY_KEYS,
	PMRD_KEY_STATE_DIR,
};

enum region_key {
	REGION_KEY_PATH,
	REGION_KEY_SIZE,
	REGION_KEY_ACCESS,
	REGION_KEY_PERSISTENT,
	REGION_KEY_PDOMAIN,
	REGION_KEY_ALLOW,
	REGION_KEY_PSK_FILE,
};

/* conf_bad_value -- "bad KEY 'VALUE': WHY", with a hint for '#' comments */
static int conf_bad_value(struct conf_parser *p, const char *key,
			  const char *value, const char *why)
{
	const char *hash = strchr(value, '#');
	bool hint = hash && hash > value &&
		    (hash[-1] == ' ' || hash[-1] == '\t');

	conf_error(p, p->line, "bad %s '%s': %s%s", key, value, why,
		   hint ? " (inline comments start with ';', not '#')" : "");
	return -EINVAL;
}

/* set_listen -- "listen": numeric address, optional port */
static int set_listen(struct conf_parser *p, const char *key, const char *v)
{
	struct pmrd_conf *c = p->conf;
	const char *why;
	int ret;

	ret = conf_listen_parse(v, &c->listen_host, &c->listen_port, &why);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return conf_bad_value(p, key, v, why);
	return 0;
}

/* set_admin_socket -- "admin_socket": an absolute path that fits sun_path */
static int set_admin_socket(struct conf_parser *p, const char *key,
			    const char *v)
{
	if (v[0] != '/')
		return conf_bad_value(p, key, v, "must be an absolute path");
	if (strlen(v) > PMRD_ADMIN_SOCKET_MAX)
		return conf_bad_value(
			p, key, v,
			"too long for a unix socket (at most 107 bytes)");
	p->conf->admin_socket = strdup(v);
	return p->conf->admin_socket ? 0 : -ENOMEM;
}

/*
 * set_state_dir -- "state_dir": an absolute path (normalized), where the
 * regions' fencing generations are kept
 */
static int set_state_dir(struct conf_parser *p, const char *key, const char *v)
{
	const char *why;
	char *dir;
	int ret = conf_path_normalize(v, &dir, &why);

	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return conf_bad_value(p, key, v, why);
	free(p->conf->state_dir);
	p->conf->state_dir = dir;
	return 0;
}

/* set_log_level -- "log_level": err|warning|notice|info|debug */
static int set_log_level(struct conf_parser *p, const char *key, const char *v)
{
	if (pmrd_log_level_parse(v, &p->conf->log_level))
		return conf_bad_value(
			p, key, v,
			"expected err, warning, notice, info or debug");
	return 0;
}

/* set_limit -- one of the max_* keys into *OUT, 1..MAX */
static int set_limit(struct conf_parser *p, const char *key, const char *v,
		     unsigned max, unsigned *out)
{
	char why[64];

	if (conf_uint_parse(v, 1, max, out)) {
		snprintf(why, sizeof(why), "expected an integer 1..%u", max);
		return conf_bad_value(p, key, v, why);
	}
	return 0;
}

/* set_max_clients -- "max_clients" */
static int set_max_clients(struct conf_parser *p, const char *key,
			   const char *v)
{
	return set_limit(p, key, v, MAX_CLIENTS_LIMIT,
			 &p->conf->limits.max_clients);
}

/* set_max_regions_per_client -- "max_regions_per_client" */
static int set_max_regions_per_client(struct conf_parser *p, const char *key,
				      const char *v)
{
	return set_limit(p, key, v, MAX_REGIONS_PER_CLIENT_LIMIT,
			 &p->conf->limits.max_regions_per_client);
}

/* set_max_outstanding -- "max_outstanding" */
static int set_max_outstanding(struct conf_parser *p, const char *key,
			       const char *v)
{
	return set_limit(p, key, v, MAX_OUTSTANDING_LIMIT,
			 &p->conf->limits.max_outstanding);
}

/* set_max_handles -- "max_handles": open handles of all clients together */
static int set_max_handles(struct conf_parser *p, const char *key,
			   const char *v)
{
	return set_limit(p, key, v, MAX_HANDLES_LIMIT,
			 &p->conf->limits.max_handles);
}

/*
 * set_busy_poll_us -- "busy_poll_us": how long pmrd keeps polling a
 * client's CQ after its last completion, 0 (never) to BUSY_POLL_US_MAX
 */
static int set_busy_poll_us(struct conf_parser *p, const char *key,
			    const char *v)
{
	char why[64];

	if (conf_uint_parse(v, 0, BUSY_POLL_US_MAX,
			    &p->conf->limits.busy_poll_us)) {
		snprintf(why, sizeof(why), "expected microseconds 0..%u",
			 BUSY_POLL_US_MAX);
		return conf_bad_value(p, key, v, why);
	}
	return 0;
}

/*
 * set_accept_timeout_ms -- "accept_timeout_ms": how long a connection may
 * stay accepted without being established (the peer's RTU)
 */
static int set_accept_timeout_ms(struct conf_parser *p, const char *key,
				 const char *v)
{
	char why[64];

	if (conf_uint_parse(v, PMRD_ACCEPT_TIMEOUT_MS_MIN,
			    PMRD_ACCEPT_TIMEOUT_MS_MAX,
			    &p->conf->limits.accept_timeout_ms)) {
		snprintf(why, sizeof(why), "expected milliseconds %u..%u",
			 PMRD_ACCEPT_TIMEOUT_MS_MIN,
			 PMRD_ACCEPT_TIMEOUT_MS_MAX);
		return conf_bad_value(p, key, v, why);
	}
	return 0;
}

/* set_keys -- "keys": auto | mw2 | mr-per-client | shared-mr */
static int set_keys(struct conf_parser *p, const char *key, const char *v)
{
	static const char *const names[] = {
		[PMRD_CONF_KEYS_AUTO] = "auto",
		[PMRD_CONF_KEYS_MW2] = "mw2",
		[PMRD_CONF_KEYS_MR_PER_CLIENT] = "mr-per-client",
		[PMRD_CONF_KEYS_SHARED_MR] = "shared-mr",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			p->conf->keys = (enum pmrd_conf_keys)i;
			return 0;
		}
	}
	return conf_bad_value(p, key, v,
			      "expected auto, mw2, mr-per-client or shared-mr");
}

/* set_size_limit -- a size key into *OUT, MIN..MAX (RANGE says so) */
static int set_size_limit(struct conf_parser *p, const char *key, const char *v,
			  uint64_t min, uint64_t max, const char *range,
			  uint64_t *out)
{
	const char *why;
	uint64_t n;

	if (conf_size_parse(v, &n, &why))
		return conf_bad_value(p, key, v, why);
	if (n < min || n > max)
		return conf_bad_value(p, key, v, range);
	*out = n;
	return 0;
}

/* set_max_msg -- "max_msg": control message bytes, a size in proto's range */
static int set_max_msg(struct conf_parser *p, const char *key, const char *v)
{
	uint64_t n = 0;
	int err;

	err = set_size_limit(p, key, v, PMRD_MSG_MIN, PMRD_MSG_MAX,
			     "expected 256..4096 bytes", &n);
	if (!err)
		p->conf->limits.max_msg = (unsigned)n;
	return err;
}

/* set_max_client_memory -- "max_client_memory": all clients' buffers */
static int set_max_client_memory(struct conf_parser *p, const char *key,
				 const char *v)
{
	return set_size_limit(p, key, v, CLIENT_MEMORY_MIN, CLIENT_MEMORY_MAX,
			      "expected 16K..16G",
			      &p->conf->limits.max_client_memory);
}

/* set_path -- "path": absolute, normalized, not used by another region */
static int set_path(struct conf_parser *p, const char *key, const char *v)
{
	struct pmrd_conf *c = p->conf;
	const char *why;
	char *path;
	int ret;

	ret = conf_path_normalize(v, &path, &why);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return conf_bad_value(p, key, v, why);
	/* a dropped (scratch) region is not compared: it is already wrong */
	for (size_t i = 0; p->cur != &p->scratch && i < c->n_regions; i++) {
		const struct pmrd_region_conf *o = &c->regions[i];

		if (o == p->cur || !o->path || strcmp(o->path, path))
			continue;
		conf_error(
			p, p->line,
			"path '%s' of [region %s] is already used by [region %s] (line %u)",
			path, p->cur->name, o->name,
			p->region_keys[i].line[REGION_KEY_PATH]);
		break;
	}
	p->cur->path = path;
	return 0;
}

/* set_size -- "size": bytes with an optional K/M/G/T unit */
static int set_size(struct conf_parser *p, const char *key, const char *v)
{
	const char *why;

	if (conf_size_parse(v, &p->cur->size, &why))
		return conf_bad_value(p, key, v, why);
	return 0;
}

/* set_access -- "access": rw | ro */
static int set_access(struct conf_parser *p, const char *key, const char *v)
{
	if (!strcasecmp(v, "rw"))
		p->cur->access = PMRD_ACCESS_RW;
	else if (!strcasecmp(v, "ro"))
		p->cur->access = PMRD_ACCESS_RO;
	else
		return conf_bad_value(p, key, v, "expected rw or ro");
	return 0;
}

/* set_persistent -- "persistent": a boolean */
static int set_persistent(struct conf_parser *p, const char *key, const char *v)
{
	if (conf_bool_parse(v, &p->cur->persistent))
		return conf_bad_value(
			p, key, v,
			"expected yes/no, true/false, on/off or 1/0");
	return 0;
}

/* set_pdomain -- "persistence_domain": auto | cpu-cache */
static int set_pdomain(struct conf_parser *p, const char *key, const char *v)
{
	if (!strcasecmp(v, "auto"))
		p->cur->pdomain = PMRD_PDOMAIN_AUTO;
	else if (!strcasecmp(v, "cpu-cache"))
		p->cur->pdomain = PMRD_PDOMAIN_CPU_CACHE;
	else
		return conf_bad_value(p, key, v, "expected auto or cpu-cache");
	return 0;
}

/* set_allow -- "allow": addresses and CIDR prefixes, IPv4 and IPv6 */
static int set_allow(struct conf_parser *p, const char *key, const char *v)
{
	char bad[64], why_buf[128];
	const char *why;
	int ret;

	ret = conf_allow_parse(v, &p->cur->allow, &p->cur->n_allow, bad,
			       sizeof(bad), &why);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		snprintf(why_buf, sizeof(why_buf), "entry '%s': %s", bad, why);
		return conf_bad_value(p, key, v, why_buf);
	}
	return 0;
}

/* set_psk_file -- "psk_file": read the key now, so errors have a line */
static int set_psk_file(struct conf_parser *p, const char *key, const char *v)
{
	const char *why;
	int ret;

	if (v[0] != '/')
		return conf_bad_value(p, key, v, "must be an absolute path");
	ret = conf_psk_read(v, p->cur->psk, &p->cur->psk_len, &why);
	if (ret)
		return conf_bad_value(p, key, v, why);
	p->cur->psk_file = strdup(v);
	if (!p->cur->psk_file) {
		conf_psk_wipe(p->cur);
		return -ENOMEM;
	}
	return 0;
}

typedef int (*conf_set_fn)(struct conf_parser *p, const char *key,
			   const char *value);

struct conf_key_def {
	const char *name;
	conf_set_fn set;
};

/* indexed by enum pmrd_key */
static const struct conf_key_def pmrd_keys[] = {
	[PMRD_KEY_LISTEN] = { "listen", set_listen },
	[PMRD_KEY_ADMIN_SOCKET] = { "admin_socket", set_admin_socket },
	[PMRD_KEY_LOG_LEVEL] = { "log_level", set_log_level },
	[PMRD_KEY_MAX_CLIENTS] = { "max_clients", set_max_clients },
	[PMRD_KEY_MAX_REGIONS_PER_CLIENT] = { "max_regions_per_client",
					      set_max_regions_per_client },
	[PMRD_KEY_MAX_OUTSTANDING] = { "max_outstanding", set_max_outstanding },
	[PMRD_KEY_MAX_HANDLES] = { "max_handles", set_max_handles },
	[PMRD_KEY_MAX_MSG] = { "max_msg", set_max_msg },
	[PMRD_KEY_MAX_CLIENT_MEMORY] = { "max_client_memory",
					 set_max_client_memory },
	[PMRD_KEY_BUSY_POLL_US] = { "busy_poll_us", set_busy_poll_us },
	[PMRD_KEY_ACCEPT_TIMEOUT_MS] = { "accept_timeout_ms",
					 set_accept_timeout_ms },
	[PMRD_KEY_KEYS] = { "keys", set_keys },
	[PMRD_KEY_STATE_DIR] = { "state_dir", set_state_dir },
};

/* indexed by enum region_key */
static const struct conf_key_def region_keys[] = {
	[REGION_KEY_PATH] = { "path", set_path },
	[REGION_KEY_SIZE] = { "size", set_size },
	[REGION_KEY_ACCESS] = { "access", set_access },
	[REGION_KEY_PERSISTENT] = { "persistent", set_persistent },
	[REGION_KEY_PDOMAIN] = { "persistence_domain", set_pdomain },
	[REGION_KEY_ALLOW] = { "allow", set_allow },
	[REGION_KEY_PSK_FILE] = { "psk_file", set_psk_file },
};

_Static_assert(ARRAY_SIZE(pmrd_keys) <= CONF_KEYS_MAX, "pmrd keys");
_Static_assert(ARRAY_SIZE(region_keys) <= CONF_KEYS_MAX, "region keys");

/* conf_section_keys -- the key table and "seen" lines of the section */
static bool conf_section_keys(struct conf_parser *p,
			      const struct conf_key_def **defs, size_t *n_defs,
			      struct conf_key_lines **lines)
{
	switch (p->sec) {
	case CONF_SEC_PMRD:
		*defs = pmrd_keys;
		*n_defs = ARRAY_SIZE(pmrd_keys);
		*lines = &p->pmrd_keys;
		return true;
	case CONF_SEC_REGION:
		*defs = region_keys;
		*n_defs = ARRAY_SIZE(region_keys);
		*lines = p->cur_keys;
		return true;
	default:
		return false;
	}
}

/* conf_key_lookup -- index of KEY (LEN bytes) in DEFS, N_DEFS if unknown */
static size_t conf_key_lookup(const struct conf_key_def *defs, size_t n_defs,
			      const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < n_defs; i++)
		if (strlen(defs[i].name) == len &&
		    !memcmp(defs[i].name, key, len))
			break;
	return i;
}

/* conf_key_unreadable -- KEY was given on a line already reported */
void conf_key_unreadable(struct conf_parser *p, const char *key, size_t len)
{
	const struct conf_key_def *defs;
	struct conf_key_lines *lines;
	size_t n_defs, i;

	if (!conf_section_keys(p, &defs, &n_defs, &lines))
		return;
	i = conf_key_lookup(defs, n_defs, key, len);
	if (i < n_defs && !lines->line[i])
		lines->line[i] = p->line;
}

/* conf_key -- check and apply one "key = value" of the current section */
void conf_key(struct conf_parser *p, const char *key, const char *value)
{
	const struct conf_key_def *defs;
	struct conf_key_lines *lines;
	size_t n_defs, i;
	int ret;

	if (p->sec == CONF_SEC_SKIP)
		return;
	if (!conf_section_keys(p, &defs, &n_defs, &lines)) {
		conf_error(
			p, p->line,
			"key '%s' outside any section (start with [pmrd] or [region NAME])",
			key);
		return;
	}
	if (!*key) {
		conf_error(p, p->line, "missing key name before '='");
		return;
	}
	i = conf_key_lookup(defs, n_defs, key, strlen(key));
	if (i == n_defs) {
		conf_error(p, p->line, "unknown key '%s' in [%s]", key,
			   p->sec_label);
		return;
	}
	if (lines->line[i]) {
		conf_error(p, p->line,
			   "duplicate key '%s' in [%s] (first at line %u)", key,
			   p->sec_label, lines->line[i]);
		return;
	}
	lines->line[i] = p->line;
	if (!*value) {
		conf_error(p, p->line, "empty value for '%s' in [%s]", key,
			   p->sec_label);
		return;
	}
	ret = defs[i].set(p, key, value);
	if (ret == -ENOMEM)
		p->fatal = ret;
}

/* conf_region_free_fields -- see conf_private.h */
void conf_region_free_fields(struct pmrd_region_conf *r)
{
	free(r->path);
	free(r->allow);
	free(r->psk_file);
	r->path = r->psk_file = NULL;
	r->allow = NULL;
	r->n_allow = 0;
	conf_psk_wipe(r);
}

/* conf_region_init -- a region with its defaults */
void conf_region_init(struct pmrd_region_conf *r, const char *name,
		      size_t name_len, unsigned line)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->name, name, name_len);
	r->name[name_len] = '\0';
	r->access = PMRD_ACCESS_RW;
	r->persistent = true;
	r->pdomain = PMRD_PDOMAIN_AUTO;
	r->line = line;
}

/* conf_check_complete -- required keys, once the whole file is read */
void conf_check_complete(struct conf_parser *p)
{
	const struct pmrd_conf *c = p->conf;

	if (!p->pmrd_line)
		conf_error(p, 0, "no [pmrd] section: 'listen' is required");
	else if (!p->pmrd_keys.line[PMRD_KEY_LISTEN])
		conf_error(p, p->pmrd_line,
			   "missing required key 'listen' in [pmrd]");

	for (size_t i = 0; i < c->n_regions; i++) {
		const struct pmrd_region_conf *r = &c->regions[i];
		const struct conf_key_lines *k = &p->region_keys[i];

		if (!k->line[REGION_KEY_PATH]) {
			conf_error(p, r->line,
				   "missing required key 'path' in [region %s]",
				   r->name);
			continue;
		}
		/* a bad path was reported already; whether it is devdax is
		 * anyone's guess, so do not pile on */
		if (r->path && !conf_path_is_devdax(r->path) &&
		    !k->line[REGION_KEY_SIZE])
			conf_error(
				p, r->line,
				"missing required key 'size' in [region %s] (only /dev/dax devices may omit it)",
				r->name);
	}
}
