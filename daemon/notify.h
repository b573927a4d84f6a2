/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify.h -- the sd_notify(3) protocol without libsystemd: one datagram
 * of "KEY=VALUE\n" lines to the AF_UNIX socket named by $NOTIFY_SOCKET
 * (a path, or "@name" for the abstract namespace).  Without the variable
 * (not started by systemd with Type=notify) every call does nothing.
 */
#ifndef PMRD_NOTIFY_H
#define PMRD_NOTIFY_H

#include "util.h"

#define PMRD_NOTIFY_MAX 1024 /* bytes of one message */

/*
 * pmrd_notify -- send the printf-formatted message.  1 when sent, 0 when
 * there is no NOTIFY_SOCKET, a negative errno when sending failed (logged
 * at debug level: a lost notification must not stop the daemon).
 */
int pmrd_notify(const char *fmt, ...) PMR_PRINTF(1, 2);

#endif
