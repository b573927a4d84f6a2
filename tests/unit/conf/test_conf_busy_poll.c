/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_busy_poll.c -- busy_poll_us in [pmrd]: the default, the range
 * ends, and file:line errors for bad values
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "conf_test.h"

#define HEAD "[pmrd]\nlisten = 10.0.0.1\n" /* lines 1-2 */

/* parse_busy -- HEAD plus LINES must parse; the conf */
static struct pmrd_conf *parse_busy(const char *lines)
{
	char text[256];
	struct pmrd_conf *c = NULL;

	snprintf(text, sizeof(text), HEAD "%s", lines);
	cr_assert_eq(parse_text(text, &c), 0, "%s: %s", lines,
		     reports.n ? reports.r[0].msg : "");
	return c;
}

Test(conf_busy_poll, default_50)
{
	struct pmrd_conf *c = parse_busy("");

	cr_expect_eq(c->limits.busy_poll_us, 50);
	pmrd_conf_free(&c);
}

Test(conf_busy_poll, range_ends)
{
	struct pmrd_conf *c = parse_busy("busy_poll_us = 0\n");

	cr_expect_eq(c->limits.busy_poll_us, 0);
	pmrd_conf_free(&c);
	c = parse_busy("busy_poll_us = 10000\n");
	cr_expect_eq(c->limits.busy_poll_us, 10000);
	pmrd_conf_free(&c);
}

Test(conf_busy_poll, bad_values)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "busy_poll_us = 10001",
		  "bad busy_poll_us '10001': expected microseconds 0..10000" },
		{ "busy_poll_us = -1", "bad busy_poll_us '-1'" },
		{ "busy_poll_us = 50us", "bad busy_poll_us '50us'" },
		{ "busy_poll_us = 0x10", "bad busy_poll_us '0x10'" },
		{ "busy_poll_us =", "busy_poll_us" },
		{ "busy_poll_us = 99999999999999999999",
		  "expected microseconds 0..10000" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), HEAD "%s\n", cases[i].line);
		expect_error(text, 3, cases[i].msg);
	}
}

Test(conf_busy_poll, twice)
{
	expect_error(HEAD "busy_poll_us = 10\nbusy_poll_us = 20\n", 4,
		     "busy_poll_us");
}
