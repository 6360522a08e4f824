/*
 * roster_fields.c - the roster's vocabulary: which header names each row
 * field goes by and which labels stand for which wire values. The labels
 * follow the recommendation form of 穗人社职建函〔2022〕53号; anything not
 * listed is passed through unchanged for the daemon to accept or reject.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "roster_fields.h"

static const char *const h_name[] = {"姓名", NULL};
static const char *const h_sex[] = {"性别", NULL};
static const char *const h_resident_id[] = {
	"身份证号", "身份证号码", "公民身份号码", NULL};
static const char *const h_phone[] = {"手机", "手机号码", "移动电话", NULL};
static const char *const h_employer[] = {"工作单位", NULL};
static const char *const h_employer_code[] = {
	"统一社会信用代码", "单位统一社会信用代码", NULL};
static const char *const h_recommender[] = {"推荐单位", "推荐单位名称", NULL};
static const char *const h_recommender_code[] = {
	"推荐单位信用代码", "推荐单位统一社会信用代码", NULL};
static const char *const h_specialties[] = {"申请专家组专业", "专业", NULL};
static const char *const h_group_types[] = {"专家组类型", NULL};
static const char *const h_task_types[] = {"承担任务类型", NULL};
static const char *const h_title[] = {"专业技术职称", "职称", NULL};
static const char *const h_qualification[] = {"职业资格等级", "职业资格", NULL};
static const char *const h_assess_years[] = {"考评工作年限", NULL};
static const char *const h_training_years[] = {"培训工作年限", NULL};
static const char *const h_relaxations[] = {"放宽条件", NULL};
static const char *const h_relaxation_evidence[] = {"放宽条件依据", "放宽依据", NULL};
static const char *const h_position[] = {"职务", NULL};
static const char *const h_email[] = {"电子邮箱", "邮箱", NULL};

static const struct roster_alias a_sex[] = {
	{"男", "male"}, {"女", "female"}, {NULL, NULL}};

static const struct roster_alias a_group_types[] = {
	{"培训评审", "training_review"},
	{"培训评审专家组", "training_review"},
	{"技能评价", "skill_evaluation"},
	{"技能评价专家组", "skill_evaluation"},
	{"方式方法", "methods"},
	{"方式方法专家组", "methods"},
	{NULL, NULL}};

/* Short labels, and the checkbox texts of the form itself. */
static const struct roster_alias a_task_types[] = {
	{"培训机构评审", "institution_review"},
	{"标准开发评审", "standards_review"},
	{"国家标准、题库、课程开发评审", "standards_review"},
	{"方式方法指导", "methods_guidance"},
	{"技能等级认定方案及方式方法指导", "methods_guidance"},
	{"考评人员培训", "assessor_training"},
	{"考评人员培训指导", "assessor_training"},
	{"评价机构评估", "evaluation_review"},
	{NULL, NULL}};

static const struct roster_alias a_title[] = {
	{"无", "none"},
	{"初级", "junior"},
	{"中级", "intermediate"},
	{"副高级", "deputy_senior"},
	{"副高", "deputy_senior"},
	{"正高级", "senior"},
	{"正高", "senior"},
	{NULL, NULL}};

static const struct roster_alias a_qualification[] = {
	{"无", "none"},
	{"初级工", "junior_worker"},
	{"五级", "junior_worker"},
	{"中级工", "intermediate_worker"},
	{"四级", "intermediate_worker"},
	{"高级工", "senior_worker"},
	{"三级", "senior_worker"},
	{"技师", "technician"},
	{"二级", "technician"},
	{"高级技师", "senior_technician"},
	{"一级", "senior_technician"},
	/* The form's own wording. */
	{"初级工（五级）", "junior_worker"},
	{"中级工（四级）", "intermediate_worker"},
	{"高级工（三级）", "senior_worker"},
	{"技师（二级）", "technician"},
	{"高级技师（一级）", "senior_technician"},
	{"初级工(五级)", "junior_worker"},
	{"中级工(四级)", "intermediate_worker"},
	{"高级工(三级)", "senior_worker"},
	{"技师(二级)", "technician"},
	{"高级技师(一级)", "senior_technician"},
	{NULL, NULL}};

static const struct roster_alias a_relaxations[] = {
	{"紧缺工种", "shortage_occupation"},
	{"新职业", "new_occupation"},
	{"获奖者", "award_winner"},
	{"获奖", "award_winner"},
	{"业绩显著", "outstanding_achievement"},
	{"部省级专家", "senior_expert"},
	/* 第十一条（七） as the form words it; several contain 、. */
	{"我市紧缺工种", "shortage_occupation"},
	{"国家新职业", "new_occupation"},
	{"国家新职业（工种）", "new_occupation"},
	{"国家、省、市相关获奖者", "award_winner"},
	{"工作业绩显著、公认有较高造诣", "outstanding_achievement"},
	{"部、省级培训评价专家且经验丰富", "senior_expert"},
	{NULL, NULL}};

