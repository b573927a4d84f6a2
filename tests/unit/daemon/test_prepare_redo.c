/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_prepare_redo.c -- a file left "preparing" (pmrd stopped mid-way) is
 * prepared again from the start: zeroed, right size, new uuid, sealed
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pmrd_xattr.h"
#include "region_open.h"
#include "region_fixture.h"

TestSuite(prepare_redo, .init = t_setup_root, .fini = t_teardown);

/* make_preparing -- a half-done file: junk data, record "preparing" */
static void make_preparing(const char *path, size_t len, uint64_t rec_size)
{
	struct pmrd_xattr x = { .state = PMRD_PREP_PREPARING,
				.size = rec_size };
	char *junk = malloc(len + 1);
	int fd;

	cr_assert_not_null(junk);
	t_fill(junk, len, 5);
	memset(x.uuid, 0xab, sizeof(x.uuid));
	t_write_file(path, junk, len);
	free(junk);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pmrd_xattr_write(fd, &x), 0);
	close(fd);
}

/* expect_redone -- opening zeroes and seals the file at T_SIZE */
static void expect_redone(const char *path)
{
	struct pmrd_region_conf rc = t_conf(path, T_SIZE);
	struct pmrd_region *r = NULL;
	struct pmrd_xattr x;
	uint8_t old_uuid[16];
	size_t len;
	void *buf;
	int fd;

	cr_assert_eq(pmrd_region_open(&rc, &r), 0);
	cr_assert(r->zeroed_now);
	cr_assert_eq(r->size, T_SIZE);
	pmrd_region_close(&r);

	cr_assert(t_immutable(path));
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pmrd_xattr_read(fd, &x), 0);
	close(fd);
	cr_assert_eq(x.state, PMRD_PREP_PREPARED);
	cr_assert_eq(x.size, T_SIZE);
	memset(old_uuid, 0xab, sizeof(old_uuid));
	cr_assert_neq(memcmp(x.uuid, old_uuid, sizeof(old_uuid)), 0,
		      "uuid not renewed");
	buf = t_read_all(path, &len);
	cr_assert_eq(len, T_SIZE);
	cr_assert(t_all_zero(buf, len), "junk survived a redo");
	free(buf);
}

Test(prepare_redo, partial_file_is_zeroed_again)
{
	char path[PATH_MAX];

	t_path(path, "r");
	make_preparing(path, T_SIZE / 2, T_SIZE);
	expect_redone(path);
}

Test(prepare_redo, full_size_junk_is_zeroed_again)
{
	char path[PATH_MAX];

	t_path(path, "r");
	make_preparing(path, T_SIZE, T_SIZE);
	expect_redone(path);
}

Test(prepare_redo, other_size_and_stray_flag)
{
	char path[PATH_MAX];

	/* config changed since the crash, and someone chattr'ed it */
	t_path(path, "r");
	make_preparing(path, T_SIZE * 2, T_SIZE * 2);
	t_set_immutable(path, true);
	expect_redone(path);
}
