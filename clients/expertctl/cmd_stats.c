/*
 * cmd_stats.c - expertctl stats: the daemon's statistics (PROTOCOL.md
 * 7.12.13) as one titled table per section, so an operator sees the pool,
 * the tasks and seats, how experts answer, and whether anyone is drawn
 * far more often than uniform draws would explain. The daemon counts;
 * this only lays out what it sent.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

/* A number of the result (int or float) as a double; 0 if absent. */
static double stats_number(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = map ? proto_map_get(map, key) : NULL;
	if (!o)
		return 0;
	switch (o->type) {
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return o->via.f64;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return (double)o->via.u64;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return (double)o->via.i64;
	default:
		return 0;
	}
}

/* A map of counts as a two-column table, in the order sent, with a total
 * row when `total` is set. */
static void stats_print_counts(const char *title, const char *code, const char *k,
                               const char *v, const msgpack_object *map, bool total)
{
	printf("%s\n", _(title));
	const char *const head[] = {k, v};
	struct out_table *t = out_table_new(2, head);
	int64_t sum = 0;
	uint32_t n = map && map->type == MSGPACK_OBJECT_MAP ? map->via.map.size : 0;
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		char key[128], val[32];
		char scratch[CTL_VALUE_KEY_MAX];
		out_value(&kv->key, key, sizeof key);
		out_value(&kv->val, val, sizeof val);
		/* The keys are codes of their kind (code: status, fill, state). */
		const char *shown = ctl_value(code, key, scratch, sizeof scratch);
		if (kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			sum += (int64_t)kv->val.via.u64;
		const char *row[] = {shown, val};
		out_table_add(t, row);
	}
	if (total) {
		char s[32];
		snprintf(s, sizeof s, "%" PRId64, sum);
		const char *row[] = {_("total"), s};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	printf("\n");
}

static void stats_print_specialties(const msgpack_object *list)
{
	static const char *const head[] = {N_("SPECIALTY"), N_("ACTIVE"), N_("TOTAL"),
	                                   N_("PENDING")};
	static const char *const keys[] = {"specialty", "active", "total", "pending"};
	printf(_("Specialties (appointed experts: ACTIVE, TOTAL; recommended or under\n"
	       "review: PENDING)\n"));
	if (!list || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
		printf(_("(no experts)\n"));
	else
		out_print_maps(head, keys, 4, list);
	printf("\n");
}

/* Rates, the answers they come from, and declines by reason. */
static void stats_print_answers(const msgpack_object *res)
{
	const msgpack_object *draws = proto_map_get(res, "draws");
	const msgpack_object *ans = proto_map_get(res, "answers");
	const msgpack_object *rates = proto_map_get(res, "rates");
	const msgpack_object *why = proto_map_get(res, "declines");
	printf(_("Draws and answers\n"));
	printf(_("draw attempts: %.0f successful, %.0f failed\n"),
	       stats_number(draws, "ok"), stats_number(draws, "failed"));
	printf(_("answers: %.0f accepted, %.0f declined, %.0f expired unanswered\n"),
	       stats_number(ans, "accept"), stats_number(ans, "decline"),
	       stats_number(ans, "expire"));
	printf(_("decline rate: %.1f%% of answers\n"), 100 * stats_number(rates, "decline"));
	printf(_("expiry rate: %.1f%% of offers answered or expired\n"),
	       100 * stats_number(rates, "expiry"));
	printf(_("declines by reason:"));
	uint32_t n = why && why->type == MSGPACK_OBJECT_MAP ? why->via.map.size : 0;
	for (uint32_t i = 0; i < n; i++) {
		char key[64], val[32], w[CTL_VALUE_KEY_MAX];
		out_value(&why->via.map.ptr[i].key, key, sizeof key);
		printf(_("%s %s %s"), i ? _(",") : "", ctl_value("reason", key, w, sizeof w),
		       out_value(&why->via.map.ptr[i].val, val, sizeof val));
	}
	printf("%s\n\n", n ? "" : _(" (none)"));
}

static void stats_print_drawn(const msgpack_object *list)
{
	static const char *const head[] = {N_("EXPERT"), N_("NAME"), N_("SEATS"), N_("EXPECTED"),
	                                   N_("SEATS/EXPECTED")};
	printf(_("Most drawn (EXPECTED: seats if every draw had been uniform over its\n"
	       "bucket; an upper bound, as experts recused from a draw still count)\n"));
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (n == 0) {
		printf(_("(nobody drawn yet)\n"));
		return;
	}
	struct out_table *t = out_table_new(5, head);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = &list->via.array.ptr[i];
		char id[32], name[128], seats[32], exp[32], ratio[32];
		double x = stats_number(e, "expected");
		snprintf(exp, sizeof exp, "%.2f", x);
		if (x > 0)
			snprintf(ratio, sizeof ratio, "%.2f", stats_number(e, "seats") / x);
		else
			snprintf(ratio, sizeof ratio, "-");
		const char *row[] = {out_field(e, "expert", id, sizeof id),
		                     out_field(e, "name", name, sizeof name),
		                     out_field(e, "seats", seats, sizeof seats), exp, ratio};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

static void stats_print(const msgpack_object *res)
{
	stats_print_counts(N_("Appointed experts by status"), "status", N_("STATUS"),
	                   N_("EXPERTS"), proto_map_get(res, "experts"), true);
	stats_print_counts(N_("Appointments (only appointed experts are drawn)"),
	                   "appointment", N_("APPOINTMENT"), N_("EXPERTS"),
	                   proto_map_get(res, "appointments"), true);
	stats_print_specialties(proto_map_get(res, "specialties"));
	stats_print_counts(N_("Tasks by fill state"), "fill", N_("FILL"), N_("TASKS"),
	                   proto_map_get(res, "tasks"), true);
	stats_print_counts(N_("Seats by state"), "state", N_("STATE"), N_("SEATS"),
	                   proto_map_get(res, "assignments"), true);
	stats_print_answers(res);
	stats_print_drawn(proto_map_get(res, "most_drawn"));
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_arg_opt opts[] = {{"top", "top", 1, 100}, {NULL, NULL, 0, 0}};
	return ctl_run_args_show(ctl, argc, argv, opts, PROTO_OP_STATS, stats_print);
}
