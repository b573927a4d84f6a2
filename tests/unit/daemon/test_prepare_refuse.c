/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_prepare_refuse.c -- files pmrd did not create, or whose record does
 * not match, are refused and left exactly as they were
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "pmrd_xattr.h"
#include "region_open.h"
#include "region_fixture.h"

TestSuite(prepare_refuse, .init = t_setup_root, .fini = t_teardown);

struct snapshot {
	struct stat st;
	bool immutable;
	ssize_t xattr_len;
	char xattr[256];
	void *data;
	size_t len;
};

/* snap -- everything about a file pmrd could have changed */
static void snap(const char *path, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	cr_assert_eq(stat(path, &s->st), 0);
	s->immutable = t_immutable(path);
	s->xattr_len =
		getxattr(path, PMRD_XATTR_NAME, s->xattr, sizeof(s->xattr));
	s->data = t_read_all(path, &s->len);
}

/* assert_untouched -- same bytes, size, times, flag and record */
static void assert_untouched(const char *path, struct snapshot *before)
{
	struct snapshot after;

	snap(path, &after);
	cr_assert_eq(after.st.st_ino, before->st.st_ino);
	cr_assert_eq(after.st.st_size, before->st.st_size);
	cr_assert_eq(after.st.st_mode, before->st.st_mode);
	cr_assert_eq(after.st.st_mtim.tv_sec, before->st.st_mtim.tv_sec);
	cr_assert_eq(after.st.st_mtim.tv_nsec, before->st.st_mtim.tv_nsec);
	cr_assert_eq(after.st.st_ctim.tv_nsec, before->st.st_ctim.tv_nsec,
		     "inode changed (flags or xattr)");
	cr_assert_eq(after.immutable, before->immutable);
	cr_assert_eq(after.xattr_len, before->xattr_len);
	if (after.xattr_len > 0)
		cr_assert_eq(memcmp(after.xattr, before->xattr,
				    (size_t)after.xattr_len),
			     0);
	cr_assert_eq(after.len, before->len);
	cr_assert_eq(memcmp(after.data, before->data, after.len), 0);
	free(after.data);
	free(before->data);
}

/* expect_refused -- open fails with err and touches nothing */
static void expect_refused(const char *path, uint64_t size, int err)
{
	struct pmrd_region_conf rc = t_conf(path, size);
	struct pmrd_region *r = NULL;
	struct snapshot before;

	snap(path, &before);
	cr_assert_eq(pmrd_region_open(&rc, &r), err);
	cr_assert_null(r);
	assert_untouched(path, &before);
}

/* make_prepared -- a prepared region holding a pattern at offset 0 */
static void make_prepared(const char *path)
{
	struct pmrd_region_conf rc = t_conf(path, T_SIZE);
	struct pmrd_region *r = NULL;

	cr_assert_eq(pmrd_region_open(&rc, &r), 0);
	t_fill(r->addr, 65536, 9);
	pmrd_region_persist(r, 0, 65536);
	pmrd_region_close(&r);
}

Test(prepare_refuse, foreign_non_empty_file)
{
	char path[PATH_MAX], data[10000];

	t_path(path, "foreign");
	t_fill(data, sizeof(data), 1);
	t_write_file(path, data, sizeof(data));
	expect_refused(path, T_SIZE, -EEXIST);
	cr_assert_not(t_has_xattr(path));
}

Test(prepare_refuse, foreign_file_of_the_right_size)
{
	char path[PATH_MAX];
	char *data = calloc(1, T_SIZE);

	/* even all zeros and the configured size: not ours, not touched */
	t_path(path, "foreign");
	t_write_file(path, data, T_SIZE);
	free(data);
	expect_refused(path, T_SIZE, -EEXIST);
}

Test(prepare_refuse, wrong_size_in_config)
{
	char path[PATH_MAX];

	t_path(path, "r");
	make_prepared(path);
	expect_refused(path, 2 * T_SIZE, -EINVAL);
	expect_refused(path, T_SIZE / 2, -EINVAL);
}

Test(prepare_refuse, file_size_changed_behind_our_back)
{
	char path[PATH_MAX];

	t_path(path, "r");
	make_prepared(path);
	t_set_immutable(path, false);
	cr_assert_eq(truncate(path, T_SIZE * 2), 0);
	expect_refused(path, T_SIZE, -EINVAL);
}

Test(prepare_refuse, foreign_or_damaged_record)
{
	char path[PATH_MAX];
	char junk[48] = "NOTPMRD!";

	/* another program's attribute with our name, on an empty file */
	t_path(path, "r");
	t_write_file(path, "", 0);
	cr_assert_eq(setxattr(path, PMRD_XATTR_NAME, junk, sizeof(junk), 0), 0);
	expect_refused(path, T_SIZE, -EBADMSG);
}

Test(prepare_refuse, empty_immutable_file_without_record)
{
	char path[PATH_MAX];

	t_path(path, "r");
	t_write_file(path, "", 0);
	t_set_immutable(path, true);
	expect_refused(path, T_SIZE, -EEXIST);
}
