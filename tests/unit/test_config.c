/*
 * test_config.c - settings: defaults, the INI file, option precedence,
 * each class of error (with the message naming the culprit), the
 * cross-field rules and endpoint locality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "fixture.h"
#include "log.h"
#include "proto.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	return fx_tmpdir(tmpdir, sizeof(tmpdir), "config") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return fx_rmdir(tmpdir) ? 0 : -1;
}

/* Run config_from_args on a NULL-terminated list of arguments. */
static int run(struct config *cfg, enum config_action *action, char *err,
               size_t errsz, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"expertd";
	va_start(ap, errsz);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return config_from_args(cfg, argc, argv, action, err, errsz);
}

#define RUN(cfg, action, err, ...) \
	run(cfg, action, err, sizeof(err), __VA_ARGS__, (char *)NULL)

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg;
	memset(&cfg, 0x5a, sizeof(cfg));
	config_defaults(&cfg);
	assert_string_equal(cfg.db_path, "./var/expertd.db");
	assert_string_equal(cfg.listen, "tcp://127.0.0.1:5570");
	assert_string_equal(cfg.pub_listen, "tcp://127.0.0.1:5571");
	assert_string_equal(cfg.answer_listen, "tcp://127.0.0.1:5572");
	assert_string_equal(cfg.secret_key_file, "");
	assert_string_equal(cfg.allowlist_file, "");
	assert_false(cfg.insecure);
	assert_int_equal(cfg.batch_max, 256);
	assert_int_equal(cfg.max_msg_size, PROTO_MAX_MSG);
	assert_int_equal(cfg.max_msg_size, 4 * 1024 * 1024);
	assert_int_equal(cfg.log_level, LOG_INFO);
}

static void test_no_args_gives_defaults(void **state)
{
	(void)state;
	struct config cfg, def;
	enum config_action action = CONFIG_HELP;
	char err[256];
	config_defaults(&def);
	assert_int_equal(run(&cfg, &action, err, sizeof(err), (char *)NULL), 0);
	assert_int_equal(action, CONFIG_RUN);
	assert_memory_equal(&cfg, &def, sizeof(cfg));
}

static void test_file_sets_everything(void **state)
{
	(void)state;
	const char *path = fx_write_file(tmpdir, "c", ".ini", 
		"# expertd test configuration\n"
		"[store]\n"
		"path = /srv/expertd/pool.db\n"
		"\n"
		"[server]\n"
		"listen = tcp://*:6000\n"
		"answer_listen = tcp://0.0.0.0:6002 ; trailing comment\n"
		"pub_listen = ipc:///run/expertd/pub\n"
		"batch_max = 17\n"
		"max_message_size = 65536\n"
		"; semicolon comment\n"
		"[security]\n"
		"secret_key = /etc/expertd/server.key\n"
		"allowlist = /etc/expertd/allowlist\n"
		"insecure = no\n"
		"[log]\n"
		"  level = debug\n");
	struct config cfg;
	enum config_action action;
	char err[256];
	assert_int_equal(RUN(&cfg, &action, err, "--config", (char *)path), 0);
	assert_int_equal(action, CONFIG_RUN);
	assert_string_equal(cfg.db_path, "/srv/expertd/pool.db");
	assert_string_equal(cfg.listen, "tcp://*:6000");
	assert_string_equal(cfg.answer_listen, "tcp://0.0.0.0:6002");
	assert_string_equal(cfg.pub_listen, "ipc:///run/expertd/pub");
	assert_int_equal(cfg.batch_max, 17);
	assert_int_equal(cfg.max_msg_size, 65536);
	assert_string_equal(cfg.secret_key_file, "/etc/expertd/server.key");
	assert_string_equal(cfg.allowlist_file, "/etc/expertd/allowlist");
	assert_false(cfg.insecure);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
}

static void test_bool_spellings(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool value;
	} cases[] = {
		{"true", true}, {"yes", true}, {"1", true}, {"TRUE", true},
		{"false", false}, {"no", false}, {"0", false}, {"No", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[security]\ninsecure = %s\n",
		         cases[i].text);
		const char *path = fx_write_file(tmpdir, "c", ".ini", text);
		struct config cfg;
		enum config_action action;
		char err[256];
		assert_int_equal(RUN(&cfg, &action, err, "--config", (char *)path), 0);
		assert_int_equal(cfg.insecure, cases[i].value);
	}
}

