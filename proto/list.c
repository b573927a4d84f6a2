/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * list.c -- LIST_REGIONS bodies, and how many entries fit a response
 */
#include <errno.h>
#include <string.h>

#include "wire.h"

/* pmrp_list_req_put -- start le32 */
int pmrp_list_req_put(struct pmr_wr *w, const struct pmr_list_req *req)
{
	pmr_wr_le32(w, req->start);
	return 0;
}

/* pmrp_list_req_get -- start le32 */
int pmrp_list_req_get(struct pmr_rd *r, struct pmr_list_req *ret)
{
	uint32_t start = pmr_rd_le32(r);

	if (r->bad)
		return -EBADMSG;
	ret->start = start;
	return 0;
}

/* entry_valid -- E's enums and persist bits are ones the wire defines */
static bool entry_valid(const struct pmr_region_info *e)
{
	return e->access <= PMR_WIRE_ACCESS_RO &&
	       e->kind <= PMR_WIRE_KIND_TESTING &&
	       e->gran <= PMR_WIRE_GRAN_PAGE &&
	       !(e->persist & ~(unsigned int)PMR_PERSIST_ALL);
}

/*
 * pmrp_list_resp_put -- total le32, count le32, count entries of
 * name_len u8, name, size le64, access u8, kind u8, gran u8, persist u8.
 * count > total is refused: a page cannot hold more than there is.
 */
int pmrp_list_resp_put(struct pmr_wr *w, const struct pmr_list_resp *resp)
{
	uint32_t i;

	if (resp->count > PMR_LIST_MAX_ENTRIES || resp->count > resp->total)
		return -EINVAL;
	pmr_wr_le32(w, resp->total);
	pmr_wr_le32(w, resp->count);
	for (i = 0; i < resp->count; i++) {
		const struct pmr_region_info *e = &resp->entries[i];
		size_t n = strnlen(e->name, sizeof(e->name));

		if (n == 0 || n > PMR_NAME_MAX || !entry_valid(e))
			return -EINVAL;
		pmr_wr_u8(w, (uint8_t)n);
		pmr_wr_bytes(w, e->name, n);
		pmr_wr_le64(w, e->size);
		pmr_wr_u8(w, e->access);
		pmr_wr_u8(w, e->kind);
		pmr_wr_u8(w, e->gran);
		pmr_wr_u8(w, e->persist);
	}
	return 0;
}

/*
 * pmrp_list_resp_get -- the inverse of pmrp_list_resp_put.  count is
 * checked against PMR_LIST_MAX_ENTRIES before any entry is read, so a lying
 * count cannot walk past the entries array; each entry is then bounded by
 * what remains in the message.
 */
int pmrp_list_resp_get(struct pmr_rd *r, struct pmr_list_resp *ret)
{
	uint32_t total = pmr_rd_le32(r);
	uint32_t count = pmr_rd_le32(r);
	uint32_t i;

	if (r->bad || count > PMR_LIST_MAX_ENTRIES || count > total)
		return -EBADMSG;
	for (i = 0; i < count; i++) {
		struct pmr_region_info *e = &ret->entries[i];
		uint8_t n = pmr_rd_u8(r);
		const uint8_t *name;

		if (r->bad || n == 0 || n > PMR_NAME_MAX)
			return -EBADMSG;
		name = pmr_rd_take(r, n);
		if (!name || !pmr_wire_text_ok(name, n))
			return -EBADMSG;
		memcpy(e->name, name, n);
		e->name[n] = '\0';
		e->size = pmr_rd_le64(r);
		e->access = pmr_rd_u8(r);
		e->kind = pmr_rd_u8(r);
		e->gran = pmr_rd_u8(r);
		e->persist = pmr_rd_u8(r);
		if (r->bad || !entry_valid(e))
			return -EBADMSG;
	}
	ret->total = total;
	ret->count = count;
	return 0;
}

/* pmr_list_entry_wire_size -- bytes E takes in a LIST_REGIONS response */
size_t pmr_list_entry_wire_size(const struct pmr_region_info *e)
{
	return PMR_LIST_ENTRY_FIXED + strnlen(e->name, sizeof(e->name));
}

/* pmr_list_resp_fit -- how many of N entries fit a response of MAX_MSG */
uint32_t pmr_list_resp_fit(const struct pmr_region_info *entries, uint32_t n,
			   size_t max_msg)
{
	size_t used = PMR_MSG_HDR_SIZE + PMR_LIST_RESP_FIXED;
	uint32_t i;

	if (max_msg > PMR_MSG_MAX)
		max_msg = PMR_MSG_MAX;
	if (n > PMR_LIST_MAX_ENTRIES)
		n = PMR_LIST_MAX_ENTRIES;
	for (i = 0; i < n; i++) {
		size_t sz = pmr_list_entry_wire_size(&entries[i]);

		if (used + sz > max_msg)
			break;
		used += sz;
	}
	return i;
}
