/* SPDX-License-Identifier: BSD-3-Clause */
/* log_cb.c -- the caller's log callback and level (PMR_LOG_LEVEL overrides) */
#include <stdio.h>
#include <stdlib.h>

#include "log_cb.h"

pmr_log_fn *pmr_log_cb;
int pmr_log_level = PMR_LOG_ERR;

/* pmr_log_set -- install the callback and its level */
void pmr_log_set(pmr_log_fn *fn, int level)
{
	const char *env = secure_getenv("PMR_LOG_LEVEL");
	char *end;
	long l;

	if (env && *env) {
		l = strtol(env, &end, 10);
		if (*end == '\0' && l >= PMR_LOG_ERR && l <= PMR_LOG_DEBUG)
			level = (int)l;
	}
	if (level < PMR_LOG_ERR)
		level = PMR_LOG_ERR;
	if (level > PMR_LOG_DEBUG)
		level = PMR_LOG_DEBUG;
	pmr_log_level = level;
	pmr_log_cb = fn;
}

/* pmr_log_emit -- format and hand one message to the callback */
void pmr_log_emit(int level, const char *file, int line, const char *func,
		  const char *fmt, ...)
{
	pmr_log_fn *fn = pmr_log_cb;
	char msg[512];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(level, file, line, func, msg);
}
