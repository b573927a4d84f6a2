/* SPDX-License-Identifier: BSD-3-Clause */
/* test_list.c -- common/list.h: order, unlink anywhere, safe walks, const */
#include <criterion/criterion.h>

#include "list.h"

struct item {
	int v;
	struct hlist_node link;
};

/* collect -- the values in walk order into out; returns how many */
static int collect(const struct hlist_head *h, int *out, int max)
{
	const struct item *it;
	int n = 0;

	hlist_for_each_entry(it, h, link) {
		cr_assert_lt(n, max);
		out[n++] = it->v;
	}
	return n;
}

/* fill -- items[i].v = i, added in index order */
static void fill(struct hlist_head *h, struct item *items, int n)
{
	for (int i = 0; i < n; i++) {
		items[i].v = i;
		hlist_add_head(&items[i].link, h);
		cr_assert(!hlist_unhashed(&items[i].link));
	}
}

Test(list, zeroed_head_is_empty)
{
	struct hlist_head h = { 0 };
	struct item *it;
	int walked = 0;

	cr_assert(hlist_empty(&h));
	hlist_for_each_entry(it, &h, link)
		walked++;
	cr_assert_eq(walked, 0);
}

Test(list, newest_first)
{
	struct hlist_head h = { 0 };
	struct item items[4];
	int got[4];

	fill(&h, items, 4);
	cr_assert(!hlist_empty(&h));
	cr_assert_eq(collect(&h, got, 4), 4);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(got[i], 3 - i);
	cr_assert_eq(hlist_entry(h.first, struct item, link), &items[3]);
}

Test(list, del_first_middle_last)
{
	struct hlist_head h = { 0 };
	struct item items[5];
	int got[5];

	fill(&h, items, 5); /* 4 3 2 1 0 */
	hlist_del(&items[4].link);
	hlist_del(&items[2].link);
	hlist_del(&items[0].link);
	cr_assert(hlist_unhashed(&items[2].link));
	cr_assert_eq(collect(&h, got, 5), 2);
	cr_assert_eq(got[0], 3);
	cr_assert_eq(got[1], 1);
	/* an unlinked node can be linked again */
	hlist_add_head(&items[2].link, &h);
	cr_assert_eq(collect(&h, got, 5), 3);
	cr_assert_eq(got[0], 2);
	hlist_del(&items[1].link);
	hlist_del(&items[3].link);
	hlist_del(&items[2].link);
	cr_assert(hlist_empty(&h));
}

Test(list, safe_walk_unlinks_all)
{
	struct hlist_head h = { 0 };
	struct item items[3], *it;
	struct hlist_node *n;
	int walked = 0;

	fill(&h, items, 3);
	hlist_for_each_entry_safe(it, n, &h, link) {
		cr_assert_eq(it->v, 2 - walked);
		hlist_del(&it->link);
		/* a stale next pointer would walk on into unlinked nodes */
		it->link.next = (struct hlist_node *)&walked;
		walked++;
	}
	cr_assert_eq(walked, 3);
	cr_assert(hlist_empty(&h));
}

Test(list, entry_safe_of_null)
{
	struct hlist_head h = { 0 };

	cr_assert_null(hlist_entry_safe(h.first, struct item, link));
}
