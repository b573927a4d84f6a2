/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmr_probe.c -- measure the kernel and RDMA facts pmrd's strategy relies
 * on, and assert them: each command prints the fact it saw and exits 0 only
 * when it matches the expectation given on the command line.
 *
 *   pmr_probe features
 *   pmr_probe [-d DEV] caps [--odp yes|no] [--flush yes|no]
 *   pmr_probe mapsync PATH MIB [--expect ok|ERRNO]
 *   pmr_probe [-d DEV] reg PATH MIB pinned|odp|flush|odp-flush
 *             [--expect ok|ERRNO]
 *
 * PATH is a file (created, sized, mapped MAP_SHARED_VALIDATE | MAP_SYNC) or
 * a device-dax character device (mapped MAP_SHARED).  ERRNO is a name such
 * as EOPNOTSUPP or EINVAL.  Exit: 0 as expected, 1 not as expected, 2 usage
 * or set-up error, 77 not supported by this build (no rdma-core FLUSH).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

/*
 * device_cap_flags_ex bits (kernel ib_uverbs ABI); rdma-core names none of
 * them, so spell them out.
 */
#define PROBE_CAP_FLUSH_GLOBAL	   (1ULL << 38)
#define PROBE_CAP_FLUSH_PERSISTENT (1ULL << 39)
#define PROBE_CAP_ATOMIC_WRITE	   (1ULL << 40)

#define EXIT_AS_EXPECTED 0
#define EXIT_UNEXPECTED	 1
#define EXIT_SETUP	 2
#define EXIT_UNSUPPORTED 77

struct probe_map {
	int fd;
	void *addr;
	size_t len;
	bool devdax;
};

static const char *dev_name = "rxe0";

/* usage -- print the synopsis and return the usage exit code */
static int usage(void)
{
	fprintf(stderr,
		"usage: pmr_probe features\n"
		"       pmr_probe [-d DEV] caps [--odp yes|no] [--flush yes|no]\n"
		"       pmr_probe mapsync PATH MIB [--expect ok|ERRNO]\n"
		"       pmr_probe [-d DEV] reg PATH MIB pinned|odp|flush|odp-flush [--expect ok|ERRNO]\n");
	return EXIT_SETUP;
}

/* outcome_name -- "ok" for 0, else the errno's symbolic name */
static const char *outcome_name(int err)
{
	const char *n;

	if (err == 0)
		return "ok";
	n = strerrorname_np(err);
	return n ? n : "E?";
}

/* judge -- print what was seen against what was expected; exit code */
static int judge(const char *what, int err, const char *expect)
{
	const char *seen = outcome_name(err);
	bool match = strcmp(seen, expect) == 0;

	printf("fact: %s -> %s%s%s (expected %s) %s\n", what, seen,
	       err ? ": " : "", err ? strerror(err) : "", expect,
	       match ? "OK" : "CHANGED");
	return match ? EXIT_AS_EXPECTED : EXIT_UNEXPECTED;
}

/* open_dev -- open the RDMA device named dev_name */
static struct ibv_context *open_dev(void)
{
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	int i, n;

