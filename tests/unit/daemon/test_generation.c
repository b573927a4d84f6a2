/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_generation.c -- the persistent generation store (generation.c) in
 * a temporary directory: missing is 0, it grows and is read back by a
 * fresh load (a restart), no temporary file is left, a corrupt file is
 * refused and never reset, and a store that cannot be done leaves the
 * old number intact
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "generation.h"

static char dir[] = "/tmp/pmrd-gen-XXXXXX";

/* path_of -- DIR/NAME into BUF */
static const char *path_of(const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", dir, name);
	return buf;
}

/* put -- TEXT as the file of region "r" */
static void put(const char *text)
{
	char p[512];
	FILE *f = fopen(path_of("r.generation", p, sizeof(p)), "w");

	cr_assert_not_null(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/pmrd-gen-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char p[512];

	unlink(path_of("r.generation", p, sizeof(p)));
	unlink(path_of("r.generation.tmp", p, sizeof(p)));
	rmdir(dir);
}

TestSuite(generation, .init = setup, .fini = teardown);

Test(generation, missing_is_zero)
{
	uint64_t g = 99;

	cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, 0);
}

Test(generation, grows_and_survives_a_reload)
{
	char p[512];
	uint64_t g;

	for (uint64_t want = 1; want <= 5; want++) {
		cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
		cr_assert_eq(g, want - 1);
		cr_assert_eq(pmrd_gen_store(dir, "r", want), 0);
	}
	cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, 5);
	cr_assert_eq(pmrd_gen_store(dir, "r", UINT64_MAX), 0);
	cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, UINT64_MAX);
	cr_assert_neq(access(path_of("r.generation.tmp", p, sizeof(p)), F_OK),
		      0, "temporary file left behind");
}

Test(generation, file_format_is_decimal_and_newline)
{
	char p[512], text[64] = { 0 };
	FILE *f;

	cr_assert_eq(pmrd_gen_store(dir, "r", 1234), 0);
	f = fopen(path_of("r.generation", p, sizeof(p)), "r");
	cr_assert_not_null(f);
	cr_assert_eq(fread(text, 1, sizeof(text) - 1, f), 5);
	fclose(f);
	cr_assert_str_eq(text, "1234\n");
	cr_assert_str_eq(pmrd_gen_path("/d", "x", p, sizeof(p)),
			 "/d/x.generation");
	cr_assert_null(pmrd_gen_path("/d", "x", p, 4));
}

Test(generation, corrupt_files_are_refused_not_reset)
{
	static const char *const bad[] = {
		"",
		"\n",
		"12",
		"012\n",
		"-1\n",
		"1 \n",
		"0x10\n",
		"seven\n",
		"1\n2\n",
		"18446744073709551616\n", /* 2^64 */
		"99999999999999999999999999\n",
	};
	uint64_t g = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(bad[i]);
		cr_assert_eq(pmrd_gen_load(dir, "r", &g), -EBADMSG, "'%s'",
			     bad[i]);
		cr_assert_eq(g, 42, "out-parameter written on failure");
	}
	put("0\n");
	cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, 0);
}

Test(generation, failed_store_keeps_the_old_number)
{
	char missing[600];
	uint64_t g;

	cr_assert_eq(pmrd_gen_store(dir, "r", 7), 0);
	snprintf(missing, sizeof(missing), "%s/no/such/dir", dir);
	cr_assert_eq(pmrd_gen_store(missing, "r", 8), -ENOENT);
	cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, 7);
}

Test(generation, unreadable_is_an_error_not_zero)
{
	char p[512];
	uint64_t g = 5;

	/* a directory where the file should be: open works, read fails */
	cr_assert_eq(mkdir(path_of("r.generation", p, sizeof(p)), 0700), 0);
	cr_assert_lt(pmrd_gen_load(dir, "r", &g), 0);
	cr_assert_eq(g, 5);
	/* and a store cannot rename over it: the directory stays */
	cr_assert_lt(pmrd_gen_store(dir, "r", 1), 0);
	rmdir(p);
}
