/* SPDX-License-Identifier: BSD-3-Clause */
/* util.h -- small macros shared by every pmrd component */
#ifndef PMRD_COMMON_UTIL_H
#define PMRD_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* pmrd_now_ns -- CLOCK_MONOTONIC in nanoseconds (vDSO: no system call) */
static inline uint64_t pmrd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pmrd_now_ms -- CLOCK_MONOTONIC in milliseconds, for measuring durations */
static inline double pmrd_now_ms(void)
{
	return (double)pmrd_now_ns() / 1e6;
}

#define PMR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define PMR_UNUSED	      __attribute__((unused))

#endif
