/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_bench.c -- pmr-bench: latency and bandwidth of libpmr against a pmrd
 *
 *   pmr-bench [OPTIONS] HOST REGION
 *
 * Latency mode (default): per op and size, WARMUP untimed operations, then
 * up to ITERS timed ones (or until the time limit), each one synchronous on
 * a registered buffer (zero copy); p50/p99/p999/max in microseconds; with
 * -g, a fixed untimed busy wait after each (an application's work between
 * two operations).  Ops:
 * read, write (a completed one-sided write: a full round trip), and
 * write+persist with each persistence method the region offers
 * ("wp-server", "wp-flush", "wp-raw").  With --first-touch, every (op,
 * size) point gets pages no earlier point touched and is measured twice
 * over the same offsets, no warm-up: pass "first" (each operation the
 * first access to its bytes since the server registered the region: on
 * an On-Demand-Paging MR, a device page fault) and pass "warm".
 *
 * Bandwidth mode (-m bw): per size, queue depth and thread count, each
 * thread has its own connection and keeps QD async writes (or reads) in
 * flight for the time limit, then writes end with one persist of what the
 * thread wrote (the region's method; in the timed span, as librpma's
 * final flush in pmr-rpma); MB/s over all threads.
 *
 * Where in the region: --offset and --span choose the bytes used (default
 * the whole region); latency uses at most the first 64 MiB of them,
 * bandwidth splits them into 8 slices, one per thread.
 *
 * Output: a human table on stdout, JSON (json-c) with -j FILE.
 * Only the public libpmr API is used.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <json-c/json.h>
#include <libpmr.h>

#include "bench_util.h"

struct opts {
	const char *host;
	const char *port;
	const char *region;
	const char *json;
	int bw;
	char ops[256];
	struct bench_list sizes;
	struct bench_list qds;
	struct bench_list threads;
	struct bench_loop loop;
	int spin_us;	 /* -1: library default */
	uint64_t offset; /* --offset: the first region byte used */
	uint64_t span;	 /* --span: bytes used from there; 0: the rest */
	size_t stride;	 /* --stride: lat offset step; 0: the op's size */
	int first_touch; /* --first-touch */
};

/* the most of the used bytes one latency point cycles over */
#define LAT_SPAN_MAX (64ull << 20)

/* first-touch points start on a fresh page */
#define FT_ALIGN 4096u

/* long-only options */
enum { OPT_OFFSET = 256, OPT_SPAN, OPT_STRIDE, OPT_FIRST_TOUCH };

/* used_span -- the bytes of R the options select, from o->offset: the
 * rest of the region, or --span of it when that is less */
static uint64_t used_span(const struct opts *o, struct pmr_region *r)
{
	uint64_t rsize = pmr_region_size(r);
	uint64_t avail = rsize > o->offset ? rsize - o->offset : 0;

	return o->span && o->span < avail ? o->span : avail;
}

/* list_pow2 -- L = FROM, 2*FROM, ... TO */
static void list_pow2(struct bench_list *l, size_t from, size_t to)
{
	l->n = 0;
	for (size_t v = from; v <= to && l->n < BENCH_MAX_LIST; v *= 2)
		l->v[l->n++] = v;
}

/* connect_region -- a connection to the server and REGION opened rw */
static int connect_region(const struct opts *o, struct pmr_conn **conn,
			  struct pmr_region **region)
{
	struct pmr_conn_cfg *cfg = NULL;
	int rc;

	rc = pmr_conn_cfg_new(&cfg);
	if (rc)
		return rc;
	if (o->spin_us >= 0)
		pmr_conn_cfg_set_spin_us(cfg, (unsigned int)o->spin_us);
	pmr_conn_cfg_set_sq_depth(cfg, 256);
	rc = pmr_conn_open(o->host, o->port, cfg, conn);
	if (rc) {
		fprintf(stderr, "pmr-bench: connect to %s port %s: %s\n",
			o->host, o->port, pmr_strerror(rc));
		goto out_free_cfg;
	}
	rc = pmr_region_open(*conn, o->region, PMR_OPEN_RW, region);
	if (rc) {
		fprintf(stderr, "pmr-bench: open %s: %s\n", o->region,
			pmr_strerror(rc));
		goto out_close_conn;
	}
	pmr_conn_cfg_delete(&cfg);
	return 0;

out_close_conn:
	pmr_conn_close(conn);
out_free_cfg:
	pmr_conn_cfg_delete(&cfg);
	return rc;
}

