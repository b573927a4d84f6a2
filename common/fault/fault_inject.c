/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.c -- count the wrapped calls of this process and pick the
 * one that fails (PMR_FAULT_N), report both (PMR_FAULT_REPORT); with
 * PMR_FAULT_TRACE=1 also every call, so one clean run lists which call
 * site each N names (a walk can then pick one N per site).
 *
 * Only in the -DPMRD_FAULT_INJECTION=ON build.  Deterministic: the same
 * program doing the same work makes the same calls in the same order, so
 * N names one call site; a run with N above the count injects nothing,
 * which is how a walk over N knows it is done.  The report goes through
 * stdio, which no wrapper counts (only the project's own objects are
 * linked with --wrap).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_inject.h"

static unsigned long calls;   /* wrapped calls so far */
static unsigned long fail_at; /* the call that fails; 0: none */
static int configured;	      /* PMR_FAULT_N was read */
static int injected;	      /* call fail_at happened */
static int trace;	      /* PMR_FAULT_TRACE: report every call */

/* pmr_fault_env_ulong -- see fault_inject.h */
bool pmr_fault_env_ulong(const char *name, unsigned long *ret)
{
	const char *s = getenv(name);
	unsigned long n;
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = n;
	return true;
}

/* configure_from_env -- PMR_FAULT_N, once; a bad value injects nothing */
static void configure_from_env(void)
{
	const char *t = getenv("PMR_FAULT_TRACE");

	configured = 1;
	trace = t && !strcmp(t, "1");
	pmr_fault_env_ulong("PMR_FAULT_N", &fail_at);
}

/*
 * report -- append "pmr-fault pid=P WHAT calls=C n=N" and, for an
 * injection, where: "fn=FN at=OBJECT+0xOFFSET" (addr2line -e OBJECT)
 */
static void report(const char *what, const char *fn, void *caller)
{
	const char *path = getenv("PMR_FAULT_REPORT");
	uintptr_t off = (uintptr_t)caller;
	const char *obj = "?";
	Dl_info info;
	FILE *f;

	if (!path || !*path)
		return;
	if (caller && dladdr(caller, &info) && info.dli_fname) {
		obj = info.dli_fname;
		off -= (uintptr_t)info.dli_fbase;
	}
	f = fopen(path, "ae");
	if (!f)
		return;
	fprintf(f, "pmr-fault pid=%ld %s calls=%lu n=%lu", (long)getpid(), what,
		calls, fail_at);
	if (fn)
		fprintf(f, " fn=%s at=%s+0x%lx", fn, obj, (unsigned long)off);
	fputc('\n', f);
	fclose(f);
}

/* pmr_fault_hit -- see fault_inject.h */
bool pmr_fault_hit(const char *fn, void *caller)
{
	unsigned long n;

	if (!__atomic_load_n(&configured, __ATOMIC_ACQUIRE))
		configure_from_env();
	n = __atomic_add_fetch(&calls, 1, __ATOMIC_ACQ_REL);
	if (!fail_at || n != fail_at) {
		if (trace)
			report("call", fn, caller);
		return false;
	}
	injected = 1;
	report("injected", fn, caller);
	return true;
}

/* pmr_fault_calls -- see fault_inject.h */
unsigned long pmr_fault_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_ACQUIRE);
}

/* pmr_fault_configure -- see fault_inject.h */
void pmr_fault_configure(unsigned long n)
{
	__atomic_store_n(&calls, 0, __ATOMIC_RELEASE);
	fail_at = n;
	injected = 0;
	__atomic_store_n(&configured, 1, __ATOMIC_RELEASE);
}

/* report_at_exit -- the count of this run: how many points a walk has */
__attribute__((destructor)) static void report_at_exit(void)
{
	report(injected ? "exit injected=1" : "exit injected=0", NULL, NULL);
}
