/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_atomics.c -- libpmr's 8-byte atomics against pmrd
 * (tests/vm/suites/42-atomics.sh).  PORT "-" is the default port.
 *
 *   pmr-atomics HOST PORT basic REGION OFF
 *	atomic_write then read back (little-endian in the region); a
 *	misaligned offset -> -EINVAL and a read-only handle ->
 *	PMR_E_READONLY, nothing changed; CAS and fetch-add once where the
 *	key has atomics.  Prints "path: native|server|none" and "rdma
 *	atomics: yes|no".
 *   pmr-atomics HOST PORT counter REGION OFF M FILE
 *	waits until FILE.go exists (all clients connected), then M
 *	fetch_add(1) on the word at OFF; every old value it got, one per
 *	line, into FILE.
 *   pmr-atomics HOST PORT lock REGION OFF ID GO
 *	waits until GO exists, then one CAS(0 -> ID): prints "won" or
 *	"lost to X" (X the word it found).
 *   pmr-atomics HOST PORT async REGION OFF N
 *	an atomic_write of 0 (polled), then N async ops alternating
 *	post_fetch_add(1) and post_cas(i -> i+1): completions in posting
 *	order, status 0, kinds right, the old words 0..N-1 in the MR, the
 *	word N after.
 *   pmr-atomics HOST PORT set REGION OFF VALUE
 *   pmr-atomics HOST PORT get REGION OFF
 *	atomic_write VALUE; print the word (decimal).
 *
 * Exit 0: every check passed.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpmr.h>

#include "pmr_check.h"

static const char *host, *port;

/* open_region -- connect and open NAME with FLAGS */
static struct pmr_region *open_region(struct pmr_conn **conn, const char *name,
				      unsigned int flags)
{
	struct pmr_region *r;
	int rc;

	rc = pmr_conn_open(host, port, NULL, conn);
	CHECK(rc == 0, "connect %s: %s", host, pmr_strerror(rc));
	rc = pmr_region_open(*conn, name, flags, &r);
	CHECK(rc == 0, "open %s: %s", name, pmr_strerror(rc));
	return r;
}

/* close_all -- close R and CONN, both must succeed */
static void close_all(struct pmr_region **r, struct pmr_conn **conn)
{
	CHECK_RC(pmr_region_close(r), 0, "region close");
	CHECK_RC(pmr_conn_close(conn), 0, "conn close");
}

/* get_word -- the word at OFF as the region holds it (little-endian) */
static uint64_t get_word(struct pmr_region *r, uint64_t off)
{
	uint64_t le;

	CHECK_RC(pmr_region_read(r, &le, off, sizeof(le)), 0, "read word");
	return le64toh(le);
}

/* path_name -- a PMR_ATOMIC_WRITE_* path as pmrctl names it */
static const char *path_name(unsigned int p)
{
	return p == PMR_ATOMIC_WRITE_NATIVE ? "native" :
	       p == PMR_ATOMIC_WRITE_SERVER ? "server" :
					      "none";
}

/* wait_file -- until PATH exists (at most 60 s) */
static void wait_file(const char *path)
{
	for (int i = 0; i < 60000 && access(path, F_OK); i++)
		usleep(1000);
	CHECK(access(path, F_OK) == 0, "%s never appeared", path);
}

