/*
 * designate.c - a designated leader (see designate.h, DRAW.md 3.6): the
 * candidate list decides whether the named expert may lead; recusal's
 * own rule check only names the cause when it may not; selection seats
 * the designee, takes its employer off the list and draws the rest as a
 * panel without a leader.
 */
#include "designate.h"
#include "i18n.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

/* Why each rule of DRAW.md 3.1 keeps an expert off, for messages. */
static const char *const designate_rule_why[RULE__COUNT] = {
	[RULE_OK] = "",
	[RULE_STATUS] = N_("suspended, flagged or revoked on the task's dates"),
	[RULE_TERM] = N_("its term of service does not cover the task"),
	[RULE_CAPABILITY] = N_("lacks the task type the task requires"),
	[RULE_AGE] = N_("over 65 on the task's first day, with no relaxation ground"),
	[RULE_EXCLUDED] = N_("named in the request's exclude"),
	[RULE_EMPLOYER] = N_("works for an organisation of the task"),
	[RULE_RECOMMENDER] = N_("recommended by an organisation of the task"),
	[RULE_CONFLICT] = N_("has a declared conflict with an organisation of the task"),
	[RULE_OVERLAP] = N_("holds a seat on another task at the same time"),
	[RULE_ROTATION] = N_("served on a task of the same organisation within the "
	                  "rotation window"),
	[RULE_EXPOSURE] = N_("has reached the exposure cap"),
	[RULE_UNAVAILABLE] = N_("declared unavailable on a day of the task"),
	[RULE_RELAXATION] = N_("eligible only through 我市紧缺工种 or 国家新职业 grounds "
	                    "that name another occupation (第十一条(七))"),
};

/* The index of id in the sorted list, or n. */
static size_t designate_find(const struct draw_candidate *list, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (list[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && list[lo].id == id ? lo : n;
}

static bool designate_holds(const struct pool_entry *pe, uint32_t sid)
{
	for (uint8_t i = 0; i < pe->n_specialties; i++)
		if (sid != 0 && pe->specialties[i] == sid)
			return true;
	return false;
}

struct designate_check designate_check(const struct candidates *c,
                                       const struct pool *pool,
                                       const struct engage *eng,
                                       const struct recusal_terms *terms,
                                       const struct recusal_task *t,
                                       const struct recusal_config *cfg,
                                       uint32_t sid, int group, int64_t expert)
{
	struct designate_check d = {.verdict = DESIGNATE_OK, .rule = RULE_OK};
	d.index = designate_find(c->list, c->n, expert);
	if (d.index < c->n) {
		if (!c->list[d.index].leader_ok)
			d.verdict = DESIGNATE_NOT_LEADER;
		return d;
	}
	const struct pool_entry *pe = pool_get(pool, expert);
	struct recusal_task ts = *t;
	ts.specialty = sid;   /* rule 13 reads the specialty drawn for */
	if (!pe)
		d.verdict = DESIGNATE_UNKNOWN;
	else if (!designate_holds(pe, sid))
		d.verdict = DESIGNATE_OUTSIDE_SPECIALTY;
	else if (!(pe->group_types & (1u << group)))
		d.verdict = DESIGNATE_OUTSIDE_GROUP;
	else if ((d.rule = recusal_check(pe, eng, terms, &ts, cfg)) != RULE_OK)
		d.verdict = DESIGNATE_RULE;
	else
		d.verdict = DESIGNATE_NOT_CANDIDATE;
	return d;
}

void designate_explain(const struct designate_check *d, int64_t expert,
                       char *buf, size_t size)
{
	long long id = (long long)expert;
	switch (d->verdict) {
	case DESIGNATE_OK:
		snprintf(buf, size, "%s", "");
		return;
	case DESIGNATE_UNKNOWN:
		snprintf(buf, size, _("no expert %lld"), id);
		return;
	case DESIGNATE_OUTSIDE_SPECIALTY:
		snprintf(buf, size, _("expert %lld is excluded as outside_specialty: does "
		         "not hold the task's specialty"), id);
		return;
	case DESIGNATE_OUTSIDE_GROUP:
		snprintf(buf, size, _("expert %lld is excluded as outside_group: not in "
		         "the task's group type"), id);
		return;
	case DESIGNATE_RULE:
		assert(d->rule > RULE_OK && d->rule < RULE__COUNT);
		char w[I18N_CODE_MAX];
		snprintf(buf, size, _("expert %lld is excluded by rule %s: %s"), id,
		         i18n_code("cause", recusal_rule_names[d->rule], w, sizeof w),
		         _(designate_rule_why[d->rule]));
		return;
	case DESIGNATE_NOT_CANDIDATE:
		snprintf(buf, size, _("expert %lld is not a candidate (already drawn "
		         "for the task)"), id);
		return;
	case DESIGNATE_NOT_LEADER:
		snprintf(buf, size, _("expert %lld is not leader-eligible (POLICY.md "
		         "4.3): a leader holds a deputy senior or senior title, the "
		         "senior technician qualification or the senior expert "
		         "ground"), id);
		return;
	}
	snprintf(buf, size, _("expert %lld may not lead the task"), id);
}

enum draw_result designate_select(const struct draw_candidate *cands, size_t n,
                                  size_t lead, const struct draw_spec *spec,
                                  const uint8_t seed[DRAW_SEED_LEN],
                                  int64_t *out, size_t *out_n, size_t *dropped)
{
	assert(lead < n);
	*out_n = 0;
	*dropped = 0;
	/* The rest of the list, order kept, without the leader and (with
	 * diversity) its employer: those leave before a word is drawn. */
	struct draw_candidate *rest = malloc((n > 1 ? n - 1 : 1) * sizeof *rest);
	if (!rest)
		return DRAW_NO_MEMORY;
	uint32_t employer = cands[lead].employer;
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		if (k == lead)
			continue;
		if (spec->diversity && employer != 0 && cands[k].employer == employer)
			(*dropped)++;
		else
			rest[m++] = cands[k];
	}
	out[(*out_n)++] = cands[lead].id;
	struct draw_spec members = *spec;
	members.leader = false;
	size_t filled = 0, more = 0;
	enum draw_result r = draw_select_counted(rest, m, &members, seed, out + 1,
	                                         &filled, &more);
	free(rest);
	*out_n += filled;
	*dropped += more;
	return r;
}
