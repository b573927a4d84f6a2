/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.h -- the counter behind the -DPMRD_FAULT_INJECTION=ON
 * build's __wrap_<fn> functions (wrap_*.c).
 *
 * Every call of a wrapped function counts, per process (per copy of this
 * object: pmrd has one, libpmr its own).  The N-th (PMR_FAULT_N=N) fails
 * without calling the real function.  PMR_FAULT_REPORT=FILE appends a
 * line there for the injected call and one at exit with the count.
 */
#ifndef PMR_FAULT_INJECT_H
#define PMR_FAULT_INJECT_H

#include <stdbool.h>

/*
 * pmr_fault_hit -- count one call of FN; true when it is the one to fail
 * (then the caller sets errno or returns the error itself)
 */
bool pmr_fault_hit(const char *fn, void *caller);

/*
 * pmr_fault_env_ulong -- the decimal number in the environment variable
 * NAME into *RET; false (RET untouched) when unset, empty or malformed
 */
bool pmr_fault_env_ulong(const char *name, unsigned long *ret);

/* pmr_fault_calls -- wrapped calls so far in this process */
unsigned long pmr_fault_calls(void);

/*
 * pmr_fault_configure -- start counting from zero and fail call N (0: none),
 * as PMR_FAULT_N does at the first call; for tests
 */
void pmr_fault_configure(unsigned long n);

/* FAULT_HIT -- the wrapper's own call site's caller */
#define FAULT_HIT(fn) pmr_fault_hit(#fn, __builtin_return_address(0))

#endif