enum lat_op { LAT_READ, LAT_WRITE, LAT_WP, LAT_AWRITE, LAT_CAS, LAT_FAA };

struct lat_ctx {
	struct pmr_region *r;
	struct pmr_mr *mr;
	enum lat_op op;
	uint64_t base; /* region offset of slot 0 */
	size_t stride; /* region bytes from one slot to the next */
};

/* where one latency point runs: its slots, and the sample loop */
struct lat_where {
	uint64_t base;
	uint64_t slots;
	size_t stride;
	struct bench_loop loop;
	const char *pass; /* --first-touch: "first" or "warm"; else NULL */
};

/* lat_one -- one synchronous operation (a bench_op_fn); bench_samples
 * steps OFF by the size, the point by its stride from its base */
static int lat_one(void *arg, uint64_t off, size_t size)
{
	const struct lat_ctx *c = arg;

	off = c->base + off / size * c->stride;
	switch (c->op) {
	case LAT_READ:
		return pmr_region_read_mr(c->r, c->mr, 0, off, size);
	case LAT_WRITE:
		return pmr_region_write_mr(c->r, c->mr, 0, off, size);
	case LAT_AWRITE: /* words: offsets are 8-aligned (lat_atomics) */
		return pmr_region_atomic_write(c->r, off, off);
	case LAT_CAS: /* swaps: each word holds 0 or 1 */
		return pmr_region_cas(c->r, off, 0, 1, NULL) ?:
			       pmr_region_cas(c->r, off, 1, 0, NULL);
	case LAT_FAA:
		return pmr_region_fetch_add(c->r, off, 1, NULL);
	default:
		return pmr_region_write_persist_mr(c->r, c->mr, 0, off, size);
	}
}

/*
 * lat_point -- measure one (op, size) at W; add a row to ROWS and print
 * it; the number of samples in *RET_N
 */
static int lat_point(struct pmr_region *r, struct pmr_mr *mr, enum lat_op op,
		     const char *name, size_t size, const struct lat_where *w,
		     uint64_t *samples, json_object *rows, size_t *ret_n)
{
	struct lat_ctx ctx = {
		.r = r, .mr = mr, .op = op, .base = w->base, .stride = w->stride
	};
	struct bench_result res;
	json_object *row;
	uint64_t sum;
	size_t n;
	int rc;

	rc = bench_samples(lat_one, &ctx, size, w->slots, &w->loop, samples,
			   &res);
	if (rc)
		return rc;
	n = res.n;
	sum = res.sum;
	*ret_n = n;
	printf("%-10s %8zu %8zu %10.1f %10.1f %10.1f %10.1f %10.1f%s%s\n", name,
	       size, n, bench_pct_us(samples, n, 0.5),
	       bench_pct_us(samples, n, 0.99), bench_pct_us(samples, n, 0.999),
	       (double)samples[n - 1] / 1000.0,
	       (double)sum / (double)n / 1000.0, w->pass ? "  " : "",
	       w->pass ? w->pass : "");
	fflush(stdout);
	row = json_object_new_object();
	json_object_object_add(row, "op", json_object_new_string(name));
	json_object_object_add(row, "size",
			       json_object_new_int64((int64_t)size));
	json_object_object_add(row, "iters", json_object_new_int64((int64_t)n));
	json_object_object_add(
		row, "p50_us",
		json_object_new_double(bench_pct_us(samples, n, 0.5)));
	json_object_object_add(
		row, "p99_us",
		json_object_new_double(bench_pct_us(samples, n, 0.99)));
	json_object_object_add(
		row, "p999_us",
		json_object_new_double(bench_pct_us(samples, n, 0.999)));
	json_object_object_add(
		row, "max_us",
		json_object_new_double((double)samples[n - 1] / 1000.0));
	json_object_object_add(
		row, "mean_us",
		json_object_new_double((double)sum / (double)n / 1000.0));
	json_object_object_add(row, "offset",
			       json_object_new_int64((int64_t)w->base));
	json_object_object_add(row, "stride",
			       json_object_new_int64((int64_t)w->stride));
	if (w->pass)
		json_object_object_add(row, "pass",
				       json_object_new_string(w->pass));
	json_object_array_add(rows, row);
	return 0;
}

