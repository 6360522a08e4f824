/*
 * config.c - the daemon's settings. One table (config_keys) names every
 * setting once, with its INI section and key, its command-line option and
 * how to parse it, so the file and the command line cannot drift apart.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <ini.h>

#include "log.h"
#include "proto.h"

#define CONFIG_BATCH_MIN 1
#define CONFIG_BATCH_MAX 10000
/* Below 64 KiB the CURVE handshake itself no longer fits. */
#define CONFIG_MSG_MIN (64 * 1024)
#define CONFIG_MSG_MAX (64 * 1024 * 1024)

enum config_kind {
	CONFIG_K_STR,
	CONFIG_K_INT,
	CONFIG_K_BOOL,
	CONFIG_K_LEVEL,
	CONFIG_K_REASONS,   /* decline reasons: bool[POLICY_REASON__COUNT] */
};

struct config_key {
	const char *section;
	const char *name;
	const char *option; /* long option, without "--" */
	enum config_kind kind;
	size_t offset;      /* of the field in struct config */
	size_t size;        /* STR: the field's buffer size */
	int min, max;       /* INT: allowed range */
};

#define CONFIG_STR(sec, key, opt, field)                                   \
	{sec, key, opt, CONFIG_K_STR, offsetof(struct config, field),      \
	 sizeof(((struct config *)0)->field), 0, 0}

#define CONFIG_LEDGER_WEIGHT(key, kind)                                    \
	{"ledger", key, NULL, CONFIG_K_INT,                                \
	 offsetof(struct config, ledger.weight[kind]), 0, 0, 100}