static void test_log_levels(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int level;
	} cases[] = {
		{"error", LOG_ERR}, {"warning", LOG_WARNING},
		{"notice", LOG_NOTICE}, {"info", LOG_INFO}, {"debug", LOG_DEBUG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		enum config_action action;
		char err[256];
		assert_int_equal(RUN(&cfg, &action, err, "--log-level",
		                     (char *)cases[i].name), 0);
		assert_int_equal(cfg.log_level, cases[i].level);
	}
}

static void test_options_override_file(void **state)
{
	(void)state;
	const char *path = fx_write_file(tmpdir, "c", ".ini", 
		"[store]\npath = /from/file.db\n"
		"[server]\nlisten = tcp://127.0.0.1:7000\nbatch_max = 5\n"
		"[security]\nsecret_key = /file.key\nallowlist = /file.allow\n"
		"[log]\nlevel = error\n");
	struct config cfg;
	enum config_action action;
	char err[256];

	/* Options before --config still win: the file is read first. */
	assert_int_equal(RUN(&cfg, &action, err,
	                     "--db", "/from/option.db",
	                     "--batch-max", "9",
	                     "--log-level=notice",
	                     "--config", (char *)path,
	                     "--insecure",
	                     "--allowlist", "/opt.allow"), 0);
	assert_string_equal(cfg.db_path, "/from/option.db");
	assert_int_equal(cfg.batch_max, 9);
	assert_int_equal(cfg.log_level, LOG_NOTICE);
	assert_true(cfg.insecure);
	assert_string_equal(cfg.allowlist_file, "/opt.allow");
	/* What no option touched comes from the file. */
	assert_string_equal(cfg.listen, "tcp://127.0.0.1:7000");
	assert_string_equal(cfg.secret_key_file, "/file.key");
	/* And what neither set keeps its default. */
	assert_string_equal(cfg.pub_listen, "tcp://127.0.0.1:5571");

	assert_int_equal(RUN(&cfg, &action, err, "--listen", "ipc:///tmp/x",
	                     "--answer-listen", "ipc:///tmp/y",
	                     "--pub-listen", "ipc:///tmp/z",
	                     "--secret-key", "/k"), 0);
	assert_string_equal(cfg.listen, "ipc:///tmp/x");
	assert_string_equal(cfg.answer_listen, "ipc:///tmp/y");
	assert_string_equal(cfg.pub_listen, "ipc:///tmp/z");
	assert_string_equal(cfg.secret_key_file, "/k");
}

static void test_actions(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];

	assert_int_equal(RUN(&cfg, &action, err, "--check-config"), 0);
	assert_int_equal(action, CONFIG_CHECK);
	assert_int_equal(RUN(&cfg, &action, err, "--help"), 0);
	assert_int_equal(action, CONFIG_HELP);
	assert_int_equal(RUN(&cfg, &action, err, "-h"), 0);
	assert_int_equal(action, CONFIG_HELP);
	assert_int_equal(RUN(&cfg, &action, err, "--version"), 0);
	assert_int_equal(action, CONFIG_VERSION);
	assert_int_equal(RUN(&cfg, &action, err, "-V"), 0);
	assert_int_equal(action, CONFIG_VERSION);
	/* --help does not read the config file, so it works with a broken one. */
	assert_int_equal(RUN(&cfg, &action, err, "--config", "/nonexistent/x.ini",
	                     "--help"), 0);
	assert_int_equal(action, CONFIG_HELP);
}

static void test_usage_errors(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];

	assert_int_equal(RUN(&cfg, &action, err, "--bogus"), EX_USAGE);
	fx_assert_contains(err, "--bogus");
	assert_int_equal(RUN(&cfg, &action, err, "-x"), EX_USAGE);
	fx_assert_contains(err, "-x");
	assert_int_equal(RUN(&cfg, &action, err, "--db"), EX_USAGE);
	fx_assert_contains(err, "--db");
	fx_assert_contains(err, "needs a value");
	assert_int_equal(RUN(&cfg, &action, err, "--insecure=yes"), EX_USAGE);
	fx_assert_contains(err, "--insecure");
	assert_int_equal(RUN(&cfg, &action, err, "stray"), EX_USAGE);
	fx_assert_contains(err, "stray");
	/* Usage errors come before the file is even opened. */
	assert_int_equal(RUN(&cfg, &action, err, "--config", "/nonexistent/x",
	                     "--bogus"), EX_USAGE);
}

