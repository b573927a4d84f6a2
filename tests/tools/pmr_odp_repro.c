/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_odp_repro.c -- does an RDMA WRITE land where it should?  A minimal
 * reproducer for the registration strategies pmrd uses, without pmrd:
 * one RC QP connected to itself over the rxe device that owns an IP
 * address, a buffer registered pinned or with On-Demand Paging, RDMA
 * WRITEs of a non-periodic pattern at page offsets 0 and non-zero, inside
 * one page and across pages, then the bytes compared three ways: through
 * the server's mapping, with pread() on the file, and by an RDMA READ.
 *
 *   pmr-odp-repro IP BACKING MR [SIZE]
 *     BACKING: a file path (created, zero-filled, mapped MAP_SHARED), or
 *              "anon" (anonymous private memory)
 *     MR:      pinned | odp | odp-nopopulate
 *
 * Prints one line per case, "OK ..." or "BAD ...", with where the bytes
 * really went when they are misplaced.  Exit 0 all OK, 1 some BAD, 2
 * usage, 3 set-up failed, 4 registration refused (errno printed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096u

struct rig {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_mr *remote_mr; /* the "server's" region */
	struct ibv_mr *local_mr;  /* the "client's" buffer, pinned */
	uint8_t *remote;
	uint8_t *local;
	size_t size;
	int fd; /* backing file or -1 */
};

/* pattern_byte -- a byte no shift by a page or a packet reproduces */
static uint8_t pattern_byte(uint32_t seed, size_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^
		     seed * 0xbf58476d1ce4e5b9ull;

	x ^= x >> 29;
	return (uint8_t)(x ^ (x >> 17));
}

/* find_gid -- the GID index carrying IPv4 address IP on port 1 */
static int find_gid(struct ibv_context *ctx, const char *ip, union ibv_gid *gid)
{
	struct ibv_port_attr pa;
	struct in_addr a;

	if (inet_pton(AF_INET, ip, &a) != 1 || ibv_query_port(ctx, 1, &pa))
		return -1;
	for (int i = 0; i < pa.gid_tbl_len; i++) {
		if (ibv_query_gid(ctx, 1, i, gid))
			continue;
		if (!memcmp(gid->raw + 12, &a, 4) && gid->raw[10] == 0xff &&
		    gid->raw[11] == 0xff)
			return i;
	}
	return -1;
}

/* open_dev -- the device whose port 1 has IP */
static int open_dev(struct rig *r, const char *ip, union ibv_gid *gid,
		    int *gid_idx)
{
	struct ibv_device **list = ibv_get_device_list(NULL);

	for (int i = 0; list && list[i]; i++) {
		struct ibv_context *ctx = ibv_open_device(list[i]);

		if (!ctx)
			continue;
		*gid_idx = find_gid(ctx, ip, gid);
		if (*gid_idx >= 0) {
			r->ctx = ctx;
			printf("device %s, gid index %d\n",
			       ibv_get_device_name(list[i]), *gid_idx);
			break;
		}
		ibv_close_device(ctx);
	}
	ibv_free_device_list(list);
	return r->ctx ? 0 : -1;
}

/* connect_self -- bring the QP to RTS, connected to itself */
static int connect_self(struct rig *r, const union ibv_gid *gid, int gid_idx)
{
	struct ibv_port_attr pa;
	struct ibv_qp_attr a;

	if (ibv_query_port(r->ctx, 1, &pa))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
			    IBV_ACCESS_LOCAL_WRITE;
	if (ibv_modify_qp(r->qp, &a,
			  IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				  IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = pa.active_mtu;
	a.dest_qp_num = r->qp->qp_num;
	a.max_dest_rd_atomic = 4;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = *gid;
	a.ah_attr.grh.sgid_index = (uint8_t)gid_idx;
	a.ah_attr.grh.hop_limit = 64;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(r->qp, &a,
			  IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
				  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
				  IBV_QP_MAX_DEST_RD_ATOMIC |
				  IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 4;
	return ibv_modify_qp(r->qp, &a,
			     IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				     IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
				     IBV_QP_MAX_QP_RD_ATOMIC);
}

/* rdma -- one RDMA WRITE or READ of len bytes, local[loff] <-> remote[roff] */
static int rdma(struct rig *r, enum ibv_wr_opcode op, size_t loff, size_t roff,
		size_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)r->local + loff,
		.length = (uint32_t)len,
		.lkey = r->local_mr->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma.remote_addr = (uintptr_t)r->remote + roff,
		.wr.rdma.rkey = r->remote_mr->rkey,
	};
	struct ibv_send_wr *bad;
	struct ibv_wc wc;
	int n;

	if (ibv_post_send(r->qp, &wr, &bad))
		return -1;
	while ((n = ibv_poll_cq(r->cq, 1, &wc)) == 0)
		;
	if (n < 0 || wc.status != IBV_WC_SUCCESS) {
		printf("  completion: %s\n",
		       n < 0 ? "poll failed" : ibv_wc_status_str(wc.status));
		return -1;
	}
	return 0;
}

/* first_diff -- index of the first byte of a[0..len) != pattern, or -1 */
static long first_diff(const uint8_t *a, uint32_t seed, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != pattern_byte(seed, i))
			return (long)i;
	return -1;
}

/* where_is -- offset in the region of the pattern's first 16 bytes, or -1 */
static long where_is(const struct rig *r, uint32_t seed, size_t len)
{
	uint8_t head[16];
	size_t n = len < sizeof(head) ? len : sizeof(head);

	for (size_t i = 0; i < n; i++)
		head[i] = pattern_byte(seed, i);
	for (size_t off = 0; off + n <= r->size; off++)
		if (!memcmp(r->remote + off, head, n))
			return (long)off;
	return -1;
}

/* one_case -- write len bytes at off, check mapping, file and read-back */
static bool one_case(struct rig *r, uint32_t seed, size_t off, size_t len)
{
	uint8_t *tmp;
	long d_map, d_file = -2, d_read;
	bool ok;

	for (size_t i = 0; i < len; i++)
		r->local[i] = pattern_byte(seed, i);
	if (rdma(r, IBV_WR_RDMA_WRITE, 0, off, len)) {
		printf("BAD  write %zu B at %zu: the WRITE failed\n", len, off);
		return false;
	}
	d_map = first_diff(r->remote + off, seed, len);
	if (r->fd >= 0) {
		tmp = malloc(len);
		if (!tmp || pread(r->fd, tmp, len, (off_t)off) != (ssize_t)len)
			d_file = -3;
		else
			d_file = first_diff(tmp, seed, len);
		free(tmp);
	}
	memset(r->local, 0, len);
	if (rdma(r, IBV_WR_RDMA_READ, 0, off, len))
		d_read = -3;
	else
		d_read = first_diff(r->local, seed, len);
	ok = d_map == -1 && d_read == -1 && (d_file == -1 || d_file == -2);
	printf("%s write %7zu B at %7zu (page offset %4zu%s): mapping %s%ld, file %s%ld, rdma read-back %s%ld",
	       ok ? "OK  " : "BAD ", len, off, off % PAGE,
	       off % PAGE + len > PAGE ? ", crosses pages" : "",
	       d_map == -1 ? "ok" : "differs at +", d_map,
	       d_file == -1 ? "ok" :
	       d_file == -2 ? "n/a" :
			      "differs at +",
	       d_file, d_read == -1 ? "ok" : "differs at +", d_read);
	if (d_map != -1)
		printf(", pattern's head found at offset %ld",
		       where_is(r, seed, len));
	printf("\n");
	return ok;
}

/* map_backing -- the region: a zero-filled shared file mapping, or anon */
static int map_backing(struct rig *r, const char *path)
{
	static uint8_t zeros[1 << 16];
	struct statfs sf;

	r->fd = -1;
	if (!strcmp(path, "anon")) {
		r->remote = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return r->remote == MAP_FAILED ? -1 : 0;
	}
	r->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (r->fd < 0)
		return -1;
	for (size_t off = 0; off < r->size; off += sizeof(zeros))
		if (pwrite(r->fd, zeros, sizeof(zeros), (off_t)off) < 0)
			return -1;
	if (fsync(r->fd))
		return -1;
	if (!fstatfs(r->fd, &sf))
		printf("backing %s: fs magic 0x%lx\n", path,
		       (unsigned long)sf.f_type);
	r->remote = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, 0);
	return r->remote == MAP_FAILED ? -1 : 0;
}

