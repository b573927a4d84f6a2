/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_proto.h -- pmrd's wire protocol (pure C: no RDMA headers)
 *
 * Three kinds of bytes cross the wire:
 *  1. hello: rdmacm connect private data, client -> server (<= 56 bytes);
 *     the server answers with a welcome in the accept private data
 *     (<= 196 bytes) or a reject message in the reject private data.
 *  2. control messages over SEND/RECV after ESTABLISHED: a 16-byte header
 *     then a type-specific body; every request carries a request id the
 *     response echoes.
 *  3. one-sided RDMA READ/WRITE/FLUSH, which carry no pmrd bytes at all.
 *
 * Layout is explicit little-endian, field by field; nothing here depends on
 * struct layout or host byte order.  Decoders accept any byte string and
 * either fill the output or return a negative errno: they are fuzz targets.
 */
#ifndef PMR_PROTO_H
#define PMR_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMR_PROTO_MAGIC	      0x31524d50u /* "PMR1" little-endian */
#define PMR_PROTO_VERSION     3
#define PMR_PROTO_VERSION_MIN 1
/* First version whose hello and welcome carry nonces (PSK proofs). */
#define PMR_PROTO_VERSION_AUTH 2
/*
 * Version 3 adds, in one version, two capabilities:
 *  - 8-byte atomics: the atomics byte in LIST_REGIONS entries and OPEN
 *    responses, and the ATOMIC_WRITE request;
 *  - fencing: the EXCL / TAKEOVER / RESUME bits of the OPEN access byte,
 *    the generation in an exclusive OPEN's answer, the FENCED notice and
 *    the BUSY and FENCED statuses.
 * Below it the control messages are byte for byte those of versions 1 and
 * 2.  The two names are the same version, kept apart for the reader.
 */
#define PMR_PROTO_VERSION_ATOMICS 3
#define PMR_PROTO_VERSION_FENCE	  PMR_PROTO_VERSION_ATOMICS

#define PMR_HELLO_MAX	 56   /* rdma_connect private data (RC, IB CM REQ) */
#define PMR_WELCOME_MAX	 196  /* rdma_accept / rdma_reject private data */
#define PMR_MSG_MAX	 4096 /* largest control message, header included */
#define PMR_MSG_HDR_SIZE 16
#define PMR_NAME_MAX	 63  /* region name bytes, no NUL on the wire */
#define PMR_ERRTEXT_MAX	 160 /* error text bytes in an error response */
#define PMR_NONCE_SIZE	 16  /* hello / welcome nonce (version >= 2) */
#define PMR_PROOF_SIZE	 32  /* HMAC-SHA256 proof in OPEN (version >= 2) */
/* Smallest welcome max_msg: room for a header plus the largest error body. */
#define PMR_MSG_MAX_FLOOR 256

/* Persistence methods, a bit set advertised per region. */
enum pmr_persist_method {
	PMR_PERSIST_SERVER = 1u << 0, /* PERSIST request: server runs pmem2 */
	PMR_PERSIST_FLUSH = 1u << 1,  /* native RDMA FLUSH (persistent) */
	PMR_PERSIST_RAW = 1u << 2,    /* RDMA READ after WRITE (eADR/no DDIO) */
};
#define PMR_PERSIST_ALL \
	(PMR_PERSIST_SERVER | PMR_PERSIST_FLUSH | PMR_PERSIST_RAW)

/*
 * Atomics a region grants (version >= 3), a bit set per region: in LIST
 * entries what an rw open gets, in an OPEN response what this open got
 * (0 for a read-only open: its key carries no atomic right).
 */
enum pmr_atomics {
	PMR_ATOMICS_RDMA = 1u << 0, /* RDMA CAS / fetch-add on the key */
	PMR_ATOMICS_NATIVE_WRITE = 1u << 1, /* native RDMA ATOMIC WRITE */
};
#define PMR_ATOMICS_ALL (PMR_ATOMICS_RDMA | PMR_ATOMICS_NATIVE_WRITE)

enum pmr_wire_access {
	PMR_WIRE_ACCESS_RW = 0,
	PMR_WIRE_ACCESS_RO = 1,
};

enum pmr_wire_kind {
	PMR_WIRE_KIND_FSDAX = 0,
	PMR_WIRE_KIND_DEVDAX = 1,
	PMR_WIRE_KIND_TESTING = 2,
};

/* Store granularity, as libpmem2 reports it on the server. */
enum pmr_wire_gran {
	PMR_WIRE_GRAN_BYTE = 0,
	PMR_WIRE_GRAN_CACHE_LINE = 1,
	PMR_WIRE_GRAN_PAGE = 2,
};

