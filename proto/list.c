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

/* entry_valid -- E's enums and bits are ones the wire of VERSION defines
 * (no atomics bits below version 3: the byte is not there) */
static bool entry_valid(const struct pmr_region_info *e, uint16_t version)
{
	unsigned int atomics_ok =
		version < PMR_PROTO_VERSION_ATOMICS ? 0 : PMR_ATOMICS_ALL;

	if (e->atomics & ~atomics_ok)
		return false;
	return e->access <= PMR_WIRE_ACCESS_RO &&
	       e->kind <= PMR_WIRE_KIND_TESTING &&
	       e->gran <= PMR_WIRE_GRAN_PAGE &&
	       !(e->persist & ~(unsigned int)PMR_PERSIST_ALL);
}

/*
 * pmrp_list_resp_put -- total le32, count le32, count entries of
 * name_len u8, name, size le64, access u8, kind u8, gran u8, persist u8,
 * from version 3 atomics u8.  count > total is refused: a page cannot
 * hold more than there is.
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

		if (n == 0 || n > PMR_NAME_MAX || !entry_valid(e, w->version))
			return -EINVAL;
		pmr_wr_u8(w, (uint8_t)n);
		pmr_wr_bytes(w, e->name, n);
		pmr_wr_le64(w, e->size);
		pmr_wr_u8(w, e->access);
		pmr_wr_u8(w, e->kind);
		pmr_wr_u8(w, e->gran);
		pmr_wr_u8(w, e->persist);
		if (w->version >= PMR_PROTO_VERSION_ATOMICS)
			pmr_wr_u8(w, e->atomics);
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
		e->atomics = r->version >= PMR_PROTO_VERSION_ATOMICS ?
				     pmr_rd_u8(r) :
				     0;
		if (r->bad || !entry_valid(e, r->version))
			return -EBADMSG;
	}
	ret->total = total;
	ret->count = count;
	return 0;
}

/* pmr_list_entry_wire_size_ver -- bytes E takes in a LIST_REGIONS
 * response of VERSION */
size_t pmr_list_entry_wire_size_ver(const struct pmr_region_info *e,
				    uint16_t version)
{
	size_t fixed = version >= PMR_PROTO_VERSION_ATOMICS ?
			       PMR_LIST_ENTRY_V3 :
			       PMR_LIST_ENTRY_FIXED;

	return fixed + strnlen(e->name, sizeof(e->name));
}

/* pmr_list_entry_wire_size -- the same in versions 1 and 2 */
size_t pmr_list_entry_wire_size(const struct pmr_region_info *e)
{
	return pmr_list_entry_wire_size_ver(e, PMR_PROTO_VERSION_AUTH);
}

/* pmr_list_resp_fit -- the same in versions 1 and 2 */
uint32_t pmr_list_resp_fit(const struct pmr_region_info *entries, uint32_t n,
			   size_t max_msg)
{
	return pmr_list_resp_fit_ver(entries, n, max_msg,
				     PMR_PROTO_VERSION_AUTH);
}

/* pmr_list_resp_fit_ver -- how many of N entries fit a response of
 * MAX_MSG on a connection of VERSION */
uint32_t pmr_list_resp_fit_ver(const struct pmr_region_info *entries,
			       uint32_t n, size_t max_msg, uint16_t version)
{
	size_t used = PMR_MSG_HDR_SIZE + PMR_LIST_RESP_FIXED;
	uint32_t i;

	if (max_msg > PMR_MSG_MAX)
		max_msg = PMR_MSG_MAX;
	if (n > PMR_LIST_MAX_ENTRIES)
		n = PMR_LIST_MAX_ENTRIES;
	for (i = 0; i < n; i++) {
		size_t sz = pmr_list_entry_wire_size_ver(&entries[i], version);

		if (used + sz > max_msg)
			break;
		used += sz;
	}
	return i;
}
