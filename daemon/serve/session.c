/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c -- answer one client's control requests.
 *
 * Every request gets exactly one response echoing its req_id, also a
 * request that cannot be decoded (INVALID) or whose type is unknown
 * (UNSUPPORTED), as long as the 16-byte header is there to echo.  Bad
 * requests never hurt the daemon; a client that sends more than max_bad of
 * them in a row is told to go away (the caller disconnects it).
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pmr_proto.h"
#include "session.h"
#include "util.h"

/* pmrd_session_init -- see session.h */
int pmrd_session_init(struct pmrd_session *s,
		      struct pmrd_export *const *exports, size_t n_exports,
		      unsigned max_handles, unsigned max_bad, const char *peer)
{
	memset(s, 0, sizeof(*s));
	if (max_handles > PMRD_HANDLE_SLOTS_MAX)
		max_handles = PMRD_HANDLE_SLOTS_MAX;
	if (max_handles) {
		s->handles = calloc(max_handles, sizeof(*s->handles));
		if (!s->handles)
			return -ENOMEM;
	}
	s->exports = exports;
	s->n_exports = n_exports;
	s->max_handles = max_handles;
	s->max_bad = max_bad;
	s->max_msg = PMR_MSG_MAX;
	s->peer = peer ? peer : "?";
	s->version = PMR_PROTO_VERSION_AUTH;
	return 0;
}

/* pmrd_session_set_version -- see session.h */
void pmrd_session_set_version(struct pmrd_session *s, uint16_t version)
{
	s->version = version;
}

/* wire_atomics -- the atomics byte for BITS on this session's wire: none
 * below version 3 (the byte is reserved there), none the QP cannot carry */
static uint8_t wire_atomics(const struct pmrd_session *s, unsigned bits)
{
	if (s->version < PMR_PROTO_VERSION_ATOMICS)
		return 0;
	return (uint8_t)(bits & ~s->no_atomics);
}

/* pmrd_session_set_limits -- see session.h */
void pmrd_session_set_limits(struct pmrd_session *s, size_t max_msg,
			     unsigned *n_global, unsigned max_global)
{
	s->max_msg = MIN(MAX(max_msg, (size_t)PMR_MSG_MAX_FLOOR),
			 (size_t)PMR_MSG_MAX);
	s->n_global = n_global;
	s->max_global = max_global;
}

/* pmrd_session_set_keys -- see session.h */
void pmrd_session_set_keys(struct pmrd_session *s,
			   const struct pmrd_key_ops *ops, void *ctx)
{
	s->key_ops = ops;
	s->key_ctx = ctx;
}

/* pmrd_session_defer_persist -- see session.h */
void pmrd_session_defer_persist(struct pmrd_session *s, bool on)
{
	s->defer_persist = on;
}

/* pmrd_session_take_persist -- see session.h */
bool pmrd_session_take_persist(struct pmrd_session *s,
			       struct pmrd_persist_range *ret)
{
	if (!s->persist.region)
		return false;
	*ret = s->persist;
	memset(&s->persist, 0, sizeof(s->persist));
	return true;
}

/* pmrd_session_set_exclusive -- see session.h */
void pmrd_session_set_exclusive(struct pmrd_session *s, struct pmrd_excl *x,
				void (*notify)(void *arg), void *arg)
{
	s->excl = x;
	s->notify = notify;
	s->notify_arg = arg;
}

/* pmrd_session_take_notice -- see session.h */
int pmrd_session_take_notice(struct pmrd_session *s, void *buf, size_t cap)
{
	struct pmr_msg m;
	unsigned i;
	int n;

	for (i = 0; s->n_notices && i < s->max_handles; i++) {
		struct pmrd_handle *h = &s->handles[i];

		if (!h->ex || !h->notice_due)
			continue;
		h->notice_due = false;
		s->n_notices--;
		pmr_msg_init(&m, PMR_MSG_FENCED, 0);
		m.u.fenced.handle = (uint32_t)h->gen << 16 | i;
		m.u.fenced.generation = h->fenced_gen;
		n = pmr_msg_encode_ver(&m, s->version, buf, cap);
		if (n > 0)
			return n;
	}
	s->n_notices = 0;
	return 0;
}

