/* SPDX-License-Identifier: BSD-3-Clause */
/* test_errors.c -- wire status / reject / completion mapping, strerror */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "check.h"
#include "libpmr.h"
#include "pmr_proto.h"

Test(errors, codes_are_disjoint_from_errno)
{
	cr_assert_lt(PMR_E_BASE, -4096); /* errno values stay above -4096 */
	cr_assert_eq(PMR_E_LAST, PMR_E_FENCED);
	cr_assert_eq(PMR_E_BUSY, PMR_E_BASE - 24);
	cr_assert_eq(PMR_E_FENCED, PMR_E_BASE - 25);
}

Test(errors, strerror_covers_every_code)
{
	for (int e = PMR_E_BASE; e >= PMR_E_LAST; e--) {
		const char *s = pmr_strerror(e);

		cr_assert_not_null(s);
		cr_assert_str_neq(s, "unknown error", "code %d", e);
		for (int f = PMR_E_BASE; f > e; f--)
			cr_assert_str_neq(s, pmr_strerror(f), "%d vs %d", e, f);
	}
}

Test(errors, strerror_errno_and_junk)
{
	cr_assert_str_eq(pmr_strerror(0), "success");
	cr_assert_str_eq(pmr_strerror(-ENOENT), strerror(ENOENT));
	cr_assert_str_eq(pmr_strerror(-ETIMEDOUT), strerror(ETIMEDOUT));
	cr_assert_str_eq(pmr_strerror(PMR_E_LAST - 1), "unknown error");
	cr_assert_str_eq(pmr_strerror(5), "unknown error");
	cr_assert_str_eq(pmr_strerror(-99999), "unknown error");
	cr_assert_not_null(pmr_strerror(INT32_MIN));
}

Test(errors, wire_status)
{
	cr_assert_eq(pmr_status_to_err(PMR_ST_OK), 0);
	cr_assert_eq(pmr_status_to_err(PMR_ST_INVALID), PMR_E_PROTOCOL);
	cr_assert_eq(pmr_status_to_err(PMR_ST_NOENT), PMR_E_NOENT_REGION);
	cr_assert_eq(pmr_status_to_err(PMR_ST_ACCESS), PMR_E_ACCESS);
	cr_assert_eq(pmr_status_to_err(PMR_ST_RANGE), PMR_E_RANGE);
	cr_assert_eq(pmr_status_to_err(PMR_ST_LIMIT), PMR_E_LIMIT);
	cr_assert_eq(pmr_status_to_err(PMR_ST_SHUTDOWN), PMR_E_SHUTDOWN);
	cr_assert_eq(pmr_status_to_err(PMR_ST_INTERNAL), PMR_E_SERVER);
	cr_assert_eq(pmr_status_to_err(PMR_ST_UNSUPPORTED), PMR_E_UNSUPPORTED);
	cr_assert_eq(pmr_status_to_err(PMR_ST_DENIED), PMR_E_DENIED);
	cr_assert_eq(pmr_status_to_err(PMR_ST_BUSY), PMR_E_BUSY);
	cr_assert_eq(pmr_status_to_err(PMR_ST_FENCED), PMR_E_FENCED);
	cr_assert_eq(pmr_status_to_err(999), PMR_E_PROTOCOL);
}

Test(errors, reject_reasons)
{
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_VERSION),
		     PMR_E_REJECTED_VERSION);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_BAD_HELLO),
		     PMR_E_REJECTED_BAD_HELLO);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_TOO_MANY),
		     PMR_E_REJECTED_TOO_MANY);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_SHUTDOWN),
		     PMR_E_REJECTED_SHUTDOWN);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_DENIED),
		     PMR_E_REJECTED_DENIED);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_MEMORY),
		     PMR_E_REJECTED_MEMORY);
	cr_assert_eq(pmr_reject_to_err(PMR_REJECT_INTERNAL),
		     PMR_E_REJECTED_INTERNAL);
	/* a newer server's reason is still a rejection */
	cr_assert_eq(pmr_reject_to_err(77), PMR_E_REJECTED);
}

Test(errors, work_completions)
{
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_SUCCESS), 0);
	/* remote errors: the server's side is gone (issue 19: a killed
	 * pmrd showed as a remote access error) */
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_REM_ACCESS_ERR),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_REM_OP_ERR), PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_REM_INV_REQ_ERR),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_RETRY_EXC_ERR),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_WR_FLUSH_ERR),
		     PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_LOC_PROT_ERR), -EFAULT);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_LOC_ACCESS_ERR), -EFAULT);
	/* the only other code a failed work request gives (libpmr.h): any
	 * failure leaves the RC queue pair in error */
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_LOC_LEN_ERR), PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_GENERAL_ERR), PMR_E_CONN_LOST);
	cr_assert_eq(pmr_wc_status_to_err(IBV_WC_LOC_QP_OP_ERR),
		     PMR_E_CONN_LOST);
}
