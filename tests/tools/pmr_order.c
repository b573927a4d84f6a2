/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_order.c -- libpmr's promises as a client written from libpmr.h would
 * rely on them (tests/vm/suites/47-order.sh):
 *
 *   pmr-order HOST order REGION
 *	async streams of writes, persists (every method the region offers,
 *	each through its own handle of REGION, mixed in one stream) and reads
 *	at queue depths 1, 4, 16 and 64: every completion must come back in
 *	posting order with status 0, and every read must return what the
 *	writes posted before it wrote.
 *   pmr-order HOST contract REGION RO_REGION
 *	the documented edge cases: method choice and setting, read-only
 *	handles, checks at post time, zero-length I/O, names, flags, MR
 *	misuse, destructors.
 *   pmr-order HOST held REGION FILE
 *	connects, says "connected", waits until FILE exists (the suite
 *	reloads pmrd in between, adding REGION), then lists and opens REGION
 *	and writes, persists and reads back with every method it is offered:
 *	a method advertised to this connection must work on it.
 *   pmr-order HOST loss REGION sync|async
 *	streams until the connection is lost (the suite kills pmrd after
 *	"streaming"): every error, from calls and from completions, must be
 *	PMR_E_CONN_LOST.
 *
 * Exit 0: every check passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpmr.h>

#include "pmr_check.h"

#define SPAN	 (1u << 20) /* region bytes the streams use */
#define MAXLEN	 4096u	    /* largest transfer of the streams */
#define QD_MAX	 64u	    /* deepest queue tried */
#define NOPS	 512u	    /* operations per stream */
#define NMETHODS 3

static const char *host;
static const unsigned int methods[NMETHODS] = { PMR_METHOD_SERVER,
						PMR_METHOD_FLUSH,
						PMR_METHOD_RAW };

/* method_name -- "SERVER", "FLUSH", "RAW" */
static const char *method_name(unsigned int m)
{
	switch (m) {
	case PMR_METHOD_SERVER:
		return "SERVER";
	case PMR_METHOD_FLUSH:
		return "FLUSH";
	case PMR_METHOD_RAW:
		return "RAW";
	}
	return "?";
}

/* log_cb -- library messages to stderr */
static void log_cb(int level, const char *file, int line, const char *func,
		   const char *msg)
{
	(void)file;
	(void)line;
	fprintf(stderr, "  libpmr<%d> %s: %s\n", level, func, msg);
}

/* rnd -- xorshift64 */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* connect_or_die -- a connection to HOST with SQ_DEPTH (0: default) */
static struct pmr_conn *connect_or_die(unsigned int sq_depth)
{
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_conn *c;
	int rc;

	if (sq_depth) {
		CHECK_RC(pmr_conn_cfg_new(&cfg), 0, "cfg_new");
		CHECK_RC(pmr_conn_cfg_set_sq_depth(cfg, sq_depth), 0,
			 "set_sq_depth");
	}
	rc = pmr_conn_open(host, NULL, cfg, &c);
	CHECK_RC(rc, 0, "pmr_conn_open");
	pmr_conn_cfg_delete(&cfg);
	return c;
}

/* one posted operation of a stream */
struct posted {
	int op;
	unsigned int method; /* persist */
	uint64_t off;
	size_t len;
	size_t buf; /* offset of its buffer in the MR */
};

/* stream state: handles by method, the MR, the shadow of the region */
struct stream {
	struct pmr_conn *c;
	struct pmr_region *h[NMETHODS]; /* NULL: method not offered */
	struct pmr_region *any;		/* a handle for writes and reads */
	struct pmr_mr *mr;
	uint8_t *mem;	 /* QD_MAX write buffers, then QD_MAX read buffers */
	uint8_t *shadow; /* what the region holds after every posted write */
	uint8_t *want;	 /* QD_MAX expected read contents */
	struct posted *ops;
	uint64_t seed;
};

