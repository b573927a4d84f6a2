/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proof.c -- PSK proofs for OPEN: message layout and HMAC-SHA256 through
 * OpenSSL (no hand-written crypto here, only the bytes that are signed)
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "proof.h"
#include "wire.h"

#define CLIENT_LABEL	"pmrd open v1"
#define SERVER_LABEL	"pmrd server v1"
#define CLIENT_LABEL_V3 "pmrd open v3"
#define SERVER_LABEL_V3 "pmrd server v3"

/*
 * longest signed message: label, version, nonces, name, access, request
 * or response fields (generation included), atomics, client proof
 */
#define PROOF_MSG_MAX                                                          \
	(sizeof(SERVER_LABEL_V3) + 2 + 2 * PMR_NONCE_SIZE + 1 + PMR_NAME_MAX + \
	 1 + 4 + 4 + 8 + 8 + 4 + 1 + 1 + 1 + 8 + PMR_PROOF_SIZE)

/* pmr_hmac_sha256 -- see proof.h */
int pmr_hmac_sha256(const void *key, size_t key_len, const void *msg,
		    size_t msg_len, uint8_t out[PMR_PROOF_SIZE])
{
	unsigned int n = 0;

	if (!key || !key_len || key_len > 1024 || (!msg && msg_len) || !out)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n) ||
	    n != PMR_PROOF_SIZE)
		return -EIO;
	return 0;
}

/*
 * common_put -- label, [version le16 from PMR_PROOF_VERSION_V3], nonces,
 * name_len, name, ACCESS (the access byte as the wire carries it) into W
 */
static int common_put(struct pmr_wr *w, const char *label, uint16_t version,
		      const uint8_t *cnonce, const uint8_t *snonce,
		      const char *name, uint8_t access)
{
	size_t n = name ? strnlen(name, PMR_NAME_MAX + 1) : 0;

	if (!cnonce || !snonce || n == 0 || n > PMR_NAME_MAX)
		return -EINVAL;
	pmr_wr_bytes(w, label, strlen(label));
	if (version >= PMR_PROOF_VERSION_V3)
		pmr_wr_le16(w, version);
	pmr_wr_bytes(w, cnonce, PMR_NONCE_SIZE);
	pmr_wr_bytes(w, snonce, PMR_NONCE_SIZE);
	pmr_wr_u8(w, (uint8_t)n);
	pmr_wr_bytes(w, name, n);
	pmr_wr_u8(w, access);
	return 0;
}

/* pmr_proof_client -- see proof.h */
int pmr_proof_client(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE], uint16_t version,
		     const struct pmr_open_req *req,
		     uint8_t out[PMR_PROOF_SIZE])
{
	uint8_t buf[PROOF_MSG_MAX];
	struct pmr_wr w = { .p = buf, .off = 0 };
	bool v3 = version >= PMR_PROOF_VERSION_V3;
	int err;

	if (!req)
		return -EINVAL;
	/* below version 3 the wire has no flags: signed as versions 1, 2 */
	err = common_put(&w, v3 ? CLIENT_LABEL_V3 : CLIENT_LABEL, version,
			 cnonce, snonce, req->name,
			 (uint8_t)(v3 ? req->access | req->flags :
					req->access));
	if (err)
		return err;
	if (v3 && (req->flags & PMR_OPEN_F_RESUME))
		pmr_wr_le64(&w, req->expect_gen);
	return pmr_hmac_sha256(key, key_len, buf, w.off, out);
}

/* pmr_proof_server -- see proof.h */
int pmr_proof_server(const void *key, size_t key_len,
		     const uint8_t cnonce[PMR_NONCE_SIZE],
		     const uint8_t snonce[PMR_NONCE_SIZE], uint16_t version,
		     const struct pmr_open_req *req,
		     const struct pmr_open_resp *resp,
		     uint8_t out[PMR_PROOF_SIZE])
{
	uint8_t buf[PROOF_MSG_MAX];
	struct pmr_wr w = { .p = buf, .off = 0 };
	bool v3 = version >= PMR_PROOF_VERSION_V3;
	uint8_t excl;
	int err;

	if (!req || !resp)
		return -EINVAL;
	excl = v3 && resp->excl ? PMR_OPEN_F_EXCL : 0;
	err = common_put(&w, v3 ? SERVER_LABEL_V3 : SERVER_LABEL, version,
			 cnonce, snonce, req->name,
			 (uint8_t)(resp->access | excl));
	if (err)
		return err;
	pmr_wr_le32(&w, resp->handle);
	pmr_wr_le32(&w, resp->rkey);
	pmr_wr_le64(&w, resp->addr);
	pmr_wr_le64(&w, resp->length);
	pmr_wr_le32(&w, resp->persist);
	pmr_wr_u8(&w, resp->gran);
	pmr_wr_u8(&w, resp->kind);
	if (v3) {
		pmr_wr_u8(&w, resp->atomics);
		if (excl)
			pmr_wr_le64(&w, resp->generation);
	}
	pmr_wr_bytes(&w, req->proof, PMR_PROOF_SIZE);
	return pmr_hmac_sha256(key, key_len, buf, w.off, out);
}

/* pmr_proof_equal -- see proof.h */
bool pmr_proof_equal(const uint8_t a[PMR_PROOF_SIZE],
		     const uint8_t b[PMR_PROOF_SIZE])
{
	return CRYPTO_memcmp(a, b, PMR_PROOF_SIZE) == 0;
}

/* pmr_nonce_new -- see proof.h */
int pmr_nonce_new(uint8_t out[PMR_NONCE_SIZE])
{
	return RAND_bytes(out, PMR_NONCE_SIZE) == 1 ? 0 : -EIO;
}