/* pmrd_session_fini -- see session.h */
void pmrd_session_fini(struct pmrd_session *s)
{
	if (s->key_ops && s->n_keys)
		s->key_ops->revoke_all(s->key_ctx);
	s->n_keys = 0;
	for (unsigned i = 0; s->handles && i < s->max_handles; i++) {
		if (!s->handles[i].ex)
			continue;
		pmrd_excl_del(&s->handles[i].link);
		s->handles[i].ex->n_open--;
	}
	if (s->n_global)
		*s->n_global -= MIN(*s->n_global, s->n_open);
	free(s->handles);
	s->handles = NULL;
	s->n_open = 0;
}

/* pmrd_session_open_regions -- see session.h */
size_t pmrd_session_open_regions(const struct pmrd_session *s,
				 const char **names, size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < s->max_handles && n < cap; i++)
		if (s->handles[i].ex)
			names[n++] = s->handles[i].ex->region->name;
	return n;
}

/* wire_gran -- libpmem2 granularity to its wire value */
static uint8_t wire_gran(enum pmem2_granularity g)
{
	switch (g) {
	case PMEM2_GRANULARITY_BYTE:
		return PMR_WIRE_GRAN_BYTE;
	case PMEM2_GRANULARITY_CACHE_LINE:
		return PMR_WIRE_GRAN_CACHE_LINE;
	case PMEM2_GRANULARITY_PAGE:
	default:
		return PMR_WIRE_GRAN_PAGE;
	}
}

/* wire_kind -- region kind to its wire value */
static uint8_t wire_kind(enum pmrd_region_kind k)
{
	switch (k) {
	case PMRD_REGION_FSDAX:
		return PMR_WIRE_KIND_FSDAX;
	case PMRD_REGION_DEVDAX:
		return PMR_WIRE_KIND_DEVDAX;
	case PMRD_REGION_TESTING:
	default:
		return PMR_WIRE_KIND_TESTING;
	}
}

/* wire_access -- region access to its wire value */
static uint8_t wire_access(enum pmrd_access a)
{
	return a == PMRD_ACCESS_RW ? PMR_WIRE_ACCESS_RW : PMR_WIRE_ACCESS_RO;
}

/* set_error -- turn RESP into an error response with a printf'd text */
PMR_PRINTF(3, 4)
static void set_error(struct pmr_msg *resp, uint16_t status, const char *fmt,
		      ...)
{
	va_list ap;

	resp->hdr.status = status;
	memset(&resp->u, 0, sizeof(resp->u));
	va_start(ap, fmt);
	vsnprintf(resp->u.error.text, sizeof(resp->u.error.text), fmt, ap);
	va_end(ap);
}

/* find_export -- the export named NAME, NULL when none */
static struct pmrd_export *find_export(const struct pmrd_session *s,
				       const char *name)
{
	for (size_t i = 0; i < s->n_exports; i++)
		if (!strcmp(s->exports[i]->region->name, name))
			return s->exports[i];
	return NULL;
}

/* find_handle -- the open handle H, NULL when none (or stale) */
static struct pmrd_handle *find_handle(struct pmrd_session *s, uint32_t h)
{
	uint32_t slot = h & 0xffff;
	struct pmrd_handle *e;

	if (slot >= s->max_handles)
		return NULL;
	e = &s->handles[slot];
	if (!e->ex || e->gen != h >> 16)
		return NULL;
	return e;
}

/* do_list -- LIST_REGIONS from req->start, as many as fit */
static void do_list(struct pmrd_session *s, const struct pmr_msg *req,
		    struct pmr_msg *resp)
{
	struct pmr_list_resp *l = &resp->u.list_resp;
	uint32_t start = req->u.list_req.start;

	uint32_t seen = 0;

