/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_prepare_fresh.c -- a new region file comes out the right size,
 * zeroed, fully written (FIEMAP and filefrag), recorded "prepared" and
 * immutable (ioctl and lsattr); refusals of non-DAX persistent files
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "fiemap.h"
#include "pmrd_xattr.h"
#include "region_open.h"
#include "region_fixture.h"

TestSuite(prepare_fresh, .init = t_setup_root, .fini = t_teardown);

/* open_close -- prepare path at size, check the region, close it */
static void open_close(const char *path, uint64_t size)
{
	struct pmrd_region_conf rc = t_conf(path, size);
	struct pmrd_region *r = NULL;

	cr_assert_eq(pmrd_region_open(&rc, &r), 0);
	cr_assert_not_null(r);
	cr_assert_eq(r->kind, PMRD_REGION_TESTING);
	cr_assert_eq(r->size, size);
	cr_assert(r->zeroed_now);
	cr_assert_eq(r->granularity, PMEM2_GRANULARITY_PAGE);
	cr_assert(t_all_zero(r->addr, r->size));
	/* the mapping is writable while open (TESTING is sealed at close) */
	memset(r->addr, 0x5a, 4096);
	pmrd_region_persist(r, 0, 4096);
	memset(r->addr, 0, 4096);
	pmrd_region_persist(r, 0, 4096);
	pmrd_region_close(&r);
	cr_assert_null(r);
}

Test(prepare_fresh, size_zeros_state_flag_extents)
{
	struct pmrd_fiemap_report rep;
	char path[PATH_MAX];
	struct pmrd_xattr x;
	struct stat st;
	size_t len;
	void *buf;
	int fd;

	t_path(path, "r");
	open_close(path, T_SIZE);

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq((uint64_t)st.st_size, T_SIZE);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert(t_immutable(path));

	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pmrd_xattr_read(fd, &x), 0);
	cr_assert_eq(x.state, PMRD_PREP_PREPARED);
	cr_assert_eq(x.size, T_SIZE);
	cr_assert_eq(pmrd_fiemap_scan(fd, T_SIZE, &rep), 0);
	cr_assert(pmrd_fiemap_ok(&rep), "holes %llu unwritten %llu other %llu",
		  (unsigned long long)rep.hole_bytes,
		  (unsigned long long)rep.unwritten_bytes,
		  (unsigned long long)rep.other_bytes);
	cr_assert_gt(rep.extents, 0);
	close(fd);

	buf = t_read_all(path, &len);
	cr_assert_eq(len, T_SIZE);
	cr_assert(t_all_zero(buf, len));
	free(buf);
}

Test(prepare_fresh, lsattr_and_filefrag_agree)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64], line[1024], attrs[128];
	bool saw_extent = false, saw_summary = false;
	FILE *f;

	t_path(path, "r");
	open_close(path, T_SIZE);

	/* lsattr prints "----i---------e------- PATH" */
	snprintf(cmd, sizeof(cmd), "lsattr '%s'", path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	cr_assert_eq(pclose(f), 0);
	cr_assert_eq(sscanf(line, "%127s", attrs), 1);
	cr_assert_not_null(strchr(attrs, 'i'), "lsattr: %s", line);

	/* filefrag -v: extent rows end in flags; none may say unwritten */
	snprintf(cmd, sizeof(cmd), "filefrag -v '%s'", path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned ext;

		if (sscanf(line, " %u:", &ext) == 1) {
			saw_extent = true;
			cr_assert_null(strstr(line, "unwritten"), "%s", line);
		}
		if (strstr(line, "extent") && strstr(line, "found"))
			saw_summary = true;
	}
	cr_assert_eq(pclose(f), 0);
	cr_assert(saw_extent && saw_summary, "filefrag output not understood");
}

Test(prepare_fresh, existing_empty_file_is_used)
{
	char path[PATH_MAX];

	t_path(path, "r");
	t_write_file(path, "", 0);
	open_close(path, T_SIZE);
	cr_assert(t_immutable(path));
	cr_assert(t_has_xattr(path));
}

Test(prepare_fresh, non_dax_refused_without_testing_mode)
{
	struct pmrd_region *r = NULL;
	char path[PATH_MAX];
	struct pmrd_region_conf rc;

	t_path(path, "r");
	rc = t_conf(path, T_SIZE);
	rc.persistent = true;
	cr_assert_eq(pmrd_region_open(&rc, &r), -EOPNOTSUPP);
	cr_assert_null(r);
	cr_assert_eq(access(path, F_OK), -1, "refused file left behind");
}

Test(prepare_fresh, bad_sizes_refused_before_creating)
{
	struct pmrd_region *r = NULL;
	char path[PATH_MAX];
	struct pmrd_region_conf rc;

	t_path(path, "r");
	rc = t_conf(path, 0);
	cr_assert_eq(pmrd_region_open(&rc, &r), -EINVAL);
	rc = t_conf(path, T_SIZE + 1);
	cr_assert_eq(pmrd_region_open(&rc, &r), -EINVAL);
	cr_assert_null(r);
	cr_assert_eq(access(path, F_OK), -1);
}

/*
 * tmpfs has no FIEMAP: a region there (where testing regions go on Linux
 * >= 6.5, doc/PLATFORM_NOTES.md) is prepared, then kept, with its
 * allocation checked through st_blocks instead
 */
Test(prepare_fresh, tmpfs_without_fiemap)
{
	char dir[] = "/dev/shm/pmrd-test.XXXXXX", path[PATH_MAX];
	struct pmrd_region_conf rc;
	struct pmrd_region *r = NULL;
	struct statfs sf;

	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC)
		cr_skip_test("/dev/shm is not a tmpfs");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r", dir);
	rc = t_conf(path, T_SIZE);

	cr_expect_eq(pmrd_region_open(&rc, &r), 0);
	if (r) {
		cr_expect(r->zeroed_now);
		pmrd_region_close(&r);
		cr_expect_eq(pmrd_region_open(&rc, &r), 0);
		cr_expect(r && !r->zeroed_now);
		pmrd_region_close(&r);
	}
	t_set_immutable(path, false);
	unlink(path);
	rmdir(dir);
}