/*
 * lat_measure -- one (op, size) point: at the start of the used bytes;
 * with --first-touch at *CURSOR (advanced past it), pass "first" and then
 * pass "warm" over the same offsets, as many samples each, no warm-up
 */
static int lat_measure(const struct opts *o, struct pmr_region *r,
		       struct pmr_mr *mr, enum lat_op op, const char *name,
		       size_t size, uint64_t *cursor, uint64_t *samples,
		       json_object *rows)
{
	uint64_t span = used_span(o, r), end = o->offset + span;
	struct lat_where w = { .base = o->offset,
			       .stride = o->stride ? o->stride : size,
			       .loop = o->loop };
	size_t n;
	int rc;

	if (w.stride < size) {
		fprintf(stderr,
			"pmr-bench: --stride %zu is less than size %zu\n",
			w.stride, size);
		return -EINVAL;
	}
	if (!o->first_touch) {
		w.slots =
			(span < LAT_SPAN_MAX ? span : LAT_SPAN_MAX) / w.stride;
		return lat_point(r, mr, op, name, size, &w, samples, rows, &n);
	}
	w.base = *cursor;
	w.slots = end > w.base ? (end - w.base) / w.stride : 0;
	if (w.slots < w.loop.iters)
		w.loop.iters = w.slots;
	if (!w.slots) {
		fprintf(stderr,
			"pmr-bench: --first-touch: no fresh bytes left for %s %zu (offset %" PRIu64
			", span %" PRIu64 ")\n",
			name, size, o->offset, span);
		return -ENOSPC;
	}
	w.loop.warmup = 0;
	w.pass = "first";
	rc = lat_point(r, mr, op, name, size, &w, samples, rows, &n);
	if (rc)
		return rc;
	w.loop.iters = n;
	w.pass = "warm";
	rc = lat_point(r, mr, op, name, size, &w, samples, rows, &n);
	*cursor = w.base + (uint64_t)n * w.stride + size;
	*cursor = (*cursor + FT_ALIGN - 1) / FT_ALIGN * FT_ALIGN;
	return rc;
}

static const struct {
	unsigned int bit;
	const char *name;
} methods[] = {
	{ PMR_METHOD_SERVER, "wp-server" },
	{ PMR_METHOD_FLUSH, "wp-flush" },
	{ PMR_METHOD_RAW, "wp-raw" },
};

/* persist_name -- "server", "flush", "raw" for a method bit, else "none" */
static const char *persist_name(unsigned int method)
{
	for (size_t m = 0; m < sizeof(methods) / sizeof(*methods); m++)
		if (methods[m].bit == method)
			return methods[m].name + strlen("wp-");
	return "none";
}

/* zero_words -- the words a CAS point uses hold 0 (CAS 0 -> 1 must swap):
 * one write_persist of zeros over as many slots as its samples take */
static int zero_words(const struct opts *o, struct pmr_region *r)
{
	uint64_t span = used_span(o, r);
	size_t stride = o->stride ? o->stride : 8;
	uint64_t len = ((uint64_t)o->loop.warmup + o->loop.iters) * stride;
	void *zeros;
	int rc;

	if (o->first_touch)
		len = span; /* the cursor walks the whole span */
	len = len < span ? len : span;
	len = len < LAT_SPAN_MAX ? len : LAT_SPAN_MAX;
	zeros = calloc(1, len ? len : 1);
	if (!zeros)
		return -ENOMEM;
	rc = pmr_region_write_persist(r, zeros, o->offset, len);
	free(zeros);
	return rc;
}

