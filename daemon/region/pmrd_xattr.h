/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmrd_xattr.h -- the trusted.pmrd record that says a file is pmrd's and
 * how far its preparation got
 *
 * Byte layout (version 1, 48 bytes, integers little-endian):
 *
 *   offset size field
 *        0    8 magic     "PMRDREGN"
 *        8    2 version   1
 *       10    2 state     1 = preparing, 2 = prepared
 *       12    4 flags     0 (reserved; readers of version 1 require 0)
 *       16    8 size      region size in bytes
 *       24   16 uuid      random, chosen when preparation starts
 *       40    4 reserved  0
 *       44    4 crc32c    CRC-32C (Castagnoli) of bytes 0..43
 *
 * A record with another magic is foreign; a bad CRC, state or reserved field
 * is damage; a higher version is a newer pmrd's.  All three are refused.
 */
#ifndef PMRD_XATTR_H
#define PMRD_XATTR_H

#include <stddef.h>
#include <stdint.h>

#define PMRD_XATTR_NAME	   "trusted.pmrd"
#define PMRD_XATTR_MAGIC   "PMRDREGN"
#define PMRD_XATTR_VERSION 1
#define PMRD_XATTR_LEN	   48

enum pmrd_prep_state {
	PMRD_PREP_PREPARING = 1, /* pmrd created the file, zeroing not done */
	PMRD_PREP_PREPARED = 2,	 /* zeroed, synced, extents verified */
};

struct pmrd_xattr {
	enum pmrd_prep_state state;
	uint64_t size;
	uint8_t uuid[16];
};

uint32_t pmrd_crc32c(const void *buf, size_t len);

/* pmrd_xattr_encode -- struct to the on-disk bytes */
void pmrd_xattr_encode(const struct pmrd_xattr *x, uint8_t buf[PMRD_XATTR_LEN]);

/*
 * pmrd_xattr_decode -- on-disk bytes to struct.  -EBADMSG: not pmrd's
 * (wrong length or magic) or damaged (CRC, state, reserved bits);
 * -EPROTONOSUPPORT: written by a newer pmrd.  *ret untouched on failure.
 */
int pmrd_xattr_decode(const void *buf, size_t len, struct pmrd_xattr *ret);

/*
 * pmrd_xattr_read -- read trusted.pmrd of fd.  -ENODATA when absent,
 * decode's errors, or -errno (-ENOTSUP: no trusted xattrs on this fs).
 */
int pmrd_xattr_read(int fd, struct pmrd_xattr *ret);

/* pmrd_xattr_write -- set trusted.pmrd and fsync, so it is durable on return */
int pmrd_xattr_write(int fd, const struct pmrd_xattr *x);

const char *pmrd_prep_state_name(enum pmrd_prep_state s);

#endif
