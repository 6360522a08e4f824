/*
 * genroster_data.c - word lists for synthetic rosters. Frequencies are
 * rough Guangdong figures; occupation names are taken from the national
 * occupational classification (职业分类大典, 2015/2022 editions) so that a
 * generated pool looks like a real one in listings and draws.
 */
#include <stddef.h>

#include "genroster_data.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Per mille, roughly as in Guangdong: 陈, 李, 黄 lead; 麦, 区, 冼 are
 * Cantonese surnames rarer elsewhere. */
const struct genroster_han genroster_surnames[] = {
	{"陈", "chen", 85}, {"李", "li", 65}, {"黄", "huang", 62}, {"张", "zhang", 46},
	{"梁", "liang", 42}, {"林", "lin", 37}, {"刘", "liu", 35}, {"吴", "wu", 28},
	{"罗", "luo", 27}, {"何", "he", 24}, {"郑", "zheng", 22}, {"周", "zhou", 20},
	{"谢", "xie", 19}, {"王", "wang", 19}, {"冯", "feng", 17}, {"叶", "ye", 16},
	{"杨", "yang", 16}, {"邓", "deng", 15}, {"钟", "zhong", 15}, {"麦", "mai", 13},
	{"苏", "su", 12}, {"卢", "lu", 12}, {"朱", "zhu", 12}, {"许", "xu", 11},
	{"曾", "zeng", 11}, {"彭", "peng", 10}, {"潘", "pan", 10}, {"蔡", "cai", 10},
	{"余", "yu", 9}, {"郭", "guo", 9}, {"廖", "liao", 9}, {"莫", "mo", 8},
	{"谭", "tan", 8}, {"区", "ou", 7}, {"关", "guan", 7}, {"邱", "qiu", 7},
	{"赖", "lai", 6}, {"温", "wen", 6}, {"袁", "yuan", 6}, {"赵", "zhao", 6},
	{"胡", "hu", 6}, {"方", "fang", 5}, {"江", "jiang", 5}, {"徐", "xu", 5},
	{"伍", "wu", 5}, {"杜", "du", 5}, {"孙", "sun", 4}, {"汤", "tang", 3},
	{"骆", "luo", 3}, {"甘", "gan", 3}, {"庞", "pang", 3}, {"简", "jian", 3},
	{"劳", "lao", 2}, {"欧阳", "ouyang", 3}, {"司徒", "situ", 3}, {"冼", "xian", 3},
	{"霍", "huo", 3}, {"岑", "cen", 3}, {"龚", "gong", 3}, {"邝", "kuang", 3},
};
const size_t genroster_n_surnames = N(genroster_surnames);

const struct genroster_han genroster_given_male[] = {
	{"伟", "wei", 1}, {"强", "qiang", 1}, {"志", "zhi", 1}, {"明", "ming", 1},
	{"杰", "jie", 1}, {"俊", "jun", 1}, {"辉", "hui", 1}, {"华", "hua", 1},
	{"建", "jian", 1}, {"国", "guo", 1}, {"文", "wen", 1}, {"浩", "hao", 1},
	{"锋", "feng", 1}, {"海", "hai", 1}, {"波", "bo", 1}, {"勇", "yong", 1},
	{"健", "jian", 1}, {"峰", "feng", 1}, {"荣", "rong", 1}, {"永", "yong", 1},
	{"德", "de", 1}, {"成", "cheng", 1}, {"鹏", "peng", 1}, {"东", "dong", 1},
	{"军", "jun", 1}, {"斌", "bin", 1}, {"涛", "tao", 1}, {"龙", "long", 1},
	{"家", "jia", 1}, {"豪", "hao", 1}, {"宇", "yu", 1}, {"耀", "yao", 1},
	{"雄", "xiong", 1}, {"锦", "jin", 1}, {"振", "zhen", 1}, {"洪", "hong", 1},
	{"彬", "bin", 1}, {"灿", "can", 1}, {"伦", "lun", 1}, {"权", "quan", 1},
	{"冠", "guan", 1}, {"达", "da", 1}, {"坚", "jian", 1}, {"炳", "bing", 1},
	{"源", "yuan", 1}, {"铭", "ming", 1}, {"晖", "hui", 1}, {"智", "zhi", 1},
	{"嘉", "jia", 1}, {"少", "shao", 1}, {"立", "li", 1}, {"子", "zi", 1},
};
const size_t genroster_n_given_male = N(genroster_given_male);

