/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.c -- one problem in a pmrd.conf: to the caller's report function,
 * or to stderr
 *
 * Every other conf/ file reports through here, so it depends on nothing
 * but the parse state.
 */
#include <stdarg.h>
#include <stdio.h>

#include "conf_parser.h"

/* conf_error -- format, make printable, count and report one problem */
void conf_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* values are quoted into messages; keep escapes off the terminal */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	p->n_errors++;
	if (p->report)
		p->report(p->arg, p->file, line, msg);
	else if (line)
		fprintf(stderr, "%s:%u: %s\n", p->file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", p->file, msg);
}
