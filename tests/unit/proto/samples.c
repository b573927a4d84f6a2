/* SPDX-License-Identifier: BSD-3-Clause */
/* samples.c -- one valid pmr_msg of every shape, shared by the proto tests */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"

enum {
	S_LIST_REQ,
	S_LIST_RESP_EMPTY,
	S_LIST_RESP_ONE,
	S_LIST_RESP_FULL, /* 48 entries, 63-byte names: the largest message */
	S_OPEN_REQ,
	S_OPEN_REQ_RO_LONG,
	S_OPEN_RESP,
	S_CLOSE_REQ,
	S_CLOSE_RESP,
	S_PERSIST_REQ,
	S_PERSIST_RESP,
	S_PING_REQ,
	S_PING_RESP,
	S_ERR_OPEN,
	S_ERR_LIST_EMPTY_TEXT,
	S_ERR_PERSIST_MAX_TEXT,
	S_ERR_PING,
	S_ERR_CLOSE,
	S_OPEN_REQ_PROOF, /* version 2: OPEN of a PSK region */
	S_OPEN_RESP_PROOF,
	S_OPEN_REQ_TAKEOVER, /* version 3: exclusive opens, fencing */
	S_OPEN_REQ_RESUME_PROOF,
	S_OPEN_RESP_EXCL_PROOF,
	S_FENCED,
	S_ERR_BUSY,
	S_COUNT
};

static const char *const names[S_COUNT] = {
	"list_req",
	"list_resp_empty",
	"list_resp_one",
	"list_resp_full",
	"open_req",
	"open_req_ro_long",
	"open_resp",
	"close_req",
	"close_resp",
	"persist_req",
	"persist_resp",
	"ping_req",
	"ping_resp",
	"err_open",
	"err_list_empty_text",
	"err_persist_max_text",
	"err_ping",
	"err_close",
	"open_req_proof",
	"open_resp_proof",
	"open_req_takeover",
	"open_req_resume_proof",
	"open_resp_excl_proof",
	"fenced",
	"err_busy",
};

/* proto_sample_proof_cut -- see samples.h */
size_t proto_sample_proof_cut(size_t i)
{
	uint8_t buf[PMR_MSG_MAX];

	if (i != S_OPEN_REQ_PROOF && i != S_OPEN_RESP_PROOF &&
	    i != S_OPEN_REQ_RESUME_PROOF && i != S_OPEN_RESP_EXCL_PROOF)
		return 0;
	return proto_sample_encode(i, buf) - PMR_PROOF_SIZE;
}

/* proto_sample_count -- number of samples */
size_t proto_sample_count(void)
{
	return S_COUNT;
}

/* proto_sample_name -- label of sample I */
const char *proto_sample_name(size_t i)
{
	return i < S_COUNT ? names[i] : "?";
}

/* proto_sample_entry -- a valid list entry named NAME */
void proto_sample_entry(struct pmr_region_info *e, const char *name,
			unsigned int seed)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->size = 0x100000000ull * (seed + 1) + seed;
	e->access = seed % 2;
	e->kind = seed % 3;
	e->gran = (seed / 3) % 3;
	e->persist = (seed % PMR_PERSIST_ALL) + 1;
}

/* fill_text -- N printable bytes and a NUL into DST */
static void fill_text(char *dst, size_t n, char first)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (char)(first + i % 26);
	dst[n] = '\0';
}

