/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_state_dir.c -- [pmrd] state_dir, where the regions' fencing
 * generations live: its default, a normalized absolute path, and its
 * errors at their file:line
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "conf_test.h"

Test(conf_state_dir, default_is_var_lib_pmrd)
{
	struct pmrd_conf *c = parse_after_head("");

	cr_assert_str_eq(c->state_dir, "/var/lib/pmrd");
	cr_assert_str_eq(c->state_dir, PMRD_DEFAULT_STATE_DIR);
	pmrd_conf_free(&c);
}

Test(conf_state_dir, absolute_path_normalized)
{
	struct pmrd_conf *c =
		parse_after_head("state_dir = /srv//pmrd/./state/\n");

	cr_assert_str_eq(c->state_dir, "/srv/pmrd/state");
	pmrd_conf_free(&c);
}

Test(conf_state_dir, relative_path_is_an_error_at_its_line)
{
	expect_head_line_error("state_dir = var/lib/pmrd",
			       "bad state_dir 'var/lib/pmrd'");
}

Test(conf_state_dir, empty_is_an_error_at_its_line)
{
	expect_head_line_error("state_dir =",
			       "empty value for 'state_dir' in [pmrd]");
}

Test(conf_state_dir, twice_is_an_error)
{
	expect_error(PMRD_HEAD "state_dir = /a\nstate_dir = /b\n", 4,
		     "state_dir");
}