const struct genroster_han genroster_given_female[] = {
	{"芳", "fang", 1}, {"丽", "li", 1}, {"敏", "min", 1}, {"静", "jing", 1},
	{"燕", "yan", 1}, {"玲", "ling", 1}, {"婷", "ting", 1}, {"娟", "juan", 1},
	{"霞", "xia", 1}, {"红", "hong", 1}, {"艳", "yan", 1}, {"萍", "ping", 1},
	{"慧", "hui", 1}, {"琳", "lin", 1}, {"雪", "xue", 1}, {"颖", "ying", 1},
	{"秀", "xiu", 1}, {"梅", "mei", 1}, {"兰", "lan", 1}, {"洁", "jie", 1},
	{"晶", "jing", 1}, {"欣", "xin", 1}, {"怡", "yi", 1}, {"嘉", "jia", 1},
	{"咏", "yong", 1}, {"诗", "shi", 1}, {"婉", "wan", 1}, {"翠", "cui", 1},
	{"凤", "feng", 1}, {"碧", "bi", 1}, {"珊", "shan", 1}, {"瑜", "yu", 1},
	{"淑", "shu", 1}, {"宝", "bao", 1}, {"珍", "zhen", 1}, {"莉", "li", 1},
	{"妍", "yan", 1}, {"倩", "qian", 1}, {"彩", "cai", 1}, {"美", "mei", 1},
	{"丹", "dan", 1}, {"佩", "pei", 1}, {"韵", "yun", 1}, {"蕾", "lei", 1},
	{"晓", "xiao", 1}, {"思", "si", 1}, {"雅", "ya", 1}, {"小", "xiao", 1},
};
const size_t genroster_n_given_female = N(genroster_given_female);

/* Mostly Guangzhou's eleven districts, then the rest of Guangdong, then
 * the provinces many Guangzhou workers come from. Weights in per mille. */
const struct genroster_area genroster_areas[] = {
	{"440103", 65}, {"440104", 80}, {"440105", 95}, {"440106", 95},
	{"440111", 110}, {"440112", 60}, {"440113", 100}, {"440114", 60},
	{"440115", 35}, {"440117", 30}, {"440118", 50},
	{"440303", 6}, {"440304", 6}, {"440604", 8}, {"440605", 8}, {"440606", 7},
	{"441900", 8}, {"442000", 6}, {"440402", 5}, {"440703", 6}, {"440802", 9},
	{"440902", 10}, {"441202", 6}, {"441302", 6}, {"441402", 9}, {"445102", 5},
	{"440507", 6}, {"441802", 7}, {"445202", 6}, {"440203", 6}, {"441502", 4},
	{"441602", 5}, {"441702", 5}, {"445302", 4},
	{"430102", 8}, {"430421", 7}, {"450103", 7}, {"360102", 6}, {"420106", 6},
	{"510104", 5}, {"350102", 4}, {"410102", 5},
};
const size_t genroster_n_areas = N(genroster_areas);

const struct genroster_district genroster_districts[] = {
	{"荔湾区", "440103"}, {"越秀区", "440104"}, {"海珠区", "440105"},
	{"天河区", "440106"}, {"白云区", "440111"}, {"黄埔区", "440112"},
	{"番禺区", "440113"}, {"花都区", "440114"}, {"南沙区", "440115"},
	{"从化区", "440117"}, {"增城区", "440118"},
};
const size_t genroster_n_districts = N(genroster_districts);

