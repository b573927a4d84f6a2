/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * list.h -- intrusive doubly-linked lists, kernel style (the kernel's hlist):
 * the head is one pointer, so a zeroed head is an empty list; a node is
 * embedded in the object it links and unlinked in O(1) without the head.
 * New nodes go first: walking the list goes newest first.
 */
#ifndef PMRD_COMMON_LIST_H
#define PMRD_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev; /* the pointer that points at this node */
};

struct hlist_head {
	struct hlist_node *first;
};

/* hlist_empty -- true when the list has no node */
static inline bool hlist_empty(const struct hlist_head *h)
{
	return !h->first;
}

/* hlist_unhashed -- true when the node is in no list */
static inline bool hlist_unhashed(const struct hlist_node *n)
{
	return !n->pprev;
}

/* hlist_add_head -- link n first in h */
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

/* hlist_del -- unlink n from its list; n is then in no list */
static inline void hlist_del(struct hlist_node *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

/* hlist_entry -- the object that embeds the node ptr as member */
#define hlist_entry(ptr, type, member) container_of(ptr, type, member)

/* hlist_entry_safe -- the same, NULL for a NULL ptr */
#define hlist_entry_safe(ptr, type, member)                            \
	({                                                             \
		struct hlist_node *hlist_p_ = (ptr);                   \
		hlist_p_ ? hlist_entry(hlist_p_, type, member) : NULL; \
	})

/* hlist_for_each_entry -- pos over every object in head, newest first */
#define hlist_for_each_entry(pos, head, member)                        \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), \
				    member);                           \
	     pos; pos = hlist_entry_safe((pos)->member.next,           \
					 __typeof__(*(pos)), member))

/* hlist_for_each_entry_safe -- the same; pos may be unlinked (or freed) in
 * the body (n, a struct hlist_node *, keeps the next node) */
#define hlist_for_each_entry_safe(pos, n, head, member)                \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), \
				    member);                           \
	     pos && ((n = (pos)->member.next), 1);                     \
	     pos = hlist_entry_safe(n, __typeof__(*(pos)), member))

#endif
