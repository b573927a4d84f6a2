/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ackrec.c -- record layout, payload generator, CRC32C and ack-log lines
 * shared by pmr-ackwriter, pmr-reconnect and pmr-verify, and the writers'
 * buffers and ack log (ackrec.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <libpmr.h>

#include "ackrec.h"

/* ackrec_crc32c -- CRC32C (Castagnoli, reflected), bitwise per byte */
uint32_t ackrec_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;
	size_t i;
	int k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i;

			for (k = 0; k < 8; k++)
				c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
			table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* next -- xorshift64*: the payload stream of one (writer, seq) */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* payload -- the LEN payload bytes of record SEQ of WRITER into P */
static void payload(uint8_t *p, uint32_t writer, uint64_t seq, size_t len)
{
	uint64_t s = (seq + 1) * 0x9e3779b97f4a7c15ull ^
		     ((uint64_t)writer << 48);
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = next(&s);
		memcpy(p + i, &v, 8);
	}
	v = next(&s);
	memcpy(p + i, &v, len - i);
}

/* ackrec_fill -- build record SEQ of WRITER (LEN bytes, for OFF) at REC */
void ackrec_fill(void *rec, uint32_t writer, uint64_t seq, uint64_t off,
		 uint64_t len)
{
	struct ackrec_hdr h = { .magic = ACKREC_MAGIC,
				.seq = seq,
				.off = off,
				.len = len,
				.writer = writer };
	uint8_t *p = rec;

	payload(p + ACKREC_HDR, writer, seq, len - ACKREC_HDR);
	h.crc = ackrec_crc32c(0, p + ACKREC_HDR, len - ACKREC_HDR);
	memcpy(p, &h, sizeof(h));
}

/*
 * ackrec_check -- is the record A acknowledged intact at REC?  0 if so;
 * 1 "missing" (no header of this record there: never landed, or zeroed);
 * 2 "corrupt" (its header but wrong bytes).  WHY says what differs.
 */
int ackrec_check(const void *rec, uint32_t writer, const struct ackrec_ack *a,
		 char *why, size_t why_len)
{
	const uint8_t *p = rec;
	struct ackrec_hdr h;
	uint8_t *want;
	uint32_t crc;
	size_t n = a->len - ACKREC_HDR, i;

	memcpy(&h, p, sizeof(h));
	if (h.magic != ACKREC_MAGIC || h.seq != a->seq || h.writer != writer) {
		snprintf(why, why_len,
			 "no header (magic %016" PRIx64 " seq %" PRIu64
			 " writer %u)",
			 h.magic, h.seq, h.writer);
		return 1;
	}
	if (h.off != a->off || h.len != a->len || h.crc != a->crc) {
		snprintf(why, why_len,
			 "header off %" PRIu64 " len %" PRIu64 " crc %08x",
			 h.off, h.len, h.crc);
		return 2;
	}
	crc = ackrec_crc32c(0, p + ACKREC_HDR, n);
	if (crc != a->crc) {
		want = malloc(n + 8);
		i = 0;
		if (want) {
			payload(want, writer, a->seq, n);
			while (i < n && want[i] == p[ACKREC_HDR + i])
				i++;
			free(want);
		}
		snprintf(
			why, why_len,
			"payload crc %08x, first bad byte at record offset %zu",
			crc, ACKREC_HDR + i);
		return 2;
	}
	return 0;
}

/* ackrec_parse_line -- "seq off len crc\n" into *RET; -1 if malformed */
int ackrec_parse_line(const char *line, struct ackrec_ack *ret)
{
	unsigned long long seq, off, len;
	unsigned int crc;
	char nl;

	if (sscanf(line, "%llu %llu %llu %x%c", &seq, &off, &len, &crc, &nl) !=
		    5 ||
	    nl != '\n' || len < ACKREC_MIN || len > ACKREC_MAX)
		return -1;
	ret->seq = seq;
	ret->off = off;
	ret->len = len;
	ret->crc = crc;
	return 0;
}

/* ackrec_format_line -- the ack line of A into BUF; its length */
int ackrec_format_line(const struct ackrec_ack *a, char *buf, size_t len)
{
	return snprintf(buf, len, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %08x\n",
			a->seq, a->off, a->len, a->crc);
}