static const struct config_key config_keys[] = {
	CONFIG_STR("store", "path", "db", db_path),
	CONFIG_STR("store", "url", "store-url", store_url),
	{"store", "standby", NULL, CONFIG_K_BOOL, offsetof(struct config, standby), 0, 0, 0},
	CONFIG_STR("server", "listen", "listen", listen),
	CONFIG_STR("server", "answer_listen", "answer-listen", answer_listen),
	CONFIG_STR("server", "pub_listen", "pub-listen", pub_listen),
	CONFIG_STR("server", "notify_listen", "notify-listen", notify_listen),
	CONFIG_STR("metrics", "listen", "metrics-listen", metrics_listen),
	{"server", "batch_max", "batch-max", CONFIG_K_INT,
	 offsetof(struct config, batch_max), 0, CONFIG_BATCH_MIN, CONFIG_BATCH_MAX},
	/* PROTOCOL.md 6.5: past this many pending requests, busy. */
	{"server", "queue_max", "queue-max", CONFIG_K_INT,
	 offsetof(struct config, queue_max), 0, 1, 100000},
	{"server", "max_message_size", NULL, CONFIG_K_INT,
	 offsetof(struct config, max_msg_size), 0, CONFIG_MSG_MIN, CONFIG_MSG_MAX},
	{"server", "max_connections", NULL, CONFIG_K_INT,
	 offsetof(struct config, max_connections), 0, 1, 60000},
	{"server", "answer_max_connections", NULL, CONFIG_K_INT,
	 offsetof(struct config, answer_max_connections), 0, 1, 60000},
	{"server", "request_retention_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, request_retention_days), 0, 0, 3650},
	CONFIG_STR("security", "secret_key", "secret-key", secret_key_file),
	CONFIG_STR("security", "sign_key", "sign-key", sign_key_file),
	CONFIG_STR("security", "previous_sign_key", "previous-sign-key",
	           previous_sign_key_file),
	CONFIG_STR("security", "allowlist", "allowlist", allowlist_file),
	{"security", "insecure", NULL, CONFIG_K_BOOL,
	 offsetof(struct config, insecure), 0, 0, 0},
	{"log", "level", "log-level", CONFIG_K_LEVEL,
	 offsetof(struct config, log_level), 0, 0, 0},
	{"draw", "rotation_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, rotation_days), 0, 0, 3650},
	{"draw", "exposure_cap", NULL, CONFIG_K_INT,
	 offsetof(struct config, exposure_cap), 0, 0, 1000},
	{"draw", "exposure_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, exposure_days), 0, 1, 3650},
	{"draw", "diversity", NULL, CONFIG_K_BOOL,
	 offsetof(struct config, diversity), 0, 0, 0},
	{"draw", "max_task_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, max_task_days), 0, 1, 1100},
	{"assign", "response_hours", NULL, CONFIG_K_INT,
	 offsetof(struct config, response_hours), 0, 1, 720},
	{"assign", "min_response_minutes", NULL, CONFIG_K_INT,
	 offsetof(struct config, min_response_minutes), 0, 0, 43200},
	CONFIG_LEDGER_WEIGHT("weight_decline", POLICY_DECLINE),
	CONFIG_LEDGER_WEIGHT("weight_excused", POLICY_EXCUSED),
	CONFIG_LEDGER_WEIGHT("weight_expiry", POLICY_EXPIRY),
	CONFIG_LEDGER_WEIGHT("weight_withdrawal", POLICY_WITHDRAWAL),
	CONFIG_LEDGER_WEIGHT("weight_no_show", POLICY_NO_SHOW),
	{"ledger", "excused", NULL, CONFIG_K_REASONS,
	 offsetof(struct config, ledger.excused), 0, 0, 0},
	{"ledger", "excused_free", NULL, CONFIG_K_INT,
	 offsetof(struct config, ledger.excused_free), 0, 0, 100},
	{"ledger", "window_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, ledger.window_days), 0, 1, 3650},
	{"ledger", "warn_at", NULL, CONFIG_K_INT,
	 offsetof(struct config, ledger.warn_at), 0, 0, 1000},
	{"ledger", "flag_at", NULL, CONFIG_K_INT,
	 offsetof(struct config, ledger.flag_at), 0, 0, 1000},
	{"ledger", "flag_span_days", NULL, CONFIG_K_INT,
	 offsetof(struct config, ledger.flag_span_days), 0, 0, 3650},
};
#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db_path, sizeof(cfg->db_path), "%s", "./var/expertd.db");
	snprintf(cfg->listen, sizeof(cfg->listen), "%s", "tcp://127.0.0.1:5570");
	snprintf(cfg->pub_listen, sizeof(cfg->pub_listen), "%s",
	         "tcp://127.0.0.1:5571");
	snprintf(cfg->answer_listen, sizeof(cfg->answer_listen), "%s",
	         "tcp://127.0.0.1:5572");
	snprintf(cfg->notify_listen, sizeof(cfg->notify_listen), "%s",
	         "tcp://127.0.0.1:5573");
	snprintf(cfg->metrics_listen, sizeof(cfg->metrics_listen), "%s",
	         "127.0.0.1:9570");
	cfg->secret_key_file[0] = '\0';
	cfg->sign_key_file[0] = '\0';
	cfg->previous_sign_key_file[0] = '\0';
	cfg->allowlist_file[0] = '\0';
	cfg->insecure = false;
	cfg->batch_max = 256;
	cfg->queue_max = 2048;
	cfg->max_msg_size = PROTO_MAX_MSG;
	cfg->max_connections = 1024;
	cfg->answer_max_connections = 8192;
	cfg->request_retention_days = 90;
	cfg->log_level = LOG_INFO;
	cfg->rotation_days = 365;
	cfg->exposure_cap = 0;
	cfg->exposure_days = 365;
	cfg->diversity = true;
	cfg->max_task_days = 31;
	cfg->response_hours = 24;
	cfg->min_response_minutes = 60;
	policy_defaults(&cfg->ledger);
}

/* "conflict illness" or "conflict,illness": the excused decline reasons;
 * "none" for none. */
static bool config_parse_reasons(const char *s, bool *out)
{
	bool set[POLICY_REASON__COUNT] = {false};
	if (strcasecmp(s, "none") != 0) {
		while (*s) {
			size_t n = strcspn(s, " ,\t");
			if (n > 0) {
				int r = proto_choice_index(policy_reason_names, s, n);
				if (r < 0)
					return false;
				set[r] = true;
			}
			s += n;
			s += strspn(s, " ,\t");
		}
	}
	memcpy(out, set, sizeof set);
	return true;
}

static void config_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void config_err(char *err, size_t errsz, const char *fmt, ...)
{
	if (err == NULL || errsz == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static bool config_parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

static bool config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "1"};
	static const char *const no[] = {"false", "no", "0"};
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * Store value into the field k names. On failure, why gets a reason that
 * the caller prefixes with where the value came from.
 */
static bool config_set(struct config *cfg, const struct config_key *k,
                       const char *value, char *why, size_t whysz)
{
	char *field = (char *)cfg + k->offset;

	switch (k->kind) {
	case CONFIG_K_STR:
		if (value[0] == '\0') {
			config_err(why, whysz, "empty value");
			return false;
		}
		if (strlen(value) >= k->size) {
			config_err(why, whysz, "value longer than %zu bytes",
			           k->size - 1);
			return false;
		}
		memcpy(field, value, strlen(value) + 1);
		return true;
	case CONFIG_K_INT:
		if (!config_parse_int(value, k->min, k->max, (int *)(void *)field)) {
			config_err(why, whysz,
			           "'%.64s' is not an integer in %d..%d", value,
			           k->min, k->max);
			return false;
		}
		return true;
	case CONFIG_K_BOOL:
		if (!config_parse_bool(value, (bool *)(void *)field)) {
			config_err(why, whysz,
			           "'%.64s' is not a boolean (true/false/yes/no/1/0)",
			           value);
			return false;
		}
		return true;
	case CONFIG_K_LEVEL:
		if (!log_level_parse(value, (int *)(void *)field)) {
			config_err(why, whysz,
			           "'%.64s' is not a log level "
			           "(error|warning|notice|info|debug)", value);
			return false;
		}
		return true;
	case CONFIG_K_REASONS:
		if (!config_parse_reasons(value, (bool *)(void *)field)) {
			config_err(why, whysz,
			           "'%.64s' is not a list of decline reasons (conflict, "
			           "illness, official_duty, schedule, other) or none",
			           value);
			return false;
		}
		return true;
	}
	config_err(why, whysz, "internal error: unknown setting kind");
	return false;
}

/* --- the INI file ------------------------------------------------------ */

/*
 * inih as packaged calls the handler without a line number, so the reader
 * counts lines itself. It also strips leading blanks, which turns off
 * inih's multi-line continuation: an indented line is a setting of its
 * own, not a silent append to the previous value.
 */
struct config_file {
	const char *path;
	FILE *fp;
	int line;          /* line being parsed */
	bool long_line;    /* a line did not fit inih's buffer */
	struct config *cfg;
	bool seen[CONFIG_NKEYS];
	char err[512];     /* first error we found, "" if none */
	int err_line;
};

/* [grounds] holds the Center's own grounds (POLICY.md 6.3), one key each. */
#define CONFIG_GROUNDS "grounds"

static bool config_section_known(const char *name, size_t len)
{
	if (len == strlen(CONFIG_GROUNDS) && memcmp(name, CONFIG_GROUNDS, len) == 0)
		return true;
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (strlen(config_keys[i].section) == len &&
		    memcmp(config_keys[i].section, name, len) == 0)
			return true;
	}
	return false;
}

static void config_file_fail(struct config_file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void config_file_fail(struct config_file *f, const char *fmt, ...)
{
	if (f->err[0] != '\0')
		return; /* keep the first */
	f->err_line = f->line;
	int n = snprintf(f->err, sizeof(f->err), "%s:%d: ", f->path, f->line);
	if (n < 0 || (size_t)n >= sizeof(f->err))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->err + n, sizeof(f->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Checks [section] headers, which inih does not pass to the handler. */
static void config_file_check_section(struct config_file *f, const char *s)
{
	if (s[0] != '[')
		return;
	const char *end = strchr(s, ']');
	if (end == NULL)
		return; /* inih reports the syntax error */
	if (!config_section_known(s + 1, (size_t)(end - s - 1)))
		config_file_fail(f, "unknown section [%.*s]",
		                 (int)(end - s - 1 > 64 ? 64 : end - s - 1), s + 1);
}

static char *config_file_reader(char *str, int num, void *stream)
{
	struct config_file *f = stream;

	if (f->long_line || fgets(str, num, f->fp) == NULL)
		return NULL;
	f->line++;
	size_t len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(f->fp)) {
		config_file_fail(f, "line longer than %d bytes", num - 3);
		f->long_line = true;
		return NULL; /* stop: the rest would be misread as new lines */
	}
	size_t skip = strspn(str, " \t");
	memmove(str, str + skip, len - skip + 1);
	config_file_check_section(f, str);
	return str;
}

static int config_file_handler(void *user, const char *section,
                               const char *name, const char *value)
{
	struct config_file *f = user;

	if (section[0] == '\0') {
		config_file_fail(f, "'%.64s' is outside any [section]", name);
		return 0;
	}
	if (strcmp(section, CONFIG_GROUNDS) == 0) {
		char why[256];
		if (grounds_add(&f->cfg->grounds, name, value, why, sizeof why))
			return 1;
		config_file_fail(f, "[%s] %s", section, why);
		return 0;
	}
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
			continue;
		if (f->seen[i]) {
			config_file_fail(f, "[%s] %s is set twice", section, name);
			return 0;
		}
		f->seen[i] = true;
		char why[256];
		if (!config_set(f->cfg, k, value, why, sizeof(why))) {
			config_file_fail(f, "[%s] %s: %s", section, name, why);
			return 0;
		}
		return 1;
	}
	if (config_section_known(section, strlen(section)))
		config_file_fail(f, "unknown key '%.64s' in [%s]", name, section);
	else
		config_file_fail(f, "unknown section [%.64s]", section);
	return 0;
}

static int config_load_file(struct config *cfg, const char *path,
                            char *err, size_t errsz)
{
	struct config_file f = {.path = path, .cfg = cfg};

	f.fp = fopen(path, "r");
	if (f.fp == NULL) {
		config_err(err, errsz, "cannot open config file %s: %s", path,
		           strerror(errno));
		return EX_NOINPUT;
	}
	int rc = ini_parse_stream(config_file_reader, &f, config_file_handler, &f);
	bool read_error = ferror(f.fp) != 0;
	fclose(f.fp);
	if (read_error) {
		config_err(err, errsz, "%s: read error", path);
		return EX_NOINPUT;
	}
	/* inih returns the first bad line; ours may be a later one. */
	if (rc > 0 && (f.err[0] == '\0' || rc < f.err_line)) {
		config_err(err, errsz, "%s:%d: syntax error (expected "
		           "[section] or key = value)", path, rc);
		return EX_CONFIG;
	}
	if (f.err[0] != '\0' || rc != 0) {
		config_err(err, errsz, "%s", f.err[0] ? f.err : "parse failed");
		return EX_CONFIG;
	}
	return 0;
}

/* --- the command line -------------------------------------------------- */

enum {
	CONFIG_OPT_CONFIG = 256,
	CONFIG_OPT_INSECURE,
	CONFIG_OPT_CHECK,
	CONFIG_OPT_READ_ONLY,
	CONFIG_OPT_STANDBY,
	CONFIG_OPT_KEY, /* a setting of config_keys, found by option name */
};

static const struct option config_options[] = {
	{"config", required_argument, NULL, CONFIG_OPT_CONFIG},
	{"db", required_argument, NULL, CONFIG_OPT_KEY},
	{"store-url", required_argument, NULL, CONFIG_OPT_KEY},
	{"listen", required_argument, NULL, CONFIG_OPT_KEY},
	{"answer-listen", required_argument, NULL, CONFIG_OPT_KEY},
	{"pub-listen", required_argument, NULL, CONFIG_OPT_KEY},
	{"notify-listen", required_argument, NULL, CONFIG_OPT_KEY},
	{"metrics-listen", required_argument, NULL, CONFIG_OPT_KEY},
	{"batch-max", required_argument, NULL, CONFIG_OPT_KEY},
	{"queue-max", required_argument, NULL, CONFIG_OPT_KEY},
	{"secret-key", required_argument, NULL, CONFIG_OPT_KEY},
	{"sign-key", required_argument, NULL, CONFIG_OPT_KEY},
	{"previous-sign-key", required_argument, NULL, CONFIG_OPT_KEY},
	{"allowlist", required_argument, NULL, CONFIG_OPT_KEY},
	{"log-level", required_argument, NULL, CONFIG_OPT_KEY},
	{"insecure", no_argument, NULL, CONFIG_OPT_INSECURE},
	{"check-config", no_argument, NULL, CONFIG_OPT_CHECK},
	{"read-only", no_argument, NULL, CONFIG_OPT_READ_ONLY},
	{"standby", no_argument, NULL, CONFIG_OPT_STANDBY},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static const struct config_key *config_key_by_option(const char *option)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].option != NULL &&
		    strcmp(config_keys[i].option, option) == 0)
			return &config_keys[i];
	}
	return NULL;
}

static int config_bad_option(int c, const char *arg, char *err, size_t errsz)
{
	if (strncmp(arg, "--", 2) == 0) {
		size_t len = strcspn(arg, "=");
		if (c == ':')
			config_err(err, errsz, "option %.*s needs a value",
			           (int)(len > 64 ? 64 : len), arg);
		else if (arg[len] == '=' && optopt != 0)
			config_err(err, errsz, "option %.*s takes no value",
			           (int)(len > 64 ? 64 : len), arg);
		else
			config_err(err, errsz, "unknown or ambiguous option %.*s",
			           (int)(len > 64 ? 64 : len), arg);
	} else {
		config_err(err, errsz, "unknown option -%c", optopt);
	}
	return EX_USAGE;
}

/*
 * One getopt_long pass. Pass 1 (cfg == NULL) finds --config and the
 * action and rejects bad options; pass 2 applies the other options over
 * what the file set, so an option wins wherever it appears.
 */
static int config_getopt(struct config *cfg, int argc, char **argv,
                         const char **config_path, enum config_action *action,
                         char *err, size_t errsz)
{
	int c, li = -1;

	optind = 0; /* glibc: full reset, so we can scan argv twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", config_options, &li)) != -1) {
		if (c == '?' || c == ':')
			return config_bad_option(c, argv[optind - 1], err, errsz);
		if (cfg == NULL) {
			if (c == CONFIG_OPT_CONFIG)
				*config_path = optarg;
			else if (c == 'h')
				*action = CONFIG_HELP;
			else if (c == 'V' && *action != CONFIG_HELP)
				*action = CONFIG_VERSION;
			else if (c == CONFIG_OPT_CHECK && *action == CONFIG_RUN)
				*action = CONFIG_CHECK;
			continue;
		}
		if (c == CONFIG_OPT_INSECURE) {
			cfg->insecure = true;
		} else if (c == CONFIG_OPT_READ_ONLY) {
			cfg->read_only = true;
		} else if (c == CONFIG_OPT_STANDBY) {
			cfg->standby = true;
		} else if (c == CONFIG_OPT_KEY) {
			const struct config_key *k =
				config_key_by_option(config_options[li].name);
			char why[256];
			if (k == NULL) {
				config_err(err, errsz, "internal error: no setting "
				           "for --%s", config_options[li].name);
				return EX_SOFTWARE;
			}
			if (!config_set(cfg, k, optarg, why, sizeof(why))) {
				config_err(err, errsz, "--%s: %s", k->option, why);
				return EX_CONFIG;
			}
		}
	}
	if (optind < argc) {
		config_err(err, errsz, "unexpected argument '%.64s'", argv[optind]);
		return EX_USAGE;
	}
	return 0;
}

int config_from_args(struct config *cfg, int argc, char **argv,
                     enum config_action *action, char *err, size_t errsz)
{
	const char *config_path = NULL;
	int rc;

	config_defaults(cfg);
	*action = CONFIG_RUN;
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	rc = config_getopt(NULL, argc, argv, &config_path, action, err, errsz);
	if (rc != 0 || *action == CONFIG_HELP || *action == CONFIG_VERSION)
		return rc;
	if (config_path != NULL) {
		rc = config_load_file(cfg, config_path, err, errsz);
		if (rc != 0)
			return rc;
	}
	return config_getopt(cfg, argc, argv, &config_path, action, err, errsz);
}

/* --- cross-field rules ------------------------------------------------- */

/* A port as ZeroMQ binds it: 0..65535, or "*" for any free port. */
static bool config_port_ok(const char *s)
{
	int port;
	return strcmp(s, "*") == 0 || (s[0] >= '0' && s[0] <= '9' &&
	                               config_parse_int(s, 0, 65535, &port));
}

static bool config_host_is_loopback(const char *host, size_t len)
{
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, host, len);
	buf[len] = '\0';

	if (strcmp(buf, "localhost") == 0)
		return true;
	struct in_addr a4;
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return false;
}

static bool config_host6_is_loopback(const char *host, size_t len)
{
	char buf[64];
	struct in6_addr a6;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, host, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

bool config_endpoint_is_local(const char *endpoint)
{
	if (strncmp(endpoint, "ipc://", 6) == 0)
		return endpoint[6] != '\0';
	if (strncmp(endpoint, "tcp://", 6) != 0)
		return false;
	const char *host = endpoint + 6;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (close == NULL || close[1] != ':')
			return false;
		return config_host6_is_loopback(host + 1, (size_t)(close - host - 1)) &&
		       config_port_ok(close + 2);
	}
	/* A ';' would name a source address: not a plain local bind. */
	const char *colon = strrchr(host, ':');
	if (colon == NULL || strchr(host, ';') != NULL)
		return false;
	return config_host_is_loopback(host, (size_t)(colon - host)) &&
	       config_port_ok(colon + 1);
}

static bool config_endpoint_ok(const char *ep)
{
	return (strncmp(ep, "tcp://", 6) == 0 || strncmp(ep, "ipc://", 6) == 0) &&
	       ep[6] != '\0';
}

/* "off", or HOST:PORT with a port of 0..65535. */
static bool config_metrics_listen_ok(const char *s)
{
	if (strcmp(s, "off") == 0)
		return true;
	const char *colon = strrchr(s, ':');
	int port;
	return colon && colon != s && config_parse_int(colon + 1, 0, 65535, &port);
}

int config_validate(const struct config *cfg, char *err, size_t errsz)
{
	const struct {
		const char *name;
		const char *value;
	} eps[] = {
		{"listen", cfg->listen},
		{"answer_listen", cfg->answer_listen},
		{"pub_listen", cfg->pub_listen},
		{"notify_listen", cfg->notify_listen},
	};

	if (cfg->db_path[0] == '\0') {
		config_err(err, errsz, "[store] path is empty");
		return EX_CONFIG;
	}
	for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
		if (!config_endpoint_ok(eps[i].value)) {
			config_err(err, errsz, "[server] %s '%.64s' is not a tcp:// "
			           "or ipc:// endpoint", eps[i].name, eps[i].value);
			return EX_CONFIG;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(eps[i].value, eps[j].value) == 0) {
				config_err(err, errsz, "[server] %s and %s are both "
				           "'%.64s'", eps[j].name, eps[i].name,
				           eps[i].value);
				return EX_CONFIG;
			}
		}
	}
	if (!config_metrics_listen_ok(cfg->metrics_listen)) {
		config_err(err, errsz, "[metrics] listen '%.64s' is not HOST:PORT or off",
		           cfg->metrics_listen);
		return EX_CONFIG;
	}
	if (cfg->batch_max < CONFIG_BATCH_MIN || cfg->batch_max > CONFIG_BATCH_MAX) {
		config_err(err, errsz, "[server] batch_max %d is outside %d..%d",
		           cfg->batch_max, CONFIG_BATCH_MIN, CONFIG_BATCH_MAX);
		return EX_CONFIG;
	}
	if (cfg->max_msg_size < CONFIG_MSG_MIN || cfg->max_msg_size > CONFIG_MSG_MAX) {
		config_err(err, errsz, "[server] max_message_size %d is outside "
		           "%d..%d", cfg->max_msg_size, CONFIG_MSG_MIN, CONFIG_MSG_MAX);
		return EX_CONFIG;
	}
	if (cfg->ledger.flag_at > 0 && cfg->ledger.warn_at > cfg->ledger.flag_at) {
		config_err(err, errsz, "[ledger] warn_at %d is above flag_at %d",
		           cfg->ledger.warn_at, cfg->ledger.flag_at);
		return EX_CONFIG;
	}
	/* The default window is every bureau's: it may not be below the minimum. */
	if (cfg->min_response_minutes > cfg->response_hours * 60) {
		config_err(err, errsz, "[assign] min_response_minutes %d is above "
		           "response_hours %d", cfg->min_response_minutes,
		           cfg->response_hours);
		return EX_CONFIG;
	}
	/* Counted events all lie inside the window: a span as long never flags. */
	if (cfg->ledger.flag_span_days >= cfg->ledger.window_days) {
		config_err(err, errsz, "[ledger] flag_span_days %d must be below "
		           "window_days %d", cfg->ledger.flag_span_days,
		           cfg->ledger.window_days);
		return EX_CONFIG;
	}
	if (cfg->log_level < LOG_ERR || cfg->log_level > LOG_DEBUG) {
		config_err(err, errsz, "[log] level %d is outside %d..%d",
		           cfg->log_level, LOG_ERR, LOG_DEBUG);
		return EX_CONFIG;
	}
	if (cfg->insecure) {
		/* Without CURVE anyone who can reach the port is any role. */
		for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
			if (!config_endpoint_is_local(eps[i].value)) {
				config_err(err, errsz, "insecure mode is only allowed on "
				           "ipc:// or loopback tcp://, but [server] %s "
				           "is '%.64s'", eps[i].name, eps[i].value);
				return EX_CONFIG;
			}
		}
		return 0;
	}
	if (cfg->secret_key_file[0] == '\0') {
		config_err(err, errsz, "[security] secret_key (--secret-key) is "
		           "required unless insecure mode is on");
		return EX_CONFIG;
	}
	if (cfg->allowlist_file[0] == '\0') {
		config_err(err, errsz, "[security] allowlist (--allowlist) is "
		           "required unless insecure mode is on");
		return EX_CONFIG;
	}
	return 0;
}

