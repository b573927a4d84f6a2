/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * device.c -- bind the listen address, find its RDMA device, allocate the
 * PD and read the capabilities everything else is decided from.
 *
 * Binding happens before any region is registered so that "this address is
 * not on an RDMA device" is the first thing an operator sees, not a vague
 * registration failure later.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_event.h"
#include "device.h"
#include "log.h"
#include "util.h"

/* parse_addr -- numeric HOST:PORT to a sockaddr (IPv4 or IPv6) */
static int parse_addr(const char *host, uint16_t port,
		      struct sockaddr_storage *ss)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *res;
	char service[8];
	int err;

	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &res);
	if (err) {
		log_err("listen address '%s': %s (a numeric IPv4 or IPv6 address is needed)",
			host, gai_strerror(err));
		return -EINVAL;
	}
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* is_wildcard -- 0.0.0.0 or :: (names no device) */
static bool is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
			       &in6addr_any, sizeof(in6addr_any));
	return false;
}

/* query_caps -- fill CAPS from the device and the listen port */
static int query_caps(struct ibv_context *verbs, uint8_t port_num,
		      struct pmrd_dev_caps *caps)
{
	struct ibv_device_attr_ex ax;
	struct ibv_port_attr pa;
	uint32_t rc;
	int err;

	memset(&ax, 0, sizeof(ax));
	err = ibv_query_device_ex(verbs, NULL, &ax);
	if (err) {
		log_err("%s: ibv_query_device_ex: %s",
			ibv_get_device_name(verbs->device), strerror(err));
		return -err;
	}
	memset(&pa, 0, sizeof(pa));
	err = ibv_query_port(verbs, port_num ? port_num : 1, &pa);
	if (err) {
		log_err("%s: ibv_query_port %u: %s",
			ibv_get_device_name(verbs->device), port_num,
			strerror(err));
		return -err;
	}

	memset(caps, 0, sizeof(*caps));
	rc = ax.odp_caps.per_transport_caps.rc_odp_caps;
	caps->odp = ax.odp_caps.general_caps & IBV_ODP_SUPPORT;
	caps->odp_rc_read = caps->odp && (rc & IBV_ODP_SUPPORT_READ);
	caps->odp_rc_write = caps->odp && (rc & IBV_ODP_SUPPORT_WRITE);
	caps->odp_rc_flush = caps->odp && (rc & PMRD_ODP_SUPPORT_FLUSH);
	caps->odp_rc_atomic = caps->odp && (rc & IBV_ODP_SUPPORT_ATOMIC);
	caps->odp_rc_atomic_write = caps->odp &&
				    (rc & PMRD_ODP_SUPPORT_ATOMIC_WRITE);
	caps->atomics = ax.orig_attr.atomic_cap != IBV_ATOMIC_NONE;
	caps->atomic_write = ax.device_cap_flags_ex & PMRD_DEV_CAP_ATOMIC_WRITE;
	caps->soft_roce = ax.orig_attr.vendor_id == PMRD_RXE_VENDOR_ID;
	caps->flush_global = ax.device_cap_flags_ex & PMRD_DEV_CAP_FLUSH_GLOBAL;
	caps->flush_persistent = ax.device_cap_flags_ex &
				 PMRD_DEV_CAP_FLUSH_PERSISTENT;
#ifdef PMRD_HAVE_IBV_FLUSH
	caps->flush_verbs = true;
#endif
#ifdef PMRD_HAVE_IBV_ATOMIC_WRITE
	caps->atomic_write_verbs = true;
#endif
	caps->max_qp_wr = ax.orig_attr.max_qp_wr > 0 ?
				  (uint32_t)ax.orig_attr.max_qp_wr :
				  0;
	caps->max_cqe = ax.orig_attr.max_cqe;
	caps->max_qp_rd_atom = ax.orig_attr.max_qp_rd_atom;
	caps->max_mr_size = ax.orig_attr.max_mr_size;
	caps->max_msg_sz = pa.max_msg_sz;

	log_info(
		"device %s port %u: odp %s (rc read %s, write %s, flush %s), flush persistent %s%s, max_qp_rd_atom %d, max_msg_sz %u",
		ibv_get_device_name(verbs->device), port_num,
		caps->odp ? "yes" : "no", caps->odp_rc_read ? "yes" : "no",
		caps->odp_rc_write ? "yes" : "no",
		caps->odp_rc_flush ? "yes" : "no",
		caps->flush_persistent ? "yes" : "no",
		caps->flush_verbs ?
			"" :
			" (this build lacks ibv_wr_flush: rdma-core < 45)",
		caps->max_qp_rd_atom, caps->max_msg_sz);
	log_info(
		"device %s: atomics %s, atomic write %s%s (odp: atomics %s, "
		"atomic write %s)",
		ibv_get_device_name(verbs->device),
		caps->atomics ? "yes" : "no", caps->atomic_write ? "yes" : "no",
		caps->atomic_write_verbs ?
			"" :
			" (this build lacks ibv_wr_atomic_write: rdma-core < 45)",
		caps->odp_rc_atomic ? "yes" : "no",
		caps->odp_rc_atomic_write ? "yes" : "no");
	return 0;
}

/*
 * odp_selftest -- decide caps.odp_state from the data path itself, where
 * the device claims RC ODP for READ and WRITE (odp_selftest.c says why a
 * claim is not enough).  A failed or misplacing test leaves ODP unused:
 * devdax and tmpfs regions are served all the same.
 */