/* cmd_basic -- atomic_write, read back, the refusals, one CAS and FAA */
static int cmd_basic(const char *name, uint64_t off)
{
	struct pmr_conn *conn, *conn2;
	struct pmr_region *r = open_region(&conn, name, PMR_OPEN_RW);
	struct pmr_region *ro = open_region(&conn2, name, PMR_OPEN_RO);
	const uint64_t v = 0x0123456789abcdefull;
	uint8_t bytes[8];
	uint64_t old = 7;
	int rc;

	printf("path: %s\n", path_name(pmr_region_atomic_write_path(r)));
	CHECK_RC(pmr_region_atomic_write(r, off, v), 0, "atomic_write");
	CHECK(get_word(r, off) == v, "read back %#" PRIx64, get_word(r, off));
	/* through the read-only handle, and the byte order */
	CHECK_RC(pmr_region_read(ro, bytes, off, 8), 0, "ro read");
	CHECK(bytes[0] == 0xef && bytes[7] == 0x01,
	      "not little-endian: %02x..%02x", bytes[0], bytes[7]);

	CHECK_RC(pmr_region_atomic_write(r, off + 4, 1), -EINVAL,
		 "misaligned atomic_write");
	CHECK_RC(pmr_region_cas(r, off + 1, v, 1, &old), -EINVAL,
		 "misaligned cas");
	CHECK_RC(pmr_region_atomic_write(ro, off, 1), PMR_E_READONLY,
		 "atomic_write on ro");
	CHECK_RC(pmr_region_fetch_add(ro, off, 1, &old), PMR_E_READONLY,
		 "fetch_add on ro");
	CHECK(pmr_region_atomic_write_path(ro) == 0, "ro handle has a path");
	CHECK_RC(pmr_region_atomic_write(r, pmr_region_size(r), 1), PMR_E_RANGE,
		 "atomic_write past the end");
	CHECK(old == 7, "out-param written on failure");
	CHECK(get_word(r, off) == v, "a refused call changed the word");

	rc = pmr_region_cas(r, off, v, v + 1, &old);
	if (rc == PMR_E_UNSUPPORTED) {
		printf("rdma atomics: no\n");
	} else {
		CHECK_RC(rc, 0, "cas");
		CHECK(old == v, "cas old %#" PRIx64, old);
		CHECK_RC(pmr_region_cas(r, off, v, 5, &old), 0, "failed cas");
		CHECK(old == v + 1, "failed cas old %#" PRIx64, old);
		CHECK(get_word(r, off) == v + 1, "a failed cas swapped");
		CHECK_RC(pmr_region_fetch_add(r, off, 2, &old), 0, "faa");
		CHECK(old == v + 1 && get_word(r, off) == v + 3,
		      "fetch_add: old %#" PRIx64, old);
		printf("rdma atomics: yes\n");
	}
	close_all(&ro, &conn2);
	close_all(&r, &conn);
	printf("OK basic\n");
	return 0;
}

/* cmd_counter -- M fetch_add(1), the old values into FILE */
static int cmd_counter(const char *name, uint64_t off, unsigned long m,
		       const char *file)
{
	struct pmr_conn *conn;
	struct pmr_region *r = open_region(&conn, name, PMR_OPEN_RW);
	char go[4096];
	uint64_t old;
	FILE *f;

	f = fopen(file, "w");
	CHECK(f, "%s: %s", file, strerror(errno));
	snprintf(go, sizeof(go), "%s.go", file);
	wait_file(go);
	for (unsigned long i = 0; i < m; i++) {
		CHECK_RC(pmr_region_fetch_add(r, off, 1, &old), 0, "fetch_add");
		fprintf(f, "%" PRIu64 "\n", old);
	}
	CHECK(fclose(f) == 0, "%s: %s", file, strerror(errno));
	close_all(&r, &conn);
	return 0;
}

/* cmd_lock -- one CAS(0 -> ID) once GO exists */
static int cmd_lock(const char *name, uint64_t off, uint64_t id, const char *go)
{
	struct pmr_conn *conn;
	struct pmr_region *r = open_region(&conn, name, PMR_OPEN_RW);
	uint64_t old;

	wait_file(go);
	CHECK_RC(pmr_region_cas(r, off, 0, id, &old), 0, "cas");
	if (old == 0)
		printf("won\n");
	else
		printf("lost to %" PRIu64 "\n", old);
	close_all(&r, &conn);
	return 0;
}

/* poll_some -- poll completions into OUT + *GOT, up to N in all; fail
 * after 30 s without one */
static void poll_some(struct pmr_conn *conn, struct pmr_completion *out,
		      int *got, int n)
{
	time_t end = time(NULL) + 30;
	int k;

	do {
		k = pmr_conn_poll(conn, out + *got, n - *got);
		CHECK(k >= 0, "poll: %s", pmr_strerror(k));
		CHECK(time(NULL) < end, "no completion in 30 s (%d of %d)",
		      *got, n);
	} while (k == 0);
	*got += k;
}

/* post_one -- op I of cmd_async: fetch_add(1) for even I, CAS(I -> I+1)
 * for odd I, its old word into MR at I * 8, tagged I */
static int post_one(struct pmr_region *r, struct pmr_mr *mr, uint64_t off,
		    unsigned int i)
{
	if (i % 2)
		return pmr_region_post_cas(r, mr, (size_t)i * 8, off, i, i + 1,
					   i);
	return pmr_region_post_fetch_add(r, mr, (size_t)i * 8, off, 1, i);
}

/* cmd_async -- N alternating post_fetch_add / post_cas, in order; when
 * the slots, send queue or credits are full, poll and post again */
