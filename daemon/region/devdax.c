/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devdax.c -- open and map a /dev/daxX.Y region
 *
 * A device DAX namespace has no filesystem, hence no extents, no xattrs and
 * no immutable flag: it is mapped as it is and never zeroed (its contents
 * are whatever the operator put there).  Its size comes from sysfs; a size
 * in the config is a cross-check only.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devdax.h"
#include "log.h"
#include "map.h"

/* read_u64_file -- a file holding one decimal number */
static int read_u64_file(const char *file, uint64_t *ret)
{
	char buf[64], *end;
	unsigned long long v;
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	*ret = v;
	return 0;
}

/* pmrd_devdax_size -- size of a devdax device from sysfs */
int pmrd_devdax_size(const char *sysfs_root, const char *dev_path, dev_t rdev,
		     uint64_t *ret)
{
	char file[PATH_MAX];
	const char *base;
	int err;

	snprintf(file, sizeof(file), "%s/dev/char/%u:%u/size", sysfs_root,
		 major(rdev), minor(rdev));
	err = read_u64_file(file, ret);
	if (err != -ENOENT)
		return err;

	base = strrchr(dev_path, '/');
	base = base ? base + 1 : dev_path;
	snprintf(file, sizeof(file), "%s/bus/dax/devices/%s/size", sysfs_root,
		 base);
	return read_u64_file(file, ret);
}

/* pmrd_devdax_open -- open, size-check and map a devdax region */
int pmrd_devdax_open(const struct pmrd_region_conf *rc, struct pmrd_region *r)
{
	struct stat st;
	uint64_t size;
	int fd, ret;

	fd = open(rc->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err("region %s: %s: cannot open devdax device: %s",
			rc->name, rc->path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		log_err("region %s: %s: stat: %s", rc->name, rc->path,
			strerror(-ret));
		goto out_close_fd;
	}
	ret = pmrd_devdax_size(PMRD_SYSFS_ROOT, rc->path, st.st_rdev, &size);
	if (ret) {
		log_err("region %s: %s: not a devdax device, or its size is unreadable in sysfs (/sys/dev/char/%u:%u/size): %s",
			rc->name, rc->path, major(st.st_rdev),
			minor(st.st_rdev), strerror(-ret));
		goto out_close_fd;
	}
	if (size == 0 || size > SIZE_MAX) {
		log_err("region %s: %s: devdax size %" PRIu64 " is unusable",
			rc->name, rc->path, size);
		ret = -EINVAL;
		goto out_close_fd;
	}
	if (rc->size && rc->size != size) {
		log_err("region %s: %s: config says size %" PRIu64
			" bytes but the device has %" PRIu64
			"; fix the config (size is optional for devdax)",
			rc->name, rc->path, rc->size, size);
		ret = -EINVAL;
		goto out_close_fd;
	}
	r->kind = PMRD_REGION_DEVDAX;
	ret = pmrd_map_fd(r, fd, (size_t)size, true);
	if (ret)
		goto out_close_fd;
	r->zeroed_now = false;
	memset(r->uuid, 0, sizeof(r->uuid));
out_close_fd:
	close(fd);
	return ret;
}
