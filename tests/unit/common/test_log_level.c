/* SPDX-License-Identifier: BSD-3-Clause */
/* test_log_level.c -- log level names parse both ways */
#include <criterion/criterion.h>
#include <errno.h>

#include "log.h"

Test(log_level, names_round_trip)
{
	for (int l = LOG_ERR; l <= LOG_DEBUG; l++) {
		int got = -1;

		cr_assert_eq(pmrd_log_level_parse(pmrd_log_level_name(l), &got),
			     0);
		cr_assert_eq(got, l);
	}
}

Test(log_level, aliases_and_numbers)
{
	int got = -1;

	cr_assert_eq(pmrd_log_level_parse("WARN", &got), 0);
	cr_assert_eq(got, LOG_WARNING);
	cr_assert_eq(pmrd_log_level_parse("error", &got), 0);
	cr_assert_eq(got, LOG_ERR);
	cr_assert_eq(pmrd_log_level_parse("7", &got), 0);
	cr_assert_eq(got, LOG_DEBUG);
}

Test(log_level, junk_rejected_and_output_untouched)
{
	int got = 42;

	cr_assert_eq(pmrd_log_level_parse("loud", &got), -EINVAL);
	cr_assert_eq(pmrd_log_level_parse("", &got), -EINVAL);
	cr_assert_eq(pmrd_log_level_parse("2", &got), -EINVAL);
	cr_assert_eq(pmrd_log_level_parse("8", &got), -EINVAL);
	cr_assert_eq(pmrd_log_level_parse(NULL, &got), -EINVAL);
	cr_assert_eq(got, 42);
}