	/* only the regions this peer's address may open (allow lists) */
	for (size_t i = 0; i < s->n_exports; i++)
		if (pmrd_auth_may_list(&s->auth, s->exports[i]->region->name))
			l->total++;
	if (start > l->total) {
		set_error(resp, PMR_ST_RANGE, "start %u beyond %u regions",
			  start, l->total);
		return;
	}
	for (size_t i = 0; i < s->n_exports && l->count < PMR_LIST_MAX_ENTRIES;
	     i++) {
		const struct pmrd_export *ex = s->exports[i];
		struct pmr_region_info *e;

		if (!pmrd_auth_may_list(&s->auth, ex->region->name) ||
		    seen++ < start)
			continue;
		e = &l->entries[l->count++];

		snprintf(e->name, sizeof(e->name), "%s", ex->region->name);
		e->size = ex->region->size;
		e->access = wire_access(ex->region->access);
		e->kind = wire_kind(ex->region->kind);
		e->gran = wire_gran(ex->region->granularity);
		e->persist = (uint8_t)(ex->plan.persist & ~s->no_persist);
		e->atomics = wire_atomics(s, ex->plan.atomics);
	}
	l->count = pmr_list_resp_fit_ver(l->entries, l->count, s->max_msg,
					 s->version);
}

/*
 * grant_key -- the rkey handle H hands out for EX opened with ACCESS: the
 * region MR's own for a shared-MR export, else one the key source grants
 * for this open only (rkeys.h).  Nonzero with RESP set on failure.
 */
static int grant_key(struct pmrd_session *s, struct pmrd_export *ex,
		     uint8_t access, struct pmrd_handle *h,
		     struct pmr_msg *resp)
{
	int err;

	h->key = NULL;
	if (ex->plan.keys == PMRD_KEYS_SHARED_MR) {
		h->rkey = ex->rkey;
		return 0;
	}
	if (!s->key_ops) {
		set_error(resp, PMR_ST_INTERNAL, "no key source for '%s'",
			  ex->region->name);
		return -ENOKEY;
	}
	err = s->key_ops->grant(s->key_ctx, ex, access, &h->rkey, &h->key);
	if (err) {
		log_notice("client %s: no key for region %s: %s", s->peer,
			   ex->region->name, strerror(-err));
		set_error(resp, err == -ENOMEM ? PMR_ST_LIMIT : PMR_ST_INTERNAL,
			  "cannot grant a key for '%s': %s", ex->region->name,
			  strerror(-err));
		return err;
	}
	s->n_keys++;
	return 0;
}

/* revoke_key -- the key of handle H stops working (CLOSE) */
static void revoke_key(struct pmrd_session *s, struct pmrd_handle *h)
{
	if (!h->key)
		return;
	s->key_ops->revoke(s->key_ctx, h->key);
	h->key = NULL;
	s->n_keys--;
}

/* undo_open -- release handle H: its key, the counts, a new generation */
static void undo_open(struct pmrd_session *s, struct pmrd_handle *h)
{
	revoke_key(s, h);
	pmrd_excl_del(&h->link);
	memset(&h->link, 0, sizeof(h->link));
	if (h->notice_due)
		s->n_notices--; /* closed first: nothing left to tell */
	h->fenced = false;
	h->notice_due = false;
	h->ex->n_open--;
	h->ex = NULL;
	h->gen = (uint16_t)(h->gen + 1) ? (uint16_t)(h->gen + 1) : 1;
	s->n_open--;
	if (s->n_global && *s->n_global)
		(*s->n_global)--;
}

/*
 * auth_denied -- the allow list and PSK proof of O's region (open_auth.h);
 * true with RESP set to DENIED, whose text names the region, never the
 * rules.  Logged with the reason, which the client is not told.
 */
