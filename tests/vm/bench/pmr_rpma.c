/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_rpma.c -- pmr-rpma: the operations pmr-bench measures, done with
 * librpma (the library a storage engineer would pick instead of libpmr)
 *
 *   pmr-rpma [-p PORT] [-b ADDR] [-m PATH] [-S BYTES]         server
 *   pmr-rpma [-p PORT] [-o OPS] [-s SIZES] [-w N] [-n N] [-t SECS]
 *            [-g NS] [-B SIZE] [-q QDS] [-T SECS] HOST              client
 *
 * Like pmr-floor, one binary is both sides.  The server registers PATH (a
 * devdax device or a file, mapped shared; anonymous memory without -m)
 * with rpma_mr_reg for remote read, write and persistent flush, says in
 * its peer configuration that writes go directly to pmem (what librpma
 * asks of a server on pmem with eADR or DDIO off: without it the client's
 * persistent rpma_flush is refused), accepts one connection with the MR
 * and peer descriptors in the private data and waits for the disconnect.
 * The client busy-polls its CQ (rpma_cq_get_wc), as a latency-minded
 * librpma user does (fio's librpma engine with busy_wait_polling), and
 * times each operation with pmr-bench's sample loop (bench_samples in
 * client/bench/bench_util.h), so "pmr / rpma" compares the two libraries
 * on the same device.  Latency ops:
 *   read         rpma_read, completion always
 *   write        rpma_write, completion always
 *   write-flush  rpma_write (completion on error) then rpma_flush
 *                (RPMA_FLUSH_TYPE_PERSISTENT; VISIBILITY where the
 *                server's MR is not pmem; completion always) of the
 *                same range, waiting for the flush: librpma's
 *                write+persist (1.2.0 without native FLUSH: a 0-byte
 *                read after the write)
 * Bandwidth (-B SIZE, -q QDS): per queue depth, QD rpma_writes of SIZE
 * in flight over the buffer for -T seconds, then one persistent
 * rpma_flush of every byte written, timed with the writes.
 * Output: one JSON line per point on stdout (latency: p50/p99/p999/max/
 * mean in us; bandwidth: MBps; both: the flush type); progress and
 * errors on stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <librpma.h>

#include "bench_pair.h"

#define RPMA_PORT	"7473"
#define RPMA_MAX_QD	64
#define RPMA_TIMEOUT_MS 10000
/* the MR and peer descriptors in the private data: at most 255 bytes */
#define RPMA_DESC_MAX 200

/* what the server tells the client (its connection's private data) */
struct rpma_info {
	uint8_t mr_desc_size;
	uint8_t pcfg_desc_size;
	uint8_t desc[RPMA_DESC_MAX]; /* MR descriptor, then peer's */
};

enum rpma_op { OP_READ, OP_WRITE, OP_WRITE_FLUSH };

static const char *const op_names[] = { "read", "write", "write-flush" };

struct opts {
	struct pair_opts p; /* what pmr-floor takes too */
	size_t bw_size;	    /* 0: no bandwidth points */
	struct bench_list qds;
	double bw_time_s;
};

/* one side's librpma objects and its buffer */
struct side {
	struct ibv_context *ibv;
	struct rpma_peer *peer;
	struct rpma_mr_local *mr;
	struct rpma_conn *conn;
	struct rpma_cq *cq;
	struct rpma_mr_remote *rmr; /* client: the server's buffer */
	size_t rlen;
	enum rpma_flush_type flush; /* client: the server's MR's */
	uint8_t *buf;
	size_t len;
	bool mapped;
	bool closed; /* the connection's CLOSED event was taken */
};

/* rpma_fail -- print what failed, return RC as a negative errno-like code */
static int rpma_fail(const char *what, int rc)
{
	fprintf(stderr, "pmr-rpma: %s: %s\n", what, rpma_err_2str(rc));
	return rc < 0 ? rc : -EIO;
}

/* map_buf -- S's buffer of LEN (bench_pair.h's pair_map_buf) */
static int map_buf(struct side *s, const char *path, size_t len)
{
	s->len = len;
	return pair_map_buf(path, len, &s->buf, &s->mapped);
}

/* side_close -- undo whatever of S was set up */
static void side_close(struct side *s)
{
	enum rpma_conn_event ev;

	if (s->conn) {
		rpma_conn_disconnect(s->conn);
		/* our own disconnect's CLOSED event, before the delete */
		if (!s->closed)
			(void)rpma_conn_next_event(s->conn, &ev);
		rpma_conn_delete(&s->conn);
	}
	rpma_mr_remote_delete(&s->rmr);
	rpma_mr_dereg(&s->mr);
	pair_free_buf(s->buf, s->len, s->mapped);
	rpma_peer_delete(&s->peer);
}

/* conn_cfg -- queues deep enough for RPMA_MAX_QD writes and a flush */
static int conn_cfg(struct rpma_conn_cfg **ret)
{
	int rc;

	rc = rpma_conn_cfg_new(ret);
	if (rc)
		return rpma_fail("rpma_conn_cfg_new", rc);
	rc = rpma_conn_cfg_set_sq_size(*ret, 2 * RPMA_MAX_QD + 2);
	if (!rc)
		rc = rpma_conn_cfg_set_cq_size(*ret, 2 * RPMA_MAX_QD + 2);
	if (!rc)
		rc = rpma_conn_cfg_set_timeout(*ret, RPMA_TIMEOUT_MS);
	if (rc) {
		rpma_conn_cfg_delete(ret);
		return rpma_fail("rpma_conn_cfg_set", rc);
	}
	return 0;
}

/* expect_event -- the connection's next event must be WANT */
static int expect_event(struct rpma_conn *conn, enum rpma_conn_event want)
{
	enum rpma_conn_event ev;
	int rc;

	rc = rpma_conn_next_event(conn, &ev);
	if (rc)
		return rpma_fail("rpma_conn_next_event", rc);
	if (ev != want) {
		fprintf(stderr, "pmr-rpma: connection %s, expected %s\n",
			rpma_utils_conn_event_2str(ev),
			rpma_utils_conn_event_2str(want));
		return -ECONNREFUSED;
	}
	return 0;
}

/* server_info -- the MR and peer descriptors into *INFO (PMEM: writes go
 * directly to persistent memory) */
static int server_info(struct side *s, bool pmem, struct rpma_info *info)
{
	struct rpma_peer_cfg *pcfg;
	size_t msz, psz;
	int rc;

	rc = rpma_peer_cfg_new(&pcfg);
	if (rc)
		return rpma_fail("rpma_peer_cfg_new", rc);
	rc = rpma_peer_cfg_set_direct_write_to_pmem(pcfg, pmem);
	if (!rc)
		rc = rpma_mr_get_descriptor_size(s->mr, &msz);
	if (!rc)
		rc = rpma_peer_cfg_get_descriptor_size(pcfg, &psz);
	if (rc)
		goto out_delete;
	if (msz + psz > sizeof(info->desc)) {
		rc = RPMA_E_NOMEM;
		goto out_delete;
	}
	info->mr_desc_size = (uint8_t)msz;
	info->pcfg_desc_size = (uint8_t)psz;
	rc = rpma_mr_get_descriptor(s->mr, info->desc);
	if (!rc)
		rc = rpma_peer_cfg_get_descriptor(pcfg, info->desc + msz);
out_delete:
	rpma_peer_cfg_delete(&pcfg);
	return rc ? rpma_fail("descriptors", rc) : 0;
}

/* serve -- one client: accept it with the buffer's descriptors, wait for
 * its disconnect */
static int serve(const struct opts *o)
{
	const char *addr = o->p.bind;
	int usage = RPMA_MR_USAGE_READ_SRC | RPMA_MR_USAGE_WRITE_DST;
	struct rpma_conn_private_data pdata;
	struct rpma_conn_cfg *cfg = NULL;
	struct rpma_conn_req *req = NULL;
	struct rpma_ep *ep = NULL;
	struct side s = { 0 };
	struct rpma_info info;
	int rc;

	/* the address names the RDMA device: no wildcard */
	if (!addr) {
		fprintf(stderr, "pmr-rpma: the server needs -b ADDR\n");
		return -EINVAL;
	}
	rc = rpma_utils_get_ibv_context(addr, RPMA_UTIL_IBV_CONTEXT_LOCAL,
					&s.ibv);
	if (rc)
		return rpma_fail("rpma_utils_get_ibv_context", rc);
	rc = rpma_peer_new(s.ibv, &s.peer);
	if (rc)
		return rpma_fail("rpma_peer_new", rc);
	rc = map_buf(&s, o->p.path, o->p.buf_len);
	if (rc)
		goto out_close;
	/* the persistent flush type on pmem only: on DRAM a persist cannot
	 * be promised, so librpma's visibility flush stands in */
	usage |= o->p.path ? RPMA_MR_USAGE_FLUSH_TYPE_PERSISTENT :
			     RPMA_MR_USAGE_FLUSH_TYPE_VISIBILITY;
	rc = rpma_mr_reg(s.peer, s.buf, s.len, usage, &s.mr);
	if (rc) {
		rc = rpma_fail("rpma_mr_reg", rc);
		goto out_close;
	}
	memset(&info, 0, sizeof(info));
	rc = server_info(&s, o->p.path != NULL, &info);
	if (rc)
		goto out_close;
	rc = conn_cfg(&cfg);
	if (rc)
		goto out_close;
	rc = rpma_ep_listen(s.peer, addr, o->p.port, &ep);
	if (rc) {
		rc = rpma_fail("rpma_ep_listen", rc);
		goto out_delete_cfg;
	}
	fprintf(stderr, "pmr-rpma: listening on %s:%s\n", addr, o->p.port);
	rc = rpma_ep_next_conn_req(ep, cfg, &req);
	if (rc) {
		rc = rpma_fail("rpma_ep_next_conn_req", rc);
		goto out_shutdown;
	}
	pdata.ptr = &info;
	pdata.len = (uint8_t)(2 + info.mr_desc_size + info.pcfg_desc_size);
	rc = rpma_conn_req_connect(&req, &pdata, &s.conn);
	if (rc) {
		rc = rpma_fail("rpma_conn_req_connect", rc);
		goto out_shutdown;
	}
	rc = expect_event(s.conn, RPMA_CONN_ESTABLISHED);
	if (!rc)
		rc = expect_event(s.conn, RPMA_CONN_CLOSED);
	s.closed = true;
	fprintf(stderr, "pmr-rpma: client gone\n");
out_shutdown:
	rpma_ep_shutdown(&ep);
out_delete_cfg:
	rpma_conn_cfg_delete(&cfg);
out_close:
	side_close(&s);
	return rc;
}

/* peer_info -- the server's MR and peer configuration from the private
 * data of S's connection */
static int peer_info(struct side *s)
{
	struct rpma_conn_private_data pdata;
	struct rpma_peer_cfg *pcfg = NULL;
	const struct rpma_info *info;
	int rc, ftype;

	rc = rpma_conn_get_private_data(s->conn, &pdata);
	if (rc)
		return rpma_fail("rpma_conn_get_private_data", rc);
	info = pdata.ptr;
	if (!info || pdata.len < 2 ||
	    pdata.len < 2 + info->mr_desc_size + info->pcfg_desc_size)
		return -EPROTO;
	rc = rpma_mr_remote_from_descriptor(info->desc, info->mr_desc_size,
					    &s->rmr);
	if (rc)
		return rpma_fail("rpma_mr_remote_from_descriptor", rc);
	rc = rpma_mr_remote_get_size(s->rmr, &s->rlen);
	if (!rc)
		rc = rpma_mr_remote_get_flush_type(s->rmr, &ftype);
	if (rc)
		return rpma_fail("rpma_mr_remote_get_size", rc);
	/* persistent where the server's MR is pmem, else visibility (a
	 * server on DRAM: the op's cost, not a persist) */
	s->flush = ftype & RPMA_MR_USAGE_FLUSH_TYPE_PERSISTENT ?
			   RPMA_FLUSH_TYPE_PERSISTENT :
			   RPMA_FLUSH_TYPE_VISIBILITY;
	rc = rpma_peer_cfg_from_descriptor(info->desc + info->mr_desc_size,
					   info->pcfg_desc_size, &pcfg);
	if (rc)
		return rpma_fail("rpma_peer_cfg_from_descriptor", rc);
	rc = rpma_conn_apply_remote_peer_cfg(s->conn, pcfg);
	rpma_peer_cfg_delete(&pcfg);
	return rc ? rpma_fail("rpma_conn_apply_remote_peer_cfg", rc) : 0;
}

/* dial -- connect to the server, learn its buffer; S's own buffer of LEN */
static int dial(const struct opts *o, struct side *s, size_t len)
{
	struct rpma_conn_cfg *cfg = NULL;
	struct rpma_conn_req *req = NULL;
	int rc;

	rc = rpma_utils_get_ibv_context(o->p.host, RPMA_UTIL_IBV_CONTEXT_REMOTE,
					&s->ibv);
	if (rc)
		return rpma_fail("rpma_utils_get_ibv_context", rc);
	rc = rpma_peer_new(s->ibv, &s->peer);
	if (rc)
		return rpma_fail("rpma_peer_new", rc);
	rc = map_buf(s, NULL, len);
	if (rc)
		return rc;
	rc = rpma_mr_reg(s->peer, s->buf, s->len,
			 RPMA_MR_USAGE_READ_DST | RPMA_MR_USAGE_WRITE_SRC,
			 &s->mr);
	if (rc)
		return rpma_fail("rpma_mr_reg", rc);
	rc = conn_cfg(&cfg);
	if (rc)
		return rc;
	rc = rpma_conn_req_new(s->peer, o->p.host, o->p.port, cfg, &req);
	rpma_conn_cfg_delete(&cfg);
	if (rc)
		return rpma_fail("rpma_conn_req_new", rc);
	rc = rpma_conn_req_connect(&req, NULL, &s->conn);
	if (rc)
		return rpma_fail("rpma_conn_req_connect", rc);
	rc = expect_event(s->conn, RPMA_CONN_ESTABLISHED);
	if (rc)
		return rc;
	rc = rpma_conn_get_cq(s->conn, &s->cq);
	if (rc)
		return rpma_fail("rpma_conn_get_cq", rc);
	return peer_info(s);
}

/* wait_wc -- busy-poll S's CQ for one completion; -EIO unless it is a
 * success */
static int wait_wc(struct side *s, struct ibv_wc *wc)
{
	int rc;

	while ((rc = rpma_cq_get_wc(s->cq, 1, wc, NULL)) ==
	       RPMA_E_NO_COMPLETION)
		;
	if (rc)
		return rpma_fail("rpma_cq_get_wc", rc);
	if (wc->status != IBV_WC_SUCCESS) {
		fprintf(stderr, "pmr-rpma: completion: %s\n",
			ibv_wc_status_str(wc->status));
		return -EIO;
	}
	return 0;
}

/* flush_name -- the flush type S's flushes use, for the JSON */
static const char *flush_name(const struct side *s)
{
	return s->flush == RPMA_FLUSH_TYPE_PERSISTENT ? "persistent" :
							"visibility";
}

struct lat_ctx {
	struct side *s;
	enum rpma_op op;
};

/* one_op -- the op of SIZE at remote offset OFF, waited for (a
 * bench_op_fn) */
static int one_op(void *arg, uint64_t off, size_t size)
{
	const struct lat_ctx *ctx = arg;
	struct side *s = ctx->s;
	struct ibv_wc wc;
	int rc;

	switch (ctx->op) {
	case OP_READ:
		rc = rpma_read(s->conn, s->mr, 0, s->rmr, off, size,
			       RPMA_F_COMPLETION_ALWAYS, NULL);
		break;
	case OP_WRITE:
		rc = rpma_write(s->conn, s->rmr, off, s->mr, 0, size,
				RPMA_F_COMPLETION_ALWAYS, NULL);
		break;
	default:
		rc = rpma_write(s->conn, s->rmr, off, s->mr, 0, size,
				RPMA_F_COMPLETION_ON_ERROR, NULL);
		if (!rc)
			rc = rpma_flush(s->conn, s->rmr, off, size, s->flush,
					RPMA_F_COMPLETION_ALWAYS, NULL);
		break;
	}
	if (rc)
		return rpma_fail(op_names[ctx->op], rc);
	return wait_wc(s, &wc);
}

/* lat_point -- measure one (op, size); its JSON line on stdout */
static int lat_point(const struct opts *o, struct side *s, enum rpma_op op,
		     size_t size, uint64_t *samples)
{
	uint64_t span = s->rlen < PAIR_BUF ? s->rlen : PAIR_BUF;
	struct lat_ctx ctx = { .s = s, .op = op };
	struct bench_result res;
	char extra[64];
	int rc;

	if (span < size)
		return -E2BIG;
	rc = bench_samples(one_op, &ctx, size, span / size, &o->p.loop, samples,
			   &res);
	if (rc)
		return rc;
	snprintf(extra, sizeof(extra), ", \"flush\": \"%s\"", flush_name(s));
	pair_print_lat(&o->p, op_names[op], size, samples, &res, extra);
	return 0;
}

/* bw_point -- QD writes of SIZE in flight for the time limit over the
 * remote span, then one persistent flush of what was written; its JSON
 * line on stdout */
static int bw_point(const struct opts *o, struct side *s, size_t size,
		    size_t qd)
{
	uint64_t span = s->rlen < PAIR_BUF ? s->rlen : PAIR_BUF;
	uint64_t slots = span / size, posted = 0, done = 0, t0, t1, t_end;
	struct ibv_wc wc[RPMA_MAX_QD];
	size_t inflight = 0;
	double secs, mbps;
	int rc, n;

	if (!slots || qd > RPMA_MAX_QD || qd * size > s->len)
		return -E2BIG;
	t0 = bench_now_ns();
	t_end = t0 + (uint64_t)(o->bw_time_s * 1e9);
	for (;;) {
		bool stop = bench_now_ns() >= t_end;

		while (!stop && inflight < qd) {
			rc = rpma_write(s->conn, s->rmr,
					(posted % slots) * size, s->mr,
					(posted % qd) * size, size,
					RPMA_F_COMPLETION_ALWAYS, NULL);
			if (rc)
				return rpma_fail("rpma_write", rc);
			posted++;
			inflight++;
		}
		if (stop && !inflight)
			break;
		rc = rpma_cq_get_wc(s->cq, RPMA_MAX_QD, wc, &n);
		if (rc == RPMA_E_NO_COMPLETION)
			continue;
		if (rc)
			return rpma_fail("rpma_cq_get_wc", rc);
		for (int i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				fprintf(stderr, "pmr-rpma: write: %s\n",
					ibv_wc_status_str(wc[i].status));
				return -EIO;
			}
		}
		inflight -= (size_t)n;
		done += (uint64_t)n;
	}
	/* the final persist: every slot written, at most the span */
	rc = rpma_flush(s->conn, s->rmr, 0,
			posted < slots ? posted * size : slots * size, s->flush,
			RPMA_F_COMPLETION_ALWAYS, NULL);
	if (rc)
		return rpma_fail("rpma_flush", rc);
	rc = wait_wc(s, wc);
	if (rc)
		return rc;
	t1 = bench_now_ns();
	secs = (double)(t1 - t0) / 1e9;
	mbps = (double)done * (double)size / secs / 1e6;
	printf("{\"tool\": \"pmr-rpma\", \"op\": \"write-bw\", \"size\": %zu, "
	       "\"qd\": %zu, \"ops\": %llu, \"seconds\": %.3f, "
	       "\"MBps\": %.2f, \"flush\": \"%s\"}\n",
	       size, qd, (unsigned long long)done, secs, mbps, flush_name(s));
	fflush(stdout);
	fprintf(stderr, "%-12s %8zu qd %4zu %10.1f MB/s\n", "write-bw", size,
		qd, mbps);
	return 0;
}

