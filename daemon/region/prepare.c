/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prepare.c -- the preparation state machine for file regions
 *
 * Facts this follows: an immutable file cannot be opened O_RDWR (even by
 * root) and a shared writable mapping needs an O_RDWR fd, so every start
 * clears FS_IMMUTABLE_FL, opens O_RDWR, maps, sets the flag again and closes
 * the fd.  The flag therefore says nothing about preparation; the
 * trusted.pmrd xattr (pmrd_xattr.h) does, and it is written before the flag.
 *
 * States, read from the file at start:
 *   absent, or empty without trusted.pmrd  -> new: create/prepare
 *   trusted.pmrd state "preparing"         -> prepare again from scratch
 *   trusted.pmrd state "prepared"          -> keep: check, map, seal
 *   non-empty without trusted.pmrd, foreign or damaged trusted.pmrd,
 *   prepared with another size              -> refuse, touch nothing
 *
 * Preparing, in this order (each xattr write is followed by fsync):
 *   1. create 0600 (O_EXCL) or reuse the empty file
 *   2. xattr := preparing(size, uuid); fsync
 *   3. ftruncate 0, fallocate size, write zeros over all of it with
 *      pwritev (zero.c, which says why not a mapping or
 *      FALLOC_FL_WRITE_ZEROES), fsync
 *   4. FIEMAP: no holes, no unwritten extents (tmpfs has no extents:
 *      st_blocks must cover the size)
 *   5. xattr := prepared(size, uuid); fsync; fsync the directory
 *   6. map; set FS_IMMUTABLE_FL; close the fd
 * Keeping: check size and FIEMAP; clear the flag; open O_RDWR; map; set the
 * flag; close.
 *
 * TESTING regions (not DAX) are sealed at close instead of in step 6: on a
 * page-cache file, setting the flag write-protects the mapping and ext4
 * then fails stores with SIGBUS (measured on 6.18).  DAX files are sealed
 * in step 6, while mapped, and served sealed (tests/vm/suites/45-fsdax.sh).  They keep an O_RDONLY fd for that.
 * A crash while open leaves the flag clear, which is the keep case below.
 *
 * Why every crash point is safe (only two outcomes: redo or keep):
 * - Before 2 is durable the file is empty: nothing in it ever reached the
 *   disk except through 3, which comes after the fsync in 2.  An empty file
 *   without the xattr is "new"; re-creating it destroys nothing.
 * - Between 2 and 5 the xattr says "preparing": only pmrd writes that, only
 *   on a file it created (or found empty), and never exported the file in
 *   that state, so it holds no client data; redoing from step 2 is correct.
 * - "prepared" becomes durable only after the zeros and the extents are
 *   (fsync in 3 before 5), so a prepared file never needs zeroing again.
 *   The directory fsync in 5 makes the name durable before any client can
 *   write, so a crash cannot make a used region vanish and be re-created.
 * - From 5 on, and in every later start, nothing ever changes the state
 *   back: the flag may be found clear (a crash between clearing and setting
 *   it again in a later start, or in 6) and is simply set again; the data is
 *   kept.  Re-zeroing needs a "preparing" record, which is only written on
 *   a file that has none or already says preparing.
 * - A file whose state cannot be read (no xattr but data, another magic,
 *   bad CRC, newer version) or whose size differs from the record is
 *   refused untouched: pmrd never destroys data it did not create.
 * Setting the flag needs CAP_LINUX_IMMUTABLE, the xattr needs trusted.*
 * (CAP_SYS_ADMIN): both are checked by doing them, with a clear error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "fiemap.h"
#include "immutable.h"
#include "log.h"
#include "map.h"
#include "pmrd_xattr.h"
#include "prepare.h"
#include "util.h"
#include "zero.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

/* check_size -- a size we can create and map: non-zero, whole pages */
static int check_size(const struct pmrd_region_conf *rc, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (size == 0) {
		log_err("region %s: %s: no size given; a file region needs 'size' to be created",
			rc->name, rc->path);
		return -EINVAL;
	}
	if (size % page || size > SIZE_MAX || size > INT64_MAX) {
		log_err("region %s: %s: size %" PRIu64
			" is not a multiple of the page size (%" PRIu64 ")",
			rc->name, rc->path, size, page);
		return -EINVAL;
	}
	return 0;
}

