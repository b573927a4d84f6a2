/* SPDX-License-Identifier: BSD-3-Clause */
/* persist_recorder.c -- the fake persist of the session tests */
#include <string.h>

#include "persist_recorder.h"

struct persist_record persisted;

/* fake_persist -- see persist_recorder.h */
void fake_persist(const void *ptr, size_t len)
{
	persisted.ptr = ptr;
	persisted.len = len;
	persisted.calls++;
}

/* persist_recorder_reset -- see persist_recorder.h */
void persist_recorder_reset(void)
{
	memset(&persisted, 0, sizeof(persisted));
}
