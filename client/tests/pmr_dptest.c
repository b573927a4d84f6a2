/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_dptest.c -- libpmr data path checks driven by tests/vm suites:
 * patterns written by one client and checked by another, every persist
 * method, error codes, async with the fd protocol, transfer splitting,
 * concurrency stress, latency/bandwidth numbers.
 *
 *   pmr_dptest HOST CMD ARGS...   (exit 0 = all checks passed)
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpmr.h>

#include "pmr_check.h"

static const char *host;

/* log_cb -- library messages to stderr */
static void log_cb(int level, const char *file, int line, const char *func,
		   const char *msg)
{
	fprintf(stderr, "  libpmr<%d> %s: %s\n", level, func, msg);
}

/* now_s -- monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* pat -- the pattern byte for SEED at region offset OFF */
static uint8_t pat(unsigned int seed, uint64_t off)
{
	return (uint8_t)(seed * 131u + off * 7u + (off >> 8) + (off >> 16));
}

/* fill -- BUF gets the pattern of [OFF, OFF+LEN) */
static void fill(uint8_t *buf, unsigned int seed, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
}

/* verify -- BUF holds the pattern; index of the first mismatch or -1 */
static long verify(const uint8_t *buf, unsigned int seed, uint64_t off,
		   size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(seed, off + i))
			return (long)i;
	return -1;
}

/* xmalloc -- malloc or die */
static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	CHECK(p, "out of memory");
	return p;
}

/* connect_cfg -- connect or die */
static struct pmr_conn *connect_cfg(const struct pmr_conn_cfg *cfg)
{
	struct pmr_conn *conn = NULL;
	int rc = pmr_conn_open(host, NULL, cfg, &conn);

	CHECK_RC(rc, 0, "connect");
	return conn;
}

/* open_region -- open or die */
static struct pmr_region *open_region(struct pmr_conn *conn, const char *name,
				      unsigned int flags)
{
	struct pmr_region *r = NULL;
	int rc = pmr_region_open(conn, name, flags, &r);

	CHECK_RC(rc, 0, name);
	return r;
}

/* close_all -- close region and connection, checking both */
static void close_all(struct pmr_region **r, struct pmr_conn **c)
{
	CHECK_RC(pmr_region_close(r), 0, "region close");
	CHECK_RC(pmr_conn_close(c), 0, "conn close");
}

/* cmd_fill -- REGION SEED OFF LEN: write+persist the pattern */
static int cmd_fill(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW);
	unsigned int seed = (unsigned int)strtoul(a[1], NULL, 0);
	uint64_t off = strtoull(a[2], NULL, 0);
	size_t len = strtoull(a[3], NULL, 0);
	uint8_t *buf = xmalloc(len);

	fill(buf, seed, off, len);
	CHECK_RC(pmr_region_write_persist(r, buf, off, len), 0,
		 "write_persist");
	printf("OK fill %s seed %u [%" PRIu64 ", +%zu)\n", a[0], seed, off,
	       len);
	free(buf);
	close_all(&r, &c);
	return 0;
}

/* cmd_check -- REGION SEED OFF LEN: read back and compare (read-only open) */
static int cmd_check(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RO);
	unsigned int seed = (unsigned int)strtoul(a[1], NULL, 0);
	uint64_t off = strtoull(a[2], NULL, 0);
	size_t len = strtoull(a[3], NULL, 0);
	uint8_t *buf = xmalloc(len);
	long bad;

	CHECK_RC(pmr_region_read(r, buf, off, len), 0, "read");
	bad = verify(buf, seed, off, len);
	CHECK(bad < 0, "mismatch at +%ld", bad);
	printf("OK check %s seed %u [%" PRIu64 ", +%zu)\n", a[0], seed, off,
	       len);
	free(buf);
	close_all(&r, &c);
	return 0;
}

/* write_persist_mr -- LEN bytes of pattern SEED at OFF through a registered
 * buffer (write and one-sided persist in one post), read back and checked */