/* ---- 1. hello / welcome / reject ------------------------------------ */

/*
 * hello: magic le32, version le16, min_version le16, flags le32,
 * credits le16, reserved le16; when version >= 2 also nonce[16] (the
 * client's random challenge for PSK proofs, PMR_HELLO_SIZE_V2 in all).
 */
#define PMR_HELLO_SIZE	  16
#define PMR_HELLO_SIZE_V2 (PMR_HELLO_SIZE + PMR_NONCE_SIZE)
struct pmr_hello {
	uint16_t version;     /* highest version the client speaks */
	uint16_t min_version; /* lowest version the client speaks */
	uint32_t flags;	      /* none defined: must be 0 */
	uint16_t credits;     /* requests the client wants in flight, >= 1 */
	uint8_t nonce[PMR_NONCE_SIZE]; /* on the wire when version >= 2 */
};

/*
 * welcome: magic le32, version le16, reserved le16, credits le16,
 * reserved le16, max_msg le32; when version >= 2 also nonce[16] (the
 * server's random challenge, PMR_WELCOME_SIZE_V2 in all).
 * credits >= 1, max_msg in PMR_MSG_MAX_FLOOR..PMR_MSG_MAX
 */
#define PMR_WELCOME_SIZE    16
#define PMR_WELCOME_SIZE_V2 (PMR_WELCOME_SIZE + PMR_NONCE_SIZE)
struct pmr_welcome {
	uint16_t version; /* the version both will speak */
	uint16_t credits; /* control requests the client may have in flight */
	uint32_t max_msg; /* largest control message either side sends */
	uint8_t nonce[PMR_NONCE_SIZE]; /* on the wire when version >= 2 */
};

/* Why a connection request was rejected. */
enum pmr_reject_reason {
	PMR_REJECT_BAD_HELLO = 1, /* missing, short, or bad magic */
	PMR_REJECT_VERSION = 2,	  /* no common protocol version */
	PMR_REJECT_TOO_MANY = 3,  /* server's client limit reached */
	PMR_REJECT_SHUTDOWN = 4,  /* server is stopping */
	PMR_REJECT_DENIED = 5,	  /* not authorized */
	PMR_REJECT_INTERNAL = 6,  /* server could not set up the QP */
	PMR_REJECT_MEMORY = 7,	  /* server's client memory limit reached */
	PMR_REJECT_PORT_DOWN = 8, /* server's RDMA port is not active */
};

/* reject: magic le32, reason le16, version le16 (server's), min_version le16, reserved le16 */
#define PMR_REJECT_SIZE 12
struct pmr_reject {
	uint16_t reason;
	uint16_t version;     /* highest the server speaks */
	uint16_t min_version; /* lowest the server speaks */
};

/*
 * Encoders return the bytes written (PMR_*_SIZE, PMR_*_SIZE_V2 for a hello
 * or welcome of version >= 2), -ENOSPC when CAP is too
 * small, -EINVAL for values the decoder would refuse.  Decoders return 0 or
 * -EBADMSG (bad magic, short, min_version > version or 0, credits 0,
 * non-zero flags or reserved fields, non-zero bytes after the message; zero
 * padding of any length is accepted because rdmacm delivers the transport's
 * whole private data).  A reject's reason may be any non-zero value: it can
 * come from a newer server.
 */
int pmr_hello_encode(const struct pmr_hello *h, void *buf, size_t cap);
int pmr_hello_decode(const void *buf, size_t len, struct pmr_hello *ret);
int pmr_welcome_encode(const struct pmr_welcome *w, void *buf, size_t cap);
int pmr_welcome_decode(const void *buf, size_t len, struct pmr_welcome *ret);
int pmr_reject_encode(const struct pmr_reject *r, void *buf, size_t cap);
int pmr_reject_decode(const void *buf, size_t len, struct pmr_reject *ret);

/*
 * pmr_version_negotiate -- highest version in both [min, max] ranges, or
 * -EPROTONOSUPPORT when they do not overlap.
 */
int pmr_version_negotiate(uint16_t a_min, uint16_t a_max, uint16_t b_min,
			  uint16_t b_max);

const char *pmr_reject_reason_str(uint16_t reason);

/* ---- 2. control messages ---------------------------------------------- */

/*
 * Header: type le16, status le16, length le32 (whole message, header
 * included), req_id le64.  Responses have type | PMR_MSG_RESP and echo
 * req_id.  status is 0 in requests; in responses a pmr_status.  A response
 * with a non-zero status carries a pmr_error_body instead of its own body.
 */
