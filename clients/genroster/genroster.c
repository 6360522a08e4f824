/*
 * genroster.c - expert-genroster: write a synthetic Guangzhou expert roster
 * as CSV, deterministic for a seed and a "today", optionally with planted
 * defects whose lines are reported on stderr for tests to check against.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "genroster.h"
#include "ident.h"

/* Phone numbers are unique for up to 10^8 rows; stay well inside. */
#define GENROSTER_MAX_COUNT UINT64_C(10000000)

struct genroster_opts {
	uint64_t count, seed, invalid;
	enum genroster_encoding enc;
	bool zh;
	const char *out;
	int32_t today;
};

static void genroster_usage(FILE *fp)
{
	fputs("usage: expert-genroster --count N [--seed S] [--encoding utf8|utf8-bom|gb18030]\n"
	      "                        [--headers zh|en] [--invalid K] [--today YYYY-MM-DD]\n"
	      "                        [--out FILE]\n"
	      "Writes N synthetic roster rows as CSV (CRLF, RFC 4180) to FILE or stdout.\n"
	      "The same seed and today give the same file; today defaults to the\n"
	      "local date and fixes the ages. --invalid K plants one defect in each of\n"
	      "K evenly spaced rows and lists them on stderr as\n"
	      "\"line N: <field>: <defect>\" (the header is line 1).\n",
	      fp);
}

static bool genroster_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	const unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static int32_t genroster_local_today(void)
{
	const time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return ident_days_from_civil(2024, 1, 1);
	return ident_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int genroster_bad_usage(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "expert-genroster: %s: %s\n", what, arg);
	else
		fprintf(stderr, "expert-genroster: %s\n", what);
	genroster_usage(stderr);
	return EX_USAGE;
}

/* Returns 0 to go on, or an exit code. */
static int genroster_parse_args(int argc, char **argv, struct genroster_opts *o)
{
	static const struct option longopts[] = {
		{"count", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"encoding", required_argument, NULL, 'e'},
		{"headers", required_argument, NULL, 'H'},
		{"invalid", required_argument, NULL, 'i'},
		{"today", required_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool have_count = false;
	int ch;

	*o = (struct genroster_opts){.seed = 1, .enc = GENROSTER_UTF8, .zh = true,
	                             .today = genroster_local_today()};
	while ((ch = getopt_long(argc, argv, "n:s:e:H:i:t:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (!genroster_parse_u64(optarg, GENROSTER_MAX_COUNT, &o->count) || o->count == 0)
				return genroster_bad_usage("--count must be 1..10000000", optarg);
			have_count = true;
			break;
		case 's':
			if (!genroster_parse_u64(optarg, UINT64_MAX, &o->seed))
				return genroster_bad_usage("--seed must be an unsigned integer", optarg);
			break;
		case 'e':
			if (strcmp(optarg, "utf8") == 0)
				o->enc = GENROSTER_UTF8;
			else if (strcmp(optarg, "utf8-bom") == 0)
				o->enc = GENROSTER_UTF8_BOM;
			else if (strcmp(optarg, "gb18030") == 0)
				o->enc = GENROSTER_GB18030;
			else
				return genroster_bad_usage("unknown --encoding", optarg);
			break;
		case 'H':
			if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0)
				return genroster_bad_usage("--headers must be zh or en", optarg);
			o->zh = strcmp(optarg, "zh") == 0;
			break;
		case 'i':
			if (!genroster_parse_u64(optarg, GENROSTER_MAX_COUNT, &o->invalid))
				return genroster_bad_usage("--invalid must be a count", optarg);
			break;
		case 't':
			if (!ident_date_parse(optarg, strlen(optarg), &o->today))
				return genroster_bad_usage("--today must be a date YYYY-MM-DD", optarg);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			genroster_usage(stdout);
			return EX_OK;
		default:
			genroster_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return genroster_bad_usage("unexpected argument", argv[optind]);
	if (!have_count)
		return genroster_bad_usage("--count is required", NULL);
	if (o->invalid > o->count)
		return genroster_bad_usage("--invalid exceeds --count", NULL);
	return -1;
}

/* Row index of the j-th of k defects among n rows: the middle of the j-th
 * of k equal slices, so the defects are evenly spread. */
static uint64_t genroster_defect_row(uint64_t j, uint64_t k, uint64_t n)
{
	return (2 * j + 1) * n / (2 * k);
}

static int genroster_run(const struct genroster_opts *o, FILE *fp)
{
	struct genroster_pool pool;
	struct genroster_ctx ctx;
	struct genroster_row row;
	int rc = EX_OK;

	if (!genroster_pool_init(&pool, o->seed)) {
		fputs("expert-genroster: out of memory\n", stderr);
		return EX_OSERR;
	}
	if (!genroster_ctx_init(&ctx, o->seed, o->today, &pool, (size_t)o->count)) {
		genroster_pool_free(&pool);
		fputs("expert-genroster: out of memory\n", stderr);
		return EX_OSERR;
	}
	struct genroster_out *out = genroster_out_new(fp, o->enc);
	if (!out) {
		fputs("expert-genroster: cannot set up the output encoding\n", stderr);
		rc = EX_OSERR;
		goto done;
	}
	genroster_out_header(out, o->zh);
	uint64_t j = 0;
	uint64_t next_bad = o->invalid ? genroster_defect_row(0, o->invalid, o->count) : UINT64_MAX;
	for (uint64_t i = 0; i < o->count && genroster_out_ok(out); i++) {
		genroster_row_make(&ctx, i, &row);
		if (i == next_bad) {
			const enum genroster_defect d = (enum genroster_defect)(j % GENROSTER_D__COUNT);
			const char *field = genroster_row_defect(&ctx, i, &row, d, o->zh);
			fprintf(stderr, "line %" PRIu64 ": %s: %s\n", i + 2, field, row.defect_why);
			j++;
			next_bad = j < o->invalid ? genroster_defect_row(j, o->invalid, o->count)
			                          : UINT64_MAX;
		}
		genroster_out_row(out, &row, o->zh);
	}
	if (!genroster_out_destroy(&out)) {
		fprintf(stderr, "expert-genroster: write failed: %s\n", strerror(errno));
		rc = EX_IOERR;
	}
done:
	genroster_ctx_free(&ctx);
	genroster_pool_free(&pool);
	return rc;
}

int main(int argc, char **argv)
{
	struct genroster_opts o;
	int rc = genroster_parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;

	FILE *fp = stdout;
	if (o.out && !(fp = fopen(o.out, "wb"))) {
		fprintf(stderr, "expert-genroster: %s: %s\n", o.out, strerror(errno));
		return EX_CANTCREAT;
	}
	rc = genroster_run(&o, fp);
	if (fp != stdout && fclose(fp) != 0 && rc == EX_OK) {
		fprintf(stderr, "expert-genroster: %s: %s\n", o.out, strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}
