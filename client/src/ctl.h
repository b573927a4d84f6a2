/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl.h -- control requests and their responses (ctl.c) */
#ifndef PMR_CLIENT_CTL_H
#define PMR_CLIENT_CTL_H

#include "internal.h"

/* pmr_ctl_recv_post -- (re)post receive buffer SLOT */
int pmr_ctl_recv_post(struct pmr_conn *conn, uint32_t slot);
/* pmr_ctl_recv -- a receive completed: the response finishes its op */
void pmr_ctl_recv(struct pmr_conn *conn, uint32_t slot,
		  const struct ibv_wc *wc);
/* pmr_ctl_post -- send request REQ for the op in SLOT */
int pmr_ctl_post(struct pmr_conn *conn, uint32_t slot, struct pmr_msg *req,
		 const struct pmr_swr *before);

#endif
