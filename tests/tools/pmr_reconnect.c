/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_reconnect.c -- pmr-reconnect: write and persist numbered records
 * with an ack log, and carry on across lost connections with
 * pmr_conn_reconnect
 *
 * Usage: pmr-reconnect [-p PORT] [-w WRITER] [-s RECLEN] [-d DEPTH]
 *        [-i USEC] [-n COUNT] [-x | -T] [-P PAUSEFILE] [-t SECS]
 *        HOST REGION OFF LEN ACKLOG
 *
 * Records (ackrec.h) of RECLEN bytes (default 4096, a multiple of 64) go
 * one after the other from OFF; each is an async WRITE from a registered
 * buffer and an async PERSIST of its range, up to DEPTH records in flight,
 * USEC microseconds apart (default 0).  A record is appended to ACKLOG
 * (and ACKLOG fsynced) only when its PERSIST completed with success:
 * pmr-verify checks the log.  When the range is full the tool idles,
 * still watching the connection, until a signal.
 *
 * A lost connection: every pending completion is collected (the persists
 * that succeeded before the loss are acknowledged, the rest are not), then
 * pmr_conn_reconnect is called until it succeeds, for at most SECS seconds
 * (default 60) per outage, while PAUSEFILE (if given) does not exist; then
 * the records from the first unacknowledged one on are written again.
 * With -x the region is opened PMR_OPEN_EXCL, with -T PMR_OPEN_TAKEOVER;
 * "generation G" is printed after the open and after each reconnect.
 *
 * Output: "lost after N acks", "reconnected K generation G", "fenced", and
 * a summary line with the number of reconnects.  Exit 0 on a clean stop
 * (SIGTERM/SIGINT, COUNT records acknowledged), 3 when a reconnect or a
 * call reported PMR_E_FENCED, 1 on any other error (a reconnect that did
 * not succeed in SECS seconds included), 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <libpmr.h>

#include "ackrec.h"

struct writer {
	struct pmr_conn *conn;
	struct pmr_region *region;
	struct ackrec_io io; /* DEPTH slots of RECLEN bytes */
	uint32_t id;
	uint64_t off, end, reclen;
	unsigned int depth, gap_us;
	unsigned int flags;
	uint64_t count;
	uint64_t posted, acked;
	unsigned int reconnects;
	int failed; /* the first failed completion's status */
	unsigned int max_secs;
	const char *pause_file;
};

static volatile sig_atomic_t stop;

/* on_signal -- stop posting; what is in flight is drained */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* now_s -- monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep_us -- a pause (a signal may cut it short) */
static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* ack -- the oldest record in flight is persisted: log it, fsync */
static int ack(struct writer *w)
{
	int ret;

	ret = ackrec_log_append(w->io.log_fd,
				&w->io.inflight[w->acked % w->depth]);
	if (ret)
		return ret;
	w->acked++;
	if (w->acked % 500 == 0)
		printf("acked %" PRIu64 "\n", w->acked);
	return 0;
}

/*
 * post_one -- post the next record's WRITE and PERSIST; 1 if nothing was
 * posted (range full, count reached, stopping, DEPTH in flight), else 0
 * or the error
 */
static int post_one(struct writer *w)
{
	uint64_t seq = w->posted, off = w->off + seq * w->reclen;
	unsigned int slot = (unsigned int)(seq % w->depth);
	struct ackrec_ack *a = &w->io.inflight[slot];
	size_t src = (size_t)slot * w->reclen;
	struct ackrec_hdr h;
	int ret;

	if (stop || (w->count && seq >= w->count) || off + w->reclen > w->end ||
	    seq - w->acked >= w->depth)
		return 1;
	ackrec_fill(w->io.buf + src, w->id, seq, off, w->reclen);
	memcpy(&h, w->io.buf + src, sizeof(h));
	ret = pmr_region_post_write(w->region, w->io.mr, src, off, w->reclen,
				    seq * 2);
	if (!ret)
		ret = pmr_region_post_persist(w->region, off, w->reclen,
					      seq * 2 + 1);
	if (ret)
		return ret;
	a->seq = seq;
	a->off = off;
	a->len = w->reclen;
	a->crc = h.crc;
	w->posted++;
	if (w->gap_us)
		sleep_us(w->gap_us);
	return 0;
}

/*
 * take -- N completions in C: a successful PERSIST acknowledges its
 * record (in posting order); the first failed operation's status is
 * kept in W->failed (after a loss every later one is PMR_E_CONN_LOST).
 * Returns 0, or an error of the ack log or of the order.
 */
