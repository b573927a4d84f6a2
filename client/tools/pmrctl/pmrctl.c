/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmrctl.c -- pmrd's control tool: `pmrctl [OPTIONS] COMMAND`
 *
 * Commands: list-regions, list-clients, status.  The data comes from the
 * daemon's admin socket as JSON; -j prints that JSON, otherwise the same
 * objects are printed as a table (one data path for both, like iproute2).
 * With -H HOST[:PORT], list-regions asks a (remote) pmrd over RDMA through
 * libpmr instead, and shows what the wire protocol carries.
 *
 * Exit status: 0 success, 1 the daemon answered with an error or the
 * RDMA query failed, 2 usage error, 3 no daemon at the socket (or not
 * allowed to talk to it), 4 the answer was unreadable or late.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpmr.h>

#include "admin_io.h"

#define DEFAULT_SOCKET	   "/run/pmrd/pmrd.sock"
#define DEFAULT_TIMEOUT_MS 5000
#define REMOTE_MAX	   1024 /* regions listed over RDMA */

enum {
	EXIT_USAGE = 2,
	EXIT_NO_DAEMON = 3,
	EXIT_BAD_ANSWER = 4,
};

struct opts {
	const char *socket;
	const char *host;
	bool json;
	int verbose;
	int timeout_ms;
};

static const struct option long_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "host", required_argument, NULL, 'H' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* usage -- the help text, to stdout for --help, stderr for mistakes */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pmrctl [OPTIONS] COMMAND\n"
		"Show the state of pmrd, the RDMA persistent-memory daemon.\n"
		"\n"
		"Commands:\n"
		"  list-regions   every exported region (also with -H)\n"
		"  list-clients   every connected client\n"
		"  status         version, uptime, device and its ODP self-test, listen address\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    admin socket (default %s)\n"
		"  -H, --host HOST[:PORT]  list regions over RDMA instead\n"
		"  -j, --json           JSON output\n"
		"  -t, --timeout MS     wait at most MS for the answer (default %d)\n"
		"  -v, --verbose        more detail (repeatable)\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n"
		"\n"
		"Exit status: 0 success, 1 failure reported by pmrd, 2 usage error,\n"
		"3 no pmrd at the socket, 4 unreadable or late answer.\n",
		DEFAULT_SOCKET, DEFAULT_TIMEOUT_MS);
}

/* get_str / get_i64 -- a member of O, "" / 0 when absent */
static const char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return "";
	return json_object_get_string(v);
}

static int64_t get_i64(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	return json_object_get_int64(v);
}

/* join -- the strings of array member K of O, comma separated, into BUF */
static const char *join(struct json_object *o, const char *k, char *buf,
			size_t cap)
{
	struct json_object *a;
	size_t used = 0;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, k, &a) ||
	    !json_object_is_type(a, json_type_array))
		return "-";
	for (size_t i = 0; i < json_object_array_length(a) && used < cap; i++) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? "," : "",
				 json_object_get_string(
					 json_object_array_get_idx(a, i)));

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf[0] ? buf : "-";
}

/* fmt_size -- bytes as the largest exact binary unit ("4M", "1536K") */
static const char *fmt_size(uint64_t b, char *buf, size_t cap)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (b && !(b & 1023) && u < 5) {
		b >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, cap, "%" PRIu64, b);
	else
		snprintf(buf, cap, "%" PRIu64 "%c", b, units[u]);
	return buf;
}

/* auth_column -- "-", "allow", "psk" or "allow,psk" for region R */
static const char *auth_column(struct json_object *r)
{
	struct json_object *allow, *psk;
	bool a = json_object_object_get_ex(r, "allow", &allow) && allow;
	bool p = json_object_object_get_ex(r, "psk", &psk) &&
		 json_object_get_boolean(psk);

	return a && p ? "allow,psk" : a ? "allow" : p ? "psk" : "-";
}

