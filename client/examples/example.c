/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * example.c -- the whole libpmr flow: connect, list, open, write, persist,
 * read back, close.  Usage: pmr_example HOST [PORT [REGION]]
 */
#include <stdio.h>
#include <string.h>

#include <libpmr.h>

/* log_cb -- print the library's messages on stderr */
static void log_cb(int level, const char *file, int line, const char *func,
		   const char *msg)
{
	fprintf(stderr, "libpmr[%d] %s: %s\n", level, func, msg);
}

/* fail -- report what failed and why */
static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s (%d)\n", what, pmr_strerror(err), err);
	return 1;
}

int main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "10.77.0.1";
	const char *port = argc > 2 ? argv[2] : NULL;
	struct pmr_region_desc descs[16];
	struct pmr_region *region = NULL;
	struct pmr_conn *conn = NULL;
	char msg[64], back[64] = "";
	size_t total, i;
	int n, rc, ret = 1;

	pmr_log_set(log_cb, PMR_LOG_ERR);
	rc = pmr_conn_open(host, port, NULL, &conn);
	if (rc)
		return fail("connect", rc);
	printf("connected to %s\n", host);

	n = pmr_conn_list_regions(conn, descs, 16, &total);
	if (n < 0) {
		fail("list", n);
		goto out_close_conn;
	}
	printf("%zu region(s):\n", total);
	for (i = 0; i < (size_t)n; i++)
		printf("  %-20s %12llu bytes %s methods 0x%x\n", descs[i].name,
		       (unsigned long long)descs[i].size,
		       descs[i].read_only ? "ro" : "rw",
		       descs[i].persist_methods);
	if (n == 0)
		goto out_close_conn;

	rc = pmr_region_open(conn, argc > 3 ? argv[3] : descs[0].name,
			     PMR_OPEN_RW, &region);
	if (rc) {
		fail("open", rc);
		goto out_close_conn;
	}
	printf("opened: %llu bytes, persisting with method 0x%x\n",
	       (unsigned long long)pmr_region_size(region),
	       pmr_region_get_persist_method(region));

	snprintf(msg, sizeof(msg), "hello from libpmr");
	rc = pmr_region_write(region, msg, 0, sizeof(msg));
	if (!rc)
		rc = pmr_region_persist(region, 0, sizeof(msg));
	if (rc) {
		fail("write+persist", rc);
		goto out_close_region;
	}
	printf("wrote and persisted %zu bytes at offset 0\n", sizeof(msg));

	rc = pmr_region_read(region, back, 0, sizeof(back));
	if (rc) {
		fail("read", rc);
		goto out_close_region;
	}
	printf("read back: \"%s\" (%s)\n", back,
	       strcmp(msg, back) ? "MISMATCH" : "match");
	ret = strcmp(msg, back) != 0;

out_close_region:
	rc = pmr_region_close(&region);
	if (rc)
		fail("close region", rc);
out_close_conn:
	pmr_conn_close(&conn);
	printf("closed\n");
	return ret;
}