/* stream_post -- post op N of kind OP (method M for persists); -EAGAIN */
static int stream_post(struct stream *s, uint32_t n, int op, unsigned int m)
{
	struct posted *p = &s->ops[n];
	size_t slot = n % QD_MAX;
	int rc;

	p->op = op;
	p->method = m;
	p->len = 1 + rnd(&s->seed) % MAXLEN;
	p->off = rnd(&s->seed) % (SPAN - p->len);
	switch (op) {
	case PMR_OP_WRITE:
		p->buf = slot * MAXLEN;
		for (size_t i = 0; i < p->len; i++)
			s->mem[p->buf + i] = (uint8_t)rnd(&s->seed);
		rc = pmr_region_post_write(s->any, s->mr, p->buf, p->off,
					   p->len, n);
		if (!rc)
			memcpy(s->shadow + p->off, s->mem + p->buf, p->len);
		return rc;
	case PMR_OP_READ:
		p->buf = (QD_MAX + slot) * MAXLEN;
		memset(s->mem + p->buf, 0xee, p->len);
		rc = pmr_region_post_read(s->any, s->mr, p->buf, p->off, p->len,
					  n);
		if (!rc)
			memcpy(s->want + slot * MAXLEN, s->shadow + p->off,
			       p->len);
		return rc;
	default:
		for (int i = 0; i < NMETHODS; i++)
			if (methods[i] == m)
				return pmr_region_post_persist(s->h[i], p->off,
							       p->len, n);
		return -EINVAL;
	}
}

/* stream_poll -- collect completions; each must be number *NEXT.  Returns
 * how many arrived; counts those out of position in *BAD */
static int stream_poll(struct stream *s, uint32_t *next, uint32_t *bad)
{
	struct pmr_completion out[16];
	int n = pmr_conn_poll(s->c, out, 16);

	CHECK(n >= 0, "pmr_conn_poll: %d (%s)", n, pmr_strerror(n));
	for (int i = 0; i < n; i++) {
		uint64_t t = out[i].user_tag;
		struct posted *p;

		CHECK(t < NOPS, "completion with unknown tag %" PRIu64, t);
		p = &s->ops[t];
		CHECK_RC(out[i].status, 0, "completion status");
		CHECK(out[i].op == p->op, "tag %" PRIu64 ": op %d, posted %d",
		      t, out[i].op, p->op);
		if (t != *next) {
			if (!*bad)
				fprintf(stderr,
					"  first out of position: completion %u is operation %" PRIu64
					" (op %d)\n",
					*next, t, p->op);
			(*bad)++;
		}
		if (p->op == PMR_OP_READ)
			CHECK(!memcmp(s->mem + p->buf,
				      s->want + (t % QD_MAX) * MAXLEN, p->len),
			      "read %" PRIu64 " (%zu bytes at %" PRIu64
			      ") differs from the writes before it",
			      t, p->len, p->off);
		(*next)++;
	}
	return n;
}

/*
 * run_stream -- NOPS operations at queue depth QD.  KIND 0: a persist
 * (method M) after every write; 1: random writes, persists of any offered
 * method and reads.  Returns the count of completions out of position.
 */
static uint32_t run_stream(struct stream *s, unsigned int qd, int kind,
			   unsigned int m, unsigned int offered)
{
	uint32_t posted = 0, next = 0, bad = 0;

	while (next < NOPS) {
		while (posted < NOPS && posted - next < qd) {
			int op;
			unsigned int pm = m;
			int rc;

			if (kind == 0) {
				op = posted % 2 ? PMR_OP_PERSIST : PMR_OP_WRITE;
			} else {
				uint64_t r = rnd(&s->seed) % 8;

				op = r < 3 ? PMR_OP_WRITE :
				     r < 6 ? PMR_OP_PERSIST :
					     PMR_OP_READ;
				do
					pm = methods[rnd(&s->seed) % NMETHODS];
				while (!(offered & pm));
			}
			rc = stream_post(s, posted, op, pm);
			if (rc == -EAGAIN)
				break;
			CHECK_RC(rc, 0, "post");
			posted++;
		}
		if (!stream_poll(s, &next, &bad))
			continue; /* busy poll: the streams are short */
	}
	return bad;
}

