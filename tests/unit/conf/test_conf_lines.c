/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_lines.c -- line handling around inih: numbering, indentation
 * (no multi-line values), CRLF, BOM, comments, syntax errors, long lines
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_test.h"

Test(conf_lines, indented_keys_are_keys_not_continuations)
{
	/* inih would append "size = 1G" to path's value */
	struct pmrd_conf *c = parse_ok("[pmrd]\n"
				       "  listen = 10.0.0.1\n"
				       "[region a]\n"
				       "\tpath = /pmem/a\n"
				       "    size = 1G\n"
				       "    access = ro\n");

	cr_expect_str_eq(c->regions[0].path, "/pmem/a");
	cr_expect_eq(c->regions[0].size, 1ULL << 30);
	cr_expect_eq(c->regions[0].access, PMRD_ACCESS_RO);
	pmrd_conf_free(&c);
}

Test(conf_lines, indented_value_fragment_is_an_error_on_its_line)
{
	expect_error("[pmrd]\n"
		     "listen = 10.0.0.1\n"
		     "[region a]\n"
		     "path = /pmem\n"
		     "   /a\n"
		     "size = 1G\n",
		     5, "expected 'key = value'");
}

Test(conf_lines, crlf_bom_and_comments)
{
	struct pmrd_conf *c = parse_ok("\xef\xbb\xbf; comment\r\n"
				       "# another\r\n"
				       "[pmrd] ; trailing comment\r\n"
				       "listen = 10.0.0.2:9 ; comment\r\n"
				       "\r\n"
				       "   \t\r\n"
				       "[region a];x\r\n"
				       "path = /pmem/a\r\n"
				       "size = 1 GiB\r\n");

	cr_expect_str_eq(c->listen_host, "10.0.0.2");
	cr_expect_eq(c->listen_port, 9);
	cr_expect_str_eq(c->regions[0].path, "/pmem/a");
	cr_expect_eq(c->regions[0].size, 1ULL << 30);
	cr_expect_eq(c->regions[0].line, 7);
	pmrd_conf_free(&c);
}

Test(conf_lines, no_trailing_newline)
{
	struct pmrd_conf *c = parse_ok("[pmrd]\nlisten = 10.0.0.3");

	cr_expect_str_eq(c->listen_host, "10.0.0.3");
	pmrd_conf_free(&c);
}

Test(conf_lines, empty_text_lacks_listen)
{
	expect_error("", 0, "no [pmrd] section");
}

Test(conf_lines, every_syntax_error_is_reported)
{
	/* ini_parse_stream itself would only return the first (line 2) */
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_assert_eq(parse_text("[pmrd]\n"
				"listen 10.0.0.1\n"
				"listen = 10.0.0.1\n"
				"[region a\n"
				"path = /x\n"
				"[region b] junk\n"
				"path = /pmem/b\n"
				"size = 1G\n"
				"just words ; with = in a comment\n",
				&c),
		     -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
	cr_assert_eq(reports.n, 4);
	expect_report(0, 2, "expected 'key = value', '[section]' or a comment");
	expect_report(1, 4, "section header without ']'");
	expect_report(2, 6, "unexpected text after ']'");
	expect_report(3, 9, "expected 'key = value'");
}

Test(conf_lines, section_bracket_hidden_by_comment)
{
	expect_error("[pmrd]\nlisten = 10.0.0.1\n[region a ;]\n", 3,
		     "without ']'");
}

Test(conf_lines, long_line_is_an_error_and_numbering_stays_right)
{
	char text[1024], path[400];
	struct pmrd_conf *c = CONF_UNTOUCHED;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "[pmrd]\nlisten = 10.0.0.1\n[region a]\npath = %s\n"
		 "size = 1G\nsise = 2G\n",
		 path);
	cr_assert_eq(parse_text(text, &c), -EINVAL);
	cr_assert_eq(reports.n, 2);
	/* "path = " + 399 bytes; inih's buffer holds 197 */
	expect_report(0, 4, "line too long (406 bytes, at most 197)");
	expect_report(1, 6, "unknown key 'sise' in [region a]");
	cr_expect_eq(c, CONF_UNTOUCHED);
}

Test(conf_lines, longest_line_that_fits)
{
	char text[512], path[256];
	struct pmrd_conf *c;
	size_t n = 197 - strlen("path = ");

	memset(path, 'p', n);
	path[0] = '/';
	path[n] = '\0';
	snprintf(text, sizeof(text),
		 "[pmrd]\nlisten = 10.0.0.1\n[region a]\npath = %s\n"
		 "size = 1G\n",
		 path);
	c = parse_ok(text);
	cr_expect_str_eq(c->regions[0].path, path);
	pmrd_conf_free(&c);

	path[n] = 'p';
	path[n + 1] = '\0';
	snprintf(text, sizeof(text),
		 "[pmrd]\nlisten = 10.0.0.1\n[region a]\npath = %s\n"
		 "size = 1G\n",
		 path);
	expect_error(text, 4, "line too long (198 bytes, at most 197)");
}

Test(conf_lines, long_section_header_swallows_its_keys)
{
	char text[1024], name[300];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "[pmrd]\nlisten = 10.0.0.1\n[region %s]\npath = /a\n"
		 "bogus = 1\n",
		 name);
	/* one report: the keys of a section we cannot read are not blamed */
	expect_error(text, 3, "line too long");
}

Test(conf_lines, messages_do_not_carry_control_characters)
{
	expect_error("[pmrd]\nlisten = 10.0.0.1\nlog_level = \x1b[31mred\n", 3,
		     "bad log_level '?[31mred'");
}