static int cmd_async(const char *name, uint64_t off, unsigned int n)
{
	struct pmr_conn *conn;
	struct pmr_region *r = open_region(&conn, name, PMR_OPEN_RW);
	struct pmr_completion *c = calloc(n + 1, sizeof(*c));
	uint64_t *old = aligned_alloc(64, ((n * 8 + 63) / 64) * 64 + 64);
	struct pmr_mr *mr;
	unsigned int i;
	int got = 0, rc;

	CHECK(c && old, "out of memory");
	memset(old, 0xff, (size_t)n * 8);
	CHECK_RC(pmr_mr_reg(conn, old, (size_t)n * 8, PMR_MR_READ_DST, &mr), 0,
		 "mr_reg");
	/* the start value, completed before the RDMA atomics are posted: a
	 * SERVER atomic write is ordered with them only once it completed */
	CHECK_RC(pmr_region_post_atomic_write(r, off, 0, 1000), 0,
		 "post_atomic_write");
	poll_some(conn, c, &got, 1);
	CHECK(c[0].user_tag == 1000 && c[0].op == PMR_OP_ATOMIC_WRITE &&
		      c[0].status == 0,
	      "atomic_write completion: tag %" PRIu64 " op %d status %d",
	      c[0].user_tag, c[0].op, c[0].status);
	got = 0;
	for (i = 0; i < n; i++) {
		while ((rc = post_one(r, mr, off, i)) == -EAGAIN)
			poll_some(conn, c, &got, (int)n);
		CHECK_RC(rc, 0, "post");
	}
	while (got < (int)n)
		poll_some(conn, c, &got, (int)n);
	for (i = 0; i < n; i++) {
		int want = i % 2 ? PMR_OP_CAS : PMR_OP_FETCH_ADD;

		CHECK(c[i].user_tag == i, "completion %u has tag %" PRIu64, i,
		      c[i].user_tag);
		CHECK(c[i].op == want && c[i].status == 0,
		      "completion %u: op %d status %d (%s)", i, c[i].op,
		      c[i].status, pmr_strerror(c[i].status));
		CHECK(old[i] == i, "op %u saw old word %" PRIu64, i, old[i]);
	}
	CHECK(get_word(r, off) == n, "final word %" PRIu64, get_word(r, off));
	CHECK_RC(pmr_mr_dereg(&mr), 0, "mr_dereg");
	close_all(&r, &conn);
	free(old);
	free(c);
	printf("OK async %u in order\n", n);
	return 0;
}

/* cmd_set_get -- atomic_write VALUE (SET), or print the word */
static int cmd_set_get(const char *name, uint64_t off, const char *value)
{
	struct pmr_conn *conn;
	struct pmr_region *r = open_region(&conn, name, PMR_OPEN_RW);

	if (value)
		CHECK_RC(pmr_region_atomic_write(r, off,
						 strtoull(value, NULL, 0)),
			 0, "atomic_write");
	else
		printf("%" PRIu64 "\n", get_word(r, off));
	close_all(&r, &conn);
	return 0;
}

/* usage -- the synopsis */
static int usage(void)
{
	fprintf(stderr,
		"usage: pmr-atomics HOST PORT basic REGION OFF\n"
		"       pmr-atomics HOST PORT counter REGION OFF M FILE\n"
		"       pmr-atomics HOST PORT lock REGION OFF ID GO\n"
		"       pmr-atomics HOST PORT async REGION OFF N\n"
		"       pmr-atomics HOST PORT set REGION OFF VALUE\n"
		"       pmr-atomics HOST PORT get REGION OFF\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd, *name;
	uint64_t off;

	if (argc < 6)
		return usage();
	host = argv[1];
	port = strcmp(argv[2], "-") ? argv[2] : NULL;
	cmd = argv[3];
	name = argv[4];
	off = strtoull(argv[5], NULL, 0);
	if (!strcmp(cmd, "basic") && argc == 6)
		return cmd_basic(name, off);
	if (!strcmp(cmd, "counter") && argc == 8)
		return cmd_counter(name, off, strtoul(argv[6], NULL, 0),
				   argv[7]);
	if (!strcmp(cmd, "lock") && argc == 8)
		return cmd_lock(name, off, strtoull(argv[6], NULL, 0), argv[7]);
	if (!strcmp(cmd, "async") && argc == 7)
		return cmd_async(name, off,
				 (unsigned int)strtoul(argv[6], NULL, 0));
	if (!strcmp(cmd, "set") && argc == 7)
		return cmd_set_get(name, off, argv[6]);
	if (!strcmp(cmd, "get") && argc == 6)
		return cmd_set_get(name, off, NULL);
	return usage();
}
