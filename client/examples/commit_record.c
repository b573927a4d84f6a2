/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * commit_record.c -- how a storage engine publishes a record in remote
 * pmem so that a crash at any moment leaves either the old or the new
 * state: write the payload, make it durable, then atomic_write the commit
 * word that points at it.  A reader (or recovery) trusts only what the
 * commit word covers, so a torn payload is never seen as committed.
 *
 * Region layout used here: word 0 = the commit word (sequence number of
 * the last committed record), then records of RECORD_SIZE bytes, record
 * N at RECORD_SIZE * (1 + N % SLOTS).  Usage:
 *   pmr_commit_record HOST [PORT [REGION [COUNT]]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmr.h>

#define RECORD_SIZE 256
#define SLOTS	    64
#define COMMIT_OFF  0 /* 8-byte aligned: atomics need that */

/* fail -- report what failed and why */
static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s (%d)\n", what, pmr_strerror(err), err);
	return 1;
}

/* record_off -- where record SEQ lives */
static uint64_t record_off(uint64_t seq)
{
	return (uint64_t)RECORD_SIZE * (1 + seq % SLOTS);
}

/*
 * commit -- publish record SEQ: payload first, durable, then the commit
 * word.  The order matters: the commit word must never be durable before
 * the payload it points at.  write_persist returns once the payload is
 * durable; atomic_write returns once the commit word is.
 */
static int commit(struct pmr_region *r, uint64_t seq, const char *text)
{
	char rec[RECORD_SIZE];
	int rc;

	memset(rec, 0, sizeof(rec));
	memcpy(rec, &seq, sizeof(seq)); /* the record names itself */
	snprintf(rec + sizeof(seq), sizeof(rec) - sizeof(seq), "%s", text);
	rc = pmr_region_write_persist(r, rec, record_off(seq), sizeof(rec));
	if (rc)
		return rc;
	return pmr_region_atomic_write(r, COMMIT_OFF, seq);
}

/* recover -- what a restarted engine trusts: the committed record only */
static int recover(struct pmr_region *r)
{
	char rec[RECORD_SIZE];
	uint64_t seq, self;
	int rc;

	/* an aligned 8-byte word is never read half-written */
	rc = pmr_region_read(r, &seq, COMMIT_OFF, sizeof(seq));
	if (rc)
		return rc;
	if (seq == 0) {
		printf("nothing committed yet\n");
		return 0;
	}
	rc = pmr_region_read(r, rec, record_off(seq), sizeof(rec));
	if (rc)
		return rc;
	memcpy(&self, rec, sizeof(self));
	rec[sizeof(rec) - 1] = '\0';
	printf("last committed record %" PRIu64 " (%s): %s\n", seq,
	       self == seq ? "intact" : "OVERWRITTEN", rec + sizeof(self));
	return self == seq ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "10.77.0.1";
	const char *port = argc > 2 ? argv[2] : NULL;
	const char *name = argc > 3 ? argv[3] : "pmem0";
	unsigned long count = argc > 4 ? strtoul(argv[4], NULL, 0) : 10;
	static const char *const path[] = { "none", "server", "native" };
	struct pmr_region *r = NULL;
	struct pmr_conn *conn = NULL;
	uint64_t seq = 0;
	char text[64];
	int rc, ret = 1;

	rc = pmr_conn_open(host, port, NULL, &conn);
	if (rc)
		return fail("connect", rc);
	rc = pmr_region_open(conn, name, PMR_OPEN_RW, &r);
	if (rc) {
		fail("open", rc);
		goto out_close_conn;
	}
	printf("atomic write path: %s\n",
	       path[pmr_region_atomic_write_path(r) % 3]);
	if (recover(r))
		goto out_close_region;
	/* continue after what is committed */
	rc = pmr_region_read(r, &seq, COMMIT_OFF, sizeof(seq));
	if (rc) {
		fail("read commit word", rc);
		goto out_close_region;
	}
	for (unsigned long i = 0; i < count; i++) {
		seq++;
		snprintf(text, sizeof(text), "record %" PRIu64, seq);
		rc = commit(r, seq, text);
		if (rc) {
			fail("commit", rc);
			goto out_close_region;
		}
	}
	printf("committed up to %" PRIu64 "\n", seq);
	ret = recover(r) ? 1 : 0;

out_close_region:
	pmr_region_close(&r);
out_close_conn:
	pmr_conn_close(&conn);
	return ret;
}