static int take(struct writer *w, const struct pmr_completion *c, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		if (c[i].status) {
			if (!w->failed)
				w->failed = c[i].status;
			continue;
		}
		if (c[i].op != PMR_OP_PERSIST || w->failed)
			continue;
		ret = ackrec_in_order(c[i].user_tag / 2, w->acked);
		if (!ret)
			ret = ack(w);
		if (ret)
			return ret;
	}
	return 0;
}

/* reap -- poll completions; wait on the fd up to MS if there are none;
 * pmr_conn_poll's error, take's, or 0 */
static int reap(struct writer *w, int ms)
{
	struct pmr_completion c[32];
	struct pollfd p;
	int n;

	n = pmr_conn_poll(w->conn, c, 32);
	if (n < 0)
		return n;
	if (n > 0)
		return take(w, c, n);
	p.fd = pmr_conn_get_fd(w->conn);
	p.events = POLLIN;
	if (poll(&p, 1, ms) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

/* run -- post and reap until stopped or COUNT acknowledged (the range
 * full: keep watching the connection), or the first failure */
static int run(struct writer *w)
{
	int ret;

	for (;;) {
		while ((ret = post_one(w)) == 0)
			;
		if (ret < 0 && ret != -EAGAIN)
			return ret;
		if (w->acked == w->posted &&
		    (stop || (w->count && w->acked >= w->count)))
			return 0;
		ret = reap(w, w->acked == w->posted ? 100 : 1000);
		if (!ret)
			ret = w->failed;
		if (ret)
			return ret;
	}
}

/* drain -- collect every completion of a lost connection (what persisted
 * before the loss is acknowledged): 0 once pmr_conn_poll says
 * PMR_E_CONN_LOST, PMR_E_FENCED if an operation said so, else the error */
static int drain(struct writer *w)
{
	int ret;

	do
		ret = reap(w, 100);
	while (!ret);
	if (ret != PMR_E_CONN_LOST)
		return ret;
	if (w->failed == PMR_E_FENCED)
		return PMR_E_FENCED;
	if (w->failed && w->failed != PMR_E_CONN_LOST &&
	    w->failed != -ETIMEDOUT) {
		fprintf(stderr, "operation failed: %s\n",
			pmr_strerror(w->failed));
		return w->failed;
	}
	w->failed = 0;
	printf("drained: %" PRIu64 " acks, %" PRIu64 " to write again\n",
	       w->acked, w->posted - w->acked);
	/* records are rewritten from the first one not acknowledged */
	w->posted = w->acked;
	return 0;
}

/*
 * recover -- after a loss: drain, then pmr_conn_reconnect until it
 * succeeds (max_secs at most; not while the pause file exists)
 */
static int recover(struct writer *w)
{
	double deadline;
	int ret;

	printf("lost after %" PRIu64 " acks (%" PRIu64 " posted)\n", w->acked,
	       w->posted);
	ret = drain(w);
	if (ret)
		goto out;
	deadline = now_s() + w->max_secs;
	while (!stop) {
		if (w->pause_file && access(w->pause_file, F_OK) == 0) {
			sleep_us(100000);
			continue;
		}
		ret = pmr_conn_reconnect(w->conn);
		if (ret == 0 || ret == PMR_E_FENCED)
			break;
		if (now_s() > deadline) {
			fprintf(stderr, "no reconnect in %u s: %s\n",
				w->max_secs, pmr_strerror(ret));
			return ret;
		}
		sleep_us(200000);
	}
	if (stop)
		return 0;
out:
	if (ret == PMR_E_FENCED) {
		printf("fenced: %s\n", pmr_conn_last_error_text(w->conn));
		return ret;
	}
	if (ret)
		return ret;
	w->reconnects++;
	printf("reconnected %u generation %" PRIu64 "\n", w->reconnects,
	       pmr_region_generation(w->region));
	return 0;
}

/* usage -- the synopsis on stderr; exit 2 */
static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: pmr-reconnect [-p PORT] [-w WRITER] [-s RECLEN] [-d DEPTH]\n"
		"       [-i USEC] [-n COUNT] [-x | -T] [-P PAUSEFILE] [-t SECS]\n"
		"       HOST REGION OFF LEN ACKLOG\n");
	exit(2);
}

