/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * size.c -- "64K", "1G", "2TiB" to bytes and back (binary multiples only)
 *
 * Persistent-memory sizes are always powers-of-two multiples in practice, so
 * K/M/G/T mean KiB/MiB/GiB/TiB; the optional "B"/"iB" tails are accepted so
 * that an operator may write either spelling.  Zero is rejected: a region
 * of zero bytes is always a typo.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "conf_private.h"
#include "util.h"

static const struct {
	char letter;
	unsigned shift;
} size_units[] = {
	{ 'T', 40 },
	{ 'G', 30 },
	{ 'M', 20 },
	{ 'K', 10 },
};

/* size_unit_shift -- the shift for a unit letter, -1 if it is not one */
static int size_unit_shift(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(size_units); i++)
		if (toupper((unsigned char)c) == size_units[i].letter)
			return (int)size_units[i].shift;
	return -1;
}

/* size_skip_tail -- step over an optional "B" or "iB" (any case) */
static const char *size_skip_tail(const char *p, bool after_unit)
{
	if (after_unit && (*p == 'i' || *p == 'I') &&
	    (p[1] == 'b' || p[1] == 'B'))
		return p + 2;
	if (*p == 'b' || *p == 'B')
		return p + 1;
	return p;
}

/* conf_size_parse -- parse S; on failure *why says what is wrong */
int conf_size_parse(const char *s, uint64_t *ret, const char **why)
{
	const char *p = s, *q;
	bool overflow = false;
	uint64_t v = 0;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s)) {
		*why = "expected a number like 4096, 64K, 1G or 2T";
		return -EINVAL;
	}
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	/* "1 GiB" reads naturally; allow blanks only before a unit */
	for (q = p; *q == ' ' || *q == '\t'; q++)
		;
	if (*q && (size_unit_shift(*q) >= 0 || *q == 'b' || *q == 'B'))
		p = q;
	shift = size_unit_shift(*p);
	if (shift >= 0)
		p = size_skip_tail(p + 1, true);
	else
		p = size_skip_tail(p, false);
	if (shift < 0)
		shift = 0;
	if (*p) {
		*why = "unexpected text after the number (units: K, M, G, T)";
		return -EINVAL;
	}
	if (overflow || v > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -ERANGE;
	}
	if (v == 0) {
		*why = "must not be zero";
		return -ERANGE;
	}
	*ret = v << shift;
	return 0;
}

/* pmrd_size_parse -- parse S into bytes (see pmrd_conf.h) */
int pmrd_size_parse(const char *s, uint64_t *ret)
{
	const char *why;

	return conf_size_parse(s, ret, &why);
}

/* pmrd_size_format -- BYTES in the largest unit that divides it exactly */
void pmrd_size_format(uint64_t bytes, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	for (size_t i = 0; bytes && i < ARRAY_SIZE(size_units); i++) {
		uint64_t unit = 1ULL << size_units[i].shift;

		if (bytes % unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes / unit),
				 size_units[i].letter);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}
