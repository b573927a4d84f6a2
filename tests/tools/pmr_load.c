/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_load.c -- load and limit client for pmrd's VM tests, over libpmr.
 *
 *   pmr-load [OPTIONS] HOST PORT MODE REGION...
 *
 * Modes:
 *   load    -c N clients (threads, one connection each) for -t SECS (or
 *           until every one of them has failed): each
 *           owns a slice (-s BYTES) of region (i % R) and loops writing a
 *           pattern of its own, persisting it and reading it back;
 *           then all stay connected (region open), print "idle: N clients
 *           connected" and, with -w, close only on SIGUSR1.
 *   cycles  -n TOTAL connect/open/write/read/close/disconnect cycles shared
 *           by -c N threads (thread i checks 4 KiB at -b BASE + i * 4 KiB).
 *   hold    one connection, -o K handles open (round robin over the
 *           regions), -k credits asked; prints "holding" and then checks
 *           its data (4 KiB at -b BASE) on SIGUSR1 (prints "still working") and on SIGTERM
 *           (then closes and exits).
 *   expect  -e ERROR: the connection (for a REJECTED_* error) or, after
 *           -o K opens that must work, the next open must fail with ERROR
 *           (LIMIT, REJECTED_TOO_MANY, REJECTED_MEMORY, ...); prints what
 *           pmr_strerror and the server said.
 *   lat     one client with libpmr's default timeout: connect, open the
 *           first region rw, then -n N rounds of a 64-byte write + persist
 *           at -b BASE (SERVER method), each timed; prints
 *           "lat: connect_ms C open_ms O n N p50_us A p99_us B max_us M"
 *           (a benchmark row for the suites; nothing is judged by time);
 *           -L FILE also writes each round's start (CLOCK_MONOTONIC, us)
 *           and its time (us) to FILE, a line each, to place slow rounds
 *           against what the server logged.
 *
 * Every data check compares all bytes read with what this client wrote.
 * -T MS sets libpmr's timeout (default 30000: a safety net against hangs).
 * Exit: 0 as expected, 1 not (reasons on stderr), 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpmr.h"

#define MAX_REGIONS 16
#define MAX_CLIENTS 64
#define MAX_OPENS   64
#define MAX_IO	    (64 * 1024)
#define TIMEOUT_MS  30000 /* default -T: a safety net against hangs */

struct opts {
	const char *host, *port;
	const char *regions[MAX_REGIONS];
	unsigned n_regions;
	unsigned clients, seconds, cycles, opens, credits;
	unsigned timeout_ms; /* -T: libpmr's timeout */
	bool wait_release;   /* -w: idle and connected until SIGUSR1 */
	const char *trace;   /* -L: lat's per-round times go there */
	uint64_t slice, base;
	int expect;
};

struct worker {
	const struct opts *o;
	pthread_t tid;
	unsigned id;
	uint64_t ops, bytes;
	int err;
};

static struct opts g_o = {
	.clients = 1,
	.seconds = 10,
	.cycles = 100,
	.opens = 1,
	.credits = 4,
	.timeout_ms = TIMEOUT_MS,
	.slice = 256 * 1024,
};
static atomic_uint g_next_cycle;
static atomic_bool g_stop, g_release;
static atomic_uint g_idle; /* workers done with their loop, still connected */

static const struct {
	const char *name;
	int code;
} errnames[] = {
	{ "LIMIT", PMR_E_LIMIT },
	{ "REJECTED_TOO_MANY", PMR_E_REJECTED_TOO_MANY },
	{ "REJECTED_MEMORY", PMR_E_REJECTED_MEMORY },
	{ "REJECTED_SHUTDOWN", PMR_E_REJECTED_SHUTDOWN },
	{ "REJECTED", PMR_E_REJECTED },
	{ "CONN_LOST", PMR_E_CONN_LOST },
};

/* errcode -- the PMR_E_* code named NAME, 0 if none */
static int errcode(const char *name)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].code;
	return 0;
}

/* xs64 -- the next number of a xorshift64 sequence in *S */
static uint64_t xs64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* fill -- LEN pattern bytes of (CLIENT, ITER) into BUF */
static void fill(uint8_t *buf, size_t len, unsigned client, uint64_t iter)
{
	uint64_t s = ((uint64_t)client << 40 ^ iter) * 0x9e3779b97f4a7c15ull |
		     1;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(xs64(&s) >> 24);
}

