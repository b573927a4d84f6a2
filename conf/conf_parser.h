/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_parser.h -- state of one pmrd.conf parse, shared by the files that
 * parse, each calling only those below it: conf.c (public entry points),
 * parser.c (lines, sections, inih glue), settings.c (what each key means,
 * final checks), report.c (problem reports)
 */
#ifndef PMRD_CONF_PARSER_H
#define PMRD_CONF_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "pmrd_conf.h"
#include "util.h"

enum conf_section {
	CONF_SEC_NONE,	 /* before the first section header */
	CONF_SEC_PMRD,	 /* [pmrd] */
	CONF_SEC_REGION, /* [region NAME]: keys go to p->cur */
	CONF_SEC_SKIP,	 /* a broken header, already reported: ignore keys */
};

/* keys per section, upper bound for the "seen at line" tables */
#define CONF_KEYS_MAX 16

/* where each key of one section was set; 0 = not set */
struct conf_key_lines {
	unsigned line[CONF_KEYS_MAX];
};

struct conf_parser {
	/* input: the whole text, handed to inih one line at a time */
	const char *file; /* name for messages */
	const char *text;
	size_t len;
	size_t pos;
	unsigned line; /* number of the line inih is working on */

	pmrd_conf_report_fn report;
	void *arg;
	unsigned n_errors;
	int fatal; /* -ENOMEM: stop reading, fail the parse */

	enum conf_section sec;
	char sec_label[PMRD_REGION_NAME_MAX + 16]; /* "region db0" */
	unsigned pmrd_line; /* first [pmrd] header, 0 = none yet */
	struct conf_key_lines pmrd_keys;

	/*
	 * The region being filled: an entry of conf->regions, or scratch when
	 * its header was bad (its keys are still checked, then dropped).
	 */
	struct pmrd_region_conf *cur;
	struct conf_key_lines *cur_keys;
	struct pmrd_region_conf scratch;
	struct conf_key_lines scratch_keys;
	struct conf_key_lines *region_keys; /* parallel to conf->regions */
	size_t regions_cap;

	struct pmrd_conf *conf; /* being built */
};

/* parser.c: conf_parser_run -- feed the text through inih, then the final
 * checks */
int conf_parser_run(struct conf_parser *p);

/* settings.c: conf_key -- one "key = value" line of the current section */
void conf_key(struct conf_parser *p, const char *key, const char *value);

/* settings.c: conf_key_unreadable -- KEY (LEN bytes) was on a line we could
 * not read */
void conf_key_unreadable(struct conf_parser *p, const char *key, size_t len);

/* settings.c: conf_region_init -- a region with its defaults */
void conf_region_init(struct pmrd_region_conf *r, const char *name,
		      size_t name_len, unsigned line);

/* settings.c: conf_check_complete -- what only the whole file can tell
 * (missing keys) */
void conf_check_complete(struct conf_parser *p);

/* report.c: conf_error -- report one problem at LINE and count it */
void conf_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
	PMR_PRINTF(3, 4);

#endif