static const struct roster_field_info fields[ROSTER_F__COUNT] = {
	[ROSTER_F_NAME] = {"name", ROSTER_K_STR, true, h_name, NULL},
	[ROSTER_F_SEX] = {"sex", ROSTER_K_ENUM, true, h_sex, a_sex},
	[ROSTER_F_RESIDENT_ID] = {"resident_id", ROSTER_K_UPPER, true, h_resident_id, NULL},
	[ROSTER_F_PHONE] = {"phone", ROSTER_K_STR, true, h_phone, NULL},
	[ROSTER_F_EMPLOYER] = {"employer", ROSTER_K_STR, false, h_employer, NULL},
	[ROSTER_F_EMPLOYER_CODE] = {"employer_code", ROSTER_K_UPPER, false,
	                            h_employer_code, NULL},
	[ROSTER_F_RECOMMENDER_CODE] = {"recommender_code", ROSTER_K_UPPER, false,
	                               h_recommender_code, NULL},
	[ROSTER_F_RECOMMENDER] = {"recommender", ROSTER_K_STR, false, h_recommender, NULL},
	[ROSTER_F_SPECIALTIES] = {"specialties", ROSTER_K_LIST, true, h_specialties, NULL},
	[ROSTER_F_GROUP_TYPES] = {"group_types", ROSTER_K_ENUM_LIST, true,
	                          h_group_types, a_group_types},
	[ROSTER_F_TASK_TYPES] = {"task_types", ROSTER_K_ENUM_LIST, false,
	                         h_task_types, a_task_types},
	[ROSTER_F_TITLE] = {"title", ROSTER_K_ENUM, false, h_title, a_title},
	[ROSTER_F_QUALIFICATION] = {"qualification", ROSTER_K_ENUM, false,
	                            h_qualification, a_qualification},
	[ROSTER_F_ASSESS_YEARS] = {"assess_years", ROSTER_K_INT, false, h_assess_years, NULL},
	[ROSTER_F_TRAINING_YEARS] = {"training_years", ROSTER_K_INT, false,
	                             h_training_years, NULL},
	[ROSTER_F_RELAXATIONS] = {"relaxations", ROSTER_K_ENUM_LIST, false,
	                          h_relaxations, a_relaxations},
	[ROSTER_F_RELAXATION_EVIDENCE] = {"relaxation_evidence", ROSTER_K_STR, false,
	                                  h_relaxation_evidence, NULL},
	[ROSTER_F_POSITION] = {"position", ROSTER_K_STR, false, h_position, NULL},
	[ROSTER_F_EMAIL] = {"email", ROSTER_K_STR, false, h_email, NULL},
};

const struct roster_field_info *roster_field_info(enum roster_field f)
{
	return (unsigned)f < ROSTER_F__COUNT ? &fields[f] : NULL;
}

const char *roster_field_name(enum roster_field f)
{
	return (unsigned)f < ROSTER_F__COUNT ? fields[f].name : "?";
}

bool roster_field_lookup(const char *name, enum roster_field *out)
{
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		if (strcmp(fields[f].name, name) == 0) {
			*out = (enum roster_field)f;
			return true;
		}
	}
	return false;
}

static bool roster_fields_span_is(struct roster_span s, const char *lit)
{
	return strlen(lit) == s.len && memcmp(s.s, lit, s.len) == 0;
}

bool roster_fields_header(const char *s, size_t len, enum roster_field *out)
{
	struct roster_span sp = {s, len};
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		const struct roster_field_info *fi = &fields[f];
		bool hit = strlen(fi->name) == len && strncasecmp(fi->name, s, len) == 0;
		for (size_t i = 0; !hit && fi->headers[i]; i++)
			hit = roster_fields_span_is(sp, fi->headers[i]);
		if (hit) {
			*out = (enum roster_field)f;
			return true;
		}
	}
	return false;
}

/* Length of the white space starting at p (0 if none); end bounds it. */
static size_t roster_fields_space_at(const char *p, const char *end)
{
	size_t left = (size_t)(end - p);
	unsigned char c = (unsigned char)*p;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 1;
	if (left >= 3 && memcmp(p, "\xe3\x80\x80", 3) == 0) /* U+3000 */
		return 3;
	if (left >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) /* U+FEFF */
		return 3;
	if (left >= 2 && memcmp(p, "\xc2\xa0", 2) == 0) /* U+00A0 */
		return 2;
	return 0;
}

