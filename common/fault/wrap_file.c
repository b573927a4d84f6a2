/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_file.c -- file, xattr and mapping calls that fail when fault
 * injection picks them (linked with -Wl,--wrap=<fn>,
 * PMRD_FAULT_INJECTION builds only), each with an errno the real call
 * gives for a reason outside the caller's control.  close is not
 * injected (Linux releases the fd even when it reports an error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fault_inject.h"

int __real_open(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t n);
int __real_stat(const char *path, struct stat *st);
int __real_lstat(const char *path, struct stat *st);
int __real_fstat(int fd, struct stat *st);
int __real_fstatfs(int fd, struct statfs *st);
int __real_statx(int dirfd, const char *path, int flags, unsigned int mask,
		 struct statx *st);
ssize_t __real_fgetxattr(int fd, const char *name, void *value, size_t size);
int __real_fsetxattr(int fd, const char *name, const void *value, size_t size,
		     int flags);
int __real_fallocate(int fd, int mode, off_t off, off_t len);
int __real_ftruncate(int fd, off_t len);
int __real_fsync(int fd);
ssize_t __real_pwritev(int fd, const struct iovec *iov, int n, off_t off);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __real_ioctl(int fd, unsigned long req, ...);
int __real_mkdir(const char *path, mode_t mode);
int __real_chmod(const char *path, mode_t mode);
int __real_chown(const char *path, uid_t uid, gid_t gid);
int __real_unlink(const char *path);

int __wrap_open(const char *path, int flags, ...);
ssize_t __wrap_read(int fd, void *buf, size_t n);
int __wrap_stat(const char *path, struct stat *st);
int __wrap_lstat(const char *path, struct stat *st);
int __wrap_fstat(int fd, struct stat *st);
int __wrap_fstatfs(int fd, struct statfs *st);
int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask,
		 struct statx *st);
ssize_t __wrap_fgetxattr(int fd, const char *name, void *value, size_t size);
int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size,
		     int flags);
int __wrap_fallocate(int fd, int mode, off_t off, off_t len);
int __wrap_ftruncate(int fd, off_t len);
int __wrap_fsync(int fd);
ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int n, off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_chmod(const char *path, mode_t mode);
int __wrap_chown(const char *path, uid_t uid, gid_t gid);
int __wrap_unlink(const char *path);

/* FAIL_IF -- the picked call: errno ERR, return -1 */
#define FAIL_IF(fn, err)               \
	do {                           \
		if (FAULT_HIT(fn)) {   \
			errno = (err); \
			return -1;     \
		}                      \
	} while (0)

/* __wrap_open -- or EMFILE (out of fds); the mode only with O_CREAT */
int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	FAIL_IF(open, EMFILE);
	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return __real_open(path, flags, mode);
}

/* __wrap_read -- or EIO */
ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	FAIL_IF(read, EIO);
	return __real_read(fd, buf, n);
}

/* __wrap_stat -- or ENOMEM (kernel memory) */
int __wrap_stat(const char *path, struct stat *st)
{
	FAIL_IF(stat, ENOMEM);
	return __real_stat(path, st);
}

/* __wrap_lstat -- or ENOMEM */
int __wrap_lstat(const char *path, struct stat *st)
{
	FAIL_IF(lstat, ENOMEM);
	return __real_lstat(path, st);
}

/* __wrap_fstat -- or EIO */
int __wrap_fstat(int fd, struct stat *st)
{
	FAIL_IF(fstat, EIO);
	return __real_fstat(fd, st);
}

/* __wrap_fstatfs -- or EIO */
int __wrap_fstatfs(int fd, struct statfs *st)
{
	FAIL_IF(fstatfs, EIO);
	return __real_fstatfs(fd, st);
}

/* __wrap_statx -- or ENOMEM */
int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask,
		 struct statx *st)
{
	FAIL_IF(statx, ENOMEM);
	return __real_statx(dirfd, path, flags, mask, st);
}

/* __wrap_fgetxattr -- or EIO (not ENODATA/ENOTSUP: those are answers) */
ssize_t __wrap_fgetxattr(int fd, const char *name, void *value, size_t size)
{
	FAIL_IF(fgetxattr, EIO);
	return __real_fgetxattr(fd, name, value, size);
}

/* __wrap_fsetxattr -- or ENOSPC */
int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size,
		     int flags)
{
	FAIL_IF(fsetxattr, ENOSPC);
	return __real_fsetxattr(fd, name, value, size, flags);
}

/* __wrap_fallocate -- or ENOSPC */
int __wrap_fallocate(int fd, int mode, off_t off, off_t len)
{
	FAIL_IF(fallocate, ENOSPC);
	return __real_fallocate(fd, mode, off, len);
}

/* __wrap_ftruncate -- or EIO */
int __wrap_ftruncate(int fd, off_t len)
{
	FAIL_IF(ftruncate, EIO);
	return __real_ftruncate(fd, len);
}

/* __wrap_fsync -- or EIO */
int __wrap_fsync(int fd)
{
	FAIL_IF(fsync, EIO);
	return __real_fsync(fd);
}

/* __wrap_pwritev -- or EIO */
ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	FAIL_IF(pwritev, EIO);
	return __real_pwritev(fd, iov, n, off);
}

/* __wrap_mmap -- or ENOMEM (MAP_FAILED) */
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	if (FAULT_HIT(mmap)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap(addr, len, prot, flags, fd, off);
}

/* __wrap_ioctl -- or EIO; the argument is passed on as a pointer */
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	void *arg;
	va_list ap;

	FAIL_IF(ioctl, EIO);
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return __real_ioctl(fd, req, arg);
}

/* __wrap_mkdir -- or ENOSPC */
int __wrap_mkdir(const char *path, mode_t mode)
{
	FAIL_IF(mkdir, ENOSPC);
	return __real_mkdir(path, mode);
}

/* __wrap_chmod -- or EIO */
int __wrap_chmod(const char *path, mode_t mode)
{
	FAIL_IF(chmod, EIO);
	return __real_chmod(path, mode);
}

/* __wrap_chown -- or EIO */
int __wrap_chown(const char *path, uid_t uid, gid_t gid)
{
	FAIL_IF(chown, EIO);
	return __real_chown(path, uid, gid);
}

/* __wrap_unlink -- or EIO */
int __wrap_unlink(const char *path)
{
	FAIL_IF(unlink, EIO);
	return __real_unlink(path);
}
