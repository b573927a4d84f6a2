/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conf_auth.c -- a region's "allow" and "psk_file": CIDR parsing
 * (edges /0, /32, /128, bad prefixes, garbage), matching (IPv4-mapped
 * peers), and the key file rules (length, hex/raw, permissions), each bad
 * entry reported at its line.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_private.h"
#include "conf_test.h"

#define HEAD                                 \
	"[pmrd]\nlisten = 10.0.0.1\n"        \
	"[region db]\npath = /mnt/pmem/db\n" \
	"size = 1G\n" /* lines 1-5 */

/* peer -- ADDR (IPv4 or IPv6 text) as the 16 bytes matching uses */
static void peer(const char *addr, uint8_t out[16])
{
	struct in_addr a4;

	memset(out, 0, 16);
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return;
	}
	cr_assert_eq(inet_pton(AF_INET6, addr, out), 1, "%s", addr);
}

/* matches -- does PEER match the allow list LIST? */
static bool matches(const char *list, const char *addr)
{
	struct pmrd_cidr *v;
	char bad[64];
	const char *why;
	uint8_t a[16];
	size_t n;
	bool m;

	cr_assert_eq(conf_allow_parse(list, &v, &n, bad, sizeof(bad), &why), 0,
		     "'%s' refused", list);
	peer(addr, a);
	m = pmrd_allow_match(v, n, a);
	free(v);
	return m;
}

/* cidr_bad -- S is refused with a reason containing FRAGMENT */
static void cidr_bad(const char *s, const char *fragment)
{
	struct pmrd_cidr c;
	const char *why = NULL;

	cr_expect_neq(conf_cidr_parse(s, &c, &why), 0, "'%s' accepted", s);
	cr_expect(why && strstr(why, fragment), "'%s': '%s'", s, why);
}

Test(conf_auth, cidr_edges)
{
	struct pmrd_cidr c;
	const char *why;
	char buf[64];

	cr_assert_eq(conf_cidr_parse("0.0.0.0/0", &c, &why), 0);
	cr_expect_eq(c.prefix, 96);
	pmrd_cidr_format(&c, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0.0.0.0/0");
	cr_assert_eq(conf_cidr_parse("10.77.0.2", &c, &why), 0);
	cr_expect_eq(c.prefix, 128);
	pmrd_cidr_format(&c, buf, sizeof(buf));
	cr_expect_str_eq(buf, "10.77.0.2/32");
	cr_assert_eq(conf_cidr_parse("10.77.0.2/32", &c, &why), 0);
	cr_assert_eq(conf_cidr_parse("::/0", &c, &why), 0);
	cr_expect_eq(c.prefix, 0);
	cr_assert_eq(conf_cidr_parse("fe80::1/128", &c, &why), 0);
	cr_assert_eq(conf_cidr_parse("fe80::1", &c, &why), 0);
	cr_expect_eq(c.prefix, 128);
	pmrd_cidr_format(&c, buf, sizeof(buf));
	cr_expect_str_eq(buf, "fe80::1/128");
	cr_assert_eq(conf_cidr_parse("2001:db8::/32", &c, &why), 0);
}

Test(conf_auth, cidr_bad_entries)
{
	cidr_bad("10.0.0.0/33", "IPv4: 0..32");
	cidr_bad("fe80::/129", "IPv6: 0..128");
	cidr_bad("10.0.0.0/", "prefix");
	cidr_bad("10.0.0.0/-1", "prefix");
	cidr_bad("10.0.0.0/+8", "prefix");
	cidr_bad("10.0.0.0/08", "prefix");
	cidr_bad("10.0.0.0/8x", "prefix");
	cidr_bad("10.0.0.1/8", "bits set past the prefix");
	cidr_bad("fe80::1/64", "bits set past the prefix");
	cidr_bad("10.0.0", "not a numeric");
	cidr_bad("host.example", "not a numeric");
	cidr_bad("garbage", "not a numeric");
	cidr_bad("/8", "expected an IPv4 or IPv6");
	cidr_bad("", "expected an IPv4 or IPv6");
}

Test(conf_auth, matching)
{
	cr_expect(matches("10.77.0.0/24", "10.77.0.1"));
	cr_expect_not(matches("10.77.0.2/32", "10.77.0.1"));
	cr_expect(matches("10.77.0.2/32, 10.77.0.1", "10.77.0.1"));
	cr_expect(matches("10.77.0.2 10.77.0.1", "10.77.0.1"));
	cr_expect(matches("0.0.0.0/0", "192.0.2.1"));
	cr_expect_not(matches("0.0.0.0/0", "2001:db8::1"));
	cr_expect(matches("::/0", "2001:db8::1"));
	cr_expect(matches("::/0", "192.0.2.1"),
		  "IPv4 peers are ::ffff:a.b.c.d");
	/* IPv4-mapped IPv6 peers match IPv4 rules */
	cr_expect(matches("10.77.0.0/24", "::ffff:10.77.0.9"));
	cr_expect_not(matches("10.77.0.0/24", "::ffff:10.78.0.9"));
	cr_expect_not(matches("fd00::/8, fe80::/10", "10.77.0.1"));
	cr_expect(matches("fd00::/8", "fdab::1"));
	cr_expect_not(matches("fd00::/9", "fdab::1"), "bit 9 differs");
	cr_expect(matches("10.77.0.0/23", "10.77.1.200"));
	cr_expect_not(matches("10.77.0.0/23", "10.77.2.1"));
	cr_expect(matches("2001:db8::1/128", "2001:db8::1"));
	cr_expect_not(matches("2001:db8::1/128", "2001:db8::2"));
}

Test(conf_auth, allow_in_a_region)
{
	struct pmrd_conf *c = parse_ok(
		HEAD "allow = 10.77.0.0/24, fe80::/10 ::ffff:1.2.3.4\n");

	cr_assert_eq(c->regions[0].n_allow, 3);
	cr_expect_eq(c->regions[0].allow[0].prefix, 96 + 24);
	pmrd_conf_free(&c);
	c = parse_ok(HEAD);
	cr_expect_null(c->regions[0].allow, "absent = everyone");
	cr_expect_eq(c->regions[0].n_allow, 0);
	pmrd_conf_free(&c);
}

Test(conf_auth, allow_errors_name_the_entry_and_line)
{
	expect_error(HEAD "allow = 10.0.0.0/8, 10.1.2.3/40\n", 6,
		     "entry '10.1.2.3/40': bad prefix length");
	expect_error(HEAD "allow = 10.0.0.0/8 junk\n", 6,
		     "entry 'junk': not a numeric");
	expect_error(HEAD "allow = , ,\n", 6, "no address in the list");
	expect_error(HEAD "allow = 10.0.0.0/8\nallow = ::/0\n", 7,
		     "duplicate key 'allow'");
}

Test(conf_auth, allow_too_many)
{
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), HEAD "allow =");

	for (int i = 0; i <= PMRD_ALLOW_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " ::%x",
					i);
	snprintf(text + off, sizeof(text) - off, "\n");
	expect_error(text, 6, "too many rules");
}

