/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_scribble.c -- pmr-scribble: random unaligned writes into disjoint
 * slices of one region, persisted, read back and compared with a shadow
 *
 * Usage: pmr-scribble [-p PORT] [-c CLIENTS] [-n OPS] [-S MAXSIZE]
 *        [-m auto|server|flush|raw] [-s SEED] [-o OFF] [-l LEN]
 *        [-r PERCENT] [-z | -I IMAGE] [-O IMAGE] [-R] HOST REGION
 *
 * [OFF, OFF+LEN) of REGION (default: all of it) is cut into CLIENTS
 * slices, one per client; each client is a thread with a connection of
 * its own.  A client first reads its whole slice into its part of a
 * shadow copy (with -z every byte must be zero, with -I it must equal
 * IMAGE, a file holding [OFF, OFF+LEN)), then does OPS writes of 1 byte to
 * MAXSIZE (log-uniform: as many small as big ones) at random offsets --
 * unaligned, and one in four of the small ones straddling a page
 * boundary -- with random bytes, each persisted with the persist method
 * -m (which the region must advertise), through a random one of libpmr's
 * write paths: write + persist, write_persist, their zero-copy _mr forms,
 * and async post_write + post_persist.  After each write, with
 * probability PERCENT (default 50), it reads a random range of its slice
 * back (plain, _mr or async) and compares it with the shadow; at the end
 * it reads its whole slice once more.  -O writes the shadow of [OFF,
 * OFF+LEN) to IMAGE, for a cmp against the region file after pmrd stopped.
 * -R: the region must refuse a read-write open (ACCESS); it is opened
 * read-only and only read and compared (with -z or -I), OPS reads.
 *
 * The PRNG of client i is seeded from SEED (printed; random by default)
 * and i, so a run is repeated with -s.  Every failure is printed on
 * stderr with the client, the operation and the region offset.
 * Exit 0: all data as expected; 1: an error or a difference; 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>

#include <libpmr.h>

#define MAX_CLIENTS  64
#define MAX_SIZE_CAP (4u << 20)
#define PAGE	     4096u
#define TIMEOUT_MS   30000 /* a safety net against hangs, never a check */
#define MAX_LIST     64

struct opts {
	const char *host, *port, *region;
	unsigned int clients, read_pct;
	uint64_t ops, max_size, seed, off, len;
	unsigned int method; /* PMR_METHOD_* */
	bool zeros, readonly;
	const char *in_image, *out_image;
};

struct client {
	const struct opts *o;
	pthread_t tid;
	unsigned int id;
	uint64_t base, len;  /* the slice: [base, base + len) of the region */
	uint8_t *shadow;     /* len bytes: what the slice must hold */
	const uint8_t *want; /* -I: the slice's expected start, or NULL */
	uint64_t rng[4];
	struct pmr_conn *conn;
	struct pmr_region *region;
	uint8_t *wbuf, *rbuf; /* max_size each, registered */
	struct pmr_mr *wmr, *rmr;
	uint64_t op; /* the operation running, for messages */
	uint64_t writes, reads, wbytes, rbytes;
	double first_us, max_us, sum_us;
	int err;
};

static struct opts g_o = {
	.clients = 4,
	.ops = 200,
	.max_size = 256 * 1024,
	.read_pct = 50,
	.method = PMR_METHOD_AUTO,
};

/* rotl -- rotate left */
static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* rng_next -- xoshiro256** */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* rng_seed -- the state of client ID from SEED (splitmix64) */
static void rng_seed(uint64_t *s, uint64_t seed, unsigned int id)
{
	uint64_t x = seed ^ ((uint64_t)id * 0xd1b54a32d192ed03ull);

	for (int i = 0; i < 4; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		s[i] = z ^ (z >> 31);
	}
}

