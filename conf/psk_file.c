/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * psk_file.c -- the "psk_file" of a region: a pre-shared key read at start
 *
 * The file holds the key as hex or raw bytes, 16..64 bytes: the format
 * libpmr reads too (proto/psk.h).  It must be a regular file nobody but
 * its owner can read or write: a key others can read is no secret, one
 * they can write is theirs.  For the same reason the owner must be root or
 * the user pmrd runs as (another user could replace the key at will), and
 * the path itself must not be a symbolic link (O_NOFOLLOW: whoever owns
 * the link picks the file).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_private.h"
#include "psk.h"

/* the largest file worth reading: a 64-byte key in hex plus whitespace */
#define PSK_FILE_MAX 512

_Static_assert(PMRD_PSK_MIN == PMR_PSK_MIN && PMRD_PSK_MAX == PMR_PSK_MAX,
	       "conf's key sizes are the key file format's");

/* conf_psk_read -- see conf_private.h */
int conf_psk_read(const char *path, uint8_t *key, size_t *ret_len,
		  const char **why)
{
	char buf[PSK_FILE_MAX + 1];
	uint8_t tmp[PMRD_PSK_MAX];
	struct stat st;
	ssize_t n;
	size_t k;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP) {
		*why = "a symbolic link (name the key file itself)";
		return -EPERM;
	}
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
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		*why = "owned by another user (must be root or the user pmrd runs as)";
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
	k = pmr_psk_decode(buf, (size_t)n, tmp);
	if (!k && n > PMRD_PSK_MAX) {
		*why = "too long for a key (at most 64 bytes, or 128 hex digits)";
		goto out_wipe;
	}
	if (k < PMRD_PSK_MIN) {
		*why = "key too short (at least 16 bytes, or 32 hex digits)";
		goto out_wipe;
	}
	memcpy(key, tmp, k);
	*ret_len = k;
	err = 0;
out_wipe:
	pmr_secret_wipe(buf, sizeof(buf));
	pmr_secret_wipe(tmp, sizeof(tmp));
out_close:
	close(fd);
	return err;
}

/* conf_psk_wipe -- see conf_private.h */
void conf_psk_wipe(struct pmrd_region_conf *r)
{
	pmr_secret_wipe(r->psk, sizeof(r->psk));
	r->psk_len = 0;
}
