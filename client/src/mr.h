/* SPDX-License-Identifier: BSD-3-Clause */
/* mr.h -- registered buffers moved to a new connection (mr.c) */
#ifndef PMR_CLIENT_MR_H
#define PMR_CLIENT_MR_H

#include "internal.h"

/* pmr_mr_reg_again -- register every buffer of CONN (conn->mrs order) on
 * PD into OUT[0..nmrs); all or nothing */
int pmr_mr_reg_again(const struct pmr_conn *conn, struct ibv_pd *pd,
		     struct ibv_mr **out);
/* pmr_mr_drop -- deregister MRS[0..N) (a reconnect attempt that failed) */
void pmr_mr_drop(struct ibv_mr **mrs, unsigned int n);
/* pmr_mr_rebind -- the buffers of CONN take MRS (from pmr_mr_reg_again),
 * their old registrations are dropped: same handles, new lkeys */
void pmr_mr_rebind(struct pmr_conn *conn, struct ibv_mr **mrs);

#endif
