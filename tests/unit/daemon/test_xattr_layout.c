/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_xattr_layout.c -- the trusted.pmrd record has the documented byte
 * layout and anything else is rejected, leaving the output untouched
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "pmrd_xattr.h"

static const struct pmrd_xattr sample = {
	.state = PMRD_PREP_PREPARED,
	.size = 0x0102030405060708ULL,
	.uuid = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
		  0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
};

Test(xattr_layout, crc32c_check_value)
{
	cr_assert_eq(pmrd_crc32c("123456789", 9), 0xe3069283u);
}

Test(xattr_layout, bytes_as_documented)
{
	static const uint8_t head[40] = {
		'P',  'M',  'R',  'D',	'R',  'E',  'G',  'N',	/* magic */
		1,    0,					/* version */
		2,    0,					/* prepared */
		0,    0,    0,	  0,				/* flags */
		8,    7,    6,	  5,	4,    3,    2,	  1,	/* size LE */
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, /* uuid */
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	uint8_t buf[PMRD_XATTR_LEN];
	uint32_t crc;

	pmrd_xattr_encode(&sample, buf);
	cr_assert_eq(memcmp(buf, head, sizeof(head)), 0);
	cr_assert_eq(buf[40] | buf[41] | buf[42] | buf[43], 0);
	crc = pmrd_crc32c(buf, 44);
	cr_assert_eq(buf[44], crc & 0xff);
	cr_assert_eq(buf[45], (crc >> 8) & 0xff);
	cr_assert_eq(buf[46], (crc >> 16) & 0xff);
	cr_assert_eq(buf[47], crc >> 24);
}

Test(xattr_layout, round_trip)
{
	uint8_t buf[PMRD_XATTR_LEN];
	struct pmrd_xattr x;

	pmrd_xattr_encode(&sample, buf);
	cr_assert_eq(pmrd_xattr_decode(buf, sizeof(buf), &x), 0);
	cr_assert_eq(x.state, sample.state);
	cr_assert_eq(x.size, sample.size);
	cr_assert_eq(memcmp(x.uuid, sample.uuid, 16), 0);
}

/* expect -- decoding buf fails with err and leaves *out alone */
static void expect(const uint8_t *buf, size_t len, int err)
{
	struct pmrd_xattr x, canary;

	memset(&x, 0x77, sizeof(x));
	canary = x;
	cr_assert_eq(pmrd_xattr_decode(buf, len, &x), err);
	cr_assert_eq(memcmp(&x, &canary, sizeof(x)), 0);
}

/* reseal -- recompute the CRC after a deliberate change */
static void reseal(uint8_t *buf)
{
	uint32_t crc = pmrd_crc32c(buf, 44);

	for (int i = 0; i < 4; i++)
		buf[44 + i] = (uint8_t)(crc >> (8 * i));
}

Test(xattr_layout, rejects)
{
	uint8_t good[PMRD_XATTR_LEN], buf[PMRD_XATTR_LEN + 8];

	pmrd_xattr_encode(&sample, good);

	memcpy(buf, good, sizeof(good));
	buf[0] = 'X'; /* another program's record */
	reseal(buf);
	expect(buf, sizeof(good), -EBADMSG);

	for (size_t bit = 0, newer; bit < 8 * sizeof(good); bit += 7) {
		memcpy(buf, good, sizeof(good));
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		/* a version byte other than 1 reads as a newer pmrd's */
		newer = bit / 8 == 9 || (bit / 8 == 8 && bit % 8);
		expect(buf, sizeof(good), newer ? -EPROTONOSUPPORT : -EBADMSG);
	}

	memcpy(buf, good, sizeof(good));
	buf[8] = 2; /* version 2: a newer pmrd's */
	reseal(buf);
	expect(buf, sizeof(good), -EPROTONOSUPPORT);

	memcpy(buf, good, sizeof(good));
	buf[10] = 3; /* no such state */
	reseal(buf);
	expect(buf, sizeof(good), -EBADMSG);

	memcpy(buf, good, sizeof(good));
	buf[12] = 1; /* reserved flags */
	reseal(buf);
	expect(buf, sizeof(good), -EBADMSG);

	expect(good, sizeof(good) - 1, -EBADMSG);
	expect(good, 4, -EBADMSG);
	memcpy(buf, good, sizeof(good));
	expect(buf, sizeof(good) + 8, -EBADMSG);
}
