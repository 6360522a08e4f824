/*
 * ident.c - calendar day numbers and the identifier validators: resident ID
 * (GB 11643-1999), unified social credit code (GB 32100-2015) and mainland
 * mobile numbers. Every rejection carries a static reason a clerk can act on.
 */
#include <string.h>

#include "ident.h"
#include "i18n.h"

#define IDENT_YEAR_MIN 1900
#define IDENT_YEAR_MAX 2199

/*
 * Howard Hinnant's days_from_civil: exact for the whole int range of years we
 * can meet, no tables, no floating point. Era = 400-year cycle.
 */
int32_t ident_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const int yoe = y - era * 400;                                  /* [0, 399] */
	const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
	const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

void ident_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	const int32_t z = days + 719468;
	const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int32_t doe = z - era * 146097;                                   /* [0, 146096] */
	const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
	const int32_t mp = (5 * doy + 2) / 153;                                 /* [0, 11] */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

static bool ident_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ident_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ident_is_leap(y) ? 29 : dim[m - 1];
}

static bool ident_is_real_date(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= ident_days_in_month(y, m);
}

static bool ident_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of n decimal digits at s; the caller has checked they are digits. */
static int ident_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool ident_all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ident_is_digit(s[i]))
			return false;
	return true;
}

bool ident_date_parse(const char *s, size_t len, int32_t *days)
{
	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!ident_all_digits(s, 4) || !ident_all_digits(s + 5, 2) ||
	    !ident_all_digits(s + 8, 2))
		return false;
	const int y = ident_digits(s, 4), m = ident_digits(s + 5, 2),
	          d = ident_digits(s + 8, 2);
	if (y < IDENT_YEAR_MIN || y > IDENT_YEAR_MAX || !ident_is_real_date(y, m, d))
		return false;
	*days = ident_days_from_civil(y, m, d);
	return true;
}

/* Day numbers outside years 0..9999 cannot be written in four digits; they
 * never come out of ident_date_parse, so they format as a visible dummy. */
void ident_date_format(int32_t days, char buf[11])
{
	int y, m, d;
	ident_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(buf, "0000-00-00", 11);
		return;
	}
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

/* Someone born on 29 February turns a year older on 1 March in common years:
 * the (month, day) comparison gives that without a special case. */
int ident_age_on(int32_t birth, int32_t on)
{
	int by, bm, bd, oy, om, od;
	ident_civil_from_days(birth, &by, &bm, &bd);
	ident_civil_from_days(on, &oy, &om, &od);
	int age = oy - by;
	if (om < bm || (om == bm && od < bd))
		age--;
	return age;
}

/* ---- resident ID, GB 11643-1999 ---- */

static const int ident_rid_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3,
                                          7, 9, 10, 5, 8, 4, 2};
static const char ident_rid_checks[] = "10X98765432";
/* Indexed like ident_rid_checks so a reason can name the expected digit. */
static const char *const ident_rid_check_why[11] = {
	N_("check digit should be 1"), N_("check digit should be 0"),
	N_("check digit should be X"), N_("check digit should be 9"),
	N_("check digit should be 8"), N_("check digit should be 7"),
	N_("check digit should be 6"), N_("check digit should be 5"),
	N_("check digit should be 4"), N_("check digit should be 3"),
	N_("check digit should be 2"),
};

/* First two digits: the provinces of GB/T 2260 (71 Taiwan, 81/82 Hong Kong
 * and Macao, 91 reserved for residents abroad). */
static bool ident_is_known_province(int p)
{
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
	       (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
	       (p >= 50 && p <= 54) || (p >= 61 && p <= 65) ||
	       p == 71 || p == 81 || p == 82 || p == 91;
}

static int ident_rid_check_index(const char first17[17])
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * ident_rid_weights[i];
	return sum % 11;
}

char ident_resident_id_check_char(const char first17[17])
{
	return ident_rid_checks[ident_rid_check_index(first17)];
}

static enum ident_result ident_fail(const char **why, const char *reason)
{
	if (why)
		*why = _(reason);   /* a msgid: every caller passes one */
	return IDENT_INVALID;
}

enum ident_result ident_resident_id(const char *s, size_t len, int32_t today,
                                    int32_t *birth, const char **why)
{
	if (!s || len != 18)
		return ident_fail(why, "must be 18 characters");
	if (!ident_all_digits(s, 17))
		return ident_fail(why, "first 17 characters must be digits");
	const char last = s[17] == 'x' ? 'X' : s[17];
	if (!ident_is_digit(last) && last != 'X')
		return ident_fail(why, "last character must be a digit or X");

	const int y = ident_digits(s + 6, 4), m = ident_digits(s + 10, 2),
	          d = ident_digits(s + 12, 2);
	if (!ident_is_real_date(y, m, d))
		return ident_fail(why, "birth date (digits 7-14) is not a real date");
	if (y < IDENT_YEAR_MIN)
		return ident_fail(why, "birth date (digits 7-14) is before 1900");
	const int32_t born = ident_days_from_civil(y, m, d);
	if (born > today)
		return ident_fail(why, "birth date (digits 7-14) is in the future");

	const int ci = ident_rid_check_index(s);
	if (ident_rid_checks[ci] != last)
		return ident_fail(why, ident_rid_check_why[ci]);

	if (birth)
		*birth = born;
	if (!ident_is_known_province(ident_digits(s, 2))) {
		if (why)
			*why = _("unknown province code (digits 1-2)");
		return IDENT_WARN;
	}
	return IDENT_OK;
}

