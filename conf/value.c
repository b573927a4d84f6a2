/* SPDX-License-Identifier: BSD-3-Clause */
/* value.c -- the small scalar value types of pmrd.conf */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "conf_private.h"
#include "util.h"

/* conf_bool_parse -- the usual spellings of a boolean, case-insensitive */
int conf_bool_parse(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* conf_uint_parse -- decimal digits only (no sign, no hex), MIN..MAX */
int conf_uint_parse(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

/* conf_region_name_valid -- names travel on the wire; keep them plain */
bool conf_region_name_valid(const char *name, size_t len)
{
	if (!name || !len || len > PMRD_REGION_NAME_MAX)
		return false;
	/* "." and ".." would be surprising wherever a name becomes a path */
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		/* ASCII ranges, not isalnum(): the locale must not matter */
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}