/* key_file -- a temporary file holding LEN bytes of DATA with MODE */
static char *key_file(const void *data, size_t len, mode_t mode)
{
	char *path = strdup("/tmp/pmrd-psk-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* psk_conf -- HEAD with psk_file = PATH */
static const char *psk_conf(const char *path)
{
	static char text[1024];

	snprintf(text, sizeof(text), HEAD "psk_file = %s\n", path);
	return text;
}

Test(conf_auth, psk_hex_and_raw)
{
	const char hex[] = "00112233445566778899aabbccddeeff\n";
	const char raw[] = "a raw key of 24 bytes!!!";
	struct pmrd_conf *c;
	char *path;

	path = key_file(hex, strlen(hex), 0600);
	c = parse_ok(psk_conf(path));
	cr_assert_eq(c->regions[0].psk_len, 16);
	cr_expect_eq(c->regions[0].psk[0], 0x00);
	cr_expect_eq(c->regions[0].psk[15], 0xff);
	cr_expect_str_eq(c->regions[0].psk_file, path);
	pmrd_conf_free(&c);
	unlink(path);
	free(path);

	path = key_file(raw, strlen(raw), 0400);
	c = parse_ok(psk_conf(path));
	cr_assert_eq(c->regions[0].psk_len, 24);
	cr_expect_arr_eq(c->regions[0].psk, raw, 24);
	pmrd_conf_free(&c);
	unlink(path);
	free(path);
}

/* psk_bad -- a key file of LEN bytes of DATA with MODE is refused: WHY */
static void psk_bad(const void *data, size_t len, mode_t mode, const char *why)
{
	char *path = key_file(data, len, mode);

	expect_error(psk_conf(path), 6, why);
	unlink(path);
	free(path);
}

Test(conf_auth, psk_refused)
{
	char longkey[80];

	psk_bad("0123456789abcdef", 16, 0640, "group or others may access it");
	psk_bad("0123456789abcdef", 16, 0604, "group or others may access it");
	psk_bad("short key", 9, 0600, "key too short");
	/* 30 hex digits = 15 bytes: hex, and too short */
	psk_bad("00112233445566778899aabbccddee", 30, 0600, "key too short");
	memset(longkey, 'k', sizeof(longkey));
	psk_bad(longkey, sizeof(longkey), 0600, "too long for a key");
	expect_error(psk_conf("/nonexistent/pmrd.key"), 6,
		     "No such file or directory");
	expect_error(psk_conf("relative.key"), 6, "must be an absolute path");
	expect_error(psk_conf("/tmp"), 6, "not a regular file");
}

/* a link to a good key is refused: its owner, not the key's, picks it */
Test(conf_auth, psk_symlink_refused)
{
	const char hex[] = "00112233445566778899aabbccddeeff\n";
	char *path = key_file(hex, strlen(hex), 0600);
	struct pmrd_conf *c;
	char link[64];

	snprintf(link, sizeof(link), "%s.link", path);
	cr_assert_eq(symlink(path, link), 0);
	expect_error(psk_conf(link), 6, "a symbolic link");
	c = parse_ok(psk_conf(path));
	pmrd_conf_free(&c);
	unlink(link);
	unlink(path);
	free(path);
}

/* a 0600 key owned by another user (nobody) is refused; root's is fine */
Test(conf_auth, psk_foreign_owner_refused)
{
	const char hex[] = "00112233445566778899aabbccddeeff\n";
	struct pmrd_conf *c;
	char *path;

	if (geteuid() != 0)
		cr_skip_test("needs root to give a file to another user");
	path = key_file(hex, strlen(hex), 0600);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	expect_error(psk_conf(path), 6, "owned by another user");
	cr_assert_eq(chown(path, 0, 0), 0);
	c = parse_ok(psk_conf(path));
	pmrd_conf_free(&c);
	unlink(path);
	free(path);
}
