/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_ackwriter.c -- pmr-ackwriter: write checksummed records into a range
 * of a region, persist each, and log only what was acknowledged persisted
 *
 * Usage: pmr-ackwriter [-p PORT] [-m auto|server|flush|raw] [-w WRITER]
 *        [-s MINLEN] [-S MAXLEN] [-d DEPTH] [-n COUNT] [-M MARKER -k ACKS]
 *        HOST REGION OFF LEN ACKLOG
 *
 * Records (ackrec.h) go one after the other from OFF, never past OFF+LEN;
 * their lengths vary with seq between MINLEN and MAXLEN (multiples of
 * 64).  Each record is an async WRITE from a registered buffer followed by
 * an async PERSIST of its range; up to DEPTH records are in flight.  Only
 * when a record's PERSIST completes with success is "seq off len crc"
 * appended to ACKLOG and ACKLOG fsynced: a line in the log is a promise
 * the store made.  With -M, MARKER is created (and fsynced) once ACKS
 * records are acknowledged: the signal for a test to pull the plug.
 * Stops when the range is full, COUNT records are acknowledged, or on
 * SIGTERM/SIGINT (after draining what is in flight).  Exit 0 on a clean
 * stop, 1 on any error (a lost connection included: the test decides
 * whether that was expected).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <libpmr.h>

#include "ackrec.h"

struct writer {
	struct pmr_conn *conn;
	struct pmr_region *region;
	struct ackrec_io io; /* DEPTH slots of MAXLEN bytes */
	uint32_t id;
	uint64_t off, end, next_off;
	uint64_t minlen, maxlen;
	unsigned int depth;
	uint64_t count;
	uint64_t posted, acked;
	const char *marker;
	uint64_t marker_at;
};

static volatile sig_atomic_t stop;

/* on_signal -- stop posting; what is in flight is drained */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* rec_len -- the length of record SEQ: MINLEN..MAXLEN, 64-byte steps */
static uint64_t rec_len(const struct writer *w, uint64_t seq)
{
	uint64_t steps = (w->maxlen - w->minlen) / 64 + 1;
	uint64_t h = (seq + 1) * 0x9e3779b97f4a7c15ull;

	return w->minlen + ((h >> 17) % steps) * 64;
}

/* make_marker -- create PATH with the ack count in it, durably */
static int make_marker(const char *path, uint64_t acked)
{
	char line[32];
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), "%" PRIu64 "\n", acked);
	ret = ackrec_write_all(fd, line, strlen(line));
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
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
	if (w->acked % 100 == 0)
		printf("acked %" PRIu64 "\n", w->acked);
	if (w->marker && w->acked == w->marker_at) {
		ret = make_marker(w->marker, w->acked);
		if (ret) {
			fprintf(stderr, "marker %s: %s\n", w->marker,
				strerror(-ret));
			return ret;
		}
		printf("marker %s at %" PRIu64 " acks\n", w->marker, w->acked);
	}
	fflush(stdout);
	return 0;
}

static int reap(struct writer *w);

/*
 * post_one -- post the next record's WRITE and PERSIST; 1 if nothing was
 * posted (range full, count reached, stopping), -EAGAIN if the queue is
 * full (the caller polls), 0 if posted
 */
static int post_one(struct writer *w)
{
	uint64_t seq = w->posted, len = rec_len(w, seq);
	unsigned int slot = (unsigned int)(seq % w->depth);
	struct ackrec_ack *a = &w->io.inflight[slot];
	size_t src = (size_t)slot * w->maxlen;
	struct ackrec_hdr h;
	int ret;

	if (stop || (w->count && seq >= w->count) ||
	    w->next_off + len > w->end || seq - w->acked >= w->depth)
		return 1;
	ackrec_fill(w->io.buf + src, w->id, seq, w->next_off, len);
	memcpy(&h, w->io.buf + src, sizeof(h));
	ret = pmr_region_post_write(w->region, w->io.mr, src, w->next_off, len,
				    seq * 2);
	if (ret)
		return ret;
	/* the WRITE is posted: the PERSIST must follow, so retry -EAGAIN */
	while ((ret = pmr_region_post_persist(w->region, w->next_off, len,
					      seq * 2 + 1)) == -EAGAIN) {
		ret = reap(w);
		if (ret)
			return ret;
	}
	if (ret)
		return ret;
	a->seq = seq;
	a->off = w->next_off;
	a->len = len;
	a->crc = h.crc;
	w->next_off += len;
	w->posted++;
	return 0;
}

/* reap -- poll completions; ack persisted records; wait on the fd if none */
static int reap(struct writer *w)
{
	struct pmr_completion c[32];
	struct pollfd p;
	int n, i, ret;

	n = pmr_conn_poll(w->conn, c, 32);
	if (n < 0) {
		fprintf(stderr, "poll: %s\n", pmr_strerror(n));
		return n;
	}
	if (n == 0) {
		p.fd = pmr_conn_get_fd(w->conn);
		p.events = POLLIN;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -errno;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (c[i].status) {
			fprintf(stderr, "%s of record %" PRIu64 ": %s\n",
				c[i].op == PMR_OP_PERSIST ? "persist" : "write",
				c[i].user_tag / 2, pmr_strerror(c[i].status));
			return c[i].status;
		}
		if (c[i].op != PMR_OP_PERSIST)
			continue;
		ret = ackrec_in_order(c[i].user_tag / 2, w->acked);
		if (!ret)
			ret = ack(w);
		if (ret)
			return ret;
	}
	return 0;
}

