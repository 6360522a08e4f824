/*
 * test_spec_ops.c - PROTOCOL.md's "### 7.1 Summary" table and the code's
 * operation table (proto/proto_ops.def) say the same of every operation:
 * its name, the roles that may call it, whether it is recorded, whether it
 * is served or reserved; and dispatch binds a handler to every served
 * operation. The spec's path is compiled in (SPEC_OPS_PATH); a first
 * argument overrides it, to run the test against an edited copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dispatch.h"
#include "proto.h"

#define SPEC_HEADING "### 7.1 Summary"
#define SPEC_NONE "\xe2\x80\x94" /* the em dash of an empty cell */
#define SPEC_MAX_ROWS 128
#define SPEC_CELLS 4

/* One row of the table as the spec states it. */
struct spec_row {
	char op[PROTO_MAX_FIELD_LEN];
	unsigned roles;
	int recorded;   /* 1 yes, 0 no, -1 the dash */
	bool reserved;
	int line;
};

struct spec {
	const char *path;
	struct spec_row rows[SPEC_MAX_ROWS];
	size_t n;
	char error[512];  /* why the table could not be read; "" if it could */
};

/* The spec's role words, as in "operator, bureau, clerk". */
static const struct {
	const char *word;
	unsigned bit;
} spec_roles[] = {
	{"operator", PROTO_ROLE_OPERATOR}, {"bureau", PROTO_ROLE_BUREAU},
	{"clerk", PROTO_ROLE_CLERK},       {"notifier", PROTO_ROLE_NOTIFIER},
	{"expert", PROTO_ROLE_EXPERT},
};
#define SPEC_NROLES (sizeof spec_roles / sizeof spec_roles[0])

static char *spec_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Split "| a | b | c |" into its cells, trimmed; returns how many. */
static size_t spec_cells(char *line, char **cells, size_t max)
{
	char *p = spec_trim(line);
	if (*p != '|')
		return 0;
	size_t n = 0;
	for (char *bar = strchr(++p, '|'); bar && n < max; bar = strchr(p, '|')) {
		*bar = '\0';
		cells[n++] = spec_trim(p);
		p = bar + 1;
	}
	return n;
}

/* "operator, bureau", "expert (answer endpoint only)" or the dash. */
static bool spec_parse_roles(char *cell, unsigned *out)
{
	*out = 0;
	if (strcmp(cell, SPEC_NONE) == 0)
		return true;
	for (char *save = NULL, *w = strtok_r(cell, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		w = spec_trim(w);
		size_t len = strcspn(w, " (");
		size_t i = 0;
		while (i < SPEC_NROLES && (strlen(spec_roles[i].word) != len ||
		                           strncmp(spec_roles[i].word, w, len) != 0))
			i++;
		if (i == SPEC_NROLES)
			return false;
		*out |= spec_roles[i].bit;
	}
	return *out != 0;
}

static void spec_roles_text(unsigned roles, char *buf, size_t size)
{
	snprintf(buf, size, "%s", roles ? "" : SPEC_NONE);
	for (size_t i = 0; i < SPEC_NROLES; i++)
		if (roles & spec_roles[i].bit)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			         buf[0] ? ", " : "", spec_roles[i].word);
}

/* One body row into r; false with s->error set if a cell cannot be read. */
static bool spec_parse_row(struct spec *s, char **c, int line, struct spec_row *r)
{
	const char *col = NULL;
	size_t len = strlen(c[0]);
	if (len < 3 || c[0][0] != '`' || c[0][len - 1] != '`' ||
	    len - 2 >= sizeof r->op)
		col = "Operation";
	else
		snprintf(r->op, sizeof r->op, "%.*s", (int)(len - 2), c[0] + 1);
	r->line = line;
	r->recorded = strcmp(c[2], "yes") == 0 ? 1 : strcmp(c[2], "no") == 0 ? 0
	              : strcmp(c[2], SPEC_NONE) == 0 ? -1 : -2;
	r->reserved = strncmp(c[3], "reserved", 8) == 0;
	if (!col && !spec_parse_roles(c[1], &r->roles))
		col = "Roles";
	else if (!col && r->recorded == -2)
		col = "Recorded";
	else if (!col && !r->reserved && strncmp(c[3], "served", 6) != 0)
		col = "v1";
	if (col)
		snprintf(s->error, sizeof s->error, "%s:%d: 7.1 table: cannot read "
		         "column %s of this row", s->path, line, col);
	return col == NULL;
}

