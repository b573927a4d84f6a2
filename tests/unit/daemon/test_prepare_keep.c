/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_prepare_keep.c -- a prepared region is never zeroed again: bytes
 * written between two starts survive, also when the immutable flag was left
 * clear (a crash between clearing and setting it)
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "region_open.h"
#include "region_fixture.h"

TestSuite(prepare_keep, .init = t_setup_root, .fini = t_teardown);

/* prepare -- open a fresh region at path, return it open */
static struct pmrd_region *prepare(const char *path)
{
	struct pmrd_region_conf rc = t_conf(path, T_SIZE);
	struct pmrd_region *r = NULL;

	cr_assert_eq(pmrd_region_open(&rc, &r), 0);
	return r;
}

Test(prepare_keep, data_written_through_mapping_survives)
{
	struct pmrd_region *r;
	char path[PATH_MAX];
	uint8_t uuid[16];
	char *pat;

	t_path(path, "r");
	pat = malloc(T_SIZE);
	cr_assert_not_null(pat);
	t_fill(pat, T_SIZE, 7);

	r = prepare(path);
	cr_assert(r->zeroed_now);
	memcpy(uuid, r->uuid, sizeof(uuid));
	memcpy(r->addr, pat, T_SIZE);
	pmrd_region_persist(r, 0, T_SIZE);
	pmrd_region_close(&r);
	cr_assert(t_immutable(path));

	r = prepare(path);
	cr_assert_not(r->zeroed_now);
	cr_assert_eq(memcmp(r->uuid, uuid, sizeof(uuid)), 0);
	cr_assert_eq(memcmp(r->addr, pat, T_SIZE), 0, "data lost");
	pmrd_region_close(&r);
	cr_assert(t_immutable(path));
	free(pat);
}

Test(prepare_keep, flag_left_clear_keeps_data)
{
	struct pmrd_region *r;
	char path[PATH_MAX];
	char pat[4096];
	size_t len;
	char *buf;
	int fd;

	t_path(path, "r");
	r = prepare(path);
	pmrd_region_close(&r);

	/* the restart window: flag cleared, pmrd gone; someone's bytes */
	t_set_immutable(path, false);
	cr_assert_not(t_immutable(path));
	t_fill(pat, sizeof(pat), 3);
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, pat, sizeof(pat), 12345), (ssize_t)sizeof(pat));
	cr_assert_eq(fsync(fd), 0);
	close(fd);

	r = prepare(path);
	cr_assert_not(r->zeroed_now);
	cr_assert_eq(memcmp((char *)r->addr + 12345, pat, sizeof(pat)), 0);
	pmrd_region_close(&r);
	cr_assert(t_immutable(path), "flag not set again");

	buf = t_read_all(path, &len);
	cr_assert_eq(len, T_SIZE);
	cr_assert_eq(memcmp(buf + 12345, pat, sizeof(pat)), 0);
	cr_assert(t_all_zero(buf, 12345));
	cr_assert(t_all_zero(buf + 12345 + sizeof(pat),
			     len - 12345 - sizeof(pat)));
	free(buf);
}

Test(prepare_keep, size_may_be_omitted_once_prepared)
{
	struct pmrd_region_conf rc;
	struct pmrd_region *r;
	char path[PATH_MAX];

	t_path(path, "r");
	r = prepare(path);
	pmrd_region_close(&r);

	rc = t_conf(path, 0);
	cr_assert_eq(pmrd_region_open(&rc, &r), 0);
	cr_assert_eq(r->size, T_SIZE);
	cr_assert_not(r->zeroed_now);
	pmrd_region_close(&r);
}