static void test_bad_option_values(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];

	assert_int_equal(RUN(&cfg, &action, err, "--batch-max", "abc"), EX_CONFIG);
	fx_assert_contains(err, "--batch-max");
	fx_assert_contains(err, "abc");
	assert_int_equal(RUN(&cfg, &action, err, "--batch-max", "0"), EX_CONFIG);
	assert_int_equal(RUN(&cfg, &action, err, "--batch-max", "10001"), EX_CONFIG);
	assert_int_equal(RUN(&cfg, &action, err, "--batch-max", "10000"), 0);
	assert_int_equal(RUN(&cfg, &action, err, "--batch-max", "12x"), EX_CONFIG);
	assert_int_equal(RUN(&cfg, &action, err, "--log-level", "loud"), EX_CONFIG);
	fx_assert_contains(err, "--log-level");
	fx_assert_contains(err, "loud");
	assert_int_equal(RUN(&cfg, &action, err, "--db", ""), EX_CONFIG);
	fx_assert_contains(err, "--db");

	char longpath[CONFIG_PATH_MAX + 10];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(RUN(&cfg, &action, err, "--db", longpath), EX_CONFIG);
	fx_assert_contains(err, "longer than");
}

/* [assign] and [ledger] (PROTOCOL.md 7.12.2, 7.12.5): defaults, a file
 * that sets each, and the values refused. */
