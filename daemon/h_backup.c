/*
 * h_backup.c - store.backup (PROTOCOL.md 7.15): a consistent copy of the
 * database, taken while the daemon serves and fetched in pieces that fit
 * a message. The copy waits beside the database as <db>.backup-<id>
 * (one at a time: a new backup removes an older one) until its last
 * piece has been read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "handler.h"

#define BACKUP_CHUNK (1024 * 1024)      /* bytes per reply */
#define BACKUP_ID_BYTES 16              /* the id: 32 hex digits */
#define BACKUP_TAG ".backup-"

/* <db>.backup-<id>, or false when it does not fit. */
static bool backup_path(struct store *s, const char *id, const char *suffix,
                        char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s" BACKUP_TAG "%s%s", store_path(s), id, suffix);
	return n > 0 && (size_t)n < size;
}

/* Remove every earlier copy (and a piece a failed copy left). */
static void backup_remove_old(struct store *s)
{
	char dir[PATH_MAX], base[PATH_MAX], path[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", store_path(s));
	snprintf(base, sizeof base, "%s" BACKUP_TAG, store_path(s));
	const char *name = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
	DIR *d = opendir(dirname(dir));
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));)
		if (strncmp(e->d_name, name, strlen(name)) == 0 &&
		    snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
			unlink(path);
	closedir(d);
}

/* The copy's size and BLAKE2b-256, read back from the file written. */
static bool backup_digest(const char *path, int64_t *size, uint8_t hash[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	static_assert(32 == crypto_generichash_BYTES, "BLAKE2b-256");
	unsigned char buf[65536];
	ssize_t n;
	*size = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		crypto_generichash_update(&st, buf, (unsigned long long)n);
		*size += n;
	}
	close(fd);
	crypto_generichash_final(&st, hash, 32);
	return n == 0;
}

struct backup_made {
	char id[2 * BACKUP_ID_BYTES + 1];
	int64_t size, seq;
	uint8_t hash[32], head[STORE_AUDIT_HASH_LEN];
};

static enum proto_status backup_take(struct store *s, struct backup_made *m,
                                     struct reply *rep)
{
	unsigned char raw[BACKUP_ID_BYTES];
	char part[PATH_MAX], path[PATH_MAX], err[256];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(m->id, sizeof m->id, raw, sizeof raw);
	if (!backup_path(s, m->id, ".part", part, sizeof part) ||
	    !backup_path(s, m->id, "", path, sizeof path))
		return reply_error(rep, PROTO_E_INTERNAL, NULL,
		                   "the database's path is too long for a backup beside it");
	backup_remove_old(s);
	if (store_backup(s, part, &m->seq, m->head, err, sizeof err) != STORE_OK) {
		unlink(part);
		return reply_error(rep, PROTO_E_UNAVAILABLE, NULL,
		                   "cannot take a backup now: %s; nothing was kept", err);
	}
	if (rename(part, path) != 0 || !backup_digest(path, &m->size, m->hash)) {
		int e = errno;
		unlink(part);
		unlink(path);
		return reply_error(rep, PROTO_E_UNAVAILABLE, NULL,
		                   "cannot keep the backup: %s; nothing was kept", strerror(e));
	}
	return PROTO_OK;
}

static void pack_bin(msgpack_packer *pk, const char *k, const void *p, size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

/* Reply with the piece at offset; the copy goes once its end is read. */
static enum proto_status backup_piece(struct store *s, const char *id, int64_t offset,
                                      const struct backup_made *made, struct reply *rep)
{
	char path[PATH_MAX];
	int fd = backup_path(s, id, "", path, sizeof path) ? open(path, O_RDONLY | O_CLOEXEC)
	                                                    : -1;
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return reply_error(rep, PROTO_E_NOT_FOUND, "backup",
		                   "backup %s is not kept (finished, or replaced by a newer "
		                   "one); take a new one", id);
	}
	if (offset > sb.st_size) {
		close(fd);
		return reply_error(rep, PROTO_E_INVALID_FIELD, "offset",
		                   "offset %lld is past the backup's end (%lld bytes)",
		                   (long long)offset, (long long)sb.st_size);
	}
	size_t want = (size_t)(sb.st_size - offset < BACKUP_CHUNK ? sb.st_size - offset
	                                                            : BACKUP_CHUNK);
	unsigned char *buf = malloc(want ? want : 1);
	ssize_t got = buf ? pread(fd, buf, want, offset) : -1;
	close(fd);
	if (got != (ssize_t)want) {
		free(buf);
		return reply_error(rep, PROTO_E_UNAVAILABLE, NULL,
		                   "cannot read backup %s; retry", id);
	}
	bool eof = offset + (int64_t)want == sb.st_size;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, made ? 8 : 5);
	proto_pack_kv_str(pk, "backup", id);
	proto_pack_kv_int(pk, "size", sb.st_size);
	if (made) {
		pack_bin(pk, "hash", made->hash, sizeof made->hash);
		proto_pack_kv_int(pk, "seq", made->seq);
		pack_bin(pk, "head", made->head, sizeof made->head);
	}
	proto_pack_kv_int(pk, "offset", offset);
	pack_bin(pk, "data", buf, want);
	proto_pack_kv_bool(pk, "eof", eof);
	free(buf);
	if (eof)
		unlink(path);
	return PROTO_OK;
}

enum proto_status h_store_backup(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	char id[2 * BACKUP_ID_BYTES + 1];
	int64_t offset = proto_arg_int(req, "offset", 0);
	if (!store_can_backup(ctx->store))
		return reply_error(rep, PROTO_E_NOT_IMPLEMENTED, NULL,
		                   "the database is PostgreSQL: back it up with pg_basebackup "
		                   "or from a Patroni replica (expertd(8), CLUSTER)");
	if (!proto_arg_strcpy(req, "backup", id, sizeof id)) {
		if (proto_arg(req, "offset"))
			return reply_error(rep, PROTO_E_INVALID_FIELD, "offset",
			                   "offset reads a backup already taken: name it in backup");
		struct backup_made made;
		enum proto_status st = backup_take(ctx->store, &made, rep);
		return st != PROTO_OK ? st : backup_piece(ctx->store, made.id, 0, &made, rep);
	}
	size_t n = strlen(id);
	unsigned char raw[BACKUP_ID_BYTES];
	if (n != sizeof id - 1 ||
	    sodium_hex2bin(raw, sizeof raw, id, n, NULL, NULL, NULL) != 0)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "backup",
		                   "backup must be the id a backup reply gave: %d hex digits",
		                   2 * BACKUP_ID_BYTES);
	return backup_piece(ctx->store, id, offset, NULL, rep);
}