/* connect_one -- a connection with our timeout and CREDITS asked */
static int connect_one(const struct opts *o, unsigned credits,
		       struct pmr_conn **ret)
{
	struct pmr_conn_cfg *cfg;
	int err;

	err = pmr_conn_cfg_new(&cfg);
	if (err)
		return err;
	err = pmr_conn_cfg_set_timeout(cfg, o->timeout_ms);
	if (!err)
		err = pmr_conn_cfg_set_credits(cfg, credits);
	if (!err)
		err = pmr_conn_open(o->host, o->port, cfg, ret);
	pmr_conn_cfg_delete(&cfg);
	return err;
}

/*
 * check_io -- write a pattern of (CLIENT, ITER) at OFF (up to LEN bytes
 * inside [BASE, BASE + SLICE)), make it durable, read it back, compare.
 * Odd iterations use write_persist, even ones write then persist.
 */
static int check_io(struct pmr_region *r, unsigned client, uint64_t iter,
		    uint64_t base, uint64_t slice, uint8_t *wbuf, uint8_t *rbuf,
		    uint64_t *bytes)
{
	uint64_t s = iter * 2654435761u + client + 1;
	size_t len = (size_t)(xs64(&s) % (slice < MAX_IO ? slice : MAX_IO)) + 1;
	uint64_t off = base + xs64(&s) % (slice - len + 1);
	int err;

	fill(wbuf, len, client, iter);
	memset(rbuf, 0, len);
	if (iter & 1) {
		err = pmr_region_write_persist(r, wbuf, off, len);
	} else {
		err = pmr_region_write(r, wbuf, off, len);
		if (!err)
			err = pmr_region_persist(r, off, len);
	}
	if (!err)
		err = pmr_region_read(r, rbuf, off, len);
	if (err) {
		fprintf(stderr, "client %u: iteration %" PRIu64 ": %s\n",
			client, iter, pmr_strerror(err));
		return err;
	}
	if (memcmp(wbuf, rbuf, len)) {
		fprintf(stderr,
			"client %u: iteration %" PRIu64
			": %zu bytes at %" PRIu64 " read back differ\n",
			client, iter, len, off);
		return -EIO;
	}
	*bytes += len;
	return 0;
}

/* slice_base -- where client ID's slice starts in its region of SIZE */
static int slice_base(const struct opts *o, unsigned id, uint64_t size,
		      uint64_t *ret)
{
	uint64_t base = (uint64_t)(id / o->n_regions) * o->slice;

	if (base + o->slice > size) {
		fprintf(stderr,
			"client %u: slice %" PRIu64 " beyond region of %" PRIu64
			" bytes\n",
			id, base, size);
		return -ERANGE;
	}
	*ret = base;
	return 0;
}

/* idle_until_released -- count this worker idle; wait for the release */
static void idle_until_released(void)
{
	atomic_fetch_add(&g_idle, 1);
	while (!atomic_load(&g_release))
		usleep(10000);
}

/* load_worker -- one client of the load mode */
static void *load_worker(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	const char *name = o->regions[w->id % o->n_regions];
	struct pmr_region_desc descs[MAX_REGIONS];
	static uint8_t bufs[MAX_CLIENTS][2][MAX_IO];
	struct pmr_conn *conn = NULL;
	struct pmr_region *r = NULL;
	uint64_t base, iter = 0;
	bool idled = false;
	size_t total;
	int err;

	err = connect_one(o, o->credits, &conn);
	if (err) {
		fprintf(stderr, "client %u: connect: %s\n", w->id,
			pmr_strerror(err));
		idle_until_released();
		goto out;
	}
	err = pmr_conn_list_regions(conn, descs, MAX_REGIONS, &total);
	if (err < 0)
		goto out_close_conn;
	err = pmr_region_open(conn, name, PMR_OPEN_RW, &r);
	if (err) {
		fprintf(stderr, "client %u: open %s: %s (%s)\n", w->id, name,
			pmr_strerror(err), pmr_conn_last_error_text(conn));
		goto out_close_conn;
	}
	err = slice_base(o, w->id, pmr_region_size(r), &base);
	while (!err && !atomic_load(&g_stop)) {
		err = check_io(r, w->id, iter++, base, o->slice, bufs[w->id][0],
			       bufs[w->id][1], &w->bytes);
		w->ops++;
	}
	idle_until_released();
	idled = true;
	if (pmr_region_close(&r) && !err)
		err = -EIO;
out_close_conn:
	if (!idled)
		idle_until_released(); /* failed before its loop */
	if (err < 0)
		fprintf(stderr, "client %u: %s\n", w->id, pmr_strerror(err));
	if (pmr_conn_close(&conn) && err >= 0)
		err = -EIO;
out:
	w->err = err < 0 ? err : 0;
	return NULL;
}

