/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_generation_faults.c -- the generation store (generation.c) with
 * each of its wrapped file calls failing in turn (common/fault/: open,
 * read, fsync, unlink, ...; linked with --wrap like pmrd's fault
 * injection build): a store that fails never leaves a torn or smaller
 * number behind, a failure before the rename leaves the old one and no
 * temporary file, and a load that fails says so instead of reading 0
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fault_inject.h"
#include "generation.h"

static char dir[] = "/tmp/pmrd-genfi-XXXXXX";

static void setup(void)
{
	strcpy(dir, "/tmp/pmrd-genfi-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char p[512];

	pmr_fault_configure(0);
	snprintf(p, sizeof(p), "%s/r.generation", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/r.generation.tmp", dir);
	unlink(p);
	rmdir(dir);
}

TestSuite(generation_faults, .init = setup, .fini = teardown);

Test(generation_faults, every_failing_call_of_a_store)
{
	unsigned long n, calls, failed = 0;
	char tmp[512];
	uint64_t g;
	int rc;

	pmr_fault_configure(0);
	cr_assert_eq(pmrd_gen_store(dir, "r", 7), 0);
	snprintf(tmp, sizeof(tmp), "%s/r.generation.tmp", dir);
	for (n = 1;; n++) {
		pmr_fault_configure(0);
		cr_assert_eq(pmrd_gen_store(dir, "r", 7), 0);
		pmr_fault_configure(n);
		rc = pmrd_gen_store(dir, "r", 8);
		calls = pmr_fault_calls();
		pmr_fault_configure(0);
		cr_assert_eq(pmrd_gen_load(dir, "r", &g), 0, "n %lu", n);
		if (n > calls) {
			cr_assert_eq(rc, 0);
			cr_assert_eq(g, 8);
			break;
		}
		cr_assert_lt(rc, 0, "call %lu failed, the store did not", n);
		failed++;
		/* before the rename: the old number; after it only the
		 * directory's fsync can fail, and the new one stays */
		cr_assert(g == 7 || g == 8, "n %lu: generation %llu", n,
			  (unsigned long long)g);
		cr_assert_neq(access(tmp, F_OK), 0, "n %lu: %s left", n, tmp);
	}
	/* open and fsync of the file, open and fsync of the directory */
	cr_assert_geq(failed, 4, "only %lu injection points", failed);
}

Test(generation_faults, every_failing_call_of_a_load)
{
	unsigned long n, calls;
	uint64_t g;
	int rc;

	pmr_fault_configure(0);
	cr_assert_eq(pmrd_gen_store(dir, "r", 5), 0);
	for (n = 1;; n++) {
		g = 99;
		pmr_fault_configure(n);
		rc = pmrd_gen_load(dir, "r", &g);
		calls = pmr_fault_calls();
		pmr_fault_configure(0);
		if (n > calls) {
			cr_assert_eq(rc, 0);
			cr_assert_eq(g, 5);
			break;
		}
		/* never a silent 0 (that would reset the token) */
		cr_assert_lt(rc, 0, "n %lu", n);
		cr_assert_eq(g, 99);
	}
	cr_assert_geq(n, 3, "open and read were not both reached");
}
