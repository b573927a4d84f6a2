/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_admin_req.c -- the admin request parser: verbs, blanks, CR, limits,
 * non-ASCII bytes, unknown verbs, arguments, untouched output on failure.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "admin_req.h"

/* parse -- the parser on a C string */
static int parse(const char *s, struct pmrd_admin_req *r)
{
	char text[128];

	return pmrd_admin_req_parse(s, strlen(s), r, text, sizeof(text));
}

Test(admin_req, verbs)
{
	struct pmrd_admin_req r;

	cr_assert_eq(parse("status", &r), 0);
	cr_assert_eq(r.verb, PMRD_ADMIN_STATUS);
	cr_assert_eq(parse("list-regions", &r), 0);
	cr_assert_eq(r.verb, PMRD_ADMIN_LIST_REGIONS);
	cr_assert_eq(parse("  list-clients \t\r", &r), 0);
	cr_assert_eq(r.verb, PMRD_ADMIN_LIST_CLIENTS);
	cr_assert_eq(r.n_args, 0);
	cr_assert_str_eq(pmrd_admin_verb_name(PMRD_ADMIN_LIST_REGIONS),
			 "list-regions");
}

Test(admin_req, rejects)
{
	struct pmrd_admin_req r;
	char text[128] = "";
	char big[PMRD_ADMIN_REQ_MAX + 8];

	cr_assert_eq(parse("", &r), -EINVAL);
	cr_assert_eq(parse("   ", &r), -EINVAL);
	cr_assert_eq(parse("nope", &r), -EOPNOTSUPP);
	cr_assert_eq(parse("status extra", &r), -EINVAL);
	cr_assert_eq(parse("a b c d e f", &r), -E2BIG);
	cr_assert_eq(pmrd_admin_req_parse("st\0tus", 6, &r, text, sizeof(text)),
		     -EINVAL);
	cr_assert(strstr(text, "0x00"), "reason: %s", text);
	cr_assert_eq(parse("stat\xc3\xa9", &r), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(parse(big, &r), -E2BIG);
	/* one word over the word limit, inside the line limit */
	memset(big, 'a', PMRD_ADMIN_WORD_MAX + 1);
	big[PMRD_ADMIN_WORD_MAX + 1] = '\0';
	cr_assert_eq(parse(big, &r), -E2BIG);
	/* NULL text is fine */
	cr_assert_eq(pmrd_admin_req_parse("x", 1, &r, NULL, 0), -EOPNOTSUPP);
}

Test(admin_req, untouched_on_failure)
{
	struct pmrd_admin_req r, before;

	memset(&r, 0x5a, sizeof(r));
	before = r;
	cr_assert_neq(parse("status now", &r), 0);
	cr_assert_neq(parse("bogus", &r), 0);
	cr_assert_eq(memcmp(&r, &before, sizeof(r)), 0);
}

Test(admin_req, every_byte)
{
	struct pmrd_admin_req r;

	/* no byte value crashes the parser or gets through as a verb char */
	for (int b = 0; b < 256; b++) {
		char line[3] = { 's', (char)b, 0 };
		int err = pmrd_admin_req_parse(line, 2, &r, NULL, 0);

		cr_assert(err == -EINVAL || err == -EOPNOTSUPP, "byte %#x: %d",
			  b, err);
	}
}