/* run -- post and reap until done; 0 or the first error */
static int run(struct writer *w)
{
	int ret;

	for (;;) {
		while ((ret = post_one(w)) == 0)
			;
		if (ret < 0 && ret != -EAGAIN) {
			fprintf(stderr, "post: %s\n", pmr_strerror(ret));
			return ret;
		}
		if (ret == 1 && w->acked == w->posted)
			return 0;
		ret = reap(w);
		if (ret)
			return ret;
	}
}

/* method_bit -- a -m argument as a PMR_METHOD_* value; -1 if unknown */
static int method_bit(const char *s, unsigned int *ret)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} m[] = { { "auto", PMR_METHOD_AUTO },
		  { "server", PMR_METHOD_SERVER },
		  { "flush", PMR_METHOD_FLUSH },
		  { "raw", PMR_METHOD_RAW } };
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(s, m[i].name)) {
			*ret = m[i].bit;
			return 0;
		}
	return -1;
}

/* usage -- the synopsis on stderr; exit 2 */
static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: pmr-ackwriter [-p PORT] [-m auto|server|flush|raw] [-w WRITER]\n"
		"       [-s MINLEN] [-S MAXLEN] [-d DEPTH] [-n COUNT] [-M MARKER -k ACKS]\n"
		"       HOST REGION OFF LEN ACKLOG\n");
	exit(2);
}

/* setup -- connect, open, register the slots, open the ack log */
static int setup(struct writer *w, const char *host, const char *port,
		 const char *region, unsigned int method, const char *log)
{
	size_t bytes = (size_t)w->depth * w->maxlen;
	struct pmr_conn_cfg *cfg = NULL;
	int ret;

	ret = pmr_conn_cfg_new(&cfg);
	if (!ret)
		ret = pmr_conn_cfg_set_sq_depth(cfg, w->depth * 2 + 16);
	if (!ret)
		ret = pmr_conn_cfg_set_timeout(cfg, 20000);
	if (!ret)
		ret = ackrec_open(host, port, cfg, region, PMR_OPEN_RW,
				  &w->conn, &w->region);
	pmr_conn_cfg_delete(&cfg);
	if (ret)
		return ret;
	if (w->end > pmr_region_size(w->region)) {
		fprintf(stderr,
			"range ends at %" PRIu64 ", region has %" PRIu64 "\n",
			w->end, pmr_region_size(w->region));
		return -ERANGE;
	}
	ret = pmr_region_set_persist_method(w->region, method);
	if (ret) {
		fprintf(stderr, "persist method: %s\n", pmr_strerror(ret));
		return ret;
	}
	ret = ackrec_io_setup(w->conn, bytes, w->depth, log, &w->io);
	if (ret)
		return ret;
	printf("writer %u: %s region %s [%" PRIu64 ", %" PRIu64
	       ") method 0x%x depth %u records %" PRIu64 "..%" PRIu64
	       " bytes\n",
	       w->id, host, region, w->off, w->end,
	       pmr_region_get_persist_method(w->region), w->depth, w->minlen,
	       w->maxlen);
	fflush(stdout);
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

int main(int argc, char **argv)
{
	struct writer w = {
		.minlen = 4096, .maxlen = 65536, .depth = 1, .io.log_fd = -1
	};
	const char *port = NULL;
	unsigned int method = PMR_METHOD_AUTO;
	uint64_t v, len = 0;
	struct sigaction sa;
	int opt, ret;

	while ((opt = getopt(argc, argv, "p:m:w:s:S:d:n:M:k:")) != -1) {
		switch (opt) {
		case 'p':
			port = optarg;
			break;
		case 'm':
			if (method_bit(optarg, &method))
				usage();
			break;
		case 'w':
			if (ackrec_parse_u64(optarg, &v) || v > UINT32_MAX)
				usage();
			w.id = (uint32_t)v;
			break;
		case 's':
			if (ackrec_parse_u64(optarg, &w.minlen))
				usage();
			break;
		case 'S':
			if (ackrec_parse_u64(optarg, &w.maxlen))
				usage();
			break;
		case 'd':
			if (ackrec_parse_u64(optarg, &v) || v < 1 || v > 256)
				usage();
			w.depth = (unsigned int)v;
			break;
		case 'n':
			if (ackrec_parse_u64(optarg, &w.count))
				usage();
			break;
		case 'M':
			w.marker = optarg;
			break;
		case 'k':
			if (ackrec_parse_u64(optarg, &w.marker_at) ||
			    !w.marker_at)
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 5 || ackrec_parse_u64(argv[optind + 2], &w.off) ||
	    ackrec_parse_u64(argv[optind + 3], &len) || w.minlen < ACKREC_MIN ||
	    w.maxlen > ACKREC_MAX || w.minlen > w.maxlen || w.minlen % 64 ||
	    w.maxlen % 64 || (w.marker && !w.marker_at) ||
	    len > UINT64_MAX - w.off)
		usage();
	w.end = w.off + len;
	w.next_off = w.off;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = setup(&w, argv[optind], port, argv[optind + 1], method,
		    argv[optind + 4]);
	if (!ret)
		ret = run(&w);
	printf("writer %u: %" PRIu64 " records acknowledged, %" PRIu64
	       " posted, %s\n",
	       w.id, w.acked, w.posted,
	       ret  ? pmr_strerror(ret) :
	       stop ? "stopped by signal" :
		      "done");
	teardown(&w);
	return ret ? 1 : 0;
}