/* Length of the white space ending at end (0 if none); start bounds it. */
static size_t roster_fields_space_before(const char *start, const char *end)
{
	size_t have = (size_t)(end - start);
	static const size_t sizes[] = {3, 2, 1};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		if (have >= n && roster_fields_space_at(end - n, end) == n)
			return n;
	}
	return 0;
}

struct roster_span roster_fields_trim(struct roster_span in)
{
	const char *p = in.s, *end = in.s + in.len;
	size_t n;
	while (p < end && (n = roster_fields_space_at(p, end)) > 0)
		p += n;
	while (end > p && (n = roster_fields_space_before(p, end)) > 0)
		end -= n;
	return (struct roster_span){p, (size_t)(end - p)};
}

static const char *const separators[] = {
	"\xe3\x80\x81", /* 、 */
	"\xef\xbc\x8c", /* ， */
	"\xef\xbc\x9b", /* ； */
	"\xef\xbc\x8f", /* ／ */
	",", ";", "|", "/", "\n", "\r", NULL};

/* Length of the separator starting at p (0 if none). */
static size_t roster_fields_sep_at(const char *p, const char *end)
{
	for (size_t i = 0; separators[i]; i++) {
		size_t n = strlen(separators[i]);
		if ((size_t)(end - p) >= n && memcmp(p, separators[i], n) == 0)
			return n;
	}
	return 0;
}

/* A whole alias label at p, ending at a separator or the end; 0 if none. */
static size_t roster_fields_label_at(const struct roster_alias *aliases,
                                     const char *p, const char *end)
{
	size_t best = 0;
	for (size_t i = 0; aliases && aliases[i].label; i++) {
		size_t n = strlen(aliases[i].label);
		if (n <= best || (size_t)(end - p) < n || memcmp(p, aliases[i].label, n) != 0)
			continue;
		struct roster_span rest = roster_fields_trim(
			(struct roster_span){p + n, (size_t)(end - p - n)});
		if (rest.len == 0 || roster_fields_sep_at(rest.s, end) > 0)
			best = n;
	}
	return best;
}

size_t roster_fields_split(enum roster_field f, struct roster_span cell,
                           struct roster_span *items, size_t max)
{
	const struct roster_alias *aliases = fields[f].aliases;
	const char *p = cell.s, *end = cell.s + cell.len;
	size_t count = 0;
	while (p < end) {
		size_t n = roster_fields_sep_at(p, end);
		if (n > 0) {
			p += n;
			continue;
		}
		const char *start = p;
		size_t label = roster_fields_label_at(aliases, p, end);
		if (label > 0) {
			p += label;
		} else {
			while (p < end && roster_fields_sep_at(p, end) == 0)
				p++;
		}
		struct roster_span item = roster_fields_trim(
			(struct roster_span){start, (size_t)(p - start)});
		if (item.len == 0)
			continue;
		if (count == max)
			return SIZE_MAX;
		items[count++] = item;
	}
	return count;
}

const char *roster_fields_alias(enum roster_field f, struct roster_span item)
{
	const struct roster_alias *aliases = fields[f].aliases;
	for (size_t i = 0; aliases && aliases[i].label; i++)
		if (roster_fields_span_is(item, aliases[i].label))
			return aliases[i].value;
	return NULL;
}

/* The value of an ASCII or full-width (U+FF10..U+FF19) digit at p, its
 * length in *n; -1 if p holds no digit. */
static int roster_fields_digit_at(const char *p, const char *end, size_t *n)
{
	if (*p >= '0' && *p <= '9') {
		*n = 1;
		return *p - '0';
	}
	if (end - p >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbc &&
	    (unsigned char)p[2] >= 0x90 && (unsigned char)p[2] <= 0x99) {
		*n = 3;
		return (unsigned char)p[2] - 0x90;
	}
	return -1;
}

bool roster_fields_int(struct roster_span s, int64_t *out, const char **why)
{
	const char *p = s.s, *end = s.s + s.len;
	bool neg = false;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end) {
		*why = "not a whole number";
		return false;
	}
	int64_t v = 0;
	while (p < end) {
		size_t n;
		int d = roster_fields_digit_at(p, end, &n);
		if (d < 0) {
			*why = "not a whole number";
			return false;
		}
		if (v > (INT64_MAX - d) / 10) {
			*why = "number too large";
			return false;
		}
		v = v * 10 + d;
		p += n;
	}
	*out = neg ? -v : v;
	return true;
}
