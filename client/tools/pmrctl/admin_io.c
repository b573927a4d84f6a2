/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_io.c -- talk to pmrd's admin socket: the request is one line, the
 * answer one line of JSON (daemon/admin.h).  Every wait has a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "admin_io.h"

/* now_ms -- monotonic milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd -- poll FD for EVENTS until DEADLINE; 0 or a negative errno */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left = deadline - now_ms();
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n ? 0 : -ETIMEDOUT;
}

/* send_all -- the whole request, within the deadline */
static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int err;

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			err = wait_fd(fd, POLLOUT, deadline);
			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* recv_line -- read until '\n' into a growing buffer; *ret NUL-terminated */
static int recv_line(int fd, long long deadline, char **ret)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *tmp;
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap >= PMRCTL_ANSWER_MAX) {
				err = -EMSGSIZE;
				goto out_free;
			}
			tmp = realloc(buf, cap * 2);
			if (!tmp) {
				err = -ENOMEM;
				goto out_free;
			}
			buf = tmp;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			err = wait_fd(fd, POLLIN, deadline);
			if (err)
				goto out_free;
			continue;
		}
		if (n < 0) {
			err = -errno;
			goto out_free;
		}
		if (!n) {
			err = -EPROTO; /* closed before the end of the line */
			goto out_free;
		}
		if (memchr(buf + len, '\n', (size_t)n)) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;

out_free:
	free(buf);
	return err;
}

/* admin_call -- see admin_io.h */
int admin_call(const char *path, const char *verb, int timeout_ms,
	       struct json_object **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;
	struct json_object *o;
	char req[128], *line = NULL;
	size_t rlen;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	rlen = strlen(verb);
	if (rlen + 2 > sizeof(req))
		return -E2BIG;
	memcpy(req, verb, rlen);
	req[rlen++] = '\n';
	memcpy(sa.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out_close;
	}
	err = send_all(fd, req, rlen, deadline);
	if (err)
		goto out_close;
	err = recv_line(fd, deadline, &line);
	if (err)
		goto out_close;
	o = json_tokener_parse(line);
	free(line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		err = -EPROTO;
		goto out_close;
	}
	*ret = o;
out_close:
	close(fd);
	return err;
}
