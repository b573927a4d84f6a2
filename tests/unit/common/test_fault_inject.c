/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fault_inject.c -- common/fault/: the N-th wrapped call fails with
 * the wrapper's errno, the others reach the real function, every call
 * counts, PMR_FAULT_N and PMR_FAULT_REPORT work (linked with --wrap for
 * the alloc and file groups, as pmrd and libpmr are in the
 * PMRD_FAULT_INJECTION build; Criterion runs each test in its own process)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"

/* one_malloc -- a malloc the compiler cannot elide; true when it worked */
static bool one_malloc(void)
{
	void *volatile p = malloc(64);
	bool ok = p != NULL;

	free(p);
	return ok;
}

Test(fault_inject, nth_malloc_fails_others_work)
{
	pmr_fault_configure(3);
	cr_assert(one_malloc());
	cr_assert(one_malloc());
	errno = 0;
	cr_assert_not(one_malloc());
	cr_assert_eq(errno, ENOMEM);
	cr_assert(one_malloc());
	cr_assert_eq(pmr_fault_calls(), 4);
}

Test(fault_inject, zero_injects_nothing_but_counts)
{
	pmr_fault_configure(0);
	for (int i = 0; i < 10; i++)
		cr_assert(one_malloc());
	cr_assert_eq(pmr_fault_calls(), 10);
}

Test(fault_inject, count_spans_groups_in_call_order)
{
	void *volatile p = NULL;
	int fd;

	pmr_fault_configure(2);
	cr_assert(one_malloc()); /* 1 */
	errno = 0;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* 2: fails */
	cr_assert_eq(fd, -1);
	cr_assert_eq(errno, EMFILE);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* 3 */
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(posix_memalign((void **)&p, 64, 64), 0); /* 4 */
	free(p);
	cr_assert_eq(pmr_fault_calls(), 4);
}

Test(fault_inject, posix_memalign_leaves_ret_untouched)
{
	void *p = (void *)0x1;

	pmr_fault_configure(1);
	cr_assert_eq(posix_memalign(&p, 64, 64), ENOMEM);
	cr_assert_eq(p, (void *)0x1);
}

Test(fault_inject, open_with_o_creat_passes_the_mode)
{
	char path[] = "/tmp/pmr-fault-XXXXXX";
	int fd = mkstemp(path); /* not wrapped: libc's own */
	struct stat st;

	cr_assert_geq(fd, 0);
	close(fd);
	unlink(path); /* 1 */
	pmr_fault_configure(0);
	umask(022);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640);
	close(fd);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(pmr_fault_calls(), 3);
}

Test(fault_inject, env_picks_the_call_and_the_report_names_it)
{
	char path[] = "/tmp/pmr-fault-report-XXXXXX";
	char line[512], all[2048] = "";
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	close(fd);
	setenv("PMR_FAULT_N", "2", 1);
	setenv("PMR_FAULT_REPORT", path, 1);
	/* no pmr_fault_configure: the first wrapped call reads the env */
	cr_assert(one_malloc());
	errno = 0;
	cr_assert_not(one_malloc());
	cr_assert_eq(errno, ENOMEM);
	cr_assert(one_malloc());

	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(f);
	remove(path);
	cr_assert_not_null(strstr(all, "injected calls=2 n=2 fn=malloc at="),
			   "report: %s", all);
}

Test(fault_inject, bad_env_value_injects_nothing)
{
	setenv("PMR_FAULT_N", "2x", 1);
	for (int i = 0; i < 5; i++)
		cr_assert(one_malloc());
	cr_assert_eq(pmr_fault_calls(), 5);
}

Test(fault_inject, trace_lists_every_call_with_its_number)
{
	char path[] = "/tmp/pmr-fault-trace-XXXXXX";
	char line[512], all[4096] = "";
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	close(fd);
	setenv("PMR_FAULT_TRACE", "1", 1);
	setenv("PMR_FAULT_REPORT", path, 1);
	cr_assert(one_malloc());
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	close(fd);

	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(f);
	remove(path);
	cr_assert_not_null(strstr(all, " call calls=1 n=0 fn=malloc at="),
			   "trace: %s", all);
	cr_assert_not_null(strstr(all, " call calls=2 n=0 fn=open at="),
			   "trace: %s", all);
}
