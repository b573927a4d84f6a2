/* SPDX-License-Identifier: BSD-3-Clause */
/* region.h -- region handles moved to a new connection (region.c) */
#ifndef PMR_CLIENT_REGION_H
#define PMR_CLIENT_REGION_H

#include "internal.h"

/* pmr_region_reopen -- open R's region again on FRESH, as R was opened
 * (exclusive ones with RESUME at R's generation); the new grant in OUT (a
 * copy of R).  A length other than R's is PMR_E_RANGE (the handle is given
 * back).  With FRESH not lost afterwards the error is this region's
 * (the server's answer), else the connection's. */
int pmr_region_reopen(struct pmr_conn *fresh, const struct pmr_region *r,
		      struct pmr_region *out);
/* pmr_region_rebind -- R takes the keys GOT (pmr_region_reopen) granted,
 * once R's connection is the new one */
void pmr_region_rebind(struct pmr_region *r, const struct pmr_region *got);

#endif
