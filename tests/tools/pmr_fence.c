/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_fence.c -- exclusive writers and takeovers over libpmr, for
 * tests/vm/suites/74-fence.sh (issue 17 item 3).
 *
 *   pmr-fence HOST REGION open excl|takeover|rw|ro [HOLD_MS|/FILE]
 *	open, print "generation N", keep the handle HOLD_MS ms (or until
 *	FILE, an absolute path, exists: at most 60 s), close.
 *	Exit 0 opened; 3 PMR_E_BUSY; 4 PMR_E_UNSUPPORTED; 6 PMR_E_FENCED;
 *	5 could not connect; 1 anything else; 2 usage.  A refusal prints
 *	"error: <pmr_strerror>" and "text: <pmr_conn_last_error_text>".
 *
 *   pmr-fence HOST REGION writer LEN READY DONE
 *	writer A: an exclusive open, its generation written to file READY,
 *	then async writes of byte 0xAA over [0, LEN), 64 KiB each, 16 in
 *	flight, round after round, until one fails.  The first failure must
 *	be PMR_E_FENCED, and then every I/O call on the region (sync and
 *	post) must return it and closing it 0.  Creates file DONE when it
 *	has stopped for good (nothing of it is in flight any more).
 *
 *   pmr-fence HOST REGION takeover LEN MIN_GEN DONE PAUSE_MS
 *	writer B: PMR_OPEN_TAKEOVER; its generation must exceed MIN_GEN;
 *	writes 0xBB over [0, LEN) and persists it, waits for file DONE (A
 *	stopped, at most 60 s), PAUSE_MS ms more, then reads [0, LEN) back:
 *	every byte must be 0xBB (no byte of A landed after the takeover).
 *
 * Exit 0 when every expectation held, else 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pmr_check.h"

#define CHUNK	  (64u << 10)
#define DEPTH	  16
#define A_BYTE	  0xaa
#define B_BYTE	  0xbb
#define A_TIMEOUT 30 /* seconds A may write without being fenced */

/* now_s -- monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sleep_ms -- sleep MS milliseconds */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* put_file -- PATH holds TEXT (written to PATH.tmp, then renamed) */
static void put_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	CHECK(f, "%s: %s", tmp, strerror(errno));
	fputs(text, f);
	CHECK(!fclose(f), "%s: %s", tmp, strerror(errno));
	CHECK(!rename(tmp, path), "%s: %s", path, strerror(errno));
}

/* connect_or_exit -- a connection to HOST (exit 5 when none) */
static struct pmr_conn *connect_or_exit(const char *host)
{
	struct pmr_conn *c = NULL;
	int rc = pmr_conn_open(host, NULL, NULL, &c);

	if (rc) {
		fprintf(stderr, "connect %s: %s\n", host, pmr_strerror(rc));
		exit(5);
	}
	return c;
}

/* flags_of -- pmr_region_open flags for MODE */
static unsigned int flags_of(const char *mode)
{
	if (!strcmp(mode, "excl"))
		return PMR_OPEN_EXCL;
	if (!strcmp(mode, "takeover"))
		return PMR_OPEN_TAKEOVER;
	if (!strcmp(mode, "ro"))
		return PMR_OPEN_RO;
	if (!strcmp(mode, "rw"))
		return PMR_OPEN_RW;
	fprintf(stderr, "unknown mode %s\n", mode);
	exit(2);
}

/* do_open -- the "open" command */
static int do_open(const char *host, const char *name, const char *mode,
		   const char *hold)
{
	long hold_ms = hold && hold[0] != '/' ? atol(hold) : 0;
	double t0;
	struct pmr_conn *c = connect_or_exit(host);
	struct pmr_region *r = NULL;
	int rc = pmr_region_open(c, name, flags_of(mode), &r);

	if (rc) {
		printf("error: %s\ntext: %s\n", pmr_strerror(rc),
		       pmr_conn_last_error_text(c));
		pmr_conn_close(&c);
		return rc == PMR_E_BUSY	       ? 3 :
		       rc == PMR_E_UNSUPPORTED ? 4 :
		       rc == PMR_E_FENCED      ? 6 :
						 1;
	}
	printf("generation %llu\n",
	       (unsigned long long)pmr_region_generation(r));
	fflush(stdout);
	if (hold_ms > 0)
		sleep_ms(hold_ms);
	for (t0 = now_s(); hold && hold[0] == '/' && access(hold, F_OK);) {
		CHECK(now_s() - t0 < 60, "%s did not appear within 60 s", hold);
		sleep_ms(10);
	}
	CHECK_RC(pmr_region_close(&r), 0, "close");
	CHECK_RC(pmr_conn_close(&c), 0, "conn close");
	return 0;
}