/* rng_below -- uniform in [0, n); n > 0 */
static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* rng_fill -- LEN random bytes into BUF */
static void rng_fill(uint64_t *s, uint8_t *buf, size_t len)
{
	size_t i = 0;
	uint64_t v;

	for (; i + 8 <= len; i += 8) {
		v = rng_next(s);
		memcpy(buf + i, &v, 8);
	}
	if (i < len) {
		v = rng_next(s);
		memcpy(buf + i, &v, len - i);
	}
}

/* now_us -- CLOCK_MONOTONIC in microseconds */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* parse_u64 -- a number with an optional K/M/G suffix; -1 if bad */
static int parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		return -1;
	*ret = v;
	return 0;
}

/* method_bit -- a -m argument as a PMR_METHOD_* value; -1 if unknown */
static int method_bit(const char *s, unsigned int *ret)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} m[] = { { "auto", PMR_METHOD_AUTO },
		  { "server", PMR_METHOD_SERVER },
		  { "flush", PMR_METHOD_FLUSH },
		  { "raw", PMR_METHOD_RAW } };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(s, m[i].name)) {
			*ret = m[i].bit;
			return 0;
		}
	return -1;
}

/* methods_format -- PMR_METHOD_* bits as "server,flush" into BUF */
static const char *methods_format(unsigned int bits, char *buf, size_t len)
{
	static const char *const names[] = { "server", "flush", "raw" };
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 3; i++)
		if (bits & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "," : "", names[i]);
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

/* kind_name -- enum pmr_region_kind for humans */
static const char *kind_name(unsigned int kind)
{
	switch (kind) {
	case PMR_KIND_FSDAX:
		return "fsdax";
	case PMR_KIND_DEVDAX:
		return "devdax";
	case PMR_KIND_TESTING:
		return "testing";
	}
	return "?";
}

/* say_err -- "client I: op N: " and the message on stderr; returns ERR */
static int __attribute__((format(printf, 3, 4)))
say_err(const struct client *c, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && err != -EIO)
		fprintf(stderr, "client %u: op %" PRIu64 ": %s: %s%s%s%s\n",
			c->id, c->op, msg, pmr_strerror(err),
			c->conn && *pmr_conn_last_error_text(c->conn) ?
				" (server: " :
				"",
			c->conn ? pmr_conn_last_error_text(c->conn) : "",
			c->conn && *pmr_conn_last_error_text(c->conn) ? ")" :
									"");
	else
		fprintf(stderr, "client %u: op %" PRIu64 ": %s\n", c->id, c->op,
			msg);
	return err ? err : -EIO;
}

/*
 * compare -- GOT (LEN bytes read at region offset OFF) against the shadow;
 * prints the first difference and how many bytes differ
 */
static int compare(const struct client *c, const uint8_t *got, uint64_t off,
		   size_t len, const char *what)
{
	const uint8_t *want = c->shadow + (off - c->base);
	size_t first = len, bad = 0;

	if (!memcmp(got, want, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i]) {
			if (first == len)
				first = i;
			bad++;
		}
	return say_err(c, -EIO,
		       "%s of %zu bytes at region offset %" PRIu64
		       ": %zu bytes differ, the first at region offset %" PRIu64
		       " (page offset %" PRIu64
		       "): read 0x%02x, expected 0x%02x",
		       what, len, off, bad, off + first, (off + first) % PAGE,
		       got[first], want[first]);
}

/* wait_async -- poll until N async completions are in; the first error */
static int wait_async(struct client *c, int n)
{
	struct pmr_completion comp[4];
	struct pollfd p;
	int got, ret = 0;

	while (n > 0) {
		got = pmr_conn_poll(c->conn, comp, n < 4 ? n : 4);
		if (got < 0)
			return got;
		if (got == 0) {
			p.fd = pmr_conn_get_fd(c->conn);
			p.events = POLLIN;
			if (poll(&p, 1, TIMEOUT_MS) == 0)
				return -ETIMEDOUT;
			continue;
		}
		for (int i = 0; i < got; i++)
			if (comp[i].status && !ret)
				ret = comp[i].status;
		n -= got;
	}
	return ret;
}

