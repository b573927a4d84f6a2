/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zero_pwrite.c -- pmrd_zero_pwrite writes zeros over every byte of
 * [0, size), across its 64 MiB calls and with a short last iovec, leaves
 * the size alone, and reports a failed write as -errno
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "region_fixture.h"
#include "zero.h"

TestSuite(zero_pwrite, .init = t_setup, .fini = t_teardown);

/* dirty_zero -- a file of size bytes of a pattern, zeroed; all zero? */
static void dirty_zero(uint64_t size)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len;
	void *buf;
	int fd;

	t_path(path, "z");
	buf = malloc(size);
	cr_assert_not_null(buf);
	t_fill(buf, size, 7);
	t_write_file(path, buf, size);
	free(buf);

	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pmrd_zero_pwrite("z", path, fd, size), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq((uint64_t)st.st_size, size);
	close(fd);

	buf = t_read_all(path, &len);
	cr_assert_eq(len, size);
	cr_assert(t_all_zero(buf, len));
	free(buf);
	unlink(path);
}

Test(zero_pwrite, one_page)
{
	dirty_zero(4096);
}

/* two calls, the second of one whole and one 4 KiB iovec */
Test(zero_pwrite, past_a_call_short_iovec)
{
	dirty_zero((64UL << 20) + (68UL << 10));
}

Test(zero_pwrite, read_only_fd_fails)
{
	char path[PATH_MAX];
	int fd;

	t_path(path, "ro");
	t_write_file(path, "x", 1);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pmrd_zero_pwrite("ro", path, fd, 4096), -EBADF);
	close(fd);
}