static int write_persist_mr(struct pmr_conn *c, struct pmr_region *r,
			    unsigned int seed, uint64_t off, size_t len)
{
	uint8_t *buf = xmalloc(len), *back = xmalloc(len);
	struct pmr_mr *mr = NULL;
	int rc;

	fill(buf, seed, off, len);
	rc = pmr_mr_reg(c, buf, len, PMR_MR_WRITE_SRC, &mr);
	if (!rc)
		rc = pmr_region_write_persist_mr(r, mr, 0, off, len);
	if (!rc)
		rc = pmr_region_read(r, back, off, len);
	if (!rc && verify(back, seed, off, len) >= 0)
		rc = -EIO;
	pmr_mr_dereg(&mr);
	free(back);
	free(buf);
	return rc;
}

/* cmd_methods -- REGION: write+persist with every advertised method */
static int cmd_methods(char **a)
{
	static const unsigned int all[] = { PMR_METHOD_RAW, PMR_METHOD_FLUSH,
					    PMR_METHOD_SERVER };
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW);
	unsigned int adv = pmr_region_persist_methods(r), m, i, used = 0;
	size_t len = 100000;
	uint8_t *buf = xmalloc(len), *back = xmalloc(len);
	int rc;

	printf("advertised 0x%x, auto picked 0x%x\n", adv,
	       pmr_region_get_persist_method(r));
	for (i = 0; i < 3; i++) {
		m = all[i];
		rc = pmr_region_set_persist_method(r, m);
		if (!(adv & m)) {
			CHECK_RC(rc, PMR_E_NO_METHOD, "unadvertised method");
			continue;
		}
		if (rc == PMR_E_NO_METHOD) {
			printf("SKIP method 0x%x: advertised, not usable by "
			       "this client build/device\n",
			       m);
			continue;
		}
		CHECK_RC(rc, 0, "set method");
		fill(buf, 40 + m, 4096, len);
		CHECK_RC(pmr_region_write_persist(r, buf, 4096, len), 0,
			 "write_persist");
		CHECK_RC(pmr_region_write(r, buf, 4096, 8), 0, "write");
		CHECK_RC(pmr_region_persist(r, 4096, 8), 0, "persist");
		CHECK_RC(pmr_region_write_persist(r, buf, 4096, 3), 0,
			 "write_persist 3 bytes");
		CHECK_RC(pmr_region_read(r, back, 4096, len), 0, "read");
		CHECK(verify(back, 40 + m, 4096, len) < 0, "method 0x%x data",
		      m);
		CHECK_RC(write_persist_mr(c, r, 50 + m, 8192, 4096), 0,
			 "write_persist_mr");
		CHECK_RC(write_persist_mr(c, r, 60 + m, 12288, 3), 0,
			 "write_persist_mr 3 bytes");
		printf("OK method 0x%x\n", m);
		used |= m;
	}
	CHECK(used, "no method usable");
	CHECK_RC(pmr_region_set_persist_method(r, PMR_METHOD_AUTO), 0, "auto");
	free(buf);
	free(back);
	close_all(&r, &c);
	return 0;
}

/* cmd_errors -- RW_REGION RO_REGION: error codes, and the connection
 * stays usable after each refusal */
static int cmd_errors(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW), *ro = NULL;
	struct pmr_region *x = NULL;
	uint64_t size = pmr_region_size(r);
	uint8_t buf[64] = { 1 };
	size_t total;
	int rc;

	CHECK_RC(pmr_region_write(r, buf, size - 8, 16), PMR_E_RANGE, "oob");
	CHECK_RC(pmr_region_read(r, buf, size + 1, 0), PMR_E_RANGE, "oob 0");
	CHECK_RC(pmr_region_persist(r, UINT64_MAX - 4, 16), PMR_E_RANGE,
		 "overflow");
	rc = pmr_region_open(c, "no-such-region", PMR_OPEN_RW, &x);
	CHECK_RC(rc, PMR_E_NOENT_REGION, "unknown region");
	CHECK(x == NULL, "out param touched");
	printf("server said: \"%s\"\n", pmr_conn_last_error_text(c));
	if (strcmp(a[1], "-")) {
		rc = pmr_region_open(c, a[1], PMR_OPEN_RW, &x);
		CHECK_RC(rc, PMR_E_ACCESS, "rw open of ro region");
		ro = open_region(c, a[1], PMR_OPEN_RO);
		CHECK_RC(pmr_region_write(ro, buf, 0, 8), PMR_E_READONLY,
			 "write ro");
		CHECK_RC(pmr_region_read(ro, buf, 0, 8), 0, "read ro");
		CHECK_RC(pmr_region_close(&ro), 0, "close ro");
	}
	/* a read-only open of a writable region refuses writes locally */
	ro = open_region(c, a[0], PMR_OPEN_RO);
	CHECK_RC(pmr_region_write(ro, buf, 0, 8), PMR_E_READONLY, "write ro");
	CHECK_RC(pmr_region_close(&ro), 0, "close ro");
	/* still connected and working */
	CHECK(pmr_conn_list_regions(c, NULL, 0, &total) == 0, "list");
	CHECK_RC(pmr_region_write(r, buf, 0, 64), 0, "write after errors");
	CHECK_RC(pmr_conn_close(&c), -EBUSY, "close with region open");
	printf("OK errors (%zu regions listed)\n", total);
	close_all(&r, &c);
	return 0;
}