#define PMR_MSG_RESP 0x8000u

enum pmr_msg_type {
	PMR_MSG_LIST_REGIONS = 1,
	PMR_MSG_OPEN = 2,
	PMR_MSG_CLOSE = 3,
	PMR_MSG_PERSIST = 4,
	PMR_MSG_PING = 5,
	PMR_MSG_ATOMIC_WRITE = 6, /* version >= 3 */
	PMR_MSG_FENCED = 7, /* server -> client, unsolicited (version >= 3) */
};

/* Status codes on the wire; the client maps them to its error codes. */
enum pmr_status {
	PMR_ST_OK = 0,
	PMR_ST_INVALID = 1,	/* malformed or inconsistent request */
	PMR_ST_NOENT = 2,	/* no such region / handle */
	PMR_ST_ACCESS = 3,	/* access mode not allowed on the region */
	PMR_ST_RANGE = 4,	/* offset/length outside the region */
	PMR_ST_LIMIT = 5,	/* a per-client or global limit reached */
	PMR_ST_SHUTDOWN = 6,	/* server stopping; region being removed */
	PMR_ST_INTERNAL = 7,	/* server-side failure */
	PMR_ST_UNSUPPORTED = 8, /* request type not known to the server */
	PMR_ST_DENIED = 9,	/* not authorized */
	PMR_ST_BUSY = 10,	/* region held exclusively / by rw opens */
	PMR_ST_FENCED = 11,	/* handle taken over; generation moved on */
};

struct pmr_msg_hdr {
	uint16_t type;
	uint16_t status;
	uint32_t length;
	uint64_t req_id;
};

/* LIST_REGIONS request: start le32 (index of the first region wanted). */
struct pmr_list_req {
	uint32_t start;
};

/*
 * LIST_REGIONS response: total le32, count le32, then count entries:
 * name_len u8, name bytes, size le64, access u8, kind u8, gran u8,
 * persist_methods u8, and from version 3 atomics u8 (enum pmr_atomics).
 * The server fits as many as the message allows; the client asks again
 * from start+count until it has total.
 */
#define PMR_LIST_MAX_ENTRIES 48
struct pmr_region_info {
	char name[PMR_NAME_MAX + 1];
	uint64_t size;
	uint8_t access;	 /* enum pmr_wire_access */
	uint8_t kind;	 /* enum pmr_wire_kind */
	uint8_t gran;	 /* enum pmr_wire_gran */
	uint8_t persist; /* enum pmr_persist_method bits */
	uint8_t atomics; /* enum pmr_atomics bits; on the wire from v3 */
};
struct pmr_list_resp {
	uint32_t total;
	uint32_t count;
	struct pmr_region_info entries[PMR_LIST_MAX_ENTRIES];
};

/*
 * Bits above the access mode in the OPEN request's access byte (version
 * >= 3 only; an older peer never sends them, so its bytes are unchanged).
 * EXCL needs RW; TAKEOVER and RESUME need EXCL and exclude each other.
 */
#define PMR_OPEN_F_EXCL	    0x02u /* at most one exclusive rw holder */
#define PMR_OPEN_F_TAKEOVER 0x04u /* fence the holders, then grant */
#define PMR_OPEN_F_RESUME   0x08u /* re-acquire at expect_gen, no bump */
#define PMR_OPEN_F_ALL \
	(PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER | PMR_OPEN_F_RESUME)

/*
 * OPEN request (body offsets; N = name_len):
 *   0       access u8: mode (enum pmr_wire_access, bit 0) | PMR_OPEN_F_*
 *           (bits 1-3, version >= 3 only; below it the byte is the mode)
 *   1       name_len u8 (1..PMR_NAME_MAX)
 *   2       name, N bytes
 *   2+N     expected generation le64, only with PMR_OPEN_F_RESUME
 *   then    optionally proof[32] (version >= 2, PSK regions: see
 *           proto/proof.h); its presence follows from the message length.
 * The proof covers the name and the access mode; from version 3 also the
 * flag bits and the expected generation (the whole byte 0 and, with
 * RESUME, the le64), and the negotiated version.
 */
struct pmr_open_req {
	uint8_t access; /* enum pmr_wire_access */
	uint8_t flags;	/* PMR_OPEN_F_* */
	char name[PMR_NAME_MAX + 1];
	uint64_t expect_gen; /* with PMR_OPEN_F_RESUME */
	uint8_t has_proof;
	uint8_t proof[PMR_PROOF_SIZE];
};

