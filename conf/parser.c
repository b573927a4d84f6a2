/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parser.c -- pmrd.conf lines and sections, fed through inih
 *
 * Debian's libinih is built without INI_HANDLER_LINENO, and ini_parse_stream
 * only returns the first bad line, so this file owns the lines: our reader
 * hands inih one line at a time and counts them, which makes p->line the
 * line inih's handler is called for.  Before a line goes to inih the reader
 * also
 *  - reports lines inih would truncate (its buffer is ini_max_line, 200
 *    bytes on Debian) or misread (NUL bytes), instead of passing them on;
 *  - reports every syntax error itself, with its line, and passes an empty
 *    line instead, so that all of them are seen, not just the first;
 *  - tracks section headers itself: inih truncates section names to 49
 *    bytes and does not tell the handler about a section without keys;
 *  - strips leading whitespace, which turns off inih's multi-line values
 *    (an indented line continues the previous value).  No pmrd.conf value
 *    spans lines, and an indented key silently becoming part of the
 *    previous value would be a nasty surprise.
 * inih still splits "key = value", strips blanks and " ;" comments.
 *
 * The length limit is the NUM inih passes to the reader: its fixed line
 * buffer (Debian: INI_USE_STACK, ini_max_line = 200), less room for
 * "\r\n\0".  An inih that grows its buffer with realloc would first call
 * the reader with a smaller NUM; Debian's does not.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parser.h"
#include "conf_private.h"