/*
 * lat_atomics -- the 8-byte atomics' rows (ops "atomic" or atomic_write,
 * cas, fetch_add; size 8 only), named with their path or persist method:
 * atomic_write-native|server, cas2-<method>, fetch_add-<method> (the
 * region's AUTO method).  A CAS sample is two CAS on its word, 0 -> 1 then
 * 1 -> 0, both swapping: hence "cas2".  Offsets must be 8-aligned.
 */
static int lat_atomics(const struct opts *o, struct pmr_region *r,
		       struct pmr_mr *mr, uint64_t *cursor, uint64_t *samples,
		       json_object *rows)
{
	static const struct {
		enum lat_op op;
		const char *name;
	} ops[] = { { LAT_AWRITE, "atomic_write" },
		    { LAT_CAS, "cas" },
		    { LAT_FAA, "fetch_add" } };
	const char *method;
	char name[64];
	int rc;

	/* the wp rows left the last method set */
	rc = pmr_region_set_persist_method(r, PMR_METHOD_AUTO);
	if (rc)
		return rc;
	method = persist_name(pmr_region_get_persist_method(r));

	if (o->offset % 8 || (o->stride && o->stride % 8)) {
		fprintf(stderr, "pmr-bench: atomics need 8-aligned offsets\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops) && !rc; i++) {
		if (!bench_op_wanted(o->ops, "atomic") &&
		    !bench_op_wanted(o->ops, ops[i].name))
			continue;
		if (ops[i].op == LAT_AWRITE) {
			unsigned int p = pmr_region_atomic_write_path(r);

			if (!p) {
				fprintf(stderr, "pmr-bench: no atomic write "
						"on this region: skipped\n");
				continue;
			}
			snprintf(name, sizeof(name), "atomic_write-%s",
				 p == PMR_ATOMIC_WRITE_NATIVE ? "native" :
								"server");
		} else {
			/* a probe: the key may carry no atomics */
			if (pmr_region_fetch_add(r, o->offset, 0, NULL) ==
			    PMR_E_UNSUPPORTED) {
				fprintf(stderr,
					"pmr-bench: %s: no RDMA "
					"atomics here: skipped\n",
					ops[i].name);
				continue;
			}
			snprintf(name, sizeof(name), "%s-%s",
				 ops[i].op == LAT_CAS ? "cas2" : "fetch_add",
				 method);
		}
		if (ops[i].op == LAT_CAS) {
			rc = zero_words(o, r);
			if (rc)
				break;
		}
		rc = lat_measure(o, r, mr, ops[i].op, name, 8, cursor, samples,
				 rows);
	}
	return rc;
}

/* run_lat -- the latency mode over every op and size */
static int run_lat(const struct opts *o, json_object *rows)
{
	struct pmr_conn *conn = NULL;
	struct pmr_region *r = NULL;
	struct pmr_mr *mr = NULL;
	uint64_t *samples, cursor = o->offset;
	size_t maxsz = 0;
	void *buf;
	int rc;

	for (int i = 0; i < o->sizes.n; i++)
		if (o->sizes.v[i] > maxsz)
			maxsz = o->sizes.v[i];
	samples = calloc(o->loop.iters ? o->loop.iters : 1, sizeof(*samples));
	if (!samples)
		return -ENOMEM;
	if (posix_memalign(&buf, 4096, maxsz)) {
		rc = -ENOMEM;
		goto out_free_samples;
	}
	memset(buf, 0x5a, maxsz);
	rc = connect_region(o, &conn, &r);
	if (rc)
		goto out_free_buf;
	rc = pmr_mr_reg(conn, buf, maxsz, PMR_MR_READ_DST | PMR_MR_WRITE_SRC,
			&mr);
	if (rc)
		goto out_close;
	printf("%-10s %8s %8s %10s %10s %10s %10s %10s\n", "op", "size",
	       "iters", "p50_us", "p99_us", "p999_us", "max_us", "mean_us");
	for (int i = 0; i < o->sizes.n && !rc; i++) {
		size_t sz = o->sizes.v[i];

		if (bench_op_wanted(o->ops, "read"))
			rc = lat_measure(o, r, mr, LAT_READ, "read", sz,
					 &cursor, samples, rows);
		if (!rc && bench_op_wanted(o->ops, "write"))
			rc = lat_measure(o, r, mr, LAT_WRITE, "write", sz,
					 &cursor, samples, rows);
		for (size_t m = 0;
		     !rc && m < sizeof(methods) / sizeof(*methods); m++) {
			if (!(pmr_region_persist_methods(r) & methods[m].bit) ||
			    !bench_op_wanted(o->ops, methods[m].name))
				continue;
			rc = pmr_region_set_persist_method(r, methods[m].bit);
			if (!rc)
				rc = lat_measure(o, r, mr, LAT_WP,
						 methods[m].name, sz, &cursor,
						 samples, rows);
		}
		if (!rc && sz == 8)
			rc = lat_atomics(o, r, mr, &cursor, samples, rows);
	}
	if (rc)
		fprintf(stderr, "pmr-bench: latency: %s\n", pmr_strerror(rc));
	pmr_mr_dereg(&mr);
out_close:
	pmr_region_close(&r);
	pmr_conn_close(&conn);
out_free_buf:
	free(buf);
out_free_samples:
	free(samples);
	return rc;
}

struct bw_thread {
	const struct opts *o;
	pthread_t tid;
	pthread_barrier_t *start;
	int index;
	int read;
	size_t size;
	size_t qd;
	uint64_t ops;
	uint64_t t0, t1;
	unsigned int persisted; /* the final persist's method bit, or 0 */
	int rc;
};

/* bw_loop -- keep QD operations in flight until the time limit */
static int bw_loop(struct bw_thread *t, struct pmr_conn *conn,
		   struct pmr_region *r, struct pmr_mr *mr)
{
	uint64_t span = used_span(t->o, r) / 8, base, t_end, posted = 0;
	struct pmr_completion c[64];
	uint64_t slots = span / t->size;
	size_t inflight = 0;
	unsigned int empty = 0;
	int stop = 0, rc, n;

	/* every thread passes the barrier, even one that cannot run */
	pthread_barrier_wait(t->start);
	if (!slots)
		return -EINVAL;
	base = t->o->offset + (uint64_t)t->index * span;
	t->t0 = bench_now_ns();
	t_end = t->t0 + (uint64_t)(t->o->loop.time_s * 1e9);
	for (;;) {
		/* the clock only after completions or every 64 empty polls:
		 * it can be a syscall (HPET under emulation) */
		if (!stop && (empty == 0 || empty % 64 == 0))
			stop = bench_now_ns() >= t_end;
		stop |= posted >= t->o->loop.iters;

		while (!stop && inflight < t->qd && posted < t->o->loop.iters) {
			size_t slot = (size_t)(posted % t->qd);
			uint64_t off = base + (posted % slots) * t->size;

			if (t->read)
				rc = pmr_region_post_read(r, mr, slot * t->size,
							  off, t->size, posted);
			else
				rc = pmr_region_post_write(r, mr,
							   slot * t->size, off,
							   t->size, posted);
			if (rc == -EAGAIN)
				break;
			if (rc)
				return rc;
			posted++;
			inflight++;
		}
		if (stop && !inflight)
			break;
		n = pmr_conn_poll(conn, c, 64);
		if (n < 0)
			return n;
		empty = n ? 0 : empty + 1;
		for (int i = 0; i < n; i++) {
			if (c[i].status)
				return c[i].status;
			inflight--;
			t->ops++;
		}
	}
	/* writes end durable, inside the timed span, like librpma's final
	 * flush in pmr-rpma: one persist of what this thread wrote */
	t->persisted = t->read ? 0 : pmr_region_get_persist_method(r);
	if (t->persisted) {
		rc = pmr_region_persist(
			r, base, (posted < slots ? posted : slots) * t->size);
		if (rc)
			return rc;
	}
	t->t1 = bench_now_ns();
	return 0;
}

/* bw_thread_main -- one connection, one buffer of QD slots, the loop */
static void *bw_thread_main(void *arg)
{
	struct bw_thread *t = arg;
	struct pmr_conn *conn = NULL;
	struct pmr_region *r = NULL;
	struct pmr_mr *mr = NULL;
	void *buf = NULL;
	int rc;

	rc = connect_region(t->o, &conn, &r);
	if (rc)
		goto out_wait;
	if (posix_memalign(&buf, 4096, t->size * t->qd)) {
		rc = -ENOMEM;
		goto out_close;
	}
	memset(buf, 0xa5, t->size * t->qd);
	rc = pmr_mr_reg(conn, buf, t->size * t->qd,
			PMR_MR_READ_DST | PMR_MR_WRITE_SRC, &mr);
	if (rc)
		goto out_free_buf;
	rc = bw_loop(t, conn, r, mr);
	pmr_mr_dereg(&mr);
	free(buf);
	pmr_region_close(&r);
	pmr_conn_close(&conn);
	t->rc = rc;
	return NULL;

out_free_buf:
	free(buf);
out_close:
	pmr_region_close(&r);
	pmr_conn_close(&conn);
out_wait:
	/* the others wait at the barrier: pass it, then report the error */
	pthread_barrier_wait(t->start);
	t->rc = rc;
	return NULL;
}

/* bw_point -- one (op, size, qd, threads) point; a row in ROWS */
static int bw_point(const struct opts *o, int read, size_t size, size_t qd,
		    int nthreads, json_object *rows)
{
	struct bw_thread t[64];
	pthread_barrier_t start;
	uint64_t ops = 0, t0 = UINT64_MAX, t1 = 0;
	double secs, mbps;
	json_object *row;
	int rc = 0;

	pthread_barrier_init(&start, NULL, (unsigned int)nthreads);
	for (int i = 0; i < nthreads; i++) {
		t[i] = (struct bw_thread){ .o = o,
					   .start = &start,
					   .index = i,
					   .read = read,
					   .size = size,
					   .qd = qd };
		if (pthread_create(&t[i].tid, NULL, bw_thread_main, &t[i])) {
			fprintf(stderr, "pmr-bench: pthread_create failed\n");
			exit(1);
		}
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i].tid, NULL);
		if (t[i].rc && !rc)
			rc = t[i].rc;
		ops += t[i].ops;
		if (t[i].t0 && t[i].t0 < t0)
			t0 = t[i].t0;
		if (t[i].t1 > t1)
			t1 = t[i].t1;
	}
	pthread_barrier_destroy(&start);
	if (rc) {
		fprintf(stderr, "pmr-bench: bandwidth: %s\n", pmr_strerror(rc));
		return rc;
	}
	secs = (double)(t1 - t0) / 1e9;
	mbps = (double)ops * (double)size / secs / 1e6;
	printf("%-10s %8zu %4zu %4d %10" PRIu64 " %10.1f %10.0f\n",
	       read ? "read" : "write", size, qd, nthreads, ops, mbps,
	       (double)ops / secs);
	fflush(stdout);
	row = json_object_new_object();
	json_object_object_add(row, "op",
			       json_object_new_string(read ? "read" : "write"));
	json_object_object_add(row, "size",
			       json_object_new_int64((int64_t)size));
	json_object_object_add(row, "qd", json_object_new_int64((int64_t)qd));
	json_object_object_add(row, "threads", json_object_new_int(nthreads));
	json_object_object_add(row, "ops", json_object_new_int64((int64_t)ops));
	json_object_object_add(row, "seconds", json_object_new_double(secs));
	json_object_object_add(row, "MBps", json_object_new_double(mbps));
	json_object_object_add(row, "ops_per_s",
			       json_object_new_double((double)ops / secs));
	json_object_object_add(
		row, "final_persist",
		json_object_new_string(persist_name(t[0].persisted)));
	json_object_array_add(rows, row);
	return 0;
}

