/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_verify.c -- pmr-verify: is every acknowledged record still there?
 *
 * Usage: pmr-verify [-w WRITER] [-m MIN] (-H HOST [-p PORT] REGION |
 *                   -l PATH) ACKLOG
 *
 * Reads ACKLOG (pmr-ackwriter's "seq off len crc" lines) and checks each
 * acknowledged record on the region: over RDMA through libpmr (-H, the
 * region opened read-only), or by mapping PATH locally (-l: a region file
 * or a /dev/daxX.Y, read-only, while pmrd is stopped).  Prints every
 * missing or corrupt record and a summary line; exit 0 only when all are
 * intact and there are at least MIN of them (default 1: an empty log
 * proves nothing).  A last line without its newline was being written when
 * the writer died: it was never acknowledged and is ignored (and said so).
 * Exit 1: a record missing or corrupt, too few, or a malformed line;
 * 2: usage; 3: cannot read the region.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libpmr.h>

#include "ackrec.h"

struct source {
	struct pmr_conn *conn;
	struct pmr_region *region;
	uint8_t *map;
	uint64_t size;
	uint8_t *buf; /* ACKREC_MAX bytes, for RDMA reads */
};

/* devdax_size -- a device DAX's size from sysfs; 0 if unknown */
static uint64_t devdax_size(dev_t rdev)
{
	char file[96];
	unsigned long long v = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/sys/dev/char/%u:%u/size", major(rdev),
		 minor(rdev));
	f = fopen(file, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* open_local -- map PATH (a file or a devdax device) read-only */
static int open_local(struct source *s, const char *path)
{
	struct stat st;
	void *p;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close_fd;
	}
	s->size = S_ISCHR(st.st_mode) ? devdax_size(st.st_rdev) :
					(uint64_t)st.st_size;
	if (!s->size) {
		fprintf(stderr, "%s: size unknown or 0\n", path);
		ret = -EINVAL;
		goto out_close_fd;
	}
	p = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		fprintf(stderr, "%s: mmap: %s\n", path, strerror(-ret));
		goto out_close_fd;
	}
	s->map = p;
	printf("verify: %s mapped locally, %" PRIu64 " bytes\n", path, s->size);
out_close_fd:
	close(fd);
	return ret;
}

/* open_remote -- connect, open REGION read-only, a read buffer */
static int open_remote(struct source *s, const char *host, const char *port,
		       const char *region)
{
	int ret;

	ret = ackrec_open(host, port, NULL, region, PMR_OPEN_RO, &s->conn,
			  &s->region);
	if (ret)
		return ret;
	s->size = pmr_region_size(s->region);
	s->buf = malloc(ACKREC_MAX);
	if (!s->buf)
		return -ENOMEM;
	printf("verify: region %s on %s over RDMA, %" PRIu64 " bytes\n", region,
	       host, s->size);
	return 0;
}

/* close_source -- undo open_local/open_remote */
static void close_source(struct source *s)
{
	if (s->map)
		munmap(s->map, (size_t)s->size);
	free(s->buf);
	pmr_region_close(&s->region);
	pmr_conn_close(&s->conn);
}

/* record_at -- the bytes of A on the region, or NULL (error printed) */
static const uint8_t *record_at(struct source *s, const struct ackrec_ack *a)
{
	int ret;

	if (a->off > s->size || a->len > s->size - a->off) {
		printf("seq %" PRIu64 ": range [%" PRIu64 ", +%" PRIu64
		       ") outside the region\n",
		       a->seq, a->off, a->len);
		return NULL;
	}
	if (s->map)
		return s->map + a->off;
	ret = pmr_region_read(s->region, s->buf, a->off, (size_t)a->len);
	if (ret) {
		printf("seq %" PRIu64 ": read: %s\n", a->seq,
		       pmr_strerror(ret));
		return NULL;
	}
	return s->buf;
}

/* usage -- the synopsis on stderr; exit 2 */
static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: pmr-verify [-w WRITER] [-m MIN] (-H HOST [-p PORT] REGION | -l PATH) ACKLOG\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL, *local = NULL, *log;
	uint64_t n = 0, missing = 0, corrupt = 0, bad = 0, min = 1;
	struct source s = { 0 };
	char line[ACKREC_LINE + 2], why[160];
	uint32_t writer = 0;
	struct ackrec_ack a;
	const uint8_t *p;
	FILE *f;
	int opt, ret;

	while ((opt = getopt(argc, argv, "w:m:H:p:l:")) != -1) {
		switch (opt) {
		case 'w':
			writer = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			min = strtoull(optarg, NULL, 0);
			break;
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'l':
			local = optarg;
			break;
		default:
			usage();
		}
	}
	if (!host == !local || argc - optind != (host ? 2 : 1))
		usage();
	log = argv[argc - 1];
	f = fopen(log, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", log, strerror(errno));
		return 1;
	}
	ret = local ? open_local(&s, local) :
		      open_remote(&s, host, port, argv[optind]);
	if (ret) {
		fclose(f);
		close_source(&s);
		return 3;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && feof(f)) {
			printf("last line unterminated (the writer died writing it; never acknowledged): ignored\n");
			break;
		}
		if (ackrec_parse_line(line, &a)) {
			printf("malformed ack line: %s", line);
			bad++;
			continue;
		}
		n++;
		p = record_at(&s, &a);
		if (!p) {
			bad++;
			continue;
		}
		switch (ackrec_check(p, writer, &a, why, sizeof(why))) {
		case 0:
			break;
		case 1:
			missing++;
			printf("MISSING seq %" PRIu64 " off %" PRIu64
			       " len %" PRIu64 ": %s\n",
			       a.seq, a.off, a.len, why);
			break;
		default:
			corrupt++;
			printf("CORRUPT seq %" PRIu64 " off %" PRIu64
			       " len %" PRIu64 ": %s\n",
			       a.seq, a.off, a.len, why);
		}
	}
	fclose(f);
	close_source(&s);
	printf("verify %s (writer %u): %" PRIu64
	       " acknowledged records, %" PRIu64 " missing, %" PRIu64
	       " corrupt, %" PRIu64 " unreadable/malformed\n",
	       log, writer, n, missing, corrupt, bad);
	if (n < min) {
		printf("verify: fewer than %" PRIu64
		       " acknowledged records: proves nothing\n",
		       min);
		return 1;
	}
	return missing || corrupt || bad ? 1 : 0;
}
