/* SPDX-License-Identifier: BSD-3-Clause */
/* samples.h -- one valid pmr_msg of every shape, shared by the proto tests */
#ifndef PMR_TEST_PROTO_SAMPLES_H
#define PMR_TEST_PROTO_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmr_proto.h"

/* How many samples there are; index 0..count-1. */
size_t proto_sample_count(void);

/* Fill *M with sample I (zeroed first, so samples compare with memcmp). */
void proto_sample(size_t i, struct pmr_msg *m);

/*
 * proto_sample_version -- the protocol version sample I is a message of
 * (2, or 3 for the exclusive-open and fencing ones); encode and decode it
 * at that version
 */
uint16_t proto_sample_version(size_t i);

/* Encode sample I into BUF (PMR_MSG_MAX bytes); returns its length. */
size_t proto_sample_encode(size_t i, uint8_t *buf);

/* A short label for sample I, for failure messages. */
/*
 * proto_sample_proof_cut -- for a sample ending in an optional OPEN proof,
 * its length without the proof (itself a valid message); 0 for others
 */
size_t proto_sample_proof_cut(size_t i);

const char *proto_sample_name(size_t i);

/* A and B mean the same message (fields their type and status use). */
bool proto_msg_equal(const struct pmr_msg *a, const struct pmr_msg *b);

/* The valid hello, welcome and reject the tests start from. */
void proto_sample_hello(struct pmr_hello *h);
void proto_sample_welcome(struct pmr_welcome *w);
void proto_sample_reject(struct pmr_reject *r);

/* Fill entry E with name NAME and deterministic fields from SEED. */
void proto_sample_entry(struct pmr_region_info *e, const char *name,
			unsigned int seed);

#endif
