/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_list_fit.c -- pmr_list_resp_fit gives the largest count whose
 * encoded LIST response fits the limit; one more would not.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pmr_proto.h"
#include "samples.h"

#define N 100

static struct pmr_region_info entries[N];

/* fill -- N entries with name lengths cycling 1..PMR_NAME_MAX */
static void fill(void)
{
	for (unsigned int k = 0; k < N; k++) {
		char name[PMR_NAME_MAX + 1];
		size_t n = 1 + (k * 17) % PMR_NAME_MAX;

		memset(name, 'a' + k % 26, n);
		name[n] = '\0';
		proto_sample_entry(&entries[k], name, k);
	}
}

/* encoded_len -- bytes of a LIST response with the first COUNT entries */
static int encoded_len(uint32_t count, size_t cap)
{
	static struct pmr_msg m;
	uint8_t buf[PMR_MSG_MAX];

	pmr_msg_init(&m, PMR_MSG_LIST_REGIONS | PMR_MSG_RESP, 1);
	m.u.list_resp.total = N;
	m.u.list_resp.count = count;
	memcpy(m.u.list_resp.entries, entries, count * sizeof(entries[0]));
	return pmr_msg_encode(&m, buf, cap);
}

Test(list_fit, entry_size)
{
	struct pmr_region_info e;

	proto_sample_entry(&e, "abc", 0);
	cr_assert_eq(pmr_list_entry_wire_size(&e), 13 + 3);
}

Test(list_fit, capped_by_max_entries)
{
	fill();
	cr_assert_eq(pmr_list_resp_fit(entries, 3, PMR_MSG_MAX), 3);
	cr_assert_eq(pmr_list_resp_fit(entries, 0, PMR_MSG_MAX), 0);
	/* short names: 100 would fit bytewise, the array holds 48 */
	for (unsigned int k = 0; k < N; k++)
		proto_sample_entry(&entries[k], "r", k);
	cr_assert_eq(pmr_list_resp_fit(entries, N, PMR_MSG_MAX),
		     PMR_LIST_MAX_ENTRIES);
	/* a limit above PMR_MSG_MAX is PMR_MSG_MAX */
	cr_assert_eq(pmr_list_resp_fit(entries, N, SIZE_MAX),
		     PMR_LIST_MAX_ENTRIES);
}

Test(list_fit, exact_at_every_limit)
{
	fill();
	for (size_t max = 0; max <= PMR_MSG_MAX; max++) {
		uint32_t k = pmr_list_resp_fit(entries, N, max);

		if (max < PMR_MSG_HDR_SIZE + 8) {
			cr_assert_eq(k, 0);
			continue;
		}
		cr_assert_gt(encoded_len(k, max), 0, "max %zu count %u", max,
			     k);
		if (k < PMR_LIST_MAX_ENTRIES)
			cr_assert_eq(encoded_len(k + 1, max), -ENOSPC,
				     "max %zu count %u", max, k);
	}
}
