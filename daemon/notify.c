/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify.c -- sd_notify without libsystemd: the protocol is one datagram,
 * so a socket, a sendto and a close are all it takes, on every platform
 * whether or not libsystemd-dev is installed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

/* pmrd_notify -- see notify.h */
int pmrd_notify(const char *fmt, ...)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	char msg[PMRD_NOTIFY_MAX];
	socklen_t salen;
	size_t plen;
	va_list ap;
	int fd, n, err = 1;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   salen) < 0) {
		err = -errno;
		log_debug("sd_notify to %s: %s", path, strerror(errno));
	}
	close(fd);
	return err;
}
