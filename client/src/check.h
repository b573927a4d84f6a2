/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.h -- pure argument checks of libpmr (no RDMA): bounds, overflow,
 * persistence method choice, wire status and reject reason mapping
 */
#ifndef PMR_CLIENT_CHECK_H
#define PMR_CLIENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * pmr_check_range -- 0 when [OFF, OFF+LEN) lies inside a region of SIZE
 * bytes (LEN 0 is fine anywhere up to SIZE), else PMR_E_RANGE; overflow
 * of OFF+LEN is a range error too.
 */
int pmr_check_range(uint64_t size, uint64_t off, uint64_t len);

/*
 * pmr_check_word -- 0 when OFF is 8-aligned (else -EINVAL: a usage
 * error) and [OFF, OFF+8) lies inside a region of SIZE bytes (else
 * PMR_E_RANGE, overflow included): an atomic's target word.
 */
int pmr_check_word(uint64_t size, uint64_t off);

/* pmr_check_buf -- 0 when [OFF, OFF+LEN) lies inside a buffer of SIZE
 * bytes, else -EINVAL (caller's own buffer: a usage error) */
int pmr_check_buf(size_t size, size_t off, size_t len);

/*
 * pmr_check_open_flags -- 0 when FLAGS is a valid pmr_region_open flag
 * set: PMR_OPEN_RO alone, or read-write with at most PMR_OPEN_EXCL and
 * PMR_OPEN_TAKEOVER; -EINVAL for RO with either, or an unknown bit
 */
int pmr_check_open_flags(unsigned int flags);

/*
 * pmr_chunks -- how many work requests a LEN-byte transfer needs when one
 * request carries at most MAX bytes (LEN 0 -> 0; MAX 0 -> treated as 1).
 */
uint64_t pmr_chunks(uint64_t len, uint64_t max);

/*
 * pmr_method_pick -- the persistence method to use among ADVERTISED bits:
 * WANT (PMR_METHOD_AUTO = 0) -> the cheapest advertised (RAW < FLUSH <
 * SERVER, restricted to LOCAL, what this client can do); WANT one bit ->
 * that bit if advertised and locally possible.  Returns the bit, or
 * PMR_E_NO_METHOD; -EINVAL if WANT is not 0 or a single known bit.
 */
int pmr_method_pick(unsigned int advertised, unsigned int local,
		    unsigned int want);

/*
 * pmr_atomic_write_path_pick -- how an atomic write reaches a region
 * whose OPEN granted ATOMICS (PMR_ATOMICS_* bits) on a connection of
 * protocol VERSION: PMR_ATOMIC_WRITE_NATIVE when the server offers native
 * ATOMIC WRITE, this client can post it (LOCAL_NATIVE) and a persist
 * METHOD is in use (non-zero); else PMR_ATOMIC_WRITE_SERVER from version
 * 3 on; 0 for a read-only handle (RO) or an older server.
 */
unsigned int pmr_atomic_write_path_pick(unsigned int atomics, bool ro,
					bool local_native, unsigned int version,
					unsigned int method);

/* pmr_status_to_err -- a wire pmr_status (non-zero) as a PMR_E_* code */
int pmr_status_to_err(unsigned int status);

/* pmr_reject_to_err -- a pmr_reject_reason as a PMR_E_REJECTED_* code */
int pmr_reject_to_err(unsigned int reason);

/* pmr_wc_status_to_err -- an ibv_wc_status (non-zero) as an error code */
int pmr_wc_status_to_err(int wc_status);

#endif
