/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * listen.c -- the "listen" value: a numeric address and an optional port
 *
 * Accepted: "10.0.0.1", "10.0.0.1:7471", "::1", "[fe80::1]", "[::1]:7471".
 * A bare IPv6 address cannot carry a port (its colons would be ambiguous),
 * so a port with IPv6 needs the brackets.  Host names are refused on
 * purpose: the daemon binds before the network may be fully up, and an
 * address that silently resolves elsewhere is worse than an error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf_private.h"

/* listen_port_parse -- decimal 1..65535, digits only */
static int listen_port_parse(const char *s, uint16_t *ret)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/* listen_addr_valid -- is [S, S+LEN) a numeric address of family AF? */
static bool listen_addr_valid(int af, const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr addr;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, &addr) == 1;
}

/* conf_listen_parse -- split and validate S; *why explains a failure */
int conf_listen_parse(const char *s, char **ret_host, uint16_t *ret_port,
		      const char **why)
{
	uint16_t port = PMRD_DEFAULT_PORT;
	const char *host, *colon, *end;
	size_t host_len;
	int af;
	char *h;

	if (!s || !*s) {
		*why = "empty address";
		return -EINVAL;
	}
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end) {
			*why = "missing ']' after an IPv6 address";
			return -EINVAL;
		}
		host = s + 1;
		host_len = (size_t)(end - host);
		af = AF_INET6;
		if (end[1] == ':')
			colon = end + 1;
		else if (!end[1])
			colon = NULL;
		else {
			*why = "expected ':PORT' after ']'";
			return -EINVAL;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* several colons: a bare IPv6 address, no port */
			colon = NULL;
			af = AF_INET6;
		} else {
			af = AF_INET;
		}
		host = s;
		host_len = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (!listen_addr_valid(af, host, host_len)) {
		*why = af == AF_INET6 ?
			       "not a numeric IPv6 address" :
			       "not a numeric IPv4 address (host names are not resolved; put IPv6 as [addr]:port)";
		return -EINVAL;
	}
	if (colon && listen_port_parse(colon + 1, &port)) {
		*why = "port must be a number 1..65535";
		return -EINVAL;
	}
	h = strndup(host, host_len);
	if (!h) {
		*why = "out of memory";
		return -ENOMEM;
	}
	*ret_host = h;
	*ret_port = port;
	return 0;
}

/* pmrd_listen_parse -- parse S (see pmrd_conf.h) */
int pmrd_listen_parse(const char *s, char **ret_host, uint16_t *ret_port)
{
	const char *why;

	return conf_listen_parse(s, ret_host, ret_port, &why);
}
