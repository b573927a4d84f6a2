/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * psk.h -- the pre-shared key file format, read alike by pmrd (psk_file
 * in pmrd.conf) and libpmr (pmr_conn_cfg_set_psk_file), and wiping keys
 *
 * A key file holds the key either as hex (an even number of hex digits,
 * whitespace around them ignored) or as raw bytes (anything else, used
 * exactly as it is).  Both ends must derive the same bytes from one file,
 * hence one decoder.  Pure C, libc only.
 */
#ifndef PMR_PSK_H
#define PMR_PSK_H

#include <stddef.h>
#include <stdint.h>

#define PMR_PSK_MIN 16 /* bytes; shorter keys are refused */
#define PMR_PSK_MAX 64 /* one HMAC-SHA256 block */

/*
 * pmr_psk_decode -- the key in a key file's bytes BUF[0..N) into KEY;
 * returns its length, 0 when the bytes are neither hex of at most
 * PMR_PSK_MAX bytes nor at most PMR_PSK_MAX raw bytes (or N is 0).  The
 * caller checks PMR_PSK_MIN.
 */
size_t pmr_psk_decode(const char *buf, size_t n, uint8_t key[PMR_PSK_MAX]);

/* pmr_secret_wipe -- clear N bytes of key material (never optimized out) */
void pmr_secret_wipe(void *p, size_t n);

#endif
