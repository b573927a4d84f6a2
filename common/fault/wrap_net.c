/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_net.c -- socket set-up calls (the admin socket, the listen address)
 * that fail when fault injection picks them (linked with
 * -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds only)
 */
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include "fault_inject.h"

int __real_socket(int domain, int type, int protocol);
int __real_bind(int fd, const struct sockaddr *addr, socklen_t len);
int __real_listen(int fd, int backlog);
int __real_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res);

int __wrap_socket(int domain, int type, int protocol);
int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len);
int __wrap_listen(int fd, int backlog);
int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res);

/* __wrap_socket -- or EMFILE */
int __wrap_socket(int domain, int type, int protocol)
{
	if (FAULT_HIT(socket)) {
		errno = EMFILE;
		return -1;
	}
	return __real_socket(domain, type, protocol);
}

/* __wrap_bind -- or EADDRINUSE */
int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (FAULT_HIT(bind)) {
		errno = EADDRINUSE;
		return -1;
	}
	return __real_bind(fd, addr, len);
}

/* __wrap_listen -- or EADDRINUSE */
int __wrap_listen(int fd, int backlog)
{
	if (FAULT_HIT(listen)) {
		errno = EADDRINUSE;
		return -1;
	}
	return __real_listen(fd, backlog);
}

/* __wrap_getaddrinfo -- or EAI_MEMORY (its own code, not errno) */
int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res)
{
	if (FAULT_HIT(getaddrinfo))
		return EAI_MEMORY;
	return __real_getaddrinfo(node, service, hints, res);
}
