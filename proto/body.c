/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * body.c -- OPEN, CLOSE, PERSIST, ATOMIC_WRITE, FENCED and error bodies
 *
 * Each body has a put (validate, then append; -EINVAL on a value the wire
 * cannot carry) and a get (read and validate; -EBADMSG on anything a
 * correct peer would not send).  Trailing bytes are the caller's check.
 */
#include <errno.h>
#include <string.h>

#include "wire.h"

/* proof_put -- the optional 32-byte proof ending an OPEN body */
static int proof_put(struct pmr_wr *w, uint8_t has, const uint8_t *proof)
{
	if (has > 1)
		return -EINVAL;
	if (has)
		pmr_wr_bytes(w, proof, PMR_PROOF_SIZE);
	return 0;
}

/*
 * proof_get -- what remains of R: nothing, or exactly one proof (its
 * presence is known from the length alone, so old messages still parse)
 */
static int proof_get(struct pmr_rd *r, uint8_t *has, uint8_t *proof)
{
	const uint8_t *p;

	*has = 0;
	if (r->bad)
		return -EBADMSG;
	if (pmr_rd_done(r))
		return 0;
	p = pmr_rd_take(r, PMR_PROOF_SIZE);
	if (!p)
		return -EBADMSG;
	memcpy(proof, p, PMR_PROOF_SIZE);
	*has = 1;
	return 0;
}

/*
 * open_flags_ok -- FLAGS (PMR_OPEN_F_*) make sense with ACCESS on the wire
 * of VERSION (none below PMR_PROTO_VERSION_FENCE: the access byte is the
 * mode alone there)
 */
static bool open_flags_ok(uint8_t access, uint8_t flags, uint16_t version)
{
	if (flags & ~PMR_OPEN_F_ALL)
		return false;
	if (!flags)
		return true;
	if (version < PMR_PROTO_VERSION_FENCE)
		return false;
	if (!(flags & PMR_OPEN_F_EXCL) || access != PMR_WIRE_ACCESS_RW)
		return false;
	return !((flags & PMR_OPEN_F_TAKEOVER) && (flags & PMR_OPEN_F_RESUME));
}

/*
 * pmrp_open_req_put -- access u8 (| flags), name_len u8, name,
 * [expect_gen le64], [proof]
 */
int pmrp_open_req_put(struct pmr_wr *w, const struct pmr_open_req *req)
{
	size_t n = strnlen(req->name, sizeof(req->name));

	if (req->access > PMR_WIRE_ACCESS_RO || n == 0 || n > PMR_NAME_MAX ||
	    req->has_proof > 1 ||
	    !open_flags_ok(req->access, req->flags, w->version))
		return -EINVAL;
	pmr_wr_u8(w, req->access | req->flags);
	pmr_wr_u8(w, (uint8_t)n);
	pmr_wr_bytes(w, req->name, n);
	if (req->flags & PMR_OPEN_F_RESUME)
		pmr_wr_le64(w, req->expect_gen);
	return proof_put(w, req->has_proof, req->proof);
}

/* pmrp_open_req_get -- the inverse of pmrp_open_req_put */
int pmrp_open_req_get(struct pmr_rd *r, struct pmr_open_req *ret)
{
	uint8_t byte = pmr_rd_u8(r);
	uint8_t n = pmr_rd_u8(r);
	uint8_t access = byte & PMR_WIRE_ACCESS_RO;
	uint8_t flags = byte & (uint8_t)~PMR_WIRE_ACCESS_RO;
	uint64_t expect = 0;
	const uint8_t *name;

	if (r->bad || !open_flags_ok(access, flags, r->version) || n == 0 ||
	    n > PMR_NAME_MAX)
		return -EBADMSG;
	name = pmr_rd_take(r, n);
	if (!name || !pmr_wire_text_ok(name, n))
		return -EBADMSG;
	if (flags & PMR_OPEN_F_RESUME)
		expect = pmr_rd_le64(r);
	if (proof_get(r, &ret->has_proof, ret->proof))
		return -EBADMSG;
	ret->access = access;
	ret->flags = flags;
	ret->expect_gen = expect;
	memcpy(ret->name, name, n);
	ret->name[n] = '\0';
	return 0;
}

/* atomics_ok -- ATOMICS is a bit set a VERSION peer may send: known bits,
 * and none at all below PMR_PROTO_VERSION_ATOMICS (a reserved 0 there) */