/* set_kind -- FSDAX if fd is on DAX, TESTING if allowed, else refuse */
static int set_kind(const struct pmrd_region_conf *rc, struct pmrd_region *r,
		    int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0) {
		int ret = -errno;

		log_err("region %s: %s: statx: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	if ((stx.stx_attributes_mask & STATX_ATTR_DAX) &&
	    (stx.stx_attributes & STATX_ATTR_DAX)) {
		r->kind = PMRD_REGION_FSDAX;
		return 0;
	}
	if (rc->persistent) {
		log_err("region %s: %s: not on DAX (statx shows no STATX_ATTR_DAX): mount the filesystem with -o dax, or set 'persistent = no' to test without persistent memory",
			rc->name, rc->path);
		return -EOPNOTSUPP;
	}
	r->kind = PMRD_REGION_TESTING;
	log_warn(
		"region %s: %s: TESTING MODE (persistent = no): not on DAX, page-cache backed, NOT persistent memory; never keep real data here",
		rc->name, rc->path);
	return 0;
}

/* immutable_err -- log a failed FS_IOC_SETFLAGS with the way out */
static void immutable_err(const struct pmrd_region_conf *rc, bool on, int err)
{
	const char *why = strerror(-err);

	if (err == -EPERM)
		why = "operation not permitted: changing FS_IMMUTABLE_FL needs CAP_LINUX_IMMUTABLE (run as root or add it to the service's capabilities)";
	else if (err == -ENOTTY || err == -EOPNOTSUPP)
		why = "this filesystem has no immutable flag";
	log_err("region %s: %s: cannot %s the immutable flag: %s", rc->name,
		rc->path, on ? "set" : "clear", why);
}

/*
 * tmpfs_verify -- tmpfs keeps no extents (FIEMAP: EOPNOTSUPP), its blocks
 * are pages of memory; what FIEMAP proves elsewhere, that every byte is
 * allocated, shows there in st_blocks (swapped-out pages included), and
 * there is no unwritten state for an RDMA access to race with.
 */
static int tmpfs_verify(const struct pmrd_region_conf *rc, int fd,
			uint64_t size)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0) {
		ret = -errno;
		log_err("region %s: %s: stat: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	if ((uint64_t)st.st_blocks * 512 < size) {
		log_err("region %s: %s: tmpfs file has %" PRIu64 " of %" PRIu64
			" bytes allocated",
			rc->name, rc->path, (uint64_t)st.st_blocks * 512, size);
		return -EIO;
	}
	log_debug("region %s: %s: on tmpfs, all %" PRIu64 " bytes allocated",
		  rc->name, rc->path, size);
	return 0;
}