	list = ibv_get_device_list(&n);
	if (!list) {
		perror("ibv_get_device_list");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (strcmp(ibv_get_device_name(list[i]), dev_name) == 0)
			break;
	if (i == n)
		fprintf(stderr, "pmr_probe: no RDMA device %s\n", dev_name);
	else if (!(ctx = ibv_open_device(list[i])))
		perror("ibv_open_device");
	ibv_free_device_list(list);
	return ctx;
}

/* yes_no -- parse yes|no; -1 on anything else */
static int yes_no(const char *s)
{
	if (strcmp(s, "yes") == 0)
		return 1;
	if (strcmp(s, "no") == 0)
		return 0;
	return -1;
}

/*
 * cmd_caps -- report ODP and FLUSH capabilities; check them against the
 * expectations (-1 = not asked)
 */
static int cmd_caps(int want_odp, int want_flush)
{
	struct ibv_device_attr_ex attr = { 0 };
	struct ibv_context *ctx;
	uint64_t flags;
	bool odp, flush;
	int ret = EXIT_AS_EXPECTED, err;

	ctx = open_dev();
	if (!ctx)
		return EXIT_SETUP;
	err = ibv_query_device_ex(ctx, NULL, &attr);
	if (err) {
		fprintf(stderr, "ibv_query_device_ex: %s\n", strerror(err));
		ret = EXIT_SETUP;
		goto out_close_dev;
	}
	flags = attr.device_cap_flags_ex;
	printf("%s: odp general_caps 0x%" PRIx64 " rc_odp_caps 0x%x "
	       "device_cap_flags_ex 0x%" PRIx64 "\n",
	       dev_name, attr.odp_caps.general_caps,
	       attr.odp_caps.per_transport_caps.rc_odp_caps, flags);
	odp = (attr.odp_caps.general_caps & IBV_ODP_SUPPORT) &&
	      (attr.odp_caps.per_transport_caps.rc_odp_caps &
	       IBV_ODP_SUPPORT_WRITE) &&
	      (attr.odp_caps.per_transport_caps.rc_odp_caps &
	       IBV_ODP_SUPPORT_READ);
	flush = (flags & PROBE_CAP_FLUSH_GLOBAL) &&
		(flags & PROBE_CAP_FLUSH_PERSISTENT);
	printf("fact: %s ODP for RC read/write: %s\n", dev_name,
	       odp ? "yes" : "no");
	printf("fact: %s flush global %s, flush persistent %s, atomic write %s\n",
	       dev_name, flags & PROBE_CAP_FLUSH_GLOBAL ? "yes" : "no",
	       flags & PROBE_CAP_FLUSH_PERSISTENT ? "yes" : "no",
	       flags & PROBE_CAP_ATOMIC_WRITE ? "yes" : "no");
	if (want_odp >= 0 && odp != want_odp) {
		printf("CHANGED: ODP expected %s\n", want_odp ? "yes" : "no");
		ret = EXIT_UNEXPECTED;
	}
	if (want_flush >= 0 && flush != want_flush) {
		printf("CHANGED: FLUSH expected %s\n",
		       want_flush ? "yes" : "no");
		ret = EXIT_UNEXPECTED;
	}
out_close_dev:
	ibv_close_device(ctx);
	return ret;
}

/*
 * map_path -- open PATH (a file, created and sized to len, or a devdax
 * device) and map it shared and writable: files with MAP_SYNC.  Returns 0
 * or a positive errno (mmap's errno is what "mapsync" judges).
 */
static int map_path(const char *path, size_t len, struct probe_map *m)
{
	struct stat st;
	int flags = MAP_SHARED, err;

	m->fd = open(path, O_RDWR | O_CREAT, 0600);
	if (m->fd < 0) {
		err = errno;
		fprintf(stderr, "open %s: %s\n", path, strerror(err));
		return err;
	}
	if (fstat(m->fd, &st) < 0) {
		err = errno;
		goto out_close_fd;
	}
	m->devdax = S_ISCHR(st.st_mode);
	if (!m->devdax) {
		err = posix_fallocate(m->fd, 0, (off_t)len);
		if (err) {
			fprintf(stderr, "fallocate %s: %s\n", path,
				strerror(err));
			goto out_close_fd;
		}
		flags = MAP_SHARED_VALIDATE | MAP_SYNC;
	}
	m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, m->fd, 0);
	if (m->addr == MAP_FAILED) {
		err = errno;
		fprintf(stderr, "mmap %s%s: %s\n", path,
			m->devdax ? "" : " (MAP_SYNC)", strerror(err));
		goto out_close_fd;
	}
	m->len = len;
	return 0;

out_close_fd:
	close(m->fd);
	m->fd = -1;
	return err;
}

/* unmap_path -- undo map_path */
static void unmap_path(struct probe_map *m)
{
	munmap(m->addr, m->len);
	close(m->fd);
}

/*
 * check_stores -- store a pattern at both ends of the mapping and read it
 * back through the file descriptor: the mapping reaches the media
 */
static int check_stores(struct probe_map *m)
{
	static const char pat[] = "pmr-probe-mapsync";
	char buf[sizeof(pat)];
	off_t last = (off_t)(m->len - sizeof(pat));

	memcpy(m->addr, pat, sizeof(pat));
	memcpy((char *)m->addr + last, pat, sizeof(pat));
	if (m->devdax)
		return memcmp((char *)m->addr + last, pat, sizeof(pat)) ? EIO :
									  0;
	if (pread(m->fd, buf, sizeof(buf), last) != (ssize_t)sizeof(buf))
		return errno ? errno : EIO;
	return memcmp(buf, pat, sizeof(pat)) ? EIO : 0;
}