static bool atomics_ok(uint8_t atomics, uint16_t version)
{
	if (version < PMR_PROTO_VERSION_ATOMICS)
		return atomics == 0;
	return !(atomics & ~(unsigned int)PMR_ATOMICS_ALL);
}

/*
 * pmrp_open_resp_put -- handle le32, rkey le32, addr le64, length le64,
 * persist le32, gran u8, kind u8, access u8 (| PMR_OPEN_F_EXCL from
 * version 3), atomics u8 (reserved 0 below version 3), [generation le64
 * when exclusive], [proof]
 */
int pmrp_open_resp_put(struct pmr_wr *w, const struct pmr_open_resp *resp)
{
	if (!atomics_ok(resp->atomics, w->version) ||
	    (resp->persist & ~(uint32_t)PMR_PERSIST_ALL) ||
	    resp->gran > PMR_WIRE_GRAN_PAGE ||
	    resp->kind > PMR_WIRE_KIND_TESTING ||
	    resp->access > PMR_WIRE_ACCESS_RO || resp->has_proof > 1 ||
	    resp->excl > 1 ||
	    (resp->excl && (resp->access != PMR_WIRE_ACCESS_RW ||
			    w->version < PMR_PROTO_VERSION_FENCE)))
		return -EINVAL;
	pmr_wr_le32(w, resp->handle);
	pmr_wr_le32(w, resp->rkey);
	pmr_wr_le64(w, resp->addr);
	pmr_wr_le64(w, resp->length);
	pmr_wr_le32(w, resp->persist);
	pmr_wr_u8(w, resp->gran);
	pmr_wr_u8(w, resp->kind);
	pmr_wr_u8(w, resp->access | (resp->excl ? PMR_OPEN_F_EXCL : 0));
	pmr_wr_u8(w, resp->atomics);
	if (resp->excl)
		pmr_wr_le64(w, resp->generation);
	return proof_put(w, resp->has_proof, resp->proof);
}

/*
 * pmrp_open_resp_get -- the inverse of pmrp_open_resp_put; below version
 * 3 the EXCL bit is an access value out of range, so the generation is
 * never read there
 */
int pmrp_open_resp_get(struct pmr_rd *r, struct pmr_open_resp *ret)
{
	struct pmr_open_resp o;
	uint8_t byte;

	memset(&o, 0, sizeof(o));
	o.handle = pmr_rd_le32(r);
	o.rkey = pmr_rd_le32(r);
	o.addr = pmr_rd_le64(r);
	o.length = pmr_rd_le64(r);
	o.persist = pmr_rd_le32(r);
	o.gran = pmr_rd_u8(r);
	o.kind = pmr_rd_u8(r);
	byte = pmr_rd_u8(r);
	o.atomics = pmr_rd_u8(r);
	o.access = byte;
	if (r->version >= PMR_PROTO_VERSION_FENCE) {
		o.access = byte & (uint8_t)~PMR_OPEN_F_EXCL;
		o.excl = (byte & PMR_OPEN_F_EXCL) ? 1 : 0;
	}
	if (o.excl)
		o.generation = pmr_rd_le64(r);
	if (proof_get(r, &o.has_proof, o.proof))
		return -EBADMSG;
	if (!atomics_ok(o.atomics, r->version) ||
	    (o.persist & ~(uint32_t)PMR_PERSIST_ALL) ||
	    o.gran > PMR_WIRE_GRAN_PAGE || o.kind > PMR_WIRE_KIND_TESTING ||
	    o.access > PMR_WIRE_ACCESS_RO ||
	    (o.excl && o.access != PMR_WIRE_ACCESS_RW))
		return -EBADMSG;
	*ret = o;
	return 0;
}

/* pmrp_close_req_put -- handle le32 */
int pmrp_close_req_put(struct pmr_wr *w, const struct pmr_close_req *req)
{
	pmr_wr_le32(w, req->handle);
	return 0;
}

/* pmrp_close_req_get -- handle le32 */
int pmrp_close_req_get(struct pmr_rd *r, struct pmr_close_req *ret)
{
	uint32_t handle = pmr_rd_le32(r);

	if (r->bad)
		return -EBADMSG;
	ret->handle = handle;
	return 0;
}

/* handle_words_put -- handle le32, reserved le32, A le64, B le64: the
 * layout PERSIST and ATOMIC_WRITE share */
