/*
 * sb_config.c - expertd-smsbridge's configuration file (INI, sections
 * [daemon], [sms], [provider], [state]; expertd-smsbridge(8)): read,
 * defaulted and checked at start, so a mistake stops it with the line.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "smsbridge.h"

struct sb_parse {
	struct sb_config *c;
	char *err;
	size_t errsz;
};

static bool set_str(char **dst, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return false;
	free(*dst);
	*dst = s;
	return true;
}

/* A file's path: a leading ${CREDENTIALS_DIRECTORY} is where systemd put
 * the unit's credentials (LoadCredential=). */
static bool set_path(char **dst, const char *v)
{
	static const char var[] = "${CREDENTIALS_DIRECTORY}";
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	if (strncmp(v, var, sizeof var - 1) != 0)
		return set_str(dst, v);
	if (!dir || !*dir)
		return false;
	size_t len = strlen(dir) + strlen(v) - (sizeof var - 1) + 1;
	char *s = malloc(len);
	if (!s)
		return false;
	snprintf(s, len, "%s%s", dir, v + sizeof var - 1);
	free(*dst);
	*dst = s;
	return true;
}

static bool set_int(int *dst, const char *v, long lo, long hi)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return false;
	*dst = (int)x;
	return true;
}

static bool set_bool(bool *dst, const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
		*dst = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
		*dst = false;
	else
		return false;
	return true;
}

/* One key of [provider]; *known false when it is none of them. */
static bool provider_key(struct sb_config *c, const char *k, const char *v, bool *known)
{
	*known = true;
	if (strcmp(k, "url") == 0)
		return set_str(&c->url, v);
	if (strcmp(k, "header") == 0) {
		if (c->n_headers == SB_MAX_HEADERS || !strchr(v, ':'))
			return false;
		return set_str(&c->headers[c->n_headers++], v);
	}
	if (strcmp(k, "ca_file") == 0)
		return set_path(&c->ca_file, v);
	if (strcmp(k, "api_key_file") == 0)
		return set_path(&c->api_key_file, v);
	if (strcmp(k, "body") == 0)
		return set_str(&c->body, v);
	if (strcmp(k, "timeout") == 0)
		return set_int(&c->timeout_s, v, 1, 600);
	if (strcmp(k, "retry_initial_ms") == 0)
		return set_int(&c->retry_initial_ms, v, 10, 3600000);
	if (strcmp(k, "retry_max_ms") == 0)
		return set_int(&c->retry_max_ms, v, 10, 86400000);
	if (strcmp(k, "max_in_flight") == 0)
		return set_int(&c->max_in_flight, v, 1, 64);
	if (strcmp(k, "closed_give_up") == 0)
		return set_int(&c->closed_give_up_s, v, 1, 30 * 86400);
	*known = false;
	return false;
}

static int sb_config_cb(void *user, const char *sec, const char *k, const char *v)
{
	struct sb_parse *p = user;
	struct sb_config *c = p->c;
	bool known = true, ok = false;
	if (strcmp(sec, "daemon") == 0) {
		if (strcmp(k, "endpoint") == 0)
			ok = set_str(&c->endpoint, v);
		else if (strcmp(k, "notify_endpoint") == 0)
			ok = set_str(&c->notify_endpoint, v);
		else if (strcmp(k, "key") == 0)
			ok = set_path(&c->key, v);
		else if (strcmp(k, "server_key") == 0)
			ok = strchr(v, '/') ? set_path(&c->server_key, v) : set_str(&c->server_key, v);
		else if (strcmp(k, "insecure") == 0)
			ok = set_bool(&c->insecure, v);
		else
			known = false;
	} else if (strcmp(sec, "sms") == 0) {
		if (strcmp(k, "template") == 0)
			ok = set_path(&c->offer_template, v);
		else if (strcmp(k, "closed_template") == 0)
			ok = set_path(&c->closed_template, v);
		else if (strcmp(k, "base_url") == 0)
			ok = set_str(&c->base_url, v);
		else
			known = false;
	} else if (strcmp(sec, "provider") == 0) {
		ok = provider_key(c, k, v, &known);
	} else if (strcmp(sec, "organisers") == 0) {
		/* A bureau code's syntax (PROTOCOL.md 4.4): a key of another
		 * section written here is a mistake, not a bureau. */
		size_t len = strlen(k);
		known = len >= 1 && len <= 31 && strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		        "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
		ok = known && c->n_orgs < SB_MAX_ORGANISERS &&
		     set_str(&c->org_code[c->n_orgs], k) &&
		     set_str(&c->org_name[c->n_orgs], v);
		c->n_orgs += ok;
	} else if (strcmp(sec, "state") == 0) {
		if (strcmp(k, "journal") == 0)
			ok = set_path(&c->journal, v);
		else if (strcmp(k, "keep_days") == 0)
			ok = set_int(&c->keep_days, v, 1, 3650);
		else
			known = false;
	} else {
		known = false;
	}
	/* inih reads on after an error and reports the first one's line. */
	if (!ok && !p->err[0]) {
		if (known && strncmp(v, "${CREDENTIALS_DIRECTORY}", 24) == 0)
			snprintf(p->err, p->errsz, "[%s] %s: CREDENTIALS_DIRECTORY is not set "
			         "(start it from its systemd unit, or write the path)", sec, k);
		else if (!known && strcmp(sec, "organisers") == 0)
			snprintf(p->err, p->errsz, "[organisers] %s: not a bureau code", k);
		else
			snprintf(p->err, p->errsz, known ? "[%s] %s: bad value \"%s\""
			         : "[%s] %s: unknown key", sec, k, v);
	}
	return ok;
}