/* do_read -- read [OFF, OFF+LEN) through WAY (0 plain, 1 _mr, 2 async) */
static int do_read(struct client *c, uint64_t off, size_t len, unsigned int way)
{
	int ret;

	switch (way) {
	case 0:
		ret = pmr_region_read(c->region, c->rbuf, off, len);
		break;
	case 1:
		ret = pmr_region_read_mr(c->region, c->rmr, 0, off, len);
		break;
	default:
		ret = pmr_region_post_read(c->region, c->rmr, 0, off, len,
					   c->op);
		if (!ret)
			ret = wait_async(c, 1);
		break;
	}
	if (ret)
		return say_err(c, ret,
			       "read of %zu bytes at region offset %" PRIu64,
			       len, off);
	c->reads++;
	c->rbytes += len;
	return 0;
}

/* check_range -- read [OFF, OFF+LEN) back and compare it with the shadow */
static int check_range(struct client *c, uint64_t off, size_t len,
		       unsigned int way, const char *what)
{
	int ret = do_read(c, off, len, way);

	if (!ret)
		ret = compare(c, c->rbuf, off, len, what);
	return ret;
}

/* check_slice -- the whole slice against the shadow, MAXSIZE at a time */
static int check_slice(struct client *c, const char *what)
{
	uint64_t done = 0;
	int ret;

	while (done < c->len) {
		size_t n = (size_t)(c->len - done < c->o->max_size ?
					    c->len - done :
					    c->o->max_size);

		ret = check_range(c, c->base + done, n, 0, what);
		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

/*
 * load_slice -- the slice's start into the shadow: what it must hold (-z,
 * -I), checked by reading it, or else whatever the region holds
 */
static int load_slice(struct client *c)
{
	const struct opts *o = c->o;
	uint64_t done = 0;
	int ret;

	if (o->zeros || c->want) {
		if (o->zeros)
			memset(c->shadow, 0, c->len);
		else
			memcpy(c->shadow, c->want, c->len);
		return check_slice(c, o->zeros ? "start (must be zeros)" :
						 "start (must match -I)");
	}
	while (done < c->len) {
		size_t n = (size_t)(c->len - done < o->max_size ?
					    c->len - done :
					    o->max_size);

		ret = do_read(c, c->base + done, n, 0);
		if (ret)
			return ret;
		memcpy(c->shadow + done, c->rbuf, n);
		done += n;
	}
	return 0;
}

/* pick_len -- 1..max_size, log-uniform */
static size_t pick_len(struct client *c)
{
	unsigned int bits = 0;
	uint64_t m = c->o->max_size < c->len ? c->o->max_size : c->len;

	while ((2ull << bits) <= m)
		bits++;
	return (size_t)(1 + rng_below(c->rng,
				      (1ull << rng_below(c->rng, bits + 1))));
}

/*
 * pick_off -- where a LEN-byte op goes in the slice: uniform, or for one
 * in four ops shorter than a page, across a page boundary
 */
static uint64_t pick_off(struct client *c, size_t len)
{
	uint64_t room = c->len - len + 1, first, last, b;

	if (len > 1 && len < PAGE && rng_below(c->rng, 4) == 0) {
		/* page boundaries b with base < b and b + len - 1 <= end */
		first = c->base / PAGE + 1;
		last = (c->base + c->len - 1) / PAGE;
		if (first <= last) {
			b = (first + rng_below(c->rng, last - first + 1)) *
			    PAGE;
			b -= 1 + rng_below(c->rng, len - 1);
			if (b >= c->base && b + len <= c->base + c->len)
				return b;
		}
	}
	return c->base + rng_below(c->rng, room);
}

/* do_write -- write and persist LEN bytes at OFF through WAY (0..4) */
static int do_write(struct client *c, uint64_t off, size_t len,
		    unsigned int way)
{
	static const char *const ways[] = { "write+persist", "write_persist",
					    "write_mr+persist",
					    "write_persist_mr",
					    "post_write+post_persist" };
	double t0 = now_us(), t;
	int ret;

	switch (way) {
	case 0:
		ret = pmr_region_write(c->region, c->wbuf, off, len);
		if (!ret)
			ret = pmr_region_persist(c->region, off, len);
		break;
	case 1:
		ret = pmr_region_write_persist(c->region, c->wbuf, off, len);
		break;
	case 2:
		ret = pmr_region_write_mr(c->region, c->wmr, 0, off, len);
		if (!ret)
			ret = pmr_region_persist(c->region, off, len);
		break;
	case 3:
		ret = pmr_region_write_persist_mr(c->region, c->wmr, 0, off,
						  len);
		break;
	default:
		ret = pmr_region_post_write(c->region, c->wmr, 0, off, len,
					    c->op * 2);
		if (ret)
			break;
		ret = pmr_region_post_persist(c->region, off, len,
					      c->op * 2 + 1);
		if (ret) {
			wait_async(c, 1); /* the write's completion */
			break;
		}
		ret = wait_async(c, 2);
		break;
	}
	if (ret)
		return say_err(c, ret,
			       "%s of %zu bytes at region offset %" PRIu64,
			       ways[way], len, off);
	t = now_us() - t0;
	if (!c->writes)
		c->first_us = t;
	if (t > c->max_us)
		c->max_us = t;
	c->sum_us += t;
	c->writes++;
	c->wbytes += len;
	memcpy(c->shadow + (off - c->base), c->wbuf, len);
	return 0;
}

/* one_op -- a write (or, with -R, a read) and maybe a read back */
static int one_op(struct client *c)
{
	size_t len = pick_len(c);
	uint64_t off = pick_off(c, len);
	int ret;

	if (c->o->readonly)
		return check_range(c, off, len,
				   (unsigned int)rng_below(c->rng, 3), "read");
	rng_fill(c->rng, c->wbuf, len);
	ret = do_write(c, off, len, (unsigned int)rng_below(c->rng, 5));
	if (ret || rng_below(c->rng, 100) >= c->o->read_pct)
		return ret;
	len = pick_len(c);
	off = pick_off(c, len);
	return check_range(c, off, len, (unsigned int)rng_below(c->rng, 3),
			   "read back");
}

/* client_open -- connect, refuse-check (-R), open, method, buffers */
static int client_open(struct client *c)
{
	const struct opts *o = c->o;
	struct pmr_conn_cfg *cfg = NULL;
	struct pmr_region *r = NULL;
	int ret;

	ret = pmr_conn_cfg_new(&cfg);
	if (!ret)
		ret = pmr_conn_cfg_set_timeout(cfg, TIMEOUT_MS);
	if (!ret)
		ret = pmr_conn_open(o->host, o->port, cfg, &c->conn);
	pmr_conn_cfg_delete(&cfg);
	if (ret)
		return say_err(c, ret, "connect to %s", o->host);
	if (o->readonly) {
		ret = pmr_region_open(c->conn, o->region, PMR_OPEN_RW, &r);
		if (ret != PMR_E_ACCESS) {
			pmr_region_close(&r);
			return say_err(
				c, -EIO,
				"read-write open of read-only region %s: %s, expected %s",
				o->region, ret ? pmr_strerror(ret) : "success",
				pmr_strerror(PMR_E_ACCESS));
		}
	}
	ret = pmr_region_open(c->conn, o->region,
			      o->readonly ? PMR_OPEN_RO : PMR_OPEN_RW,
			      &c->region);
	if (ret)
		return say_err(c, ret, "open %s", o->region);
	if (!o->readonly) {
		ret = pmr_region_set_persist_method(c->region, o->method);
		if (ret)
			return say_err(c, ret, "persist method");
	}
	c->wbuf = mmap(NULL, o->max_size * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->wbuf == MAP_FAILED) {
		c->wbuf = NULL;
		return say_err(c, -errno, "buffers of %" PRIu64 " bytes",
			       o->max_size * 2);
	}
	c->rbuf = c->wbuf + o->max_size;
	ret = pmr_mr_reg(c->conn, c->wbuf, o->max_size, PMR_MR_WRITE_SRC,
			 &c->wmr);
	if (!ret)
		ret = pmr_mr_reg(c->conn, c->rbuf, o->max_size, PMR_MR_READ_DST,
				 &c->rmr);
	if (ret)
		return say_err(c, ret, "register buffers");
	return 0;
}

/* client_close -- undo client_open, whatever part of it was done */
static int client_close(struct client *c)
{
	int ret = 0;

	/* the close waits for what is still in flight, which uses the MRs */
	if (c->region && pmr_region_close(&c->region))
		ret = -EIO;
	pmr_mr_dereg(&c->rmr);
	pmr_mr_dereg(&c->wmr);
	if (c->conn && pmr_conn_close(&c->conn))
		ret = -EIO;
	if (c->wbuf)
		munmap(c->wbuf, c->o->max_size * 2);
	c->wbuf = c->rbuf = NULL;
	return ret;
}

/* client_main -- one client's life (a thread) */
static void *client_main(void *arg)
{
	struct client *c = arg;
	int ret;

	ret = client_open(c);
	if (ret)
		goto out_close;
	ret = load_slice(c);
	for (c->op = 1; !ret && c->op <= c->o->ops; c->op++)
		ret = one_op(c);
	if (!ret)
		ret = check_slice(c, "final read of the slice");
out_close:
	if (client_close(c) && !ret)
		ret = say_err(c, -EIO, "close");
	c->err = ret;
	return NULL;
}

/*
 * probe -- one connection: the region's size, kind and methods; OFF/LEN
 * and the method checked against them (a clear message if not offered)
 */
static int probe(struct opts *o)
{
	struct pmr_region_desc d[MAX_LIST];
	struct pmr_conn *conn = NULL;
	char have[32], want[32];
	size_t total = 0;
	int n, i, ret;

	ret = pmr_conn_open(o->host, o->port, NULL, &conn);
	if (ret) {
		fprintf(stderr, "connect to %s: %s\n", o->host,
			pmr_strerror(ret));
		return ret;
	}
	n = pmr_conn_list_regions(conn, d, MAX_LIST, &total);
	if (n < 0) {
		fprintf(stderr, "list regions on %s: %s\n", o->host,
			pmr_strerror(n));
		ret = n;
		goto out_close;
	}
	for (i = 0; i < n && strcmp(d[i].name, o->region); i++)
		;
	if (i == n) {
		fprintf(stderr, "%s lists no region %s (%zu regions)\n",
			o->host, o->region, total);
		ret = PMR_E_NOENT_REGION;
		goto out_close;
	}
	if (!o->len && o->off < d[i].size)
		o->len = d[i].size - o->off;
	if (o->off > d[i].size || o->len > d[i].size - o->off || !o->len) {
		fprintf(stderr,
			"range [%" PRIu64 ", +%" PRIu64
			") is not inside region %s of %" PRIu64 " bytes\n",
			o->off, o->len, o->region, d[i].size);
		ret = PMR_E_RANGE;
		goto out_close;
	}
	methods_format(d[i].persist_methods, have, sizeof(have));
	if (!o->readonly && o->method != PMR_METHOD_AUTO &&
	    !(d[i].persist_methods & o->method)) {
		fprintf(stderr,
			"region %s offers persist methods %s: -m %s is not one of them\n",
			o->region, have,
			methods_format(o->method, want, sizeof(want)));
		ret = PMR_E_NO_METHOD;
		goto out_close;
	}
	printf("region %s: %" PRIu64 " bytes, %s, %s, persist methods %s; "
	       "using %s\n",
	       o->region, d[i].size, kind_name(d[i].kind),
	       d[i].read_only ? "ro" : "rw", have,
	       o->readonly ? "none (read only)" :
	       o->method == PMR_METHOD_AUTO ?
			     "auto" :
			     methods_format(o->method, want, sizeof(want)));
out_close:
	pmr_conn_close(&conn);
	return ret;
}

/* read_image -- LEN bytes of FILE into a new buffer */
static uint8_t *read_image(const char *file, uint64_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint64_t done = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		goto out_free;
	}
	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"%s: %s after %" PRIu64 " of %" PRIu64
				" bytes\n",
				file, n < 0 ? strerror(errno) : "end of file",
				done, len);
			goto out_close_fd;
		}
		done += (uint64_t)n;
	}
	close(fd);
	return buf;