/* run_client -- every latency op and size, then the bandwidth points */
static int run_client(const struct opts *o)
{
	struct side s = { 0 };
	uint64_t *samples;
	size_t len = o->bw_size * RPMA_MAX_QD;
	int rc;

	for (int i = 0; i < o->p.sizes.n; i++)
		if (o->p.sizes.v[i] > len)
			len = o->p.sizes.v[i];
	samples = calloc(o->p.loop.iters, sizeof(*samples));
	if (!samples)
		return -ENOMEM;
	rc = dial(o, &s, len);
	for (int i = 0; i < o->p.sizes.n && !rc; i++)
		for (int op = OP_READ; op <= OP_WRITE_FLUSH && !rc; op++)
			if (bench_op_wanted(o->p.ops, op_names[op]))
				rc = lat_point(o, &s, op, o->p.sizes.v[i],
					       samples);
	for (int q = 0; o->bw_size && q < o->qds.n && !rc; q++)
		rc = bw_point(o, &s, o->bw_size, o->qds.v[q]);
	side_close(&s);
	free(samples);
	return rc;
}

/* usage -- the help text */
static void usage(FILE *f, const struct opts *o)
{
	pair_usage(f, &o->p);
	fprintf(f,
		"  -B, --bw-size SIZE  then bandwidth points of SIZE writes\n"
		"                      (-o none: only those)\n"
		"  -q, --qd LIST       their queue depths (default 16; at most %d)\n"
		"  -T, --bw-time SECS  time per bandwidth point (default 2)\n"
		"The server needs -b ADDR (it names the RDMA device); -m: the\n"
		"persistent flush type, else visibility.\n",
		RPMA_MAX_QD);
}