/*
 * OPEN response (body offsets):
 *   0   handle le32        4   rkey le32        8   addr le64
 *   16  length le64        24  persist_methods le32
 *   28  gran u8            29  kind u8
 *   30  access u8: mode, | PMR_OPEN_F_EXCL when an exclusive open was
 *       granted (version >= 3 only)
 *   31  atomics u8 (enum pmr_atomics; reserved, 0, below version 3)
 *   32  generation le64, only with PMR_OPEN_F_EXCL in byte 30
 *   then optionally the server's proof[32] (answer to an OPEN that had
 *       one), at 32 or, exclusive, at 40.
 * Below version 3 this is the 32-byte body of versions 1 and 2, byte for
 * byte.  The proof covers every field but itself: below version 3 bytes
 * 0-30 and the client's proof; from version 3 also the atomics byte, the
 * EXCL bit and the generation (with EXCL), and the negotiated version.
 */
struct pmr_open_resp {
	uint32_t handle;
	uint32_t rkey;
	uint64_t addr;
	uint64_t length;
	uint32_t persist; /* enum pmr_persist_method bits */
	uint8_t gran;
	uint8_t kind;
	uint8_t access;
	uint8_t atomics;     /* enum pmr_atomics bits; 0 below version 3 */
	uint8_t excl;	     /* 1: exclusive, GENERATION is on the wire */
	uint64_t generation; /* the region's fencing token */
	uint8_t has_proof;
	uint8_t proof[PMR_PROOF_SIZE];
};

/* CLOSE request: handle le32.  Response: empty body. */
struct pmr_close_req {
	uint32_t handle;
};

/* PERSIST request: handle le32, reserved le32, offset le64, length le64.
 * Response: empty body, sent after the data is durable. */
struct pmr_persist_req {
	uint32_t handle;
	uint64_t offset;
	uint64_t length;
};

/*
 * ATOMIC_WRITE request (version >= 3): handle le32, reserved le32, offset
 * le64, value le64.  The server stores VALUE as one aligned 8-byte store
 * (little-endian in the region) at OFFSET of a rw handle and persists
 * those 8 bytes; the response (empty body) is sent once they are durable.
 * OFFSET must be 8-aligned (else INVALID) and OFFSET+8 inside the region
 * (else RANGE): the server's checks, not the decoder's.
 */
struct pmr_atomic_write_req {
	uint32_t handle;
	uint64_t offset;
	uint64_t value;
};

/*
 * FENCED (server -> client, req_id 0, never answered; version >= 3):
 * handle le32, reserved le32, generation le64 (the new holder's).  The
 * handle's key is dead before it is sent; only CLOSE works on it now.
 */
struct pmr_fenced {
	uint32_t handle;
	uint64_t generation;
};

/* Error body (any response with status != 0): text_len le16, text bytes. */
struct pmr_error_body {
	char text[PMR_ERRTEXT_MAX + 1];
};

/* A decoded message: the header plus the body its type and status imply. */
struct pmr_msg {
	struct pmr_msg_hdr hdr;
	union {
		struct pmr_list_req list_req;
		struct pmr_list_resp list_resp;
		struct pmr_open_req open_req;
		struct pmr_open_resp open_resp;
		struct pmr_close_req close_req;
		struct pmr_persist_req persist_req;
		struct pmr_atomic_write_req atomic_write_req;
		struct pmr_fenced fenced;
		struct pmr_error_body error;
	} u;
};

/*
 * pmr_msg_encode -- write MSG (header + body by hdr.type/status) into BUF.
 * hdr.length is computed, not read.  Returns the length written, -ENOSPC
 * when CAP is too small, -EINVAL on a message that cannot be encoded (unknown
 * type, name too long, count > PMR_LIST_MAX_ENTRIES, ...).  The one unknown
 * type accepted is in an error response (PMR_MSG_RESP, status != 0), so a
 * server can answer PMR_ST_UNSUPPORTED echoing the type it did not know.
 */
int pmr_msg_encode(const struct pmr_msg *msg, void *buf, size_t cap);

/*
 * pmr_msg_decode -- parse LEN bytes into *RET.  Checks the header's length
 * against LEN and PMR_MSG_MAX, the body against its type, every inner length
 * against what remains; trailing bytes are an error.  -EBADMSG for any
 * malformed input, -EPROTO for an unknown type (header still filled so the
 * receiver can answer PMR_ST_UNSUPPORTED with the request id).  Requests
 * must have status 0, responses a known status; the body follows from
 * type and status alone (proto/msg.c spells it out).  Decoding checks form,
 * not direction: the receiver checks the PMR_MSG_RESP bit it expects.  On
 * success *RET's header and that body are set (the body's unused bytes
 * zero); the other bytes of the union are not written.
 */