static void handle_words_put(struct pmr_wr *w, uint32_t handle, uint64_t a,
			     uint64_t b)
{
	pmr_wr_le32(w, handle);
	pmr_wr_le32(w, 0);
	pmr_wr_le64(w, a);
	pmr_wr_le64(w, b);
}

/* handle_words_get -- the inverse of handle_words_put (reserved 0); the
 * outputs are written only on success */
static int handle_words_get(struct pmr_rd *r, uint32_t *handle, uint64_t *a,
			    uint64_t *b)
{
	uint32_t h = pmr_rd_le32(r);
	uint32_t reserved = pmr_rd_le32(r);
	uint64_t x = pmr_rd_le64(r);
	uint64_t y = pmr_rd_le64(r);

	if (r->bad || reserved)
		return -EBADMSG;
	*handle = h;
	*a = x;
	*b = y;
	return 0;
}

/*
 * pmrp_persist_req_put -- handle le32, reserved le32, offset le64,
 * length le64.  offset + length is not judged here: the server checks the
 * range against the region (overflow-safe) and answers PMR_ST_RANGE, which
 * tells the client more than a dropped connection would.
 */
int pmrp_persist_req_put(struct pmr_wr *w, const struct pmr_persist_req *req)
{
	handle_words_put(w, req->handle, req->offset, req->length);
	return 0;
}

/* pmrp_persist_req_get -- the inverse of pmrp_persist_req_put */
int pmrp_persist_req_get(struct pmr_rd *r, struct pmr_persist_req *ret)
{
	return handle_words_get(r, &ret->handle, &ret->offset, &ret->length);
}

/*
 * pmrp_atomic_write_req_put -- handle le32, reserved le32, offset le64,
 * value le64.  Alignment and range are the server's to judge (answered
 * INVALID or RANGE with a text), as for PERSIST.
 */
int pmrp_atomic_write_req_put(struct pmr_wr *w,
			      const struct pmr_atomic_write_req *req)
{
	handle_words_put(w, req->handle, req->offset, req->value);
	return 0;
}

/* pmrp_atomic_write_req_get -- the inverse of pmrp_atomic_write_req_put */
int pmrp_atomic_write_req_get(struct pmr_rd *r,
			      struct pmr_atomic_write_req *ret)
{
	return handle_words_get(r, &ret->handle, &ret->offset, &ret->value);
}

/* pmrp_fenced_put -- handle le32, reserved le32, generation le64 */
int pmrp_fenced_put(struct pmr_wr *w, const struct pmr_fenced *f)
{
	pmr_wr_le32(w, f->handle);
	pmr_wr_le32(w, 0);
	pmr_wr_le64(w, f->generation);
	return 0;
}

/* pmrp_fenced_get -- the inverse of pmrp_fenced_put */
int pmrp_fenced_get(struct pmr_rd *r, struct pmr_fenced *ret)
{
	struct pmr_fenced f;
	uint32_t reserved;

	f.handle = pmr_rd_le32(r);
	reserved = pmr_rd_le32(r);
	f.generation = pmr_rd_le64(r);
	if (r->bad || reserved)
		return -EBADMSG;
	*ret = f;
	return 0;
}

/* pmrp_error_put -- text_len le16, text (0..PMR_ERRTEXT_MAX bytes) */
int pmrp_error_put(struct pmr_wr *w, const struct pmr_error_body *err)
{
	size_t n = strnlen(err->text, sizeof(err->text));

	if (n > PMR_ERRTEXT_MAX)
		return -EINVAL;
	pmr_wr_le16(w, (uint16_t)n);
	pmr_wr_bytes(w, err->text, n);
	return 0;
}

/*
 * pmrp_error_get -- the inverse of pmrp_error_put; an empty text is fine,
 * a NUL inside it is not (the copy would silently mean something shorter).
 */
int pmrp_error_get(struct pmr_rd *r, struct pmr_error_body *ret)
{
	uint16_t n = pmr_rd_le16(r);
	const uint8_t *text;

	if (r->bad || n > PMR_ERRTEXT_MAX)
		return -EBADMSG;
	text = pmr_rd_take(r, n);
	if (!text || !pmr_wire_text_ok(text, n))
		return -EBADMSG;
	memcpy(ret->text, text, n);
	ret->text[n] = '\0';
	return 0;
}
