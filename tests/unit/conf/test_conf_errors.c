/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_errors.c -- every validation error: its line, its message, and
 * that all problems are reported before the parse fails
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_test.h"

Test(conf_errors, unknown_key_exact_message)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	memset(&reports, 0, sizeof(reports));
	cr_assert_eq(pmrd_conf_parse_string(PMRD_HEAD "\n"
						      "[region db0]\n"
						      "path = /mnt/pmem/db0\n"
						      "sise = 1G\n",
					    "pmrd.conf", collect_report,
					    &reports, &c),
		     -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	/* "sise" unknown, and so "size" is missing: two problems */
	cr_assert_eq(reports.n, 2);
	cr_expect_str_eq(reports.r[0].file, "pmrd.conf");
	cr_expect_eq(reports.r[0].line, 6);
	cr_expect_str_eq(reports.r[0].msg,
			 "unknown key 'sise' in [region db0]");
	cr_expect_eq(reports.r[1].line, 4);
	cr_expect_str_eq(
		reports.r[1].msg,
		"missing required key 'size' in [region db0] (only /dev/dax devices may omit it)");
}

Test(conf_errors, unknown_key_in_pmrd)
{
	expect_error(PMRD_HEAD "port = 7471\n", 3,
		     "unknown key 'port' in [pmrd]");
}

Test(conf_errors, keys_are_case_sensitive)
{
	expect_error(PMRD_HEAD "Log_Level = info\n", 3,
		     "unknown key 'Log_Level'");
}

Test(conf_errors, unknown_section_and_its_keys_ignored)
{
	expect_error(
		PMRD_HEAD "[global]\nfoo = 1\nbar = 2\n", 3,
		"unknown section [global] (expected [pmrd] or [region NAME])");
}

Test(conf_errors, empty_unknown_section_is_still_reported)
{
	/* inih never tells the handler about a section without keys */
	expect_error(PMRD_HEAD "[regions]\n", 3, "unknown section [regions]");
}

Test(conf_errors, key_outside_any_section)
{
	expect_error("listen = 10.0.0.1\n[pmrd]\nlisten = 10.0.0.1\n", 1,
		     "key 'listen' outside any section");
}

Test(conf_errors, duplicate_key_names_first_line)
{
	expect_error(PMRD_HEAD "log_level = info\n\nlog_level = debug\n", 5,
		     "duplicate key 'log_level' in [pmrd] (first at line 3)");
	expect_error(PMRD_HEAD
		     "[region a]\npath = /p/a\nsize = 1G\nsize = 2G\n",
		     6, "duplicate key 'size' in [region a] (first at line 5)");
}

Test(conf_errors, duplicate_pmrd_section)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	expect_error(PMRD_HEAD "[pmrd]\nlog_level = info\n", 3,
		     "duplicate section [pmrd] (first at line 1)");
	/* keys of both [pmrd] sections count as one section */
	cr_assert_eq(parse_text(PMRD_HEAD "[pmrd]\nlisten = 10.0.0.2\n", &c),
		     -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 2);
	expect_report(0, 3, "duplicate section [pmrd]");
	expect_report(1, 4,
		      "duplicate key 'listen' in [pmrd] (first at line 2)");
}

Test(conf_errors, empty_key_and_empty_value)
{
	expect_error(PMRD_HEAD "= 5\n", 3, "missing key name before '='");
	expect_error(PMRD_HEAD "admin_socket =\n", 3,
		     "empty value for 'admin_socket' in [pmrd]");
	expect_error(PMRD_HEAD "[region a]\npath = \nsize = 1G\n", 4,
		     "empty value for 'path' in [region a]");
}

Test(conf_errors, bad_sizes)
{
	expect_error(PMRD_HEAD "[region a]\npath = /p/a\nsize = 0\n", 5,
		     "bad size '0': must not be zero");
	expect_error(PMRD_HEAD "[region a]\npath = /p/a\nsize = 16777216T\n", 5,
		     "bad size '16777216T': too large");
	expect_error(PMRD_HEAD "[region a]\npath = /p/a\nsize = 1.5G\n", 5,
		     "bad size '1.5G': unexpected text after the number");
	expect_error(PMRD_HEAD "[region a]\npath = /p/a\nsize = big\n", 5,
		     "bad size 'big': expected a number");
}

Test(conf_errors, hash_comment_hint)
{
	expect_error(
		PMRD_HEAD "[region a]\npath = /p/a\nsize = 1G # one gig\n", 5,
		"bad size '1G # one gig': unexpected text after the number (units: K, M, G, T) (inline comments start with ';', not '#')");
}

Test(conf_errors, duplicate_region_names_first_line)
{
	expect_error(PMRD_HEAD "[region a]\npath = /p/a\nsize = 1G\n"
			       "[region b]\npath = /p/b\nsize = 1G\n"
			       "[region a]\npath = /p/c\nsize = 1G\n",
		     9, "duplicate region 'a' (first at line 3)");
}

