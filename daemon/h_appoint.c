/*
 * h_appoint.c - the appointment (第十四–十六条, PROTOCOL.md 7.17): an
 * imported expert is recommended; appointment.review records the 资格审查
 * opinion (under review), appointment.decide the Center's decision with
 * the 聘书 (appointed) or its refusal (rejected). Only appointed experts
 * are drawn (DRAW.md 3.1 rule 1). Each step is a pool.expert audit entry.
 */
#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "i18n.h"
#include "ident.h"

/* Record step `st` of expert e's appointment: the opinion, its author and
 * time; the new state; the history event and audit entry. */
static enum proto_status appoint_step(struct handler_ctx *ctx, struct expert *e,
                                      int kind, struct expert_appoint *rec,
                                      struct expert_appoint_step *step,
                                      const char *opinion, const char *event,
                                      struct reply *rep)
{
	snprintf(step->by, sizeof step->by, "%s", ctx->caller->principal);
	step->at = ctx->now;
	snprintf(step->text, sizeof step->text, "%s", opinion);
	enum store_result r = store_appoint_put(ctx->store, e->id, kind, rec);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	char detail[128] = "", day[11];
	if (rec->certificate[0]) {
		ident_date_format(rec->certificate_day, day);
		snprintf(detail, sizeof detail, "certificate %s of %s", rec->certificate, day);
	}
	enum proto_status st = handler_save_expert(ctx, e, false, event, opinion, 0,
	                                           detail, rep);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_kv_int(pk, "expert", e->id);
	proto_pack_kv_str(pk, "appointment", proto_appointments[e->appointment]);
	return PROTO_OK;
}

/* The expert of the request, its record, and a check that it stands where
 * the step starts: recommended for a review, under review for a decision. */
static enum proto_status appoint_load(struct handler_ctx *ctx,
                                      const struct proto_request *req, bool decide,
                                      struct expert *e, int *kind,
                                      struct expert_appoint *rec, struct reply *rep)
{
	int64_t id = proto_arg_int(req, "expert", 0);
	enum proto_status st = handler_get_expert(ctx, id, e, rep);
	if (st != PROTO_OK)
		return st;
	char w[I18N_CODE_MAX];
	const char *now = i18n_code("appointment", proto_appointments[e->appointment], w,
	                            sizeof w);
	if (!decide && e->appointment != APPOINT_RECOMMENDED)
		return reply_error(rep, PROTO_E_INVALID_STATE, "expert",
		                   "expert %lld is %s: only a recommended expert is reviewed",
		                   (long long)id, now);
	if (decide && e->appointment != APPOINT_UNDER_REVIEW)
		return reply_error(rep, PROTO_E_INVALID_STATE, "expert",
		                   "expert %lld is %s: only an expert under review is "
		                   "appointed or rejected", (long long)id, now);
	enum store_result r = store_appoint_get(ctx->store, id, kind, rec);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status h_appointment_review(struct handler_ctx *ctx,
                                       const struct proto_request *req, struct reply *rep)
{
	char opinion[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "opinion", opinion, sizeof opinion);
	struct expert e;
	struct expert_appoint rec;
	int kind;
	enum proto_status st = appoint_load(ctx, req, false, &e, &kind, &rec, rep);
	if (st != PROTO_OK)
		return st;
	e.appointment = APPOINT_UNDER_REVIEW;
	return appoint_step(ctx, &e, kind, &rec, &rec.review, opinion, "reviewed", rep);
}

/* The 聘书 of an appointment: number and date, both, and only to appoint. */
static enum proto_status appoint_certificate(const struct proto_request *req, bool appoint,
                                             struct expert_appoint *rec,
                                             struct reply *rep)
{
	bool has_no = proto_arg_strcpy(req, "certificate", rec->certificate,
	                               sizeof rec->certificate);
	const char *s;
	size_t n;
	bool has_day = proto_arg_str(req, "certificate_date", &s, &n);
	if (appoint && !(has_no && has_day))
		return reply_error(rep, PROTO_E_INVALID_FIELD,
		                   has_no ? "certificate_date" : "certificate",
		                   "an appointment needs the 聘书's number and date");
	if (!appoint && (has_no || has_day))
		return reply_error(rep, PROTO_E_INVALID_FIELD,
		                   has_no ? "certificate" : "certificate_date",
		                   "a rejection has no 聘书");
	if (has_day)
		ident_date_parse(s, n, &rec->certificate_day);
	return PROTO_OK;
}

enum proto_status h_appointment_decide(struct handler_ctx *ctx,
                                       const struct proto_request *req, struct reply *rep)
{
	char opinion[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "opinion", opinion, sizeof opinion);
	const char *s;
	size_t n;
	proto_arg_str(req, "decision", &s, &n);   /* required: the schema checked it */
	bool appoint = proto_choice_index(proto_appoint_decisions, s, n) == 0;
	struct expert_appoint cert = {0};
	enum proto_status st = appoint_certificate(req, appoint, &cert, rep);
	if (st != PROTO_OK)
		return st;
	struct expert e;
	struct expert_appoint rec;
	int kind;
	st = appoint_load(ctx, req, true, &e, &kind, &rec, rep);
	if (st != PROTO_OK)
		return st;
	memcpy(rec.certificate, cert.certificate, sizeof rec.certificate);
	rec.certificate_day = cert.certificate_day;
	e.appointment = appoint ? APPOINT_APPOINTED : APPOINT_REJECTED;
	return appoint_step(ctx, &e, kind, &rec, &rec.decision, opinion,
	                    appoint ? "appointed" : "rejected", rep);
}
