/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fiemap_scan.c -- the extent check sees holes and unwritten extents
 * (what fallocate leaves) and passes a fully written file
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fiemap.h"
#include "region_fixture.h"

#define SZ (4UL << 20)

static int fd = -1;

/* setup -- an empty scratch file */
static void setup(void)
{
	char path[PATH_MAX];

	t_setup();
	t_path(path, "f");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
}

/* teardown -- close and remove */
static void teardown(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	t_teardown();
}

TestSuite(fiemap_scan, .init = setup, .fini = teardown);

/* scan -- fsync and scan [0, SZ) */
static struct pmrd_fiemap_report scan(void)
{
	struct pmrd_fiemap_report r;

	cr_assert_eq(fsync(fd), 0);
	cr_assert_eq(pmrd_fiemap_scan(fd, SZ, &r), 0);
	return r;
}

/* write_range -- real data over [off, off+len) */
static void write_range(off_t off, size_t len)
{
	char *buf = malloc(len);

	cr_assert_not_null(buf);
	memset(buf, 1, len);
	cr_assert_eq(pwrite(fd, buf, len, off), (ssize_t)len);
	free(buf);
}

Test(fiemap_scan, sparse_file_is_all_hole)
{
	struct pmrd_fiemap_report r;

	cr_assert_eq(ftruncate(fd, SZ), 0);
	r = scan();
	cr_assert_eq(r.hole_bytes, SZ);
	cr_assert_eq(r.first_bad, 0);
	cr_assert_not(pmrd_fiemap_ok(&r));
}

Test(fiemap_scan, fallocate_leaves_unwritten)
{
	struct pmrd_fiemap_report r;

	cr_assert_eq(fallocate(fd, 0, 0, SZ), 0);
	r = scan();
	cr_assert_eq(r.unwritten_bytes, SZ);
	cr_assert_eq(r.hole_bytes, 0);
	cr_assert_not(pmrd_fiemap_ok(&r));
}

Test(fiemap_scan, half_written)
{
	struct pmrd_fiemap_report r;

	cr_assert_eq(fallocate(fd, 0, 0, SZ), 0);
	write_range(0, SZ / 2);
	r = scan();
	cr_assert_eq(r.unwritten_bytes, SZ / 2);
	cr_assert_eq(r.first_bad, SZ / 2);
}

Test(fiemap_scan, hole_in_the_middle)
{
	struct pmrd_fiemap_report r;

	write_range(0, SZ);
	cr_assert_eq(fsync(fd), 0);
	cr_assert_eq(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       SZ / 4, 65536),
		     0);
	r = scan();
	cr_assert_eq(r.hole_bytes, 65536);
	cr_assert_eq(r.first_bad, SZ / 4);
	cr_assert_eq(r.unwritten_bytes, 0);
}

Test(fiemap_scan, written_file_passes)
{
	struct pmrd_fiemap_report r;

	write_range(0, SZ);
	r = scan();
	cr_assert(pmrd_fiemap_ok(&r));
	cr_assert_eq(r.first_bad, SZ);
	cr_assert_geq(r.extents, 1);
}

Test(fiemap_scan, many_extents_across_batches)
{
	struct pmrd_fiemap_report r;

	/* 512 one-page extents, alternating written/unwritten: > 1 batch */
	cr_assert_eq(fallocate(fd, 0, 0, SZ), 0);
	for (off_t off = 0; off < (off_t)SZ; off += 8192)
		write_range(off, 4096);
	r = scan();
	cr_assert_eq(r.unwritten_bytes, SZ / 2);
	cr_assert_eq(r.hole_bytes, 0);
	cr_assert_geq(r.extents, 512);
}