static bool auth_denied(struct pmrd_session *s, const struct pmr_open_req *o,
			struct pmr_msg *resp)
{
	static const char *const why[] = {
		[PMRD_AUTH_DENIED_ADDR] = "address not in its allow list",
		[PMRD_AUTH_NO_PROOF] = "no PSK proof",
		[PMRD_AUTH_BAD_PROOF] = "PSK proof does not verify",
		[PMRD_AUTH_ERROR] = "libcrypto failed",
	};
	enum pmrd_auth_verdict v =
		pmrd_auth_check_open(&s->auth, s->version, o);

	if (v == PMRD_AUTH_OK)
		return false;
	log_notice("client %s: open %s denied: %s", s->peer, o->name, why[v]);
	set_error(resp, v == PMRD_AUTH_ERROR ? PMR_ST_INTERNAL : PMR_ST_DENIED,
		  "not authorized to open region '%s'", o->name);
	return true;
}

/*
 * fence_handle -- pmrd_excl_link.fence: another session took the region
 * over; the key dies now (the key source's fence), later requests on the
 * handle are refused and the client is told (version >= 3)
 */
static void fence_handle(struct pmrd_excl_link *l, uint64_t gen)
{
	struct pmrd_handle *h = container_of(l, struct pmrd_handle, link);
	struct pmrd_session *s = h->s;

	if (h->key) {
		s->key_ops->fence(s->key_ctx, h->key);
		h->key = NULL;
		s->n_keys--;
	}
	h->fenced = true;
	h->fenced_gen = gen;
	l->excl = false;
	log_info("client %s: region %s fenced (taken over at generation %llu)",
		 s->peer, h->ex->region->name, (unsigned long long)gen);
	if (s->version < PMR_PROTO_VERSION_FENCE)
		return; /* no FENCED message in its protocol */
	h->notice_due = true;
	s->n_notices++;
	if (s->notify)
		s->notify(s->notify_arg);
}

/* link_busy -- pmrd_excl_link.busy: its session grants a key off the loop */
static bool link_busy(const struct pmrd_excl_link *l)
{
	const struct pmrd_handle *h = container_of(l, struct pmrd_handle, link);

	return h->s->wait.h != NULL;
}

/* claim -- handle H (table slot) is EX's, opened with ACCESS: the counts */
static void claim(struct pmrd_session *s, struct pmrd_handle *h,
		  struct pmrd_export *ex, uint8_t access)
{
	if (!h->gen)
		h->gen = 1;
	h->ex = ex;
	h->s = s;
	h->access = access;
	s->n_open++;
	ex->n_open++;
	if (s->n_global)
		(*s->n_global)++;
}

/*
 * fill_open -- the OPEN response of handle H in table slot SLOT (key
 * granted) for the request O, signed; on a signing failure the open is
 * undone and RESP is the error
 */
static void fill_open(struct pmrd_session *s, struct pmrd_handle *h,
		      unsigned slot, const struct pmr_open_req *o,
		      struct pmr_msg *resp)
{
	struct pmr_open_resp *r = &resp->u.open_resp;
	struct pmrd_export *ex = h->ex;

	r->handle = (uint32_t)h->gen << 16 | slot;
	r->rkey = h->rkey;
	r->addr = ex->addr;
	r->length = ex->region->size;
	r->persist = ex->plan.persist & ~s->no_persist;
	/* a read-only key cannot FLUSH (rkeys.h): nothing to flush anyway */
	if (o->access == PMR_WIRE_ACCESS_RO && h->key)
		r->persist &= ~(uint32_t)PMR_PERSIST_FLUSH;
	r->gran = wire_gran(ex->region->granularity);
	r->kind = wire_kind(ex->region->kind);
	r->access = o->access;
	r->atomics = wire_atomics(
		s, pmrd_mr_open_atomics(&ex->plan,
					o->access == PMR_WIRE_ACCESS_RW));
	r->excl = h->link.excl;
	r->generation = h->link.excl ? h->link.gen : 0;
	if (pmrd_auth_sign_open(&s->auth, s->version, o, r)) {
		/* libcrypto failed: no key leaves without its proof */
		memset(r, 0, sizeof(*r));
		undo_open(s, h);
		set_error(resp, PMR_ST_INTERNAL, "cannot sign the answer");
		return;
	}
	log_debug("client %s: open %s (%s) -> handle %#x, persist %#x", s->peer,
		  ex->region->name,
		  o->access == PMR_WIRE_ACCESS_RW ? "rw" : "ro", r->handle,
		  r->persist);
}

