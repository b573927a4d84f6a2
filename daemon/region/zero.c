/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zero.c -- write zeros over a whole new region, with progress in the log
 *
 * Really writing every block is the point: fallocate() alone leaves
 * unwritten extents (see fiemap.c).  Preparing terabytes takes a while, so
 * progress (percent, MB/s) goes to the log about once a second.
 *
 * Writing with pwritev() is the fastest way measured (BENCHMARKS.md):
 * write faults through a mapping (MADV_POPULATE_WRITE, or a memset) pay a
 * fault and an extent conversion per 4 KiB page wherever the blocks are
 * not 2 MiB aligned, and with MAP_SYNC a journal commit each;
 * fallocate(FALLOC_FL_WRITE_ZEROES) (Linux 6.17) is refused with
 * EOPNOTSUPP on ext4 and xfs over the pmem driver, which offers no
 * write-zeroes operation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "log.h"
#include "util.h"
#include "zero.h"

/*
 * One pwritev writes ZERO_CHUNK bytes from ZERO_IOV (IOV_MAX) iovecs that
 * all point at one ZERO_BUF-byte buffer, an untouched anonymous mapping
 * (the shared zero page: no memory).  The source's size decides the speed:
 * measured in the VM on ext4 and xfs -o dax (BENCHMARKS.md, "pmrd
 * --prepare"), one 8 MiB source buffer (the huge zero page, or 2048 small
 * ones) zeroed at about half the rate of a 1 MiB or a repeated 64 KiB one;
 * the likely cause is the source's TLB footprint (QEMU's soft TLB there,
 * the dTLB on hardware).  Large calls convert the fallocated extents in
 * few transactions.
 */
#define ZERO_BUF   (64UL << 10)
#define ZERO_IOV   1024
#define ZERO_CHUNK (ZERO_BUF * ZERO_IOV) /* 64 MiB */

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
	p->start = now_s();
	/* the first line comes after the first chunk: the rate early, and a
	 * point mid-zeroing where 80-faults kills a preparation */
	p->last = p->start - 1.0;
}

/* mbps -- MB/s (10^6 bytes) since start */
static double mbps(const struct progress *p, uint64_t done, double t)
{
	return t > p->start ? (double)done / 1e6 / (t - p->start) : 0.0;
}

/*
 * progress_update -- a log line when a second has passed since the last
 * (the first after the first chunk); none at the end: progress_done's
 */
static void progress_update(struct progress *p, uint64_t done)
{
	double t = now_s();

	if (t - p->last < 1.0 || done >= p->total)
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

/* fill_iov -- iovecs for len bytes of zeros from buf; their count */
static int fill_iov(struct iovec *iov, void *buf, size_t len)
{
	int n = 0;

	for (; len; n++) {
		iov[n].iov_base = buf;
		iov[n].iov_len = MIN(len, ZERO_BUF);
		len -= iov[n].iov_len;
	}
	return n;
}

/* pmrd_zero_pwrite -- pwritev zeros over [0, size) of fd */
int pmrd_zero_pwrite(const char *name, const char *path, int fd, uint64_t size)
{
	struct iovec iov[ZERO_IOV];
	struct progress p;
	uint64_t off = 0;
	void *zeros;
	int ret = 0;

	zeros = mmap(NULL, ZERO_BUF, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	if (zeros == MAP_FAILED) {
		ret = -errno;
		log_err("region %s: %s: zero buffer: %s", name, path,
			strerror(-ret));
		return ret;
	}
	progress_init(&p, name, path, size);
	while (off < size) {
		int cnt = fill_iov(iov, zeros,
				   (size_t)MIN(size - off, ZERO_CHUNK));
		ssize_t n = pwritev(fd, iov, cnt, (off_t)off);

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
	munmap(zeros, ZERO_BUF);
	return ret;
}