/* run_bw -- the bandwidth mode over every op, size, qd and thread count */
static int run_bw(const struct opts *o, json_object *rows)
{
	int rc = 0;

	printf("%-10s %8s %4s %4s %10s %10s %10s\n", "op", "size", "qd", "thr",
	       "ops", "MB/s", "ops/s");
	for (int rd = 0; rd < 2 && !rc; rd++) {
		if (!bench_op_wanted(o->ops, rd ? "read" : "write"))
			continue;
		for (int s = 0; s < o->sizes.n && !rc; s++)
			for (int q = 0; q < o->qds.n && !rc; q++)
				for (int n = 0; n < o->threads.n && !rc; n++)
					rc = bw_point(o, rd, o->sizes.v[s],
						      o->qds.v[q],
						      (int)o->threads.v[n],
						      rows);
	}
	return rc;
}

/* usage -- the help text */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pmr-bench [OPTIONS] HOST REGION\n"
		"Latency (default) or bandwidth of libpmr against a pmrd.\n"
		"  -p, --port PORT      server port (default 7471)\n"
		"  -m, --mode lat|bw    latency or bandwidth mode\n"
		"  -o, --ops LIST       lat: read,write,wp (wp = wp-server,wp-flush,wp-raw,\n"
		"                       each where offered), atomic (= atomic_write,\n"
		"                       cas,fetch_add: size 8 only); bw: write,read\n"
		"                       (default: read,write,wp / write)\n"
		"  -s, --sizes LIST     sizes, e.g. 8,4K,1M (lat: 8..1M, bw: 4K..1M)\n"
		"  -q, --qd LIST        bw queue depths (default 1,2,4,...,64)\n"
		"  -T, --threads LIST   bw threads/connections (default 1,2,4,8)\n"
		"  -w, --warmup N       untimed operations first (default 100)\n"
		"  -n, --iters N        most timed operations per point (default 10000)\n"
		"  -t, --time SECS      time limit per point (default 2)\n"
		"  -g, --gap NS         lat: untimed busy wait after each operation,\n"
		"                       an application's work between two (default 0)\n"
		"      --spin US        sync busy-poll budget (default: the library's)\n"
		"      --offset BYTES   use the region from this byte (default 0)\n"
		"      --span BYTES     use this many bytes from there (default: the rest);\n"
		"                       lat cycles over at most 64M, bw over 8 slices\n"
		"      --stride BYTES   lat: offset step between operations (default: size)\n"
		"      --first-touch    lat: each point on bytes no earlier point touched,\n"
		"                       twice: pass \"first\", then \"warm\" (no warm-up)\n"
		"  -j, --json FILE      write the results as JSON ('-' = stdout)\n"
		"  -h, --help           this text\n");
}