/* fiemap_verify -- all of [0, size) written extents, or a logged -EIO */
static int fiemap_verify(const struct pmrd_region_conf *rc, int fd,
			 uint64_t size)
{
	struct pmrd_fiemap_report rep;
	struct statfs sf;
	int ret;

	if (fstatfs(fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		return tmpfs_verify(rc, fd, size);
	ret = pmrd_fiemap_scan(fd, size, &rep);
	if (ret) {
		log_err("region %s: %s: FIEMAP: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	if (!pmrd_fiemap_ok(&rep)) {
		log_err("region %s: %s: extents not fully written: %" PRIu64
			" bytes in holes, %" PRIu64 " unwritten, %" PRIu64
			" other (first at offset %" PRIu64 ")",
			rc->name, rc->path, rep.hole_bytes, rep.unwritten_bytes,
			rep.other_bytes, rep.first_bad);
		return -EIO;
	}
	log_debug("region %s: %s: %" PRIu64 " extents, all written", rc->name,
		  rc->path, rep.extents);
	return 0;
}

/* fsync_parent -- make the file's directory entry durable */
static int fsync_parent(const struct pmrd_region_conf *rc)
{
	char dir[PATH_MAX];
	int fd, ret = 0;

	if (strlen(rc->path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, rc->path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		log_err("region %s: %s: fsync of its directory: %s", rc->name,
			rc->path, strerror(-ret));
	return ret;
}

/* reopen -- open the path again and make sure it is still fd's inode */
static int reopen(const struct pmrd_region_conf *rc, int fd, int flags,
		  int *ret_fd)
{
	struct stat a, b;
	int rw, ret;

	rw = open(rc->path, flags | O_CLOEXEC);
	if (rw < 0) {
		ret = -errno;
		log_err("region %s: %s: open %s: %s", rc->name, rc->path,
			(flags & O_ACCMODE) == O_RDWR ? "read-write" :
							"read-only",
			strerror(-ret));
		return ret;
	}
	if (fstat(fd, &a) < 0 || fstat(rw, &b) < 0) {
		ret = -errno;
		log_err("region %s: %s: stat: %s", rc->name, rc->path,
			strerror(-ret));
		goto out_close_rw;
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		log_err("region %s: %s: file was replaced while being opened",
			rc->name, rc->path);
		ret = -ESTALE;
		goto out_close_rw;
	}
	*ret_fd = rw;
	return 0;

out_close_rw:
	close(rw);
	return ret;
}

/* reseal -- set the flag again on a prepared file whose use failed */
static void reseal(const struct pmrd_region_conf *rc, int fd)
{
	if (pmrd_immutable_set(fd, true))
		log_warn("region %s: %s: left without the immutable flag",
			 rc->name, rc->path);
}

/*
 * unseal_reopen -- clear the immutable flag and open the file again
 * read-write: an immutable file cannot be opened O_RDWR (even by root),
 * and a shared writable mapping needs an O_RDWR fd.  When the open fails,
 * the flag is set again if keep_sealed (a prepared file), else left clear.
 */
static int unseal_reopen(const struct pmrd_region_conf *rc, int fd,
			 bool keep_sealed, int *ret_fd)
{
	int ret;

	ret = pmrd_immutable_set(fd, false);
	if (ret) {
		immutable_err(rc, false, ret);
		return ret;
	}
	ret = reopen(rc, fd, O_RDWR, ret_fd);
	if (ret && keep_sealed)
		reseal(rc, fd);
	return ret;
}

/* write_state -- trusted.pmrd := x, durable, with a clear error */
static int write_state(const struct pmrd_region_conf *rc, int fd,
		       const struct pmrd_xattr *x)
{
	int ret = pmrd_xattr_write(fd, x);

	if (ret)
		log_err("region %s: %s: recording state '%s' in %s: %s%s",
			rc->name, rc->path, pmrd_prep_state_name(x->state),
			PMRD_XATTR_NAME, strerror(-ret),
			ret == -EPERM ?
				" (trusted.* xattrs need CAP_SYS_ADMIN)" :
			ret == -ENOTSUP ?
				" (this filesystem has no trusted.* xattrs)" :
				"");
	return ret;
}

/*
 * seal -- set the immutable flag now, or for TESTING regions at close
 * (pmrd_prepare_seal_deferred): on a non-DAX file the kernel writes the
 * page cache back and write-protects it when the flag is set, and ext4's
 * page_mkwrite then answers every store through the mapping with SIGBUS.
 * DAX faults do not check the flag, so DAX regions stay writable sealed.
 */
static int seal(const struct pmrd_region_conf *rc, struct pmrd_region *r,
		int fd)
{
	int ret;

	if (r->kind == PMRD_REGION_TESTING)
		return reopen(rc, fd, O_RDONLY, &r->seal_fd);
	ret = pmrd_immutable_set(fd, true);
	if (ret)
		immutable_err(rc, true, ret);
	return ret;
}

/* pmrd_prepare_seal_deferred -- set the flag a TESTING region left clear */
void pmrd_prepare_seal_deferred(struct pmrd_region *r)
{
	int ret;

	if (r->seal_fd < 0)
		return;
	ret = pmrd_immutable_set(r->seal_fd, true);
	if (ret)
		log_warn(
			"region %s: %s: cannot set the immutable flag at close: %s",
			r->name, r->path, strerror(-ret));
	close(r->seal_fd);
	r->seal_fd = -1;
}

/* allocate -- reserve all blocks up front, so ENOSPC comes now, not later */
static int allocate(const struct pmrd_region_conf *rc, int fd, uint64_t size)
{
	int ret = 0;

	if (ftruncate(fd, 0) < 0) {
		ret = -errno;
		log_err("region %s: %s: truncate: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	if (fallocate(fd, 0, 0, (off_t)size) == 0)
		return 0;
	ret = -errno;
	if (ret == -EOPNOTSUPP) {
		/* zeroing below allocates every block anyway */
		log_debug("region %s: %s: no fallocate, growing with ftruncate",
			  rc->name, rc->path);
		if (ftruncate(fd, (off_t)size) == 0)
			return 0;
		ret = -errno;
	}
	log_err("region %s: %s: allocating %" PRIu64 " bytes: %s%s", rc->name,
		rc->path, size, strerror(-ret),
		ret == -ENOSPC ? " (not enough space on the filesystem)" : "");
	return ret;
}

/*
 * prepare_fresh -- steps 2..6 on fd, open O_RDWR on an empty file pmrd may
 * use or a "preparing" one.  The caller closes fd.
 */
static int prepare_fresh(const struct pmrd_region_conf *rc,
			 struct pmrd_region *r, int fd)
{
	struct pmrd_xattr x = { .state = PMRD_PREP_PREPARING,
				.size = rc->size };
	bool dax = r->kind == PMRD_REGION_FSDAX;
	double t0, t;
	int ret;

	ret = check_size(rc, rc->size);
	if (ret)
		return ret;
	if (getrandom(x.uuid, sizeof(x.uuid), 0) != sizeof(x.uuid)) {
		ret = -errno;
		log_err("region %s: %s: getrandom: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	x.uuid[6] = (uint8_t)((x.uuid[6] & 0x0f) | 0x40); /* RFC 4122 v4 */
	x.uuid[8] = (uint8_t)((x.uuid[8] & 0x3f) | 0x80);

	log_info("region %s: %s: preparing %" PRIu64 " bytes", rc->name,
		 rc->path, rc->size);
	t0 = pmrd_now_ms();
	ret = write_state(rc, fd, &x);
	if (ret)
		return ret;
	ret = allocate(rc, fd, rc->size);
	if (ret)
		return ret;

	ret = pmrd_zero_pwrite(rc->name, rc->path, fd, rc->size);
	if (ret)
		return ret;
	if (fsync(fd) < 0) {
		ret = -errno;
		log_err("region %s: %s: fsync after zeroing: %s", rc->name,
			rc->path, strerror(-ret));
		return ret;
	}
	ret = fiemap_verify(rc, fd, rc->size);
	if (ret)
		return ret;

	x.state = PMRD_PREP_PREPARED;
	ret = write_state(rc, fd, &x);
	if (ret)
		return ret;
	ret = fsync_parent(rc);
	if (ret)
		return ret;
	t = (pmrd_now_ms() - t0) / 1e3;
	log_info(
		"region %s: %s: prepared %" PRIu64
		" bytes in %.2f s (%.0f MB/s; allocation, zeros, fsync, extent check, state)",
		rc->name, rc->path, rc->size, t,
		t > 0 ? (double)rc->size / 1e6 / t : 0.0);

	ret = pmrd_map_fd(r, fd, (size_t)rc->size, dax);
	if (ret)
		return ret;
	ret = seal(rc, r, fd);
	if (ret)
		goto out_unmap;
	memcpy(r->uuid, x.uuid, sizeof(r->uuid));
	r->zeroed_now = true;
	return 0;

out_unmap:
	pmrd_unmap(r);
	return ret;
}

/* prepare_new -- the path does not exist: create it and prepare it */
static int prepare_new(const struct pmrd_region_conf *rc, struct pmrd_region *r)
{
	int fd, ret;

	ret = check_size(rc, rc->size);
	if (ret)
		return ret;
	fd = open(rc->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		ret = -errno;
		log_err("region %s: %s: create: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	ret = set_kind(rc, r, fd);
	if (ret)
		goto out_unlink;
	ret = prepare_fresh(rc, r, fd);
	if (ret)
		goto out_unlink;
	close(fd);
	return 0;

out_unlink:
	/* ours since the O_EXCL above, never exported: leave nothing behind */
	unlink(rc->path);
	close(fd);
	return ret;
}

/* prepare_again -- empty or "preparing": clear a stray flag and prepare */
static int prepare_again(const struct pmrd_region_conf *rc,
			 struct pmrd_region *r, int fd)
{
	int rw, ret;

	ret = unseal_reopen(rc, fd, false, &rw);
	if (ret)
		return ret;
	ret = prepare_fresh(rc, r, rw);
	close(rw);
	return ret;
}

/* keep_prepared -- a prepared file: check, map, re-seal; data kept */
static int keep_prepared(const struct pmrd_region_conf *rc,
			 struct pmrd_region *r, int fd,
			 const struct pmrd_xattr *x, const struct stat *st)
{
	bool dax = r->kind == PMRD_REGION_FSDAX;
	bool sealed = false;
	int rw, ret;

	if ((uint64_t)st->st_size != x->size) {
		log_err("region %s: %s: file is %jd bytes but was prepared with %" PRIu64
			"; refusing to use or change it (was it modified outside pmrd?)",
			rc->name, rc->path, (intmax_t)st->st_size, x->size);
		return -EINVAL;
	}
	if (rc->size && rc->size != x->size) {
		log_err("region %s: %s: config says size %" PRIu64
			" but the file was prepared with %" PRIu64
			"; pmrd never resizes or re-zeroes a prepared region: fix the size, or move the file away to create a new one",
			rc->name, rc->path, rc->size, x->size);
		return -EINVAL;
	}
	ret = check_size(rc, x->size);
	if (ret)
		return ret;
	ret = fiemap_verify(rc, fd, x->size);
	if (ret)
		return ret;

	ret = pmrd_immutable_get(fd, &sealed);
	if (ret) {
		log_err("region %s: %s: reading inode flags: %s", rc->name,
			rc->path, strerror(-ret));
		return ret;
	}
	if (!sealed)
		log_notice(
			"region %s: %s: prepared but not immutable (pmrd stopped while it was open for writing); data kept, sealing it again",
			rc->name, rc->path);
	ret = unseal_reopen(rc, fd, true, &rw);
	if (ret)
		return ret;
	ret = pmrd_map_fd(r, rw, (size_t)x->size, dax);
	if (ret)
		goto out_close_rw;
	ret = seal(rc, r, fd);
	if (ret)
		goto out_unmap;
	close(rw);
	memcpy(r->uuid, x->uuid, sizeof(r->uuid));
	r->zeroed_now = false;
	return 0;

out_unmap:
	pmrd_unmap(r);
out_close_rw:
	close(rw);
	reseal(rc, fd);
	return ret;
}

/* read_error -- why trusted.pmrd could not be used, for the log */
static const char *read_error(int err)
{
	switch (err) {
	case -EBADMSG:
		return "it is not pmrd's or is damaged";
	case -EPROTONOSUPPORT:
		return "it was written by a newer pmrd";
	case -ENOTSUP:
		return "this filesystem has no trusted.* xattrs";
	case -EPERM:
	case -EACCES:
		return "trusted.* xattrs need CAP_SYS_ADMIN";
	}
	return strerror(-err);
}

/* pmrd_prepare_file -- dispatch on the state found on the file */
int pmrd_prepare_file(const struct pmrd_region_conf *rc, struct pmrd_region *r)
{
	struct pmrd_xattr x;
	struct stat st;
	bool sealed = false;
	int fd, ret;

	fd = open(rc->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return prepare_new(rc, r);
	if (fd < 0) {
		ret = -errno;
		log_err("region %s: %s: open: %s", rc->name, rc->path,
			strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		log_err("region %s: %s: stat: %s", rc->name, rc->path,
			strerror(-ret));
		goto out_close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		log_err("region %s: %s: neither a regular file nor a devdax character device",
			rc->name, rc->path);
		ret = -EINVAL;
		goto out_close_fd;
	}
	ret = set_kind(rc, r, fd);
	if (ret)
		goto out_close_fd;

	ret = pmrd_xattr_read(fd, &x);
	if (ret == -ENODATA) {
		if (st.st_size != 0) {
			log_err("region %s: %s: non-empty file without pmrd's %s attribute: pmrd did not create it and will not touch it; remove it or configure another path",
				rc->name, rc->path, PMRD_XATTR_NAME);
			ret = -EEXIST;
			goto out_close_fd;
		}
		ret = pmrd_immutable_get(fd, &sealed);
		if (!ret && sealed) {
			log_err("region %s: %s: empty immutable file without pmrd's %s attribute: not pmrd's; refusing to touch it",
				rc->name, rc->path, PMRD_XATTR_NAME);
			ret = -EEXIST;
			goto out_close_fd;
		}
		ret = prepare_again(rc, r, fd);
		goto out_close_fd;
	}
	if (ret) {
		log_err("region %s: %s: cannot use its %s attribute: %s; refusing to touch it",
			rc->name, rc->path, PMRD_XATTR_NAME, read_error(ret));
		goto out_close_fd;
	}
	if (x.state == PMRD_PREP_PREPARING) {
		log_warn(
			"region %s: %s: preparation was interrupted (state 'preparing'); preparing again from the start",
			rc->name, rc->path);
		ret = prepare_again(rc, r, fd);
	} else {
		ret = keep_prepared(rc, r, fd, &x, &st);
	}
out_close_fd:
	close(fd);
	return ret;
}
