/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_rdmacm.c -- librdmacm calls that fail when fault injection picks
 * them (linked with -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds only).
 * rdmacm returns -1 with errno; opaque pointers keep <rdma/rdma_cma.h>
 * (and its inline helpers) out.  Not injected: rdma_get_cm_event and
 * rdma_ack_cm_event (the event loop, not a set-up step), rdma_destroy_*
 * (a failed release leaks by construction).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fault_inject.h"

void *__real_rdma_create_event_channel(void);
int __real_rdma_create_id(void *channel, void **id, void *context, int ps);
int __real_rdma_bind_addr(void *id, void *addr);
int __real_rdma_listen(void *id, int backlog);
int __real_rdma_resolve_addr(void *id, void *src, void *dst, int timeout_ms);
int __real_rdma_resolve_route(void *id, int timeout_ms);
int __real_rdma_create_qp(void *id, void *pd, void *attr);
int __real_rdma_create_qp_ex(void *id, void *attr);
int __real_rdma_connect(void *id, void *param);
int __real_rdma_accept(void *id, void *param);
int __real_rdma_reject(void *id, const void *data, uint8_t len);
int __real_rdma_disconnect(void *id);
int __real_rdma_getaddrinfo(const char *node, const char *service,
			    const void *hints, void **res);

void *__wrap_rdma_create_event_channel(void);
int __wrap_rdma_create_id(void *channel, void **id, void *context, int ps);
int __wrap_rdma_bind_addr(void *id, void *addr);
int __wrap_rdma_listen(void *id, int backlog);
int __wrap_rdma_resolve_addr(void *id, void *src, void *dst, int timeout_ms);
int __wrap_rdma_resolve_route(void *id, int timeout_ms);
int __wrap_rdma_create_qp(void *id, void *pd, void *attr);
int __wrap_rdma_create_qp_ex(void *id, void *attr);
int __wrap_rdma_connect(void *id, void *param);
int __wrap_rdma_accept(void *id, void *param);
int __wrap_rdma_reject(void *id, const void *data, uint8_t len);
int __wrap_rdma_disconnect(void *id);
int __wrap_rdma_getaddrinfo(const char *node, const char *service,
			    const void *hints, void **res);

/* FAIL_IF -- the picked call: errno ERR, return -1 (rdmacm's convention) */
#define FAIL_IF(fn, err)               \
	do {                           \
		if (FAULT_HIT(fn)) {   \
			errno = (err); \
			return -1;     \
		}                      \
	} while (0)

/* __wrap_rdma_create_event_channel -- or EMFILE (it is an fd) */
void *__wrap_rdma_create_event_channel(void)
{
	if (FAULT_HIT(rdma_create_event_channel)) {
		errno = EMFILE;
		return NULL;
	}
	return __real_rdma_create_event_channel();
}

/* __wrap_rdma_create_id -- or ENOMEM */
int __wrap_rdma_create_id(void *channel, void **id, void *context, int ps)
{
	FAIL_IF(rdma_create_id, ENOMEM);
	return __real_rdma_create_id(channel, id, context, ps);
}

/* __wrap_rdma_bind_addr -- or EADDRINUSE */
int __wrap_rdma_bind_addr(void *id, void *addr)
{
	FAIL_IF(rdma_bind_addr, EADDRINUSE);
	return __real_rdma_bind_addr(id, addr);
}

/* __wrap_rdma_listen -- or EADDRINUSE */
int __wrap_rdma_listen(void *id, int backlog)
{
	FAIL_IF(rdma_listen, EADDRINUSE);
	return __real_rdma_listen(id, backlog);
}

/* __wrap_rdma_resolve_addr -- or EADDRNOTAVAIL */
int __wrap_rdma_resolve_addr(void *id, void *src, void *dst, int timeout_ms)
{
	FAIL_IF(rdma_resolve_addr, EADDRNOTAVAIL);
	return __real_rdma_resolve_addr(id, src, dst, timeout_ms);
}

/* __wrap_rdma_resolve_route -- or ENETUNREACH */
int __wrap_rdma_resolve_route(void *id, int timeout_ms)
{
	FAIL_IF(rdma_resolve_route, ENETUNREACH);
	return __real_rdma_resolve_route(id, timeout_ms);
}

/* __wrap_rdma_create_qp -- or ENOMEM */
int __wrap_rdma_create_qp(void *id, void *pd, void *attr)
{
	FAIL_IF(rdma_create_qp, ENOMEM);
	return __real_rdma_create_qp(id, pd, attr);
}

/* __wrap_rdma_create_qp_ex -- or ENOMEM */
int __wrap_rdma_create_qp_ex(void *id, void *attr)
{
	FAIL_IF(rdma_create_qp_ex, ENOMEM);
	return __real_rdma_create_qp_ex(id, attr);
}

/* __wrap_rdma_connect -- or EIO */
int __wrap_rdma_connect(void *id, void *param)
{
	FAIL_IF(rdma_connect, EIO);
	return __real_rdma_connect(id, param);
}

/* __wrap_rdma_accept -- or EIO */
int __wrap_rdma_accept(void *id, void *param)
{
	FAIL_IF(rdma_accept, EIO);
	return __real_rdma_accept(id, param);
}

/* __wrap_rdma_reject -- or EIO */
int __wrap_rdma_reject(void *id, const void *data, uint8_t len)
{
	FAIL_IF(rdma_reject, EIO);
	return __real_rdma_reject(id, data, len);
}

/* __wrap_rdma_disconnect -- or EIO (the peer is not told) */
int __wrap_rdma_disconnect(void *id)
{
	FAIL_IF(rdma_disconnect, EIO);
	return __real_rdma_disconnect(id);
}

/* __wrap_rdma_getaddrinfo -- or ENOMEM (-1 and errno, like the real one) */
int __wrap_rdma_getaddrinfo(const char *node, const char *service,
			    const void *hints, void **res)
{
	FAIL_IF(rdma_getaddrinfo, ENOMEM);
	return __real_rdma_getaddrinfo(node, service, hints, res);
}