int pmr_msg_decode(const void *buf, size_t len, struct pmr_msg *ret);

/*
 * pmr_msg_hdr_decode -- just the header of LEN bytes (>= PMR_MSG_HDR_SIZE,
 * else -EBADMSG), nothing else checked: lets a receiver answer a message
 * pmr_msg_decode refused (-EBADMSG) with PMR_ST_INVALID and its req_id.
 */
int pmr_msg_hdr_decode(const void *buf, size_t len, struct pmr_msg_hdr *ret);

/*
 * pmr_msg_encode_ver, pmr_msg_decode_ver -- the same for a connection that
 * negotiated VERSION.  From version 3 on (PMR_PROTO_VERSION_ATOMICS, which
 * is PMR_PROTO_VERSION_FENCE): LIST entries carry the atomics byte, the
 * OPEN response's atomics byte may be non-zero, the OPEN request's access
 * byte may carry PMR_OPEN_F_* (with the expected generation after the name
 * for RESUME), the OPEN response's access byte may carry PMR_OPEN_F_EXCL
 * (with the generation after the atomics byte), ATOMIC_WRITE and FENCED are
 * known types and BUSY and FENCED known statuses.  Below it those are
 * refused (encode -EINVAL, decode -EBADMSG, an unknown type -EPROTO).
 * pmr_msg_encode and pmr_msg_decode speak the layout of versions 1 and 2.
 */
int pmr_msg_encode_ver(const struct pmr_msg *msg, uint16_t version, void *buf,
		       size_t cap);
int pmr_msg_decode_ver(const void *buf, size_t len, uint16_t version,
		       struct pmr_msg *ret);

/*
 * pmr_msg_type_known -- TYPE (the PMR_MSG_RESP bit ignored) is a message a
 * VERSION connection speaks: LIST_REGIONS..PING always, ATOMIC_WRITE and
 * FENCED from version 3.  pmr_msg_decode_ver answers -EPROTO for any other;
 * pmr_msg_encode_ver writes any other only as an error response.
 */
bool pmr_msg_type_known(uint16_t type, uint16_t version);

/* pmr_msg_init -- set hdr.type and hdr.req_id; zero the rest of the header
 * and the body TYPE uses with status 0 (a response's: also the error
 * body); the other bytes of the union are not written */
void pmr_msg_init(struct pmr_msg *m, uint16_t type, uint64_t req_id);

/* pmr_list_entry_wire_size -- bytes one entry takes in a LIST response
 * (versions 1 and 2; the _ver variant: of VERSION) */
size_t pmr_list_entry_wire_size(const struct pmr_region_info *e);
size_t pmr_list_entry_wire_size_ver(const struct pmr_region_info *e,
				    uint16_t version);

/*
 * pmr_list_resp_fit -- how many of the N ENTRIES (at most
 * PMR_LIST_MAX_ENTRIES) fit a LIST_REGIONS response of at most MAX_MSG
 * bytes (and PMR_MSG_MAX), header included: the count the server sends.
 */
uint32_t pmr_list_resp_fit(const struct pmr_region_info *entries, uint32_t n,
			   size_t max_msg);
/* pmr_list_resp_fit_ver -- the same for a connection of VERSION */
uint32_t pmr_list_resp_fit_ver(const struct pmr_region_info *entries,
			       uint32_t n, size_t max_msg, uint16_t version);

const char *pmr_msg_type_str(uint16_t type);
const char *pmr_status_str(uint16_t status);
const char *pmr_persist_method_str(uint32_t one_method);
/* pmr_atomic_write_path_str -- "native" or "server": what an ATOMIC WRITE
 * takes on a writable region with ATOMICS bits (version >= 3) */
const char *pmr_atomic_write_path_str(uint32_t atomics);

/* Room for any name escaped by pmr_name_escape, NUL included. */
#define PMR_NAME_ESCAPED_MAX (4 * PMR_NAME_MAX + 1)

/*
 * pmr_name_escape -- NAME (a region name a peer sent: any bytes) made safe
 * to echo in an error text or a log line: printable ASCII but '\\' and
 * '\'' as is, every other byte as \xHH, '\\' as \\ and '\'' as \'.  At
 * most CAP - 1 characters and a NUL into BUF (whole escapes only); CAP
 * must be at least 1.  Returns BUF.
 */
const char *pmr_name_escape(const char *name, char *buf, size_t cap);

#endif