static bool is_local(const char *ep)
{
	return strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "tcp://127.", 10) == 0 ||
	       strncmp(ep, "tcp://localhost:", 16) == 0 || strncmp(ep, "tcp://[::1]:", 12) == 0;
}

/* What must be there, and what must agree, once the file is read. */
static bool sb_config_check(struct sb_config *c, char *err, size_t errsz)
{
	const char *missing = !c->url ? "[provider] url"
	                      : !c->journal ? "[state] journal"
	                      : !c->base_url ? "[sms] base_url"
	                      : !c->insecure && !c->key ? "[daemon] key"
	                      : !c->insecure && !c->server_key ? "[daemon] server_key" : NULL;
	if (missing) {
		snprintf(err, errsz, "%s is required", missing);
		return false;
	}
	if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0) {
		snprintf(err, errsz, "[provider] url: must be http:// or https:// (\"%s\")",
		         c->url);
		return false;
	}
	if (c->insecure && (!is_local(c->endpoint) || !is_local(c->notify_endpoint))) {
		snprintf(err, errsz, "[daemon] insecure needs loopback or ipc:// endpoints");
		return false;
	}
	size_t n = strlen(c->base_url);
	while (n && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	if (c->api_key_file) {
		c->api_key = sb_read_file(c->api_key_file, err, errsz);
		if (!c->api_key)
			return false;
		c->api_key[strcspn(c->api_key, "\r\n")] = '\0';
	}
	return true;
}

bool sb_config_load(struct sb_config *c, const char *file, char *err, size_t errsz)
{
	memset(c, 0, sizeof *c);
	c->timeout_s = 10;
	c->retry_initial_ms = 1000;
	c->retry_max_ms = 300000;
	c->closed_give_up_s = 86400;
	c->max_in_flight = 4;
	c->keep_days = 60;
	if (!set_str(&c->endpoint, "tcp://127.0.0.1:5570") ||
	    !set_str(&c->notify_endpoint, "tcp://127.0.0.1:5573") ||
	    !set_str(&c->offer_template, SMSBRIDGE_DATADIR "/offer.txt") ||
	    !set_str(&c->closed_template, SMSBRIDGE_DATADIR "/closed.txt") ||
	    !set_str(&c->body, "{\"phone\": \"{phone}\", \"text\": \"{text}\"}")) {
		snprintf(err, errsz, "out of memory");
		return false;
	}
	char msg[512] = "";
	struct sb_parse p = {c, msg, sizeof msg};
	int line = ini_parse(file, sb_config_cb, &p);
	if (line < 0) {
		snprintf(err, errsz, "%s: cannot read: %s", file, strerror(errno));
		return false;
	}
	if (line > 0) {
		snprintf(err, errsz, "%s:%d: %s", file, line, msg[0] ? msg : "not INI");
		return false;
	}
	if (!sb_config_check(c, msg, sizeof msg)) {
		snprintf(err, errsz, "%s: %s", file, msg);
		return false;
	}
	return true;
}

void sb_config_free(struct sb_config *c)
{
	char **strs[] = {&c->endpoint, &c->notify_endpoint, &c->key, &c->server_key,
	                 &c->offer_template, &c->closed_template, &c->base_url, &c->url,
	                 &c->api_key_file, &c->api_key, &c->body, &c->journal,
	                 &c->ca_file};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < c->n_headers; i++)
		free(c->headers[i]);
	c->n_headers = 0;
	for (size_t i = 0; i < SB_MAX_ORGANISERS; i++) {
		free(c->org_code[i]);
		free(c->org_name[i]);
		c->org_code[i] = c->org_name[i] = NULL;
	}
	c->n_orgs = 0;
}
