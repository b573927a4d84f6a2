/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_load.c -- pmrd_conf_load: the shipped example parses cleanly,
 * read errors are reported, and a file goes through the string parser
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf_private.h"
#include "conf_test.h"

#ifndef PMRD_EXAMPLE_CONF
#error "PMRD_EXAMPLE_CONF must name conf/pmrd.conf"
#endif

/* load_file -- pmrd_conf_load into `reports` */
static int load_file(const char *file, struct pmrd_conf **ret)
{
	memset(&reports, 0, sizeof(reports));
	return pmrd_conf_load(file, collect_report, &reports, ret);
}

/* write_temp -- LEN bytes of DATA into a new temporary file, its name */
static char *write_temp(const void *data, size_t len)
{
	char *name = strdup("/tmp/pmrd-conf-test-XXXXXX");
	FILE *f;
	int fd;

	cr_assert_not_null(name);
	fd = mkstemp(name);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return name;
}

Test(conf_load, shipped_example_parses_cleanly)
{
	struct pmrd_conf *c = NULL;
	const struct pmrd_region_conf *r;
	int rc = load_file(PMRD_EXAMPLE_CONF, &c);

	for (unsigned i = 0; i < reports.n; i++)
		cr_log_error("%s:%u: %s", reports.r[i].file, reports.r[i].line,
			     reports.r[i].msg);
	cr_assert_eq(rc, 0);
	cr_assert_eq(reports.n, 0);
	cr_expect_str_eq(c->file, PMRD_EXAMPLE_CONF);
	cr_expect_str_eq(c->listen_host, "10.77.0.1");
	cr_expect_eq(c->listen_port, 7471);
	cr_expect_str_eq(c->admin_socket, PMRD_DEFAULT_ADMIN_SOCKET);
	cr_expect_eq(c->log_level, LOG_INFO);
	cr_expect_eq(c->limits.max_clients, 64);
	cr_expect_eq(c->limits.max_regions_per_client, 16);
	cr_expect_eq(c->limits.max_outstanding, 16);
	cr_assert_eq(c->n_regions, 2);

	r = pmrd_conf_find_region(c, "db0");
	cr_assert_not_null(r);
	cr_expect_str_eq(r->path, "/mnt/pmem/db0");
	cr_expect_eq(r->size, 1ULL << 30);
	cr_expect_eq(r->access, PMRD_ACCESS_RW);
	cr_expect(r->persistent);
	cr_expect_eq(r->pdomain, PMRD_PDOMAIN_AUTO);

	r = pmrd_conf_find_region(c, "log0");
	cr_assert_not_null(r);
	cr_expect_str_eq(r->path, "/dev/dax0.0");
	cr_expect_eq(r->size, 0);
	cr_expect_eq(r->access, PMRD_ACCESS_RO);
	pmrd_conf_free(&c);
}

Test(conf_load, missing_file_is_reported_with_errno)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(load_file("/nonexistent/pmrd.conf", &c), -ENOENT);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 1);
	cr_expect_str_eq(reports.r[0].file, "/nonexistent/pmrd.conf");
	cr_expect_eq(reports.r[0].line, 0);
	cr_expect_str_eq(reports.r[0].msg,
			 "cannot read: No such file or directory");
}

Test(conf_load, directory_is_not_a_file)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(load_file("/", &c), -EISDIR);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_expect_eq(reports.n, 1);
}

Test(conf_load, errors_carry_the_file_name)
{
	static const char text[] = "[pmrd]\nlisten = 10.0.0.1\nsise = 1\n";
	struct pmrd_conf *c = CONF_UNTOUCHED;
	char *name = write_temp(text, sizeof(text) - 1);

	cr_assert_eq(load_file(name, &c), -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 1);
	cr_expect_str_eq(reports.r[0].file, name);
	cr_expect_eq(reports.r[0].line, 3);
	unlink(name);
	free(name);
}

Test(conf_load, nul_byte_is_an_error_on_its_line)
{
	static const char text[] = "[pmrd]\nlisten = 10.0.0.1\n"
				   "[region a]\npath = /p/a\0/b\nsize = 1G\n";
	struct pmrd_conf *c = CONF_UNTOUCHED;
	char *name = write_temp(text, sizeof(text) - 1);

	cr_assert_eq(load_file(name, &c), -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	/* and no "missing required key 'path'" on top */
	cr_assert_eq(reports.n, 1);
	cr_expect_eq(reports.r[0].line, 4);
	cr_expect_str_eq(reports.r[0].msg, "line contains a NUL byte");
	unlink(name);
	free(name);
}

Test(conf_load, oversized_file)
{
	size_t len = PMRD_CONF_FILE_MAX + 1;
	struct pmrd_conf *c = CONF_UNTOUCHED;
	char *text = malloc(len), *name;

	cr_assert_not_null(text);
	memset(text, '\n', len);
	name = write_temp(text, len);
	cr_assert_eq(load_file(name, &c), -EFBIG);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 1);
	cr_expect_eq(reports.r[0].line, 0);
	cr_expect(strstr(reports.r[0].msg, "larger than 1048576 bytes"));
	unlink(name);
	free(name);

	/* exactly the limit is read */
	name = write_temp(text, len - 1);
	cr_assert_eq(load_file(name, &c), -EINVAL); /* no [pmrd]: parsed */
	cr_expect_eq(reports.n, 1);
	cr_expect_eq(reports.r[0].line, 0);
	cr_expect(strstr(reports.r[0].msg, "no [pmrd] section"));
	unlink(name);
	free(name);
	free(text);
}
