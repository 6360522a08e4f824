/*
 * receipt.c - receipts as files (see receipt.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "ctl_i18n.h"
#include "proto.h"
#include "receipt.h"

bool receipt_map_bin(const msgpack_object *m, const char *k, uint8_t *dst, size_t n)
{
	const msgpack_object *o = proto_map_get(m, k);
	if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return false;
	memcpy(dst, o->via.bin.ptr, n);
	return true;
}

bool receipt_from_reply(const msgpack_object *o, struct receipt *out)
{
	memset(out, 0, sizeof *out);
	out->seq = proto_map_int(o, "seq", 0);
	out->head_seq = proto_map_int(o, "head_seq", 0);
	return out->seq > 0 && out->head_seq >= out->seq &&
	       receipt_map_bin(o, "hash", out->hash, sizeof out->hash) &&
	       receipt_map_bin(o, "head_hash", out->head_hash, sizeof out->head_hash) &&
	       receipt_map_bin(o, "sig", out->sig, sizeof out->sig) &&
	       receipt_map_bin(o, "key", out->key, sizeof out->key);
}

static void receipt_set_hex(json_t *j, const char *k, const uint8_t *b, size_t n)
{
	char hex[2 * SIGN_SIG_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, b, n);
	json_object_set_new(j, k, json_string(hex));
}

bool receipt_save(const char *dir, const struct receipt *r, const char *op,
                  const char *id, char *err, size_t errsz)
{
	char path[4096], tmp[4200];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, _("cannot make %s: %s"), dir, strerror(errno));
		return false;
	}
	snprintf(path, sizeof path, "%s/receipt-%012lld.json", dir, (long long)r->seq);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	json_t *j = json_object();
	json_object_set_new(j, "op", json_string(op));
	json_object_set_new(j, "request_id", json_string(id));
	json_object_set_new(j, "seq", json_integer(r->seq));
	receipt_set_hex(j, "hash", r->hash, sizeof r->hash);
	json_object_set_new(j, "head_seq", json_integer(r->head_seq));
	receipt_set_hex(j, "head_hash", r->head_hash, sizeof r->head_hash);
	receipt_set_hex(j, "sig", r->sig, sizeof r->sig);
	receipt_set_hex(j, "key", r->key, sizeof r->key);
	int rc = json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	if (rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, errsz, _("cannot write %s: %s"), path, strerror(errno));
		remove(tmp);
		return false;
	}
	return true;
}

static bool receipt_get_hex(json_t *j, const char *k, uint8_t *dst, size_t n)
{
	const char *s = json_string_value(json_object_get(j, k));
	size_t len = 0;
	return s && strlen(s) == 2 * n &&
	       sodium_hex2bin(dst, n, s, 2 * n, NULL, &len, NULL) == 0 && len == n;
}

/* One file; false with err naming what is wrong. */
static bool receipt_read(const char *dir, const char *name, struct receipt *r,
                         char *err, size_t errsz)
{
	char path[4096];
	json_error_t je;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	memset(r, 0, sizeof *r);
	snprintf(r->file, sizeof r->file, "%s", name);
	json_t *j = json_load_file(path, 0, &je);
	if (!j) {
		snprintf(err, errsz, _("receipt %s does not read: %s"), name, je.text);
		return false;
	}
	json_t *seq = json_object_get(j, "seq"), *head = json_object_get(j, "head_seq");
	r->seq = json_is_integer(seq) ? json_integer_value(seq) : 0;
	r->head_seq = json_is_integer(head) ? json_integer_value(head) : 0;
	bool ok = r->seq > 0 && r->head_seq >= r->seq &&
	          receipt_get_hex(j, "hash", r->hash, sizeof r->hash) &&
	          receipt_get_hex(j, "head_hash", r->head_hash, sizeof r->head_hash) &&
	          receipt_get_hex(j, "sig", r->sig, sizeof r->sig) &&
	          receipt_get_hex(j, "key", r->key, sizeof r->key);
	json_decref(j);
	if (!ok)
		snprintf(err, errsz, _("receipt %s is not a receipt (seq, hash, head_seq, "
		         "head_hash, sig and key are needed)"), name);
	return ok;
}

static int receipt_cmp(const void *pa, const void *pb)
{
	const struct receipt *a = pa, *b = pb;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

bool receipt_load_dir(const char *dir, struct receipt **out, size_t *n, char *err,
                      size_t errsz)
{
	DIR *d = opendir(dir);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!d) {
		snprintf(err, errsz, _("cannot open %s: %s"), dir, strerror(errno));
		return false;
	}
	bool ok = true;
	for (struct dirent *e; ok && (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "receipt-", 8) != 0 || len < 5 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct receipt *p = realloc(*out, cap * sizeof **out);
			if (!p) {
				snprintf(err, errsz, _("out of memory"));
				ok = false;
				break;
			}
			*out = p;
		}
		ok = receipt_read(dir, e->d_name, &(*out)[*n], err, errsz);
		*n += ok;
	}
	closedir(d);
	if (ok && *n > 1)
		qsort(*out, *n, sizeof **out, receipt_cmp);
	return ok;
}

bool receipt_is_signed_by(const struct receipt *r, const uint8_t key[SIGN_PUBLIC_LEN])
{
	return sodium_memcmp(r->key, key, SIGN_PUBLIC_LEN) == 0 &&
	       sign_head_is_valid(r->sig, r->head_seq, r->head_hash, key);
}