/* gen_column -- region R's stored generation, "bad" when unreadable */
static const char *gen_column(struct json_object *r, char *buf, size_t cap)
{
	struct json_object *g;

	if (!json_object_object_get_ex(r, "generation", &g) || !g)
		return "bad";
	snprintf(buf, cap, "%" PRId64, json_object_get_int64(g));
	return buf;
}

/* holder_column -- the address of region R's exclusive holder, or "-" */
static const char *holder_column(struct json_object *r)
{
	struct json_object *h;

	if (!json_object_object_get_ex(r, "exclusive_holder", &h) || !h)
		return "-";
	return json_object_get_string(h);
}

/*
 * print_region_detail -- -v's lines under region R: preparation and
 * registration, and what GEN and EXCL leave out: why the generation could
 * not be read, the generation the exclusive holder was granted
 */
static void print_region_detail(struct json_object *r)
{
	struct json_object *v;

	printf("    prepared %s, %" PRId64 " bytes, registered in %s ms\n",
	       get_str(r, "prepared"), get_i64(r, "bytes_prepared"),
	       get_str(r, "registration_ms"));
	if (json_object_object_get_ex(r, "generation_error", &v) && v)
		printf("    generation unreadable: %s\n",
		       json_object_get_string(v));
	if (json_object_object_get_ex(r, "exclusive_holder", &v) && v)
		printf("    held exclusively by %s at generation %" PRId64 "\n",
		       json_object_get_string(v),
		       get_i64(r, "exclusive_generation"));
}

/* print_regions -- the table of list-regions */
static void print_regions(struct json_object *resp, int verbose)
{
	struct json_object *a;
	char size[32], methods[64], gen[24];

	if (!json_object_object_get_ex(resp, "regions", &a))
		return;
	printf("%-16s %-8s %8s %-6s %-3s %-13s %-9s %-10s %-13s %-7s %4s %-8s "
	       "%4s %-21s %s\n",
	       "NAME", "KIND", "SIZE", "MR", "ACC", "KEYS", "AUTH", "GRAN",
	       "PERSIST", "AWRITE", "OPEN", "STATE", "GEN", "EXCL", "PATH");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *r = json_object_array_get_idx(a, i);

		printf("%-16s %-8s %8s %-6s %-3s %-13s %-9s %-10s %-13s %-7s "
		       "%4" PRId64 " %-8s %4s %-21s %s\n",
		       get_str(r, "name"), get_str(r, "kind"),
		       fmt_size((uint64_t)get_i64(r, "size"), size,
				sizeof(size)),
		       get_str(r, "registration"), get_str(r, "access"),
		       get_str(r, "keys"), auth_column(r),
		       get_str(r, "granularity"),
		       join(r, "persist_methods", methods, sizeof(methods)),
		       get_str(r, "atomic_write"), get_i64(r, "open_count"),
		       get_str(r, "state"), gen_column(r, gen, sizeof(gen)),
		       holder_column(r), get_str(r, "path"));
		if (verbose)
			print_region_detail(r);
	}
}

/* print_clients -- the table of list-clients */
static void print_clients(struct json_object *resp, int verbose)
{
	struct json_object *a;
	char names[256];

	if (!json_object_object_get_ex(resp, "clients", &a))
		return;
	printf("%-5s %-28s %-12s %-20s %4s %s\n", "ID", "ADDRESS", "STATE",
	       "SINCE", "OPEN", "REGIONS");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *c = json_object_array_get_idx(a, i);

		printf("%-5" PRId64 " %-28s %-12s %-20s %4" PRId64 " %s\n",
		       get_i64(c, "id"), get_str(c, "address"),
		       get_str(c, "state"), get_str(c, "since_iso"),
		       get_i64(c, "regions_open"),
		       join(c, "regions", names, sizeof(names)));
		if (verbose)
			printf("    %" PRId64 " requests, %" PRId64
			       " bad, %" PRId64 " credits\n",
			       get_i64(c, "requests"),
			       get_i64(c, "bad_requests"),
			       get_i64(c, "credits"));
	}
}