/* proto_sample -- fill *M with sample I */
void proto_sample(size_t i, struct pmr_msg *m)
{
	const uint16_t R = PMR_MSG_RESP;
	unsigned int k;

	switch (i) {
	case S_LIST_REQ:
		pmr_msg_init(m, PMR_MSG_LIST_REGIONS, 1);
		m->u.list_req.start = 7;
		break;
	case S_LIST_RESP_EMPTY:
		pmr_msg_init(m, PMR_MSG_LIST_REGIONS | R, 2);
		m->u.list_resp.total = 0;
		break;
	case S_LIST_RESP_ONE:
		pmr_msg_init(m, PMR_MSG_LIST_REGIONS | R, 3);
		m->u.list_resp.total = 5;
		m->u.list_resp.count = 1;
		proto_sample_entry(&m->u.list_resp.entries[0], "pmem0", 4);
		break;
	case S_LIST_RESP_FULL:
		pmr_msg_init(m, PMR_MSG_LIST_REGIONS | R, 4);
		m->u.list_resp.total = 1000;
		m->u.list_resp.count = PMR_LIST_MAX_ENTRIES;
		for (k = 0; k < PMR_LIST_MAX_ENTRIES; k++) {
			struct pmr_region_info *e = &m->u.list_resp.entries[k];

			proto_sample_entry(e, "", k);
			fill_text(e->name, PMR_NAME_MAX, (char)('a' + k % 26));
		}
		break;
	case S_OPEN_REQ:
		pmr_msg_init(m, PMR_MSG_OPEN, 5);
		m->u.open_req.access = PMR_WIRE_ACCESS_RW;
		strcpy(m->u.open_req.name, "db");
		break;
	case S_OPEN_REQ_RO_LONG:
		pmr_msg_init(m, PMR_MSG_OPEN, UINT64_MAX);
		m->u.open_req.access = PMR_WIRE_ACCESS_RO;
		fill_text(m->u.open_req.name, PMR_NAME_MAX, 'A');
		break;
	case S_OPEN_RESP:
		pmr_msg_init(m, PMR_MSG_OPEN | R, 6);
		m->u.open_resp.handle = 0x11223344;
		m->u.open_resp.rkey = 0xdeadbeef;
		m->u.open_resp.addr = 0x7f0000001000ull;
		m->u.open_resp.length = 1ull << 33;
		m->u.open_resp.persist = PMR_PERSIST_ALL;
		m->u.open_resp.gran = PMR_WIRE_GRAN_PAGE;
		m->u.open_resp.kind = PMR_WIRE_KIND_TESTING;
		m->u.open_resp.access = PMR_WIRE_ACCESS_RO;
		break;
	case S_CLOSE_REQ:
		pmr_msg_init(m, PMR_MSG_CLOSE, 7);
		m->u.close_req.handle = 42;
		break;
	case S_CLOSE_RESP:
		pmr_msg_init(m, PMR_MSG_CLOSE | R, 7);
		break;
	case S_PERSIST_REQ:
		pmr_msg_init(m, PMR_MSG_PERSIST, 8);
		m->u.persist_req.handle = 42;
		m->u.persist_req.offset = 4096;
		m->u.persist_req.length = 1ull << 40;
		break;
	case S_PERSIST_RESP:
		pmr_msg_init(m, PMR_MSG_PERSIST | R, 8);
		break;
	case S_PING_REQ:
		pmr_msg_init(m, PMR_MSG_PING, 9);
		break;
	case S_PING_RESP:
		pmr_msg_init(m, PMR_MSG_PING | R, 9);
		break;
	case S_ERR_OPEN:
		pmr_msg_init(m, PMR_MSG_OPEN | R, 10);
		m->hdr.status = PMR_ST_NOENT;
		strcpy(m->u.error.text, "no region named 'db'");
		break;
	case S_ERR_LIST_EMPTY_TEXT:
		pmr_msg_init(m, PMR_MSG_LIST_REGIONS | R, 11);
		m->hdr.status = PMR_ST_INTERNAL;
		break;
	case S_ERR_PERSIST_MAX_TEXT:
		pmr_msg_init(m, PMR_MSG_PERSIST | R, 12);
		m->hdr.status = PMR_ST_RANGE;
		fill_text(m->u.error.text, PMR_ERRTEXT_MAX, 'a');
		break;
	case S_ERR_PING:
		pmr_msg_init(m, PMR_MSG_PING | R, 13);
		m->hdr.status = PMR_ST_SHUTDOWN;
		strcpy(m->u.error.text, "stopping");
		break;
	case S_ERR_CLOSE:
		pmr_msg_init(m, PMR_MSG_CLOSE | R, 14);
		m->hdr.status = PMR_ST_DENIED;
		strcpy(m->u.error.text, "x");
		break;
	case S_OPEN_REQ_PROOF:
		pmr_msg_init(m, PMR_MSG_OPEN, 15);
		m->u.open_req.access = PMR_WIRE_ACCESS_RW;
		fill_text(m->u.open_req.name, PMR_NAME_MAX, 'p');
		m->u.open_req.has_proof = 1;
		memset(m->u.open_req.proof, 0xa5, PMR_PROOF_SIZE);
		break;
	case S_OPEN_RESP_PROOF:
		pmr_msg_init(m, PMR_MSG_OPEN | R, 15);
		m->u.open_resp.handle = 0x10001;
		m->u.open_resp.rkey = 0x1234;
		m->u.open_resp.addr = 0x7f0000002000ull;
		m->u.open_resp.length = 1ull << 30;
		m->u.open_resp.persist = PMR_PERSIST_SERVER;
		m->u.open_resp.has_proof = 1;
		memset(m->u.open_resp.proof, 0x5a, PMR_PROOF_SIZE);
		break;
	case S_OPEN_REQ_TAKEOVER:
		pmr_msg_init(m, PMR_MSG_OPEN, 16);
		m->u.open_req.access = PMR_WIRE_ACCESS_RW;
		m->u.open_req.flags = PMR_OPEN_F_EXCL | PMR_OPEN_F_TAKEOVER;
		strcpy(m->u.open_req.name, "log");
		break;
	case S_OPEN_REQ_RESUME_PROOF:
		pmr_msg_init(m, PMR_MSG_OPEN, 17);
		m->u.open_req.access = PMR_WIRE_ACCESS_RW;
		m->u.open_req.flags = PMR_OPEN_F_EXCL | PMR_OPEN_F_RESUME;
		m->u.open_req.expect_gen = 0x0102030405060708ull;
		strcpy(m->u.open_req.name, "log");
		m->u.open_req.has_proof = 1;
		memset(m->u.open_req.proof, 0x3c, PMR_PROOF_SIZE);
		break;
	case S_OPEN_RESP_EXCL_PROOF:
		pmr_msg_init(m, PMR_MSG_OPEN | R, 17);
		m->u.open_resp.handle = 0x20002;
		m->u.open_resp.rkey = 0x4321;
		m->u.open_resp.addr = 0x7f0000003000ull;
		m->u.open_resp.length = 1ull << 20;
		m->u.open_resp.persist = PMR_PERSIST_FLUSH;
		m->u.open_resp.excl = 1;
		m->u.open_resp.generation = 7;
		m->u.open_resp.has_proof = 1;
		memset(m->u.open_resp.proof, 0xc3, PMR_PROOF_SIZE);
		break;
	case S_FENCED:
		pmr_msg_init(m, PMR_MSG_FENCED, 0);
		m->u.fenced.handle = 0x10003;
		m->u.fenced.generation = UINT64_MAX - 1;
		break;
	case S_ERR_BUSY:
		pmr_msg_init(m, PMR_MSG_OPEN | R, 18);
		m->hdr.status = PMR_ST_BUSY;
		strcpy(m->u.error.text,
		       "region 'log' held exclusively by 10.0.0.2:40000 (generation 7)");
		break;
	default:
		abort();
	}
}