/* cycle_worker -- take cycles from the shared counter until none is left */
static void *cycle_worker(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	static uint8_t bufs[MAX_CLIENTS][2][MAX_IO];
	unsigned k;
	int err = 0;

	while (!err && (k = atomic_fetch_add(&g_next_cycle, 1)) < o->cycles) {
		const char *name = o->regions[k % o->n_regions];
		struct pmr_conn *conn = NULL;
		struct pmr_region *r = NULL;
		int cerr;

		err = connect_one(o, o->credits, &conn);
		if (err) {
			fprintf(stderr, "cycle %u: connect: %s\n", k,
				pmr_strerror(err));
			break;
		}
		err = pmr_region_open(conn, name, PMR_OPEN_RW, &r);
		if (err)
			fprintf(stderr, "cycle %u: open %s: %s\n", k, name,
				pmr_strerror(err));
		if (!err)
			err = check_io(r, w->id, k, o->base + w->id * 4096ull,
				       4096, bufs[w->id][0], bufs[w->id][1],
				       &w->bytes);
		cerr = pmr_region_close(&r);
		if (cerr && !err)
			err = cerr;
		cerr = pmr_conn_close(&conn);
		if (cerr && !err)
			err = cerr;
		w->ops++;
	}
	w->err = err;
	return NULL;
}

/*
 * release_when_idle -- once all STARTED workers are idle (connected, their
 * region open) say so; with -w wait for SIGUSR1 (the caller's checks of
 * the server's view) before letting them close
 */
static void release_when_idle(const struct opts *o, unsigned started)
{
	sigset_t set;
	int sig;

	while (atomic_load(&g_idle) < started)
		usleep(10000);
	printf("idle: %u clients connected\n", started);
	fflush(stdout);
	if (o->wait_release) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigwait(&set, &sig);
	}
	atomic_store(&g_release, true);
}

/* run_workers -- FN on o->clients threads; 0 when none failed */
static int run_workers(const struct opts *o, void *(*fn)(void *),
		       unsigned seconds)
{
	struct worker *ws = calloc(o->clients, sizeof(*ws));
	uint64_t ops = 0, bytes = 0;
	unsigned started = 0, failed = 0;
	struct timespec t0, t1;
	double secs;

	if (!ws)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < o->clients; i++) {
		ws[i].o = o;
		ws[i].id = i;
		if (pthread_create(&ws[i].tid, NULL, fn, &ws[i]))
			break;
		started++;
	}
	/* until the time is up, or every worker has failed (idle early) */
	for (unsigned t = 0;
	     seconds && t < seconds * 10 && started == o->clients &&
	     atomic_load(&g_idle) < started;
	     t++)
		usleep(100000);
	atomic_store(&g_stop, true);
	if (seconds)
		release_when_idle(o, started);
	else
		atomic_store(&g_release, true);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(ws[i].tid, NULL);
		ops += ws[i].ops;
		bytes += ws[i].bytes;
		if (ws[i].err)
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%u clients, %" PRIu64 " operations, %" PRIu64
	       " bytes verified in %.1f s; %u failed\n",
	       started, ops, bytes, secs, failed + (o->clients - started));
	free(ws);
	return failed || started != o->clients;
}

/* hold_check -- write, persist and read back on every handle of a hold
 * (in the 4 KiB at -b BASE: concurrent holders are given different ones) */
static int hold_check(struct pmr_region **rs, unsigned n, uint64_t iter)
{
	static uint8_t wbuf[MAX_IO], rbuf[MAX_IO];
	uint64_t bytes = 0;
	int err;

	for (unsigned i = 0; i < n; i++) {
		err = check_io(rs[i], 1000 + i, iter, g_o.base, 4096, wbuf,
			       rbuf, &bytes);
		if (err)
			return err;
	}
	return 0;
}

/* open_many -- open K handles round robin over the regions into RS */
static int open_many(struct pmr_conn *conn, const struct opts *o,
		     struct pmr_region **rs, unsigned k)
{
	int err;

