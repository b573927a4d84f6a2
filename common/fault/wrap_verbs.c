/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrap_verbs.c -- libibverbs calls that fail when fault injection picks
 * them (linked with -Wl,--wrap=<fn>, PMRD_FAULT_INJECTION builds only).
 *
 * <infiniband/verbs.h> is not included: it makes ibv_reg_mr and
 * ibv_query_port macros over inline functions, so the prototypes here
 * name the exported symbols those end in, with opaque pointers.  What is
 * inline through the provider's ops (ibv_query_device_ex, ibv_alloc_mw,
 * ibv_bind_mw, ibv_advise_mr, ibv_req_notify_cq, posts and polls) has no
 * symbol to wrap and is not injected.  Release calls (ibv_dereg_mr,
 * ibv_destroy_*, ibv_dealloc_pd) are not either: a failed release leaks
 * by construction, and they fail only on a dead device or a caller bug.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fault_inject.h"

void *__real_ibv_alloc_pd(void *ctx);
void *__real_ibv_create_comp_channel(void *ctx);
void *__real_ibv_create_cq(void *ctx, int cqe, void *cq_ctx, void *channel,
			   int comp_vector);
void *__real_ibv_reg_mr(void *pd, void *addr, size_t length, int access);
void *__real_ibv_reg_mr_iova2(void *pd, void *addr, size_t length,
			      uint64_t iova, unsigned int access);
int __real_ibv_query_device(void *ctx, void *attr);
int __real_ibv_query_port(void *ctx, uint8_t port, void *attr);
int __real_ibv_modify_qp(void *qp, void *attr, int mask);
void *__real_ibv_qp_to_qp_ex(void *qp);

void *__wrap_ibv_alloc_pd(void *ctx);
void *__wrap_ibv_create_comp_channel(void *ctx);
void *__wrap_ibv_create_cq(void *ctx, int cqe, void *cq_ctx, void *channel,
			   int comp_vector);
void *__wrap_ibv_reg_mr(void *pd, void *addr, size_t length, int access);
void *__wrap_ibv_reg_mr_iova2(void *pd, void *addr, size_t length,
			      uint64_t iova, unsigned int access);
int __wrap_ibv_query_device(void *ctx, void *attr);
int __wrap_ibv_query_port(void *ctx, uint8_t port, void *attr);
int __wrap_ibv_modify_qp(void *qp, void *attr, int mask);
void *__wrap_ibv_qp_to_qp_ex(void *qp);

/* NULL_IF -- the picked call: errno ERR, return NULL (verbs' convention) */
#define NULL_IF(fn, err)               \
	do {                           \
		if (FAULT_HIT(fn)) {   \
			errno = (err); \
			return NULL;   \
		}                      \
	} while (0)

/* __wrap_ibv_alloc_pd -- or ENOMEM */
void *__wrap_ibv_alloc_pd(void *ctx)
{
	NULL_IF(ibv_alloc_pd, ENOMEM);
	return __real_ibv_alloc_pd(ctx);
}

/* __wrap_ibv_create_comp_channel -- or EMFILE (it is an fd) */
void *__wrap_ibv_create_comp_channel(void *ctx)
{
	NULL_IF(ibv_create_comp_channel, EMFILE);
	return __real_ibv_create_comp_channel(ctx);
}

/*
 * cq_depth -- the CQE count to ask for: PMR_FAULT_CQ_DEPTH=N caps every
 * CQ at N entries, so that a burst of completions overflows it and the
 * device itself reports a CQ error (an async event; rxe does so on
 * overflow).  Unset, malformed or not smaller: CQE unchanged.
 */
static int cq_depth(int cqe)
{
	unsigned long n;

	if (!pmr_fault_env_ulong("PMR_FAULT_CQ_DEPTH", &n) || n < 1 ||
	    n >= (unsigned long)cqe)
		return cqe;
	return (int)n;
}

/* __wrap_ibv_create_cq -- or ENOMEM; capped by PMR_FAULT_CQ_DEPTH */
void *__wrap_ibv_create_cq(void *ctx, int cqe, void *cq_ctx, void *channel,
			   int comp_vector)
{
	NULL_IF(ibv_create_cq, ENOMEM);
	return __real_ibv_create_cq(ctx, cq_depth(cqe), cq_ctx, channel,
				    comp_vector);
}

/* __wrap_ibv_reg_mr -- or ENOMEM (pinning failed) */
void *__wrap_ibv_reg_mr(void *pd, void *addr, size_t length, int access)
{
	NULL_IF(ibv_reg_mr, ENOMEM);
	return __real_ibv_reg_mr(pd, addr, length, access);
}

/* __wrap_ibv_reg_mr_iova2 -- or ENOMEM */
void *__wrap_ibv_reg_mr_iova2(void *pd, void *addr, size_t length,
			      uint64_t iova, unsigned int access)
{
	NULL_IF(ibv_reg_mr_iova2, ENOMEM);
	return __real_ibv_reg_mr_iova2(pd, addr, length, iova, access);
}

/* __wrap_ibv_query_device -- or EIO (returned, as the real one does) */
int __wrap_ibv_query_device(void *ctx, void *attr)
{
	if (FAULT_HIT(ibv_query_device))
		return EIO;
	return __real_ibv_query_device(ctx, attr);
}

/* __wrap_ibv_query_port -- or EIO (returned) */
int __wrap_ibv_query_port(void *ctx, uint8_t port, void *attr)
{
	if (FAULT_HIT(ibv_query_port))
		return EIO;
	return __real_ibv_query_port(ctx, port, attr);
}

/* __wrap_ibv_modify_qp -- or EINVAL (returned) */
int __wrap_ibv_modify_qp(void *qp, void *attr, int mask)
{
	if (FAULT_HIT(ibv_modify_qp))
		return EINVAL;
	return __real_ibv_modify_qp(qp, attr, mask);
}

/* __wrap_ibv_qp_to_qp_ex -- or EOPNOTSUPP (a provider without qp_ex) */
void *__wrap_ibv_qp_to_qp_ex(void *qp)
{
	NULL_IF(ibv_qp_to_qp_ex, EOPNOTSUPP);
	return __real_ibv_qp_to_qp_ex(qp);
}