Test(conf_errors, keys_of_a_dropped_region_are_still_checked)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(parse_text(PMRD_HEAD "[region a]\npath = /p/a\nsize = 1G\n"
					  "[region a]\npath = p/c\nsise = 1G\n",
				&c),
		     -EINVAL);
	cr_assert_eq(reports.n, 3);
	expect_report(0, 6, "duplicate region 'a'");
	expect_report(1, 7, "bad path 'p/c': must be an absolute path");
	expect_report(2, 8, "unknown key 'sise' in [region a]");
}

Test(conf_errors, same_path_twice_after_normalizing)
{
	static const char *const spellings[] = {
		"/mnt/pmem/db0",  "/mnt/pmem//db0",  "//mnt/./pmem/db0",
		"/mnt/pmem/db0/", "/mnt/pmem/db0//", "/mnt/./pmem/./db0/.",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		snprintf(text, sizeof(text),
			 PMRD_HEAD
			 "[region db0]\npath = /mnt/pmem/db0\nsize = 1G\n"
			 "[region db1]\nsize = 1G\npath = %s\n",
			 spellings[i]);
		expect_error(
			text, 8,
			"path '/mnt/pmem/db0' of [region db1] is already used by [region db0] (line 4)");
	}
}

Test(conf_errors, same_devdax_twice)
{
	expect_error(PMRD_HEAD "[region a]\npath = /dev/dax0.0\n"
			       "[region b]\npath = /dev//dax0.0/\n",
		     6, "of [region b] is already used by [region a] (line 4)");
}

Test(conf_errors, missing_path)
{
	expect_error(PMRD_HEAD
		     "[region a]\nsize = 1G\n[region b]\npath = /p/b\n"
		     "size = 1G\n",
		     3, "missing required key 'path' in [region a]");
	/* a header with nothing under it, invisible to inih's handler */
	expect_error(PMRD_HEAD "[region empty]\n", 3,
		     "missing required key 'path' in [region empty]");
}

Test(conf_errors, missing_size_on_a_file)
{
	expect_error(PMRD_HEAD
		     "\n[region a]\npath = /mnt/pmem/a\naccess = ro\n",
		     4, "missing required key 'size' in [region a]");
}

Test(conf_errors, relative_and_dotdot_paths)
{
	expect_error(PMRD_HEAD "[region a]\npath = pmem/a\nsize = 1G\n", 4,
		     "bad path 'pmem/a': must be an absolute path");
	expect_error(PMRD_HEAD "[region a]\npath = /mnt/../a\nsize = 1G\n", 4,
		     "bad path '/mnt/../a': must not contain '..'");
}

Test(conf_errors, bad_listen)
{
	expect_error("[pmrd]\nlisten = pmem-host:7471\n", 2,
		     "bad listen 'pmem-host:7471': not a numeric IPv4 address");
	expect_error("[pmrd]\nlisten = 10.0.0.1:0\n", 2,
		     "bad listen '10.0.0.1:0': port must be a number 1..65535");
	expect_error("[pmrd]\nlisten = 10.0.0.1:65536\n", 2,
		     "port must be a number 1..65535");
	expect_error("[pmrd]\nlisten = [fe80::1\n", 2, "missing ']'");
	expect_error("[pmrd]\nlisten = fe80::x\n", 2,
		     "not a numeric IPv6 address");
}

Test(conf_errors, missing_listen)
{
	expect_error("; comment\n[pmrd]\nlog_level = info\n", 2,
		     "missing required key 'listen' in [pmrd]");
	expect_error("[region a]\npath = /dev/dax0.0\n", 0,
		     "no [pmrd] section: 'listen' is required");
}

Test(conf_errors, bad_bool)
{
	expect_error(
		PMRD_HEAD "[region a]\npath = /p/a\nsize = 1G\npersistent = "
			  "maybe\n",
		6,
		"bad persistent 'maybe': expected yes/no, true/false, on/off or 1/0");
}

Test(conf_errors, bad_access_and_pdomain)
{
	expect_error(PMRD_HEAD
		     "[region a]\npath = /p/a\nsize = 1G\naccess = wo\n",
		     6, "bad access 'wo': expected rw or ro");
	expect_error(
		PMRD_HEAD "[region a]\npath = /p/a\nsize = 1G\n"
			  "persistence_domain = eadr\n",
		6, "bad persistence_domain 'eadr': expected auto or cpu-cache");
}

Test(conf_errors, bad_log_level)
{
	expect_error(
		PMRD_HEAD "log_level = loud\n", 3,
		"bad log_level 'loud': expected err, warning, notice, info or debug");
}

Test(conf_errors, bad_limits)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "max_clients = 0",
		  "bad max_clients '0': expected an integer 1..4096" },
		{ "max_clients = 4097", "bad max_clients '4097'" },
		{ "max_clients = -1", "bad max_clients '-1'" },
		{ "max_clients = 99999999999999999999", "bad max_clients" },
		{ "max_clients = 12k", "bad max_clients '12k'" },
		{ "max_regions_per_client = 0", "expected an integer 1..1024" },
		{ "max_regions_per_client = 1025",
		  "bad max_regions_per_client '1025'" },
		{ "max_outstanding = 257",
		  "bad max_outstanding '257': expected an integer 1..256" },
		{ "max_outstanding = 0x10", "bad max_outstanding '0x10'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_head_line_error(cases[i].line, cases[i].msg);
}