	for (unsigned i = 0; i < k; i++) {
		const char *name = o->regions[i % o->n_regions];

		err = pmr_region_open(conn, name, PMR_OPEN_RW, &rs[i]);
		if (err) {
			fprintf(stderr, "open #%u (%s): %s (%s)\n", i + 1, name,
				pmr_strerror(err),
				pmr_conn_last_error_text(conn));
			return err;
		}
	}
	return 0;
}

/* close_many -- close the first K handles of RS */
static void close_many(struct pmr_region **rs, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		pmr_region_close(&rs[i]);
}

/* do_hold -- hold a connection and handles until SIGTERM (see top) */
static int do_hold(const struct opts *o)
{
	struct pmr_region *rs[MAX_OPENS] = { 0 };
	struct pmr_conn *conn = NULL;
	uint64_t iter = 0;
	sigset_t set;
	int err, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	err = connect_one(o, o->credits, &conn);
	if (err) {
		fprintf(stderr, "connect: %s\n", pmr_strerror(err));
		return 1;
	}
	err = open_many(conn, o, rs, o->opens);
	if (!err)
		err = hold_check(rs, o->opens, iter++);
	if (!err) {
		printf("holding %u handles\n", o->opens);
		fflush(stdout);
	}
	while (!err && !sigwait(&set, &sig)) {
		err = hold_check(rs, o->opens, iter++);
		if (err || sig == SIGTERM)
			break;
		printf("still working\n");
		fflush(stdout);
	}
	if (err)
		fprintf(stderr, "hold: %s\n", pmr_strerror(err));
	else
		printf("still working; closing\n");
	close_many(rs, o->opens);
	if (pmr_conn_close(&conn))
		err = -EIO;
	return err ? 1 : 0;
}

/* do_expect -- the connection or the open after -o K must fail as -e says */
static int do_expect(const struct opts *o)
{
	struct pmr_region *rs[MAX_OPENS + 1] = { 0 };
	struct pmr_conn *conn = NULL;
	bool at_connect = o->expect != PMR_E_LIMIT;
	int err, rc = 1;

	err = connect_one(o, o->credits, &conn);
	if (at_connect) {
		if (err == o->expect) {
			printf("connect: %s (as expected)\n",
			       pmr_strerror(err));
			return 0;
		}
		fprintf(stderr, "connect: %s, expected %s\n",
			err ? pmr_strerror(err) : "success",
			pmr_strerror(o->expect));
		pmr_conn_close(&conn);
		return 1;
	}
	if (err) {
		fprintf(stderr, "connect: %s\n", pmr_strerror(err));
		return 1;
	}
	err = open_many(conn, o, rs, o->opens);
	if (err)
		goto out_close;
	err = pmr_region_open(conn, o->regions[o->opens % o->n_regions],
			      PMR_OPEN_RW, &rs[o->opens]);
	if (err == o->expect) {
		printf("open #%u: %s: %s (as expected)\n", o->opens + 1,
		       pmr_strerror(err), pmr_conn_last_error_text(conn));
		/* what was open before still works */
		err = hold_check(rs, o->opens, 1);
		rc = err ? 1 : 0;
		if (err)
			fprintf(stderr, "after the limit: %s\n",
				pmr_strerror(err));
	} else {
		fprintf(stderr, "open #%u: %s, expected %s\n", o->opens + 1,
			err ? pmr_strerror(err) : "success",
			pmr_strerror(o->expect));
		if (!err)
			pmr_region_close(&rs[o->opens]);
	}
out_close:
	close_many(rs, o->opens);
	pmr_conn_close(&conn);
	return rc;
}

/* ms_since -- milliseconds from T0 to now (CLOCK_MONOTONIC) */
static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* cmp_double -- qsort order of doubles */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* write_trace -- lat's -L file: "start_us time_us" per round; 0 or -1 */
static int write_trace(const char *path, const double *start_us,
		       const double *us, unsigned n)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%.0f %.1f\n", start_us[i], us[i]);
	if (fclose(f)) {
		perror(path);
		ret = -1;
	}
	return ret;
}