/*
 * print_port -- the listen port's state and the device's async events:
 *   port:     1 active (down 1 time, active since 2026-12-04T11:40:02Z)
 *   events:   3 async events, last: port active (port 1, now active) at ...
 */
static void print_port(struct json_object *resp)
{
	int64_t downs = get_i64(resp, "port_down_count");
	const char *since = get_str(resp, "port_since_iso");

	printf("port:     %" PRId64 " %s", get_i64(resp, "port"),
	       get_str(resp, "port_state"));
	if (downs)
		printf(" (down %" PRId64 " time%s, %s since %s)", downs,
		       downs == 1 ? "" : "s", get_str(resp, "port_state"),
		       since);
	else if (*since)
		printf(" (since %s)", since);
	printf("\nevents:   %" PRId64 " async event%s",
	       get_i64(resp, "async_events"),
	       get_i64(resp, "async_events") == 1 ? "" : "s");
	if (*get_str(resp, "last_async_event"))
		printf(", last: %s (%s) at %s",
		       get_str(resp, "last_async_event"),
		       get_str(resp, "last_async_event_detail"),
		       get_str(resp, "last_async_event_time_iso"));
	printf("\n");
}

/* print_status -- status as "key: value" lines */
static void print_status(struct json_object *resp, int verbose)
{
	const char *odp;

	printf("pmrd %s, pid %" PRId64 ", %s\n", get_str(resp, "version"),
	       get_i64(resp, "pid"), get_str(resp, "state"));
	printf("started:  %s (uptime %" PRId64 " s)\n",
	       get_str(resp, "started_iso"), get_i64(resp, "uptime_s"));
	printf("device:   %s\n", get_str(resp, "device"));
	odp = get_str(resp, "odp");
	printf("odp:      %s\n", odp);
	/* why ODP is off matters to whoever configured an fsdax region */
	if (verbose || !strcmp(odp, "misplaces data") ||
	    !strcmp(odp, "self-test failed"))
		printf("          %s\n", get_str(resp, "odp_detail"));
	print_port(resp);
	printf("listen:   %s\n", get_str(resp, "listen"));
	printf("config:   %s\n", get_str(resp, "config"));
	printf("regions:  %" PRId64 "\n", get_i64(resp, "regions"));
	printf("clients:  %" PRId64 " (max %" PRId64 ")\n",
	       get_i64(resp, "clients"), get_i64(resp, "max_clients"));
	printf("handles:  %" PRId64 " open (max %" PRId64 ")\n",
	       get_i64(resp, "open_handles"), get_i64(resp, "max_handles"));
	printf("buffers:  %" PRId64 " bytes (max %" PRId64 ")\n",
	       get_i64(resp, "client_memory"),
	       get_i64(resp, "max_client_memory"));
	if (verbose)
		printf("limits:   %" PRId64 " regions per client, %" PRId64
		       " requests in flight, %" PRId64
		       "-byte messages\npolling:  %" PRId64
		       " us busy-poll after a completion\naccept:   %" PRId64
		       " ms to be established\nkeys:     %s\nlog:      %s\n",
		       get_i64(resp, "max_regions_per_client"),
		       get_i64(resp, "max_outstanding"),
		       get_i64(resp, "max_msg"), get_i64(resp, "busy_poll_us"),
		       get_i64(resp, "accept_timeout_ms"),
		       get_str(resp, "keys"), get_str(resp, "log_level"));
}