/* conf_find -- inih's find_chars_or_comment: a char of CHARS or " ;" */
static const char *conf_find(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s && !(chars && strchr(chars, *s)) &&
	       !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/* conf_region_scratch -- the region a bad [region ...] header's keys fill */
static struct pmrd_region_conf *
conf_region_scratch(struct conf_parser *p, const char *name, size_t len)
{
	conf_region_free_fields(&p->scratch);
	if (len > PMRD_REGION_NAME_MAX)
		len = PMRD_REGION_NAME_MAX;
	conf_region_init(&p->scratch, name, len, p->line);
	memset(&p->scratch_keys, 0, sizeof(p->scratch_keys));
	p->cur_keys = &p->scratch_keys;
	return &p->scratch;
}

/* conf_region_add -- append a region to the conf; NULL when out of memory */
static struct pmrd_region_conf *conf_region_add(struct conf_parser *p,
						const char *name, size_t len)
{
	struct pmrd_conf *c = p->conf;

	if (c->n_regions == p->regions_cap) {
		size_t cap = p->regions_cap ? 2 * p->regions_cap : 8;
		struct pmrd_region_conf *r;
		struct conf_key_lines *k;

		r = reallocarray(c->regions, cap, sizeof(*r));
		if (!r)
			return NULL;
		c->regions = r;
		k = reallocarray(p->region_keys, cap, sizeof(*k));
		if (!k)
			return NULL;
		p->region_keys = k;
		p->regions_cap = cap;
	}
	conf_region_init(&c->regions[c->n_regions], name, len, p->line);
	memset(&p->region_keys[c->n_regions], 0, sizeof(*p->region_keys));
	p->cur_keys = &p->region_keys[c->n_regions];
	return &c->regions[c->n_regions++];
}

/* conf_region_begin -- a [region NAME] header */
static void conf_region_begin(struct conf_parser *p, const char *name,
			      size_t len)
{
	struct pmrd_conf *c = p->conf;
	const struct pmrd_region_conf *dup = NULL;

	p->sec = CONF_SEC_REGION;
	snprintf(p->sec_label, sizeof(p->sec_label), "region %.*s",
		 (int)MIN(len, PMRD_REGION_NAME_MAX), name);
	if (!len) {
		conf_error(p, p->line, "[region] needs a name: [region NAME]");
		goto out_scratch;
	}
	if (!conf_region_name_valid(name, len)) {
		conf_error(
			p, p->line,
			"bad region name '%.*s': use 1..%d characters of A-Z a-z 0-9 _ . - (not '.' or '..')",
			(int)MIN(len, 128), name, PMRD_REGION_NAME_MAX);
		goto out_scratch;
	}
	for (size_t i = 0; i < c->n_regions && !dup; i++)
		if (strlen(c->regions[i].name) == len &&
		    !memcmp(c->regions[i].name, name, len))
			dup = &c->regions[i];
	if (dup) {
		conf_error(p, p->line,
			   "duplicate region '%s' (first at line %u)",
			   dup->name, dup->line);
		goto out_scratch;
	}
	if (c->n_regions == PMRD_MAX_REGIONS) {
		conf_error(p, p->line, "too many regions (at most %d)",
			   PMRD_MAX_REGIONS);
		goto out_scratch;
	}
	p->cur = conf_region_add(p, name, len);
	if (!p->cur) {
		p->fatal = -ENOMEM;
		goto out_scratch;
	}
	return;

out_scratch:
	p->cur = conf_region_scratch(p, name, len);
}

/* conf_section_begin -- a "[NAME]" header, NAME trimmed, LEN bytes */
static void conf_section_begin(struct conf_parser *p, const char *name,
			       size_t len)
{
	p->cur = NULL;
	p->cur_keys = NULL;
	if (len == 4 && !memcmp(name, "pmrd", 4)) {
		p->sec = CONF_SEC_PMRD;
		snprintf(p->sec_label, sizeof(p->sec_label), "pmrd");
		if (p->pmrd_line)
			conf_error(
				p, p->line,
				"duplicate section [pmrd] (first at line %u)",
				p->pmrd_line);
		else
			p->pmrd_line = p->line;
		return;
	}
	if (len >= 6 && !memcmp(name, "region", 6) &&
	    (len == 6 || isspace((unsigned char)name[6]))) {
		name += 6;
		len -= 6;
		while (len && isspace((unsigned char)*name)) {
			name++;
			len--;
		}
		conf_region_begin(p, name, len);
		return;
	}
	p->sec = CONF_SEC_SKIP;
	conf_error(p, p->line,
		   "unknown section [%.*s] (expected [pmrd] or [region NAME])",
		   (int)MIN(len, 128), name);
}

/* conf_section_line -- a line starting with '[' (LINE is left-trimmed) */
static bool conf_section_line(struct conf_parser *p, const char *line)
{
	const char *name = line + 1, *end, *rest;

	end = conf_find(name, "]");
	if (*end != ']') {
		p->sec = CONF_SEC_SKIP;
		p->cur = NULL;
		conf_error(p, p->line, "section header without ']'");
		return false;
	}
	for (rest = end + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#')
		conf_error(p, p->line, "unexpected text after ']'");
	while (name < end && isspace((unsigned char)*name))
		name++;
	while (end > name && isspace((unsigned char)end[-1]))
		end--;
	conf_section_begin(p, name, (size_t)(end - name));
	return true;
}

/* conf_line_check -- may inih see LINE (left-trimmed)?  Sections start here */
static bool conf_line_check(struct conf_parser *p, const char *line)
{
	const char *end;

	if (!*line || *line == ';' || *line == '#')
		return true;
	if (*line == '[')
		return conf_section_line(p, line);
	end = conf_find(line, "=:");
	if (*end != '=' && *end != ':') {
		conf_error(p, p->line,
			   "expected 'key = value', '[section]' or a comment");
		return false;
	}
	return true;
}

/*
 * conf_line_unusable -- a line we reported and will not parse.  A header:
 * ignore the keys of its section.  A key: count it as given, so that a
 * "missing required key" does not follow the report about its line.
 */
static void conf_line_unusable(struct conf_parser *p, const char *l, size_t n)
{
	size_t k = 0;

	while (n && isspace((unsigned char)*l)) {
		l++;
		n--;
	}
	if (n && *l == '[') {
		p->sec = CONF_SEC_SKIP;
		p->cur = NULL;
		return;
	}
	while (k < n && l[k] != '=' && l[k] != ':' && l[k] != '\0')
		k++;
	if (k == n || l[k] == '\0')
		return;
	while (k && isspace((unsigned char)l[k - 1]))
		k--;
	conf_key_unreadable(p, l, k);
}

/* conf_reader -- inih's fgets: hand over the next line (see the top) */
static char *conf_reader(char *str, int num, void *stream)
{
	struct conf_parser *p = stream;
	size_t n, room = num > 3 ? (size_t)num - 3 : 0;
	const char *l, *nl;

	if (p->fatal || p->pos >= p->len)
		return NULL;
	l = p->text + p->pos;
	nl = memchr(l, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - l) : p->len - p->pos;
	p->pos += n + (nl ? 1 : 0);
	p->line++;
	str[0] = '\0';

	if (n && l[n - 1] == '\r')
		n--;
	if (p->line == 1 && n >= 3 && !memcmp(l, "\xef\xbb\xbf", 3)) {
		l += 3;
		n -= 3;
	}
	if (memchr(l, '\0', n)) {
		conf_error(p, p->line, "line contains a NUL byte");
		conf_line_unusable(p, l, n);
		return str;
	}
	/* inih would cut the line at ROOM and read the rest as a new line */
	if (n > room) {
		conf_error(p, p->line, "line too long (%zu bytes, at most %zu)",
			   n, room);
		conf_line_unusable(p, l, n);
		return str;
	}
	while (n && isspace((unsigned char)*l)) {
		l++;
		n--;
	}
	memcpy(str, l, n);
	str[n] = '\0';
	if (!conf_line_check(p, str))
		str[0] = '\0';
	return str;
}

/* conf_handler -- inih found "key = value" on line p->line */
static int conf_handler(void *user, const char *section, const char *key,
			const char *value)
{
	struct conf_parser *p = user;

	(void)section; /* truncated by inih; p->sec is authoritative */
	conf_key(p, key, value);
	return 1;
}

/* conf_parser_run -- feed the text through inih, then the final checks */
int conf_parser_run(struct conf_parser *p)
{
	int rc;

	rc = ini_parse_stream(conf_reader, p, conf_handler, p);
	if (p->fatal)
		return p->fatal;
	if (rc == -2)
		return -ENOMEM;
	/* every line was screened above, so this means inih changed */
	if (rc > 0)
		conf_error(p, (unsigned)rc, "syntax error");
	else if (rc < 0)
		return -EIO;
	conf_check_complete(p);
	if (p->fatal)
		return p->fatal;
	return p->n_errors ? -EINVAL : 0;
}