/* parse_opts -- the command line into O; exits on a mistake */
static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ops", required_argument, NULL, 'o' },
		{ "sizes", required_argument, NULL, 's' },
		{ "qd", required_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 'T' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "iters", required_argument, NULL, 'n' },
		{ "gap", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "spin", required_argument, NULL, 'S' },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "span", required_argument, NULL, OPT_SPAN },
		{ "stride", required_argument, NULL, OPT_STRIDE },
		{ "first-touch", no_argument, NULL, OPT_FIRST_TOUCH },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sizes = NULL, *ops = NULL;
	int c, bad = 0;

	*o = (struct opts){ .port = "7471",
			    .loop = bench_loop_default(),
			    .spin_us = -1 };
	list_pow2(&o->qds, 1, 64);
	list_pow2(&o->threads, 1, 8);
	while ((c = getopt_long(argc, argv, "p:m:o:s:q:T:w:n:t:g:j:h", lo,
				NULL)) != -1) {
		if (bench_loop_opt(c, optarg, &o->loop, &bad))
			continue;
		switch (c) {
		case 'p':
			o->port = optarg;
			break;
		case 'm':
			o->bw = !strcmp(optarg, "bw");
			bad |= !o->bw && strcmp(optarg, "lat");
			break;
		case 'o':
			ops = optarg;
			break;
		case 's':
			sizes = optarg;
			break;
		case 'q':
			bad |= bench_parse_list(optarg, &o->qds) < 0;
			break;
		case 'T':
			bad |= bench_parse_list(optarg, &o->threads) < 0;
			break;
		case 'S':
			o->spin_us = atoi(optarg);
			break;
		case OPT_OFFSET:
			/* 0 is a valid offset: bench_parse_size says 0 on a
			 * mistake, so a literal 0 is let through */
			o->offset = bench_parse_size(optarg);
			bad |= !o->offset && strcmp(optarg, "0");
			break;
		case OPT_SPAN:
			o->span = bench_parse_size(optarg);
			bad |= !o->span;
			break;
		case OPT_STRIDE:
			o->stride = bench_parse_size(optarg);
			bad |= !o->stride;
			break;
		case OPT_FIRST_TOUCH:
			o->first_touch = 1;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (sizes)
		bad |= bench_parse_list(sizes, &o->sizes) < 0;
	else if (o->bw)
		list_pow2(&o->sizes, 4096, 1u << 20);
	else
		list_pow2(&o->sizes, 8, 1u << 20);
	for (int i = 0; i < o->qds.n; i++)
		bad |= o->qds.v[i] > 64;
	for (int i = 0; i < o->threads.n; i++)
		bad |= o->threads.v[i] > 8;
	snprintf(o->ops, sizeof(o->ops), "%s",
		 ops   ? ops :
		 o->bw ? "write" :
			 "read,write,wp");
	if (bad || argc - optind != 2) {
		usage(stderr);
		exit(2);
	}
	o->host = argv[optind];
	o->region = argv[optind + 1];
}

/* main -- run the mode, print, write the JSON */
int main(int argc, char **argv)
{
	json_object *root, *rows;
	struct utsname u;
	struct opts o;
	int rc;

	parse_opts(argc, argv, &o);
	root = json_object_new_object();
	rows = json_object_new_array();
	uname(&u);
	json_object_object_add(root, "tool",
			       json_object_new_string("pmr-bench"));
	json_object_object_add(root, "mode",
			       json_object_new_string(o.bw ? "bw" : "lat"));
	json_object_object_add(root, "kernel",
			       json_object_new_string(u.release));
	json_object_object_add(root, "region",
			       json_object_new_string(o.region));
	json_object_object_add(root, "warmup",
			       json_object_new_int64((int64_t)o.loop.warmup));
	json_object_object_add(root, "iters",
			       json_object_new_int64((int64_t)o.loop.iters));
	json_object_object_add(root, "time_s",
			       json_object_new_double(o.loop.time_s));
	json_object_object_add(root, "gap_ns",
			       json_object_new_int64((int64_t)o.loop.gap_ns));
	json_object_object_add(root, "offset",
			       json_object_new_int64((int64_t)o.offset));
	json_object_object_add(root, "span",
			       json_object_new_int64((int64_t)o.span));
	json_object_object_add(root, "first_touch",
			       json_object_new_boolean(o.first_touch));
	json_object_object_add(root, "rows", rows);
	rc = o.bw ? run_bw(&o, rows) : run_lat(&o, rows);
	if (o.json) {
		const char *text = json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY);
		FILE *f = strcmp(o.json, "-") ? fopen(o.json, "w") : stdout;

		if (!f || fprintf(f, "%s\n", text) < 0) {
			perror(o.json);
			rc = rc ? rc : -EIO;
		}
		if (f && f != stdout)
			fclose(f);
	}
	json_object_put(root);
	return rc ? 1 : 0;
}
