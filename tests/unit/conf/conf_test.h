/* SPDX-License-Identifier: BSD-3-Clause */
/* conf_test.h -- shared helpers of the conf/ unit tests: collect reports */
#ifndef PMRD_TEST_CONF_TEST_H
#define PMRD_TEST_CONF_TEST_H

#include <stddef.h>

#include "pmrd_conf.h"

#define REPORTS_MAX 64

struct report {
	char file[128];
	unsigned line;
	char msg[512];
};

struct report_log {
	unsigned n;
	struct report r[REPORTS_MAX];
};

/* every report of the last parse_text() / load_file() */
extern struct report_log reports;

/* a minimal [pmrd] section (lines 1-2): a setting the tests add is line 3 */
#define PMRD_HEAD "[pmrd]\nlisten = 10.0.0.1\n"

/* a value *ret must still hold after a failed parse */
#define CONF_UNTOUCHED ((struct pmrd_conf *)0x5eed)

/* collect_report -- a pmrd_conf_report_fn appending to a struct report_log */
void collect_report(void *arg, const char *file, unsigned line,
		    const char *msg);

/* parse_text -- pmrd_conf_parse_string(TEXT, "test.conf") into reports */
int parse_text(const char *text, struct pmrd_conf **ret);

/*
 * expect_error -- TEXT fails with exactly one report, at LINE, whose
 * message contains FRAGMENT; the out-parameter stays untouched.
 */
void expect_error(const char *text, unsigned line, const char *fragment);

/* expect_report -- report I is at LINE and contains FRAGMENT */
void expect_report(unsigned i, unsigned line, const char *fragment);

/* parse_ok -- TEXT parses without a single report; the conf is returned */
struct pmrd_conf *parse_ok(const char *text);

/* parse_after_head -- PMRD_HEAD plus LINES must parse; the conf */
struct pmrd_conf *parse_after_head(const char *lines);

/*
 * expect_head_line_error -- PMRD_HEAD plus the one line LINE fails with
 * exactly one report, at line 3, containing FRAGMENT
 */
void expect_head_line_error(const char *line, const char *fragment);

#endif
