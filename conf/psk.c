/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * psk.c -- the "psk_file" of a region: a pre-shared key read at start
 *
 * The file holds the key either as hex (an even number of hex digits,
 * whitespace around them ignored) or as raw bytes (anything else, used
 * exactly as it is).  16..64 bytes.  It must be a regular file nobody but
 * its owner can read or write: a key others can read is no secret, one
 * they can write is theirs.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_private.h"

/* the largest file worth reading: a 64-byte key in hex plus whitespace */
#define PSK_FILE_MAX 512

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

/* hex_key -- BUF[0..N) as trimmed hex into KEY; -1 when it is not hex */
static ssize_t hex_key(const char *buf, size_t n, uint8_t *key)
{
	size_t a = 0, b = n, k = 0;

	while (a < b && isspace((unsigned char)buf[a]))
		a++;
	while (b > a && isspace((unsigned char)buf[b - 1]))
		b--;
	if (a == b || (b - a) % 2 || (b - a) / 2 > PMRD_PSK_MAX)
		return -1;
	for (size_t i = a; i < b; i += 2) {
		int hi = hex_val(buf[i]), lo = hex_val(buf[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		key[k++] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)k;
}

/* wipe -- clear key material (a plain memset may be optimized out) */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

/* conf_psk_read -- see conf_private.h */
int conf_psk_read(const char *path, uint8_t *key, size_t *ret_len,
		  const char **why)
{
	char buf[PSK_FILE_MAX + 1];
	uint8_t tmp[PMRD_PSK_MAX];
	struct stat st;
	ssize_t n, k;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		*why = strerror(errno);
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		*why = strerror(errno);
		goto out_close;
	}
	err = -EPERM;
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto out_close;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*why = "group or others may access it (chmod 600 or 400)";
		goto out_close;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		err = -errno;
		*why = strerror(errno);
		goto out_close;
	}
	err = -EINVAL;
	if (n > PSK_FILE_MAX) {
		*why = "too long for a key (at most 64 bytes, or 128 hex digits)";
		goto out_wipe;
	}
	k = hex_key(buf, (size_t)n, tmp);
	if (k < 0) {
		if (n > PMRD_PSK_MAX) {
			*why = "too long for a key (at most 64 bytes, or 128 hex digits)";
			goto out_wipe;
		}
		memcpy(tmp, buf, (size_t)n);
		k = n;
	}
	if (k < PMRD_PSK_MIN) {
		*why = "key too short (at least 16 bytes, or 32 hex digits)";
		goto out_wipe;
	}
	memcpy(key, tmp, (size_t)k);
	*ret_len = (size_t)k;
	err = 0;
out_wipe:
	wipe(buf, sizeof(buf));
	wipe(tmp, sizeof(tmp));
out_close:
	close(fd);
	return err;
}

/* conf_psk_wipe -- see conf_private.h */
void conf_psk_wipe(struct pmrd_region_conf *r)
{
	wipe(r->psk, sizeof(r->psk));
	r->psk_len = 0;
}