/* cmd_list -- print the regions */
static int cmd_list(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region_desc d[64];
	size_t total;
	int n = pmr_conn_list_regions(c, d, 64, &total), i;

	CHECK(n >= 0, "list: %s", pmr_strerror(n));
	for (i = 0; i < n; i++)
		printf("%s %" PRIu64 " %s methods=0x%x\n", d[i].name, d[i].size,
		       d[i].read_only ? "ro" : "rw", d[i].persist_methods);
	CHECK((size_t)n == total, "listed %d of %zu", n, total);
	CHECK_RC(pmr_conn_close(&c), 0, "close");
	return 0;
}

/* wait_completions -- the engine protocol: poll until N completions,
 * sleeping on the fd whenever poll returns 0 */
static int wait_completions(struct pmr_conn *c, int n, int op)
{
	struct pmr_completion cp[16];
	struct pollfd pfd = { .fd = pmr_conn_get_fd(c), .events = POLLIN };
	int got = 0, k, i, sleeps = 0;

	while (got < n) {
		k = pmr_conn_poll(c, cp, 16);
		CHECK(k >= 0, "poll: %s", pmr_strerror(k));
		for (i = 0; i < k; i++) {
			CHECK_RC(cp[i].status, 0, "async op");
			CHECK(cp[i].op == op, "op %d", cp[i].op);
		}
		got += k;
		if (k == 0) {
			CHECK(poll(&pfd, 1, 10000) == 1, "fd never readable");
			sleeps++;
		}
	}
	printf("  %d completions, %d fd wakeups\n", n, sleeps);
	return sleeps;
}

/* cmd_async -- REGION N: N posted 4 KiB writes, a persist, N reads */
static int cmd_async(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW);
	int n = atoi(a[1]), i;
	size_t len = (size_t)n * 4096;
	uint8_t *src = xmalloc(len), *dst = xmalloc(len);
	struct pmr_mr *ms = NULL, *md = NULL;

	fill(src, 77, 0, len);
	memset(dst, 0, len);
	CHECK_RC(pmr_mr_reg(c, src, len, PMR_MR_WRITE_SRC, &ms), 0, "reg");
	CHECK_RC(pmr_mr_reg(c, dst, len, PMR_MR_READ_DST, &md), 0, "reg");
	/* N below the send queue depth (128): all fit at once */
	for (i = 0; i < n; i++)
		CHECK_RC(pmr_region_post_write(r, ms, (size_t)i * 4096,
					       (uint64_t)i * 4096, 4096,
					       (uint64_t)i),
			 0, "post_write");
	wait_completions(c, n, PMR_OP_WRITE);
	CHECK_RC(pmr_region_post_persist(r, 0, len, 99), 0, "post_persist");
	wait_completions(c, 1, PMR_OP_PERSIST);
	for (i = 0; i < n; i++)
		CHECK_RC(pmr_region_post_read(r, md, (size_t)i * 4096,
					      (uint64_t)i * 4096, 4096,
					      (uint64_t)i),
			 0, "post_read");
	wait_completions(c, n, PMR_OP_READ);
	CHECK(verify(dst, 77, 0, len) < 0, "async data");
	/* the fd protocol: an empty poll arms, the idle fd stays quiet, a
	 * completion makes it readable (SERVER persist: the server process
	 * answers, rxe cannot finish it inside the post call) */
	if (pmr_region_set_persist_method(r, PMR_METHOD_SERVER) == 0) {
		struct pmr_completion cp;
		struct pollfd pfd = { .fd = pmr_conn_get_fd(c),
				      .events = POLLIN };

		CHECK(pmr_conn_poll(c, &cp, 1) == 0, "idle poll");
		CHECK(poll(&pfd, 1, 0) == 0, "fd readable while idle");
		CHECK_RC(pmr_region_post_persist(r, 0, len, 1000), 0,
			 "persist");
		CHECK(poll(&pfd, 1, 10000) == 1, "fd not readable");
		wait_completions(c, 1, PMR_OP_PERSIST);
		printf("  fd protocol ok\n");
	}
	/* zero-copy sync on the same buffers */
	memset(dst, 0, len);
	CHECK_RC(pmr_region_write_persist_mr(r, ms, 0, 0, len), 0, "wp_mr");
	CHECK_RC(pmr_region_read_mr(r, md, 0, 0, len), 0, "read_mr");
	CHECK(verify(dst, 77, 0, len) < 0, "mr data");
	CHECK_RC(pmr_mr_dereg(&ms), 0, "dereg");
	CHECK_RC(pmr_mr_dereg(&md), 0, "dereg");
	printf("OK async %d\n", n);
	free(src);
	free(dst);
	close_all(&r, &c);
	return 0;
}

