/* SPDX-License-Identifier: BSD-3-Clause */
/* test_size_parse.c -- pmrd_size_parse and pmrd_size_format */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "pmrd_conf.h"

/* size_of -- parse S, which must succeed */
static uint64_t size_of(const char *s)
{
	uint64_t v = 0;

	cr_assert_eq(pmrd_size_parse(s, &v), 0, "'%s' rejected", s);
	return v;
}

/* size_err -- parse S, which must fail with ERR and leave the output */
static void size_err(const char *s, int err)
{
	uint64_t v = 42;

	cr_expect_eq(pmrd_size_parse(s, &v), err, "'%s' not %d", s ? s : "NULL",
		     err);
	cr_expect_eq(v, 42, "'%s' touched the output", s ? s : "NULL");
}

Test(size_parse, plain_bytes)
{
	cr_expect_eq(size_of("4096"), 4096);
	cr_expect_eq(size_of("1"), 1);
	cr_expect_eq(size_of("007"), 7);
	cr_expect_eq(size_of("4096B"), 4096);
	cr_expect_eq(size_of("18446744073709551615"), UINT64_MAX);
}

Test(size_parse, binary_units_any_case)
{
	cr_expect_eq(size_of("64K"), 64ULL << 10);
	cr_expect_eq(size_of("64k"), 64ULL << 10);
	cr_expect_eq(size_of("3M"), 3ULL << 20);
	cr_expect_eq(size_of("1G"), 1073741824ULL);
	cr_expect_eq(size_of("1g"), 1073741824ULL);
	cr_expect_eq(size_of("2T"), 2ULL << 40);
	cr_expect_eq(size_of("16777215T"), 16777215ULL << 40);
}

Test(size_parse, b_and_ib_tails)
{
	cr_expect_eq(size_of("1GB"), 1ULL << 30);
	cr_expect_eq(size_of("1GiB"), 1ULL << 30);
	cr_expect_eq(size_of("1gib"), 1ULL << 30);
	cr_expect_eq(size_of("512MiB"), 512ULL << 20);
	cr_expect_eq(size_of("1 GiB"), 1ULL << 30);
	cr_expect_eq(size_of("8\tK"), 8ULL << 10);
}

Test(size_parse, zero_is_erange)
{
	size_err("0", -ERANGE);
	size_err("0G", -ERANGE);
	size_err("000", -ERANGE);
}

Test(size_parse, overflow_is_erange)
{
	size_err("18446744073709551616", -ERANGE);
	size_err("99999999999999999999999", -ERANGE);
	size_err("16777216T", -ERANGE);
	size_err("17179869184G", -ERANGE);
}

Test(size_parse, junk_is_einval)
{
	size_err(NULL, -EINVAL);
	size_err("", -EINVAL);
	size_err("G", -EINVAL);
	size_err("-1", -EINVAL);
	size_err("+1", -EINVAL);
	size_err(" 1", -EINVAL);
	size_err("1 ", -EINVAL);
	size_err("1.5G", -EINVAL);
	size_err("0x10", -EINVAL);
	size_err("1X", -EINVAL);
	size_err("1P", -EINVAL);
	size_err("1GG", -EINVAL);
	size_err("1iB", -EINVAL);
	size_err("1GiBs", -EINVAL);
	size_err("1G B", -EINVAL);
	size_err("1Gi", -EINVAL);
}

Test(size_format, largest_exact_unit)
{
	char buf[32];

	pmrd_size_format(1ULL << 30, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1G");
	pmrd_size_format(1536ULL << 20, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1536M");
	pmrd_size_format(4095, buf, sizeof(buf));
	cr_expect_str_eq(buf, "4095");
	pmrd_size_format(4096, buf, sizeof(buf));
	cr_expect_str_eq(buf, "4K");
	pmrd_size_format(3ULL << 40, buf, sizeof(buf));
	cr_expect_str_eq(buf, "3T");
	pmrd_size_format(0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0");
	pmrd_size_format(UINT64_MAX, buf, sizeof(buf));
	cr_expect_str_eq(buf, "18446744073709551615");
}

Test(size_format, round_trips_through_parse)
{
	static const uint64_t sizes[] = { 1,	      1023,
					  1024,	      1ULL << 21,
					  5ULL << 30, (1ULL << 40) + 4096 };
	char buf[32];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pmrd_size_format(sizes[i], buf, sizeof(buf));
		cr_expect_eq(size_of(buf), sizes[i], "%s", buf);
	}
}

Test(size_format, truncates_to_buffer)
{
	char buf[3] = "xx";

	pmrd_size_format(1536ULL << 20, buf, sizeof(buf));
	cr_expect_str_eq(buf, "15");
	pmrd_size_format(1, NULL, 0); /* must not crash */
}
