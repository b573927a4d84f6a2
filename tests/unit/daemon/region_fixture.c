/* SPDX-License-Identifier: BSD-3-Clause */
/* region_fixture.c -- scratch directory and file helpers for region tests */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/fs.h>

#include "immutable.h"
#include "log.h"
#include "pmrd_xattr.h"
#include "region_fixture.h"

char t_dir[PATH_MAX];

/* t_setup -- a fresh directory under the build tree */
void t_setup(void)
{
	pmrd_log_init("test", LOG_ERR);
	mkdir(PMRD_TEST_TMPDIR, 0700);
	snprintf(t_dir, sizeof(t_dir), "%s/t.XXXXXX", PMRD_TEST_TMPDIR);
	cr_assert_not_null(mkdtemp(t_dir), "mkdtemp: %s", strerror(errno));
}

/* t_setup_root -- as t_setup, but skip when trusted xattrs/chattr are out */
void t_setup_root(void)
{
	if (geteuid() != 0)
		cr_skip_test(
			"needs root: trusted.* xattrs and FS_IMMUTABLE_FL (CAP_SYS_ADMIN, CAP_LINUX_IMMUTABLE)");
	t_setup();
}

/* t_teardown -- chattr -i and remove everything in t_dir, then t_dir */
void t_teardown(void)
{
	struct dirent *de;
	char p[PATH_MAX + 256];
	DIR *d;

	if (!t_dir[0])
		return;
	d = opendir(t_dir);
	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", t_dir, de->d_name);
			t_set_immutable(p, false);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t_dir);
	t_dir[0] = '\0';
}

/* t_path -- t_dir/name */
void t_path(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", t_dir, name);

	cr_assert_lt(n, PATH_MAX, "scratch path too long");
}

/* t_conf -- a testing-mode region */
struct pmrd_region_conf t_conf(const char *path, uint64_t size)
{
	struct pmrd_region_conf rc = {
		.name = "t",
		.path = (char *)path,
		.size = size,
		.persistent = false,
	};
	return rc;
}

/* t_immutable -- FS_IMMUTABLE_FL of path */
bool t_immutable(const char *path)
{
	bool on = false;
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(pmrd_immutable_get(fd, &on), 0);
	close(fd);
	return on;
}

/* t_set_immutable -- chattr [+-]i, quietly ignoring a missing file */
void t_set_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return;
	pmrd_immutable_set(fd, on);
	close(fd);
}

/* t_has_xattr -- does path carry trusted.pmrd? */
bool t_has_xattr(const char *path)
{
	return getxattr(path, PMRD_XATTR_NAME, NULL, 0) >= 0;
}

/* t_read_all -- the whole file */
void *t_read_all(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(buf);
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + off, (size_t)st.st_size - off,
				  (off_t)off);

		cr_assert_gt(n, 0);
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return buf;
}

/* t_all_zero -- every byte zero? */
bool t_all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* t_write_file -- create or overwrite path with buf */
void t_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* t_fill -- bytes that are neither zero nor constant */
void t_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed) % 251 + 1);
}