out_close_fd:
	close(fd);
out_free:
	free(buf);
	return NULL;
}

/* write_image -- LEN bytes of BUF to FILE (created or truncated), synced */
static int write_image(const char *file, const uint8_t *buf, uint64_t len)
{
	uint64_t done = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out_err;
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out_close_fd;
		done += (uint64_t)n;
	}
	if (fsync(fd) < 0)
		goto out_close_fd;
	close(fd);
	return 0;

out_close_fd:
	ret = -errno;
	close(fd);
	errno = -ret;
out_err:
	fprintf(stderr, "image %s: %s\n", file, strerror(errno));
	return -errno;
}

/* usage -- the synopsis on stderr; exit 2 */
static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: pmr-scribble [-p PORT] [-c CLIENTS] [-n OPS] [-S MAXSIZE]\n"
		"       [-m auto|server|flush|raw] [-s SEED] [-o OFF] [-l LEN]\n"
		"       [-r PERCENT] [-z | -I IMAGE] [-O IMAGE] [-R] HOST REGION\n");
	exit(2);
}

/* parse_opts -- argv into g_o, or usage() */
static void parse_opts(int argc, char **argv)
{
	bool seeded = false;
	uint64_t v;
	int opt;

	while ((opt = getopt(argc, argv, "p:c:n:S:m:s:o:l:r:zI:O:R")) != -1) {
		switch (opt) {
		case 'p':
			g_o.port = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, &v) || !v || v > MAX_CLIENTS)
				usage();
			g_o.clients = (unsigned int)v;
			break;
		case 'n':
			if (parse_u64(optarg, &g_o.ops))
				usage();
			break;
		case 'S':
			if (parse_u64(optarg, &g_o.max_size) || !g_o.max_size ||
			    g_o.max_size > MAX_SIZE_CAP)
				usage();
			break;
		case 'm':
			if (method_bit(optarg, &g_o.method))
				usage();
			break;
		case 's':
			if (parse_u64(optarg, &g_o.seed))
				usage();
			seeded = true;
			break;
		case 'o':
			if (parse_u64(optarg, &g_o.off))
				usage();
			break;
		case 'l':
			if (parse_u64(optarg, &g_o.len))
				usage();
			break;
		case 'r':
			if (parse_u64(optarg, &v) || v > 100)
				usage();
			g_o.read_pct = (unsigned int)v;
			break;
		case 'z':
			g_o.zeros = true;
			break;
		case 'I':
			g_o.in_image = optarg;
			break;
		case 'O':
			g_o.out_image = optarg;
			break;
		case 'R':
			g_o.readonly = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || (g_o.zeros && g_o.in_image))
		usage();
	g_o.host = argv[optind];
	g_o.region = argv[optind + 1];
	if (!seeded &&
	    getrandom(&g_o.seed, sizeof(g_o.seed), 0) != sizeof(g_o.seed))
		g_o.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
}