const char *const genroster_occupations[] = {
	"电工", "中式烹调师", "育婴员", "保育员", "养老护理员", "美容师", "焊工",
	"电子商务师", "中式面点师", "家政服务员", "汽车维修工", "美发师",
	"企业人力资源管理师", "保安员", "茶艺师", "钳工", "西式面点师",
	"网络与信息安全管理员", "车工", "健康管理师", "消防设施操作员",
	"互联网营销师", "人工智能训练师", "物流服务师", "电梯安装维修工",
	"制冷空调系统安装维修工", "中药调剂员", "工业机器人系统操作员",
	"工业机器人系统运维员", "西式烹调师", "评茶员", "营养配餐员", "公共营养师",
	"劳动关系协调员", "眼镜验光员", "眼镜定配工", "保健按摩师", "孤残儿童护理员",
	"婴幼儿发展引导员", "铣工", "磨工", "多工序数控机床操作调整工",
	"机床装调维修工", "模具工", "装配钳工", "工具钳工", "计算机程序设计员",
	"计算机维修工", "计算机软件测试员", "信息通信网络运行管理员",
	"信息通信信息化系统管理员", "物联网安装调试员", "无人机驾驶员", "汽车装调工",
	"摩托车修理工", "餐厅服务员", "前厅服务员", "客房服务员", "调酒师", "咖啡师",
	"插花花艺师", "园林绿化工", "农艺工", "农作物植保员", "动物疫病防治员",
	"砌筑工", "混凝土工", "钢筋工", "架子工", "防水工", "管工",
	"起重装卸机械操作工", "锅炉操作工", "化工总控工", "化学检验员",
	"农产品食品检验员", "质检员", "仪器仪表维修工", "变配电运行值班员",
	"继电保护员", "铸造工", "锻造工", "金属热处理工", "冲压工", "涂装工",
	"电切削工", "物业管理员", "智能楼宇管理员", "信息安全测试员",
	"区块链应用操作员", "数字化管理师", "全媒体运营师", "农业经理人",
	"供应链管理师", "呼叫中心服务员", "快递员", "网约配送员", "健康照护师",
	"老年人能力评估师", "电子竞技员", "电子竞技运营师", "城市轨道交通列车司机",
	"城市轨道交通服务员", "机动车检测工", "化妆师", "形象设计师",
	"宠物健康护理员", "碳排放管理员", "装配式建筑施工员",
	"广电和通信设备电子装接工", "手工木工", "中央空调系统运行操作员",
	"水生产处理工", "工程测量员", "有害生物防制员", "营销员", "商品营业员",
	"连锁经营管理师", "职业指导员", "中药炮制工", "口腔修复体制作工",
	"康复辅助技术咨询师", "助听器验配师", "心理咨询师", "缝纫工", "服装制版师",
	"广告设计师", "室内装饰设计师", "家用电子产品维修工", "家用电器产品维修工",
	"医药商品购销员", "药物制剂工",
};
const size_t genroster_n_occupations = N(genroster_occupations);

const char *const genroster_brands[] = {
	"恒达", "宏图", "华南", "穗丰", "粤海", "南方", "珠江", "羊城", "广信", "金穗",
	"鸿运", "锦华", "东方", "明珠", "祥和", "嘉禾", "康泰", "安华", "立信", "德信",
	"卓越", "永安", "泰和", "中恒", "瑞丰", "创新", "科达", "新华", "远洋", "联合",
	"大昌", "合胜", "兴业", "丰泽", "荣达", "汇智", "博雅", "启航", "天成", "鼎盛",
	"盈丰", "恒信", "广大", "穗华", "粤港", "岭南", "南粤", "五羊", "花城", "越华",
	"海联", "金辉", "银河", "信达", "华美", "旭日", "宝华", "正德", "德昌", "同和",
	"嘉华", "利民", "惠民", "福安", "益康", "仁和", "颐康", "乐龄", "安康", "善和",
	"怡乐", "百信", "万顺", "千禧", "骏马", "云山", "流花", "沙面", "东山", "白鹅潭",
};
const size_t genroster_n_brands = N(genroster_brands);

const char *const genroster_industries[] = {
	"机电设备", "电子科技", "信息技术", "汽车服务", "家政服务", "物业管理",
	"建筑工程", "电气安装", "智能科技", "精密机械", "模具制造", "电梯工程",
	"空调工程", "人力资源服务", "网络科技", "物流", "食品", "美容美发",
	"健康管理", "电子商务", "化工", "环保科技", "检测技术", "服装",
	"供应链管理", "数据科技",
};
const size_t genroster_n_industries = N(genroster_industries);

const char *const genroster_associations[] = {
	"广州市烹饪协会", "广州市美容美发行业协会", "广州市家庭服务业协会",
	"广州市养老服务行业协会", "广州市汽车维修行业协会", "广州市电子商务行业协会",
	"广州市物业管理行业协会", "广州市电梯行业协会", "广州市保安服务协会",
	"广州市茶文化促进会", "广州市焊接技术协会", "广州市人工智能产业协会",
};
const size_t genroster_n_associations = N(genroster_associations);

static const char *const pos_school[] = {
	"专业教师", "实习指导教师", "专业部长", "教研组长", "教务处主任", "副校长",
	"讲师", "高级讲师", NULL};
