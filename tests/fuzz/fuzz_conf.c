/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_conf.c -- libFuzzer target for the pmrd.conf parser
 *
 * The input, cut at its first NUL, is a whole pmrd.conf for
 * pmrd_conf_parse_string() and a single value for pmrd_size_parse() and
 * pmrd_listen_parse().  Beyond "no crash, no leak, no UB" it checks what the
 * daemon relies on: a conf is accepted exactly when nothing was reported,
 * every report is printable and points into the text, and an accepted conf
 * holds only values the validators allow.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fuzz.h"
#include "log.h"
#include "pmrd_conf.h"

#define FUZZ_NAME "fuzz.conf"

struct reports {
	unsigned n;
	unsigned lines; /* lines in the text, the last one unterminated too */
};

/* report -- one problem: named, printable, on a line of the text */
static void report(void *arg, const char *file, unsigned line, const char *msg)
{
	struct reports *r = arg;

	check(!strcmp(file, FUZZ_NAME));
	check(line <= r->lines);
	check(msg && *msg);
	for (const char *c = msg; *c; c++)
		check((unsigned char)*c >= 0x20 && *c != 0x7f);
	r->n++;
}

/* count_lines -- lines of TEXT as an editor shows them */
static unsigned count_lines(const char *text)
{
	unsigned n = 1;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* check_region -- an accepted region holds only valid values */
static void check_region(const struct pmrd_conf *c, size_t i)
{
	const struct pmrd_region_conf *r = &c->regions[i];
	size_t len = strnlen(r->name, sizeof(r->name));

	check(len > 0 && len <= PMRD_REGION_NAME_MAX);
	check(strspn(r->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
			      "wxyz0123456789_.-") == len);
	check(strcmp(r->name, ".") && strcmp(r->name, ".."));
	check(r->path && r->path[0] == '/');
	check(r->access == PMRD_ACCESS_RW || r->access == PMRD_ACCESS_RO);
	check(r->pdomain == PMRD_PDOMAIN_AUTO ||
	      r->pdomain == PMRD_PDOMAIN_CPU_CACHE);
	check(r->line >= 1);
	check(pmrd_conf_find_region(c, r->name) == r);
	for (size_t j = 0; j < i; j++)
		check(strcmp(c->regions[j].path, r->path));
}

/* fuzz_conf_text -- the whole input as a pmrd.conf */
static void fuzz_conf_text(const char *text)
{
	struct reports r = { .lines = count_lines(text) };
	struct pmrd_conf *c = NULL;
	int err;

	err = pmrd_conf_parse_string(text, FUZZ_NAME, report, &r, &c);
	check(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err) {
		check(c == NULL);
		check(err == -ENOMEM || r.n > 0);
		return;
	}
	check(c && r.n == 0);
	check(!strcmp(c->file, FUZZ_NAME));
	check(c->listen_host && *c->listen_host);
	check(c->admin_socket && c->admin_socket[0] == '/');
	check(c->log_level >= LOG_ERR && c->log_level <= LOG_DEBUG);
	check(c->limits.max_clients >= 1 && c->limits.max_clients <= 4096);
	check(c->limits.max_regions_per_client >= 1 &&
	      c->limits.max_regions_per_client <= 1024);
	check(c->limits.max_outstanding >= 1 &&
	      c->limits.max_outstanding <= 256);
	check(c->n_regions <= PMRD_MAX_REGIONS);
	for (size_t i = 0; i < c->n_regions; i++)
		check_region(c, i);
	pmrd_conf_free(&c);
	check(c == NULL);
}

/* fuzz_size -- a size that parses formats back to the same bytes */
static void fuzz_size(const char *s)
{
	uint64_t v = 12345, again = 0;
	char buf[32];
	int err;

	err = pmrd_size_parse(s, &v);
	check(err == 0 || err == -EINVAL || err == -ERANGE);
	if (err) {
		check(v == 12345);
		return;
	}
	check(v > 0);
	pmrd_size_format(v, buf, sizeof(buf));
	check(pmrd_size_parse(buf, &again) == 0 && again == v);
}

/*
 * fuzz_listen -- an accepted address has a host and a port, and written
 * back as "host:port" or "[host]:port" parses to the same
 */
static void fuzz_listen(const char *s)
{
	char *host = (char *)"untouched", *again = NULL;
	uint16_t port = 1, port_again = 0;
	bool v6;
	char buf[128];
	int err;

	err = pmrd_listen_parse(s, &host, &port);
	check(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err) {
		check(!strcmp(host, "untouched") && port == 1);
		return;
	}
	check(*host && port != 0);
	v6 = strchr(host, ':') != NULL;
	check(strlen(host) < 64);
	snprintf(buf, sizeof(buf), "%s%s%s:%u", v6 ? "[" : "", host,
		 v6 ? "]" : "", port);
	err = pmrd_listen_parse(buf, &again, &port_again);
	check(err == 0 || err == -ENOMEM);
	if (!err) {
		check(!strcmp(again, host) && port_again == port);
		free(again);
	}
	free(host);
}

/* LLVMFuzzerTestOneInput -- the input as a conf, a size and an address */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	/* the parser's own stderr fallback is not what is tested here */
	pmrd_log_set_level(LOG_ERR);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_conf_text(text);
	fuzz_size(text);
	fuzz_listen(text);
	free(text);
	return 0;
}