static void odp_selftest(struct pmrd_device *dev, const struct sockaddr *addr)
{
	const char *name = ibv_get_device_name(dev->verbs->device);
	struct pmrd_dev_caps *caps = &dev->caps;
	double t0;

	if (!caps->odp || !caps->odp_rc_read || !caps->odp_rc_write) {
		caps->odp_state = PMRD_ODP_UNSUPPORTED;
		snprintf(
			dev->odp_detail, sizeof(dev->odp_detail),
			"the device reports no RC On-Demand Paging for RDMA READ and WRITE");
		log_info("device %s: ODP self-test: not supported (%s)", name,
			 dev->odp_detail);
		return;
	}
	t0 = pmrd_now_ms();
	caps->odp_state = pmrd_odp_selftest(addr, dev->pd, dev->odp_detail,
					    sizeof(dev->odp_detail));
	if (caps->odp_state == PMRD_ODP_VERIFIED)
		log_info("device %s: ODP self-test: verified in %.1f ms (%s)",
			 name, pmrd_now_ms() - t0, dev->odp_detail);
	else
		log_warn(
			"device %s: ODP self-test: %s in %.1f ms: %s; no region is registered with On-Demand Paging on this device (fsdax regions are refused)",
			name, pmrd_odp_state_name(caps->odp_state),
			pmrd_now_ms() - t0, dev->odp_detail);
}

/* pmrd_device_open -- see device.h */
int pmrd_device_open(const char *host, uint16_t port, struct pmrd_device **ret)
{
	struct sockaddr_storage ss;
	struct pmrd_device *dev;
	int err, flags;

	err = parse_addr(host, port, &ss);
	if (err)
		return err;
	if (is_wildcard(&ss)) {
		log_err("listen address %s names no RDMA device: give the IP address of the RDMA interface (see `rdma link` and `ip addr`)",
			host);
		return -EINVAL;
	}

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	snprintf(dev->addr, sizeof(dev->addr),
		 ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);

	dev->ec = rdma_create_event_channel();
	if (!dev->ec) {
		err = -errno;
		log_err("rdma_create_event_channel: %s (is rdma_ucm loaded?)",
			strerror(errno));
		goto out_free;
	}
	flags = fcntl(dev->ec->fd, F_GETFL);
	if (flags < 0 || fcntl(dev->ec->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = -errno;
		log_err("event channel: O_NONBLOCK: %s", strerror(errno));
		goto out_destroy_channel;
	}

	if (rdma_create_id(dev->ec, &dev->listen_id, NULL, RDMA_PS_TCP)) {
		err = -errno;
		log_err("rdma_create_id: %s", strerror(errno));
		goto out_destroy_channel;
	}
	if (rdma_bind_addr(dev->listen_id, (struct sockaddr *)&ss)) {
		err = -errno;
		if (errno == EADDRINUSE)
			log_err("listen %s: port already in use (another pmrd?)",
				dev->addr);
		else
			log_err("listen %s: %s: no RDMA device has this address (see `rdma link` and `ip addr`)",
				dev->addr, strerror(errno));
		goto out_destroy_id;
	}
	dev->verbs = dev->listen_id->verbs;
	if (!dev->verbs) {
		err = -ENODEV;
		log_err("listen %s: no RDMA device has this address (see `rdma link` and `ip addr`)",
			dev->addr);
		goto out_destroy_id;
	}

	dev->pd = ibv_alloc_pd(dev->verbs);
	if (!dev->pd) {
		err = errno ? -errno : -ENOMEM;
		log_err("%s: ibv_alloc_pd: %s",
			ibv_get_device_name(dev->verbs->device),
			strerror(-err));
		goto out_destroy_id;
	}
	err = query_caps(dev->verbs, dev->listen_id->port_num, &dev->caps);
	if (err)
		goto out_dealloc_pd;
	odp_selftest(dev, (struct sockaddr *)&ss);

	log_info("listen %s on device %s", dev->addr,
		 ibv_get_device_name(dev->verbs->device));
	*ret = dev;
	return 0;

out_dealloc_pd:
	ibv_dealloc_pd(dev->pd);
out_destroy_id:
	rdma_destroy_id(dev->listen_id);
out_destroy_channel:
	rdma_destroy_event_channel(dev->ec);
out_free:
	free(dev);
	return err;
}

/* pmrd_device_listen -- see device.h */
int pmrd_device_listen(struct pmrd_device *dev, int backlog)
{
	if (rdma_listen(dev->listen_id, backlog)) {
		int err = -errno;

		log_err("listen %s: rdma_listen: %s", dev->addr,
			strerror(errno));
		return err;
	}
	return 0;
}

/* pmrd_device_close -- see device.h; every MR and QP must be gone first */
void pmrd_device_close(struct pmrd_device **devp)
{
	struct pmrd_device *dev = devp ? *devp : NULL;
	int err;

	if (!dev)
		return;
	pmrd_async_delete(&dev->async);
	err = ibv_dealloc_pd(dev->pd);
	if (err)
		log_warn("ibv_dealloc_pd: %s (resources still attached)",
			 strerror(err));
	rdma_destroy_id(dev->listen_id);
	rdma_destroy_event_channel(dev->ec);
	free(dev);
	*devp = NULL;
}
