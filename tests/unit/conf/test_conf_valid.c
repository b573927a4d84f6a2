/* SPDX-License-Identifier: BSD-3-Clause */
/* test_conf_valid.c -- valid configurations: every key, and the defaults */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "conf_test.h"

Test(conf_valid, every_key)
{
	struct pmrd_conf *c = parse_ok("; full example\n"
				       "[pmrd]\n"
				       "listen = 10.77.0.1:7000 ; comment\n"
				       "admin_socket = /tmp/pmrd.sock\n"
				       "log_level = debug\n"
				       "max_clients = 4096\n"
				       "max_regions_per_client = 1024\n"
				       "max_outstanding = 256\n"
				       "\n"
				       "[region db0]\n"
				       "path = /mnt/pmem/db0\n"
				       "size = 2G\n"
				       "access = ro\n"
				       "persistent = no\n"
				       "persistence_domain = cpu-cache\n"
				       "[region dax.0_a-B]\n"
				       "path = /dev/dax0.0\n");
	const struct pmrd_region_conf *r;

	cr_expect_str_eq(c->file, "test.conf");
	cr_expect_str_eq(c->listen_host, "10.77.0.1");
	cr_expect_eq(c->listen_port, 7000);
	cr_expect_str_eq(c->admin_socket, "/tmp/pmrd.sock");
	cr_expect_eq(c->log_level, LOG_DEBUG);
	cr_expect_eq(c->limits.max_clients, 4096);
	cr_expect_eq(c->limits.max_regions_per_client, 1024);
	cr_expect_eq(c->limits.max_outstanding, 256);
	cr_assert_eq(c->n_regions, 2);

	r = &c->regions[0];
	cr_expect_str_eq(r->name, "db0");
	cr_expect_str_eq(r->path, "/mnt/pmem/db0");
	cr_expect_eq(r->size, 2ULL << 30);
	cr_expect_eq(r->access, PMRD_ACCESS_RO);
	cr_expect_eq(r->persistent, false);
	cr_expect_eq(r->pdomain, PMRD_PDOMAIN_CPU_CACHE);
	cr_expect_eq(r->line, 10);

	r = &c->regions[1];
	cr_expect_str_eq(r->name, "dax.0_a-B");
	cr_expect_str_eq(r->path, "/dev/dax0.0");
	cr_expect_eq(r->size, 0, "devdax size not given must stay 0");
	cr_expect_eq(r->line, 16);

	cr_expect_eq(pmrd_conf_find_region(c, "dax.0_a-B"), &c->regions[1]);
	cr_expect_eq(pmrd_conf_find_region(c, "db0"), &c->regions[0]);
	cr_expect_null(pmrd_conf_find_region(c, "db"));
	cr_expect_null(pmrd_conf_find_region(c, NULL));
	cr_expect_null(pmrd_conf_find_region(NULL, "db0"));

	pmrd_conf_free(&c);
	cr_expect_null(c);
	pmrd_conf_free(&c); /* NULL is fine */
	pmrd_conf_free(NULL);
}

Test(conf_valid, defaults)
{
	struct pmrd_conf *c =
		parse_ok("[pmrd]\nlisten = ::1\n"
			 "[region r]\npath = /pmem/r\nsize = 4K\n");
	const struct pmrd_region_conf *r;

	cr_expect_str_eq(c->listen_host, "::1");
	cr_expect_eq(c->listen_port, PMRD_DEFAULT_PORT);
	cr_expect_eq(c->listen_port, 7471);
	cr_expect_str_eq(c->admin_socket, PMRD_DEFAULT_ADMIN_SOCKET);
	cr_expect_eq(c->log_level, LOG_INFO);
	cr_expect_eq(c->limits.max_clients, 64);
	cr_expect_eq(c->limits.max_regions_per_client, 16);
	cr_expect_eq(c->limits.max_outstanding, 16);
	cr_assert_eq(c->n_regions, 1);
	r = &c->regions[0];
	cr_expect_eq(r->size, 4096);
	cr_expect_eq(r->access, PMRD_ACCESS_RW);
	cr_expect_eq(r->persistent, true);
	cr_expect_eq(r->pdomain, PMRD_PDOMAIN_AUTO);
	pmrd_conf_free(&c);
}

