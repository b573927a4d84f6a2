/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz.h -- what every libFuzzer target here shares: the entry point
 * libFuzzer (or replay.c) calls, and check(), which turns a broken
 * invariant into a crash libFuzzer records, naming the condition.
 */
#ifndef PMRD_FUZZ_H
#define PMRD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check -- abort (a libFuzzer crash) naming the condition that failed */
#define check(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