/* do_lat -- the lat mode (see top) */
static int do_lat(const struct opts *o)
{
	struct pmr_region *r = NULL;
	struct pmr_conn *conn = NULL;
	double connect_ms, open_ms, *us, *start_us;
	unsigned n = o->cycles ? o->cycles : 1;
	uint8_t buf[64];
	struct timespec t0;
	int err;

	us = calloc(n, sizeof(*us));
	start_us = calloc(n, sizeof(*start_us));
	if (!us || !start_us) {
		free(us);
		free(start_us);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = pmr_conn_open(o->host, o->port, NULL, &conn);
	connect_ms = ms_since(&t0);
	if (err) {
		fprintf(stderr, "connect (after %.0f ms): %s\n", connect_ms,
			pmr_strerror(err));
		free(us);
		free(start_us);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = pmr_region_open(conn, o->regions[0], PMR_OPEN_RW, &r);
	open_ms = ms_since(&t0);
	if (!err)
		err = pmr_region_set_persist_method(r, PMR_METHOD_SERVER);
	for (unsigned i = 0; i < n && !err; i++) {
		fill(buf, sizeof(buf), 0, i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = pmr_region_write(r, buf, o->base, sizeof(buf));
		if (!err)
			err = pmr_region_persist(r, o->base, sizeof(buf));
		us[i] = ms_since(&t0) * 1e3;
		start_us[i] =
			(double)t0.tv_sec * 1e6 + (double)t0.tv_nsec / 1e3;
	}
	if (!err && o->trace && write_trace(o->trace, start_us, us, n))
		err = -EIO;
	if (err) {
		fprintf(stderr, "lat: %s (%s)\n", pmr_strerror(err),
			conn ? pmr_conn_last_error_text(conn) : "");
	} else {
		qsort(us, n, sizeof(*us), cmp_double);
		printf("lat: connect_ms %.1f open_ms %.1f n %u p50_us %.0f p99_us %.0f max_us %.0f\n",
		       connect_ms, open_ms, n, us[n / 2],
		       us[(size_t)((n - 1) * 0.99)], us[n - 1]);
	}
	free(us);
	free(start_us);
	pmr_region_close(&r);
	pmr_conn_close(&conn);
	return err ? 1 : 0;
}

/* usage -- the synopsis on stderr; returns 2 */
static int usage(void)
{
	fprintf(stderr,
		"usage: pmr-load [-c clients] [-t secs] [-n cycles] [-s slice] [-o opens] [-k credits] [-e ERROR] [-b base] [-w] [-T ms] [-L trace]\n"
		"                HOST PORT load|cycles|hold|expect|lat REGION...\n");
	return 2;
}

/* parse_opts -- argv into g_o; the mode name, NULL on a usage error */
static const char *parse_opts(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "c:t:n:s:o:k:e:b:wT:L:")) != -1) {
		switch (c) {
		case 'c':
			g_o.clients = (unsigned)atoi(optarg);
			break;
		case 't':
			g_o.seconds = (unsigned)atoi(optarg);
			break;
		case 'n':
			g_o.cycles = (unsigned)atoi(optarg);
			break;
		case 's':
			g_o.slice = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			g_o.wait_release = true;
			break;
		case 'b':
			g_o.base = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			g_o.opens = (unsigned)atoi(optarg);
			break;
		case 'k':
			g_o.credits = (unsigned)atoi(optarg);
			break;
		case 'T':
			g_o.timeout_ms = (unsigned)atoi(optarg);
			break;
		case 'L':
			g_o.trace = optarg;
			break;
		case 'e':
			g_o.expect = errcode(optarg);
			if (!g_o.expect)
				return NULL;
			break;
		default:
			return NULL;
		}
	}
	if (argc - optind < 4 || !g_o.clients || g_o.clients > MAX_CLIENTS ||
	    g_o.opens > MAX_OPENS || g_o.slice < 4096)
		return NULL;
	g_o.host = argv[optind];
	g_o.port = argv[optind + 1];
	for (int i = optind + 3; i < argc && g_o.n_regions < MAX_REGIONS; i++)
		g_o.regions[g_o.n_regions++] = argv[i];
	return argv[optind + 2];
}

int main(int argc, char **argv)
{
	const char *mode = parse_opts(argc, argv);

	if (!mode)
		return usage();
	if (!strcmp(mode, "load")) {
		sigset_t set;

		/* every thread inherits it: sigwait in release_when_idle */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		return run_workers(&g_o, load_worker, g_o.seconds);
	}
	if (!strcmp(mode, "cycles"))
		return run_workers(&g_o, cycle_worker, 0);
	if (!strcmp(mode, "hold"))
		return do_hold(&g_o);
	if (!strcmp(mode, "expect") && g_o.expect)
		return do_expect(&g_o);
	if (!strcmp(mode, "lat"))
		return do_lat(&g_o);
	return usage();
}
