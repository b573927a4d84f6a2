/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hello.c -- hello, welcome and reject decoders: magic, flags,
 * reserved fields, version ranges, credits, max_msg, and the private-data
 * padding rule (trailing zeros fine, trailing non-zero bytes not).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"
#include "samples.h"

static uint8_t buf[PMR_WELCOME_MAX];

/* hello_bytes -- a valid hello in buf, zero padded to PMR_HELLO_MAX */
static void hello_bytes(void)
{
	struct pmr_hello h;

	memset(buf, 0, sizeof(buf));
	proto_sample_hello(&h);
	cr_assert_eq(pmr_hello_encode(&h, buf, sizeof(buf)), PMR_HELLO_SIZE);
}

/* welcome_bytes -- a valid welcome in buf, zero padded */
static void welcome_bytes(void)
{
	struct pmr_welcome w;

	memset(buf, 0, sizeof(buf));
	proto_sample_welcome(&w);
	cr_assert_eq(pmr_welcome_encode(&w, buf, sizeof(buf)),
		     PMR_WELCOME_SIZE);
}

/* reject_bytes -- a valid reject in buf, zero padded */
static void reject_bytes(void)
{
	struct pmr_reject r;

	memset(buf, 0, sizeof(buf));
	proto_sample_reject(&r);
	cr_assert_eq(pmr_reject_encode(&r, buf, sizeof(buf)), PMR_REJECT_SIZE);
}

/* hello_rc -- pmr_hello_decode on the first LEN bytes of buf */
static int hello_rc(size_t len)
{
	struct pmr_hello h;

	return pmr_hello_decode(buf, len, &h);
}

/* welcome_rc -- pmr_welcome_decode on the first LEN bytes of buf */
static int welcome_rc(size_t len)
{
	struct pmr_welcome w;

	return pmr_welcome_decode(buf, len, &w);
}

/* reject_rc -- pmr_reject_decode on the first LEN bytes of buf */
static int reject_rc(size_t len)
{
	struct pmr_reject r;

	return pmr_reject_decode(buf, len, &r);
}

Test(hello, bad_magic_every_byte)
{
	for (size_t b = 0; b < 4; b++) {
		hello_bytes();
		buf[b] ^= 0x20;
		cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
		welcome_bytes();
		buf[b] ^= 0x01;
		cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
		reject_bytes();
		buf[b] = 0;
		cr_assert_eq(reject_rc(PMR_REJECT_SIZE), -EBADMSG);
	}
}

Test(hello, field_rules)
{
	hello_bytes();
	pmr_put_le32(buf + 8, 1); /* flags */
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le32(buf + 8, 0x80000000u);
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le16(buf + 14, 1); /* reserved */
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le16(buf + 6, 4); /* min_version 4 > version 3 */
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le16(buf + 6, 0); /* min_version 0 */
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le16(buf + 12, 0); /* credits 0 */
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), -EBADMSG);
	hello_bytes();
	pmr_put_le16(buf + 6, 1); /* min == max is a range of one */
	pmr_put_le16(buf + 12, UINT16_MAX);
	cr_assert_eq(hello_rc(PMR_HELLO_SIZE), 0);
}

Test(hello, welcome_field_rules)
{
	welcome_bytes();
	pmr_put_le16(buf + 6, 1); /* reserved */
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	welcome_bytes();
	pmr_put_le16(buf + 10, 0x100); /* reserved */
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	welcome_bytes();
	pmr_put_le16(buf + 4, 0); /* version 0 */
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	welcome_bytes();
	pmr_put_le16(buf + 8, 0); /* credits 0 */
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	welcome_bytes();
	pmr_put_le32(buf + 12, PMR_MSG_MAX_FLOOR - 1);
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	pmr_put_le32(buf + 12, PMR_MSG_MAX_FLOOR);
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), 0);
	pmr_put_le32(buf + 12, PMR_MSG_MAX + 1);
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
	pmr_put_le32(buf + 12, 0);
	cr_assert_eq(welcome_rc(PMR_WELCOME_SIZE), -EBADMSG);
}

