/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h -- leveled logging for the daemon and tools (never used by libpmr) */
#ifndef PMRD_COMMON_LOG_H
#define PMRD_COMMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "util.h"

/* Levels are syslog's: LOG_ERR (3) .. LOG_DEBUG (7). */
void pmrd_log_init(const char *ident, int level);
void pmrd_log_set_level(int level);
int pmrd_log_get_level(void);
void pmrd_log_use_syslog(bool on);
int pmrd_log_level_parse(const char *s, int *ret_level);
const char *pmrd_log_level_name(int level);
void pmrd_log(int level, const char *fmt, ...) PMR_PRINTF(2, 3);

#define log_err(...)	pmrd_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	pmrd_log(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) pmrd_log(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	pmrd_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	pmrd_log(LOG_DEBUG, __VA_ARGS__)

#endif