/* dead_region -- every I/O call on fenced R returns PMR_E_FENCED */
static void dead_region(struct pmr_region *r, struct pmr_mr *mr, uint8_t *buf)
{
	CHECK_RC(pmr_region_write(r, buf, 0, 64), PMR_E_FENCED, "write");
	CHECK_RC(pmr_region_read(r, buf, 0, 64), PMR_E_FENCED, "read");
	CHECK_RC(pmr_region_persist(r, 0, 64), PMR_E_FENCED, "persist");
	CHECK_RC(pmr_region_write_persist(r, buf, 0, 64), PMR_E_FENCED,
		 "write_persist");
	CHECK_RC(pmr_region_write_mr(r, mr, 0, 0, 64), PMR_E_FENCED,
		 "write_mr");
	CHECK_RC(pmr_region_post_write(r, mr, 0, 0, 64, 1), PMR_E_FENCED,
		 "post_write");
	CHECK_RC(pmr_region_post_persist(r, 0, 64, 1), PMR_E_FENCED,
		 "post_persist");
}

/* do_writer -- the "writer" command (A) */
static int do_writer(const char *host, const char *name, size_t len,
		     const char *ready, const char *done)
{
	struct pmr_conn *c = connect_or_exit(host);
	struct pmr_completion comp[DEPTH];
	struct pmr_region *r = NULL;
	struct pmr_mr *mr = NULL;
	uint64_t posted = 0, completed = 0, ok = 0;
	unsigned inflight = 0;
	size_t off = 0;
	int first = 0, n, rc;
	double t0;
	char text[64];
	uint8_t *buf = malloc(len);

	CHECK(buf, "malloc");
	memset(buf, A_BYTE, len);
	CHECK_RC(pmr_region_open(c, name, PMR_OPEN_EXCL, &r), 0, "open excl");
	CHECK(pmr_region_generation(r) >= 1, "generation 0");
	CHECK_RC(pmr_mr_reg(c, buf, len, PMR_MR_WRITE_SRC | PMR_MR_READ_DST,
			    &mr),
		 0, "mr_reg");
	snprintf(text, sizeof(text), "%llu\n",
		 (unsigned long long)pmr_region_generation(r));
	put_file(ready, text);
	printf("A: generation %s", text);
	fflush(stdout);

	t0 = now_s();
	while (!first) {
		CHECK(now_s() - t0 < A_TIMEOUT,
		      "A was not fenced within %d s (%llu writes done)",
		      A_TIMEOUT, (unsigned long long)ok);
		while (inflight < DEPTH) {
			size_t n_bytes = len - off < CHUNK ? len - off : CHUNK;

			rc = pmr_region_post_write(r, mr, off, off, n_bytes,
						   posted);
			if (rc == -EAGAIN)
				break;
			if (rc) {
				first = rc;
				break;
			}
			posted++;
			inflight++;
			off = off + n_bytes >= len ? 0 : off + n_bytes;
		}
		if (first)
			break;
		n = pmr_conn_poll(c, comp, DEPTH);
		if (n < 0) {
			first = n;
			break;
		}
		for (int i = 0; i < n; i++) {
			inflight--;
			completed++;
			if (comp[i].status && !first)
				first = comp[i].status;
			else if (!comp[i].status)
				ok++;
		}
	}
	printf("A: first error after %llu good writes: %s\n",
	       (unsigned long long)ok, pmr_strerror(first));
	CHECK_RC(first, PMR_E_FENCED, "A's first failure");

	/* what was in flight finishes: fenced, lost, or landed before */
	t0 = now_s();
	while (inflight && now_s() - t0 < A_TIMEOUT) {
		n = pmr_conn_poll(c, comp, DEPTH);
		if (n < 0)
			break; /* the connection is gone: nothing in flight */
		for (int i = 0; i < n; i++) {
			inflight--;
			CHECK(comp[i].status == 0 ||
				      comp[i].status == PMR_E_FENCED ||
				      comp[i].status == PMR_E_CONN_LOST,
			      "in-flight write: %s",
			      pmr_strerror(comp[i].status));
		}
		if (!n)
			sleep_ms(1);
	}
	printf("A: %llu posted, %llu completed, %u unaccounted (connection lost: %s)\n",
	       (unsigned long long)posted, (unsigned long long)completed,
	       inflight, pmr_conn_poll(c, comp, 1) < 0 ? "yes" : "no");
	dead_region(r, mr, buf);
	CHECK_RC(pmr_region_close(&r), 0, "close of the fenced region");
	pmr_mr_dereg(&mr);
	pmr_conn_close(&c);
	put_file(done, "done\n");
	free(buf);
	return 0;
}

