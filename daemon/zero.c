/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zero.c -- write zeros over a whole new region, with progress in the log
 *
 * Really writing every block is the point: fallocate() alone leaves
 * unwritten extents (see fiemap.c).  Preparing terabytes takes a while, so
 * progress (percent, MB/s) goes to the log about once a second.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "log.h"
#include "util.h"
#include "zero.h"

/*
 * pwrite chunk: large enough that syscall overhead vanishes, small enough
 * for a prompt progress line.  The buffer is an untouched anonymous mapping,
 * so it reads as the shared zero page and costs no memory.
 */
#define ZERO_PWRITE_CHUNK (8UL << 20)
#define ZERO_MEMSET_CHUNK (64UL << 20)

struct progress {
	const char *name;
	const char *path;
	uint64_t total;
	double start;
	double last;
};

/* now_s -- monotonic seconds */
static double now_s(void)
{
	return pmrd_now_ms() / 1e3;
}

/* progress_init -- start the clock */
static void progress_init(struct progress *p, const char *name,
			  const char *path, uint64_t total)
{
	p->name = name;
	p->path = path;
	p->total = total;
	p->start = p->last = now_s();
}

/* mbps -- MB/s (10^6 bytes) since start */
static double mbps(const struct progress *p, uint64_t done, double t)
{
	return t > p->start ? (double)done / 1e6 / (t - p->start) : 0.0;
}

/* progress_update -- a log line when a second has passed since the last */
static void progress_update(struct progress *p, uint64_t done)
{
	double t = now_s();

	if (t - p->last < 1.0)
		return;
	p->last = t;
	log_info("region %s: %s: zeroing %" PRIu64 "%% (%.0f MB/s)", p->name,
		 p->path, done * 100 / p->total, mbps(p, done, t));
}

/* progress_done -- the summary line */
static void progress_done(struct progress *p)
{
	double t = now_s();

	log_info("region %s: %s: zeroed %" PRIu64
		 " bytes in %.2f s (%.0f MB/s)",
		 p->name, p->path, p->total, t - p->start,
		 mbps(p, p->total, t));
}

/* pmrd_zero_pwrite -- pwrite zeros over [0, size) of fd */
int pmrd_zero_pwrite(const char *name, const char *path, int fd, uint64_t size)
{
	struct progress p;
	uint64_t off = 0;
	void *zeros;
	int ret = 0;

	zeros = mmap(NULL, ZERO_PWRITE_CHUNK, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zeros == MAP_FAILED) {
		ret = -errno;
		log_err("region %s: %s: zero buffer: %s", name, path,
			strerror(-ret));
		return ret;
	}
	progress_init(&p, name, path, size);
	while (off < size) {
		size_t len = (size_t)MIN(size - off, ZERO_PWRITE_CHUNK);
		ssize_t n = pwrite(fd, zeros, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			log_err("region %s: %s: writing zeros at offset %" PRIu64
				": %s",
				name, path, off, strerror(-ret));
			goto out_unmap_zeros;
		}
		off += (uint64_t)n;
		progress_update(&p, off);
	}
	progress_done(&p);
out_unmap_zeros:
	munmap(zeros, ZERO_PWRITE_CHUNK);
	return ret;
}

/* pmrd_zero_memset -- nontemporal pmem2 memset over the mapping */
int pmrd_zero_memset(const char *name, const char *path, void *addr,
		     uint64_t size, pmem2_memset_fn memset_fn)
{
	struct progress p;
	uint64_t off = 0;

	progress_init(&p, name, path, size);
	while (off < size) {
		size_t len = (size_t)MIN(size - off, ZERO_MEMSET_CHUNK);

		memset_fn((char *)addr + off, 0, len, PMEM2_F_MEM_NONTEMPORAL);
		off += len;
		progress_update(&p, off);
	}
	progress_done(&p);
	return 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* pmrd_zero_populate -- let write faults zero-fill every block */
int pmrd_zero_populate(const char *name, const char *path, int fd,
		       uint64_t size)
{
	struct progress p;
	uint64_t off = 0;
	char *addr;
	int ret = 0;

	addr = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
	if (addr == MAP_FAILED) {
		ret = -errno;
		log_err("region %s: %s: mmap for zeroing: %s", name, path,
			strerror(-ret));
		return ret;
	}
	progress_init(&p, name, path, size);
	while (off < size) {
		size_t len = (size_t)MIN(size - off, ZERO_MEMSET_CHUNK);

		if (madvise(addr + off, len, MADV_POPULATE_WRITE) < 0) {
			ret = -errno;
			if (ret == -EINTR)
				continue;
			log_err("region %s: %s: MADV_POPULATE_WRITE at offset %" PRIu64
				": %s",
				name, path, off, strerror(-ret));
			goto out_unmap;
		}
		off += len;
		progress_update(&p, off);
	}
	progress_done(&p);
out_unmap:
	munmap(addr, (size_t)size);
	return ret;
}
