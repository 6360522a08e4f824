/*
 * import_zh.c - the daemon's import reasons in Chinese, for rosters whose
 * header row is Chinese (issue #12). The wire keeps stable English; this
 * table follows the daemon's wording, matched by prefix or by template.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "import_zh.h"

/*
 * The daemon's reasons are stable English; a roster with Chinese headers
 * gets them in Chinese (issue #12). Matched by prefix; the rest of the
 * reason (a line number, a name) follows unchanged. Unknown reasons are
 * shown as they are.
 */
static const struct {
	const char *en, *zh;
} import_reasons_zh[] = {
	{"required, and missing or empty", "必填，但未填写"},
	{"the same resident ID is on line ", "与本表另一行身份证号码相同，行号 "},
	{"this line was already sent", "此行已发送过"},
	{"does not match the resident ID, whose 17th digit says male",
	 "与身份证号码不符（第17位表示男性）"},
	{"does not match the resident ID, whose 17th digit says female",
	 "与身份证号码不符（第17位表示女性）"},
	{"must be 18 characters", "应为18位"},
	{"must be 11 digits", "应为11位数字"},
	{"must contain only digits", "只能是数字"},
	{"must start with 1", "应以1开头"},
	{"second digit must be 3-9", "第二位应为3至9"},
	{"letters must be upper-case", "字母应为大写"},
	{"first 17 characters must be digits", "前17位应为数字"},
	{"last character must be a digit or X", "末位应为数字或X"},
	{"birth date (digits 7-14) is not a real date", "第7至14位不是有效的出生日期"},
	{"birth date (digits 7-14) is before 1900", "出生日期早于1900年"},
	{"birth date (digits 7-14) is in the future", "出生日期晚于今天"},
	{"check digit should be ", "校验码不对，应为 "},
	{"check character should be ", "校验码不对，应为 "},
	{"unknown province code (digits 1-2)", "前两位不是已知的省份代码"},
	{"not a unified social credit code", "不是统一社会信用代码"},
	{"not an e-mail address", "不是电子信箱地址"},
	{"no group type, and no task types to derive one from (第八条)",
	 "既无专家组类型，也无可据以确定类型的承担任务类型（第八条）"},
	{"needs an intermediate title or a technician qualification (第十一条)",
	 "须具有中级以上职称或技师以上职业资格（第十一条）"},
	{"skill evaluation needs at least 1 year of assessment work (第十一条)",
	 "技能评价专家须从事考评工作一年以上（第十一条）"},
	{"training review needs at least 10 years of training work (第十一条)",
	 "培训评审专家须从事培训相关工作十年以上（第十一条）"},
	{"over the age limit of 65 (第十一条(六)); relaxation grounds do not bend it, "
	 "only an operator's recorded age exception",
	 "年龄超过65周岁（第十一条（六））；放宽条件不放宽年龄，须经中心批准年龄例外"},
	{"over the age limit of 65 (第十一条(六)); only an operator's recorded age "
	 "exception bends it",
	 "年龄超过65周岁（第十一条（六））；须经中心批准并记录年龄例外"},
	{"a relaxation ground (第十一条(七)) needs its evidence: the award, the "
	 "occupation list or the appointment it rests on",
	 "填写放宽条件（第十一条（七））须同时填写放宽条件依据（获奖、目录或聘书等）"},
	{"required with the grounds shortage_occupation (我市紧缺工种) and new_occupation "
	 "(国家新职业): the occupation they are about, one of the row's specialties",
	 "填写“我市紧缺工种”或“国家新职业”放宽条件，须同时填写其所涉职业（工种），"
	 "且应为本人申请的专业之一"},
	{"given without the ground shortage_occupation or new_occupation, the only "
	 "grounds that name an occupation",
	 "未填写“我市紧缺工种”或“国家新职业”放宽条件，不应填写放宽条件职业（工种）"},
	{"names an occupation that is not one of the row's specialties: a ground relaxes "
	 "the rules only in an occupation the expert applies for (第十一条(七))",
	 "所填职业（工种）不是本人申请的专业之一：放宽条件只适用于本人申请的职业（工种）"
	 "（第十一条（七））"},
};

/*
 * Reasons that carry names: the English text with %s where a value goes,
 * and the Chinese with %1..%6 for the values in order. A value male or
 * female is shown as 男 or 女.
 */