/* cmd_order -- see the top of the file */
static int cmd_order(char **a)
{
	static const unsigned int qds[] = { 1, 4, 16, QD_MAX };
	struct stream s = { .seed = 0x9e3779b97f4a7c15ull };
	unsigned int offered = 0;
	uint32_t total_bad = 0;
	int rc;

	s.c = connect_or_die(0);
	for (int i = 0; i < NMETHODS; i++) {
		CHECK_RC(pmr_region_open(s.c, a[0], PMR_OPEN_RW, &s.h[i]), 0,
			 "open");
		rc = pmr_region_set_persist_method(s.h[i], methods[i]);
		if (rc == PMR_E_NO_METHOD) {
			printf("skip %s: %s does not offer it (methods 0x%x)\n",
			       method_name(methods[i]), a[0],
			       pmr_region_persist_methods(s.h[i]));
			CHECK_RC(pmr_region_close(&s.h[i]), 0, "close");
			continue;
		}
		CHECK_RC(rc, 0, "set_persist_method");
		offered |= methods[i];
		s.any = s.h[i];
	}
	CHECK(offered, "%s offers no persist method this client can use", a[0]);
	CHECK(pmr_region_size(s.any) >= SPAN, "%s is smaller than %u bytes",
	      a[0], SPAN);
	s.mem = aligned_alloc(4096, 2 * QD_MAX * MAXLEN);
	s.shadow = malloc(SPAN);
	s.want = malloc(QD_MAX * MAXLEN);
	s.ops = calloc(NOPS, sizeof(*s.ops));
	CHECK(s.mem && s.shadow && s.want && s.ops, "out of memory");
	CHECK_RC(pmr_mr_reg(s.c, s.mem, 2 * QD_MAX * MAXLEN,
			    PMR_MR_WRITE_SRC | PMR_MR_READ_DST, &s.mr),
		 0, "mr_reg");
	/* the shadow starts as what the region holds */
	CHECK_RC(pmr_region_read(s.any, s.shadow, 0, SPAN), 0, "read");

	for (size_t q = 0; q < sizeof(qds) / sizeof(qds[0]); q++) {
		for (int i = 0; i < NMETHODS; i++) {
			uint32_t bad;

			if (!(offered & methods[i]))
				continue;
			bad = run_stream(&s, qds[q], 0, methods[i], offered);
			printf("qd %2u, write+%s persist: %u of %u completions out of position\n",
			       qds[q], method_name(methods[i]), bad, NOPS);
			total_bad += bad;
		}
		{
			uint32_t bad = run_stream(&s, qds[q], 1, 0, offered);

			printf("qd %2u, mixed writes/persists (0x%x)/reads: %u of %u completions out of position\n",
			       qds[q], offered, bad, NOPS);
			total_bad += bad;
		}
	}
	/* and the region holds what the streams wrote */
	{
		uint8_t *back = malloc(SPAN);

		CHECK(back, "out of memory");
		CHECK_RC(pmr_region_read(s.any, back, 0, SPAN), 0, "read");
		CHECK(!memcmp(back, s.shadow, SPAN),
		      "the region differs from the streams' writes");
		free(back);
	}
	CHECK_RC(pmr_mr_dereg(&s.mr), 0, "mr_dereg");
	for (int i = 0; i < NMETHODS; i++)
		CHECK_RC(pmr_region_close(&s.h[i]), 0, "close");
	CHECK_RC(pmr_conn_close(&s.c), 0, "conn_close");
	CHECK(total_bad == 0, "%u completions out of posting order", total_bad);
	printf("order: all completions in posting order\n");
	return 0;
}

/* expect_poll -- poll until N completions arrived; they must carry tags
 * FIRST.. in order and status 0 */
static void expect_poll(struct pmr_conn *c, int n, uint64_t first)
{
	struct pmr_completion out[8];
	int got = 0;

	while (got < n) {
		int k = pmr_conn_poll(c, out, 8);

		CHECK(k >= 0, "poll: %d (%s)", k, pmr_strerror(k));
		for (int i = 0; i < k; i++, got++) {
			CHECK(out[i].user_tag == first + (uint64_t)got,
			      "completion tag %" PRIu64 ", want %" PRIu64,
			      out[i].user_tag, first + (uint64_t)got);
			CHECK_RC(out[i].status, 0, "completion status");
		}
		CHECK(got <= n, "more completions than operations");
	}
}

