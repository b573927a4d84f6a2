/* SPDX-License-Identifier: BSD-3-Clause */
/* test_path_normalize.c -- lexical region path normal form, devdax test */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "conf_private.h"

/* norm_ok -- IN normalizes to OUT */
static void norm_ok(const char *in, const char *out)
{
	const char *why = NULL;
	char *got = NULL;

	cr_assert_eq(conf_path_normalize(in, &got, &why), 0, "'%s': %s", in,
		     why);
	cr_expect_str_eq(got, out, "'%s' -> '%s'", in, got);
	free(got);
}

/* norm_bad -- IN is rejected, with a reason containing WHY */
static void norm_bad(const char *in, const char *why_part)
{
	char *got = (char *)"untouched";
	const char *why = NULL;

	cr_expect_eq(conf_path_normalize(in, &got, &why), -EINVAL, "'%s'",
		     in ? in : "NULL");
	cr_expect_str_eq(got, "untouched");
	cr_expect(why && strstr(why, why_part), "'%s': reason '%s'",
		  in ? in : "NULL", why);
}

Test(path_normalize, already_normal)
{
	norm_ok("/mnt/pmem/db0", "/mnt/pmem/db0");
	norm_ok("/dev/dax0.0", "/dev/dax0.0");
	norm_ok("/", "/");
}

Test(path_normalize, slashes_and_dots)
{
	norm_ok("//mnt///pmem//db0", "/mnt/pmem/db0");
	norm_ok("/mnt/./pmem/./db0", "/mnt/pmem/db0");
	norm_ok("/mnt/pmem/db0/", "/mnt/pmem/db0");
	norm_ok("/mnt/pmem/db0/.", "/mnt/pmem/db0");
	norm_ok("/./mnt/pmem/db0//./", "/mnt/pmem/db0");
	norm_ok("///", "/");
	norm_ok("/mnt/.hidden/..x/db0", "/mnt/.hidden/..x/db0");
}

Test(path_normalize, rejects)
{
	norm_bad(NULL, "absolute");
	norm_bad("", "absolute");
	norm_bad("mnt/pmem/db0", "absolute");
	norm_bad("./db0", "absolute");
	norm_bad("/mnt/pmem/../db0", "'..'");
	norm_bad("/mnt/pmem/..", "'..'");
}

Test(path_devdax, prefix)
{
	cr_expect(conf_path_is_devdax("/dev/dax0.0"));
	cr_expect(conf_path_is_devdax("/dev/dax12.3"));
	cr_expect_not(conf_path_is_devdax("/dev/dax"));
	cr_expect_not(conf_path_is_devdax("/dev/pmem0"));
	cr_expect_not(conf_path_is_devdax("/dev/dax0.0/x"));
	cr_expect_not(conf_path_is_devdax("/mnt/dev/dax0.0"));
	cr_expect_not(conf_path_is_devdax(NULL));
}
