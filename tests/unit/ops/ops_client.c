/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ops_client.c -- pmr-ops-client: a libpmr client that keeps working, for
 * the operations suite (tests/vm/suites/50-ops.sh).
 *
 *   pmr-ops-client HOST REGION SECS [ro]
 *
 * Opens REGION read-write and, for SECS seconds, writes + persists a 4 KiB
 * block with a counter at offset 0 and reads it back, every 100 ms (with
 * "ro": opens it read-only and only reads).
 * Prints "open", then "ops N" now and then.  Exits 0 when every operation
 * worked for SECS, 3 when the connection went away (server stopping) after
 * at least one operation, 1 on any other failure.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpmr.h>

#define BLOCK 4096

/* lost -- the server went away (stopping or gone) */
static int lost(int err)
{
	return err == PMR_E_CONN_LOST || err == PMR_E_SHUTDOWN ||
	       err == PMR_E_REJECTED_SHUTDOWN;
}

/* main -- see the top of the file */
int main(int argc, char **argv)
{
	static uint8_t out[BLOCK], in[BLOCK];
	struct pmr_conn *c = NULL;
	struct pmr_region *r = NULL;
	uint64_t n = 0;
	time_t end;
	int err, status = 1;
	bool ro;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "ro"))) {
		fprintf(stderr,
			"usage: pmr-ops-client HOST REGION SECS [ro]\n");
		return 2;
	}
	ro = argc == 5;
	setvbuf(stdout, NULL, _IOLBF, 0);
	end = time(NULL) + atoi(argv[3]);
	err = pmr_conn_open(argv[1], NULL, NULL, &c);
	if (err) {
		fprintf(stderr, "connect: %s\n", pmr_strerror(err));
		return 1;
	}
	err = pmr_region_open(c, argv[2], ro ? PMR_OPEN_RO : PMR_OPEN_RW, &r);
	if (err) {
		fprintf(stderr, "open %s: %s\n", argv[2], pmr_strerror(err));
		goto out_close_conn;
	}
	printf("open\n");
	while (time(NULL) < end) {
		memset(out, (int)(n & 0xff), sizeof(out));
		memcpy(out, &n, sizeof(n));
		err = ro ? 0 : pmr_region_write_persist(r, out, 0, sizeof(out));
		if (!err)
			err = pmr_region_read(r, in, 0, sizeof(in));
		if (ro)
			memcpy(out, in, sizeof(out));
		if (err) {
			fprintf(stderr, "op %" PRIu64 ": %s\n", n,
				pmr_strerror(err));
			if (n && lost(err)) {
				printf("lost after %" PRIu64 " ops\n", n);
				status = 3;
			}
			goto out_close_region;
		}
		if (memcmp(in, out, sizeof(in))) {
			fprintf(stderr, "op %" PRIu64 ": read back differs\n",
				n);
			goto out_close_region;
		}
		if (!(++n % 20))
			printf("ops %" PRIu64 "\n", n);
		usleep(100000);
	}
	printf("done %" PRIu64 " ops\n", n);
	status = 0;
out_close_region:
	pmr_region_close(&r);
out_close_conn:
	pmr_conn_close(&c);
	return status;
}
