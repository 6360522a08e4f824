/*
 * appoint.c - the appointment record and the kept form fields of an
 * expert, as an import commit leaves them (see appoint.h).
 */
#include <stdio.h>
#include <string.h>

#include "appoint.h"
#include "ident.h"
#include "mask.h"

enum proto_status appoint_form_differs(struct handler_ctx *ctx, int64_t id,
                                       const msgpack_object *row, struct expert_form *form,
                                       bool *differs, struct reply *rep)
{
	struct expert_form old = {.recommender_kind = -1};
	struct expert_appoint rec;
	enum store_result r = store_appoint_get(ctx->store, id, &old.recommender_kind, &rec);
	if (r == STORE_OK)
		r = store_form_get(ctx->store, id, &old);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	expert_form_keep_absent(row, form, &old);
	struct expert_form cmp = *form;
	if (cmp.recommender_kind < 0)
		cmp.recommender_kind = old.recommender_kind;
	*differs = memcmp(&cmp, &old, sizeof cmp) != 0;
	return PROTO_OK;
}

enum proto_status appoint_keep_row(struct handler_ctx *ctx, const struct expert *e,
                                   bool is_new, const struct expert_form *form,
                                   bool appointed, int64_t import_id, int64_t line,
                                   struct reply *rep)
{
	struct expert_appoint rec;
	int kind = -1;
	enum store_result r = store_form_put(ctx->store, e->id, form);
	if (r == STORE_OK && !is_new)
		r = store_appoint_get(ctx->store, e->id, &kind, &rec);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	if (!is_new && form->recommender_kind < 0)
		return PROTO_OK;
	if (is_new) {
		memset(&rec, 0, sizeof rec);
		if (appointed) {
			snprintf(rec.decision.by, sizeof rec.decision.by, "%s",
			         ctx->caller->principal);
			rec.decision.at = ctx->now;
			snprintf(rec.decision.text, sizeof rec.decision.text,
			         "import %lld line %lld: appointed", (long long)import_id,
			         (long long)line);
		}
	}
	r = store_appoint_put(ctx->store, e->id, form->recommender_kind, &rec);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status appoint_form_only(struct handler_ctx *ctx, const struct expert *e,
                                    const struct expert_form *form, const char *detail,
                                    struct reply *rep)
{
	enum proto_status st = appoint_keep_row(ctx, e, false, form, false, 0, 0, rep);
	if (st != PROTO_OK)
		return st;
	struct store_event ev = {.expert_id = e->id, .at = ctx->now};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "updated");
	snprintf(ev.detail, sizeof ev.detail, "%s: form fields changed", detail);
	enum store_result r = store_event_add(ctx->store, &ev);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* One opinion: {by, at, opinion}, or nil when not given yet. */
static void appoint_pack_step(msgpack_packer *pk, const char *key,
                              const struct expert_appoint_step *s)
{
	proto_pack_str(pk, key);
	if (!s->at) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 3);
	proto_pack_kv_str(pk, "by", s->by);
	proto_pack_kv_int(pk, "at", s->at);
	proto_pack_kv_str(pk, "opinion", s->text);
}

static void appoint_pack_record(msgpack_packer *pk, const struct expert *e, int kind,
                                const struct expert_appoint *rec)
{
	proto_pack_str(pk, "appointment");
	msgpack_pack_map(pk, 6);
	proto_pack_kv_str(pk, "state", proto_appointments[e->appointment]);
	proto_pack_str(pk, "recommender_kind");
	if (kind >= 0 && kind < PROTO_RECOMMENDER_KINDS_COUNT)
		proto_pack_str(pk, proto_recommender_kinds[kind]);
	else
		msgpack_pack_nil(pk);
	appoint_pack_step(pk, "review", &rec->review);
	appoint_pack_step(pk, "decision", &rec->decision);
	proto_pack_kv_str(pk, "certificate", rec->certificate);
	proto_pack_str(pk, "certificate_date");
	if (rec->certificate_day) {
		char day[11];
		ident_date_format(rec->certificate_day, day);
		proto_pack_str(pk, day);
	} else {
		msgpack_pack_nil(pk);
	}
}

/* The kept fields; address and landline masked unless revealed. */
static void appoint_pack_form(msgpack_packer *pk, const struct expert_form *f, bool reveal)
{
	proto_pack_str(pk, "form");
	msgpack_pack_map(pk, EXPERT_FORM_TEXTS);
	for (size_t i = 0; i < EXPERT_FORM_TEXTS; i++) {
		const char *v = expert_form_cfield(f, i);
		char masked[MASK_BUF];
		if (!reveal && v[0] && expert_form_is_sensitive(i)) {
			if (strcmp(expert_form_texts[i].name, "landline") == 0)
				mask_phone(v, masked);
			else
				mask_name(v, masked);
			v = masked;
		}
		proto_pack_kv_str(pk, expert_form_texts[i].name, v);
	}
}

enum proto_status appoint_pack(struct handler_ctx *ctx, const struct expert *e,
                               bool reveal, msgpack_packer *pk, struct reply *rep)
{
	struct expert_form form = {.recommender_kind = -1};
	struct expert_appoint rec;
	enum store_result r = store_appoint_get(ctx->store, e->id, &form.recommender_kind,
	                                        &rec);
	if (r == STORE_OK)
		r = store_form_get(ctx->store, e->id, &form);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	appoint_pack_record(pk, e, form.recommender_kind, &rec);
	appoint_pack_form(pk, &form, reveal);
	return PROTO_OK;
}
