/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_memset_bench.c -- pmr-memset-bench: the reference for pmrd --prepare
 * throughput: map FILE (or a devdax node) with libpmem2 and zero SIZE bytes
 * with pmem2's memset (non-temporal stores, persisted), twice.  Prints
 * "memset-first BYTES SECONDS MBps" (page faults and block allocation of
 * a fresh file included) and "memset BYTES SECONDS MBps" (mapped pmem).
 * memset-first is the same work as pmrd --prepare: libpmem2 maps an fsdax
 * file with MAP_SYNC, so each first-touch fault allocates its block(s),
 * has the kernel zero them and commits the metadata before the store goes
 * on; at the end every block is allocated, written and durable, which is
 * where --prepare's fallocate, pwritev and fsync end too.  The second pass
 * is the floor no file preparation reaches: stores alone, no allocation.
 *
 *   pmr-memset-bench PATH [SIZE_MiB]   (a file is created/extended first)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpmem2.h>

/* now_s -- monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* map_path -- open PATH (extended to SIZE if a regular file) and map it */
static int map_path(const char *path, size_t size, int *fd_ret,
		    struct pmem2_map **ret)
{
	struct pmem2_config *cfg;
	struct pmem2_source *src;
	struct stat st;
	int fd = -1, err;

	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size < size && ftruncate(fd, (off_t)size)) {
		err = -errno;
		goto out_close_fd;
	}
	err = pmem2_config_new(&cfg);
	if (err)
		goto out_close_fd;
	pmem2_config_set_required_store_granularity(cfg,
						    PMEM2_GRANULARITY_PAGE);
	if (size)
		pmem2_config_set_length(cfg, size);
	err = pmem2_source_from_fd(&src, fd);
	if (err)
		goto out_delete_cfg;
	err = pmem2_map_new(ret, cfg, src);
	pmem2_source_delete(&src);
	if (err)
		goto out_delete_cfg;
	pmem2_config_delete(&cfg);
	*fd_ret = fd;
	return 0;

out_delete_cfg:
	pmem2_config_delete(&cfg);
out_close_fd:
	close(fd);
	return err < 0 ? err : -EIO;
}

/* main -- map, memset (persisted), report */
int main(int argc, char **argv)
{
	struct pmem2_map *map;
	pmem2_memset_fn memset_fn;
	size_t size, len;
	double t0, t;
	char *addr;
	int fd = -1, err;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pmr-memset-bench PATH [SIZE_MiB]\n");
		return 2;
	}
	size = argc == 3 ? (size_t)strtoull(argv[2], NULL, 10) << 20 : 0;
	err = map_path(argv[1], size, &fd, &map);
	if (err) {
		fprintf(stderr, "pmr-memset-bench: %s: %s (%s)\n", argv[1],
			strerror(err < 0 ? -err : EIO), pmem2_errormsg());
		return 1;
	}
	addr = pmem2_map_get_address(map);
	len = pmem2_map_get_size(map);
	memset_fn = pmem2_get_memset_fn(map);
	/* first pass: page faults and block allocation included (what a
	 * fresh file costs); second: the memset alone, on mapped pmem */
	for (int pass = 0; pass < 2; pass++) {
		t0 = now_s();
		for (size_t off = 0; off < len; off += 64u << 20) {
			size_t n = len - off < 64u << 20 ? len - off :
							   64u << 20;

			memset_fn(addr + off, 0, n, 0);
		}
		t = now_s() - t0;
		printf("%s %zu %.3f %.0f\n", pass ? "memset" : "memset-first",
		       len, t, (double)len / t / 1e6);
	}
	pmem2_map_delete(&map);
	close(fd);
	return 0;
}