/* ---- unified social credit code, GB 32100-2015 ---- */

/* The 31 characters allowed: digits and upper-case letters without
 * I, O, S, V, Z (too easily misread). A character's value is its index. */
static const char ident_cc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int ident_cc_weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20,
                                         29, 25, 13, 8, 24, 10, 30, 28};
/* Indexed by the expected character's value. */
static const char *const ident_cc_check_why[31] = {
	N_("check character should be 0"), N_("check character should be 1"),
	N_("check character should be 2"), N_("check character should be 3"),
	N_("check character should be 4"), N_("check character should be 5"),
	N_("check character should be 6"), N_("check character should be 7"),
	N_("check character should be 8"), N_("check character should be 9"),
	N_("check character should be A"), N_("check character should be B"),
	N_("check character should be C"), N_("check character should be D"),
	N_("check character should be E"), N_("check character should be F"),
	N_("check character should be G"), N_("check character should be H"),
	N_("check character should be J"), N_("check character should be K"),
	N_("check character should be L"), N_("check character should be M"),
	N_("check character should be N"), N_("check character should be P"),
	N_("check character should be Q"), N_("check character should be R"),
	N_("check character should be T"), N_("check character should be U"),
	N_("check character should be W"), N_("check character should be X"),
	N_("check character should be Y"),
};

static int ident_cc_value(char c)
{
	if (c == '\0')
		return -1;
	const char *p = strchr(ident_cc_chars, c);
	return p ? (int)(p - ident_cc_chars) : -1;
}

/* Value of the check character for 17 characters, or -1 if one is invalid. */
static int ident_cc_check_value(const char first17[17])
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		const int v = ident_cc_value(first17[i]);
		if (v < 0)
			return -1;
		sum += v * ident_cc_weights[i];
	}
	const int c = 31 - sum % 31;
	return c == 31 ? 0 : c;
}

char ident_credit_code_check_char(const char first17[17])
{
	const int v = ident_cc_check_value(first17);
	return v < 0 ? '\0' : ident_cc_chars[v];
}

enum ident_result ident_credit_code(const char *s, size_t len, const char **why)
{
	if (!s || len != 18)
		return ident_fail(why, "must be 18 characters");
	for (size_t i = 0; i < 18; i++) {
		if (ident_cc_value(s[i]) >= 0)
			continue;
		if (s[i] >= 'a' && s[i] <= 'z')
			return ident_fail(why, "letters must be upper-case");
		return ident_fail(why, "only digits and upper-case letters "
		                       "other than I, O, S, V, Z are allowed");
	}
	const int v = ident_cc_check_value(s);
	if (ident_cc_value(s[17]) != v)
		return ident_fail(why, ident_cc_check_why[v]);
	return IDENT_OK;
}

/* ---- organisation key ---- */

_Static_assert(IDENT_ORG_KEY_MAX == sizeof IDENT_ORG_KEY_PREFIX - 1 + 10,
               "org: and ten digits");
_Static_assert(IDENT_ORG_KEY_MAX < IDENT_CODE_SIZE, "a key fits a code buffer");

enum ident_result ident_org_key(const char *s, size_t len, const char **why)
{
	const size_t pre = sizeof IDENT_ORG_KEY_PREFIX - 1;
	if (!s || len < pre || memcmp(s, IDENT_ORG_KEY_PREFIX, pre) != 0)
		return ident_credit_code(s, len, why);
	size_t n = len - pre;
	if (n < 1 || n > IDENT_ORG_KEY_MAX - pre || !ident_all_digits(s + pre, n))
		return ident_fail(why, "org: must be followed by 1 to 10 digits");
	if (s[pre] == '0')
		return ident_fail(why, "the number after org: must not start with 0");
	return IDENT_OK;
}

/* ---- mainland mobile ---- */

enum ident_result ident_mobile(const char *s, size_t len, const char **why)
{
	if (!s || len != 11)
		return ident_fail(why, "must be 11 digits");
	if (!ident_all_digits(s, 11))
		return ident_fail(why, "must contain only digits");
	if (s[0] != '1')
		return ident_fail(why, "must start with 1");
	if (s[1] < '3')
		return ident_fail(why, "second digit must be 3-9");
	return IDENT_OK;
}

int32_t ident_day_cst(int64_t unix_seconds)
{
	int64_t t = unix_seconds + 8 * 3600;
	int64_t d = t / 86400;
	if (t % 86400 < 0)
		d--; /* floor for times before 1970 */
	return (int32_t)d;
}

bool ident_ground_code(const char *s, size_t len)
{
	if (len == 0 || len > IDENT_GROUND_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}
