/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_devdax_sysfs_size.c -- a devdax size comes from /sys/dev/char/M:m
 * or /sys/bus/dax/devices/NAME, and junk there is an error (fake sysfs)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devdax.h"

static char root[PATH_MAX];

/* put -- write text to root/rel, creating directories */
static void put(const char *rel, const char *text)
{
	char p[PATH_MAX + 64], cmd[2 * PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* setup -- an empty fake sysfs */
static void setup(void)
{
	snprintf(root, sizeof(root), "%s/sysfs.XXXXXX", PMRD_TEST_TMPDIR);
	mkdir(PMRD_TEST_TMPDIR, 0700);
	cr_assert_not_null(mkdtemp(root));
}

/* teardown -- remove it */
static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(devdax_sysfs_size, .init = setup, .fini = teardown);

Test(devdax_sysfs_size, dev_char_first)
{
	uint64_t size = 0;

	put("dev/char/251:3/size", "4294967296\n");
	put("bus/dax/devices/dax0.0/size", "1\n");
	cr_assert_eq(pmrd_devdax_size(root, "/dev/dax0.0", makedev(251, 3),
				      &size),
		     0);
	cr_assert_eq(size, 4294967296ULL);
}

Test(devdax_sysfs_size, bus_dax_fallback)
{
	uint64_t size = 0;

	put("bus/dax/devices/dax1.2/size", "2097152\n");
	cr_assert_eq(pmrd_devdax_size(root, "/dev/dax1.2", makedev(250, 0),
				      &size),
		     0);
	cr_assert_eq(size, 2097152);
}

Test(devdax_sysfs_size, missing_and_junk)
{
	uint64_t size = 42;

	cr_assert_eq(pmrd_devdax_size(root, "/dev/dax9.9", makedev(1, 2),
				      &size),
		     -ENOENT);
	put("dev/char/1:2/size", "lots\n");
	cr_assert_eq(pmrd_devdax_size(root, "/dev/dax9.9", makedev(1, 2),
				      &size),
		     -EINVAL);
	put("dev/char/1:2/size", "12x\n");
	cr_assert_eq(pmrd_devdax_size(root, "/dev/dax9.9", makedev(1, 2),
				      &size),
		     -EINVAL);
	cr_assert_eq(size, 42);
}