/* cmd_sizes -- REGION: odd sizes and offsets, split into small WRs and
 * through a small bounce buffer */
static int cmd_sizes(char **a)
{
	static const size_t sizes[] = {
		1, 7, 8, 63, 64, 65, 4095, 4096, 4097, 1 << 20, (5 << 20) + 3
	};
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_conn *c;
	struct pmr_region *r;
	uint8_t *buf, *back;
	size_t i, max = (5 << 20) + 3;
	uint64_t off;

	CHECK_RC(pmr_conn_cfg_new(&cfg), 0, "cfg");
	CHECK_RC(pmr_conn_cfg_set_max_wr_size(cfg, 4096), 0, "max wr");
	CHECK_RC(pmr_conn_cfg_set_bounce_size(cfg, 64 << 10), 0, "bounce");
	CHECK_RC(pmr_conn_cfg_set_sq_depth(cfg, 16), 0, "sq");
	c = connect_cfg(cfg);
	pmr_conn_cfg_delete(&cfg);
	r = open_region(c, a[0], PMR_OPEN_RW);
	buf = xmalloc(max);
	back = xmalloc(max);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		off = 4096 * i + i; /* unaligned */
		fill(buf, (unsigned int)i, off, sizes[i]);
		memset(back, 0, sizes[i]);
		CHECK_RC(pmr_region_write_persist(r, buf, off, sizes[i]), 0,
			 "write_persist");
		CHECK_RC(pmr_region_read(r, back, off, sizes[i]), 0, "read");
		CHECK(verify(back, (unsigned int)i, off, sizes[i]) < 0,
		      "size %zu", sizes[i]);
	}
	printf("OK sizes\n");
	free(buf);
	free(back);
	close_all(&r, &c);
	return 0;
}

/* lat -- mean microseconds per call of OP over N iterations */
static double lat(struct pmr_region *r, int which, uint8_t *buf, size_t len,
		  int n)
{
	double t0 = now_s();
	int i, rc = 0;

	for (i = 0; i < n && !rc; i++) {
		if (which == 0)
			rc = pmr_region_write(r, buf, 0, len);
		else if (which == 1)
			rc = pmr_region_read(r, buf, 0, len);
		else
			rc = pmr_region_write_persist(r, buf, 0, len);
	}
	CHECK_RC(rc, 0, "bench op");
	return (now_s() - t0) * 1e6 / n;
}

/* cmd_bench -- REGION: 64 B latency with the CQ waited on by the channel
 * only (spin 0), the default spin (200 us) and a long spin (5 ms), per
 * usable persist method; then 1 MiB sync bandwidth */
