/* SPDX-License-Identifier: BSD-3-Clause */
/* err.c -- error codes: pmr_strerror and the wire-code mappings */
#include <errno.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "check.h"
#include "libpmr.h"
#include "pmr_proto.h"

static const char *const pmr_errstr[] = {
	[PMR_E_BASE - PMR_E_UNKNOWN] = "unexpected internal error",
	[PMR_E_BASE - PMR_E_PROTOCOL] = "server sent malformed data",
	[PMR_E_BASE - PMR_E_REJECTED] = "connection rejected by the server",
	[PMR_E_BASE - PMR_E_REJECTED_BAD_HELLO] =
		"connection rejected: server did not understand our hello",
	[PMR_E_BASE - PMR_E_REJECTED_VERSION] =
		"connection rejected: no common protocol version",
	[PMR_E_BASE - PMR_E_REJECTED_TOO_MANY] =
		"connection rejected: server has too many clients",
	[PMR_E_BASE - PMR_E_REJECTED_MEMORY] =
		"connection rejected: server's client memory limit reached",
	[PMR_E_BASE - PMR_E_REJECTED_SHUTDOWN] =
		"connection rejected: server is shutting down",
	[PMR_E_BASE - PMR_E_REJECTED_DENIED] =
		"connection rejected: not authorized",
	[PMR_E_BASE - PMR_E_REJECTED_INTERNAL] =
		"connection rejected: server-side failure",
	[PMR_E_BASE - PMR_E_NOENT_REGION] = "no such region",
	[PMR_E_BASE - PMR_E_ACCESS] = "access mode not allowed on the region",
	[PMR_E_BASE - PMR_E_RANGE] = "offset or length outside the region",
	[PMR_E_BASE - PMR_E_LIMIT] = "server limit reached",
	[PMR_E_BASE - PMR_E_SHUTDOWN] =
		"server is shutting down or the region is being removed",
	[PMR_E_BASE - PMR_E_SERVER] = "server-side failure",
	[PMR_E_BASE - PMR_E_UNSUPPORTED] =
		"request not supported by the server",
	[PMR_E_BASE - PMR_E_DENIED] = "not authorized",
	[PMR_E_BASE - PMR_E_REMOTE_ACCESS] =
		"RDMA remote access error (key, bounds or permission)",
	[PMR_E_BASE - PMR_E_REMOTE_OP] = "RDMA remote operation error",
	[PMR_E_BASE - PMR_E_CONN_LOST] = "connection lost",
	[PMR_E_BASE - PMR_E_READONLY] = "region is open read-only",
	[PMR_E_BASE - PMR_E_NO_METHOD] =
		"persistence method not offered for this region",
	[PMR_E_BASE - PMR_E_AUTH] =
		"server did not prove it knows the region's pre-shared key",
	[PMR_E_BASE - PMR_E_BUSY] =
		"region is held by another writer (exclusive or read-write)",
	[PMR_E_BASE - PMR_E_FENCED] =
		"region was taken over: this handle is fenced",
};

/* pmr_strerror -- name an errno or PMR_E_* code */
const char *pmr_strerror(int err)
{
	if (err == 0)
		return "success";
	if (err <= PMR_E_BASE && err >= PMR_E_LAST)
		return pmr_errstr[PMR_E_BASE - err];
	if (err < 0 && err > PMR_E_BASE)
		return strerrordesc_np(-err) ? strerrordesc_np(-err) :
					       "unknown error";
	return "unknown error";
}

/* pmr_status_to_err -- wire status -> PMR_E_* */
int pmr_status_to_err(unsigned int status)
{
	switch (status) {
	case PMR_ST_OK:
		return 0;
	case PMR_ST_INVALID:
		return PMR_E_PROTOCOL;
	case PMR_ST_NOENT:
		return PMR_E_NOENT_REGION;
	case PMR_ST_ACCESS:
		return PMR_E_ACCESS;
	case PMR_ST_RANGE:
		return PMR_E_RANGE;
	case PMR_ST_LIMIT:
		return PMR_E_LIMIT;
	case PMR_ST_SHUTDOWN:
		return PMR_E_SHUTDOWN;
	case PMR_ST_INTERNAL:
		return PMR_E_SERVER;
	case PMR_ST_UNSUPPORTED:
		return PMR_E_UNSUPPORTED;
	case PMR_ST_DENIED:
		return PMR_E_DENIED;
	case PMR_ST_BUSY:
		return PMR_E_BUSY;
	case PMR_ST_FENCED:
		return PMR_E_FENCED;
	default:
		return PMR_E_PROTOCOL;
	}
}

/* pmr_reject_to_err -- reject reason -> PMR_E_REJECTED_* */
int pmr_reject_to_err(unsigned int reason)
{
	switch (reason) {
	case PMR_REJECT_BAD_HELLO:
		return PMR_E_REJECTED_BAD_HELLO;
	case PMR_REJECT_VERSION:
		return PMR_E_REJECTED_VERSION;
	case PMR_REJECT_TOO_MANY:
		return PMR_E_REJECTED_TOO_MANY;
	case PMR_REJECT_SHUTDOWN:
		return PMR_E_REJECTED_SHUTDOWN;
	case PMR_REJECT_MEMORY:
		return PMR_E_REJECTED_MEMORY;
	case PMR_REJECT_DENIED:
		return PMR_E_REJECTED_DENIED;
	case PMR_REJECT_INTERNAL:
		return PMR_E_REJECTED_INTERNAL;
	default:
		return PMR_E_REJECTED;
	}
}

/*
 * pmr_wc_status_to_err -- failed work completion -> error code.  Any
 * failed work request puts the RC queue pair in error: the connection is
 * lost.  libpmr checks every range, access mode and buffer before it
 * posts, so a remote error (access, operation, retries exhausted) is the
 * server's side going away (a killed pmrd deregisters its memory before
 * its queue pair dies: the write in flight meets a remote access error),
 * not the caller's mistake: PMR_E_CONN_LOST.  Protection and access
 * errors on the local side are the caller's buffer or its registration
 * (e.g. pmr_mr_dereg with an operation in flight): -EFAULT.  Anything
 * else (a local length error on a receive the server overfilled, a
 * status libpmr does not expect) also leaves the queue pair in error:
 * PMR_E_CONN_LOST.
 */
int pmr_wc_status_to_err(int wc_status)
{
	switch (wc_status) {
	case IBV_WC_SUCCESS:
		return 0;
	case IBV_WC_LOC_PROT_ERR:
	case IBV_WC_LOC_ACCESS_ERR:
	case IBV_WC_MW_BIND_ERR:
		return -EFAULT; /* the local buffer or its registration */
	default:
		return PMR_E_CONN_LOST;
	}
}
