/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_pair.h -- what pmr-floor (raw verbs) and pmr-rpma (librpma) share:
 * one binary for both sides, like perftest, with the same options, the
 * server's buffer (a devdax device or file mapped shared, else anonymous
 * memory) and the JSON line of a latency point, so that their rows and
 * pmr-bench's are measured and written alike
 */
#ifndef PMR_BENCH_PAIR_H
#define PMR_BENCH_PAIR_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_util.h"

#define PAIR_BUF      (64u << 20) /* the server's buffer by default */
#define PAIR_MAX_SIZE (1u << 30)

/* the options both tools take (the client's HOST: none means server) */
struct pair_opts {
	const char *tool;
	const char *host;
	const char *port;
	const char *bind;
	const char *path;
	size_t buf_len;
	char ops[128];
	struct bench_list sizes;
	struct bench_loop loop;
};

/* the long options of pair_opt, for the tools' getopt_long tables */
/* clang-format off */
#define PAIR_LONG_OPTS \
	{ "port", required_argument, NULL, 'p' }, \
	{ "bind", required_argument, NULL, 'b' }, \
	{ "map", required_argument, NULL, 'm' }, \
	{ "buf", required_argument, NULL, 'S' }, \
	{ "ops", required_argument, NULL, 'o' }, \
	{ "sizes", required_argument, NULL, 's' }, \
	{ "warmup", required_argument, NULL, 'w' }, \
	{ "iters", required_argument, NULL, 'n' }, \
	{ "gap", required_argument, NULL, 'g' }, \
	{ "time", required_argument, NULL, 't' }, \
	{ "help", no_argument, NULL, 'h' }
/* clang-format on */
#define PAIR_SHORT_OPTS "p:b:m:S:o:s:w:n:t:g:h"

/* pair_opts_init -- O's defaults for TOOL on PORT measuring OPS */
static inline void pair_opts_init(struct pair_opts *o, const char *tool,
				  const char *port, const char *ops)
{
	*o = (struct pair_opts){ .tool = tool,
				 .port = port,
				 .buf_len = PAIR_BUF,
				 .loop = bench_loop_default() };
	snprintf(o->ops, sizeof(o->ops), "%s", ops);
	bench_parse_list("8,64,512,4K,64K,1M", &o->sizes);
}

/*
 * pair_opt -- getopt option C with ARG into O when it is one both tools
 * take: 1 (*BAD set on a bad value), else 0 (-h too: each tool's usage)
 */
static inline int pair_opt(int c, const char *arg, struct pair_opts *o,
			   int *bad)
{
	if (bench_loop_opt(c, arg, &o->loop, bad))
		return 1;
	switch (c) {
	case 'p':
		o->port = arg;
		return 1;
	case 'b':
		o->bind = arg;
		return 1;
	case 'm':
		o->path = arg;
		return 1;
	case 'S':
		o->buf_len = bench_parse_size(arg);
		*bad |= !o->buf_len;
		return 1;
	case 'o':
		snprintf(o->ops, sizeof(o->ops), "%s", arg);
		return 1;
	case 's':
		*bad |= bench_parse_list(arg, &o->sizes) < 0;
		return 1;
	default:
		return 0;
	}
}

/* pair_opts_finish -- after getopt: the sizes within bounds, HOST from
 * the one operand left (none: server); -EINVAL on a mistake */
static inline int pair_opts_finish(struct pair_opts *o, int argc, char **argv)
{
	int bad = o->buf_len > PAIR_MAX_SIZE || argc - optind > 1;

	for (int i = 0; i < o->sizes.n; i++)
		bad |= o->sizes.v[i] > PAIR_MAX_SIZE;
	o->host = optind < argc ? argv[optind] : NULL;
	return bad ? -EINVAL : 0;
}

/* pair_usage -- the help lines of the options both tools take */
static inline void pair_usage(FILE *f, const struct pair_opts *o)
{
	fprintf(f,
		"Usage: %s [OPTIONS]          server (one client)\n"
		"       %s [OPTIONS] HOST     client\n"
		"  -p, --port PORT     port (default %s)\n"
		"server:\n"
		"  -b, --bind ADDR     listen address\n"
		"  -m, --map PATH      register PATH mapped shared (devdax or file)\n"
		"                      instead of anonymous memory\n"
		"  -S, --buf BYTES     bytes to register (default 64M)\n"
		"client:\n"
		"  -o, --ops LIST      %s (default: all)\n"
		"  -s, --sizes LIST    sizes, e.g. 8,4K,1M (default 8,64,512,4K,64K,1M)\n"
		"  -w, --warmup N      untimed operations first (default 100)\n"
		"  -n, --iters N       most timed operations per point (default 10000)\n"
		"  -t, --time SECS     time limit per point (default 2)\n"
		"  -g, --gap NS        untimed busy wait after each operation (default 0)\n"
		"  -h, --help          this text\n",
		o->tool, o->tool, o->port, o->ops);
}

/* pair_map_buf -- a buffer of LEN: PATH mapped shared (devdax or a file
 * of at least LEN bytes; *MAPPED set), or anonymous memory without PATH */
static inline int pair_map_buf(const char *path, size_t len, uint8_t **buf,
			       bool *mapped)
{
	void *p;
	int fd;

	if (!path) {
		if (posix_memalign(&p, 4096, len))
			return -ENOMEM;
		memset(p, 0x5a, len);
		*buf = p;
		*mapped = false;
		return 0;
	}
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	*buf = p;
	*mapped = true;
	return 0;
}

/* pair_free_buf -- undo pair_map_buf (BUF NULL: nothing) */
static inline void pair_free_buf(uint8_t *buf, size_t len, bool mapped)
{
	if (buf && mapped)
		munmap(buf, len);
	else
		free(buf);
}

/*
 * pair_print_lat -- a latency point's JSON line on stdout (p50/p99/p999/
 * max/mean in us of sorted SAMPLES, RES their count and sum; EXTRA: more
 * JSON fields, ", "-led, or "") and a progress line on stderr
 */
static inline void pair_print_lat(const struct pair_opts *o, const char *op,
				  size_t size, const uint64_t *samples,
				  const struct bench_result *res,
				  const char *extra)
{
	size_t n = res->n;

	printf("{\"tool\": \"%s\", \"op\": \"%s\", \"size\": %zu, "
	       "\"gap_ns\": %llu, \"iters\": %zu, \"p50_us\": %.3f, "
	       "\"p99_us\": %.3f, \"p999_us\": %.3f, \"max_us\": %.3f, "
	       "\"mean_us\": %.3f%s}\n",
	       o->tool, op, size, (unsigned long long)o->loop.gap_ns, n,
	       bench_pct_us(samples, n, 0.5), bench_pct_us(samples, n, 0.99),
	       bench_pct_us(samples, n, 0.999), (double)samples[n - 1] / 1000.0,
	       (double)res->sum / (double)n / 1000.0, extra);
	fflush(stdout);
	fprintf(stderr, "%-12s %8zu %8zu p50 %9.1f us p99 %9.1f us\n", op, size,
		n, bench_pct_us(samples, n, 0.5),
		bench_pct_us(samples, n, 0.99));
}

#endif
