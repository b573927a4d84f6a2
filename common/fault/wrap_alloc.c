/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_alloc.c -- allocations that fail with ENOMEM when fault injection
 * picks them (linked with -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds only)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault_inject.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
int __real_posix_memalign(void **ret, size_t align, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
int __wrap_posix_memalign(void **ret, size_t align, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* ENOMEM_IF -- the picked call: errno ENOMEM, return NULL */
#define ENOMEM_IF(fn)                   \
	do {                            \
		if (FAULT_HIT(fn)) {    \
			errno = ENOMEM; \
			return NULL;    \
		}                       \
	} while (0)

/* __wrap_malloc -- malloc, or ENOMEM */
void *__wrap_malloc(size_t size)
{
	ENOMEM_IF(malloc);
	return __real_malloc(size);
}

/* __wrap_calloc -- calloc, or ENOMEM */
void *__wrap_calloc(size_t n, size_t size)
{
	ENOMEM_IF(calloc);
	return __real_calloc(n, size);
}

/* __wrap_realloc -- realloc, or ENOMEM (P stays allocated, as real) */
void *__wrap_realloc(void *p, size_t size)
{
	ENOMEM_IF(realloc);
	return __real_realloc(p, size);
}

/* __wrap_reallocarray -- reallocarray, or ENOMEM (P stays allocated) */
void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	ENOMEM_IF(reallocarray);
	return __real_reallocarray(p, n, size);
}

/* __wrap_aligned_alloc -- aligned_alloc, or ENOMEM */
void *__wrap_aligned_alloc(size_t align, size_t size)
{
	ENOMEM_IF(aligned_alloc);
	return __real_aligned_alloc(align, size);
}

/* __wrap_posix_memalign -- posix_memalign, or ENOMEM (*RET untouched) */
int __wrap_posix_memalign(void **ret, size_t align, size_t size)
{
	if (FAULT_HIT(posix_memalign))
		return ENOMEM;
	return __real_posix_memalign(ret, align, size);
}

/* __wrap_strdup -- strdup, or ENOMEM */
char *__wrap_strdup(const char *s)
{
	ENOMEM_IF(strdup);
	return __real_strdup(s);
}

/* __wrap_strndup -- strndup, or ENOMEM */
char *__wrap_strndup(const char *s, size_t n)
{
	ENOMEM_IF(strndup);
	return __real_strndup(s, n);
}