/* parse_opts -- the command line into O; exits on a mistake */
static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		PAIR_LONG_OPTS,
		{ "bw-size", required_argument, NULL, 'B' },
		{ "qd", required_argument, NULL, 'q' },
		{ "bw-time", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	*o = (struct opts){ .bw_time_s = 2.0 };
	pair_opts_init(&o->p, "pmr-rpma", RPMA_PORT, "read,write,write-flush");
	bench_parse_list("16", &o->qds);
	while ((c = getopt_long(argc, argv, PAIR_SHORT_OPTS "B:q:T:", lo,
				NULL)) != -1) {
		if (pair_opt(c, optarg, &o->p, &bad))
			continue;
		switch (c) {
		case 'B':
			o->bw_size = bench_parse_size(optarg);
			bad |= !o->bw_size;
			break;
		case 'q':
			bad |= bench_parse_list(optarg, &o->qds) < 0;
			break;
		case 'T':
			o->bw_time_s = strtod(optarg, NULL);
			bad |= !(o->bw_time_s > 0);
			break;
		default:
			usage(c == 'h' ? stdout : stderr, o);
			exit(c == 'h' ? 0 : 2);
		}
	}
	for (int i = 0; i < o->qds.n; i++)
		bad |= o->qds.v[i] > RPMA_MAX_QD;
	bad |= o->bw_size > PAIR_BUF / 2;
	if (bad || pair_opts_finish(&o->p, argc, argv)) {
		usage(stderr, o);
		exit(2);
	}
}

/* main -- server without HOST, client with it */
int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	parse_opts(argc, argv, &o);
	/* librpma logs to syslog and stderr by default: errors only */
	rpma_log_set_threshold(RPMA_LOG_THRESHOLD_AUX, RPMA_LOG_LEVEL_ERROR);
	rc = o.p.host ? run_client(&o) : serve(&o);
	if (rc)
		fprintf(stderr, "pmr-rpma: failed (%d)\n", rc);
	return rc ? 1 : 0;
}