static const char *const pos_college[] = {
	"专业教师", "一体化教师", "系主任", "教研室主任", "副院长", "高级讲师",
	"实习指导教师", NULL};
static const char *const pos_training[] = {
	"培训主管", "校长", "教学主任", "培训讲师", "考务主管", NULL};
static const char *const pos_hospital[] = {
	"护士长", "主管护师", "科室主任", "护理部主任", "康复治疗师", "营养科主任", NULL};
static const char *const pos_elder[] = {
	"院长", "护理主管", "护理部主任", "培训主管", "社工主管", NULL};
static const char *const pos_company[] = {
	"技术总监", "部门经理", "车间主任", "工程师", "培训主管", "质量主管",
	"总经理", "技术员", "生产经理", "人力资源经理", NULL};
static const char *const pos_hotel[] = {
	"行政总厨", "厨师长", "餐饮部经理", "培训经理", "前厅部经理", "客房部经理", NULL};
static const char *const pos_restaurant[] = {
	"行政总厨", "厨师长", "点心主管", "出品总监", "店长", NULL};
static const char *const pos_association[] = {
	"秘书长", "副秘书长", "培训部主任", "副会长", NULL};

const char *const *const genroster_positions[GENROSTER_ORG__COUNT] = {
	[GENROSTER_ORG_SCHOOL] = pos_school,
	[GENROSTER_ORG_COLLEGE] = pos_college,
	[GENROSTER_ORG_TRAINING] = pos_training,
	[GENROSTER_ORG_HOSPITAL] = pos_hospital,
	[GENROSTER_ORG_ELDER_CARE] = pos_elder,
	[GENROSTER_ORG_COMPANY] = pos_company,
	[GENROSTER_ORG_HOTEL] = pos_hotel,
	[GENROSTER_ORG_RESTAURANT] = pos_restaurant,
	[GENROSTER_ORG_ASSOCIATION] = pos_association,
};

const char *const genroster_mobile_prefixes[] = {
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "176", "177", "178", "180", "181", "182", "183", "184", "185",
	"186", "187", "188", "189", "191", "193", "195", "198", "199",
};
const size_t genroster_n_mobile_prefixes = N(genroster_mobile_prefixes);

const char *const genroster_mail_domains[] = {
	"163.com", "126.com", "139.com", "sina.com", "foxmail.com", "outlook.com",
	"hotmail.com", "yeah.net",
};
const size_t genroster_n_mail_domains = N(genroster_mail_domains);

const char *const genroster_zh_sexes[] = {"男", "女"};
const char *const genroster_zh_group_types[] = {"培训评审", "技能评价", "方式方法"};
const char *const genroster_zh_task_types[] = {
	"培训机构评审", "标准开发评审", "方式方法指导", "考评人员培训", "评价机构评估"};
const char *const genroster_zh_relaxations[] = {
	"紧缺工种", "新职业", "获奖者", "业绩显著", "部省级专家"};
/* What each ground rests on, as a Center clerk would note it. */
const char *const genroster_relaxation_evidence[] = {
	"列入广州市紧缺工种目录", "列入人社部新职业公告", "获省级技术能手称号",
	"单位出具的业绩证明", "省级培训评价专家聘书"};
const char *const genroster_zh_titles[] = {"无", "初级", "中级", "副高级", "正高级"};
const char *const genroster_zh_qualifications[] = {
	"无", "初级工", "中级工", "高级工", "技师", "高级技师"};

const char *const genroster_headers_zh[GENROSTER_N_COLUMNS] = {
	"姓名", "性别", "身份证号", "手机", "工作单位", "统一社会信用代码",
	"推荐单位信用代码", "推荐单位", "申请专家组专业", "专家组类型", "承担任务类型",
	"专业技术职称", "职业资格等级", "考评工作年限", "培训工作年限", "放宽条件",
	"放宽条件依据", "放宽条件职业（工种）", "职务", "电子邮箱"};
const char *const genroster_headers_en[GENROSTER_N_COLUMNS] = {
	"name", "sex", "resident_id", "phone", "employer", "employer_code",
	"recommender_code", "recommender", "specialties", "group_types", "task_types", "title",
	"qualification", "assess_years", "training_years", "relaxations",
	"relaxation_evidence", "relaxation_occupations", "position", "email"};