void config_usage(FILE *out)
{
	fputs(
"Usage: expertd [OPTION]...\n"
"Hold the pool of skills-training experts and serve draws over ZeroMQ.\n"
"\n"
"Settings come from built-in defaults, then the --config file, then the\n"
"options below; an option always wins over the file.\n"
"\n"
"  --config FILE         read settings from the INI file FILE\n"
"  --db PATH             SQLite database      [store] path\n"
"                          (default ./var/expertd.db)\n"
"  --store-url URL       PostgreSQL instead of SQLite [store] url\n"
"                          (postgresql://h1,h2/expertd?target_session_attrs=read-write)\n"
"  --listen EP           request endpoint     [server] listen\n"
"                          (default tcp://127.0.0.1:5570)\n"
"  --pub-listen EP       event endpoint       [server] pub_listen\n"
"                          (default tcp://127.0.0.1:5571)\n"
"  --answer-listen EP    expert answer endpoint [server] answer_listen\n"
"                          (default tcp://127.0.0.1:5572)\n"
"  --notify-listen EP    notification endpoint [server] notify_listen\n"
"                          (default tcp://127.0.0.1:5573)\n"
"  --metrics-listen HOST:PORT  /metrics, /livez, /readyz over HTTP\n"
"                          [metrics] listen (default 127.0.0.1:9570; off = none)\n"
"  --secret-key FILE     server CURVE key file [security] secret_key\n"
"  --sign-key FILE       signing key file (required) [security] sign_key\n"
"  --previous-sign-key FILE  the signing key before --sign-key: rotate to\n"
"                        --sign-key at start [security] previous_sign_key\n"
"  --allowlist FILE      client key allowlist [security] allowlist\n"
"  --insecure            no CURVE; only on ipc:// or loopback tcp://\n"
"                                             [security] insecure\n"
"  --batch-max N         requests handled per wakeup, 1..10000\n"
"                                             [server] batch_max (default 256)\n"
"  --queue-max N         pending requests before new ones get busy,\n"
"                        1..100000    [server] queue_max (default 2048)\n"
"  --log-level LEVEL     error, warning, notice, info or debug\n"
"                                             [log] level (default info)\n"
"  --check-config        check the settings and exit\n"
"  --read-only           serve reads only (to look at a broken audit log)\n"
"  --standby             when another expertd holds the database, wait for it,\n"
"                        answering unavailable [store] standby\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"File only: [server] max_message_size = BYTES (65536..67108864,\n"
"default 4194304); [draw] rotation_days (0..3650, default 365, 0 = off),\n"
"exposure_cap (0..1000, default 0 = off), exposure_days (1..3650, default\n"
"365), diversity (default true), max_task_days (1..1100, default 31).\n"
"\n"
"Exit status: 0 on success, 64 bad usage, 66 config file unreadable,\n"
"69 endpoint taken, 75 database in use by another expertd,\n"
"78 bad configuration, other <sysexits.h> codes on startup failure.\n",
	      out);
}