/* no_completion -- a failed post left nothing to poll */
static void no_completion(struct pmr_conn *c)
{
	struct pmr_completion out[4];
	int k = pmr_conn_poll(c, out, 4);

	CHECK(k == 0, "poll after failed posts: %d completions", k);
}

/* cmd_contract -- see the top of the file */
static int cmd_contract(char **a)
{
	char longname[PMR_NAME_LEN + 1];
	struct pmr_region_desc d[64];
	struct pmr_conn *c = connect_or_die(0), *c2 = connect_or_die(0);
	struct pmr_region *r = NULL, *ro = NULL, *rof = NULL, *keep;
	struct pmr_mr *mr = NULL, *mrw = NULL, *mr2 = NULL, *keepmr;
	unsigned int listed = 0, rolisted = 0, m, got;
	static uint8_t buf[8192];
	size_t total;
	int n, rc;

	n = pmr_conn_list_regions(c, d, 64, &total);
	CHECK(n > 0, "list: %d", n);
	for (int i = 0; i < n; i++) {
		if (!strcmp(d[i].name, a[0]))
			listed = d[i].persist_methods;
		if (!strcmp(d[i].name, a[1]))
			rolisted = d[i].persist_methods;
	}
	printf("%s lists methods 0x%x, %s 0x%x\n", a[0], listed, a[1],
	       rolisted);

	/* names and flags */
	memset(longname, 'n', PMR_NAME_LEN);
	longname[PMR_NAME_LEN] = '\0';
	CHECK_RC(pmr_region_open(c, longname, 0, &r), -ENAMETOOLONG,
		 "open, 64-byte name");
	CHECK_RC(pmr_region_open(c, "", 0, &r), -EINVAL, "open, empty name");
	CHECK_RC(pmr_region_open(c, a[0], 1u << 5, &r), -EINVAL,
		 "open, unknown flag");
	CHECK(r == NULL, "a failed open wrote its out-parameter");
	CHECK_RC(pmr_region_open(c, "no-such-region", 0, &r),
		 PMR_E_NOENT_REGION, "open, unknown name");
	CHECK_RC(pmr_region_open(c, a[1], PMR_OPEN_RW, &r), PMR_E_ACCESS,
		 "rw open of a read-only region");
	longname[PMR_NAME_LEN - 1] = '\0'; /* 63 bytes: a valid name */
	CHECK_RC(pmr_region_open(c, longname, 0, &r), PMR_E_NOENT_REGION,
		 "open, 63-byte name");

	/* methods: AUTO picks RAW, then FLUSH, then SERVER; get never AUTO */
	CHECK_RC(pmr_region_open(c, a[0], PMR_OPEN_RW, &r), 0, "open");
	m = pmr_region_persist_methods(r);
	CHECK(m == listed, "open's methods 0x%x, the listing's 0x%x", m,
	      listed);
	got = pmr_region_get_persist_method(r);
	CHECK(got == ((m & PMR_METHOD_RAW)   ? PMR_METHOD_RAW :
		      (m & PMR_METHOD_FLUSH) ? PMR_METHOD_FLUSH :
					       PMR_METHOD_SERVER),
	      "AUTO chose 0x%x of 0x%x", got, m);
	CHECK(got != PMR_METHOD_AUTO, "get_persist_method returned AUTO");
	CHECK_RC(pmr_region_set_persist_method(r, PMR_METHOD_SERVER |
							  PMR_METHOD_RAW),
		 -EINVAL, "set_persist_method, two bits");
	CHECK_RC(pmr_region_set_persist_method(r, 1u << 7), -EINVAL,
		 "set_persist_method, unknown bit");
	CHECK(pmr_region_get_persist_method(r) == got,
	      "a refused set changed the method");
	for (int i = 0; i < NMETHODS; i++) {
		rc = pmr_region_set_persist_method(r, methods[i]);
		if (m & methods[i]) {
			/* FLUSH also needs this client's QP to have it */
			CHECK(rc == 0 || (methods[i] == PMR_METHOD_FLUSH &&
					  rc == PMR_E_NO_METHOD),
			      "set %s: %d", method_name(methods[i]), rc);
			if (!rc)
				CHECK(pmr_region_get_persist_method(r) ==
					      methods[i],
				      "get after set %s",
				      method_name(methods[i]));
		} else {
			CHECK_RC(rc, PMR_E_NO_METHOD, "set, not offered");
		}
	}
	CHECK_RC(pmr_region_set_persist_method(r, PMR_METHOD_AUTO), 0,
		 "set AUTO");
	CHECK(pmr_region_get_persist_method(r) == got, "AUTO again");

	/* read-only handles */
	CHECK_RC(pmr_region_open(c, a[1], PMR_OPEN_RO, &ro), 0, "ro open");
	printf("ro handle of %s: methods 0x%x (listing 0x%x)\n", a[1],
	       pmr_region_persist_methods(ro), rolisted);
	CHECK((pmr_region_persist_methods(ro) & ~rolisted) == 0,
	      "a ro handle offers more than the listing");
	CHECK_RC(pmr_region_persist(ro, 0, 64), PMR_E_READONLY,
		 "persist on a ro region");
	CHECK_RC(pmr_region_write(ro, buf, 0, 64), PMR_E_READONLY,
		 "write on a ro region");
	CHECK_RC(pmr_region_open(c, a[0], PMR_OPEN_RO, &rof), 0,
		 "ro open of a rw region");
	CHECK_RC(pmr_region_persist(rof, 0, 64), PMR_E_READONLY,
		 "persist on a ro handle");
	CHECK_RC(pmr_region_write_persist(rof, buf, 0, 64), PMR_E_READONLY,
		 "write_persist on a ro handle");
	CHECK_RC(pmr_region_read(rof, buf, 0, 64), 0, "read on a ro handle");

	/* MR misuse */
	CHECK_RC(pmr_mr_reg(c, buf, 0, PMR_MR_READ_DST, &mr), -EINVAL,
		 "mr_reg, zero length");
	CHECK_RC(pmr_mr_reg(c, buf, 64, 0, &mr), -EINVAL, "mr_reg, no usage");
	CHECK_RC(pmr_mr_reg(c, buf, 64, 1u << 4, &mr), -EINVAL,
		 "mr_reg, unknown usage");
	CHECK(mr == NULL, "a failed mr_reg wrote its out-parameter");
	CHECK_RC(pmr_mr_reg(c, buf, 4096, PMR_MR_READ_DST, &mr), 0,
		 "mr_reg read");
	CHECK_RC(pmr_mr_reg(c, buf + 4096, 4096, PMR_MR_WRITE_SRC, &mrw), 0,
		 "mr_reg write");
	CHECK_RC(pmr_mr_reg(c2, buf, 4096, PMR_MR_WRITE_SRC, &mr2), 0,
		 "mr_reg on another connection");
	CHECK_RC(pmr_region_read_mr(r, mr, 4000, 0, 200), -EINVAL,
		 "read_mr beyond the MR");
	CHECK_RC(pmr_region_read_mr(r, mrw, 0, 0, 64), -EINVAL,
		 "read_mr into a write-source MR");
	CHECK_RC(pmr_region_write_mr(r, mr, 0, 0, 64), -EINVAL,
		 "write_mr from a read-destination MR");
	CHECK_RC(pmr_region_write_mr(r, mr2, 0, 0, 64), -EINVAL,
		 "write_mr from another connection's MR");
	CHECK_RC(pmr_region_post_read(r, mr, 4000, 0, 200, 1), -EINVAL,
		 "post_read beyond the MR");
	CHECK_RC(pmr_region_post_write(r, mr, 0, 0, 64, 1), -EINVAL,
		 "post_write from a read-destination MR");

	/* checks at post time: nothing is posted, nothing completes */
	CHECK_RC(pmr_region_post_write(r, mrw, 0, pmr_region_size(r) - 10, 64,
				       1),
		 PMR_E_RANGE, "post_write beyond the region");
	CHECK_RC(pmr_region_post_read(r, mr, 0, pmr_region_size(r), 1, 1),
		 PMR_E_RANGE, "post_read beyond the region");
	CHECK_RC(pmr_region_post_persist(r, UINT64_MAX - 8, 64, 1), PMR_E_RANGE,
		 "post_persist, offset overflow");
	CHECK_RC(pmr_region_post_write(rof, mrw, 0, 0, 64, 1), PMR_E_READONLY,
		 "post_write on a ro handle");
	CHECK_RC(pmr_region_post_persist(rof, 0, 64, 1), PMR_E_READONLY,
		 "post_persist on a ro handle");
	CHECK_RC(pmr_region_read(r, buf, pmr_region_size(r) - 1, 2),
		 PMR_E_RANGE, "read beyond the region");
	no_completion(c);

	/* zero-length I/O: 0, anywhere up to the end; async ones complete */
	CHECK_RC(pmr_region_write(r, NULL, 0, 0), 0, "write, 0 bytes");
	CHECK_RC(pmr_region_read(r, NULL, pmr_region_size(r), 0), 0,
		 "read, 0 bytes at the end");
	CHECK_RC(pmr_region_persist(r, 0, 0), 0, "persist, 0 bytes");
	CHECK_RC(pmr_region_write_persist(r, NULL, 5, 0), 0,
		 "write_persist, 0 bytes");
	CHECK_RC(pmr_region_post_write(r, mrw, 0, 0, 0, 100), 0,
		 "post_write, 0 bytes");
	CHECK_RC(pmr_region_post_persist(r, 0, 0, 101), 0,
		 "post_persist, 0 bytes");
	CHECK_RC(pmr_region_post_read(r, mr, 0, 0, 0, 102), 0,
		 "post_read, 0 bytes");
	expect_poll(c, 3, 100);

	/* destructors: NULL accepted, the pointer cleared, busy refused */
	keep = r;
	keepmr = mr;
	CHECK_RC(pmr_conn_close(&c), -EBUSY, "conn_close with regions open");
	CHECK(c != NULL, "a refused conn_close cleared the pointer");
	CHECK_RC(pmr_mr_dereg(&mr), 0, "mr_dereg");
	CHECK(mr == NULL && keepmr, "mr_dereg left the pointer");
	CHECK_RC(pmr_mr_dereg(&mr), 0, "mr_dereg of NULL");
	CHECK_RC(pmr_mr_dereg(NULL), 0, "mr_dereg(NULL)");
	CHECK_RC(pmr_mr_dereg(&mrw), 0, "mr_dereg");
	CHECK_RC(pmr_mr_dereg(&mr2), 0, "mr_dereg");
	CHECK_RC(pmr_region_close(&r), 0, "close");
	CHECK(r == NULL && keep, "close left the pointer");
	CHECK_RC(pmr_region_close(&r), 0, "close of NULL");
	CHECK_RC(pmr_region_close(NULL), 0, "close(NULL)");
	CHECK_RC(pmr_region_close(&ro), 0, "close");
	CHECK_RC(pmr_region_close(&rof), 0, "close");
	CHECK_RC(pmr_conn_close(&c), 0, "conn_close");
	CHECK(c == NULL, "conn_close left the pointer");
	CHECK_RC(pmr_conn_close(&c), 0, "conn_close of NULL");
	CHECK_RC(pmr_conn_close(NULL), 0, "conn_close(NULL)");
	CHECK_RC(pmr_conn_close(&c2), 0, "conn_close");
	printf("contract: all checks passed\n");
	return 0;
}

