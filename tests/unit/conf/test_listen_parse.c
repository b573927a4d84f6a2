/* SPDX-License-Identifier: BSD-3-Clause */
/* test_listen_parse.c -- pmrd_listen_parse: numeric address, optional port */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "pmrd_conf.h"

/* listen_ok -- S parses into HOST and PORT */
static void listen_ok(const char *s, const char *host, uint16_t port)
{
	char *h = NULL;
	uint16_t p = 0;

	cr_assert_eq(pmrd_listen_parse(s, &h, &p), 0, "'%s' rejected", s);
	cr_expect_str_eq(h, host, "'%s': host '%s'", s, h);
	cr_expect_eq(p, port, "'%s': port %u", s, p);
	free(h);
}

/* listen_bad -- S is rejected with -EINVAL, outputs untouched */
static void listen_bad(const char *s)
{
	char *h = (char *)"untouched";
	uint16_t p = 42;

	cr_expect_eq(pmrd_listen_parse(s, &h, &p), -EINVAL, "'%s' accepted",
		     s ? s : "NULL");
	cr_expect_str_eq(h, "untouched");
	cr_expect_eq(p, 42);
}

Test(listen_parse, ipv4)
{
	listen_ok("10.77.0.1", "10.77.0.1", 7471);
	listen_ok("10.77.0.1:7471", "10.77.0.1", 7471);
	listen_ok("192.168.1.2:1", "192.168.1.2", 1);
	listen_ok("0.0.0.0:65535", "0.0.0.0", 65535);
}

Test(listen_parse, ipv6)
{
	listen_ok("::1", "::1", PMRD_DEFAULT_PORT);
	listen_ok("fe80::1", "fe80::1", PMRD_DEFAULT_PORT);
	listen_ok("[fe80::1]:7000", "fe80::1", 7000);
	listen_ok("[::]", "::", PMRD_DEFAULT_PORT);
	listen_ok("[fd00:77::1]:7471", "fd00:77::1", 7471);
	listen_ok("::ffff:10.0.0.1", "::ffff:10.0.0.1", PMRD_DEFAULT_PORT);
}

Test(listen_parse, bare_ipv6_never_takes_a_port)
{
	/* "::1:7471" is itself an IPv6 address; a port needs brackets */
	listen_ok("::1:7471", "::1:7471", PMRD_DEFAULT_PORT);
}

Test(listen_parse, bad_ports)
{
	listen_bad("10.0.0.1:0");
	listen_bad("10.0.0.1:65536");
	listen_bad("10.0.0.1:99999999999");
	listen_bad("10.0.0.1:");
	listen_bad("10.0.0.1:+80");
	listen_bad("10.0.0.1:80x");
	listen_bad("10.0.0.1: 80");
	listen_bad("[::1]:");
	listen_bad("[::1]:0");
	listen_bad("[::1]7471");
}

Test(listen_parse, bad_addresses)
{
	listen_bad(NULL);
	listen_bad("");
	listen_bad(":7471");
	listen_bad("localhost");
	listen_bad("localhost:7471");
	listen_bad("1.2.3");
	listen_bad("256.1.1.1");
	listen_bad("10.0.0.1 ");
	listen_bad("[10.0.0.1]:7471");
	listen_bad("[::1");
	listen_bad("[]:7471");
	listen_bad("fe80::1%eth0");
	listen_bad("[fe80::1%eth0]:7471");
	listen_bad("fe80:::1");
}