/*
 * excl_refused -- the exclusive rules for a read-write OPEN O of EX into
 * the free handle H (exclusive.h): true with RESP set when refused; else
 * H's link says whether it is exclusive, at which generation (a takeover
 * has fenced the old holders by now)
 */
static bool excl_refused(struct pmrd_session *s, struct pmrd_export *ex,
			 const struct pmr_open_req *o, struct pmrd_handle *h,
			 struct pmr_msg *resp)
{
	struct pmrd_excl_verdict v;

	memset(&h->link, 0, sizeof(h->link));
	if (o->flags && (s->version < PMR_PROTO_VERSION_FENCE || !s->excl)) {
		set_error(resp, s->excl ? PMR_ST_INVALID : PMR_ST_UNSUPPORTED,
			  "exclusive opens need protocol version %u",
			  PMR_PROTO_VERSION_FENCE);
		return true;
	}
	if (o->access != PMR_WIRE_ACCESS_RW || !s->excl)
		return false;
	pmrd_excl_admit(s->excl, ex, ex->plan.keys == PMRD_KEYS_SHARED_MR,
			o->flags, o->expect_gen, &v);
	if (v.status != PMR_ST_OK) {
		log_notice("client %s: open %s refused: %s", s->peer, o->name,
			   v.text);
		/* a version 1/2 peer knows no BUSY: its rw open is refused
		 * the way an access it may not have is */
		set_error(resp,
			  s->version < PMR_PROTO_VERSION_FENCE &&
					  v.status == PMR_ST_BUSY ?
				  PMR_ST_ACCESS :
				  v.status,
			  "%s", v.text);
		return true;
	}
	h->link.excl = (o->flags & PMR_OPEN_F_EXCL) != 0;
	h->link.gen = v.gen;
	if (h->link.excl)
		log_info(
			"client %s: region %s held exclusively, generation %llu",
			s->peer, o->name, (unsigned long long)v.gen);
	return false;
}

/* link_rw -- a read-write handle H joins the registry of holders */
static void link_rw(struct pmrd_session *s, struct pmrd_handle *h)
{
	if (h->access != PMR_WIRE_ACCESS_RW || !s->excl)
		return;
	h->link.ex = h->ex;
	h->link.peer = s->peer;
	h->link.fence = fence_handle;
	h->link.busy = link_busy;
	pmrd_excl_add(s->excl, &h->link);
}

/* do_open -- OPEN(name, access): a handle and what RDMA needs */
static void do_open(struct pmrd_session *s, const struct pmr_msg *req,
		    struct pmr_msg *resp)
{
	const struct pmr_open_req *o = &req->u.open_req;
	struct pmrd_export *ex;
	struct pmrd_handle *h = NULL;
	unsigned slot;

