/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proof.h -- PSK proofs for OPEN (HMAC-SHA256, OpenSSL libcrypto)
 *
 * Both nonces come from the connection set-up (hello: the client's,
 * welcome: the server's), so a proof is good on one connection only.
 *
 * Versions 1 and 2 (a version 1 connection has no nonces, so no proofs):
 *   client proof = HMAC(psk, "pmrd open v1" | cnonce | snonce |
 *                             name_len u8 | name | access u8 (mode))
 *   server proof = HMAC(psk, "pmrd server v1" | cnonce | snonce |
 *                             name_len u8 | name | access u8 (granted) |
 *                             handle le32 | rkey le32 | addr le64 |
 *                             length le64 | persist le32 | gran u8 |
 *                             kind u8 | client proof)
 *
 * Version 3 and later: every field version 3 added to OPEN is covered,
 * the access bytes as the wire carries them, and the negotiated version:
 *   client proof = HMAC(psk, "pmrd open v3" | version le16 | cnonce |
 *                             snonce | name_len u8 | name |
 *                             access u8 (mode | PMR_OPEN_F_*) |
 *                             [expect_gen le64, only with RESUME])
 *   server proof = HMAC(psk, "pmrd server v3" | version le16 | cnonce |
 *                             snonce | name_len u8 | name |
 *                             access u8 (granted mode | EXCL) |
 *                             handle le32 | rkey le32 | addr le64 |
 *                             length le64 | persist le32 | gran u8 |
 *                             kind u8 | atomics u8 |
 *                             [generation le64, only with EXCL] |
 *                             client proof)
 *
 * The server's proof covers everything the client will act on (address,
 * key, length, the atomic path, the fencing token), so a client only
 * writes to a server that knows the key; through the client proof it also
 * answers exactly the flags and expected generation the client sent.  An
 * on-path rewrite of any of them fails one of the two proofs.
 * Kept apart from pmrproto, which stays free of any library.
 */
#ifndef PMR_PROOF_H
#define PMR_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmr_proto.h"
#include "psk.h"

/*
 * pmr_hmac_sha256 -- HMAC-SHA256 of MSG under KEY into OUT.  0, or
 * -EINVAL (bad sizes) / -EIO (libcrypto failed).
 */
int pmr_hmac_sha256(const void *key, size_t key_len, const void *msg,
		    size_t msg_len, uint8_t out[PMR_PROOF_SIZE]);

/* first protocol version whose proofs cover the version 3 OPEN fields */
#define PMR_PROOF_VERSION_V3 PMR_PROTO_VERSION_FENCE

/*
 * pmr_proof_client -- the client's proof for the OPEN REQ (name, access,
 * and from PMR_PROOF_VERSION_V3 flags and expected generation) on a
 * connection of VERSION
 */
int pmr_proof_client(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE], uint16_t version,
		     const struct pmr_open_req *req,
		     uint8_t out[PMR_PROOF_SIZE]);

/*
 * pmr_proof_server -- the server's proof answering REQ (its name and
 * client proof) with RESP (everything but the proof itself) on a
 * connection of VERSION
 */
int pmr_proof_server(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE], uint16_t version,
		     const struct pmr_open_req *req,
		     const struct pmr_open_resp *resp,
		     uint8_t out[PMR_PROOF_SIZE]);

/* pmr_proof_equal -- constant-time comparison of two proofs */
bool pmr_proof_equal(const uint8_t a[PMR_PROOF_SIZE],
		     const uint8_t b[PMR_PROOF_SIZE]);

/* pmr_nonce_new -- PMR_NONCE_SIZE random bytes (RAND_bytes); 0 or -EIO */
int pmr_nonce_new(uint8_t out[PMR_NONCE_SIZE]);

#endif