/* lost -- an error seen after the connection went: must be CONN_LOST */
static void lost(int rc, const char *what, unsigned int *errors)
{
	CHECK_RC(rc, PMR_E_CONN_LOST, what);
	(*errors)++;
}

/* every_call_lost -- after the loss, each kind of call says so */
static void every_call_lost(struct pmr_conn *c, struct pmr_region *r,
			    struct pmr_mr *mr, uint8_t *buf)
{
	struct pmr_region_desc d;
	struct pmr_region *r2 = NULL;
	struct pmr_mr *mr3 = NULL;
	struct pmr_completion out[8];
	unsigned int e = 0;
	int n;

	/* pending completions first (each CONN_LOST), then the poll's own */
	while ((n = pmr_conn_poll(c, out, 8)) > 0)
		for (int i = 0; i < n; i++)
			lost(out[i].status, "pending completion", &e);
	lost(n, "pmr_conn_poll", &e);
	lost(pmr_region_write(r, buf, 0, 64), "write", &e);
	lost(pmr_region_write(r, buf, 0, 100000), "write, bounce", &e);
	lost(pmr_region_read(r, buf, 0, 64), "read", &e);
	lost(pmr_region_persist(r, 0, 64), "persist", &e);
	lost(pmr_region_write_persist(r, buf, 0, 64), "write_persist", &e);
	lost(pmr_region_write_mr(r, mr, 0, 0, 64), "write_mr", &e);
	lost(pmr_region_write_persist_mr(r, mr, 0, 0, 64), "write_persist_mr",
	     &e);
	lost(pmr_region_read_mr(r, mr, 0, 0, 64), "read_mr", &e);
	lost(pmr_region_post_write(r, mr, 0, 0, 64, 1), "post_write", &e);
	lost(pmr_region_post_read(r, mr, 0, 0, 64, 1), "post_read", &e);
	lost(pmr_region_post_persist(r, 0, 64, 1), "post_persist", &e);
	lost(pmr_conn_list_regions(c, &d, 1, NULL), "list_regions", &e);
	lost(pmr_region_open(c, "x", 0, &r2), "region_open", &e);
	lost(pmr_mr_reg(c, buf, 64, PMR_MR_READ_DST, &mr3), "mr_reg", &e);
	lost(pmr_conn_poll(c, out, 8), "pmr_conn_poll again", &e);
	printf("after the loss: %u calls, each PMR_E_CONN_LOST\n", e);
}

