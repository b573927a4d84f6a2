/* SPDX-License-Identifier: BSD-3-Clause */
/* test_strings.c -- names for types, statuses, methods, reject reasons */
#include <criterion/criterion.h>
#include <string.h>

#include "pmr_proto.h"

Test(strings, message_types)
{
	cr_assert_str_eq(pmr_msg_type_str(PMR_MSG_OPEN), "OPEN");
	cr_assert_str_eq(pmr_msg_type_str(PMR_MSG_OPEN | PMR_MSG_RESP),
			 "OPEN_RESP");
	for (uint16_t t = PMR_MSG_LIST_REGIONS; t <= PMR_MSG_ATOMIC_WRITE;
	     t++) {
		cr_assert_str_neq(pmr_msg_type_str(t), "UNKNOWN");
		cr_assert_str_neq(pmr_msg_type_str(t | PMR_MSG_RESP),
				  "UNKNOWN");
		cr_assert_str_neq(pmr_msg_type_str(t),
				  pmr_msg_type_str(t | PMR_MSG_RESP));
	}
	/* the server's notice: never a request, so no response name */
	cr_assert_str_eq(pmr_msg_type_str(PMR_MSG_FENCED), "FENCED");
	cr_assert_str_eq(pmr_msg_type_str(0), "UNKNOWN");
	cr_assert_str_eq(pmr_msg_type_str(PMR_MSG_FENCED + 1), "UNKNOWN");
	cr_assert_str_eq(pmr_msg_type_str(0xffff), "UNKNOWN");
}

Test(strings, statuses)
{
	cr_assert_str_eq(pmr_status_str(PMR_ST_OK), "ok");
	for (uint16_t s = PMR_ST_INVALID; s <= PMR_ST_FENCED; s++) {
		cr_assert_not_null(pmr_status_str(s));
		cr_assert_str_neq(pmr_status_str(s), "unknown status");
		cr_assert_str_neq(pmr_status_str(s), pmr_status_str(s - 1));
	}
	cr_assert_str_eq(pmr_status_str(PMR_ST_FENCED + 1), "unknown status");
}

Test(strings, atomic_write_paths)
{
	cr_assert_str_eq(pmr_atomic_write_path_str(0), "server");
	cr_assert_str_eq(pmr_atomic_write_path_str(PMR_ATOMICS_RDMA), "server");
	cr_assert_str_eq(pmr_atomic_write_path_str(PMR_ATOMICS_ALL), "native");
}

Test(strings, persist_methods)
{
	cr_assert_str_eq(pmr_persist_method_str(PMR_PERSIST_SERVER), "server");
	cr_assert_str_eq(pmr_persist_method_str(PMR_PERSIST_FLUSH), "flush");
	cr_assert_str_eq(pmr_persist_method_str(PMR_PERSIST_RAW), "raw");
	cr_assert_str_eq(pmr_persist_method_str(0), "unknown");
	cr_assert_str_eq(pmr_persist_method_str(PMR_PERSIST_ALL), "unknown");
	cr_assert_str_eq(pmr_persist_method_str(1u << 31), "unknown");
}

Test(strings, reject_reasons)
{
	for (uint16_t r = PMR_REJECT_BAD_HELLO; r <= PMR_REJECT_PORT_DOWN; r++)
		cr_assert_str_neq(pmr_reject_reason_str(r),
				  "unknown reject reason");
	cr_assert_str_eq(pmr_reject_reason_str(0), "unknown reject reason");
	cr_assert_str_eq(pmr_reject_reason_str(9), "unknown reject reason");
}

/* escape -- pmr_name_escape of NAME into CAP bytes equals WANT */
static void escape(const char *name, size_t cap, const char *want)
{
	char buf[PMR_NAME_ESCAPED_MAX + 8];

	memset(buf, 'Z', sizeof(buf));
	cr_assert_leq(cap, sizeof(buf));
	cr_expect_eq(pmr_name_escape(name, buf, cap), buf);
	cr_expect_str_eq(buf, want, "'%s' in %zu", name, cap);
	cr_expect_leq(strlen(buf), cap - 1);
}

Test(strings, name_escape)
{
	char worst[PMR_NAME_MAX + 1], want[PMR_NAME_ESCAPED_MAX];

	escape("db-1.x_Y", 64, "db-1.x_Y");
	escape("", 64, "");
	escape("a b", 64, "a b");
	escape("a\nb\x1b[2J", 64, "a\\x0ab\\x1b[2J");
	escape("\x7f\x80\xff", 64, "\\x7f\\x80\\xff");
	escape("it's", 64, "it\\'s");
	escape("back\\slash", 64, "back\\\\slash");
	/* truncated only between escapes, always NUL-terminated */
	escape("ab\x01", 5, "ab");
	escape("ab\x01", 7, "ab\\x01");
	escape("abc", 1, "");
	/* the longest name of the worst bytes fits the documented room */
	memset(worst, 0xff, PMR_NAME_MAX);
	worst[PMR_NAME_MAX] = '\0';
	want[0] = '\0';
	for (int i = 0; i < PMR_NAME_MAX; i++)
		strcat(want, "\\xff");
	escape(worst, PMR_NAME_ESCAPED_MAX, want);
}
