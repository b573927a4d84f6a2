/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_authclient.c -- a libpmr client for tests/vm/suites/70-auth.sh: lists
 * the regions the server shows it, opens one (with a pre-shared key from a
 * file when given), and proves the open real by writing, persisting and
 * reading back a pattern.
 *
 *   pmr-authclient HOST REGION [KEYFILE|-] [any]
 *
 * "any" sets the key for every region (pmr_conn_cfg_set_psk_file with a
 * NULL region) instead of REGION's own.
 * Exit: 0 opened and the data round-tripped; 3 PMR_E_DENIED; 4 PMR_E_AUTH;
 * 5 could not connect; 1 anything else; 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpmr.h"

#define LEN 4096

/* exit_code -- the documented exit code for error RC */
static int exit_code(int rc)
{
	if (rc == PMR_E_DENIED)
		return 3;
	if (rc == PMR_E_AUTH)
		return 4;
	return 1;
}

/* roundtrip -- write, persist and read back LEN bytes at offset 0 */
static int roundtrip(struct pmr_region *r)
{
	static char out[LEN], in[LEN];
	int rc;

	for (size_t i = 0; i < LEN; i++)
		out[i] = (char)(i * 7 + 3);
	rc = pmr_region_write_persist(r, out, 0, LEN);
	if (!rc)
		rc = pmr_region_read(r, in, 0, LEN);
	if (!rc && memcmp(in, out, LEN))
		rc = -EIO;
	return rc;
}

/* main -- see the top of the file */
int main(int argc, char **argv)
{
	struct pmr_region_desc d[64];
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_conn *conn = NULL;
	struct pmr_region *r = NULL;
	const char *region;
	int rc, n;

	if (argc < 3)
		return 2;
	region = argv[2];
	rc = pmr_conn_cfg_new(&cfg);
	if (!rc && argc > 3 && strcmp(argv[3], "-"))
		rc = pmr_conn_cfg_set_psk_file(
			cfg,
			argc > 4 && !strcmp(argv[4], "any") ? NULL : region,
			argv[3]);
	if (rc) {
		fprintf(stderr, "key: %s\n", pmr_strerror(rc));
		return 1;
	}
	rc = pmr_conn_open(argv[1], NULL, cfg, &conn);
	pmr_conn_cfg_delete(&cfg);
	if (rc) {
		fprintf(stderr, "connect: %s\n", pmr_strerror(rc));
		return 5;
	}
	n = pmr_conn_list_regions(conn, d, 64, NULL);
	printf("listed:");
	for (int i = 0; i < n; i++)
		printf(" %s", d[i].name);
	printf("\n");
	rc = pmr_region_open(conn, region, PMR_OPEN_RW, &r);
	if (rc) {
		printf("open %s: %s (%s)\n", region, pmr_strerror(rc),
		       pmr_conn_last_error_text(conn));
		pmr_conn_close(&conn);
		return exit_code(rc);
	}
	rc = roundtrip(r);
	printf("open %s: OK, data %s\n", region,
	       rc ? pmr_strerror(rc) : "round-tripped");
	pmr_region_close(&r);
	pmr_conn_close(&conn);
	return rc ? 1 : 0;
}
