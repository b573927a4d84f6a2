/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmrd_conf.h -- pmrd.conf parsed into a plain struct (pure C, no RDMA)
 *
 * The parser reports every problem it finds as "file:line: message" through
 * a caller-supplied callback (stderr when none is given) and fails as a whole
 * if any problem was found, so an operator sees all mistakes in one run.
 */
#ifndef PMRD_CONF_H
#define PMRD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMRD_DEFAULT_PORT	  7471
#define PMRD_DEFAULT_ADMIN_SOCKET "/run/pmrd/pmrd.sock"
/* where the regions' fencing generations are kept (systemd StateDirectory) */
#define PMRD_DEFAULT_STATE_DIR "/var/lib/pmrd"
#define PMRD_REGION_NAME_MAX   63 /* bytes, without NUL; also the wire limit */
#define PMRD_MAX_REGIONS       1024
/* max_msg bounds: proto's PMR_MSG_MAX_FLOOR..PMR_MSG_MAX (conf needs no
 * proto; the daemon asserts they agree) */
#define PMRD_MSG_MIN 256
#define PMRD_MSG_MAX 4096

enum pmrd_access {
	PMRD_ACCESS_RW = 0,
	PMRD_ACCESS_RO = 1,
};

/*
 * What the operator declares about the platform's persistence domain.
 * auto: trust libpmem2's reported granularity (byte => caches are persistent).
 * cpu-cache: the platform has eADR or DDIO off, so data that an RDMA READ
 * after a WRITE has seen is durable (read-after-write persistence).
 */
enum pmrd_pdomain {
	PMRD_PDOMAIN_AUTO = 0,
	PMRD_PDOMAIN_CPU_CACHE = 1,
};

#define PMRD_ALLOW_MAX 16 /* allow rules per region (they fit one line) */
#define PMRD_PSK_MIN   16 /* pre-shared key bytes */
#define PMRD_PSK_MAX   64

/*
 * One allow rule: a 128-bit prefix; IPv4 rules are kept IPv4-mapped
 * (::ffff:a.b.c.d, prefix + 96) so one comparison serves both families.
 */
struct pmrd_cidr {
	uint8_t addr[16];
	uint8_t prefix; /* 0..128 on the 128-bit form */
	bool v4;	/* written as IPv4 (for display) */
};

struct pmrd_region_conf {
	char name[PMRD_REGION_NAME_MAX + 1];
	char *path;    /* absolute */
	uint64_t size; /* bytes; 0 = not given (devdax: taken from sysfs) */
	enum pmrd_access access;
	bool persistent; /* false: a non-DAX file is allowed, testing only */
	enum pmrd_pdomain pdomain;
	unsigned line;		 /* line of the [region NAME] header */
	struct pmrd_cidr *allow; /* NULL: every peer may open it */
	size_t n_allow;
	char *psk_file;		   /* NULL: no PSK proof needed */
	uint8_t psk[PMRD_PSK_MAX]; /* read from psk_file at parse time */
	size_t psk_len;
};

/*
 * Which remote key a client gets when it opens a region ("keys" in
 * [pmrd]); the daemon's keys.h says what each means.
 */
enum pmrd_conf_keys {
	PMRD_CONF_KEYS_AUTO = 0, /* mw2 where the device has it, else
				  * mr-per-client */
	PMRD_CONF_KEYS_MW2,
	PMRD_CONF_KEYS_MR_PER_CLIENT,
	PMRD_CONF_KEYS_SHARED_MR,
};

#define PMRD_ACCEPT_TIMEOUT_MS_DEFAULT 5000
#define PMRD_ACCEPT_TIMEOUT_MS_MIN     100
#define PMRD_ACCEPT_TIMEOUT_MS_MAX     600000

struct pmrd_limits {
	unsigned max_clients;		 /* connected clients */
	unsigned max_regions_per_client; /* open region handles per client */
	unsigned max_outstanding; /* control requests in flight per client */
	unsigned max_handles;	  /* open region handles, all clients */
	unsigned max_msg;	  /* control message bytes, PMRD_MSG_MIN..MAX */
	uint64_t max_client_memory; /* bytes of client buffers, all clients */
	/* not a limit, but fixed like one until a restart: microseconds a
	 * client's CQ is busy-polled after its last completion (0: never) */
	unsigned busy_poll_us;
	/* milliseconds a connection may stay accepted but not established
	 * before it is dropped (its slot, QP and buffers freed) */
	unsigned accept_timeout_ms;
};

struct pmrd_conf {
	char *file;	   /* as given to pmrd_conf_load() */
	char *listen_host; /* numeric IPv4 or IPv6 address */
	uint16_t listen_port;
	char *admin_socket;
	char *state_dir;	  /* fencing generations, one file per region */
	int log_level;		  /* syslog level, LOG_ERR..LOG_DEBUG */
	enum pmrd_conf_keys keys; /* read at start; a reload warns */
	struct pmrd_limits limits;
	struct pmrd_region_conf *regions;
	size_t n_regions;
};

/* Called once per problem; line 0 means "the file as a whole". */
typedef void (*pmrd_conf_report_fn)(void *arg, const char *file, unsigned line,
				    const char *msg);

/*
 * pmrd_conf_load -- parse and validate FILE.  0 and *ret set on success;
 * -EINVAL when the file has errors (all reported), -errno when it cannot be
 * read.  *ret untouched on failure.
 */
int pmrd_conf_load(const char *file, pmrd_conf_report_fn report, void *arg,
		   struct pmrd_conf **ret);

/* pmrd_conf_parse_string -- the same on a NUL-terminated text (tests, fuzz) */
int pmrd_conf_parse_string(const char *text, const char *name,
			   pmrd_conf_report_fn report, void *arg,
			   struct pmrd_conf **ret);

/* pmrd_conf_free -- free a conf and NULL the caller's pointer; NULL is ok */
void pmrd_conf_free(struct pmrd_conf **conf);

/* pmrd_conf_find_region -- region by name, NULL when absent */
const struct pmrd_region_conf *pmrd_conf_find_region(const struct pmrd_conf *c,
						     const char *name);

/*
 * pmrd_size_parse -- "4096", "64K", "1G", "2T" (binary multiples, optional
 * trailing "B"/"iB") to bytes; -EINVAL on junk, -ERANGE on overflow or zero.
 */
int pmrd_size_parse(const char *s, uint64_t *ret);

/* pmrd_size_format -- bytes to "1G", "1536M", "4095" (exact, largest unit) */
void pmrd_size_format(uint64_t bytes, char *buf, size_t len);

/*
 * pmrd_listen_parse -- "10.0.0.1", "10.0.0.1:7471", "[fe80::1]:7471", "::1"
 * into a malloc'ed numeric host and a port (default PMRD_DEFAULT_PORT).
 */
int pmrd_listen_parse(const char *s, char **ret_host, uint16_t *ret_port);

/*
 * pmrd_allow_match -- does the peer ADDR (IPv6, or IPv4 as ::ffff:a.b.c.d)
 * fall in one of the N RULES?
 */
bool pmrd_allow_match(const struct pmrd_cidr *rules, size_t n,
		      const uint8_t addr[16]);

/* pmrd_cidr_format -- "10.0.0.0/8", "fe80::/10" */
void pmrd_cidr_format(const struct pmrd_cidr *c, char *buf, size_t len);

#endif