static void test_assign_and_ledger(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];
	assert_int_equal(RUN(&cfg, &action, err, "--insecure"), 0);
	assert_int_equal(cfg.response_hours, 24);
	assert_int_equal(cfg.ledger.weight[POLICY_NO_SHOW], 3);
	assert_true(cfg.ledger.excused[POLICY_REASON_ILLNESS]);
	assert_false(cfg.ledger.excused[POLICY_REASON_SCHEDULE]);
	assert_string_equal(cfg.notify_listen, "tcp://127.0.0.1:5573");

	const char *path = fx_write_file(tmpdir, "c", ".ini", 
		"[assign]\nresponse_hours = 48\n"
		"[ledger]\nweight_decline = 2\nweight_excused = 0\nweight_expiry = 4\n"
		"weight_withdrawal = 5\nweight_no_show = 6\n"
		"excused = schedule, other\nexcused_free = 1\nwindow_days = 30\n"
		"warn_at = 7\nflag_at = 9\nflag_span_days = 29\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), 0);
	assert_int_equal(cfg.response_hours, 48);
	assert_int_equal(cfg.ledger.weight[POLICY_DECLINE], 2);
	assert_int_equal(cfg.ledger.weight[POLICY_EXCUSED], 0);
	assert_int_equal(cfg.ledger.weight[POLICY_EXPIRY], 4);
	assert_int_equal(cfg.ledger.weight[POLICY_WITHDRAWAL], 5);
	assert_int_equal(cfg.ledger.weight[POLICY_NO_SHOW], 6);
	assert_true(cfg.ledger.excused[POLICY_REASON_SCHEDULE]);
	assert_true(cfg.ledger.excused[POLICY_REASON_OTHER]);
	assert_false(cfg.ledger.excused[POLICY_REASON_ILLNESS]);
	assert_int_equal(cfg.ledger.excused_free, 1);
	assert_int_equal(cfg.ledger.window_days, 30);
	assert_int_equal(cfg.ledger.warn_at, 7);
	assert_int_equal(cfg.ledger.flag_at, 9);
	assert_int_equal(cfg.ledger.flag_span_days, 29);

	path = fx_write_file(tmpdir, "c", ".ini", "[ledger]\nexcused = none\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), 0);
	for (int r = 0; r < POLICY_REASON__COUNT; r++)
		assert_false(cfg.ledger.excused[r]);

	path = fx_write_file(tmpdir, "c", ".ini", "[ledger]\nexcused = illness, hangover\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "hangover");
	path = fx_write_file(tmpdir, "c", ".ini", "[assign]\nresponse_hours = 0\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "response_hours");

	path = fx_write_file(tmpdir, "c", ".ini", "[ledger]\nwarn_at = 6\nflag_at = 5\n");
	assert_int_equal(RUN(&cfg, &action, err, "--insecure", "--config", path), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), EX_CONFIG);
	fx_assert_contains(err, "warn_at");

	/* The span a flag needs: default 90, below the window or never met. */
	assert_int_equal(RUN(&cfg, &action, err, "--insecure"), 0);
	assert_int_equal(cfg.ledger.flag_span_days, 90);
	path = fx_write_file(tmpdir, "c", ".ini", "[ledger]\nwindow_days = 30\n");
	assert_int_equal(RUN(&cfg, &action, err, "--insecure", "--config", path), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), EX_CONFIG);
	fx_assert_contains(err, "flag_span_days 90 must be below window_days 30");
	path = fx_write_file(tmpdir, "c", ".ini", "[ledger]\nflag_span_days = -1\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "flag_span_days");

	/* The shortest window a bureau may ask for: default 60 minutes, not
	 * above the default window every bureau gets. */
	assert_int_equal(RUN(&cfg, &action, err, "--insecure"), 0);
	assert_int_equal(cfg.min_response_minutes, 60);
	path = fx_write_file(tmpdir, "c", ".ini",
	                     "[assign]\nresponse_hours = 2\nmin_response_minutes = 120\n");
	assert_int_equal(RUN(&cfg, &action, err, "--insecure", "--config", path), 0);
	assert_int_equal(cfg.min_response_minutes, 120);
	assert_int_equal(config_validate(&cfg, err, sizeof err), 0);
	path = fx_write_file(tmpdir, "c", ".ini",
	                     "[assign]\nresponse_hours = 2\nmin_response_minutes = 121\n");
	assert_int_equal(RUN(&cfg, &action, err, "--insecure", "--config", path), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof err), EX_CONFIG);
	fx_assert_contains(err, "min_response_minutes 121 is above response_hours 2");
	path = fx_write_file(tmpdir, "c", ".ini", "[assign]\nmin_response_minutes = 0\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), 0);
	assert_int_equal(cfg.min_response_minutes, 0);   /* no minimum */
	path = fx_write_file(tmpdir, "c", ".ini", "[assign]\nmin_response_minutes = -1\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "min_response_minutes");
}

/* The refusal's list of codes holds whole codes only, and says that
 * more follow when not all fit (PROTOCOL.md 7.6.3). */
static void test_grounds_codes_cut_whole(void **state)
{
	(void)state;
	struct grounds g = {.n = GROUNDS_MAX};
	for (size_t k = 0; k < GROUNDS_MAX; k++)
		snprintf(g.v[k].code, sizeof g.v[k].code, "ground_%02zu_%s", k,
		         "abcdefghijklmnopqrstuv");
	char codes[320];
	grounds_codes(&g, codes, sizeof codes);
	size_t len = strlen(codes);
	assert_true(len < sizeof codes);
	assert_string_equal(codes + len - strlen(", …"), ", …");
	/* Every listed code is whole: each item before the mark is a code. */
	char copy[320];
	strcpy(copy, codes);
	copy[len - strlen(", …")] = '\0';
	size_t items = 0;
	for (char *save, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		assert_non_null(grounds_find(&g, t, strlen(t)));
		items++;
	}
	assert_true(items > GROUNDS_BUILTIN_COUNT && items < GROUNDS_BUILTIN_COUNT + GROUNDS_MAX);
	/* All of them when they fit. */
	g.n = 2;
	grounds_codes(&g, codes, sizeof codes);
	assert_null(strstr(codes, "…"));
	assert_non_null(strstr(codes, g.v[1].code));
}

/* [grounds]: the Center's own grounds (POLICY.md 6.3). */
static void test_grounds(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];
	assert_int_equal(RUN(&cfg, &action, err, "--insecure"), 0);
	assert_int_equal(cfg.grounds.n, 0);
	const char *path = fx_write_file(tmpdir, "c", ".ini",
		"[grounds]\nbribery =  收受财物 | accepting gifts \nleak_exam2 = 泄露试题\n");
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), 0);
	assert_int_equal(cfg.grounds.n, 2);
	assert_string_equal(cfg.grounds.v[0].code, "bribery");
	assert_string_equal(cfg.grounds.v[0].label, "收受财物");
	assert_string_equal(cfg.grounds.v[0].label_en, "accepting gifts");
	assert_string_equal(cfg.grounds.v[1].label_en, "");
	assert_non_null(grounds_find(&cfg.grounds, "leak_exam2", 10));
	assert_non_null(grounds_find(&cfg.grounds, "other", 5));
	assert_null(grounds_find(&cfg.grounds, "leak_exam", 9));
	char codes[256];
	grounds_codes(&cfg.grounds, codes, sizeof codes);
	assert_string_equal(codes, "confidentiality, favouritism, non_participation, other, "
	                           "bribery, leak_exam2");
	char x33[64];
	snprintf(x33, sizeof x33, "[grounds]\n%s = 标签\n",
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"[grounds]\nother = 其他\n", "built-in"},
		{"[grounds]\nBribery = 收受\n", "not a ground code"},
		{"[grounds]\n9lives = 收受\n", "not a ground code"},
		{"[grounds]\nbri-bery = 收受\n", "not a ground code"},
		{"[grounds]\nbribery =\n", "Chinese label"},
		{"[grounds]\nbribery = 收受 |\n", "Chinese label"},
		{"[grounds]\nbribery = \xff\xfe\n", "Chinese label"},
		{"[grounds]\nbribery = a\nbribery = b\n", "set twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = fx_write_file(tmpdir, "c", ".ini", bad[i].text);
		assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
		fx_assert_contains(err, bad[i].why);
		/* The line at fault: the second key for the one set twice. */
		fx_assert_contains(err, strstr(bad[i].why, "twice") ? ":3: [grounds]"
		                                                   : ":2: [grounds]");
	}
	path = fx_write_file(tmpdir, "c", ".ini", x33);
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "not a ground code");
	/* At most GROUNDS_MAX. */
	char many[4096] = "[grounds]\n";
	for (int i = 0; i <= GROUNDS_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "g%d = 依据\n", i);
	path = fx_write_file(tmpdir, "c", ".ini", many);
	assert_int_equal(RUN(&cfg, &action, err, "--config", path), EX_CONFIG);
	fx_assert_contains(err, "more than 32 grounds");
}