/*
 * ackrec_open -- connect to HOST:PORT and open region NAME with FLAGS;
 * failures are printed on stderr, *RET_CONN and *RET_REGION untouched
 */
int ackrec_open(const char *host, const char *port,
		const struct pmr_conn_cfg *cfg, const char *name,
		unsigned int flags, struct pmr_conn **ret_conn,
		struct pmr_region **ret_region)
{
	struct pmr_region *region = NULL;
	struct pmr_conn *conn = NULL;
	int ret;

	ret = pmr_conn_open(host, port, cfg, &conn);
	if (ret) {
		fprintf(stderr, "connect %s: %s\n", host, pmr_strerror(ret));
		return ret;
	}
	ret = pmr_region_open(conn, name, flags, &region);
	if (ret) {
		fprintf(stderr, "open %s: %s\n", name, pmr_strerror(ret));
		goto out_close_conn;
	}
	*ret_conn = conn;
	*ret_region = region;
	return 0;

out_close_conn:
	pmr_conn_close(&conn);
	return ret;
}

/* ackrec_parse_u64 -- a number with an optional K/M/G suffix; -1 if bad */
int ackrec_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'M' || *end == 'G')
		shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
	if (shift)
		end++;
	if (*end || v > UINT64_MAX >> shift)
		return -1;
	*ret = v << shift;
	return 0;
}

/* ackrec_write_all -- a whole buffer to FD, or -errno */
int ackrec_write_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ackrec_log_append -- A's line appended to the ack log FD and fsynced:
 * only then is the record acknowledged (errors printed) */
int ackrec_log_append(int fd, const struct ackrec_ack *a)
{
	char line[ACKREC_LINE];
	int n, ret;

	n = ackrec_format_line(a, line, sizeof(line));
	ret = ackrec_write_all(fd, line, (size_t)n);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (ret)
		fprintf(stderr, "ack log: %s\n", strerror(-ret));
	return ret;
}

/* ackrec_in_order -- the persist of record SEQ completed when record ACKED
 * is the next to acknowledge: 0, else -EPROTO (printed) */
int ackrec_in_order(uint64_t seq, uint64_t acked)
{
	if (seq == acked)
		return 0;
	fprintf(stderr,
		"persist of record %" PRIu64
		" completed before that of %" PRIu64 "\n",
		seq, acked);
	return -EPROTO;
}

/*
 * ackrec_io_setup -- BYTES of record slots mapped and registered on CONN,
 * a ring of DEPTH records in flight, the ack log LOG opened for appending;
 * on failure (printed) what was made stays in IO for ackrec_io_release
 */
int ackrec_io_setup(struct pmr_conn *conn, size_t bytes, unsigned int depth,
		    const char *log, struct ackrec_io *io)
{
	int ret;

	io->buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (io->buf == MAP_FAILED) {
		io->buf = NULL;
		return -errno;
	}
	io->bytes = bytes;
	ret = pmr_mr_reg(conn, io->buf, bytes, PMR_MR_WRITE_SRC, &io->mr);
	if (ret) {
		fprintf(stderr, "register: %s\n", pmr_strerror(ret));
		return ret;
	}
	io->inflight = calloc(depth, sizeof(*io->inflight));
	if (!io->inflight)
		return -ENOMEM;
	io->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (io->log_fd < 0) {
		ret = -errno;
		fprintf(stderr, "%s: %s\n", log, strerror(-ret));
		return ret;
	}
	return 0;
}

/* ackrec_io_release -- undo ackrec_io_setup, whatever part of it was
 * done (IO zeroed but for log_fd = -1 counts as nothing); the region must
 * be closed first (its close waits for what still uses the buffers) */
void ackrec_io_release(struct ackrec_io *io)
{
	if (io->log_fd >= 0)
		close(io->log_fd);
	io->log_fd = -1;
	free(io->inflight);
	io->inflight = NULL;
	pmr_mr_dereg(&io->mr);
	if (io->buf)
		munmap(io->buf, io->bytes);
	io->buf = NULL;
}