/* print_json -- the object, pretty on request (-v), else one line */
static void print_json(struct json_object *o, int verbose)
{
	int flags = verbose ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN;

	puts(json_object_to_json_string_ext(
		o, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* cmd_admin -- one command over the admin socket */
static int cmd_admin(const struct opts *o, const char *cmd)
{
	struct json_object *resp, *ok;
	int err, status = 0;

	err = admin_call(o->socket, cmd, o->timeout_ms, &resp);
	if (err) {
		fprintf(stderr, "pmrctl: %s: %s\n", o->socket, strerror(-err));
		if (err == -ETIMEDOUT || err == -EPROTO || err == -EMSGSIZE)
			return EXIT_BAD_ANSWER;
		return EXIT_NO_DAEMON;
	}
	if (!json_object_object_get_ex(resp, "ok", &ok) ||
	    !json_object_get_boolean(ok)) {
		fprintf(stderr, "pmrctl: %s: %s\n", cmd,
			get_str(resp, "error"));
		status = 1;
	}
	if (o->json)
		print_json(resp, o->verbose);
	else if (!status && !strcmp(cmd, "list-regions"))
		print_regions(resp, o->verbose);
	else if (!status && !strcmp(cmd, "list-clients"))
		print_clients(resp, o->verbose);
	else if (!status)
		print_status(resp, o->verbose);
	json_object_put(resp);
	return status;
}

/* split_host -- "h", "h:p", "[v6]:p", "v6" into HOST and PORT (or NULL) */
static int split_host(const char *arg, char *host, size_t cap,
		      const char **port)
{
	const char *colon = strrchr(arg, ':'), *end;
	size_t len;

	*port = NULL;
	if (arg[0] == '[') {
		end = strchr(arg, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		len = (size_t)(end - arg - 1);
		if (end[1] == ':')
			*port = end + 2;
		arg++;
	} else if (colon && strchr(arg, ':') == colon) {
		len = (size_t)(colon - arg);
		*port = colon + 1;
	} else {
		len = strlen(arg); /* a bare IPv6 address or no port */
	}
	if (!len || len >= cap || (*port && !**port))
		return -EINVAL;
	memcpy(host, arg, len);
	host[len] = '\0';
	return 0;
}

/* kind_str / gran_str -- the wire's values as list-regions spells them */
static const char *kind_str(unsigned k)
{
	return k == PMR_KIND_FSDAX  ? "fsdax" :
	       k == PMR_KIND_DEVDAX ? "devdax" :
				      "testing";
}

static const char *gran_str(unsigned g)
{
	return g == 0 ? "byte" : g == 1 ? "cache-line" : "page";
}

/* awrite_str -- a PMR_ATOMIC_WRITE_* path as pmrd's admin socket names
 * it */
static const char *awrite_str(unsigned int path)
{
	switch (path) {
	case PMR_ATOMIC_WRITE_NATIVE:
		return "native";
	case PMR_ATOMIC_WRITE_SERVER:
		return "server";
	default:
		return "none";
	}
}

/* remote_region_json -- what the wire tells of one region */
static struct json_object *remote_region_json(const struct pmr_region_desc *d)
{
	struct json_object *o = json_object_new_object(), *m;

	if (!o)
		return NULL;
	m = json_object_new_array();
	if (d->persist_methods & PMR_METHOD_SERVER)
		json_object_array_add(m, json_object_new_string("server"));
	if (d->persist_methods & PMR_METHOD_FLUSH)
		json_object_array_add(m, json_object_new_string("flush"));
	if (d->persist_methods & PMR_METHOD_RAW)
		json_object_array_add(m, json_object_new_string("raw"));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "size",
			       json_object_new_int64((int64_t)d->size));
	json_object_object_add(o, "kind",
			       json_object_new_string(kind_str(d->kind)));
	json_object_object_add(o, "access",
			       json_object_new_string(d->read_only ? "ro" :
								     "rw"));
	json_object_object_add(
		o, "granularity",
		json_object_new_string(gran_str(d->granularity)));
	json_object_object_add(o, "persist_methods", m);
	json_object_object_add(
		o, "atomic_write",
		json_object_new_string(awrite_str(d->atomic_write_path)));
	json_object_object_add(o, "rdma_atomics",
			       json_object_new_boolean(d->rdma_atomics));
	return o;
}

/* print_remote -- the table of list-regions over RDMA */
static void print_remote(struct json_object *resp)
{
	struct json_object *a;
	char size[32], methods[64];

	json_object_object_get_ex(resp, "regions", &a);
	printf("%-16s %-8s %8s %-3s %-10s %-13s %s\n", "NAME", "KIND", "SIZE",
	       "ACC", "GRAN", "PERSIST", "AWRITE");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *r = json_object_array_get_idx(a, i);

		printf("%-16s %-8s %8s %-3s %-10s %-13s %s\n",
		       get_str(r, "name"), get_str(r, "kind"),
		       fmt_size((uint64_t)get_i64(r, "size"), size,
				sizeof(size)),
		       get_str(r, "access"), get_str(r, "granularity"),
		       join(r, "persist_methods", methods, sizeof(methods)),
		       get_str(r, "atomic_write"));
	}
}

/* cmd_remote_list -- list-regions over rdmacm with libpmr */
static int cmd_remote_list(const struct opts *o)
{
	struct pmr_region_desc *d;
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_conn *conn = NULL;
	struct json_object *resp, *a;
	char host[256];
	const char *port;
	size_t total = 0;
	int n, status = 1;

	if (split_host(o->host, host, sizeof(host), &port)) {
		fprintf(stderr, "pmrctl: bad -H '%s' (HOST[:PORT])\n", o->host);
		return EXIT_USAGE;
	}
	d = calloc(REMOTE_MAX, sizeof(*d));
	resp = json_object_new_object();
	a = json_object_new_array();
	if (!d || !resp || !a) {
		fprintf(stderr, "pmrctl: out of memory\n");
		goto out_free;
	}
	json_object_object_add(resp, "regions", a);
	if (pmr_conn_cfg_new(&cfg) ||
	    pmr_conn_cfg_set_timeout(cfg, (unsigned)o->timeout_ms))
		goto out_free;
	n = pmr_conn_open(host, port, cfg, &conn);
	if (n) {
		fprintf(stderr, "pmrctl: %s: %s\n", o->host, pmr_strerror(n));
		goto out_free;
	}
	n = pmr_conn_list_regions(conn, d, REMOTE_MAX, &total);
	if (n < 0) {
		fprintf(stderr, "pmrctl: %s: list-regions: %s\n", o->host,
			pmr_strerror(n));
		goto out_close;
	}
	for (int i = 0; i < n; i++)
		json_object_array_add(a, remote_region_json(&d[i]));
	json_object_object_add(resp, "total",
			       json_object_new_int64((int64_t)total));
	json_object_object_add(resp, "ok", json_object_new_boolean(1));
	if (o->json)
		print_json(resp, o->verbose);
	else
		print_remote(resp);
	if (total > (size_t)n)
		fprintf(stderr, "pmrctl: %zu more regions not shown\n",
			total - (size_t)n);
	status = 0;
out_close:
	pmr_conn_close(&conn);
out_free:
	pmr_conn_cfg_delete(&cfg);
	json_object_put(resp);
	free(d);
	return status;
}

/* main -- options, then one command */
int main(int argc, char **argv)
{
	struct opts o = {
		.socket = DEFAULT_SOCKET,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	const char *cmd;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "s:H:jvt:hV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'v':
			o.verbose++;
			break;
		case 't':
			errno = 0;
			o.timeout_ms = (int)strtol(optarg, &end, 10);
			if (errno || *end || o.timeout_ms <= 0) {
				fprintf(stderr, "pmrctl: bad timeout '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pmrctl %s\n", PMRD_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "pmrctl: %s\n",
			optind < argc ? "one command only" : "no command");
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "list-regions") && strcmp(cmd, "list-clients") &&
	    strcmp(cmd, "status")) {
		fprintf(stderr, "pmrctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o.host) {
		if (strcmp(cmd, "list-regions")) {
			fprintf(stderr,
				"pmrctl: %s needs the admin socket (-s), not -H\n",
				cmd);
			return EXIT_USAGE;
		}
		return cmd_remote_list(&o);
	}
	return cmd_admin(&o, cmd);
}