	if (o->access != PMR_WIRE_ACCESS_RW &&
	    o->access != PMR_WIRE_ACCESS_RO) {
		set_error(resp, PMR_ST_INVALID, "unknown access mode %u",
			  o->access);
		return;
	}
	ex = find_export(s, o->name);
	if (!ex) {
		char esc[PMR_NAME_ESCAPED_MAX];

		/* the peer's bytes: escaped before they are echoed */
		set_error(resp, PMR_ST_NOENT, "no region named '%s'",
			  pmr_name_escape(o->name, esc, sizeof(esc)));
		return;
	}
	if (auth_denied(s, o, resp))
		return;
	if (o->access == PMR_WIRE_ACCESS_RW &&
	    ex->region->access != PMRD_ACCESS_RW) {
		set_error(resp, PMR_ST_ACCESS, "region '%s' is read-only",
			  o->name);
		return;
	}
	for (slot = 0; slot < s->max_handles; slot++) {
		if (!s->handles[slot].ex) {
			h = &s->handles[slot];
			break;
		}
	}
	if (!h) {
		set_error(resp, PMR_ST_LIMIT,
			  "at most %u regions open per connection",
			  s->max_handles);
		return;
	}
	if (s->n_global && *s->n_global >= s->max_global) {
		set_error(resp, PMR_ST_LIMIT,
			  "at most %u regions open on the server (max_handles)",
			  s->max_global);
		return;
	}
	if (excl_refused(s, ex, o, h, resp))
		return;
	if (s->defer_grant && s->key_ops &&
	    ex->plan.keys == PMRD_KEYS_MR_PER_CLIENT) {
		/* held (the region cannot be released meanwhile), keyless */
		h->key = NULL;
		claim(s, h, ex, o->access);
		link_rw(s, h);
		s->wait.h = h;
		s->wait.slot = slot;
		s->wait.open = *o;
		s->wait.type = req->hdr.type;
		s->wait.req_id = req->hdr.req_id;
		return;
	}
	if (grant_key(s, ex, o->access, h, resp)) {
		memset(&h->link, 0, sizeof(h->link));
		return;
	}
	claim(s, h, ex, o->access);
	link_rw(s, h);
	fill_open(s, h, slot, o, resp);
}

/* do_close -- CLOSE(handle) */
static void do_close(struct pmrd_session *s, const struct pmr_msg *req,
		     struct pmr_msg *resp)
{
	struct pmrd_handle *h = find_handle(s, req->u.close_req.handle);

	if (!h) {
		set_error(resp, PMR_ST_NOENT, "no open handle %#x",
			  req->u.close_req.handle);
		return;
	}
	undo_open(s, h);
}

/*
 * fenced_refused -- true and RESP the error when handle H (HANDLE on the
 * wire) was fenced by a takeover: its key is dead, and no request may
 * touch the region through it either (a version 1/2 peer knows no FENCED
 * status: ACCESS)
 */
static bool fenced_refused(struct pmrd_session *s, const struct pmrd_handle *h,
			   uint32_t handle, struct pmr_msg *resp)
{
	if (!h->fenced)
		return false;
	set_error(resp,
		  s->version >= PMR_PROTO_VERSION_FENCE ? PMR_ST_FENCED :
							  PMR_ST_ACCESS,
		  "handle %#x fenced: region '%s' taken over (generation %llu)",
		  handle, h->ex->region->name,
		  (unsigned long long)h->fenced_gen);
	return true;
}

/*
 * do_persist -- PERSIST(handle, offset, length): a rw handle, bounds, then
 * pmem2 (or the range left to the caller: pmrd_session_defer_persist).
 * A read-only handle is refused: it has written nothing to make durable,
 * and a persist costs the server time in proportion to its length.
 */
static void do_persist(struct pmrd_session *s, const struct pmr_msg *req,
		       struct pmr_msg *resp)
{
	const struct pmr_persist_req *p = &req->u.persist_req;
	struct pmrd_handle *h = find_handle(s, p->handle);
	uint64_t size;

	if (!h) {
		set_error(resp, PMR_ST_NOENT, "no open handle %#x", p->handle);
		return;
	}
	if (fenced_refused(s, h, p->handle, resp))
		return;
	if (h->access != PMR_WIRE_ACCESS_RW) {
		set_error(
			resp, PMR_ST_ACCESS,
			"handle %#x is open read-only: PERSIST needs a rw open",
			p->handle);
		return;
	}
	size = h->ex->region->size;
	if (p->offset > size || p->length > size - p->offset) {
		set_error(resp, PMR_ST_RANGE,
			  "range %#llx+%#llx outside region of %#llx bytes",
			  (unsigned long long)p->offset,
			  (unsigned long long)p->length,
			  (unsigned long long)size);
		return;
	}
	if (!p->length)
		return;
	if (s->defer_persist) {
		s->persist.region = h->ex->region;
		s->persist.off = p->offset;
		s->persist.len = p->length;
		return;
	}
	pmrd_region_persist(h->ex->region, p->offset, p->length);
}