/* main -- set up, register, run the cases */
int main(int argc, char **argv)
{
	struct ibv_qp_init_attr qa = {
		.cap = { .max_send_wr = 4,
			 .max_recv_wr = 4,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};
	struct rig r = { .size = 8u << 20 };
	int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
		     IBV_ACCESS_REMOTE_WRITE;
	union ibv_gid gid;
	bool all = true, odp, populate;
	int gid_idx;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: %s IP BACKING(path|anon) pinned|odp|odp-nopopulate [SIZE]\n",
			argv[0]);
		return 2;
	}
	odp = !strncmp(argv[3], "odp", 3);
	populate = !strcmp(argv[3], "odp");
	if (argc == 5)
		r.size = strtoull(argv[4], NULL, 0);
	if (open_dev(&r, argv[1], &gid, &gid_idx)) {
		fprintf(stderr, "no RDMA device has %s\n", argv[1]);
		return 3;
	}
	r.pd = ibv_alloc_pd(r.ctx);
	r.cq = r.pd ? ibv_create_cq(r.ctx, 8, NULL, NULL, 0) : NULL;
	qa.send_cq = qa.recv_cq = r.cq;
	r.qp = r.cq ? ibv_create_qp(r.pd, &qa) : NULL;
	if (!r.qp || connect_self(&r, &gid, gid_idx)) {
		perror("QP set-up");
		return 3;
	}
	if (map_backing(&r, argv[2])) {
		perror(argv[2]);
		return 3;
	}
	r.local = aligned_alloc(PAGE, r.size);
	r.local_mr = r.local ? ibv_reg_mr(r.pd, r.local, r.size, access) : NULL;
	if (!r.local_mr) {
		perror("local buffer");
		return 3;
	}
	if (populate && madvise(r.remote, r.size, MADV_POPULATE_WRITE))
		perror("MADV_POPULATE_WRITE (continuing)");
	r.remote_mr = ibv_reg_mr(r.pd, r.remote, r.size,
				 access | (odp ? IBV_ACCESS_ON_DEMAND : 0));
	if (!r.remote_mr) {
		printf("REFUSED ibv_reg_mr %s of %s: %s\n", argv[3], argv[2],
		       strerror(errno));
		return 4;
	}
	printf("registered %zu bytes of %s %s\n", r.size, argv[2], argv[3]);

	all &= one_case(&r, 1, 0, 64);
	all &= one_case(&r, 2, 1000, 100);
	all &= one_case(&r, 3, 3 * PAGE, PAGE);
	all &= one_case(&r, 4, 5 * PAGE + 4000, 3000);
	all &= one_case(&r, 5, 12345, 3000000);

	ibv_dereg_mr(r.remote_mr);
	ibv_dereg_mr(r.local_mr);
	ibv_destroy_qp(r.qp);
	ibv_destroy_cq(r.cq);
	ibv_dealloc_pd(r.pd);
	ibv_close_device(r.ctx);
	return all ? 0 : 1;
}
