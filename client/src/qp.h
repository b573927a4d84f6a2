/* SPDX-License-Identifier: BSD-3-Clause */
/* qp.h -- posting on the QP, losing the connection (qp.c) */
#ifndef PMR_CLIENT_QP_H
#define PMR_CLIENT_QP_H

#include "internal.h"

/* pmr_post -- post N (<= PMR_POST_BATCH) descriptors, all or none */
int pmr_post(struct pmr_conn *conn, const struct pmr_swr *w, unsigned int n);
/* pmr_conn_set_lost -- mark CONN unusable, its QP in error */
void pmr_conn_set_lost(struct pmr_conn *conn, int why);

#endif