Test(conf_errors, bad_admin_socket)
{
	char text[512], sock[120];
	struct pmrd_conf *c;

	expect_error(PMRD_HEAD "admin_socket = pmrd.sock\n", 3,
		     "bad admin_socket 'pmrd.sock': must be an absolute path");
	memset(sock, 's', sizeof(sock) - 1);
	sock[0] = '/';
	sock[108] = '\0';
	snprintf(text, sizeof(text), PMRD_HEAD "admin_socket = %s\n", sock);
	expect_error(text, 3, "too long for a unix socket (at most 107 bytes)");
	sock[107] = '\0'; /* 107 bytes fit */
	snprintf(text, sizeof(text), PMRD_HEAD "admin_socket = %s\n", sock);
	c = parse_ok(text);
	cr_expect_eq(strlen(c->admin_socket), 107);
	pmrd_conf_free(&c);
}

Test(conf_errors, bad_region_names)
{
	char text[256], name[70];

	expect_error(PMRD_HEAD "[region]\npath = /p/a\n", 3,
		     "[region] needs a name: [region NAME]");
	expect_error(PMRD_HEAD "[region db 0]\n", 3, "bad region name 'db 0'");
	expect_error(PMRD_HEAD "[region db/0]\n", 3, "bad region name 'db/0'");
	expect_error(PMRD_HEAD "[region ..]\n", 3, "bad region name '..'");
	expect_error(PMRD_HEAD "[regiondb0]\n", 3,
		     "unknown section [regiondb0]");
	memset(name, 'n', sizeof(name));
	name[64] = '\0';
	snprintf(text, sizeof(text),
		 PMRD_HEAD "[region %s]\npath = /p\nsize = 1G\n", name);
	expect_error(text, 3, "bad region name 'nnnn");
}

Test(conf_errors, too_many_regions)
{
	size_t cap = (PMRD_MAX_REGIONS + 2) * 64 + 64, len;
	struct pmrd_conf *c = CONF_UNTOUCHED;
	char *text = malloc(cap);

	cr_assert_not_null(text);
	len = (size_t)snprintf(text, cap, PMRD_HEAD);
	for (int i = 0; i <= PMRD_MAX_REGIONS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[region r%d]\npath = /dev/dax%d.0\n",
					i, i);
	cr_assert_eq(parse_text(text, &c), -EINVAL);
	cr_assert_eq(reports.n, 1);
	/* region r1024 is on line 3 + 2 * 1024 */
	expect_report(0, 3 + 2 * PMRD_MAX_REGIONS,
		      "too many regions (at most 1024)");
	free(text);

	/* exactly PMRD_MAX_REGIONS is fine */
	text = malloc(cap);
	cr_assert_not_null(text);
	len = (size_t)snprintf(text, cap, PMRD_HEAD);
	for (int i = 0; i < PMRD_MAX_REGIONS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[region r%d]\npath = /dev/dax%d.0\n",
					i, i);
	c = parse_ok(text);
	cr_expect_eq(c->n_regions, PMRD_MAX_REGIONS);
	cr_expect_str_eq(c->regions[PMRD_MAX_REGIONS - 1].name, "r1023");
	pmrd_conf_free(&c);
	free(text);
}

Test(conf_errors, all_problems_in_line_order)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(parse_text("[pmrd]\n"		  /* 1 */
				"listen = nowhere\n"	  /* 2 */
				"max_clients = 0\n"	  /* 3 */
				"[region a]\n"		  /* 4 */
				"path = /p/a\n"		  /* 5 */
				"size = 1Q\n"		  /* 6 */
				"access = rx\n"		  /* 7 */
				"[region b]\n"		  /* 8 */
				"path = /p//a\n"	  /* 9 */
				"[bogus]\n"		  /* 10 */
				"[region c]\n"		  /* 11 */
				"persistent = perhaps\n", /* 12 */
				&c),
		     -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 9);
	expect_report(0, 2, "bad listen 'nowhere'");
	expect_report(1, 3, "bad max_clients '0'");
	expect_report(2, 6, "bad size '1Q'");
	expect_report(3, 7, "bad access 'rx'");
	expect_report(4, 9, "already used by [region a] (line 5)");
	expect_report(5, 10, "unknown section [bogus]");
	expect_report(6, 12, "bad persistent 'perhaps'");
	/* then what only the whole file tells, in region order */
	expect_report(7, 8, "missing required key 'size' in [region b]");
	expect_report(8, 11, "missing required key 'path' in [region c]");
}

Test(conf_errors, null_report_prints_to_stderr, .init = cr_redirect_stderr)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(pmrd_conf_parse_string(PMRD_HEAD "sise = 1\n", "x.conf",
					    NULL, NULL, &c),
		     -EINVAL);
	cr_assert_eq(pmrd_conf_parse_string("", "y.conf", NULL, NULL, &c),
		     -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"x.conf:3: unknown key 'sise' in [pmrd]\n"
		"y.conf: no [pmrd] section: 'listen' is required\n");
}