static void test_missing_file(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[256];
	assert_int_equal(RUN(&cfg, &action, err, "--config",
	                     "/nonexistent/expertd.ini"), EX_NOINPUT);
	fx_assert_contains(err, "/nonexistent/expertd.ini");
}

/* Each bad file gives EX_CONFIG and a message with path:line and more. */
static void test_file_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int line;
		const char *mention;
	} cases[] = {
		{"[server]\nlisten = tcp://127.0.0.1:1\nbogus = 1\n", 3, "bogus"},
		{"[store]\npath = x\n[nosuch]\nkey = 1\n", 3, "nosuch"},
		{"[nosuch]\n", 1, "nosuch"},
		{"path = x\n", 1, "path"},
		{"[server]\nbatch_max = many\n", 2, "batch_max"},
		{"[server]\nbatch_max = 0\n", 2, "batch_max"},
		{"[server]\nbatch_max = 99999999999999999999\n", 2, "batch_max"},
		{"[server]\nmax_message_size = 1024\n", 2, "max_message_size"},
		{"[server]\nmax_message_size = 134217728\n", 2, "max_message_size"},
		{"[security]\n\ninsecure = maybe\n", 3, "insecure"},
		{"[log]\nlevel = chatty\n", 2, "level"},
		{"[store]\npath =\n", 2, "path"},
		{"[server]\nlisten = a\nlisten = b\n", 3, "listen"},
		{"[store]\nthis line has no equals sign\n", 2, "syntax"},
		{"[store\npath = x\n", 1, "syntax"},
		{"[security]\nsecret_key = /k\n[store\n[server]\nnope = 1\n", 3,
		 "syntax"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = fx_write_file(tmpdir, "c", ".ini", cases[i].text);
		char where[160];
		snprintf(where, sizeof(where), "%s:%d:", path, cases[i].line);
		struct config cfg;
		enum config_action action;
		char err[512];
		int rc = RUN(&cfg, &action, err, "--config", (char *)path);
		if (rc != EX_CONFIG)
			fail_msg("case %zu: rc %d, err '%s'", i, rc, err);
		fx_assert_contains(err, where);
		fx_assert_contains(err, cases[i].mention);
	}
}

static void test_file_long_line(void **state)
{
	(void)state;
	char text[600];
	memset(text, 0, sizeof(text));
	strcpy(text, "[store]\npath = /");
	memset(text + strlen(text), 'p', 400);
	strcat(text, "\n");
	const char *path = fx_write_file(tmpdir, "c", ".ini", text);
	struct config cfg;
	enum config_action action;
	char err[512];
	assert_int_equal(RUN(&cfg, &action, err, "--config", (char *)path),
	                 EX_CONFIG);
	char where[160];
	snprintf(where, sizeof(where), "%s:2:", path);
	fx_assert_contains(err, where);
	fx_assert_contains(err, "longer");
}

