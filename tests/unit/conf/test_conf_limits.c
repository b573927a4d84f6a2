/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_limits.c -- the global limits of [pmrd]: max_handles, max_msg,
 * max_client_memory, and busy_poll_us (defaults, accepted values,
 * file:line errors)
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "conf_test.h"

Test(conf_limits, defaults)
{
	struct pmrd_conf *c = parse_after_head("");

	cr_expect_eq(c->limits.max_handles, 1024);
	cr_expect_eq(c->limits.max_msg, 4096);
	cr_expect_eq(c->limits.max_client_memory, 64ull << 20);
	cr_expect_eq(c->limits.busy_poll_us, 1000);
	pmrd_conf_free(&c);
}

Test(conf_limits, accepted)
{
	struct pmrd_conf *c = parse_after_head("max_handles = 3\n"
					       "max_msg = 256\n"
					       "max_client_memory = 256K\n");

	cr_expect_eq(c->limits.max_handles, 3);
	cr_expect_eq(c->limits.max_msg, 256);
	cr_expect_eq(c->limits.max_client_memory, 256ull << 10);
	pmrd_conf_free(&c);

	c = parse_after_head("max_handles = 1048576\n"
			     "max_msg = 4K\n"
			     "max_client_memory = 16G\n");
	cr_expect_eq(c->limits.max_handles, 1u << 20);
	cr_expect_eq(c->limits.max_msg, 4096);
	cr_expect_eq(c->limits.max_client_memory, 16ull << 30);
	pmrd_conf_free(&c);
}

Test(conf_limits, bad_values)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "max_handles = 0",
		  "bad max_handles '0': expected an integer 1..1048576" },
		{ "max_handles = 1048577", "bad max_handles '1048577'" },
		{ "max_msg = 255",
		  "bad max_msg '255': expected 256..4096 bytes" },
		{ "max_msg = 8K",
		  "bad max_msg '8K': expected 256..4096 bytes" },
		{ "max_msg = 0", "bad max_msg '0': must not be zero" },
		{ "max_msg = big", "bad max_msg 'big'" },
		{ "max_client_memory = 8K",
		  "bad max_client_memory '8K': expected 16K..16G" },
		{ "max_client_memory = 17G", "expected 16K..16G" },
		{ "max_client_memory = 1X", "bad max_client_memory '1X'" },
		{ "max_client_memory = 64M # x",
		  "(inline comments start with ';', not '#')" },
		{ "busy_poll_us = 10001",
		  "bad busy_poll_us '10001': expected microseconds 0..10000" },
		{ "busy_poll_us = -1", "bad busy_poll_us '-1'" },
		{ "busy_poll_us = 50us", "bad busy_poll_us '50us'" },
		{ "busy_poll_us = 0x10", "bad busy_poll_us '0x10'" },
		{ "busy_poll_us =",
		  "empty value for 'busy_poll_us' in [pmrd]" },
		{ "busy_poll_us = 99999999999999999999",
		  "expected microseconds 0..10000" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_head_line_error(cases[i].line, cases[i].msg);
}

Test(conf_limits, duplicate_is_an_error)
{
	expect_error(PMRD_HEAD "max_msg = 512\nmax_msg = 1024\n", 4,
		     "duplicate key 'max_msg' in [pmrd] (first at line 3)");
}

Test(conf_limits, busy_poll_range)
{
	struct pmrd_conf *c = parse_after_head("busy_poll_us = 0\n");

	cr_expect_eq(c->limits.busy_poll_us, 0);
	pmrd_conf_free(&c);
	c = parse_after_head("busy_poll_us = 10000\n");
	cr_expect_eq(c->limits.busy_poll_us, 10000);
	pmrd_conf_free(&c);
}

Test(conf_limits, busy_poll_twice)
{
	expect_error(
		PMRD_HEAD "busy_poll_us = 10\nbusy_poll_us = 20\n", 4,
		"duplicate key 'busy_poll_us' in [pmrd] (first at line 3)");
}
