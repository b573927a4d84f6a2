/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proof.h -- PSK proofs for OPEN (HMAC-SHA256, OpenSSL libcrypto)
 *
 * Both nonces come from the connection set-up (hello: the client's,
 * welcome: the server's), so a proof is good on one connection only.
 *
 *   client proof = HMAC(psk, "pmrd open v1" | cnonce | snonce |
 *                             name_len u8 | name | access u8)
 *   server proof = HMAC(psk, "pmrd server v1" | cnonce | snonce |
 *                             name_len u8 | name | access u8 (granted) |
 *                             handle le32 | rkey le32 | addr le64 |
 *                             length le64 | persist le32 | gran u8 |
 *                             kind u8 | client proof)
 *
 * The server's proof covers everything the client will act on (address,
 * key, length), so a client only writes to a server that knows the key.
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

/* pmr_proof_client -- the client's proof for opening NAME with ACCESS */
int pmr_proof_client(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE], const char *name,
		     uint8_t access, uint8_t out[PMR_PROOF_SIZE]);

/*
 * pmr_proof_server -- the server's proof answering REQ (its name and
 * client proof) with RESP (everything but the proof itself)
 */
int pmr_proof_server(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE],
		     const struct pmr_open_req *req,
		     const struct pmr_open_resp *resp,
		     uint8_t out[PMR_PROOF_SIZE]);

/* pmr_proof_equal -- constant-time comparison of two proofs */
bool pmr_proof_equal(const uint8_t a[PMR_PROOF_SIZE],
		     const uint8_t b[PMR_PROOF_SIZE]);

/* pmr_nonce_new -- PMR_NONCE_SIZE random bytes (RAND_bytes); 0 or -EIO */
int pmr_nonce_new(uint8_t out[PMR_NONCE_SIZE]);

#endif
