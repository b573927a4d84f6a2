/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ackrec.h -- the records pmr-ackwriter writes and pmr-verify checks, and
 * the lines of their acknowledgement log
 *
 * A record is one contiguous write of LEN bytes at region offset OFF: a
 * 64-byte header (magic, seq, off, len, writer, CRC32C of the payload)
 * and a payload that is a pure function of (writer, seq), so a verifier
 * can regenerate it.  The ack log has one line per acknowledged record,
 * "seq off len crc\n", appended and fsynced only after the persist call
 * for that record returned success.
 */
#ifndef PMR_ACKREC_H
#define PMR_ACKREC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ACKREC_MAGIC 0x31434552414d5250ull /* "PMRAREC1" */
#define ACKREC_HDR   64u
#define ACKREC_MIN   ACKREC_HDR
#define ACKREC_MAX   (64u << 20) /* the largest record either tool accepts */
#define ACKREC_LINE  128	 /* longest ack line, newline included */

struct ackrec_hdr {
	uint64_t magic;
	uint64_t seq;
	uint64_t off;
	uint64_t len;
	uint32_t writer;
	uint32_t crc; /* CRC32C of the payload, bytes [64, len) */
	uint64_t pad[3];
};

/* One acknowledged record, as the ack log states it. */
struct ackrec_ack {
	uint64_t seq;
	uint64_t off;
	uint64_t len;
	uint32_t crc;
};

uint32_t ackrec_crc32c(uint32_t crc, const void *buf, size_t len);
void ackrec_fill(void *rec, uint32_t writer, uint64_t seq, uint64_t off,
		 uint64_t len);
int ackrec_check(const void *rec, uint32_t writer, const struct ackrec_ack *a,
		 char *why, size_t why_len);
int ackrec_parse_line(const char *line, struct ackrec_ack *ret);
int ackrec_format_line(const struct ackrec_ack *a, char *buf, size_t len);

struct pmr_conn;
struct pmr_conn_cfg;
struct pmr_mr;
struct pmr_region;

/* A writer's buffers: the record slots (mapped, registered on the
 * connection as a WRITE source), the ring of records in flight and the
 * ack log. */
struct ackrec_io {
	uint8_t *buf;
	size_t bytes;
	struct pmr_mr *mr;
	struct ackrec_ack *inflight;
	int log_fd;
};

int ackrec_parse_u64(const char *s, uint64_t *ret);
int ackrec_write_all(int fd, const char *p, size_t n);
int ackrec_log_append(int fd, const struct ackrec_ack *a);
int ackrec_in_order(uint64_t seq, uint64_t acked);
int ackrec_io_setup(struct pmr_conn *conn, size_t bytes, unsigned int depth,
		    const char *log, struct ackrec_io *io);
void ackrec_io_release(struct ackrec_io *io);
int ackrec_open(const char *host, const char *port,
		const struct pmr_conn_cfg *cfg, const char *name,
		unsigned int flags, struct pmr_conn **ret_conn,
		struct pmr_region **ret_region);

#endif