static const struct {
	const char *en, *zh;
} import_templates_zh[] = {
	{"resident ID %s is expert %s, %s (%s); this row says %s (%s): one ID is one "
	 "person, so the row is refused (fix the row, or give a reason to correct the "
	 "record)",
	 "身份证号码 %1 已是专家 %2：%3（%4）；此行却是 %5（%6）。同一身份证号码只能是同一人，"
	 "此行不予导入（请改正此行，或说明理由以更正原记录）"},
	{"resident ID %s is expert %s, %s (%s); this row says %s (%s): accepted as a "
	 "correction of that expert (identity_reason given)",
	 "身份证号码 %1 已是专家 %2：%3（%4）；此行为 %5（%6）：已按所给理由更正该专家的记录"},
	{"no occupation is named '%s' in the catalogue; closest: %s",
	 "职业目录中没有“%1”；相近的有：%2"},
	{"no occupation is named '%s' in the catalogue", "职业目录中没有“%1”"},
	{"'%s' is not registered and will be a new organisation; close to: %s",
	 "“%1”尚未登记，将登记为新单位；相近的已登记单位：%2"},
};

#define IMPORT_TEMPLATE_VALUES 6

/* Match reason against en, capturing the values; false if it does not
 * match as a whole. */
static bool import_template_match(const char *en, const char *reason, size_t rlen,
                                  const char *val[], size_t vlen[], int *nval)
{
	const char *p = reason, *end = reason + rlen;
	*nval = 0;
	while (*en) {
		const char *hole = strstr(en, "%s");
		size_t lit = hole ? (size_t)(hole - en) : strlen(en);
		if ((size_t)(end - p) < lit || memcmp(p, en, lit) != 0)
			return false;
		p += lit;
		if (!hole)
			return p == end;
		en = hole + 2;
		const char *next = strstr(en, "%s");
		size_t nlit = next ? (size_t)(next - en) : strlen(en);
		/* The value runs to the next literal (to the end for the last). */
		const char *stop = end;
		if (nlit > 0) {
			char want[160];
			snprintf(want, sizeof want, "%.*s", (int)nlit, en);
			stop = NULL;
			for (const char *q = p; q + nlit <= end && !stop; q++)
				if (memcmp(q, want, nlit) == 0)
					stop = q;
			if (!stop || *nval == IMPORT_TEMPLATE_VALUES)
				return false;
		}
		val[*nval] = p;
		vlen[(*nval)++] = (size_t)(stop - p);
		p = stop;
	}
	return p == end;
}

static size_t import_template_fill(const char *zh, const char *val[], const size_t vlen[],
                                   int nval, char *buf, size_t bufsz)
{
	size_t o = 0;
	for (const char *t = zh; *t && o + 1 < bufsz; t++) {
		int k = t[0] == '%' && t[1] >= '1' && t[1] <= '9' ? t[1] - '1' : -1;
		if (k < 0 || k >= nval) {
			buf[o++] = *t;
			continue;
		}
		t++;
		const char *v = val[k];
		size_t n = vlen[k];
		if (n == 4 && memcmp(v, "male", 4) == 0)
			v = "男", n = strlen(v);
		else if (n == 6 && memcmp(v, "female", 6) == 0)
			v = "女", n = strlen(v);
		n = n < bufsz - 1 - o ? n : bufsz - 1 - o;
		memcpy(buf + o, v, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}

const char *import_zh_reason(const char *reason, size_t *rlen, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < sizeof import_templates_zh / sizeof import_templates_zh[0];
	     i++) {
		const char *val[IMPORT_TEMPLATE_VALUES];
		size_t vlen[IMPORT_TEMPLATE_VALUES];
		int nval;
		if (import_template_match(import_templates_zh[i].en, reason, *rlen, val, vlen,
		                          &nval)) {
			*rlen = import_template_fill(import_templates_zh[i].zh, val, vlen, nval,
			                             buf, bufsz);
			return buf;
		}
	}
	for (size_t i = 0; i < sizeof import_reasons_zh / sizeof import_reasons_zh[0]; i++) {
		size_t n = strlen(import_reasons_zh[i].en);
		if (*rlen >= n && memcmp(reason, import_reasons_zh[i].en, n) == 0) {
			int w = snprintf(buf, bufsz, "%s%.*s", import_reasons_zh[i].zh,
			                 (int)(*rlen - n), reason + n);
			*rlen = w < 0 ? 0 : (size_t)w < bufsz ? (size_t)w : bufsz - 1;
			return buf;
		}
	}
	return reason;
}

