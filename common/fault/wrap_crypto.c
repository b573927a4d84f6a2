/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_crypto.c -- random and HMAC calls that fail when fault injection
 * picks them (linked with -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds
 * only).  EVP_sha256 and CRYPTO_memcmp cannot fail: not wrapped.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "fault_inject.h"

int __real_RAND_bytes(unsigned char *buf, int num);
unsigned char *__real_HMAC(const void *md, const void *key, int key_len,
			   const unsigned char *d, size_t n, unsigned char *out,
			   unsigned int *out_len);
ssize_t __real_getrandom(void *buf, size_t len, unsigned int flags);

int __wrap_RAND_bytes(unsigned char *buf, int num);
unsigned char *__wrap_HMAC(const void *md, const void *key, int key_len,
			   const unsigned char *d, size_t n, unsigned char *out,
			   unsigned int *out_len);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags);

/* __wrap_RAND_bytes -- or 0 (the generator could not be seeded) */
int __wrap_RAND_bytes(unsigned char *buf, int num)
{
	if (FAULT_HIT(RAND_bytes))
		return 0;
	return __real_RAND_bytes(buf, num);
}

/* __wrap_HMAC -- or NULL (OpenSSL's failure) */
unsigned char *__wrap_HMAC(const void *md, const void *key, int key_len,
			   const unsigned char *d, size_t n, unsigned char *out,
			   unsigned int *out_len)
{
	if (FAULT_HIT(HMAC))
		return NULL;
	return __real_HMAC(md, key, key_len, d, n, out, out_len);
}

/* __wrap_getrandom -- or ENOSYS (a kernel without it) */
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags)
{
	if (FAULT_HIT(getrandom)) {
		errno = ENOSYS;
		return -1;
	}
	return __real_getrandom(buf, len, flags);
}