/* cmd_loss -- see the top of the file */
static int cmd_loss(char **a)
{
	bool async = !strcmp(a[1], "async");
	struct pmr_conn *c = connect_or_die(0);
	struct pmr_region *r;
	struct pmr_mr *mr;
	uint8_t *buf = aligned_alloc(4096, 1u << 20);
	uint64_t n = 0, posted = 0, done = 0, seed = 42;
	unsigned int errors = 0;
	int rc = 0;

	CHECK(buf, "out of memory");
	memset(buf, 0x5a, 1u << 20);
	CHECK_RC(pmr_region_open(c, a[0], PMR_OPEN_RW, &r), 0, "open");
	CHECK_RC(pmr_mr_reg(c, buf, 1u << 20,
			    PMR_MR_WRITE_SRC | PMR_MR_READ_DST, &mr),
		 0, "mr_reg");
	CHECK(pmr_region_size(r) >= (2u << 20), "region too small");
	for (;;) {
		uint64_t off = rnd(&seed) % (pmr_region_size(r) - (1u << 20));

		if (n++ == 200) {
			printf("streaming\n");
			fflush(stdout);
		}
		if (!async) {
			/* every kind of sync call, in turn */
			switch (n % 5) {
			case 0:
				rc = pmr_region_write(r, buf, off, 300000);
				break;
			case 1:
				rc = pmr_region_write_persist(r, buf, off, 64);
				break;
			case 2:
				rc = pmr_region_read(r, buf, off, 200000);
				break;
			case 3:
				rc = pmr_region_persist(r, off, 4096);
				break;
			default:
				rc = pmr_region_write_mr(r, mr, 0, off,
							 1u << 20);
				break;
			}
			if (rc) {
				lost(rc, "the sync call in flight", &errors);
				break;
			}
			continue;
		}
		/* async: writes and persists, 32 in flight */
		while (posted - done < 32) {
			rc = posted % 4 == 3 ?
				     pmr_region_post_persist(r, off, 65536,
							     posted) :
				     pmr_region_post_write(r, mr, 0, off, 65536,
							   posted);
			if (rc == -EAGAIN)
				break;
			if (rc) {
				lost(rc, "a post", &errors);
				goto out_lost;
			}
			posted++;
		}
		{
			struct pmr_completion out[16];
			int k = pmr_conn_poll(c, out, 16);

			if (k < 0) {
				lost(k, "pmr_conn_poll", &errors);
				goto out_lost;
			}
			for (int i = 0; i < k; i++) {
				CHECK(out[i].user_tag == done,
				      "completion %" PRIu64 ", want %" PRIu64,
				      out[i].user_tag, done);
				done++;
				if (out[i].status) {
					lost(out[i].status,
					     "the first error completion",
					     &errors);
					goto out_lost;
				}
			}
		}
	}
out_lost:
	printf("connection lost after %" PRIu64 " %s operations\n",
	       async ? done : n, async ? "async" : "sync");
	every_call_lost(c, r, mr, buf);
	CHECK_RC(pmr_mr_dereg(&mr), 0, "mr_dereg after the loss");
	CHECK_RC(pmr_region_close(&r), 0, "close after the loss");
	CHECK_RC(pmr_conn_close(&c), 0, "conn_close after the loss");
	printf("loss: every error was PMR_E_CONN_LOST\n");
	free(buf);
	return 0;
}

