/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c -- leveled logging to stderr or syslog
 *
 * Under systemd (JOURNAL_STREAM names our stderr) each line carries the
 * sd-daemon "<N>" prefix so the journal keeps the level; otherwise lines read
 * "ident: level: message".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

static const char *log_ident = "pmrd";
static int log_level = LOG_INFO;
static bool log_syslog;
static bool log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",	   [LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",	   [LOG_ERR] = "err",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	   [LOG_DEBUG] = "debug",
};

/* stderr_is_journal -- does JOURNAL_STREAM (dev:ino) name our stderr? */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(2, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

/* pmrd_log_init -- set the program name and level; detect the journal */
void pmrd_log_init(const char *ident, int level)
{
	log_ident = ident;
	pmrd_log_set_level(level);
	log_journal = stderr_is_journal();
}

/* pmrd_log_set_level -- clamp and set the threshold */
void pmrd_log_set_level(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_level = level;
}

/* pmrd_log_get_level -- the current threshold */
int pmrd_log_get_level(void)
{
	return log_level;
}

/* pmrd_log_use_syslog -- send messages to syslog(3) instead of stderr */
void pmrd_log_use_syslog(bool on)
{
	if (on && !log_syslog)
		openlog(log_ident, LOG_PID, LOG_DAEMON);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

/* pmrd_log_level_parse -- "err".."debug" (also "error", "warn", 3..7) */
int pmrd_log_level_parse(const char *s, int *ret_level)
{
	char *end;
	long n;

	if (!s || !*s)
		return -EINVAL;
	if (!strcasecmp(s, "error")) {
		*ret_level = LOG_ERR;
		return 0;
	}
	if (!strcasecmp(s, "warn")) {
		*ret_level = LOG_WARNING;
		return 0;
	}
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++) {
		if (!strcasecmp(s, level_names[i])) {
			*ret_level = i;
			return 0;
		}
	}
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < LOG_ERR || n > LOG_DEBUG)
		return -EINVAL;
	*ret_level = (int)n;
	return 0;
}

/* pmrd_log_level_name -- the name of a level, "?" when out of range */
const char *pmrd_log_level_name(int level)
{
	if (level < 0 || level > LOG_DEBUG)
		return "?";
	return level_names[level];
}

/* pmrd_log -- emit one line if level passes the threshold */
void pmrd_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (log_syslog)
		syslog(level, "%s", buf);
	else if (log_journal)
		fprintf(stderr, "<%d>%s\n", level, buf);
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident,
			pmrd_log_level_name(level), buf);
}