/*
 * do_atomic_write -- ATOMIC_WRITE(handle, offset, value): a rw handle, an
 * 8-aligned offset whose 8 bytes lie in the region, then one aligned
 * 8-byte store (little-endian, as the wire defines the region's words)
 * and a pmem2 persist of those 8 bytes, before the response.  Tiny work:
 * done inline, never on the worker, and in order with the connection's
 * other requests (the endpoint answers nothing while a PERSIST of this
 * connection is still running).
 */
static void do_atomic_write(struct pmrd_session *s, const struct pmr_msg *req,
			    struct pmr_msg *resp)
{
	const struct pmr_atomic_write_req *a = &req->u.atomic_write_req;
	struct pmrd_handle *h = find_handle(s, a->handle);
	const struct pmrd_region *r;
	uint64_t *word;

	if (!h) {
		set_error(resp, PMR_ST_NOENT, "no open handle %#x", a->handle);
		return;
	}
	if (fenced_refused(s, h, a->handle, resp))
		return;
	if (h->access != PMR_WIRE_ACCESS_RW) {
		set_error(resp, PMR_ST_ACCESS,
			  "handle %#x is open read-only: ATOMIC_WRITE needs "
			  "a rw open",
			  a->handle);
		return;
	}
	r = h->ex->region;
	if (a->offset % 8) {
		set_error(resp, PMR_ST_INVALID,
			  "offset %#llx is not 8-byte aligned",
			  (unsigned long long)a->offset);
		return;
	}
	if (r->size < 8 || a->offset > r->size - 8) {
		set_error(resp, PMR_ST_RANGE,
			  "8 bytes at %#llx outside region of %#llx bytes",
			  (unsigned long long)a->offset,
			  (unsigned long long)r->size);
		return;
	}
	/* the mapping is page-aligned, so an 8-aligned offset is an
	 * 8-aligned address: one store no reader can see half of */
	word = (uint64_t *)((char *)r->addr + a->offset);
	__atomic_store_n(word, htole64(a->value), __ATOMIC_RELEASE);
	pmrd_region_persist(r, a->offset, 8);
}

/* dispatch -- a decoded request into RESP (type, req_id already set) */
static bool dispatch(struct pmrd_session *s, const struct pmr_msg *req,
		     struct pmr_msg *resp)
{
	if (req->hdr.type & PMR_MSG_RESP) {
		set_error(resp, PMR_ST_INVALID, "a response is not a request");
		return false;
	}
	switch (req->hdr.type) {
	case PMR_MSG_LIST_REGIONS:
		do_list(s, req, resp);
		break;
	case PMR_MSG_OPEN:
		do_open(s, req, resp);
		break;
	case PMR_MSG_CLOSE:
		do_close(s, req, resp);
		break;
	case PMR_MSG_PERSIST:
		do_persist(s, req, resp);
		break;
	case PMR_MSG_PING:
		break;
	case PMR_MSG_ATOMIC_WRITE:
		do_atomic_write(s, req, resp);
		break;
	case PMR_MSG_FENCED:
		set_error(resp, PMR_ST_INVALID,
			  "FENCED is the server's notice");
		return false;
	default:
		set_error(resp, PMR_ST_UNSUPPORTED, "unknown request type %u",
			  req->hdr.type);
		return false;
	}
	return true;
}

/* encode_resp -- OUT into RESP (CAP bytes); its length, 0: none */
static int encode_resp(struct pmrd_session *s, struct pmr_msg *out, void *resp,
		       size_t cap)
{
	int n = pmr_msg_encode_ver(out, s->version, resp, cap);

	if (n < 0) {
		/* cannot happen for our own responses; keep the client */
		log_err("client %s: cannot encode a %s response: %s", s->peer,
			pmr_msg_type_str(out->hdr.type), strerror(-n));
		memset(&out->u, 0, sizeof(out->u));
		set_error(out, PMR_ST_INTERNAL, "internal error");
		n = pmr_msg_encode_ver(out, s->version, resp, cap);
		if (n < 0)
			n = 0;
	}
	return n;
}

