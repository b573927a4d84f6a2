/* SPDX-License-Identifier: BSD-3-Clause */
/* psk.c -- the pre-shared key file format (psk.h) and wiping keys */
#include <ctype.h>
#include <string.h>

#include "psk.h"

/* hex_val -- value of hex digit C, -1 if none */
static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hex_key -- BUF[0..N) as trimmed hex into KEY; 0 when it is not hex */
static size_t hex_key(const char *buf, size_t n, uint8_t *key)
{
	size_t a = 0, b = n, k = 0;

	while (a < b && isspace((unsigned char)buf[a]))
		a++;
	while (b > a && isspace((unsigned char)buf[b - 1]))
		b--;
	if (a == b || (b - a) % 2 || (b - a) / 2 > PMR_PSK_MAX)
		return 0;
	for (size_t i = a; i < b; i += 2) {
		int hi = hex_val(buf[i]), lo = hex_val(buf[i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		key[k++] = (uint8_t)(hi << 4 | lo);
	}
	return k;
}

/* pmr_psk_decode -- see psk.h */
size_t pmr_psk_decode(const char *buf, size_t n, uint8_t key[PMR_PSK_MAX])
{
	size_t k = hex_key(buf, n, key);

	if (k)
		return k;
	if (n > PMR_PSK_MAX)
		return 0;
	memcpy(key, buf, n);
	return n;
}

/* pmr_secret_wipe -- see psk.h */
void pmr_secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}
