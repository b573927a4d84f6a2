/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_util.h -- what pmr-bench (libpmr) and pmr-floor
 * (tests/vm/bench/pmr_floor.c, raw verbs) share: option parsing and, above
 * all, the latency sample loop and its quantiles, so that "pmr / floor"
 * compares two operations timed the same way
 */
#ifndef PMR_BENCH_UTIL_H
#define PMR_BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_LIST	 32
#define BENCH_MAX_GAP_NS 1000000000ull /* -g: at most a second */

struct bench_list {
	size_t v[BENCH_MAX_LIST];
	int n;
};

/* the sample loop's settings: the same options (-w, -n, -t, -g) and
 * defaults in both tools */
struct bench_loop {
	unsigned long warmup; /* untimed operations first */
	unsigned long iters;  /* most timed operations per point */
	double time_s;	      /* time limit per point */
	uint64_t gap_ns;      /* untimed busy wait after each operation */
};

/* bench_loop_default -- the defaults the usage texts name */
static inline struct bench_loop bench_loop_default(void)
{
	return (struct bench_loop){ .warmup = 100,
				    .iters = 10000,
				    .time_s = 2.0 };
}

/* bench_now_ns -- monotonic nanoseconds */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* bench_spin_ns -- busy-wait NS nanoseconds (an application's work between
 * two operations: the CPU stays busy, nothing sleeps) */
static inline void bench_spin_ns(uint64_t ns)
{
	uint64_t end;

	if (!ns)
		return;
	end = bench_now_ns() + ns;
	while (bench_now_ns() < end)
		;
}

/* bench_parse_size -- "64", "4K", "1M" -> bytes; 0 on a bad number */
static inline size_t bench_parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case '\0':
		break;
	default:
		return 0;
	}
	return *end ? 0 : (size_t)v;
}

/* bench_parse_list -- comma-separated sizes into L; -EINVAL on a bad item */
static inline int bench_parse_list(const char *s, struct bench_list *l)
{
	char buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	l->n = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t v = bench_parse_size(tok);

		if (!v || l->n == BENCH_MAX_LIST)
			return -EINVAL;
		l->v[l->n++] = v;
	}
	return l->n ? 0 : -EINVAL;
}

/* bench_op_wanted -- is NAME in the comma list OPS ("wp" matches every
 * wp-*) */
static inline int bench_op_wanted(const char *ops, const char *name)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", ops);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, name))
			return 1;
		if (!strcmp(tok, "wp") && !strncmp(name, "wp-", 3))
			return 1;
	}
	return 0;
}

/*
 * bench_loop_opt -- getopt option C with ARG into L when it is one of the
 * sample loop's (-w, -n, -t, -g): 1 (*BAD set on a bad value), else 0
 */
static inline int bench_loop_opt(int c, const char *arg, struct bench_loop *l,
				 int *bad)
{
	switch (c) {
	case 'w':
		l->warmup = strtoul(arg, NULL, 10);
		return 1;
	case 'n':
		l->iters = strtoul(arg, NULL, 10);
		*bad |= !l->iters;
		return 1;
	case 't':
		l->time_s = strtod(arg, NULL);
		*bad |= !(l->time_s > 0);
		return 1;
	case 'g':
		l->gap_ns = strtoull(arg, NULL, 10);
		*bad |= l->gap_ns > BENCH_MAX_GAP_NS;
		return 1;
	default:
		return 0;
	}
}

/* bench_cmp_u64 -- qsort order */
static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* bench_pct_us -- the P-quantile (0..1) of sorted V[0..N) in microseconds */
static inline double bench_pct_us(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)n);

	if (i >= n)
		i = n - 1;
	return (double)v[i] / 1000.0;
}

/* one synchronous operation of SIZE bytes at offset OFF; 0 or an error */
typedef int bench_op_fn(void *ctx, uint64_t off, size_t size);

struct bench_result {
	size_t n;     /* samples taken */
	uint64_t sum; /* their sum, ns */
};

/*
 * bench_samples -- L's warmup untimed calls of FN, then up to its iters
 * timed ones (or until its time_s passed), each at the next of SLOTS
 * offsets of SIZE; the sorted samples (ns) in SAMPLES, count and sum in
 * *RET.  Each sample is a clock read, FN, a clock read; L's gap_ns of busy
 * waiting follows every call, outside the sample.
 */
static inline int bench_samples(bench_op_fn *fn, void *ctx, size_t size,
				uint64_t slots, const struct bench_loop *l,
				uint64_t *samples, struct bench_result *ret)
{
	unsigned long warmup = l->warmup, iters = l->iters;
	double time_s = l->time_s;
	uint64_t t_end, sum = 0;
	size_t n = 0;
	int rc;

	if (!slots || !iters)
		return -EINVAL;
	for (unsigned long i = 0; i < warmup; i++) {
		rc = fn(ctx, (i % slots) * size, size);
		if (rc)
			return rc;
		bench_spin_ns(l->gap_ns);
	}
	t_end = bench_now_ns() + (uint64_t)(time_s * 1e9);
	while (n < iters) {
		uint64_t t0 = bench_now_ns(), t1;

		rc = fn(ctx, (n % slots) * size, size);
		t1 = bench_now_ns();
		if (rc)
			return rc;
		samples[n++] = t1 - t0;
		sum += t1 - t0;
		if (t1 > t_end)
			break;
		bench_spin_ns(l->gap_ns);
	}
	qsort(samples, n, sizeof(*samples), bench_cmp_u64);
	ret->n = n;
	ret->sum = sum;
	return 0;
}

#endif