static void secure_cfg(struct config *cfg)
{
	config_defaults(cfg);
	strcpy(cfg->secret_key_file, "/etc/expertd/server.key");
	strcpy(cfg->allowlist_file, "/etc/expertd/allowlist");
}

static void test_validate(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];

	/* Defaults are secure mode without keys: refused. */
	config_defaults(&cfg);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "secret_key");

	secure_cfg(&cfg);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	strcpy(cfg.listen, "tcp://*:5570"); /* fine with CURVE */
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	secure_cfg(&cfg);
	cfg.allowlist_file[0] = '\0';
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "allowlist");

	/* Insecure needs no keys, but only local endpoints. */
	config_defaults(&cfg);
	cfg.insecure = true;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	strcpy(cfg.pub_listen, "tcp://0.0.0.0:5571");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "pub_listen");
	fx_assert_contains(err, "0.0.0.0");
	config_defaults(&cfg);
	cfg.insecure = true;
	strcpy(cfg.answer_listen, "tcp://*:5572");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "answer_listen");
	config_defaults(&cfg);
	cfg.insecure = true;
	strcpy(cfg.listen, "tcp://10.0.0.1:5570");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "listen");

	secure_cfg(&cfg);
	cfg.batch_max = 0;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "batch_max");
	cfg.batch_max = 10001;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	cfg.batch_max = 1;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	cfg.max_msg_size = 65535;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "max_message_size");
	cfg.max_msg_size = 64 * 1024 * 1024 + 1;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	cfg.max_msg_size = 64 * 1024 * 1024;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.max_msg_size = 65536;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	secure_cfg(&cfg);
	strcpy(cfg.pub_listen, cfg.listen);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "pub_listen");

	secure_cfg(&cfg);
	strcpy(cfg.listen, "udp://127.0.0.1:1");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "udp://");
}

static void test_insecure_from_args(void **state)
{
	(void)state;
	struct config cfg;
	enum config_action action;
	char err[512];
	assert_int_equal(RUN(&cfg, &action, err, "--insecure", "--listen",
	                     "tcp://*:5570"), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), EX_CONFIG);
	fx_assert_contains(err, "tcp://*:5570");
}

static void test_endpoint_locality(void **state)
{
	(void)state;
	static const char *const local[] = {
		"ipc:///run/expertd/req",
		"ipc://@abstract",
		"tcp://127.0.0.1:5570",
		"tcp://127.1.2.3:1",
		"tcp://127.255.255.254:65535",
		"tcp://localhost:5570",
		"tcp://[::1]:5570",
		"tcp://127.0.0.1:*",
	};
	static const char *const remote[] = {
		"tcp://*:5570",
		"tcp://0.0.0.0:5570",
		"tcp://10.1.2.3:5570",
		"tcp://128.0.0.1:5570",
		"tcp://[::]:5570",
		"tcp://[::2]:5570",
		"tcp://eth0:5570",
		"tcp://localhost.example.org:5570",
		"tcp://127.0.0.1.example.org:5570",
		"tcp://127.0.0.1",
		"tcp://127.0.0.1:",
		"tcp://127.0.0.1:70000",
		"tcp://127.0.0.1:55x",
		"tcp://[::1]5570",
		"tcp://10.0.0.1;127.0.0.1:5570",
		"tcp://",
		"ipc://",
		"udp://127.0.0.1:5570",
		"inproc://x",
		"",
	};
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		if (!config_endpoint_is_local(local[i]))
			fail_msg("%s should be local", local[i]);
	}
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		if (config_endpoint_is_local(remote[i]))
			fail_msg("%s should not be local", remote[i]);
	}
}

static void test_usage_text(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	config_usage(fp);
	assert_int_equal(fclose(fp), 0);
	static const char *const options[] = {
		"--config", "--db", "--listen", "--answer-listen", "--pub-listen",
		"--secret-key", "--sign-key", "--allowlist", "--insecure", "--batch-max",
		"--log-level", "--check-config", "--help", "--version",
		"max_message_size",
	};
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		fx_assert_contains(buf, options[i]);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_no_args_gives_defaults),
		cmocka_unit_test(test_file_sets_everything),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_options_override_file),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_bad_option_values),
		cmocka_unit_test(test_assign_and_ledger),
		cmocka_unit_test(test_grounds),
		cmocka_unit_test(test_grounds_codes_cut_whole),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_long_line),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_insecure_from_args),
		cmocka_unit_test(test_endpoint_locality),
		cmocka_unit_test(test_usage_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
