/* SPDX-License-Identifier: BSD-3-Clause */
/* conf_test.c -- shared helpers of the conf/ unit tests */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_test.h"

struct report_log reports;

/* collect_report -- append one report to the log ARG */
void collect_report(void *arg, const char *file, unsigned line, const char *msg)
{
	struct report_log *log = arg;

	cr_assert_lt(log->n, REPORTS_MAX, "too many reports");
	snprintf(log->r[log->n].file, sizeof(log->r[0].file), "%s", file);
	log->r[log->n].line = line;
	snprintf(log->r[log->n].msg, sizeof(log->r[0].msg), "%s", msg);
	log->n++;
}

/* parse_text -- parse TEXT named "test.conf", reports into `reports` */
int parse_text(const char *text, struct pmrd_conf **ret)
{
	memset(&reports, 0, sizeof(reports));
	return pmrd_conf_parse_string(text, "test.conf", collect_report,
				      &reports, ret);
}

/* expect_report -- report I is at LINE and contains FRAGMENT */
void expect_report(unsigned i, unsigned line, const char *fragment)
{
	cr_assert_lt(i, reports.n, "report %u missing (have %u)", i, reports.n);
	cr_expect_str_eq(reports.r[i].file, "test.conf");
	cr_expect_eq(reports.r[i].line, line, "report %u: line %u, not %u: %s",
		     i, reports.r[i].line, line, reports.r[i].msg);
	cr_expect(strstr(reports.r[i].msg, fragment),
		  "report %u: '%s' lacks '%s'", i, reports.r[i].msg, fragment);
}

/* expect_error -- exactly one report, at LINE, containing FRAGMENT */
void expect_error(const char *text, unsigned line, const char *fragment)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(parse_text(text, &c), -EINVAL);
	cr_assert_eq(c, CONF_UNTOUCHED);
	for (unsigned i = 0; i < reports.n; i++)
		cr_log_info("%s:%u: %s", reports.r[i].file, reports.r[i].line,
			    reports.r[i].msg);
	cr_assert_eq(reports.n, 1, "%u reports, expected 1", reports.n);
	expect_report(0, line, fragment);
}

/* parse_ok -- parse TEXT, which must be clean */
struct pmrd_conf *parse_ok(const char *text)
{
	struct pmrd_conf *c = NULL;
	int rc = parse_text(text, &c);

	for (unsigned i = 0; i < reports.n; i++)
		cr_log_error("%s:%u: %s", reports.r[i].file, reports.r[i].line,
			     reports.r[i].msg);
	cr_assert_eq(rc, 0, "parse failed: %d", rc);
	cr_assert_eq(reports.n, 0);
	cr_assert_not_null(c);
	return c;
}

/* parse_after_head -- see conf_test.h */
struct pmrd_conf *parse_after_head(const char *lines)
{
	char text[512];
	struct pmrd_conf *c = NULL;

	snprintf(text, sizeof(text), PMRD_HEAD "%s", lines);
	cr_assert_eq(parse_text(text, &c), 0, "%s: %s", lines,
		     reports.n ? reports.r[0].msg : "");
	return c;
}

/* expect_head_line_error -- see conf_test.h */
void expect_head_line_error(const char *line, const char *fragment)
{
	char text[256];

	snprintf(text, sizeof(text), PMRD_HEAD "%s\n", line);
	expect_error(text, 3, fragment);
}
