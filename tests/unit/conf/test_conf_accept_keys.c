/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_accept_keys.c -- [pmrd]'s accept_timeout_ms and keys:
 * defaults, every accepted value, and file:line errors for bad ones
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "conf_test.h"

Test(conf_accept_keys, defaults)
{
	struct pmrd_conf *c = parse_after_head("");

	cr_expect_eq(c->limits.accept_timeout_ms, 5000);
	cr_expect_eq(c->keys, PMRD_CONF_KEYS_AUTO);
	pmrd_conf_free(&c);
}

Test(conf_accept_keys, accept_timeout_range)
{
	struct pmrd_conf *c = parse_after_head("accept_timeout_ms = 100\n");

	cr_expect_eq(c->limits.accept_timeout_ms, 100);
	pmrd_conf_free(&c);
	c = parse_after_head("accept_timeout_ms = 600000\n");
	cr_expect_eq(c->limits.accept_timeout_ms, 600000);
	pmrd_conf_free(&c);
}

Test(conf_accept_keys, keys_values)
{
	static const struct {
		const char *v;
		enum pmrd_conf_keys k;
	} cases[] = {
		{ "auto", PMRD_CONF_KEYS_AUTO },
		{ "mw2", PMRD_CONF_KEYS_MW2 },
		{ "mr-per-client", PMRD_CONF_KEYS_MR_PER_CLIENT },
		{ "shared-mr", PMRD_CONF_KEYS_SHARED_MR },
	};
	char line[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pmrd_conf *c;

		snprintf(line, sizeof(line), "keys = %s\n", cases[i].v);
		c = parse_after_head(line);
		cr_expect_eq(c->keys, cases[i].k, "%s", cases[i].v);
		pmrd_conf_free(&c);
	}
}

Test(conf_accept_keys, bad_values)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "accept_timeout_ms = 99",
		  "bad accept_timeout_ms '99': expected milliseconds 100..600000" },
		{ "accept_timeout_ms = 600001",
		  "expected milliseconds 100..600000" },
		{ "accept_timeout_ms = 0", "bad accept_timeout_ms '0'" },
		{ "accept_timeout_ms = 5s", "bad accept_timeout_ms '5s'" },
		{ "accept_timeout_ms = -1", "bad accept_timeout_ms '-1'" },
		{ "accept_timeout_ms =",
		  "empty value for 'accept_timeout_ms' in [pmrd]" },
		{ "keys = MW2",
		  "bad keys 'MW2': expected auto, mw2, mr-per-client or shared-mr" },
		{ "keys = mw", "bad keys 'mw'" },
		{ "keys = mw2 # windows",
		  "(inline comments start with ';', not '#')" },
		{ "keys =", "empty value for 'keys' in [pmrd]" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_head_line_error(cases[i].line, cases[i].msg);
}

Test(conf_accept_keys, twice_is_an_error)
{
	expect_error(PMRD_HEAD "keys = mw2\nkeys = shared-mr\n", 4,
		     "duplicate key 'keys' in [pmrd] (first at line 3)");
	expect_error(
		PMRD_HEAD "accept_timeout_ms = 200\naccept_timeout_ms = 300\n",
		4,
		"duplicate key 'accept_timeout_ms' in [pmrd] (first at line 3)");
}

/* keys is a [pmrd] setting: a region may not pick its own */
Test(conf_accept_keys, keys_not_in_a_region)
{
	expect_error(PMRD_HEAD "[region db]\npath = /mnt/pmem/db\nsize = 1G\n"
			       "keys = mw2\n",
		     6, "unknown key 'keys' in [region db]");
}
