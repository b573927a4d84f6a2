/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_admin.c -- libFuzzer target for the admin socket's request parser
 *
 * The input is what a peer writes to the socket: it is cut into lines at
 * '\n' the way daemon/admin/admin.c does, and each line (and the whole input,
 * as an over-long line would be) goes to pmrd_admin_req_parse() with a
 * roomy, a tiny and no error buffer.  Checked: only the documented errors,
 * *ret untouched on failure, a NUL-terminated reason within its buffer,
 * and an accepted request that is a known verb with printable arguments.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "admin_req.h"

/* printable -- S is non-empty printable ASCII without blanks */
static bool printable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* parse_once -- one parse with an error buffer of CAP bytes (0: none) */
static int parse_once(const char *line, size_t len, size_t cap,
		      struct pmrd_admin_req *req)
{
	char text[160];
	const size_t guard = 16;
	struct pmrd_admin_req before;
	int err;

	memset(text, 0x5a, sizeof(text));
	memset(req, 0xa5, sizeof(*req));
	before = *req;
	err = pmrd_admin_req_parse(line, len, req, cap ? text : NULL, cap);
	check(err == 0 || err == -EINVAL || err == -E2BIG ||
	      err == -EOPNOTSUPP);
	/* nothing written past the buffer the parser was given */
	for (size_t i = cap; i < cap + guard; i++)
		check((unsigned char)text[i] == 0x5a);
	if (err) {
		check(!memcmp(req, &before, sizeof(*req)));
		if (cap)
			check(memchr(text, '\0', cap) && (cap == 1 || *text));
		return err;
	}
	check(strcmp(pmrd_admin_verb_name(req->verb), "?"));
	check(req->n_args <= PMRD_ADMIN_ARGS_MAX);
	for (unsigned i = 0; i < req->n_args; i++) {
		check(memchr(req->args[i], '\0', sizeof(req->args[i])));
		check(printable(req->args[i]));
	}
	return 0;
}

/* reprint -- REQ written back as one line, single blanks: parses the same */
static void reprint(const struct pmrd_admin_req *req)
{
	struct pmrd_admin_req again;
	char line[PMRD_ADMIN_REQ_MAX * 2];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "%s",
			     pmrd_admin_verb_name(req->verb));
	for (unsigned i = 0; i < req->n_args; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s",
				      req->args[i]);
	check(n < sizeof(line));
	check(parse_once(line, n, 128, &again) == 0);
	check(!memcmp(req, &again, sizeof(again)));
}

/* parse_line -- LINE with every buffer size; all agree on the result */
static void parse_line(const char *line, size_t len)
{
	struct pmrd_admin_req a, b;
	int err;

	err = parse_once(line, len, 128, &a);
	check(parse_once(line, len, 1, &b) == err);
	check(parse_once(line, len, 0, &b) == err);
	if (!err) {
		check(!memcmp(&a, &b, sizeof(a)));
		reprint(&a);
	}
	if (len > PMRD_ADMIN_REQ_MAX)
		check(err == -E2BIG);
}

/* LLVMFuzzerTestOneInput -- DATA as what a peer sends on the socket */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	char *copy;

	/* an exact-size copy, so that a read past LEN is an ASan report */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	parse_line(copy, size);
	free(copy);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		parse_line(p, (size_t)(nl - p));
		p = nl + 1;
	}
	return 0;
}
