/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmr.h -- client library for pmrd, the RDMA remote persistent-memory store
 *
 * Flow: pmr_conn_open() -> pmr_conn_list_regions() -> pmr_region_open() ->
 * pmr_region_write()/pmr_region_persist()/pmr_region_read() ->
 * pmr_region_close() -> pmr_conn_close().
 *
 * Conventions:
 *  - Every call returns 0 (or a count) on success and a negative error code
 *    on failure: -errno values, or PMR_E_* codes (a disjoint range, below
 *    PMR_E_BASE).  pmr_strerror() names both.
 *  - Out-parameters are written only on success.
 *  - Destructors (pmr_conn_close, pmr_region_close, pmr_mr_dereg,
 *    pmr_conn_cfg_delete) take a pointer to the handle, accept a NULL
 *    pointer or handle (0, nothing done) and set the caller's pointer to
 *    NULL.  One rule on failure: a refused precondition (only
 *    pmr_conn_close's -EBUSY) does nothing and keeps the handle; past
 *    that, the handle is always freed and the pointer cleared, and a
 *    non-zero return says which step failed (the server's CLOSE answer,
 *    the wait for outstanding operations, ibv_dereg_mr): what that step
 *    held may be left behind (a handle open on the server until the
 *    connection closes, a registration until the process exits), and the
 *    handle is gone either way: never retry with it.  After the
 *    connection was lost, closing its regions, MRs and itself returns 0.
 *  - Argument checks come first and post nothing: NULL handles or
 *    buffers, unknown flag bits -> -EINVAL.
 *  - The library logs nothing unless a callback is installed with
 *    pmr_log_set().
 *  - Threads: see THREAD_SAFETY.md.  In short, one connection (with its
 *    regions and MRs) is used by one thread at a time.
 */
#ifndef LIBPMR_H
#define LIBPMR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PMR_BUILDING_LIBRARY)
#define PMR_API __attribute__((visibility("default")))
#else
#define PMR_API
#endif

struct pmr_conn;
struct pmr_conn_cfg;
struct pmr_region;
struct pmr_mr;

/* ---- errors ------------------------------------------------------------ */

#define PMR_E_BASE (-100000)
enum pmr_error {
	PMR_E_UNKNOWN = PMR_E_BASE,	 /* unexpected internal failure */
	PMR_E_PROTOCOL = PMR_E_BASE - 1, /* server sent malformed data */
	PMR_E_REJECTED = PMR_E_BASE - 2, /* rejected, reason unknown to us */
	PMR_E_REJECTED_BAD_HELLO = PMR_E_BASE - 3, /* server: bad hello */
	PMR_E_REJECTED_VERSION = PMR_E_BASE - 4,   /* no common version */
	PMR_E_REJECTED_TOO_MANY = PMR_E_BASE - 5,  /* server client limit */
	PMR_E_REJECTED_SHUTDOWN = PMR_E_BASE - 6,  /* server is stopping */
	PMR_E_REJECTED_DENIED = PMR_E_BASE - 7,	   /* not authorized */
	PMR_E_REJECTED_INTERNAL = PMR_E_BASE - 8,  /* server-side failure */
	PMR_E_NOENT_REGION = PMR_E_BASE - 9,	   /* no such region */
	PMR_E_ACCESS = PMR_E_BASE - 10,		   /* access mode not allowed */
	PMR_E_RANGE = PMR_E_BASE - 11,	     /* offset/length outside region */
	PMR_E_LIMIT = PMR_E_BASE - 12,	     /* a server limit was reached */
	PMR_E_SHUTDOWN = PMR_E_BASE - 13,    /* server stopping / region gone */
	PMR_E_SERVER = PMR_E_BASE - 14,	     /* server-side failure */
	PMR_E_UNSUPPORTED = PMR_E_BASE - 15, /* server does not know request */
	PMR_E_DENIED = PMR_E_BASE - 16,	     /* not authorized */
	/* Reserved: libpmr checks ranges, access and buffers before posting,
	 * so a work request the remote side fails means the server's side
	 * went away; it is reported as PMR_E_CONN_LOST (PMR_E_FENCED on an
	 * exclusive handle, whose key a takeover revoked). */
	PMR_E_REMOTE_ACCESS = PMR_E_BASE - 17, /* RDMA remote access error */
	PMR_E_REMOTE_OP = PMR_E_BASE - 18,     /* other RDMA remote error */
	PMR_E_CONN_LOST = PMR_E_BASE - 19,     /* connection is gone */
	PMR_E_READONLY = PMR_E_BASE - 20,      /* write to a read-only region */
	PMR_E_NO_METHOD = PMR_E_BASE - 21,     /* persist method not offered */
	PMR_E_REJECTED_MEMORY = PMR_E_BASE - 22, /* server memory limit */
	PMR_E_AUTH = PMR_E_BASE - 23,	/* server did not prove the PSK */
	PMR_E_BUSY = PMR_E_BASE - 24,	/* region held by another writer */
	PMR_E_FENCED = PMR_E_BASE - 25, /* taken over: handle is dead */
	PMR_E_LAST = PMR_E_BASE - 25,
};

/*
 * pmr_strerror -- a static, human-readable string for ERR: a negative
 * errno or a PMR_E_* code.  Never NULL.
 */
PMR_API const char *pmr_strerror(int err);

/* ---- logging ----------------------------------------------------------- */

/* Levels are syslog's: 3 = error ... 7 = debug. */
#define PMR_LOG_ERR	3
#define PMR_LOG_WARNING 4
#define PMR_LOG_NOTICE	5
#define PMR_LOG_INFO	6
#define PMR_LOG_DEBUG	7

typedef void pmr_log_fn(int level, const char *file, int line, const char *func,
			const char *msg);

/*
 * pmr_log_set -- install FN (NULL: no logging) for messages at LEVEL or more
 * severe.  The environment variable PMR_LOG_LEVEL (a number 3..7, read with
 * secure_getenv at each call of this function) overrides LEVEL.  The
 * callback may run on any thread that calls into the library.
 */
PMR_API void pmr_log_set(pmr_log_fn *fn, int level);

/* ---- connection configuration (NULL everywhere = defaults) ------------- */

PMR_API int pmr_conn_cfg_new(struct pmr_conn_cfg **ret);
PMR_API void pmr_conn_cfg_delete(struct pmr_conn_cfg **cfg);
/* Timeout for address/route resolution, connecting, each control request,
 * and for any sync wait that sees no progress; default 5000 ms (1 ms to a
 * day). */
PMR_API int pmr_conn_cfg_set_timeout(struct pmr_conn_cfg *cfg, unsigned int ms);
/* Control requests in flight the client asks for; default 4 (1..64). */
PMR_API int pmr_conn_cfg_set_credits(struct pmr_conn_cfg *cfg,
				     unsigned int credits);
/* Send queue depth; also the limit of async operations in flight;
 * default 128 (16..4096; a connection uses at most the device's
 * max_qp_wr). */
PMR_API int pmr_conn_cfg_set_sq_depth(struct pmr_conn_cfg *cfg,
				      unsigned int depth);
/* Size of the internal registered bounce buffer the plain-buffer calls copy
 * through; default 1 MiB (4 KiB..1 GiB). */
PMR_API int pmr_conn_cfg_set_bounce_size(struct pmr_conn_cfg *cfg,
					 size_t bytes);
/* Largest single RDMA work request; 0 (default) = the port's max_msg_sz,
 * else 64 bytes..2 GiB; a connection uses at most max_msg_sz and 1 GiB.
 * Smaller values pipeline big transfers. */
PMR_API int pmr_conn_cfg_set_max_wr_size(struct pmr_conn_cfg *cfg,
					 size_t bytes);
/* How long a sync call busy-polls the completion queue before it sleeps on
 * the completion channel; default 200 us, 0 = sleep at once (..1 s). */
PMR_API int pmr_conn_cfg_set_spin_us(struct pmr_conn_cfg *cfg, unsigned int us);
/* pmr_conn_reconnect's attempts (1..1000; default 5) and the pause before
 * the second one in ms (0..10000; default 100), doubled before each next
 * one up to 10000 ms. */
PMR_API int pmr_conn_cfg_set_reconnect(struct pmr_conn_cfg *cfg,
				       unsigned int tries,
				       unsigned int backoff_ms);
/*
 * Pre-shared key for opening REGION (NULL or "": every region without a
 * key of its own; longer than 63 bytes: -ENAMETOOLONG), LEN 16..64 bytes
 * (else -EINVAL), copied (and wiped from memory by pmr_conn_cfg_delete and
 * pmr_conn_close).  A second call for the same region replaces its key; at
 * most 16 keys per cfg (-ENOSPC).  Opening a region that has a key proves
 * it with HMAC-SHA256 over both connection nonces, and the region's
 * address and rkey are used only after the server has proved the same key
 * (else PMR_E_AUTH, and the region is closed again).  A server that asks
 * for a key we do not have, or does not accept ours, answers PMR_E_DENIED.
 */
PMR_API int pmr_conn_cfg_set_psk(struct pmr_conn_cfg *cfg, const char *region,
				 const void *key, size_t len);
/* The same with the key read from PATH (hex digits, else raw bytes); an
 * unreadable file: its -errno. */
PMR_API int pmr_conn_cfg_set_psk_file(struct pmr_conn_cfg *cfg,
				      const char *region, const char *path);

/* ---- connection -------------------------------------------------------- */

/*
 * pmr_conn_open -- connect to the pmrd at HOST:PORT (PORT NULL = "7471").
 * Fails with a PMR_E_REJECTED_* code when the server refuses (e.g.
 * PMR_E_REJECTED_VERSION: no common protocol version; the server's range
 * is logged), -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, ...
 */
PMR_API int pmr_conn_open(const char *host, const char *port,
			  const struct pmr_conn_cfg *cfg,
			  struct pmr_conn **ret);

/*
 * pmr_conn_close -- wait for the operations still outstanding, disconnect
 * and free CONN.  -EBUSY (nothing done, *CONN kept) while regions or MRs
 * of the connection are still open.  Else freed (see the destructor rule
 * above): a failed wait (-ETIMEDOUT) is returned after the teardown.
 */
PMR_API int pmr_conn_close(struct pmr_conn **conn);

/*
 * pmr_conn_reconnect -- bring back a connection that was lost (it returned
 * PMR_E_CONN_LOST): connect to the same host and port with the same cfg,
 * register every pmr_mr of it again and re-open every region handle it
 * had, keeping the caller's pointers (new keys inside).  Exclusive handles
 * resume at their generation: granted only if nobody took the region over
 * meanwhile, else that region is fenced (PMR_E_FENCED from its calls).  A
 * region re-opened with another length, or refused by the server, returns
 * that error (PMR_E_RANGE, PMR_E_NOENT_REGION, ...) from its calls.  The
 * fd (pmr_conn_get_fd) stays the same.  Up to the cfg's tries, with
 * back-off (pmr_conn_cfg_set_reconnect).  Returns 0; PMR_E_FENCED if an
 * exclusive handle was fenced, else the first other region's error (the
 * connection is up in all three cases); -EISCONN (nothing done) on a
 * connection not lost; -EBUSY (nothing done) while an async operation's
 * completion has not been returned by pmr_conn_poll (they complete with
 * PMR_E_CONN_LOST and are never replayed); else the last attempt's error,
 * the connection still lost and unchanged (call it again later).
 */
PMR_API int pmr_conn_reconnect(struct pmr_conn *conn);

/*
 * pmr_conn_last_error_text -- the text of the last error response the
 * server sent on CONN, or the verbs status of the work request whose
 * failure lost the connection ("" if none).  Valid until the next call on
 * CONN.
 */
PMR_API const char *pmr_conn_last_error_text(const struct pmr_conn *conn);

/*
 * Persistence methods; bit values are the wire's.  AUTO prefers RAW (one
 * READ round trip), then FLUSH (one FLUSH round trip), then SERVER (a
 * SEND round trip plus the server's CPU), among those the region offers
 * and this client can post.
 */
#define PMR_METHOD_SERVER (1u << 0) /* PERSIST request; server flushes */
#define PMR_METHOD_FLUSH  (1u << 1) /* native RDMA FLUSH (persistent) */
#define PMR_METHOD_RAW	  (1u << 2) /* RDMA READ after the WRITEs */
#define PMR_METHOD_AUTO	  0u	    /* RAW, else FLUSH, else SERVER */

#define PMR_NAME_LEN 64 /* region names: up to 63 bytes + NUL */

enum pmr_region_kind {
	PMR_KIND_FSDAX = 0,
	PMR_KIND_DEVDAX = 1,
	PMR_KIND_TESTING = 2,
};

/*
 * How pmr_region_atomic_write reaches the region: NATIVE = RDMA ATOMIC
 * WRITE then the region's persist method (the server's device reports it,
 * this client's rdma-core and device can post it, and a persist method is
 * in use); SERVER = an ATOMIC_WRITE request pmrd executes as one aligned
 * 8-byte store and a persist (any rw open on a server speaking protocol
 * version 3); 0 = none (read-only, or a server older than version 3).
 */
#define PMR_ATOMIC_WRITE_SERVER 1u
#define PMR_ATOMIC_WRITE_NATIVE 2u

/* One exported region as the server lists it. */
struct pmr_region_desc {
	char name[PMR_NAME_LEN];
	uint64_t size;
	unsigned int read_only;		/* 1: exported read-only */
	unsigned int kind;		/* enum pmr_region_kind */
	unsigned int granularity;	/* 0 byte, 1 cache line, 2 page */
	unsigned int persist_methods;	/* PMR_METHOD_* bits offered on
				       * this connection */
	unsigned int atomic_write_path; /* PMR_ATOMIC_WRITE_* an rw open
					 * takes on this connection, 0 */
	unsigned int rdma_atomics;	/* 1: an rw open may CAS / fetch-add */
	uint64_t reserved[3];
};

/*
 * pmr_conn_list_regions -- fill OUT[0..CAP) with the server's regions;
 * returns how many were written.  *TOTAL (if not NULL) gets the server's
 * count, which may exceed CAP.
 */
PMR_API int pmr_conn_list_regions(struct pmr_conn *conn,
				  struct pmr_region_desc *out, size_t cap,
				  size_t *total);

/* ---- regions ----------------------------------------------------------- */

#define PMR_OPEN_RW	  0u
#define PMR_OPEN_RO	  (1u << 0)
#define PMR_OPEN_EXCL	  (1u << 1) /* the only read-write holder */
#define PMR_OPEN_TAKEOVER (1u << 2) /* EXCL, fencing the holders first */

/*
 * pmr_region_open -- open region NAME (1..63 bytes: "" -> -EINVAL, longer
 * -> -ENAMETOOLONG, nothing sent) with FLAGS PMR_OPEN_RW or PMR_OPEN_RO,
 * optionally with PMR_OPEN_EXCL or PMR_OPEN_TAKEOVER (read-write only:
 * with PMR_OPEN_RO, or other bits -> -EINVAL).  PMR_E_NOENT_REGION: no
 * such region; PMR_E_ACCESS: PMR_OPEN_RW of a region exported
 * read-only; PMR_E_DENIED, PMR_E_AUTH: see pmr_conn_cfg_set_psk.
 *
 * Exclusive writers: PMR_OPEN_EXCL succeeds only while no other
 * read-write handle of the region is open (any client), and while it is
 * held every other read-write open fails; both fail with PMR_E_BUSY,
 * and pmr_conn_last_error_text names the holder ("region 'log' held
 * exclusively by 10.0.0.2:40000 (generation 7)", or how many read-write
 * handles are open and the first one's address).  Read-only opens are
 * not affected.  PMR_OPEN_TAKEOVER (implies EXCL) takes the region from
 * whoever holds it read-write, exclusively or not, this connection's own
 * other handles included (nobody: a plain EXCL grant): the server first
 * kills their keys (their RDMA writes, also those already in flight,
 * fail and never land), then grants this open; it fails with PMR_E_BUSY
 * only while another open of the region is still being granted its key
 * (retry).  Every exclusive grant gets the next generation of the region
 * (pmr_region_generation: a fencing token that only grows, across server
 * restarts too).  On a fenced handle pmr_region_close frees it and
 * returns 0, the getters still answer, and every other call fails with
 * PMR_E_FENCED after its argument checks (a work request already in
 * flight on a handle opened without EXCL completes with PMR_E_CONN_LOST:
 * see pmr_conn_poll).  Needs a server speaking protocol 3 and per-open
 * keys (keys = mw2 or mr-per-client, pmrd.conf(5)): else
 * PMR_E_UNSUPPORTED.
 */
PMR_API int pmr_region_open(struct pmr_conn *conn, const char *name,
			    unsigned int flags, struct pmr_region **ret);
/* pmr_region_close -- wait for the operations outstanding on the
 * connection, CLOSE the handle on the server and free REGION (see the
 * destructor rule above). */
PMR_API int pmr_region_close(struct pmr_region **region);
PMR_API uint64_t pmr_region_size(const struct pmr_region *region);
/* pmr_region_generation -- the generation the server granted REGION's
 * exclusive open (>= 1); 0 for a handle opened without PMR_OPEN_EXCL or
 * PMR_OPEN_TAKEOVER, or a NULL REGION */
PMR_API uint64_t pmr_region_generation(const struct pmr_region *region);
/* PMR_METHOD_* bits the server offers for REGION on this connection: the
 * listing's, or fewer for a PMR_OPEN_RO handle (a server handing out
 * per-open read-only keys drops FLUSH, which such a key cannot carry).
 * Persist calls on a read-only handle fail with PMR_E_READONLY anyway. */
PMR_API unsigned int
pmr_region_persist_methods(const struct pmr_region *region);
/*
 * pmr_region_set_persist_method -- the method persist calls use:
 * PMR_METHOD_AUTO (the default; see the order above) or one offered bit
 * this client can post (FLUSH needs rdma-core and a device with it),
 * else PMR_E_NO_METHOD.  Several bits or an unknown bit: -EINVAL; a
 * fenced handle: PMR_E_FENCED; a lost connection: PMR_E_CONN_LOST.  On
 * failure the method in use does not change.
 */
PMR_API int pmr_region_set_persist_method(struct pmr_region *region,
					  unsigned int method);
/* pmr_region_get_persist_method -- the method bit persist calls use,
 * never PMR_METHOD_AUTO: AUTO's choice; 0 only when the region offers no
 * method this client can use (persist calls fail with PMR_E_NO_METHOD). */
PMR_API unsigned int
pmr_region_get_persist_method(const struct pmr_region *region);

/*
 * Synchronous calls on plain buffers, copied through the connection's
 * registered bounce buffer in pipelined chunks.  Before anything is posted
 * (all I/O calls, sync and async): [OFF, OFF+LEN) must lie in the region
 * (else PMR_E_RANGE, overflow included); writes and persists need a
 * read-write handle (else PMR_E_READONLY); persists need a method (else
 * PMR_E_NO_METHOD).  LEN 0 is valid anywhere up to the region's size,
 * posts nothing and returns 0 (BUF may then be NULL).
 */
PMR_API int pmr_region_read(struct pmr_region *region, void *buf, uint64_t off,
			    size_t len);
PMR_API int pmr_region_write(struct pmr_region *region, const void *buf,
			     uint64_t off, size_t len);
/* pmr_region_persist -- make [OFF, OFF+LEN) durable, written before. */
PMR_API int pmr_region_persist(struct pmr_region *region, uint64_t off,
			       size_t len);
/* pmr_region_write_persist -- write and persist with no round trip between */
PMR_API int pmr_region_write_persist(struct pmr_region *region, const void *buf,
				     uint64_t off, size_t len);

/* ---- zero copy on registered buffers ----------------------------------- */

#define PMR_MR_READ_DST	 (1u << 0) /* buffer receives region reads */
#define PMR_MR_WRITE_SRC (1u << 1) /* buffer is the source of writes */

/*
 * pmr_mr_reg -- register [PTR, PTR+LEN) for USAGE (one or both bits; none,
 * others, a NULL PTR or LEN 0 -> -EINVAL).  The _mr and post calls take
 * the MR and an offset into it: an MR of another connection, one not
 * registered for the call's direction (reads need PMR_MR_READ_DST, writes
 * PMR_MR_WRITE_SRC) or a range beyond the MR -> -EINVAL, nothing posted.
 * pmr_mr_dereg: only with no operation on the buffer in flight; see the
 * destructor rule above.
 */
PMR_API int pmr_mr_reg(struct pmr_conn *conn, void *ptr, size_t len,
		       unsigned int usage, struct pmr_mr **ret);
PMR_API int pmr_mr_dereg(struct pmr_mr **mr);

PMR_API int pmr_region_read_mr(struct pmr_region *region, struct pmr_mr *dst,
			       size_t dst_off, uint64_t off, size_t len);
PMR_API int pmr_region_write_mr(struct pmr_region *region,
				const struct pmr_mr *src, size_t src_off,
				uint64_t off, size_t len);
PMR_API int pmr_region_write_persist_mr(struct pmr_region *region,
					const struct pmr_mr *src,
					size_t src_off, uint64_t off,
					size_t len);

/* ---- async ------------------------------------------------------------- */

/*
 * Post calls return 0 once the operation is posted (its buffer must stay
 * untouched until its completion is polled), -EAGAIN when the send queue
 * or the async slots are full (poll, then retry), -E2BIG when a transfer
 * needs more work requests than the send queue holds (at most max_wr_size
 * bytes each: raise sq_depth or split it), or an error.  The
 * checks of the sync calls (range, read-only, method, MR) are made at
 * post time: a failed post returns the error and yields no completion.
 * Each posted operation yields exactly one struct pmr_completion from
 * pmr_conn_poll(), a zero-length one too (status 0).
 * Operations complete in posting order: pmr_conn_poll() returns the
 * completions of a connection's operations (all its regions and methods
 * together) in the order they were posted, so a completion means every
 * operation posted before it has completed too.  One that finished early
 * (e.g. a write posted behind a SERVER persist still waiting for the
 * server's answer) is held back until those before it are done.
 */
enum pmr_op {
	PMR_OP_READ = 1,
	PMR_OP_WRITE = 2,
	PMR_OP_PERSIST = 3,
	PMR_OP_ATOMIC_WRITE = 4,
	PMR_OP_CAS = 5,
	PMR_OP_FETCH_ADD = 6,
};

struct pmr_completion {
	uint64_t user_tag;
	int op;	    /* enum pmr_op */
	int status; /* 0 or a negative error code */
};

PMR_API int pmr_region_post_read(struct pmr_region *region, struct pmr_mr *dst,
				 size_t dst_off, uint64_t off, size_t len,
				 uint64_t user_tag);
PMR_API int pmr_region_post_write(struct pmr_region *region,
				  const struct pmr_mr *src, size_t src_off,
				  uint64_t off, size_t len, uint64_t user_tag);
/* Persists whatever was written to [OFF, OFF+LEN) and posted before it. */
PMR_API int pmr_region_post_persist(struct pmr_region *region, uint64_t off,
				    size_t len, uint64_t user_tag);

/* ---- 8-byte atomics ---------------------------------------------------- */

/*
 * Words are 64-bit values stored little-endian in the region (pmrd runs
 * on x86_64; RDMA atomics run in the server's byte order).  Checked
 * before anything is posted, in this order: a NULL REGION or an OFF not
 * 8-aligned (and the async forms' DST checks, first) -> -EINVAL; a
 * read-only handle -> PMR_E_READONLY; [OFF, OFF+8) outside the region ->
 * PMR_E_RANGE; a handle fenced by a takeover -> PMR_E_FENCED; a lost
 * connection -> PMR_E_CONN_LOST; then CAS and fetch-add on a region
 * whose key carries no atomics (server or device without them, this
 * client's device without them, a server older than protocol version 3)
 * -> PMR_E_UNSUPPORTED, and so is atomic_write when
 * pmr_region_atomic_write_path() is 0; CAS and fetch-add need a persist
 * method (else PMR_E_NO_METHOD).  The atomic write never fails with
 * PMR_E_NO_METHOD: without a method its path is SERVER.  A failed check
 * changes nothing (*RET_OLD untouched).  A call that fails after posting
 * (-ETIMEDOUT, PMR_E_CONN_LOST, PMR_E_FENCED from the work request or
 * the server) may or may not have changed the word, durably or not: read
 * it again, on a new connection or handle, before relying on it.
 *
 * Durability: each returns (sync) or completes (async) only once the new
 * value is durable.  The NATIVE atomic write is an RDMA ATOMIC WRITE
 * followed by the region's persist method over its 8 bytes, SERVER an
 * ATOMIC_WRITE request answered after pmrd's store and pmem2 persist; CAS
 * and fetch-add are the RDMA atomic followed by the persist method over
 * the 8 bytes (a CAS that did not swap changed nothing; the persist is
 * harmless).  Before the completion another reader may already see the
 * new value (RDMA reads, other atomics) while it is not yet durable: only
 * the completion says durable.  An 8-byte aligned store is never seen
 * half done.  RDMA atomics are atomic against other RDMA atomics on the
 * same word; a plain write or SERVER atomic write racing them is not
 * ordered with them.  Operations posted after a SERVER atomic write (pmrd
 * stores when it handles the request) may reach the word before it: wait
 * for its completion before touching the word again; a NATIVE one is
 * ordered like an RDMA write.
 */
/* pmr_region_atomic_write_path -- PMR_ATOMIC_WRITE_NATIVE, _SERVER or 0
 * (read-only handle, or a server without the ATOMIC_WRITE request) */
PMR_API unsigned int
pmr_region_atomic_write_path(const struct pmr_region *region);
/* pmr_region_atomic_write -- store VALUE at OFF, durable on return */
PMR_API int pmr_region_atomic_write(struct pmr_region *region, uint64_t off,
				    uint64_t value);
/* pmr_region_cas -- if the word at OFF is EXPECTED, make it DESIRED;
 * *RET_OLD (may be NULL) gets the word before (== EXPECTED: swapped) */
PMR_API int pmr_region_cas(struct pmr_region *region, uint64_t off,
			   uint64_t expected, uint64_t desired,
			   uint64_t *ret_old);
/* pmr_region_fetch_add -- add ADD to the word at OFF (mod 2^64);
 * *RET_OLD (may be NULL) gets the word before */
PMR_API int pmr_region_fetch_add(struct pmr_region *region, uint64_t off,
				 uint64_t add, uint64_t *ret_old);
/*
 * The async forms: the checks above plus, for CAS and fetch-add, DST
 * registered with PMR_MR_READ_DST on this connection, [DST_OFF,
 * DST_OFF+8) inside it and its address (the registered pointer plus
 * DST_OFF) 8-aligned (else -EINVAL): the old word lands there (host byte
 * order) before a successful completion (after a failed one those 8
 * bytes are undefined).  Each takes send queue entries and an async
 * slot like the other post calls (-EAGAIN when full) and completes in
 * posting order with them.
 */
PMR_API int pmr_region_post_atomic_write(struct pmr_region *region,
					 uint64_t off, uint64_t value,
					 uint64_t user_tag);
PMR_API int pmr_region_post_cas(struct pmr_region *region, struct pmr_mr *dst,
				size_t dst_off, uint64_t off, uint64_t expected,
				uint64_t desired, uint64_t user_tag);
PMR_API int pmr_region_post_fetch_add(struct pmr_region *region,
				      struct pmr_mr *dst, size_t dst_off,
				      uint64_t off, uint64_t add,
				      uint64_t user_tag);

/*
 * pmr_conn_poll -- up to MAX finished async operations into OUT; returns
 * how many (0: none ready), or an error.  Never blocks.  When it returns 0
 * the connection's fd is armed: wait for it to become readable, then poll
 * again.  A lost connection (server gone or disconnected, a failed work
 * request, a control request unanswered for the timeout) is reported as
 * PMR_E_CONN_LOST: every operation still pending completes with it (the
 * one whose failure noticed the loss too), then pmr_conn_poll and every
 * later call on the connection and its regions return it, until
 * pmr_conn_reconnect brings the connection back.  Exceptions:
 * a sync call whose own wait timed out returns -ETIMEDOUT; a work request
 * failing on the caller's own buffer completes with -EFAULT (e.g. an MR
 * deregistered with the operation in flight); a work request on an
 * exclusive handle failing with a remote access error completes with
 * PMR_E_FENCED (a takeover killed its key), and so does every later call
 * on that region (the connection is lost for the others as above).  A
 * region whose handle the server fenced while the connection stayed up
 * (its FENCED notice) returns PMR_E_FENCED from every later call, and a
 * request the server refuses on a fenced handle (a SERVER persist or
 * atomic write, exclusive handle or not) completes with PMR_E_FENCED
 * with the connection up.  The getters (size, methods, generation,
 * paths) still answer after a loss or a fence.
 */
PMR_API int pmr_conn_poll(struct pmr_conn *conn, struct pmr_completion *out,
			  int max);

/*
 * pmr_conn_get_fd -- a descriptor (an epoll fd, level-triggered) that turns
 * readable when completions or connection events are waiting (-EINVAL for
 * a NULL CONN).  Watch it for reading in an event loop; do not read from
 * or close it.
 */
PMR_API int pmr_conn_get_fd(const struct pmr_conn *conn);

#ifdef __cplusplus
}
#endif

#endif
