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
	for (uint16_t t = PMR_MSG_LIST_REGIONS; t <= PMR_MSG_PING; t++) {
		cr_assert_str_neq(pmr_msg_type_str(t), "UNKNOWN");
		cr_assert_str_neq(pmr_msg_type_str(t | PMR_MSG_RESP),
				  "UNKNOWN");
		cr_assert_str_neq(pmr_msg_type_str(t),
				  pmr_msg_type_str(t | PMR_MSG_RESP));
	}
	cr_assert_str_eq(pmr_msg_type_str(0), "UNKNOWN");
	cr_assert_str_eq(pmr_msg_type_str(6), "UNKNOWN");
	cr_assert_str_eq(pmr_msg_type_str(0xffff), "UNKNOWN");
}

Test(strings, statuses)
{
	cr_assert_str_eq(pmr_status_str(PMR_ST_OK), "ok");
	for (uint16_t s = PMR_ST_INVALID; s <= PMR_ST_DENIED; s++) {
		cr_assert_not_null(pmr_status_str(s));
		cr_assert_str_neq(pmr_status_str(s), "unknown status");
		cr_assert_str_neq(pmr_status_str(s), pmr_status_str(s - 1));
	}
	cr_assert_str_eq(pmr_status_str(PMR_ST_DENIED + 1), "unknown status");
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
