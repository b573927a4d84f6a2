/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_req.c -- parse one admin request line (pure, bounded: every byte
 * is looked at once, nothing is allocated).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "admin_req.h"
#include "util.h"

struct verb_entry {
	const char *name;
	enum pmrd_admin_verb verb;
	unsigned max_args;
};

static const struct verb_entry verbs[] = {
	{ "status", PMRD_ADMIN_STATUS, 0 },
	{ "list-regions", PMRD_ADMIN_LIST_REGIONS, 0 },
	{ "list-clients", PMRD_ADMIN_LIST_CLIENTS, 0 },
};

/* pmrd_admin_verb_name -- see admin_req.h */
const char *pmrd_admin_verb_name(enum pmrd_admin_verb verb)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (verbs[i].verb == verb)
			return verbs[i].name;
	return "?";
}

/* set_text -- the reason for the peer, when it wants one */
PMR_PRINTF(3, 4)
static void set_text(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

/* pmrd_admin_req_parse -- see admin_req.h */
int pmrd_admin_req_parse(const char *line, size_t len,
			 struct pmrd_admin_req *ret, char *err_text, size_t cap)
{
	char words[PMRD_ADMIN_ARGS_MAX + 1][PMRD_ADMIN_WORD_MAX + 1];
	const struct verb_entry *v = NULL;
	size_t n_words = 0, wlen = 0;

	if (len && line[len - 1] == '\r')
		len--;
	if (len >= PMRD_ADMIN_REQ_MAX) {
		set_text(err_text, cap, "request longer than %d bytes",
			 PMRD_ADMIN_REQ_MAX - 1);
		return -E2BIG;
	}
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? line[i] : ' ';

		if (ch == ' ' || ch == '\t') {
			if (wlen) {
				words[n_words][wlen] = '\0';
				n_words++;
				wlen = 0;
			}
			continue;
		}
		if (ch < 0x21 || ch > 0x7e) {
			set_text(
				err_text, cap,
				"byte 0x%02x at offset %zu is not printable ASCII",
				(unsigned char)ch, i);
			return -EINVAL;
		}
		if (n_words >= ARRAY_SIZE(words)) {
			set_text(err_text, cap, "more than %d arguments",
				 PMRD_ADMIN_ARGS_MAX);
			return -E2BIG;
		}
		if (wlen >= PMRD_ADMIN_WORD_MAX) {
			set_text(err_text, cap, "a word longer than %d bytes",
				 PMRD_ADMIN_WORD_MAX);
			return -E2BIG;
		}
		words[n_words][wlen++] = ch;
	}
	if (!n_words) {
		set_text(err_text, cap, "empty request");
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(words[0], verbs[i].name))
			v = &verbs[i];
	if (!v) {
		set_text(err_text, cap, "unknown request '%s'", words[0]);
		return -EOPNOTSUPP;
	}
	if (n_words - 1 > v->max_args) {
		set_text(err_text, cap, "'%s' takes %u argument(s)", v->name,
			 v->max_args);
		return -EINVAL;
	}
	memset(ret, 0, sizeof(*ret));
	ret->verb = v->verb;
	ret->n_args = (unsigned)(n_words - 1);
	for (size_t i = 1; i < n_words; i++)
		snprintf(ret->args[i - 1], sizeof(ret->args[i - 1]), "%s",
			 words[i]);
	return 0;
}