/* run_clients -- start, join and sum up the clients; failed count */
static unsigned int run_clients(struct client *cs, unsigned int n)
{
	uint64_t w = 0, r = 0, wb = 0, rb = 0;
	double sum = 0, mx = 0, t0 = now_us(), secs;
	unsigned int started = 0, failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (pthread_create(&cs[i].tid, NULL, client_main, &cs[i])) {
			fprintf(stderr, "client %u: pthread_create failed\n",
				i);
			break;
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		pthread_join(cs[i].tid, NULL);
		if (cs[i].err)
			failed++;
		w += cs[i].writes;
		r += cs[i].reads;
		wb += cs[i].wbytes;
		rb += cs[i].rbytes;
		sum += cs[i].sum_us;
		if (cs[i].max_us > mx)
			mx = cs[i].max_us;
		printf("client %u: [%" PRIu64 ", %" PRIu64 "): %" PRIu64
		       " writes (%" PRIu64 " bytes), %" PRIu64
		       " reads (%" PRIu64 " bytes)",
		       i, cs[i].base, cs[i].base + cs[i].len, cs[i].writes,
		       cs[i].wbytes, cs[i].reads, cs[i].rbytes);
		if (cs[i].writes)
			printf(", first write+persist %.0f us", cs[i].first_us);
		if (cs[i].err == -EIO)
			printf(": FAILED (data differ or close failed: see above)\n");
		else
			printf(": %s\n",
			       cs[i].err ? pmr_strerror(cs[i].err) : "ok");
	}
	secs = (now_us() - t0) / 1e6;
	printf("%u clients: %" PRIu64 " writes (%" PRIu64
	       " bytes, mean %.0f us, max %.0f us "
	       "per write+persist), %" PRIu64 " reads (%" PRIu64
	       " bytes) in %.1f s; %u failed\n",
	       started, w, wb, w ? sum / (double)w : 0.0, mx, r, rb, secs,
	       failed + (n - started));
	return failed + (n - started);
}