/* proto_sample_version -- see samples.h */
uint16_t proto_sample_version(size_t i)
{
	return i >= S_OPEN_REQ_TAKEOVER ? PMR_PROTO_VERSION_FENCE :
					  PMR_PROTO_VERSION_AUTH;
}

/* proto_sample_encode -- encode sample I, aborting if that fails */
size_t proto_sample_encode(size_t i, uint8_t *buf)
{
	struct pmr_msg m;
	int n;

	proto_sample(i, &m);
	n = pmr_msg_encode_ver(&m, proto_sample_version(i), buf, PMR_MSG_MAX);
	if (n < PMR_MSG_HDR_SIZE)
		abort();
	return (size_t)n;
}

/* proto_sample_hello -- a valid version 1 hello (no nonce: 16 bytes) */
void proto_sample_hello(struct pmr_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->version = 1;
	h->min_version = 1;
	h->credits = 16;
}

/* proto_sample_welcome -- a valid welcome */
void proto_sample_welcome(struct pmr_welcome *w)
{
	memset(w, 0, sizeof(*w));
	w->version = 1;
	w->credits = 8;
	w->max_msg = PMR_MSG_MAX;
}

/* proto_sample_reject -- a valid reject */
void proto_sample_reject(struct pmr_reject *r)
{
	memset(r, 0, sizeof(*r));
	r->reason = PMR_REJECT_VERSION;
	r->version = 2;
	r->min_version = 2;
}