Test(hello, reject_field_rules)
{
	struct pmr_reject r;

	reject_bytes();
	pmr_put_le16(buf + 4, 0); /* no reason */
	cr_assert_eq(reject_rc(PMR_REJECT_SIZE), -EBADMSG);
	pmr_put_le16(buf + 4, 99); /* a newer server's reason: accepted */
	cr_assert_eq(pmr_reject_decode(buf, PMR_REJECT_SIZE, &r), 0);
	cr_assert_eq(r.reason, 99);
	reject_bytes();
	pmr_put_le16(buf + 10, 1); /* reserved */
	cr_assert_eq(reject_rc(PMR_REJECT_SIZE), -EBADMSG);
	reject_bytes();
	pmr_put_le16(buf + 8, 3); /* min_version 3 > version 2 */
	cr_assert_eq(reject_rc(PMR_REJECT_SIZE), -EBADMSG);
	reject_bytes();
	pmr_put_le16(buf + 8, 0);
	cr_assert_eq(reject_rc(PMR_REJECT_SIZE), -EBADMSG);
}

Test(hello, zero_padding_accepted)
{
	hello_bytes();
	for (size_t len = PMR_HELLO_SIZE; len <= PMR_HELLO_MAX; len++)
		cr_assert_eq(hello_rc(len), 0, "len %zu", len);
	welcome_bytes();
	for (size_t len = PMR_WELCOME_SIZE; len <= PMR_WELCOME_MAX; len++)
		cr_assert_eq(welcome_rc(len), 0, "len %zu", len);
	reject_bytes();
	for (size_t len = PMR_REJECT_SIZE; len <= PMR_WELCOME_MAX; len++)
		cr_assert_eq(reject_rc(len), 0, "len %zu", len);
}

Test(hello, nonzero_padding_rejected_at_every_position)
{
	for (size_t b = PMR_HELLO_SIZE; b < PMR_HELLO_MAX; b++) {
		hello_bytes();
		buf[b] = 1;
		cr_assert_eq(hello_rc(PMR_HELLO_MAX), -EBADMSG, "at %zu", b);
		cr_assert_eq(hello_rc(b), 0, "shorter buffer stops before");
	}
	for (size_t b = PMR_WELCOME_SIZE; b < PMR_WELCOME_MAX; b++) {
		welcome_bytes();
		buf[b] = 0x80;
		cr_assert_eq(welcome_rc(PMR_WELCOME_MAX), -EBADMSG, "at %zu",
			     b);
	}
	for (size_t b = PMR_REJECT_SIZE; b < PMR_WELCOME_MAX; b++) {
		reject_bytes();
		buf[b] = 0xff;
		cr_assert_eq(reject_rc(PMR_WELCOME_MAX), -EBADMSG, "at %zu", b);
	}
}

Test(hello, kinds_do_not_cross_decode)
{
	/* a hello is not a welcome (its min_version sits in a reserved slot) */
	hello_bytes();
	cr_assert_eq(welcome_rc(PMR_HELLO_SIZE), -EBADMSG);
	/* a welcome is not a hello (its credits sit in the flags) */
	welcome_bytes();
	cr_assert_eq(hello_rc(PMR_WELCOME_SIZE), -EBADMSG);
}

Test(hello, null_args)
{
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;

	cr_assert_eq(pmr_hello_decode(NULL, 0, &h), -EBADMSG);
	cr_assert_eq(pmr_hello_decode(NULL, 16, &h), -EINVAL);
	cr_assert_eq(pmr_hello_decode(buf, 16, NULL), -EINVAL);
	cr_assert_eq(pmr_welcome_decode(NULL, 0, &w), -EBADMSG);
	cr_assert_eq(pmr_welcome_decode(buf, 16, NULL), -EINVAL);
	cr_assert_eq(pmr_reject_decode(NULL, 0, &r), -EBADMSG);
	cr_assert_eq(pmr_reject_decode(buf, 16, NULL), -EINVAL);
}
