/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * allow.c -- the "allow" value of a region: IPv4/IPv6 addresses and CIDR
 * prefixes, and matching a peer address against them
 *
 * Every rule is kept as a 128-bit prefix: IPv4 ones as IPv4-mapped IPv6
 * (::ffff:a.b.c.d, prefix + 96), so an IPv4 peer that arrives as a mapped
 * IPv6 address (a dual-stack listener) matches the IPv4 rules, and one
 * comparison serves both families.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_private.h"

/* v4_mapped -- the ::ffff:0:0/96 prefix bytes */
static const uint8_t v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* prefix_parse -- "/N" digits into 0..MAX (no sign, no leading zeros) */
static int prefix_parse(const char *s, unsigned max, unsigned *ret)
{
	if (s[0] == '0' && s[1])
		return -EINVAL;
	return conf_uint_parse(s, 0, max, ret);
}

/* host_bits_zero -- no bit of ADDR past PREFIX is set */
static bool host_bits_zero(const uint8_t *addr, unsigned prefix)
{
	for (unsigned b = prefix; b < 128; b++)
		if (addr[b / 8] & (0x80u >> (b % 8)))
			return false;
	return true;
}

/* conf_cidr_parse -- see conf_private.h */
int conf_cidr_parse(const char *s, struct pmrd_cidr *ret, const char **why)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	struct pmrd_cidr c;
	unsigned prefix;
	struct in_addr a4;
	int err;

	memset(&c, 0, sizeof(c));
	if (!len || len >= sizeof(host)) {
		*why = "expected an IPv4 or IPv6 address, optionally /prefix";
		return -EINVAL;
	}
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &a4) == 1) {
		c.v4 = true;
		memcpy(c.addr, v4_mapped, sizeof(v4_mapped));
		memcpy(c.addr + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, host, c.addr) != 1) {
		*why = "not a numeric IPv4 or IPv6 address";
		return -EINVAL;
	}
	prefix = c.v4 ? 32 : 128;
	if (slash) {
		err = prefix_parse(slash + 1, prefix, &prefix);
		if (err) {
			*why = c.v4 ? "bad prefix length (IPv4: 0..32)" :
				      "bad prefix length (IPv6: 0..128)";
			return err;
		}
	}
	c.prefix = (uint8_t)(c.v4 ? prefix + 96 : prefix);
	if (!host_bits_zero(c.addr, c.prefix)) {
		*why = "address has bits set past the prefix length";
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

/* conf_allow_parse -- see conf_private.h */
int conf_allow_parse(const char *s, struct pmrd_cidr **ret, size_t *ret_n,
		     char *bad, size_t bad_cap, const char **why)
{
	struct pmrd_cidr *v = NULL;
	size_t n = 0;
	int err = 0;

	while (*s) {
		size_t len = strcspn(s, ", \t");
		char item[INET6_ADDRSTRLEN + 8];

		if (!len) {
			s++;
			continue;
		}
		if (n == PMRD_ALLOW_MAX) {
			*why = "too many rules (at most 16 per region)";
			snprintf(bad, bad_cap, "%.*s", (int)len, s);
			err = -E2BIG;
			goto out_free;
		}
		if (len >= sizeof(item)) {
			*why = "expected an IPv4 or IPv6 address, optionally /prefix";
			snprintf(bad, bad_cap, "%.*s", (int)len, s);
			err = -EINVAL;
			goto out_free;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (!v) {
			v = calloc(PMRD_ALLOW_MAX, sizeof(*v));
			if (!v)
				return -ENOMEM;
		}
		err = conf_cidr_parse(item, &v[n], why);
		if (err) {
			snprintf(bad, bad_cap, "%s", item);
			goto out_free;
		}
		n++;
		s += len;
	}
	if (!n) {
		*why = "no address in the list";
		snprintf(bad, bad_cap, "%s", "");
		return -EINVAL;
	}
	*ret = v;
	*ret_n = n;
	return 0;

out_free:
	free(v);
	return err;
}

/* pmrd_allow_match -- see pmrd_conf.h */
bool pmrd_allow_match(const struct pmrd_cidr *rules, size_t n,
		      const uint8_t addr[16])
{
	for (size_t i = 0; i < n; i++) {
		unsigned full = rules[i].prefix / 8, rest = rules[i].prefix % 8;

		if (memcmp(rules[i].addr, addr, full))
			continue;
		if (rest && ((rules[i].addr[full] ^ addr[full]) &
			     (0xffu << (8 - rest)) & 0xffu))
			continue;
		return true;
	}
	return false;
}

/* pmrd_cidr_format -- see pmrd_conf.h */
void pmrd_cidr_format(const struct pmrd_cidr *c, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (c->v4)
		inet_ntop(AF_INET, c->addr + 12, host, sizeof(host));
	else
		inet_ntop(AF_INET6, c->addr, host, sizeof(host));
	snprintf(buf, len, "%s/%u", host, c->v4 ? c->prefix - 96u : c->prefix);
}