static int cmd_bench(char **a)
{
	static const unsigned int spins[] = { 0, 200, 5000 };
	static const unsigned int methods[] = { PMR_METHOD_RAW,
						PMR_METHOD_FLUSH,
						PMR_METHOD_SERVER };
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_conn *c;
	struct pmr_region *r;
	uint8_t *buf = xmalloc(1 << 20);
	unsigned int s, m;
	int w, n = 1000;
	double t0;

	memset(buf, 0x5a, 1 << 20);
	CHECK_RC(pmr_conn_cfg_new(&cfg), 0, "cfg");
	for (s = 0; s < 3; s++) {
		CHECK_RC(pmr_conn_cfg_set_spin_us(cfg, spins[s]), 0, "spin");
		c = connect_cfg(cfg);
		r = open_region(c, a[0], PMR_OPEN_RW);
		printf("BENCH 64B write                 spin %4u us %8.1f us\n",
		       spins[s], lat(r, 0, buf, 64, n));
		printf("BENCH 64B read                  spin %4u us %8.1f us\n",
		       spins[s], lat(r, 1, buf, 64, n));
		for (m = 0; m < 3; m++) {
			if (pmr_region_set_persist_method(r, methods[m]))
				continue;
			printf("BENCH 64B write+persist (%-6s) spin %4u us "
			       "%8.1f us\n",
			       methods[m] == PMR_METHOD_RAW   ? "raw" :
			       methods[m] == PMR_METHOD_FLUSH ? "flush" :
								"server",
			       spins[s], lat(r, 2, buf, 64, n / 4));
		}
		if (spins[s] == 200) {
			for (w = 0; w < 2; w++) {
				t0 = now_s();
				lat(r, w, buf, 1 << 20, 64);
				printf("BENCH 1MiB %-5s %8.1f MB/s\n",
				       w ? "read" : "write",
				       64.0 * (1 << 20) / (now_s() - t0) / 1e6);
			}
		}
		close_all(&r, &c);
	}
	pmr_conn_cfg_delete(&cfg);
	free(buf);
	return 0;
}

/* cmd_bw -- REGION MAX_WR BOUNCE: 1 MiB sync (bounce and zero-copy) and
 * async (16 x 64 KiB in flight) bandwidth with the given splitting */
static int cmd_bw(char **a)
{
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_completion cp[16];
	struct pmr_conn *c;
	struct pmr_region *r;
	struct pmr_mr *mr = NULL;
	size_t len = 1 << 20, maxwr = strtoull(a[1], NULL, 0);
	size_t bounce = strtoull(a[2], NULL, 0);
	uint8_t *buf = xmalloc(len);
	int i, n = 32, w, k, inflight = 0, done = 0, posted = 0;
	double t0;

	memset(buf, 0x3c, len);
	CHECK_RC(pmr_conn_cfg_new(&cfg), 0, "cfg");
	CHECK_RC(pmr_conn_cfg_set_max_wr_size(cfg, maxwr), 0, "max wr");
	if (bounce)
		CHECK_RC(pmr_conn_cfg_set_bounce_size(cfg, bounce), 0,
			 "bounce");
	c = connect_cfg(cfg);
	pmr_conn_cfg_delete(&cfg);
	r = open_region(c, a[0], PMR_OPEN_RW);
	CHECK_RC(pmr_mr_reg(c, buf, len, PMR_MR_READ_DST | PMR_MR_WRITE_SRC,
			    &mr),
		 0, "reg");
	for (w = 0; w < 4; w++) {
		t0 = now_s();
		for (i = 0; i < n; i++) {
			int rc =
				w == 0 ? pmr_region_write(r, buf, 0, len) :
				w == 1 ? pmr_region_read(r, buf, 0, len) :
				w == 2 ? pmr_region_write_mr(r, mr, 0, 0, len) :
					 pmr_region_read_mr(r, mr, 0, 0, len);
			CHECK_RC(rc, 0, "bw op");
		}
		printf("BW maxwr %zu bounce %zu: 1MiB %-9s %7.1f MB/s\n", maxwr,
		       bounce,
		       (const char *[]){ "write", "read", "write_mr",
					 "read_mr" }[w],
		       n * (double)len / (now_s() - t0) / 1e6);
	}
	/* async: 64 KiB writes, 16 in flight */
	t0 = now_s();
	while (done < n * 16) {
		while (inflight < 16 && posted < n * 16) {
			CHECK_RC(pmr_region_post_write(r, mr, 0, 0, 65536, 0),
				 0, "post");
			inflight++;
			posted++;
		}
		k = pmr_conn_poll(c, cp, 16);
		CHECK(k >= 0, "poll");
		inflight -= k;
		done += k;
	}
	printf("BW maxwr %zu: async 64KiB x16 write %7.1f MB/s\n", maxwr,
	       n * 16 * 65536.0 / (now_s() - t0) / 1e6);
	CHECK_RC(pmr_mr_dereg(&mr), 0, "dereg");
	free(buf);
	close_all(&r, &c);
	return 0;
}