/* pmrd_session_defer_grant -- see session.h */
void pmrd_session_defer_grant(struct pmrd_session *s, bool on)
{
	s->defer_grant = on;
}

/* pmrd_session_key_wanted -- see session.h */
bool pmrd_session_key_wanted(const struct pmrd_session *s,
			     struct pmrd_key_request *ret)
{
	if (!s->wait.h)
		return false;
	ret->ops = s->key_ops;
	ret->ctx = s->key_ctx;
	ret->ex = s->wait.h->ex;
	ret->access = s->wait.open.access;
	return true;
}

/* pmrd_session_key_done -- see session.h */
int pmrd_session_key_done(struct pmrd_session *s, int err, uint32_t rkey,
			  void *cookie, void *resp, size_t cap)
{
	struct pmrd_handle *h = s->wait.h;
	struct pmrd_export *ex;
	struct pmr_msg out;

	if (!h)
		return 0;
	ex = h->ex;
	pmr_msg_init(&out, s->wait.type | PMR_MSG_RESP, s->wait.req_id);
	if (err) {
		log_notice("client %s: no key for region %s: %s", s->peer,
			   ex->region->name, strerror(-err));
		set_error(&out, err == -ENOMEM ? PMR_ST_LIMIT : PMR_ST_INTERNAL,
			  "cannot grant a key for '%s': %s", ex->region->name,
			  strerror(-err));
		undo_open(s, h);
	} else {
		h->rkey = rkey;
		h->key = cookie;
		s->n_keys++;
		fill_open(s, h, s->wait.slot, &s->wait.open, &out);
	}
	memset(&s->wait, 0, sizeof(s->wait));
	return encode_resp(s, &out, resp, cap);
}

/* pmrd_session_handle -- see session.h */
int pmrd_session_handle(struct pmrd_session *s, const void *req, size_t len,
			void *resp, size_t cap)
{
	struct pmr_msg_hdr raw;
	struct pmr_msg in, out;
	bool good = false;
	int err, n;

	s->n_requests++;
	memset(&s->persist, 0, sizeof(s->persist));
	err = pmr_msg_hdr_decode(req, len, &raw);
	if (err) {
		log_debug("client %s: %zu-byte message, header unreadable",
			  s->peer, len);
		n = 0;
		goto out_count;
	}
	/* echo the raw header: decode fills nothing on -EBADMSG */
	pmr_msg_init(&out, raw.type | PMR_MSG_RESP, raw.req_id);
	err = pmr_msg_decode_ver(req, len, s->version, &in);
	if (err == -EPROTO) {
		set_error(&out, PMR_ST_UNSUPPORTED, "unknown request type %u",
			  raw.type);
	} else if (err) {
		set_error(&out, PMR_ST_INVALID,
			  "malformed %s request (%zu bytes)",
			  pmr_msg_type_str(raw.type), len);
	} else {
		good = dispatch(s, &in, &out);
	}
	if (!good)
		log_debug("client %s: bad request: %s", s->peer,
			  out.u.error.text);

	if (good && s->wait.h) {
		s->bad_streak = 0;
		return 0; /* answered by pmrd_session_key_done */
	}
	n = encode_resp(s, &out, resp, cap);

out_count:
	if (s->auth.failed > PMRD_AUTH_MAX_FAILS) {
		log_notice("client %s: %u failed PSK proofs: disconnecting",
			   s->peer, s->auth.failed);
		return -EPROTO;
	}
	if (good) {
		s->bad_streak = 0;
		return n;
	}
	s->n_bad++;
	if (++s->bad_streak > s->max_bad) {
		log_notice("client %s: more than %u bad requests in a row: "
			   "disconnecting",
			   s->peer, s->max_bad);
		return -EPROTO;
	}
	return n;
}
