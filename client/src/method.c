/* SPDX-License-Identifier: BSD-3-Clause */
/* method.c -- choosing the persistence method and the atomic-write path for
 * a region */
#include <errno.h>

#include "check.h"
#include "libpmr.h"
#include "pmr_proto.h"

#define KNOWN (PMR_METHOD_RAW | PMR_METHOD_FLUSH | PMR_METHOD_SERVER)

/* pmr_method_pick -- the method to use; see check.h */
int pmr_method_pick(unsigned int advertised, unsigned int local,
		    unsigned int want)
{
	/* cheapest first: a READ round trip, a FLUSH round trip, a SEND
	 * round trip plus the server's CPU */
	static const unsigned int order[] = { PMR_METHOD_RAW, PMR_METHOD_FLUSH,
					      PMR_METHOD_SERVER };
	unsigned int usable = advertised & local & KNOWN;
	unsigned int i;

	if (want != PMR_METHOD_AUTO) {
		if ((want & ~KNOWN) || (want & (want - 1)))
			return -EINVAL;
		return (usable & want) ? (int)want : PMR_E_NO_METHOD;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (usable & order[i])
			return (int)order[i];
	return PMR_E_NO_METHOD;
}

/* pmr_atomic_write_path_pick -- the atomic-write path; see check.h */
unsigned int pmr_atomic_write_path_pick(unsigned int atomics, bool ro,
					bool local_native, unsigned int version,
					unsigned int method)
{
	if (ro)
		return 0;
	if ((atomics & PMR_ATOMICS_NATIVE_WRITE) && local_native && method)
		return PMR_ATOMIC_WRITE_NATIVE;
	if (version >= PMR_PROTO_VERSION_ATOMICS)
		return PMR_ATOMIC_WRITE_SERVER;
	return 0;
}