/* cmd_stress -- REGION IDX SECS: loop write_persist/read/verify on slice
 * IDX (1 MiB) of REGION */
static int cmd_stress(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW);
	unsigned int idx = (unsigned int)atoi(a[1]), it = 0;
	double end = now_s() + atof(a[2]);
	size_t len = 256 << 10;
	uint64_t off = (uint64_t)idx * (1 << 20);
	uint8_t *buf = xmalloc(len), *back = xmalloc(len);

	CHECK(off + len <= pmr_region_size(r), "slice outside region");
	while (now_s() < end) {
		size_t l = 1 + (it * 7919u) % len;

		fill(buf, it + idx, off, l);
		CHECK_RC(pmr_region_write_persist(r, buf, off, l), 0, "wp");
		CHECK_RC(pmr_region_read(r, back, off, l), 0, "read");
		CHECK(verify(back, it + idx, off, l) < 0, "iteration %u", it);
		it++;
	}
	printf("OK stress %s slice %u: %u iterations\n", a[0], idx, it);
	free(buf);
	free(back);
	close_all(&r, &c);
	return 0;
}

/* cmd_hog -- REGION: big writes until killed */
static int cmd_hog(char **a)
{
	struct pmr_conn *c = connect_cfg(NULL);
	struct pmr_region *r = open_region(c, a[0], PMR_OPEN_RW);
	size_t len = pmr_region_size(r) < (8 << 20) ? pmr_region_size(r) :
						      (8 << 20);
	uint8_t *buf = xmalloc(len);

	memset(buf, 0xee, len);
	printf("hogging\n");
	fflush(stdout);
	for (;;)
		CHECK_RC(pmr_region_write(r, buf, 0, len), 0, "hog write");
}

/* cmd_pattern -- SEED OFF LEN: the pattern bytes on stdout (to compare
 * with the server's file) */
static int cmd_pattern(char **a)
{
	unsigned int seed = (unsigned int)strtoul(a[0], NULL, 0);
	uint64_t off = strtoull(a[1], NULL, 0);
	size_t len = strtoull(a[2], NULL, 0);
	uint8_t *buf = xmalloc(len);

	fill(buf, seed, off, len);
	CHECK(fwrite(buf, 1, len, stdout) == len, "write");
	free(buf);
	return 0;
}

/* cmd_expect_connect -- CODE: connecting must fail with CODE */
static int cmd_expect_connect(char **a)
{
	struct pmr_conn *c = NULL;
	int want = atoi(a[0]), rc = pmr_conn_open(host, NULL, NULL, &c);

	CHECK_RC(rc, want, "connect");
	CHECK(c == NULL, "out param touched");
	printf("OK connect failed as expected: %s\n", pmr_strerror(rc));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int (*fn)(char **a);
	} cmds[] = {
		{ "fill", 4, cmd_fill },
		{ "check", 4, cmd_check },
		{ "methods", 1, cmd_methods },
		{ "errors", 2, cmd_errors },
		{ "list", 0, cmd_list },
		{ "async", 2, cmd_async },
		{ "sizes", 1, cmd_sizes },
		{ "bench", 1, cmd_bench },
		{ "stress", 3, cmd_stress },
		{ "hog", 1, cmd_hog },
		{ "bw", 3, cmd_bw },
		{ "pattern", 3, cmd_pattern },
		{ "expect-connect", 1, cmd_expect_connect },
	};
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s HOST CMD ARGS...\n", argv[0]);
		return 2;
	}
	host = argv[1];
	pmr_log_set(log_cb, PMR_LOG_ERR);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[2], cmds[i].name)) {
			if (argc - 3 < cmds[i].nargs) {
				fprintf(stderr, "%s needs %d arguments\n",
					cmds[i].name, cmds[i].nargs);
				return 2;
			}
			return cmds[i].fn(argv + 3);
		}
	fprintf(stderr, "unknown command %s\n", argv[2]);
	return 2;
}
