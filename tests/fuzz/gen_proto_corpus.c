/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_proto_corpus.c -- write fuzz seeds: every sample message from the
 * unit tests (the fencing ones at version 3), the version 3 messages
 * (ATOMIC_WRITE, the atomics bytes, an exclusive OPEN response with both
 * atomics and generation), and a hello, welcome and reject (bare and zero
 * padded).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

/* put -- write LEN bytes of BUF to DIR/NAME */
static int put(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -errno;
	}
	if (fwrite(buf, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

/* put_v3 -- M encoded at version 3 into DIR/NAME */
static int put_v3(const char *dir, const char *name, const struct pmr_msg *m)
{
	static uint8_t buf[PMR_MSG_MAX];
	int n = pmr_msg_encode_ver(m, PMR_PROTO_VERSION_ATOMICS, buf,
				   sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "%s: cannot encode: %d\n", name, n);
		return n;
	}
	return put(dir, name, buf, (size_t)n);
}

/* v3_seeds -- ATOMIC_WRITE request and response, OPEN responses (one
 * exclusive) and a LIST response with atomics bytes */
static int v3_seeds(const char *dir)
{
	struct pmr_msg m;
	int err = 0;

	pmr_msg_init(&m, PMR_MSG_ATOMIC_WRITE, 0x0102030405060708ull);
	m.u.atomic_write_req.handle = 0x10001;
	m.u.atomic_write_req.offset = 0x1008;
	m.u.atomic_write_req.value = 0x0123456789abcdefull;
	err |= put_v3(dir, "msg_v3_atomic_write_req", &m);
	pmr_msg_init(&m, PMR_MSG_ATOMIC_WRITE | PMR_MSG_RESP, 7);
	err |= put_v3(dir, "msg_v3_atomic_write_resp", &m);
	proto_sample(0, &m);
	for (size_t i = 0; i < proto_sample_count(); i++) {
		proto_sample(i, &m);
		if (m.hdr.type == (PMR_MSG_OPEN | PMR_MSG_RESP) &&
		    !m.hdr.status) {
			m.u.open_resp.atomics = PMR_ATOMICS_ALL;
			err |= put_v3(dir, "msg_v3_open_resp_atomics", &m);
			m.u.open_resp.access = PMR_WIRE_ACCESS_RW;
			m.u.open_resp.excl = 1;
			m.u.open_resp.generation = 0x0102030405060708ull;
			err |= put_v3(dir, "msg_v3_open_resp_excl_atomics", &m);
			break;
		}
	}
	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, 9);
	m.u.list_resp.total = 2;
	m.u.list_resp.count = 2;
	proto_sample_entry(&m.u.list_resp.entries[0], "pmem0", 4);
	m.u.list_resp.entries[0].atomics = PMR_ATOMICS_RDMA;
	proto_sample_entry(&m.u.list_resp.entries[1], "pmem1", 5);
	m.u.list_resp.entries[1].atomics = PMR_ATOMICS_ALL;
	err |= put_v3(dir, "msg_v3_list_resp_atomics", &m);
	return err;
}

/* main -- gen_proto_corpus DIR */
int main(int argc, char **argv)
{
	static uint8_t buf[PMR_MSG_MAX];
	struct pmr_hello h;
	struct pmr_welcome w;
	struct pmr_reject r;
	char name[128];
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < proto_sample_count(); i++) {
		size_t n = proto_sample_encode(i, buf);

		snprintf(name, sizeof(name), "msg_%s", proto_sample_name(i));
		err |= put(argv[1], name, buf, n);
	}
	err |= v3_seeds(argv[1]);
	memset(buf, 0, sizeof(buf));
	proto_sample_hello(&h);
	pmr_hello_encode(&h, buf, sizeof(buf));
	err |= put(argv[1], "hello", buf, PMR_HELLO_SIZE);
	err |= put(argv[1], "hello_padded", buf, PMR_HELLO_MAX);
	proto_sample_welcome(&w);
	pmr_welcome_encode(&w, buf, sizeof(buf));
	err |= put(argv[1], "welcome", buf, PMR_WELCOME_SIZE);
	err |= put(argv[1], "welcome_padded", buf, PMR_WELCOME_MAX);
	/* version 2: the same with their nonces */
	h.version = 2;
	memset(h.nonce, 0x3c, sizeof(h.nonce));
	memset(buf, 0, sizeof(buf));
	err |= put(argv[1], "hello_v2", buf,
		   (size_t)pmr_hello_encode(&h, buf, sizeof(buf)));
	w.version = 2;
	memset(w.nonce, 0xc3, sizeof(w.nonce));
	memset(buf, 0, sizeof(buf));
	err |= put(argv[1], "welcome_v2", buf,
		   (size_t)pmr_welcome_encode(&w, buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	proto_sample_reject(&r);
	pmr_reject_encode(&r, buf, sizeof(buf));
	err |= put(argv[1], "reject", buf, PMR_REJECT_SIZE);
	return err ? 1 : 0;
}
