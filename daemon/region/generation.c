/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * generation.c -- the persistent fencing generation of a region
 * (generation.h)
 *
 * The region's own file cannot hold it: a prepared fsdax file is
 * immutable (FS_IMMUTABLE_FL), xattrs included, and a devdax device has
 * no place for it.  So it lives in the state directory, replaced
 * atomically: a crash leaves the old number or the new one, never a torn
 * one, and the new one is on disk before the grant that hands it out is
 * answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generation.h"
#include "log.h"

#define GEN_TEXT_MAX 24 /* 20 digits of a u64, a newline, slack */

/* pmrd_gen_path -- see generation.h */
const char *pmrd_gen_path(const char *dir, const char *region, char *buf,
			  size_t cap)
{
	int n = snprintf(buf, cap, "%s/%s.generation", dir, region);

	return n < 0 || (size_t)n >= cap ? NULL : buf;
}

/* parse -- the LEN bytes of TEXT: digits, one newline; -EBADMSG else */
static int parse(const char *text, size_t len, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (len < 2 || text[len - 1] != '\n' || (text[0] == '0' && len > 2))
		return -EBADMSG;
	for (i = 0; i < len - 1; i++) {
		unsigned d = (unsigned char)text[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

/* pmrd_gen_load -- see generation.h */
int pmrd_gen_load(const char *dir, const char *region, uint64_t *ret)
{
	char path[4096], text[GEN_TEXT_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fd, err;

	if (!pmrd_gen_path(dir, region, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			*ret = 0;
			return 0;
		}
		err = -errno;
		log_err("region %s: cannot read its generation from %s: %s",
			region, path, strerror(-err));
		return err;
	}
	do {
		n = read(fd, text + len, sizeof(text) - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 && len < sizeof(text));
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err) {
		log_err("region %s: cannot read its generation from %s: %s",
			region, path, strerror(-err));
		return err;
	}
	if (len > GEN_TEXT_MAX || parse(text, len, ret)) {
		log_err("region %s: %s is corrupt (not a generation number): exclusive opens refused until an administrator repairs it",
			region, path);
		return -EBADMSG;
	}
	return 0;
}

/* write_all -- LEN bytes of BUF to FD; negative errno */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* sync_dir -- fsync DIR, so a rename in it is durable */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* pmrd_gen_store -- see generation.h */
int pmrd_gen_store(const char *dir, const char *region, uint64_t gen)
{
	char path[4096], tmp[4096 + 8], text[GEN_TEXT_MAX + 1];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", gen);
	const char *step = "open";
	int fd, err;

	if (!pmrd_gen_path(dir, region, path, sizeof(path)) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		err = -errno;
		goto out_log;
	}
	step = "write";
	err = write_all(fd, text, (size_t)n);
	if (!err) {
		step = "fsync";
		err = fsync(fd) ? -errno : 0;
	}
	close(fd);
	if (err)
		goto out_unlink;
	step = "rename";
	if (rename(tmp, path)) {
		err = -errno;
		goto out_unlink;
	}
	step = "fsync of the directory";
	err = sync_dir(dir);
	if (err)
		goto out_log; /* renamed: the new number may stay, never less */
	return 0;

out_unlink:
	unlink(tmp);
out_log:
	log_err("region %s: cannot store generation %" PRIu64 " in %s (%s): %s",
		region, gen, path, step, strerror(-err));
	return err;
}