/* Read the 7.1 table of the file at s->path into s->rows. */
static void spec_read(struct spec *s)
{
	FILE *f = fopen(s->path, "r");
	if (!f) {
		snprintf(s->error, sizeof s->error, "%s: cannot open", s->path);
		return;
	}
	char buf[1024], *c[SPEC_CELLS + 1];
	int line = 0, state = 0; /* 0 before heading, 1 header, 2 rule, 3 rows */
	while (!s->error[0] && state < 4 && fgets(buf, sizeof buf, f)) {
		line++;
		if (state == 0) {
			state = strcmp(spec_trim(buf), SPEC_HEADING) == 0;
			continue;
		}
		if (state == 1 && !spec_trim(buf)[0])
			continue;
		size_t n = spec_cells(buf, c, SPEC_CELLS + 1);
		if (state == 3 && n == 0) {
			state = 4;
		} else if (n != SPEC_CELLS) {
			snprintf(s->error, sizeof s->error, "%s:%d: 7.1 table: expected %d "
			         "columns, found %zu", s->path, line, SPEC_CELLS, n);
		} else if (state == 1) {
			if (strcmp(c[0], "Operation") || strcmp(c[1], "Roles") ||
			    strcmp(c[2], "Recorded") || strcmp(c[3], "v1"))
				snprintf(s->error, sizeof s->error, "%s:%d: 7.1 table: the header "
				         "is not Operation | Roles | Recorded | v1", s->path, line);
			state = 2;
		} else if (state == 2) {
			state = 3;   /* the |---| rule */
		} else if (s->n == SPEC_MAX_ROWS) {
			snprintf(s->error, sizeof s->error, "%s: 7.1 table: over %d rows",
			         s->path, SPEC_MAX_ROWS);
		} else if (spec_parse_row(s, c, line, &s->rows[s->n])) {
			s->n++;
		}
	}
	fclose(f);
	if (!s->error[0] && state < 3)
		snprintf(s->error, sizeof s->error, "%s: no \"%s\" table found", s->path,
		         SPEC_HEADING);
	else if (!s->error[0] && s->n == 0)
		snprintf(s->error, sizeof s->error, "%s: the 7.1 table has no rows", s->path);
}

static const struct spec *spec_of(void **state)
{
	const struct spec *s = *state;
	if (s->error[0])
		fail_msg("%s", s->error);
	return s;
}

static void test_spec_table_found(void **state)
{
	const struct spec *s = spec_of(state);
	assert_true(s->n > 0);
}

/* Each column of one spec row against the code; returns the mismatches. */
static int spec_compare_row(const struct spec *s, const struct spec_row *r,
                            const struct proto_op_info *oi)
{
	int bad = 0;
	if (r->roles != oi->roles) {
		char spec[128], code[128];
		spec_roles_text(r->roles, spec, sizeof spec);
		spec_roles_text(oi->roles, code, sizeof code);
		print_error("%s:%d: %s: column Roles says \"%s\", proto_ops.def \"%s\"\n",
		            s->path, r->line, r->op, spec, code);
		bad++;
	}
	/* The dash: a reserved op, which the code never records. */
	bool spec_rec = r->recorded == 1;
	if (spec_rec != oi->recorded || (r->recorded == -1 && !oi->reserved)) {
		print_error("%s:%d: %s: column Recorded says \"%s\", proto_ops.def %s\n",
		            s->path, r->line, r->op, r->recorded == 1 ? "yes"
		            : r->recorded == 0 ? "no" : SPEC_NONE,
		            oi->recorded ? "recorded" : "not recorded");
		bad++;
	}
	if (r->reserved != oi->reserved) {
		print_error("%s:%d: %s: column v1 says %s, proto_ops.def %s\n", s->path,
		            r->line, r->op, r->reserved ? "reserved" : "served",
		            oi->reserved ? "reserved" : "served");
		bad++;
	}
	return bad;
}

static void test_spec_rows_match_code(void **state)
{
	const struct spec *s = spec_of(state);
	int bad = 0;
	bool seen[PROTO_OP__COUNT] = {false};
	for (size_t i = 0; i < s->n; i++) {
		const struct spec_row *r = &s->rows[i];
		enum proto_op op;
		if (!proto_op_lookup(r->op, strlen(r->op), &op)) {
			print_error("%s:%d: %s: in the 7.1 table, not in proto_ops.def\n",
			            s->path, r->line, r->op);
			bad++;
		} else if (seen[op]) {
			print_error("%s:%d: %s: a second row in the 7.1 table\n", s->path,
			            r->line, r->op);
			bad++;
		} else {
			seen[op] = true;
			bad += spec_compare_row(s, r, proto_op_info(op));
		}
	}
	for (int op = 0; op < PROTO_OP__COUNT; op++) {
		if (!seen[op]) {
			print_error("%s: %s: in proto_ops.def, not in the 7.1 table\n", s->path,
			            proto_op_name((enum proto_op)op));
			bad++;
		}
	}
	if (bad)
		fail_msg("%d disagreement(s) between %s 7.1 and proto_ops.def", bad,
		         s->path);
}

/* A served op without a handler would answer forbidden to everyone. */
static void test_handlers_bound(void **state)
{
	(void)state;
	enum proto_op op = PROTO_OP__COUNT;
	if (!dispatch_handlers_complete(&op))
		fail_msg("%s: %s", proto_op_name(op), proto_op_info(op)->reserved
		         ? "reserved, yet dispatch.c binds a handler"
		         : "served, yet dispatch.c binds no handler");
}

int main(int argc, char **argv)
{
	struct spec *spec = calloc(1, sizeof *spec);
	if (!spec)
		return 1;
	spec->path = argc > 1 ? argv[1] : SPEC_OPS_PATH;
	spec_read(spec);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_spec_table_found, spec),
		cmocka_unit_test_prestate(test_spec_rows_match_code, spec),
		cmocka_unit_test(test_handlers_bound),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(spec);
	return rc;
}