/* entry_equal -- two list entries carry the same values */
static bool entry_equal(const struct pmr_region_info *a,
			const struct pmr_region_info *b)
{
	return !strcmp(a->name, b->name) && a->size == b->size &&
	       a->access == b->access && a->kind == b->kind &&
	       a->gran == b->gran && a->persist == b->persist &&
	       a->atomics == b->atomics;
}

/* proto_msg_equal -- A and B mean the same message */
bool proto_msg_equal(const struct pmr_msg *a, const struct pmr_msg *b)
{
	const struct pmr_open_resp *oa = &a->u.open_resp, *ob = &b->u.open_resp;
	uint32_t k;

	if (a->hdr.type != b->hdr.type || a->hdr.status != b->hdr.status ||
	    a->hdr.req_id != b->hdr.req_id)
		return false;
	if ((a->hdr.type & PMR_MSG_RESP) && a->hdr.status)
		return !strcmp(a->u.error.text, b->u.error.text);
	switch (a->hdr.type) {
	case PMR_MSG_LIST_REGIONS:
		return a->u.list_req.start == b->u.list_req.start;
	case PMR_MSG_LIST_REGIONS | PMR_MSG_RESP:
		if (a->u.list_resp.total != b->u.list_resp.total ||
		    a->u.list_resp.count != b->u.list_resp.count)
			return false;
		for (k = 0; k < a->u.list_resp.count; k++)
			if (!entry_equal(&a->u.list_resp.entries[k],
					 &b->u.list_resp.entries[k]))
				return false;
		return true;
	case PMR_MSG_OPEN:
		return a->u.open_req.access == b->u.open_req.access &&
		       a->u.open_req.flags == b->u.open_req.flags &&
		       a->u.open_req.expect_gen == b->u.open_req.expect_gen &&
		       !strcmp(a->u.open_req.name, b->u.open_req.name) &&
		       a->u.open_req.has_proof == b->u.open_req.has_proof &&
		       !memcmp(a->u.open_req.proof, b->u.open_req.proof,
			       PMR_PROOF_SIZE);
	case PMR_MSG_OPEN | PMR_MSG_RESP:
		return oa->handle == ob->handle && oa->rkey == ob->rkey &&
		       oa->addr == ob->addr && oa->length == ob->length &&
		       oa->persist == ob->persist && oa->gran == ob->gran &&
		       oa->kind == ob->kind && oa->access == ob->access &&
		       oa->atomics == ob->atomics && oa->excl == ob->excl &&
		       oa->generation == ob->generation &&
		       oa->has_proof == ob->has_proof &&
		       !memcmp(oa->proof, ob->proof, PMR_PROOF_SIZE);
	case PMR_MSG_CLOSE:
		return a->u.close_req.handle == b->u.close_req.handle;
	case PMR_MSG_FENCED:
		return a->u.fenced.handle == b->u.fenced.handle &&
		       a->u.fenced.generation == b->u.fenced.generation;
	case PMR_MSG_PERSIST:
		return a->u.persist_req.handle == b->u.persist_req.handle &&
		       a->u.persist_req.offset == b->u.persist_req.offset &&
		       a->u.persist_req.length == b->u.persist_req.length;
	case PMR_MSG_ATOMIC_WRITE:
		return a->u.atomic_write_req.handle ==
			       b->u.atomic_write_req.handle &&
		       a->u.atomic_write_req.offset ==
			       b->u.atomic_write_req.offset &&
		       a->u.atomic_write_req.value ==
			       b->u.atomic_write_req.value;
	default:
		return true; /* empty bodies */
	}
}
