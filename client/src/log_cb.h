/* SPDX-License-Identifier: BSD-3-Clause */
/* log_cb.h -- libpmr's log: silent unless the caller installed a callback */
#ifndef PMR_CLIENT_LOG_CB_H
#define PMR_CLIENT_LOG_CB_H

#include <stdarg.h>

#include "libpmr.h"

extern pmr_log_fn *pmr_log_cb;
extern int pmr_log_level;

void pmr_log_emit(int level, const char *file, int line, const char *func,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* the level test stays inline: a disabled log costs a load and a compare */
#define PMR_LOG(level, ...)                                               \
	do {                                                              \
		if (pmr_log_cb && (level) <= pmr_log_level)               \
			pmr_log_emit(level, __FILE__, __LINE__, __func__, \
				     __VA_ARGS__);                        \
	} while (0)

#define pmr_err(...)  PMR_LOG(PMR_LOG_ERR, __VA_ARGS__)
#define pmr_warn(...) PMR_LOG(PMR_LOG_WARNING, __VA_ARGS__)
#define pmr_info(...) PMR_LOG(PMR_LOG_INFO, __VA_ARGS__)
#define pmr_dbg(...)  PMR_LOG(PMR_LOG_DEBUG, __VA_ARGS__)

#endif
