/*
 * roster_fields.c - the roster's vocabulary: which header names each row
 * field goes by and which labels stand for which wire values. The labels
 * follow the recommendation form of 穗人社职建函〔2022〕53号; anything not
 * listed is passed through unchanged for the daemon to accept or reject.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "proto.h"
#include "roster_fields.h"

/* Header names: the 推荐表's own labels (穗人社职建函〔2022〕53号 附件)
 * verbatim, PROTOCOL.md 7.5.2's, and short forms. Full-width and ASCII
 * brackets match alike. */
static const char *const h_name[] = {"姓名", NULL};
static const char *const h_sex[] = {"性别", NULL};
static const char *const h_resident_id[] = {
	"身份证号", "身份证号码", "公民身份号码", NULL};
static const char *const h_phone[] = {"手机", "手机号码", "移动电话", NULL};
static const char *const h_employer[] = {"工作单位", NULL};
static const char *const h_employer_code[] = {
	"统一社会信用代码", "单位统一社会信用代码", "工作单位统一社会信用代码", NULL};
static const char *const h_recommender[] = {"推荐单位", "推荐单位名称", NULL};
static const char *const h_recommender_code[] = {
	"推荐单位信用代码", "推荐单位统一社会信用代码", NULL};
static const char *const h_specialties[] = {
	"申请专家组专业", "申请专家组专业（不超过3个）", "申请专家组专业（职业/工种）",
	"专业", NULL};
static const char *const h_group_types[] = {"专家组类型", NULL};
static const char *const h_task_types[] = {"承担任务类型", NULL};
static const char *const h_title[] = {
	"专业技术职称", "职称", "职称等级", "职称（等级）", NULL};
static const char *const h_qualification[] = {
	"职业资格等级", "职业资格", "职业资格（等级）", NULL};
static const char *const h_assess_years[] = {
	"考评工作年限", "从事职业技能评价考评工作年限", NULL};
static const char *const h_training_years[] = {
	"培训工作年限", "从事职业技能培训相关工作年限", NULL};
static const char *const h_relaxations[] = {"放宽条件", NULL};
static const char *const h_relaxation_evidence[] = {"放宽条件依据", "放宽依据", NULL};
/* The occupation a 紧缺工种 or 新职业 ground is about (POLICY.md 4.2). */
static const char *const h_relaxation_occupations[] = {
	"放宽条件职业（工种）", "放宽条件所涉职业（工种）", "紧缺或新职业（工种）",
	"放宽条件职业", NULL};
static const char *const h_position[] = {"职务", NULL};
static const char *const h_email[] = {"电子信箱", "电子邮箱", "邮箱", NULL};
static const char *const h_birth_month[] = {"出生年月", NULL};
/* The kept fields (PROTOCOL.md 7.5.2): the form's labels, and for the two
 * halves of its 职业资格 and 职称 boxes the box's name before the half's. */
static const char *const h_recommender_kind[] = {
	"推荐方式", "推荐类型", "推荐渠道", NULL};
static const char *const h_education[] = {"学历", NULL};
static const char *const h_politics[] = {"政治面貌", NULL};
static const char *const h_ethnicity[] = {"民族", NULL};
static const char *const h_occupation[] = {"从事职业", NULL};
static const char *const h_qualification_occupation[] = {
	"职业资格职业（工种）", "职业资格（职业/工种）", "职业资格职业", "职业（工种）", NULL};
static const char *const h_title_field[] = {
	"职称专业", "职称（专业）", "专业技术职称专业", NULL};
static const char *const h_address[] = {"通讯地址", "通信地址", NULL};
static const char *const h_postcode[] = {"邮编", "邮政编码", NULL};
static const char *const h_landline[] = {"联系电话", "固定电话", NULL};
static const char *const h_experience[] = {
	"职业技能培训评价工作经历", "工作经历", NULL};
static const char *const h_achievements[] = {
	"熟悉何种业务与技术，有何业绩、发明、成果和著作",
	"熟悉何种业务与技术，有何业绩、发明、成果和著作（可另附）",
	"业绩、发明、成果和著作", "业绩成果", NULL};
static const char *const h_recommendation[] = {"推荐单位意见", NULL};

