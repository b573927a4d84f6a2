/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strings.c -- names of message types, statuses and persistence methods,
 * for logs and pmrctl.  Never NULL: unknown values get an "unknown" string.
 */
#include <string.h>

#include "pmr_proto.h"

/* pmr_msg_type_str -- name of TYPE, requests and responses told apart */
const char *pmr_msg_type_str(uint16_t type)
{
	switch (type) {
	case PMR_MSG_LIST_REGIONS:
		return "LIST_REGIONS";
	case PMR_MSG_LIST_REGIONS | PMR_MSG_RESP:
		return "LIST_REGIONS_RESP";
	case PMR_MSG_OPEN:
		return "OPEN";
	case PMR_MSG_OPEN | PMR_MSG_RESP:
		return "OPEN_RESP";
	case PMR_MSG_CLOSE:
		return "CLOSE";
	case PMR_MSG_CLOSE | PMR_MSG_RESP:
		return "CLOSE_RESP";
	case PMR_MSG_PERSIST:
		return "PERSIST";
	case PMR_MSG_PERSIST | PMR_MSG_RESP:
		return "PERSIST_RESP";
	case PMR_MSG_PING:
		return "PING";
	case PMR_MSG_PING | PMR_MSG_RESP:
		return "PING_RESP";
	case PMR_MSG_ATOMIC_WRITE:
		return "ATOMIC_WRITE";
	case PMR_MSG_ATOMIC_WRITE | PMR_MSG_RESP:
		return "ATOMIC_WRITE_RESP";
	case PMR_MSG_FENCED:
		return "FENCED";
	default:
		return "UNKNOWN";
	}
}

/* pmr_status_str -- a short human description of STATUS */
const char *pmr_status_str(uint16_t status)
{
	switch (status) {
	case PMR_ST_OK:
		return "ok";
	case PMR_ST_INVALID:
		return "invalid request";
	case PMR_ST_NOENT:
		return "no such region or handle";
	case PMR_ST_ACCESS:
		return "access mode not allowed on the region";
	case PMR_ST_RANGE:
		return "offset or length outside the region";
	case PMR_ST_LIMIT:
		return "limit reached";
	case PMR_ST_SHUTDOWN:
		return "server shutting down or region being removed";
	case PMR_ST_INTERNAL:
		return "internal server error";
	case PMR_ST_UNSUPPORTED:
		return "request not supported by the server";
	case PMR_ST_DENIED:
		return "not authorized";
	case PMR_ST_BUSY:
		return "region held by another writer";
	case PMR_ST_FENCED:
		return "handle fenced by a takeover";
	default:
		return "unknown status";
	}
}

/* pmr_persist_method_str -- name of ONE_METHOD, a single PMR_PERSIST_* bit */
const char *pmr_persist_method_str(uint32_t one_method)
{
	switch (one_method) {
	case PMR_PERSIST_SERVER:
		return "server";
	case PMR_PERSIST_FLUSH:
		return "flush";
	case PMR_PERSIST_RAW:
		return "raw";
	default:
		return "unknown";
	}
}

/* pmr_name_escape -- see pmr_proto.h */
const char *pmr_name_escape(const char *name, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		char e[4];
		size_t n;

		if (*p == '\\' || *p == '\'') {
			e[0] = '\\';
			e[1] = (char)*p;
			n = 2;
		} else if (*p >= 0x20 && *p < 0x7f) {
			e[0] = (char)*p;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[*p >> 4];
			e[3] = hex[*p & 15];
			n = 4;
		}
		if (o + n >= cap)
			break;
		memcpy(buf + o, e, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

/* pmr_atomic_write_path_str -- the path an ATOMIC WRITE takes on a region
 * with ATOMICS bits: native when offered, else the server's request */
const char *pmr_atomic_write_path_str(uint32_t atomics)
{
	if (atomics & PMR_ATOMICS_NATIVE_WRITE)
		return "native";
	return "server";
}