/* cmd_mapsync -- MAP_SYNC mapping of a file works (DAX) or fails */
static int cmd_mapsync(const char *path, size_t len, const char *expect)
{
	struct probe_map m;
	char what[512];
	int err;

	snprintf(what, sizeof(what), "mmap MAP_SYNC %s", path);
	err = map_path(path, len, &m);
	if (err)
		return judge(what, err, expect);
	err = check_stores(&m);
	if (err)
		fprintf(stderr, "stores through the mapping: %s\n",
			strerror(err));
	unmap_path(&m);
	return judge(what, err, expect);
}

/* reg_access -- ibv access flags for a registration mode; -1 if unknown */
static int reg_access(const char *mode)
{
	int base = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		   IBV_ACCESS_REMOTE_READ;

	if (strcmp(mode, "pinned") == 0)
		return base;
	if (strcmp(mode, "odp") == 0)
		return base | IBV_ACCESS_ON_DEMAND;
#ifdef PMRD_HAVE_IBV_FLUSH
	if (strcmp(mode, "flush") == 0)
		return base | IBV_ACCESS_FLUSH_GLOBAL |
		       IBV_ACCESS_FLUSH_PERSISTENT;
	if (strcmp(mode, "odp-flush") == 0)
		return base | IBV_ACCESS_ON_DEMAND | IBV_ACCESS_FLUSH_GLOBAL |
		       IBV_ACCESS_FLUSH_PERSISTENT;
#else
	if (strcmp(mode, "flush") == 0 || strcmp(mode, "odp-flush") == 0)
		return -2;
#endif
	return -1;
}

/* cmd_reg -- ibv_reg_mr on a mapping of PATH with the given mode */
static int cmd_reg(const char *path, size_t len, const char *mode,
		   const char *expect)
{
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	struct probe_map m;
	char what[512];
	int access, err, ret;

	access = reg_access(mode);
	if (access == -2) {
		printf("pmr_probe: built without rdma-core FLUSH (rdma-core < 45)\n");
		return EXIT_UNSUPPORTED;
	}
	if (access < 0)
		return usage();
	ctx = open_dev();
	if (!ctx)
		return EXIT_SETUP;
	pd = ibv_alloc_pd(ctx);
	if (!pd) {
		perror("ibv_alloc_pd");
		ret = EXIT_SETUP;
		goto out_close_dev;
	}
	err = map_path(path, len, &m);
	if (err) {
		ret = EXIT_SETUP;
		goto out_dealloc_pd;
	}
	snprintf(what, sizeof(what), "ibv_reg_mr %s %zu MiB %s (access 0x%x)",
		 path, len >> 20, mode, access);
	mr = ibv_reg_mr(pd, m.addr, m.len, access);
	err = mr ? 0 : errno;
	ret = judge(what, err, expect);
	if (mr)
		ibv_dereg_mr(mr);
	unmap_path(&m);
out_dealloc_pd:
	ibv_dealloc_pd(pd);
out_close_dev:
	ibv_close_device(ctx);
	return ret;
}

/* parse_mib -- a size in MiB (1..65536) to bytes; 0 when invalid */
static size_t parse_mib(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || v == 0 || v > 65536)
		return 0;
	return (size_t)v << 20;
}

/* main -- parse options, run one command, exit with its verdict */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "expect", required_argument, NULL, 'e' },
		{ "odp", required_argument, NULL, 'o' },
		{ "flush", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *expect = "ok";
	int want_odp = -1, want_flush = -1, c;
	size_t len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* GNU getopt permutes: options may come before or after operands */
	while ((c = getopt_long(argc, argv, "d:e:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev_name = optarg;
			break;
		case 'e':
			expect = optarg;
			break;
		case 'o':
			want_odp = yes_no(optarg);
			if (want_odp < 0)
				return usage();
			break;
		case 'f':
			want_flush = yes_no(optarg);
			if (want_flush < 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "features") == 0) {
		/* what this build of the probe can ask for */
		printf("flush-access: %s\n",
		       reg_access("flush") == -2 ? "no" : "yes");
		return EXIT_AS_EXPECTED;
	}
	if (strcmp(argv[0], "caps") == 0)
		return cmd_caps(want_odp, want_flush);
	if (strcmp(argv[0], "mapsync") == 0 && argc >= 3) {
		len = parse_mib(argv[2]);
		return len ? cmd_mapsync(argv[1], len, expect) : usage();
	}
	if (strcmp(argv[0], "reg") == 0 && argc >= 4) {
		len = parse_mib(argv[2]);
		return len ? cmd_reg(argv[1], len, argv[3], expect) : usage();
	}
	return usage();
}
