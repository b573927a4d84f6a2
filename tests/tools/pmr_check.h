/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_check.h -- CHECK and CHECK_RC for the libpmr test programs
 * (pmr-order, pmr_dptest): a failed expectation prints where and why and
 * exits 1, so the VM suite sees the case fail
 */
#ifndef PMR_CHECK_H
#define PMR_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <libpmr.h>

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, "\n");                               \
			exit(1);                                             \
		}                                                            \
	} while (0)
#define CHECK_RC(rc, want, what)                                         \
	CHECK((rc) == (want), "%s: got %d (%s), want %d (%s)", what, rc, \
	      pmr_strerror(rc), want, pmr_strerror(want))

#endif