Test(conf_valid, no_regions_is_allowed)
{
	struct pmrd_conf *c = parse_ok("[pmrd]\nlisten = 10.0.0.1\n");

	cr_expect_eq(c->n_regions, 0);
	cr_expect_null(c->regions);
	cr_expect_null(pmrd_conf_find_region(c, "x"));
	pmrd_conf_free(&c);
}

Test(conf_valid, path_is_stored_normalized)
{
	struct pmrd_conf *c = parse_ok("[pmrd]\nlisten = 10.0.0.1\n"
				       "[region a]\npath = //mnt/./pmem//a/\n"
				       "size = 1M\n");

	cr_expect_str_eq(c->regions[0].path, "/mnt/pmem/a");
	pmrd_conf_free(&c);
}

Test(conf_valid, bool_spellings)
{
	static const char *const yes[] = { "yes", "true", "on",
					   "1",	  "YES",  "True" };
	static const char *const no[] = { "no", "false", "off", "0", "Off" };
	char text[256];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		struct pmrd_conf *c;

		snprintf(text, sizeof(text),
			 "[pmrd]\nlisten=10.0.0.1\n[region a]\npath=/p/a\n"
			 "size=1G\npersistent=%s\n",
			 yes[i]);
		c = parse_ok(text);
		cr_expect_eq(c->regions[0].persistent, true, "%s", yes[i]);
		pmrd_conf_free(&c);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct pmrd_conf *c;

		snprintf(text, sizeof(text),
			 "[pmrd]\nlisten=10.0.0.1\n[region a]\npath=/p/a\n"
			 "size=1G\npersistent=%s\n",
			 no[i]);
		c = parse_ok(text);
		cr_expect_eq(c->regions[0].persistent, false, "%s", no[i]);
		pmrd_conf_free(&c);
	}
}

Test(conf_valid, log_level_names)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "err", LOG_ERR },	  { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	char text[128];

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct pmrd_conf *c;

		snprintf(text, sizeof(text),
			 "[pmrd]\nlisten=10.0.0.1\nlog_level = %s\n",
			 levels[i].name);
		c = parse_ok(text);
		cr_expect_eq(c->log_level, levels[i].level, "%s",
			     levels[i].name);
		pmrd_conf_free(&c);
	}
}

Test(conf_valid, longest_region_name)
{
	/* 63 bytes: longer than inih's 49-byte section buffer */
	static const char name[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	char text[256];
	struct pmrd_conf *c;

	cr_assert_eq(strlen(name), PMRD_REGION_NAME_MAX);
	snprintf(text, sizeof(text),
		 "[pmrd]\nlisten=10.0.0.1\n[region %s]\npath=/p/a\nsize=1G\n",
		 name);
	c = parse_ok(text);
	cr_assert_eq(c->n_regions, 1);
	cr_expect_str_eq(c->regions[0].name, name);
	cr_expect_not_null(pmrd_conf_find_region(c, name));
	pmrd_conf_free(&c);
}

Test(conf_valid, colon_separator_and_ipv6_listen)
{
	struct pmrd_conf *c = parse_ok("[pmrd]\nlisten: [fd00::7]:7500\n");

	cr_expect_str_eq(c->listen_host, "fd00::7");
	cr_expect_eq(c->listen_port, 7500);
	pmrd_conf_free(&c);
}

Test(conf_valid, string_without_name)
{
	struct pmrd_conf *c = NULL;

	cr_assert_eq(pmrd_conf_parse_string("[pmrd]\nlisten=10.0.0.1\n", NULL,
					    collect_report, &reports, &c),
		     0);
	cr_expect_str_eq(c->file, "<string>");
	pmrd_conf_free(&c);
}

Test(conf_valid, bad_arguments)
{
	struct pmrd_conf *c = CONF_UNTOUCHED;

	cr_expect_eq(pmrd_conf_parse_string(NULL, "x", NULL, NULL, &c),
		     -EINVAL);
	cr_expect_eq(pmrd_conf_parse_string("", "x", NULL, NULL, NULL),
		     -EINVAL);
	cr_expect_eq(pmrd_conf_load(NULL, NULL, NULL, &c), -EINVAL);
	cr_expect_eq(c, CONF_UNTOUCHED);
}
