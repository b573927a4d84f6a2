/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_open.c -- open and close configured regions: dispatch on the kind
 * of path (devdax character device or file) and log what was opened
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devdax.h"
#include "log.h"
#include "map.h"
#include "prepare.h"
#include "region_open.h"

/* pmrd_region_open -- prepare or open, map and seal one region */
int pmrd_region_open(const struct pmrd_region_conf *rc,
		     struct pmrd_region **ret)
{
	struct pmrd_region *r;
	struct stat st;
	int err;

	if (!rc || !rc->path || rc->path[0] != '/') {
		log_err("region %s: path must be absolute",
			rc ? rc->name : "?");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	snprintf(r->name, sizeof(r->name), "%s", rc->name);
	r->path = strdup(rc->path);
	if (!r->path) {
		err = -ENOMEM;
		goto out_free_region;
	}
	r->seal_fd = -1;
	r->access = rc->access;
	r->pdomain = rc->pdomain;

	if (stat(rc->path, &st) == 0 && S_ISCHR(st.st_mode))
		err = pmrd_devdax_open(rc, r);
	else
		err = pmrd_prepare_file(rc, r);
	if (err)
		goto out_free_path;

	log_info("region %s: %s: %s, %zu bytes, %s granularity, %s%s", r->name,
		 r->path, pmrd_region_kind_name(r->kind), r->size,
		 pmrd_granularity_name(r->granularity),
		 r->kind == PMRD_REGION_DEVDAX ? "opened" :
		 r->zeroed_now		       ? "prepared and zeroed now" :
						 "prepared before, data kept",
		 r->kind == PMRD_REGION_TESTING ?
			 " -- TESTING MODE, NOT PERSISTENT MEMORY" :
			 "");
	*ret = r;
	return 0;

out_free_path:
	free(r->path);
out_free_region:
	free(r);
	return err;
}

/* pmrd_region_close -- unmap and free; NULLs the caller's pointer */
void pmrd_region_close(struct pmrd_region **region)
{
	struct pmrd_region *r;

	if (!region || !*region)
		return;
	r = *region;
	pmrd_unmap(r);
	pmrd_prepare_seal_deferred(r);
	free(r->path);
	free(r);
	*region = NULL;
}