int main(int argc, char **argv)
{
	struct client *cs;
	uint8_t *shadow, *want = NULL;
	uint64_t slice;
	unsigned int failed;
	int ret = 1;

	parse_opts(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %#" PRIx64 "\n", g_o.seed);
	if (probe(&g_o))
		return 1;
	slice = g_o.len / g_o.clients;
	if (!slice) {
		fprintf(stderr, "%" PRIu64 " bytes for %u clients: no slice\n",
			g_o.len, g_o.clients);
		return 1;
	}
	if (g_o.in_image) {
		want = read_image(g_o.in_image, g_o.len);
		if (!want)
			return 1;
	}
	shadow = malloc(g_o.len);
	cs = calloc(g_o.clients, sizeof(*cs));
	if (!shadow || !cs) {
		fprintf(stderr, "no memory for a %" PRIu64 "-byte shadow\n",
			g_o.len);
		goto out_free;
	}
	for (unsigned int i = 0; i < g_o.clients; i++) {
		struct client *c = &cs[i];

		c->o = &g_o;
		c->id = i;
		c->base = g_o.off + i * slice;
		/* the last slice takes the remainder */
		c->len = i + 1 < g_o.clients ? slice : g_o.len - i * slice;
		c->shadow = shadow + i * slice;
		c->want = want ? want + i * slice : NULL;
		rng_seed(c->rng, g_o.seed, i);
	}
	failed = run_clients(cs, g_o.clients);
	if (failed) {
		fprintf(stderr, "%u of %u clients failed (seed %#" PRIx64 ")\n",
			failed, g_o.clients, g_o.seed);
		goto out_free;
	}
	if (g_o.out_image && write_image(g_o.out_image, shadow, g_o.len))
		goto out_free;
	if (g_o.out_image)
		printf("image of [%" PRIu64 ", %" PRIu64 ") written to %s\n",
		       g_o.off, g_o.off + g_o.len, g_o.out_image);
	ret = 0;
out_free:
	free(cs);
	free(shadow);
	free(want);
	return ret;
}