/* cmd_held -- see the top of the file */
static int cmd_held(char **a)
{
	struct pmr_conn *c = connect_or_die(0);
	struct pmr_region_desc d[64];
	struct pmr_region *r;
	unsigned int listed = 0, m, used = 0;
	uint8_t in[256], out[256];
	FILE *f = NULL;
	int n;

	printf("connected\n");
	for (int i = 0; i < 1200 && !(f = fopen(a[1], "r")); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
	CHECK(f, "%s did not appear within 120 s", a[1]);
	fclose(f);
	n = pmr_conn_list_regions(c, d, 64, NULL);
	CHECK(n >= 0, "list: %d", n);
	for (int i = 0; i < n; i++)
		if (!strcmp(d[i].name, a[0]))
			listed = d[i].persist_methods;
	CHECK_RC(pmr_region_open(c, a[0], PMR_OPEN_RW, &r), 0, "open");
	m = pmr_region_persist_methods(r);
	printf("%s after the reload: listed 0x%x, open offers 0x%x\n", a[0],
	       listed, m);
	CHECK(m == listed, "listing and open disagree");
	for (int i = 0; i < NMETHODS; i++) {
		int rc = pmr_region_set_persist_method(r, methods[i]);

		if (!(m & methods[i])) {
			CHECK_RC(rc, PMR_E_NO_METHOD, "set, not offered");
			continue;
		}
		CHECK_RC(rc, 0, "set, offered");
		for (size_t k = 0; k < sizeof(out); k++)
			out[k] = (uint8_t)(k * 3 + (size_t)i);
		CHECK_RC(pmr_region_write_persist(r, out, 4096, sizeof(out)), 0,
			 "write_persist with an advertised method");
		CHECK_RC(pmr_region_persist(r, 0, 8192), 0,
			 "persist with an advertised method");
		CHECK_RC(pmr_region_read(r, in, 4096, sizeof(in)), 0, "read");
		CHECK(!memcmp(in, out, sizeof(in)), "read back differs");
		printf("%s works on this connection\n",
		       method_name(methods[i]));
		used |= methods[i];
	}
	CHECK(used, "no method worked");
	CHECK_RC(pmr_region_close(&r), 0, "close");
	CHECK_RC(pmr_conn_close(&c), 0, "conn_close");
	printf("held: every advertised method works\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr,
			"usage: pmr-order HOST order REGION\n"
			"       pmr-order HOST contract REGION RO_REGION\n"
			"       pmr-order HOST held REGION FILE\n"
			"       pmr-order HOST loss REGION sync|async\n");
		return 2;
	}
	host = argv[1];
	pmr_log_set(log_cb, PMR_LOG_WARNING);
	if (!strcmp(argv[2], "order"))
		return cmd_order(argv + 3);
	if (!strcmp(argv[2], "contract") && argc >= 5)
		return cmd_contract(argv + 3);
	if (!strcmp(argv[2], "held") && argc >= 5)
		return cmd_held(argv + 3);
	if (!strcmp(argv[2], "loss") && argc >= 5)
		return cmd_loss(argv + 3);
	fprintf(stderr, "unknown command %s\n", argv[2]);
	return 2;
}
