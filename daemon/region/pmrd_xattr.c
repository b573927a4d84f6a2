/* SPDX-License-Identifier: BSD-3-Clause */
/* pmrd_xattr.c -- encode, decode, read and write the trusted.pmrd record */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/xattr.h>

#include "pmrd_xattr.h"

#define OFF_MAGIC    0
#define OFF_VERSION  8
#define OFF_STATE    10
#define OFF_FLAGS    12
#define OFF_SIZE     16
#define OFF_UUID     24
#define OFF_RESERVED 40
#define OFF_CRC	     44

/* pmrd_crc32c -- CRC-32C, bitwise: 48 bytes once per start need no table */
uint32_t pmrd_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1u));
	}
	return ~crc;
}

/* put_le -- store the low n bytes of v little-endian */
static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* get_le -- load n bytes little-endian */
static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* pmrd_xattr_encode -- struct to the on-disk bytes (layout in the header) */
void pmrd_xattr_encode(const struct pmrd_xattr *x, uint8_t buf[PMRD_XATTR_LEN])
{
	memset(buf, 0, PMRD_XATTR_LEN);
	memcpy(buf + OFF_MAGIC, PMRD_XATTR_MAGIC, 8);
	put_le(buf + OFF_VERSION, PMRD_XATTR_VERSION, 2);
	put_le(buf + OFF_STATE, (uint64_t)x->state, 2);
	put_le(buf + OFF_FLAGS, 0, 4);
	put_le(buf + OFF_SIZE, x->size, 8);
	memcpy(buf + OFF_UUID, x->uuid, 16);
	put_le(buf + OFF_RESERVED, 0, 4);
	put_le(buf + OFF_CRC, pmrd_crc32c(buf, OFF_CRC), 4);
}

/* pmrd_xattr_decode -- on-disk bytes to struct, rejecting anything odd */
int pmrd_xattr_decode(const void *buf, size_t len, struct pmrd_xattr *ret)
{
	const uint8_t *b = buf;
	uint64_t state;

	if (len < OFF_VERSION + 2 || memcmp(b + OFF_MAGIC, PMRD_XATTR_MAGIC, 8))
		return -EBADMSG;
	/* a newer pmrd may have grown the record: say so, not "damaged" */
	if (get_le(b + OFF_VERSION, 2) > PMRD_XATTR_VERSION)
		return -EPROTONOSUPPORT;
	if (len != PMRD_XATTR_LEN || get_le(b + OFF_VERSION, 2) == 0)
		return -EBADMSG;
	if (get_le(b + OFF_CRC, 4) != pmrd_crc32c(b, OFF_CRC))
		return -EBADMSG;
	state = get_le(b + OFF_STATE, 2);
	if (state != PMRD_PREP_PREPARING && state != PMRD_PREP_PREPARED)
		return -EBADMSG;
	if (get_le(b + OFF_FLAGS, 4) || get_le(b + OFF_RESERVED, 4))
		return -EBADMSG;

	ret->state = (enum pmrd_prep_state)state;
	ret->size = get_le(b + OFF_SIZE, 8);
	memcpy(ret->uuid, b + OFF_UUID, 16);
	return 0;
}

/* pmrd_xattr_read -- read and decode trusted.pmrd of fd */
int pmrd_xattr_read(int fd, struct pmrd_xattr *ret)
{
	/* larger than ours, so a grown record is seen whole, not as ERANGE */
	uint8_t buf[256];
	ssize_t n;

	n = fgetxattr(fd, PMRD_XATTR_NAME, buf, sizeof(buf));
	if (n < 0) {
		if (errno == ERANGE)
			return -EBADMSG;
		return -errno;
	}
	return pmrd_xattr_decode(buf, (size_t)n, ret);
}

/* pmrd_xattr_write -- set trusted.pmrd, then fsync so the state is durable */
int pmrd_xattr_write(int fd, const struct pmrd_xattr *x)
{
	uint8_t buf[PMRD_XATTR_LEN];

	pmrd_xattr_encode(x, buf);
	if (fsetxattr(fd, PMRD_XATTR_NAME, buf, sizeof(buf), 0) < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

/* pmrd_prep_state_name -- for logs */
const char *pmrd_prep_state_name(enum pmrd_prep_state s)
{
	switch (s) {
	case PMRD_PREP_PREPARING:
		return "preparing";
	case PMRD_PREP_PREPARED:
		return "prepared";
	}
	return "?";
}
