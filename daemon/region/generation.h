/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * generation.h -- a region's fencing generation, kept on disk so that it
 * only ever grows, across pmrd restarts too
 *
 * One file per region in the state directory (pmrd.conf's state_dir):
 * "<region>.generation" holding the number in decimal and a newline.  A
 * missing file is generation 0 (never granted); anything else that is not
 * exactly such a number is corrupt, and is refused rather than reset (a
 * reset would hand out a token an old holder already has).
 */
#ifndef PMRD_GENERATION_H
#define PMRD_GENERATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * pmrd_gen_load -- REGION's generation from DIR into *RET (0 when there is
 * no file).  -EBADMSG for a corrupt file, else negative errno; logged
 * with the file's path; *ret untouched on failure.
 */
int pmrd_gen_load(const char *dir, const char *region, uint64_t *ret);

/*
 * pmrd_gen_store -- REGION's generation is GEN from now on, durably before
 * this returns: written to a temporary file, fsynced, renamed over the
 * old one, then the directory fsynced.  Negative errno (logged); the old
 * file is intact on failure.
 */
int pmrd_gen_store(const char *dir, const char *region, uint64_t gen);

/*
 * pmrd_gen_path -- "DIR/REGION.generation" into BUF of CAP bytes; BUF, or
 * NULL when it does not fit
 */
const char *pmrd_gen_path(const char *dir, const char *region, char *buf,
			  size_t cap);

#endif
