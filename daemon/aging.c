/*
 * aging.c - experts who pass 65 (第十一条(六)): the age rule already keeps
 * them out of every draw whose task starts after the birthday (DRAW.md
 * 3.1 rule 4), but nobody would know why they are no longer drawn. Once a
 * day (the first batch of each China Standard Time day) every active
 * expert over 65 without an age exception gets one history event,
 * `over_age`, written by expertd, so `pool show` says it. History only:
 * the event changes nothing a draw reads, so it is not an audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eligibility.h"
#include "handler.h"

/* Whether the expert's history already says it. */
static bool aging_noted(struct handler_ctx *ctx, int64_t id, enum store_result *r)
{
	struct store_event *ev = NULL;
	size_t n = 0;
	bool noted = false;
	*r = store_event_list(ctx->store, id, &ev, &n);
	for (size_t i = 0; *r == STORE_OK && i < n && !noted; i++)
		noted = strcmp(ev[i].event, "over_age") == 0;
	free(ev);
	return noted;
}

enum proto_status aging_note(struct handler_ctx *ctx, struct reply *rep, int *noted)
{
	*noted = 0;
	for (int64_t id = 1; id <= pool_max_id(ctx->pool); id++) {
		const struct pool_entry *pe = pool_get(ctx->pool, id);
		if (!pe || pe->status != EXPERT_ACTIVE || (pe->relaxations & POOL_AGE_EXCEPTION) ||
		    ident_age_on(pe->birth, ctx->today) <= ELIGIBILITY_MAX_AGE)
			continue;
		enum store_result r;
		if (aging_noted(ctx, id, &r) || r != STORE_OK) {
			if (r != STORE_OK)
				return handler_store_error(rep, r);
			continue;
		}
		struct store_event ev = {.expert_id = id, .at = ctx->now};
		snprintf(ev.actor, sizeof ev.actor, "%s", handler_daemon.principal);
		snprintf(ev.event, sizeof ev.event, "over_age");
		/* Staff read it in pool show: Chinese, as the Center writes it. */
		snprintf(ev.reason, sizeof ev.reason,
		         "已超过65周岁且无年龄例外（第十一条（六）），不再参加抽取");
		if ((r = store_event_add(ctx->store, &ev)) != STORE_OK)
			return handler_store_error(rep, r);
		(*noted)++;
	}
	return PROTO_OK;
}
