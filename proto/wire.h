/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.h -- proto-internal cursors, body sizes and body codecs
 *
 * Readers are bounds-checked with a sticky error: a read past the end
 * yields zeros and marks the cursor bad, so a decoder can read a whole
 * fixed layout and check once.  Writers have a measuring mode (p == NULL)
 * so each body is described once and used both to validate/size and to
 * write: the encoder never writes a byte before it knows the whole message
 * fits and is valid.
 */
#ifndef PMR_PROTO_WIRE_H
#define PMR_PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "le.h"
#include "pmr_proto.h"

/* Body sizes (bytes on the wire, header excluded). */
#define PMR_LIST_REQ_SIZE	  4  /* start */
#define PMR_LIST_RESP_FIXED	  8  /* total, count */
#define PMR_LIST_ENTRY_FIXED	  13 /* name_len + size + 4 x u8 */
#define PMR_LIST_ENTRY_V3	  14 /* ... + atomics u8 (version >= 3) */
#define PMR_OPEN_REQ_FIXED	  2  /* access, name_len */
#define PMR_OPEN_RESP_SIZE	  32 /* see pmr_proto.h */
#define PMR_CLOSE_REQ_SIZE	  4  /* handle */
#define PMR_PERSIST_REQ_SIZE	  24 /* handle, reserved, offset, length */
#define PMR_ATOMIC_WRITE_REQ_SIZE 24 /* handle, reserved, offset, value */
#define PMR_ERROR_FIXED		  2  /* text_len */

struct pmr_rd {
	const uint8_t *p;
	size_t left;
	bool bad;
	uint16_t version; /* the connection's: which fields exist */
};

struct pmr_wr {
	uint8_t *p; /* NULL: only count */
	size_t off;
	uint16_t version; /* the connection's: which fields exist */
};

/* pmr_rd_init -- a reader over LEN bytes at P */
static inline void pmr_rd_init(struct pmr_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->left = len;
	r->bad = false;
	r->version = PMR_PROTO_VERSION_AUTH;
}

/* pmr_rd_take -- N bytes from R, or NULL (and R marked bad) if short */
static inline const uint8_t *pmr_rd_take(struct pmr_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

/* pmr_rd_u8 -- one byte, 0 when short */
static inline uint8_t pmr_rd_u8(struct pmr_rd *r)
{
	const uint8_t *p = pmr_rd_take(r, 1);

	return p ? p[0] : 0;
}

/* pmr_rd_le16 -- a little-endian u16, 0 when short */
static inline uint16_t pmr_rd_le16(struct pmr_rd *r)
{
	const uint8_t *p = pmr_rd_take(r, 2);

	return p ? pmr_get_le16(p) : 0;
}

/* pmr_rd_le32 -- a little-endian u32, 0 when short */
static inline uint32_t pmr_rd_le32(struct pmr_rd *r)
{
	const uint8_t *p = pmr_rd_take(r, 4);

	return p ? pmr_get_le32(p) : 0;
}

/* pmr_rd_le64 -- a little-endian u64, 0 when short */
static inline uint64_t pmr_rd_le64(struct pmr_rd *r)
{
	const uint8_t *p = pmr_rd_take(r, 8);

	return p ? pmr_get_le64(p) : 0;
}

/* pmr_rd_done -- true when R read exactly all its bytes */
static inline bool pmr_rd_done(const struct pmr_rd *r)
{
	return !r->bad && r->left == 0;
}

/* pmr_wr_u8 -- append one byte */
static inline void pmr_wr_u8(struct pmr_wr *w, uint8_t v)
{
	if (w->p)
		w->p[w->off] = v;
	w->off += 1;
}

/* pmr_wr_le16 -- append a little-endian u16 */
static inline void pmr_wr_le16(struct pmr_wr *w, uint16_t v)
{
	if (w->p)
		pmr_put_le16(w->p + w->off, v);
	w->off += 2;
}

/* pmr_wr_le32 -- append a little-endian u32 */
static inline void pmr_wr_le32(struct pmr_wr *w, uint32_t v)
{
	if (w->p)
		pmr_put_le32(w->p + w->off, v);
	w->off += 4;
}

/* pmr_wr_le64 -- append a little-endian u64 */
static inline void pmr_wr_le64(struct pmr_wr *w, uint64_t v)
{
	if (w->p)
		pmr_put_le64(w->p + w->off, v);
	w->off += 8;
}

/* pmr_wr_bytes -- append N bytes from SRC */
static inline void pmr_wr_bytes(struct pmr_wr *w, const void *src, size_t n)
{
	if (w->p && n)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

/*
 * pmr_wire_text_ok -- N wire bytes at P may become a C string: no NUL
 * inside, so the copy means exactly what was sent and re-encodes to the
 * same bytes.
 */
static inline bool pmr_wire_text_ok(const uint8_t *p, size_t n)
{
	return n == 0 || memchr(p, 0, n) == NULL;
}

/* proto/list.c (pmrp_: internal, outside any pmr_* export glob) */
int pmrp_list_req_put(struct pmr_wr *w, const struct pmr_list_req *req);
int pmrp_list_req_get(struct pmr_rd *r, struct pmr_list_req *ret);
int pmrp_list_resp_put(struct pmr_wr *w, const struct pmr_list_resp *resp);
int pmrp_list_resp_get(struct pmr_rd *r, struct pmr_list_resp *ret);

/* proto/body.c */
int pmrp_open_req_put(struct pmr_wr *w, const struct pmr_open_req *req);
int pmrp_open_req_get(struct pmr_rd *r, struct pmr_open_req *ret);
int pmrp_open_resp_put(struct pmr_wr *w, const struct pmr_open_resp *resp);
int pmrp_open_resp_get(struct pmr_rd *r, struct pmr_open_resp *ret);
int pmrp_close_req_put(struct pmr_wr *w, const struct pmr_close_req *req);
int pmrp_close_req_get(struct pmr_rd *r, struct pmr_close_req *ret);
int pmrp_persist_req_put(struct pmr_wr *w, const struct pmr_persist_req *req);
int pmrp_persist_req_get(struct pmr_rd *r, struct pmr_persist_req *ret);
int pmrp_atomic_write_req_put(struct pmr_wr *w,
			      const struct pmr_atomic_write_req *req);
int pmrp_atomic_write_req_get(struct pmr_rd *r,
			      struct pmr_atomic_write_req *ret);
int pmrp_fenced_put(struct pmr_wr *w, const struct pmr_fenced *f);
int pmrp_fenced_get(struct pmr_rd *r, struct pmr_fenced *ret);
int pmrp_error_put(struct pmr_wr *w, const struct pmr_error_body *err);
int pmrp_error_get(struct pmr_rd *r, struct pmr_error_body *ret);

#endif