/* setup -- connect, open, register the slots, open the ack log */
static int setup(struct writer *w, const char *host, const char *port,
		 const char *region, const char *log)
{
	size_t bytes = (size_t)w->depth * w->reclen;
	struct pmr_conn_cfg *cfg = NULL;
	int ret;

	ret = pmr_conn_cfg_new(&cfg);
	if (!ret)
		ret = pmr_conn_cfg_set_sq_depth(cfg, w->depth * 2 + 16);
	/* a few quick tries per call: the loop in recover waits longer */
	if (!ret)
		ret = pmr_conn_cfg_set_reconnect(cfg, 3, 100);
	if (!ret)
		ret = ackrec_open(host, port, cfg, region, w->flags, &w->conn,
				  &w->region);
	pmr_conn_cfg_delete(&cfg);
	if (ret)
		return ret;
	if (w->end > pmr_region_size(w->region)) {
		fprintf(stderr,
			"range ends at %" PRIu64 ", region has %" PRIu64 "\n",
			w->end, pmr_region_size(w->region));
		return -ERANGE;
	}
	ret = ackrec_io_setup(w->conn, bytes, w->depth, log, &w->io);
	if (ret)
		return ret;
	printf("writer %u: %s region %s [%" PRIu64 ", %" PRIu64
	       ") records of %" PRIu64 " bytes, depth %u\n",
	       w->id, host, region, w->off, w->end, w->reclen, w->depth);
	if (w->flags & (PMR_OPEN_EXCL | PMR_OPEN_TAKEOVER))
		printf("generation %" PRIu64 "\n",
		       pmr_region_generation(w->region));
	return 0;
}

/* teardown -- undo setup, whatever part of it was done */
static void teardown(struct writer *w)
{
	/* the close waits for what is still in flight, which uses the MR */
	pmr_region_close(&w->region);
	ackrec_io_release(&w->io);
	pmr_conn_close(&w->conn);
}

/* parse_args -- the options into W; the operands' index */
static int parse_args(int argc, char **argv, struct writer *w,
		      const char **port)
{
	uint64_t v, len;
	int opt;

	while ((opt = getopt(argc, argv, "p:w:s:d:i:n:xTP:t:")) != -1) {
		if (strchr("wdit", opt) &&
		    (!optarg || ackrec_parse_u64(optarg, &v) || v > UINT32_MAX))
			usage();
		switch (opt) {
		case 'p':
			*port = optarg;
			break;
		case 'w':
			w->id = (uint32_t)v;
			break;
		case 's':
			if (ackrec_parse_u64(optarg, &w->reclen))
				usage();
			break;
		case 'd':
			if (v < 1 || v > 256)
				usage();
			w->depth = (unsigned int)v;
			break;
		case 'i':
			w->gap_us = (unsigned int)v;
			break;
		case 'n':
			if (ackrec_parse_u64(optarg, &w->count))
				usage();
			break;
		case 'x':
			w->flags = PMR_OPEN_EXCL;
			break;
		case 'T':
			w->flags = PMR_OPEN_TAKEOVER;
			break;
		case 'P':
			w->pause_file = optarg;
			break;
		case 't':
			w->max_secs = (unsigned int)v;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 5 || ackrec_parse_u64(argv[optind + 2], &w->off) ||
	    ackrec_parse_u64(argv[optind + 3], &len) ||
	    w->reclen < ACKREC_MIN || w->reclen > ACKREC_MAX ||
	    w->reclen % 64 || len > UINT64_MAX - w->off)
		usage();
	w->end = w->off + len;
	return optind;
}

int main(int argc, char **argv)
{
	struct writer w = { .reclen = 4096,
			    .depth = 4,
			    .max_secs = 60,
			    .io.log_fd = -1,
			    .flags = PMR_OPEN_RW };
	const char *port = NULL;
	struct sigaction sa;
	int i, ret;

	i = parse_args(argc, argv, &w, &port);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = setup(&w, argv[i], port, argv[i + 1], argv[i + 4]);
	while (!ret) {
		ret = run(&w);
		if (ret != PMR_E_CONN_LOST && ret != -ETIMEDOUT)
			break;
		ret = recover(&w);
		if (stop)
			break;
	}
	printf("writer %u: %" PRIu64 " records acknowledged, %" PRIu64
	       " posted, %u reconnects, %s\n",
	       w.id, w.acked, w.posted, w.reconnects,
	       ret  ? pmr_strerror(ret) :
	       stop ? "stopped by signal" :
		      "done");
	teardown(&w);
	if (ret == PMR_E_FENCED)
		return 3;
	return ret ? 1 : 0;
}