/* 第十四条: 所在单位、培训机构和评价机构推荐，亦可由本中心直接遴选. */
static const struct roster_alias a_recommender_kind[] = {
	{"所在单位", "employer"}, {"所在单位推荐", "employer"}, {"单位推荐", "employer"},
	{"工作单位", "employer"},
	{"培训机构", "training_institution"}, {"培训机构推荐", "training_institution"},
	{"评价机构", "evaluation_institution"}, {"评价机构推荐", "evaluation_institution"},
	{"中心直接遴选", "center"}, {"本中心直接遴选", "center"}, {"直接遴选", "center"},
	{NULL, NULL}};

static const struct roster_alias a_sex[] = {
	{"男", "male"}, {"女", "female"}, {"男性", "male"}, {"女性", "female"},
	{NULL, NULL}};

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
	/* The 推荐表's checkbox texts, verbatim. */
	{"职业技能培训机构评审", "institution_review"},
	{"国家职业标准、职业技能试题、课程标准开发评审", "standards_review"},
	{"职业技能等级认定方案评审专家、方式方法指导", "methods_guidance"},
	{"职业技能等级认定、专项能力考核考评员培训指导", "assessor_training"},
	{"职业技能评价机构评估", "evaluation_review"},
	{NULL, NULL}};

static const struct roster_alias a_title[] = {
	{"无", "none"},
	{"初级", "junior"},
	{"中级", "intermediate"},
	{"副高级", "deputy_senior"},
	{"副高", "deputy_senior"},
	{"正高级", "senior"},
	{"正高", "senior"},
	{"高级", "deputy_senior"}, /* as said: 高级职称 unqualified is 副高级 */
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
	/* Above 高级技师 (特级技师, 首席技师 of the new 八级工 ladder): the pool
	 * records no higher level, and every rule asks only "高级技师以上". */
	{"特级技师", "senior_technician"},
	{"首席技师", "senior_technician"},
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

#define HINT_SEX "male, female", "男、女"
#define HINT_GROUP "training_review, skill_evaluation, methods", \
	"培训评审、技能评价、方式方法（或留空，由承担任务类型得出）"
#define HINT_TASK "institution_review, standards_review, methods_guidance, " \
	"assessor_training, evaluation_review", "推荐表“承担任务类型”的五项"
#define HINT_TITLE "none, junior, intermediate, deputy_senior, senior, or a " \
	"title such as 高级工程师", "无、初级、中级、副高级、正高级，或职称名称如工程师、高级讲师"
#define HINT_QUAL "none, junior_worker ... senior_technician", \
	"无、初级工、中级工、高级工、技师、高级技师（或五级至一级）"
#define HINT_RECOMMENDER_KIND "employer, training_institution, " \
	"evaluation_institution, center", "所在单位、培训机构、评价机构、中心直接遴选"
#define KEPT(n, h) {n, ROSTER_K_STR, false, h, NULL, NULL, NULL, NULL}
#define HINT_RELAX "shortage_occupation, new_occupation, award_winner, " \
	"outstanding_achievement, senior_expert", "第十一条（七）的五种情形"

static const struct roster_field_info fields[ROSTER_F__COUNT] = {
	[ROSTER_F_NAME] = {"name", ROSTER_K_STR, true, h_name, NULL, NULL, NULL, NULL},
	[ROSTER_F_SEX] = {"sex", ROSTER_K_ENUM, true, h_sex, a_sex, proto_sexes, HINT_SEX},
	[ROSTER_F_RESIDENT_ID] = {"resident_id", ROSTER_K_CODE, true, h_resident_id, NULL,
	                          NULL, NULL, NULL},
	[ROSTER_F_PHONE] = {"phone", ROSTER_K_PHONE, true, h_phone, NULL, NULL, NULL, NULL},
	[ROSTER_F_EMPLOYER] = {"employer", ROSTER_K_STR, false, h_employer, NULL, NULL,
	                       NULL, NULL},
	[ROSTER_F_EMPLOYER_CODE] = {"employer_code", ROSTER_K_CODE, false,
	                            h_employer_code, NULL, NULL, NULL, NULL},
	[ROSTER_F_RECOMMENDER_CODE] = {"recommender_code", ROSTER_K_CODE, false,
	                               h_recommender_code, NULL, NULL, NULL, NULL},
	[ROSTER_F_RECOMMENDER] = {"recommender", ROSTER_K_STR, false, h_recommender, NULL,
	                          NULL, NULL, NULL},
	[ROSTER_F_SPECIALTIES] = {"specialties", ROSTER_K_LIST, true, h_specialties, NULL,
	                          NULL, NULL, NULL},
	/* Not required: the form has no such field (第八条, PROTOCOL.md 7.5.2). */
	[ROSTER_F_GROUP_TYPES] = {"group_types", ROSTER_K_ENUM_LIST, false,
	                          h_group_types, a_group_types, proto_group_types, HINT_GROUP},
	[ROSTER_F_TASK_TYPES] = {"task_types", ROSTER_K_ENUM_LIST, false,
	                         h_task_types, a_task_types, proto_task_types, HINT_TASK},
	[ROSTER_F_TITLE] = {"title", ROSTER_K_TITLE, false, h_title, a_title, proto_titles,
	                    HINT_TITLE},
	[ROSTER_F_QUALIFICATION] = {"qualification", ROSTER_K_ENUM, false,
	                            h_qualification, a_qualification, proto_qualifications,
	                            HINT_QUAL},
	[ROSTER_F_ASSESS_YEARS] = {"assess_years", ROSTER_K_INT, false, h_assess_years,
	                           NULL, NULL, NULL, NULL},
	[ROSTER_F_TRAINING_YEARS] = {"training_years", ROSTER_K_INT, false,
	                             h_training_years, NULL, NULL, NULL, NULL},
	[ROSTER_F_RELAXATIONS] = {"relaxations", ROSTER_K_ENUM_LIST, false,
	                          h_relaxations, a_relaxations, proto_relaxations, HINT_RELAX},
	[ROSTER_F_RELAXATION_EVIDENCE] = {"relaxation_evidence", ROSTER_K_STR, false,
	                                  h_relaxation_evidence, NULL, NULL, NULL, NULL},
	[ROSTER_F_RELAXATION_OCCUPATIONS] = {"relaxation_occupations", ROSTER_K_LIST, false,
	                                     h_relaxation_occupations, NULL, NULL, NULL,
	                                     NULL},
	[ROSTER_F_POSITION] = {"position", ROSTER_K_STR, false, h_position, NULL, NULL,
	                       NULL, NULL},
	[ROSTER_F_EMAIL] = {"email", ROSTER_K_STR, false, h_email, NULL, NULL, NULL, NULL},
	[ROSTER_F_BIRTH_MONTH] = {"birth_month", ROSTER_K_BIRTH, false, h_birth_month, NULL,
	                          NULL, NULL, NULL},
	[ROSTER_F_RECOMMENDER_KIND] = {"recommender_kind", ROSTER_K_ENUM, false,
	                               h_recommender_kind, a_recommender_kind,
	                               proto_recommender_kinds, HINT_RECOMMENDER_KIND},
	[ROSTER_F_EDUCATION] = KEPT("education", h_education),
	[ROSTER_F_POLITICS] = KEPT("politics", h_politics),
	[ROSTER_F_ETHNICITY] = KEPT("ethnicity", h_ethnicity),
	[ROSTER_F_OCCUPATION] = KEPT("occupation", h_occupation),
	[ROSTER_F_QUALIFICATION_OCCUPATION] = KEPT("qualification_occupation",
	                                           h_qualification_occupation),
	[ROSTER_F_TITLE_FIELD] = KEPT("title_field", h_title_field),
	[ROSTER_F_ADDRESS] = KEPT("address", h_address),
	[ROSTER_F_POSTCODE] = KEPT("postcode", h_postcode),
	[ROSTER_F_LANDLINE] = KEPT("landline", h_landline),
	[ROSTER_F_EXPERIENCE] = KEPT("experience", h_experience),
	[ROSTER_F_ACHIEVEMENTS] = KEPT("achievements", h_achievements),
	[ROSTER_F_RECOMMENDATION] = KEPT("recommendation", h_recommendation),
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

const char *roster_fields_label(enum roster_field f, const char *value)
{
	const struct roster_alias *a = (unsigned)f < ROSTER_F__COUNT ? fields[f].aliases : NULL;
	for (; a && a->label; a++)
		if (strcmp(a->value, value) == 0)
			return a->label;
	return NULL;
}

static bool roster_fields_span_is(struct roster_span s, const char *lit)
{
	return strlen(lit) == s.len && memcmp(s.s, lit, s.len) == 0;
}

/* The next character of a header at *p, brackets folded: （ -> (, ） -> ). */
static unsigned char roster_fields_header_char(const char **p, const char *end)
{
	if (end - *p >= 3 && memcmp(*p, "\xef\xbc\x88", 3) == 0) {
		*p += 3;
		return '(';
	}
	if (end - *p >= 3 && memcmp(*p, "\xef\xbc\x89", 3) == 0) {
		*p += 3;
		return ')';
	}
	return (unsigned char)*(*p)++;
}

static bool roster_fields_header_is(struct roster_span s, const char *label)
{
	const char *p = s.s, *end = s.s + s.len;
	const char *q = label, *qend = label + strlen(label);
	while (p < end && q < qend)
		if (roster_fields_header_char(&p, end) != roster_fields_header_char(&q, qend))
			return false;
	return p == end && q == qend;
}

bool roster_fields_header(const char *s, size_t len, enum roster_field *out)
{
	struct roster_span sp = {s, len};
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		const struct roster_field_info *fi = &fields[f];
		bool hit = strlen(fi->name) == len && strncasecmp(fi->name, s, len) == 0;
		for (size_t i = 0; !hit && fi->headers[i]; i++)
			hit = roster_fields_header_is(sp, fi->headers[i]);
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

/* ---- normalisers -------------------------------------------------------- */

/* The ASCII character a full-width form at p stands for (U+FF01..U+FF5E,
 * U+3000 as a space), its length in *n; 0 if p holds none. */
static char roster_fields_fullwidth_at(const char *p, const char *end, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;
	if (end - p < 3)
		return 0;
	*n = 3;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return ' ';
	if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x81 && u[2] <= 0xbf)
		return (char)(u[2] - 0x81 + 0x21);       /* U+FF01..U+FF3F */
	if (u[0] == 0xef && u[1] == 0xbd && u[2] >= 0x80 && u[2] <= 0x9e)
		return (char)(u[2] - 0x80 + 0x60);       /* U+FF40..U+FF5E */
	return 0;
}

/* Fold full-width forms, drop white space and the bytes of drop, upper-
 * case letters. */
static size_t roster_fields_fold(struct roster_span in, const char *drop, char *out,
                                 size_t outsz)
{
	const char *p = in.s, *end = in.s + in.len;
	size_t o = 0;
	while (p < end) {
		size_t n = 1;
		char c = roster_fields_fullwidth_at(p, end, &n);
		if (!c) {
			n = roster_fields_space_at(p, end);
			c = n ? ' ' : *p;
			n = n ? n : 1;
		}
		p += n;
		if (c == ' ' || (drop && strchr(drop, c)))
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (o + 1 < outsz)
			out[o++] = c;
	}
	if (outsz)
		out[o < outsz ? o : outsz - 1] = '\0';
	return o < outsz ? o : outsz - 1;
}

size_t roster_fields_code(struct roster_span in, char *out, size_t outsz)
{
	return roster_fields_fold(in, NULL, out, outsz);
}

size_t roster_fields_phone(struct roster_span in, char *out, size_t outsz)
{
	size_t n = roster_fields_fold(in, "-.()", out, outsz);
	size_t cut = 0;
	if (n > 3 && strncmp(out, "+86", 3) == 0)
		cut = 3;
	else if (n == 15 && strncmp(out, "0086", 4) == 0)
		cut = 4;
	else if (n == 13 && strncmp(out, "86", 2) == 0)
		cut = 2;
	memmove(out, out + cut, n - cut + 1);
	return n - cut;
}

/* Common names of titles that follow no series pattern. */
static const struct roster_alias a_title_names[] = {
	{"教授", "senior"}, {"研究员", "senior"}, {"主任医师", "senior"},
	{"主任护师", "senior"}, {"主任药师", "senior"}, {"主任技师", "senior"},
	{"编审", "senior"}, {"译审", "senior"}, {"高级记者", "senior"},
	{"高级编辑", "senior"}, {"正高级教师", "senior"},
	{"副教授", "deputy_senior"}, {"副研究员", "deputy_senior"},
	{"副主任医师", "deputy_senior"}, {"副主任护师", "deputy_senior"},
	{"副主任药师", "deputy_senior"}, {"副主任技师", "deputy_senior"},
	{"副编审", "deputy_senior"}, {"主任记者", "deputy_senior"},
	{"高级教师", "deputy_senior"},
	{"助理研究员", "intermediate"}, {"主治医师", "intermediate"},
	{"主管护师", "intermediate"}, {"主管药师", "intermediate"},
	{"主管技师", "intermediate"}, {"一级教师", "intermediate"},
	{"编辑", "intermediate"}, {"记者", "intermediate"}, {"翻译", "intermediate"},
	{"助教", "junior"}, {"研究实习员", "junior"}, {"技术员", "junior"},
	{"医师", "junior"}, {"护师", "junior"}, {"药师", "junior"},
	{"二级教师", "junior"}, {"三级教师", "junior"}, {"会计员", "junior"},
	{"助理编辑", "junior"}, {"助理记者", "junior"},
	{NULL, NULL}};

/* Series whose middle grade is the bare name (工程师), with 助理, 高级 and
 * 正高级 before it for the others. */
static const char *const title_series[] = {
	"工程师", "讲师", "经济师", "会计师", "统计师", "审计师", "实验师", "政工师",
	"农艺师", "畜牧师", "兽医师", "工艺美术师", "馆员", "律师", "建筑师",
	"规划师", "园林工程师", NULL};

static bool roster_fields_is_series(const char *s, size_t n)
{
	for (size_t i = 0; title_series[i]; i++)
		if (strlen(title_series[i]) == n && memcmp(s, title_series[i], n) == 0)
			return true;
	return false;
}

const char *roster_fields_title(struct roster_span in)
{
	static const struct {
		const char *prefix, *value;
	} grades[] = {
		{"正高级", "senior"}, {"教授级高级", "senior"}, {"高级", "deputy_senior"},
		{"助理", "junior"}, {"", "intermediate"}};
	const char *v = roster_fields_alias(ROSTER_F_TITLE, in);
	for (size_t i = 0; !v && a_title_names[i].label; i++)
		if (roster_fields_span_is(in, a_title_names[i].label))
			v = a_title_names[i].value;
	for (size_t i = 0; !v && i < sizeof grades / sizeof grades[0]; i++) {
		size_t n = strlen(grades[i].prefix);
		if (in.len > n && memcmp(in.s, grades[i].prefix, n) == 0 &&
		    roster_fields_is_series(in.s + n, in.len - n))
			v = grades[i].value;
	}
	return v;
}

int roster_fields_birth_month(struct roster_span in)
{
	char folded[64];
	size_t n = roster_fields_fold(in, NULL, folded, sizeof folded);
	long runs[3];
	size_t lens[3], nruns = 0;
	for (size_t i = 0; i < n;) {
		if (folded[i] < '0' || folded[i] > '9') {
			i++;
			continue;
		}
		if (nruns == 3)
			return -1;
		size_t start = i;
		long v = 0;
		while (i < n && folded[i] >= '0' && folded[i] <= '9' && i - start < 9)
			v = v * 10 + (folded[i++] - '0');
		runs[nruns] = v;
		lens[nruns++] = i - start;
	}
	long year, month;
	if (nruns == 1 && (lens[0] == 6 || lens[0] == 8)) {
		long ym = lens[0] == 8 ? runs[0] / 100 : runs[0];
		year = ym / 100;
		month = ym % 100;
	} else if (nruns >= 2 && lens[0] == 4 && lens[1] <= 2) {
		year = runs[0];
		month = runs[1];
	} else {
		return -1;
	}
	if (year < 1900 || year > 2999 || month < 1 || month > 12)
		return -1;
	return (int)(year * 100 + month);
}
