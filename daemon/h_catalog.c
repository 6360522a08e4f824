/*
 * h_catalog.c - the occupation catalogue (REGISTRY.md section 3):
 * catalog.import adds or updates entries, all or nothing; catalog.list
 * shows every entry with how many active experts hold it in each group
 * type, counts only, for bureaus and clerks too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "handler.h"
#include "pool.h"

/* One row of catalog.import as an entry (the schema checked its types). */
static void catalog_row(const msgpack_object *row, struct catalog_entry *e)
{
	memset(e, 0, sizeof *e);
	proto_map_strcpy(row, "name", e->name, sizeof e->name);
	proto_map_strcpy(row, "code", e->code, sizeof e->code);
	const msgpack_object *a = proto_map_get(row, "aliases");
	for (uint32_t i = 0; a && i < a->via.array.size && i < CATALOG_MAX_ALIASES; i++)
		snprintf(e->aliases[e->n_aliases++], sizeof e->aliases[0], "%.*s",
		         (int)a->via.array.ptr[i].via.str.size, a->via.array.ptr[i].via.str.ptr);
	const msgpack_object *g = proto_map_get(row, "group_types");
	for (uint32_t i = 0; g && i < g->via.array.size; i++) {
		const msgpack_object *o = &g->via.array.ptr[i];
		int k = proto_choice_index(proto_group_types, o->via.str.ptr, o->via.str.size);
		if (k >= 0)
			e->group_types |= 1u << k;
	}
}

/* The wire error for a refused row i. */
static enum proto_status catalog_refuse(struct reply *rep, uint32_t i,
                                        const struct catalog_entry *e,
                                        enum catalog_result r,
                                        const struct catalog_problem *p)
{
	char field[PROTO_MAX_FIELD_LEN];
	const char *what = p->alias < 0 ? e->name : e->aliases[p->alias];
	if (p->alias < 0)
		snprintf(field, sizeof field, "rows[%u].%s", i,
		         r == CATALOG_BAD_CODE ? "code" : "name");
	else
		snprintf(field, sizeof field, "rows[%u].aliases[%d]", i, p->alias);
	switch (r) {
	case CATALOG_BAD_CODE:
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "not a national occupation code such as 6-31-01-03");
	case CATALOG_CLASH:
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "'%s' is already a name of the occupation '%s'; "
		                   "nothing was imported", what, p->other->name);
	case CATALOG_TWICE:
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "'%s' repeats the occupation's name or another alias",
		                   what);
	case CATALOG_BAD_NAME:
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "not a usable name: it must have a character other "
		                   "than white space, and no '|'");
	default:
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
}

struct catalog_import {
	int64_t *ids;        /* ids[i]: the entry row i added or updated */
	int64_t added, updated, unchanged;
};

/* Apply row i: refused whole on any clash, with the earlier rows' changes
 * undone by the request's rollback (the dispatcher reloads the catalogue). */
static enum proto_status catalog_import_row(struct handler_ctx *ctx, uint32_t i,
                                            const msgpack_object *row,
                                            struct catalog_import *im,
                                            struct reply *rep)
{
	struct catalog_entry e, before;
	struct catalog_problem p;
	const struct catalog_entry *out;
	bool created;
	catalog_row(row, &e);
	const struct catalog_entry *old = catalog_find(ctx->catalog, e.name);
	if (old)
		before = *old;
	for (uint32_t j = 0; old && j < i; j++) {
		if (im->ids[j] != old->id)
			continue;
		char field[PROTO_MAX_FIELD_LEN];
		snprintf(field, sizeof field, "rows[%u].name", i);
		return reply_error(rep, PROTO_E_INVALID_FIELD, field, "an earlier row "
		                   "names the occupation '%s' too; nothing was imported",
		                   old->name);
	}
	enum catalog_result r = catalog_put(ctx->catalog, &e, &out, &created, &p);
	if (r != CATALOG_OK)
		return catalog_refuse(rep, i, &e, r, &p);
	im->ids[i] = out->id;
	if (!created && memcmp(&before, out, sizeof before) == 0) {
		im->unchanged++;
		return PROTO_OK;
	}
	enum store_result sr = store_catalog_put(ctx->store, out, ctx->now,
	                                         ctx->caller->principal);
	if (sr != STORE_OK)
		return handler_store_error(rep, sr);
	if (created)
		im->added++;
	else
		im->updated++;
	return PROTO_OK;
}

enum proto_status h_catalog_import(struct handler_ctx *ctx,
                                   const struct proto_request *req, struct reply *rep)
{
	const msgpack_object *rows = proto_arg(req, "rows");
	struct catalog_import im = {0};
	im.ids = calloc(rows->via.array.size, sizeof *im.ids);
	if (!im.ids)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	ctx->catalog_dirty = true;
	enum proto_status st = PROTO_OK;
	for (uint32_t i = 0; i < rows->via.array.size && st == PROTO_OK; i++)
		st = catalog_import_row(ctx, i, &rows->via.array.ptr[i], &im, rep);
	free(im.ids);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "added", im.added);
	proto_pack_kv_int(pk, "updated", im.updated);
	proto_pack_kv_int(pk, "unchanged", im.unchanged);
	proto_pack_kv_int(pk, "occupations", (int64_t)catalog_count(ctx->catalog));
	return PROTO_OK;
}

/* Active experts holding name in group type g, from the pool's buckets. */
static int64_t catalog_active(const struct pool *pool, const char *name, int g)
{
	uint32_t sid = pool_specialty_find(pool, name);
	const struct pool_bucket *b = sid ? pool_bucket(pool, sid, g) : NULL;
	int64_t n = 0;
	for (size_t i = 0; b && i < b->n; i++)
		n += b->slim[i].status == EXPERT_ACTIVE;
	return n;
}

static void catalog_pack_entry(msgpack_packer *pk, const struct pool *pool,
                               const struct catalog_entry *e)
{
	msgpack_pack_map(pk, 5);
	proto_pack_kv_str(pk, "name", e->name);
	proto_pack_kv_str(pk, "code", e->code);
	proto_pack_str(pk, "aliases");
	msgpack_pack_array(pk, (uint32_t)e->n_aliases);
	for (int a = 0; a < e->n_aliases; a++)
		proto_pack_str(pk, e->aliases[a]);
	int n = 0;
	for (int g = 0; g < PROTO_GROUP_TYPES_COUNT; g++)
		n += (e->group_types >> g) & 1;
	proto_pack_str(pk, "group_types");
	msgpack_pack_array(pk, (uint32_t)n);
	for (int g = 0; g < PROTO_GROUP_TYPES_COUNT; g++)
		if (e->group_types & (1u << g))
			proto_pack_str(pk, proto_group_types[g]);
	proto_pack_str(pk, "active");
	msgpack_pack_map(pk, PROTO_GROUP_TYPES_COUNT);
	for (int g = 0; g < PROTO_GROUP_TYPES_COUNT; g++)
		proto_pack_kv_int(pk, proto_group_types[g], catalog_active(pool, e->name, g));
}

enum proto_status h_catalog_list(struct handler_ctx *ctx,
                                 const struct proto_request *req, struct reply *rep)
{
	(void)req;
	size_t n = catalog_count(ctx->catalog);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_str(pk, "occupations");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		catalog_pack_entry(pk, ctx->pool, catalog_at(ctx->catalog, i));
	return PROTO_OK;
}