/* do_takeover -- the "takeover" command (B) */
static int do_takeover(const char *host, const char *name, size_t len,
		       uint64_t min_gen, const char *done, long pause_ms)
{
	struct pmr_conn *c = connect_or_exit(host);
	struct pmr_region *r = NULL;
	uint64_t gen, bad = 0, first_bad = UINT64_MAX;
	uint8_t *buf = malloc(len);
	double t0;

	CHECK(buf, "malloc");
	CHECK_RC(pmr_region_open(c, name, PMR_OPEN_TAKEOVER, &r), 0,
		 "open takeover");
	gen = pmr_region_generation(r);
	printf("B: generation %llu (A had %llu)\n", (unsigned long long)gen,
	       (unsigned long long)min_gen);
	fflush(stdout);
	CHECK(gen > min_gen, "takeover generation %llu not above %llu",
	      (unsigned long long)gen, (unsigned long long)min_gen);
	memset(buf, B_BYTE, len);
	CHECK_RC(pmr_region_write_persist(r, buf, 0, len), 0, "B's write");

	t0 = now_s();
	while (access(done, F_OK)) {
		CHECK(now_s() - t0 < 60, "A did not stop within 60 s");
		sleep_ms(10);
	}
	sleep_ms(pause_ms);
	memset(buf, 0, len);
	CHECK_RC(pmr_region_read(r, buf, 0, len), 0, "B's read back");
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == B_BYTE)
			continue;
		if (!bad++)
			first_bad = i;
	}
	CHECK(!bad, "%llu bytes are not B's (first at %llu: 0x%02x)",
	      (unsigned long long)bad, (unsigned long long)first_bad,
	      first_bad < len ? buf[first_bad] : 0);
	printf("B: all %zu bytes are B's\n", len);
	CHECK_RC(pmr_region_close(&r), 0, "close");
	CHECK_RC(pmr_conn_close(&c), 0, "conn close");
	free(buf);
	return 0;
}

/* main -- see the top of the file */
int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[3], "open"))
		return do_open(argv[1], argv[2], argv[4],
			       argc > 5 ? argv[5] : NULL);
	if (argc == 7 && !strcmp(argv[3], "writer"))
		return do_writer(argv[1], argv[2], strtoul(argv[4], NULL, 0),
				 argv[5], argv[6]);
	if (argc == 8 && !strcmp(argv[3], "takeover"))
		return do_takeover(argv[1], argv[2], strtoul(argv[4], NULL, 0),
				   strtoull(argv[5], NULL, 0), argv[6],
				   atol(argv[7]));
	fprintf(stderr,
		"usage: pmr-fence HOST REGION open excl|takeover|rw|ro [HOLD_MS|/FILE]\n"
		"       pmr-fence HOST REGION writer LEN READY DONE\n"
		"       pmr-fence HOST REGION takeover LEN MIN_GEN DONE PAUSE_MS\n");
	return 2;
}
