/*
 * config.h - daemon settings: defaults in one place (config_defaults), then
 * the INI file (inih), then command-line options, each overriding the last.
 */
#ifndef EXPERTD_CONFIG_H
#define EXPERTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "grounds.h"
#include "policy.h"

#define CONFIG_PATH_MAX 1024
#define CONFIG_ENDPOINT_MAX 256

struct config {
	char db_path[CONFIG_PATH_MAX];           /* [store] path */
	char store_url[CONFIG_PATH_MAX];         /* [store] url: PostgreSQL (#15) */
	char listen[CONFIG_ENDPOINT_MAX];        /* [server] listen */
	char answer_listen[CONFIG_ENDPOINT_MAX]; /* [server] answer_listen (#4) */
	char pub_listen[CONFIG_ENDPOINT_MAX];    /* [server] pub_listen (#5) */
	char notify_listen[CONFIG_ENDPOINT_MAX]; /* [server] notify_listen */
	char metrics_listen[CONFIG_ENDPOINT_MAX]; /* [metrics] listen, HOST:PORT or "off" */
	char secret_key_file[CONFIG_PATH_MAX];   /* [security] secret_key */
	char sign_key_file[CONFIG_PATH_MAX];     /* [security] sign_key */
	char previous_sign_key_file[CONFIG_PATH_MAX]; /* [security] previous_sign_key */
	char allowlist_file[CONFIG_PATH_MAX];    /* [security] allowlist */
	bool insecure;                           /* [security] insecure */
	bool read_only;                          /* --read-only: serve reads only */
	bool standby;                            /* [store] standby, --standby: wait
	                                          * for a database another holds */
	int batch_max;                           /* [server] batch_max */
	int queue_max;                           /* [server] queue_max */
	int max_msg_size;                        /* [server] max_message_size */
	int max_connections;                     /* [server] max_connections */
	int answer_max_connections;              /* [server] answer_max_connections */
	int request_retention_days;              /* [server] request_retention_days */
	int log_level;                           /* [log] level, LOG_ERR..LOG_DEBUG */
	/* Draw rules (recusal.h); recorded in every transcript. */
	int rotation_days;                       /* [draw] rotation_days */
	int exposure_cap;                        /* [draw] exposure_cap, 0 = off */
	int exposure_days;                       /* [draw] exposure_days */
	bool diversity;                          /* [draw] diversity */
	int max_task_days;                       /* [draw] max_task_days */
	int response_hours;                      /* [assign] response_hours */
	int min_response_minutes;                /* [assign] min_response_minutes */
	struct policy ledger;                    /* [ledger] weights, thresholds */
	struct grounds grounds;                  /* [grounds] code = 中文 | English */
};

/* What main() should do after parsing the command line. */
enum config_action {
	CONFIG_RUN,
	CONFIG_CHECK,   /* --check-config: validate and exit 0 */
	CONFIG_HELP,    /* --help: caller prints config_usage(stdout), exit 0 */
	CONFIG_VERSION, /* --version */
};

void config_defaults(struct config *cfg);

/*
 * Build the configuration from defaults, the file named by --config (if
 * any) and the other options. Returns 0 on success; on failure returns an
 * exit code from <sysexits.h> (EX_USAGE, EX_CONFIG, EX_NOINPUT) with a
 * one-line reason in err naming the option, file and line at fault.
 */
int config_from_args(struct config *cfg, int argc, char **argv,
                     enum config_action *action, char *err, size_t errsz);

/*
 * Check cross-field rules (e.g. --insecure only on loopback TCP or ipc://,
 * keys required in secure mode). Returns 0 or EX_CONFIG with err set.
 */
int config_validate(const struct config *cfg, char *err, size_t errsz);

/* True if endpoint is ipc:// or tcp:// on 127.0.0.0/8, ::1 or localhost. */
bool config_endpoint_is_local(const char *endpoint);

void config_usage(FILE *out);

#endif
