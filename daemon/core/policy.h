/*
 * policy.h - the decline ledger and flagging policy (第十七条: experts who
 * long fail to take part in assigned tasks lose their qualification). Pure:
 * the caller passes the expert's ledger and the time of evaluation.
 *
 * Each ledger event has a kind; its weight comes from the policy. Excused
 * declines (reasons the policy excuses) weigh 0 up to `excused_free` of
 * them within the window, then `excused_weight` each. The score is the sum
 * of weights of events within the rolling window (now - window_days, now],
 * counting at most one event per task (its heaviest). score >= flag_at,
 * and the counted events that weigh span at least flag_span_days: the
 * expert is flagged (not drawable until an operator reinstates or
 * revokes) — 第十七条's 长期, a pattern over time, not a burst;
 * score >= warn_at (or >= flag_at over a shorter span): a warning.
 */
#ifndef EXPERTD_POLICY_H
#define EXPERTD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Order = wire names in policy_kind_names. */
enum policy_kind {
	POLICY_DECLINE,        /* unexcused decline */
	POLICY_EXCUSED,        /* decline for an excused reason */
	POLICY_EXPIRY,         /* no answer by the deadline */
	POLICY_WITHDRAWAL,     /* declined after accepting */
	POLICY_NO_SHOW,
	POLICY_KIND__COUNT
};
extern const char *const policy_kind_names[POLICY_KIND__COUNT + 1]; /* NULL-terminated */

/* Decline reasons (wire names in policy_reason_names). */
enum policy_reason {
	POLICY_REASON_CONFLICT,
	POLICY_REASON_ILLNESS,
	POLICY_REASON_OFFICIAL_DUTY,
	POLICY_REASON_SCHEDULE,
	POLICY_REASON_OTHER,
	POLICY_REASON__COUNT
};
extern const char *const policy_reason_names[POLICY_REASON__COUNT + 1]; /* NULL-terminated */

struct policy {
	int weight[POLICY_KIND__COUNT];   /* excused: weight beyond the free ones */
	bool excused[POLICY_REASON__COUNT]; /* which decline reasons are excused */
	int excused_free;                 /* excused declines per window at weight 0 */
	int window_days;                  /* default 365 */
	int warn_at;                      /* default 3 */
	int flag_at;                      /* default 5 */
	int flag_span_days;               /* default 90; 0: a score suffices */
};

/* Defaults: decline 1, excused 1 (after 2 free), expiry 1, withdrawal 2,
 * no-show 3; conflict/illness/official_duty excused; window 365 days;
 * warn at 3, flag at 5 over a span of at least 90 days. */
void policy_defaults(struct policy *p);

struct policy_event {
	int64_t at;                       /* unix seconds */
	int kind;                         /* enum policy_kind */
	int64_t task;                     /* its task; 0: none, counts alone */
};

enum policy_level { POLICY_OK, POLICY_WARN, POLICY_FLAG };

/*
 * Score the events (any order) as of `now`; *score (may be NULL)
 * receives the sum. Events after `now` are ignored. counted[n] (required
 * when n > 0) receives, per event, whether it is the one its task counts
 * inside the window (a free excused decline is counted and weighs 0).
 */
enum policy_level policy_evaluate(const struct policy *p,
                                  const struct policy_event *ev, size_t n,
                                  int64_t now, bool *counted, int *score);

/* The ledger kind of a decline with this reason. */
int policy_decline_kind(const struct policy *p, int reason);

#endif
