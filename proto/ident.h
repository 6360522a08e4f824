/*
 * ident.h - validators for the identifiers the protocol carries: resident ID
 * numbers (GB 11643, ISO 7064 MOD 11-2), unified social credit codes
 * (GB 32100), mainland mobile numbers, and calendar dates as day numbers.
 * Pure functions; shared by the daemon, the clients and the roster generator.
 */
#ifndef EXPERTD_IDENT_H
#define EXPERTD_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A buffer for an 18-character code and its NUL: a unified social credit
 * code (ident_credit_code) or a resident id (ident_resident_id). */
#define IDENT_CODE_SIZE 19

/* Outcome of a validator: valid, valid with a warning, or invalid. */
enum ident_result { IDENT_OK, IDENT_WARN, IDENT_INVALID };

/*
 * Days since 1970-01-01 (proleptic Gregorian). Dates in the protocol are
 * "YYYY-MM-DD" strings; the daemon works on day numbers.
 */
int32_t ident_days_from_civil(int y, int m, int d);
void ident_civil_from_days(int32_t days, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" (exactly 10 bytes, a real date, years 1900..2199). */
bool ident_date_parse(const char *s, size_t len, int32_t *days);
/* Format as "YYYY-MM-DD"; buf must hold 11 bytes. */
void ident_date_format(int32_t days, char buf[11]);
/*
 * The calendar day (day number) of a unix time in China Standard Time
 * (UTC+8, no daylight saving): the bureau's days, fixed rather than the
 * host's zone so that a replay on any machine reaches the same days.
 */
int32_t ident_day_cst(int64_t unix_seconds);

/* Whole years of age on day `on` for someone born on day `birth`. */
int ident_age_on(int32_t birth, int32_t on);

/*
 * Resident ID: 18 characters, 17 digits then a check character (0-9 or X,
 * lower-case x accepted), a valid birth date in digits 7-14 not in the
 * future relative to `today`. An unknown province code gives IDENT_WARN.
 * *why (may be NULL) is set to a static reason on WARN or INVALID; *birth
 * (may be NULL) receives the birth day number when not INVALID.
 */
enum ident_result ident_resident_id(const char *s, size_t len, int32_t today,
                                    int32_t *birth, const char **why);
/* The check character for 17 leading digits ('0'..'9' or 'X'). */
char ident_resident_id_check_char(const char first17[17]);

/*
 * Unified social credit code: 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY",
 * the last a MOD 31 check character. Returns IDENT_OK or IDENT_INVALID.
 */
enum ident_result ident_credit_code(const char *s, size_t len, const char **why);
/* The check character for 17 leading characters, or '\0' if one is invalid. */
char ident_credit_code_check_char(const char first17[17]);

/*
 * Organisation key (REGISTRY.md 2.1): a unified social credit code as
 * above, or "org:" and a registry number: 1 to 10 decimal digits, not 0,
 * without leading zeros (at most IDENT_ORG_KEY_MAX bytes in all, so it
 * fits IDENT_CODE_SIZE). Returns IDENT_OK or IDENT_INVALID.
 */
#define IDENT_ORG_KEY_PREFIX "org:"
#define IDENT_ORG_KEY_MAX 14
enum ident_result ident_org_key(const char *s, size_t len, const char **why);

/* Mainland mobile: 11 digits, starting with 1, second digit 3-9. */
enum ident_result ident_mobile(const char *s, size_t len, const char **why);

/*
 * The code of a ground of suspension or revocation (POLICY.md 6.3), a
 * built-in one or one the Center configures: 1-32 bytes of lower-case
 * ASCII letters, digits and '_', starting with a letter.
 */
#define IDENT_GROUND_MAX 32
#define IDENT_GROUND_SIZE (IDENT_GROUND_MAX + 1)
bool ident_ground_code(const char *s, size_t len);

#endif
