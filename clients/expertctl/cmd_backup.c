/*
 * cmd_backup.c - expertctl backup FILE: a consistent copy of a running
 * daemon's database (PROTOCOL.md 7.15), fetched piece by piece into a new
 * file of mode 0600 (it holds personal data) and checked against the
 * BLAKE2b-256 the daemon announced. A copy that fails any check is
 * removed: FILE either holds the whole copy or does not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "out.h"

struct backup_fetch {
	char id[40];
	int64_t size, seq, offset;
	uint8_t hash[32], head[32];
	crypto_generichash_state st;
};

static bool backup_bin(const msgpack_object *m, const char *k, void *out, size_t n)
{
	const msgpack_object *o = proto_map_get(m, k);
	if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return false;
	memcpy(out, o->via.bin.ptr, n);
	return true;
}

/* Append one reply's piece; false (with a message) when it is not the
 * piece asked for. *eof says the copy is complete. */
static bool backup_take_piece(struct backup_fetch *f, int fd, const msgpack_object *res,
                              bool first, bool *eof)
{
	const msgpack_object *data = proto_map_get(res, "data");
	if (first && (!proto_map_strcpy(res, "backup", f->id, sizeof f->id) ||
	              !backup_bin(res, "hash", f->hash, sizeof f->hash) ||
	              !backup_bin(res, "head", f->head, sizeof f->head))) {
		fprintf(stderr, _("expertctl: the daemon's first backup reply lacks its id or hashes\n"));
		return false;
	}
	if (first) {
		f->size = proto_map_int(res, "size", -1);
		f->seq = proto_map_int(res, "seq", -1);
	}
	if (!data || data->type != MSGPACK_OBJECT_BIN ||
	    proto_map_int(res, "offset", -1) != f->offset ||
	    proto_map_int(res, "size", -1) != f->size) {
		fprintf(stderr, _("expertctl: the daemon sent another piece than the one at "
		        "byte %lld\n"), (long long)f->offset);
		return false;
	}
	size_t n = data->via.bin.size;
	if (write(fd, data->via.bin.ptr, n) != (ssize_t)n) {
		fprintf(stderr, _("expertctl: cannot write the backup: %s\n"), strerror(errno));
		return false;
	}
	crypto_generichash_update(&f->st, (const unsigned char *)data->via.bin.ptr, n);
	f->offset += (int64_t)n;
	*eof = proto_map_bool(res, "eof", false);
	if (*eof != (f->offset == f->size) || (!*eof && n == 0)) {
		fprintf(stderr, _("expertctl: the backup's pieces do not add up to its size\n"));
		return false;
	}
	return true;
}

/* Fetch every piece into fd; 0 or an exit code. */
static int backup_fetch_all(struct ctl *ctl, struct backup_fetch *f, int fd)
{
	crypto_generichash_init(&f->st, NULL, 0, sizeof f->hash);
	for (bool eof = false, first = true; !eof; first = false) {
		struct ctl_args a;
		struct proto_reply rep;
		char suffix[32];
		ctl_args_init(&a);
		if (!first) {
			ctl_args_str(&a, "backup", f->id);
			ctl_args_int(&a, "offset", f->offset);
		}
		snprintf(suffix, sizeof suffix, "%lld", (long long)f->offset);
		int rc = ctl_call(ctl, PROTO_OP_STORE_BACKUP, &a, first ? NULL : suffix, &rep);
		ctl_args_destroy(&a);
		if (rc)
			return rc;
		bool ok = rep.result && backup_take_piece(f, fd, rep.result, first, &eof);
		proto_reply_release(&rep);
		if (!ok)
			return EX_PROTOCOL;
	}
	uint8_t got[32];
	crypto_generichash_final(&f->st, got, sizeof got);
	if (sodium_memcmp(got, f->hash, sizeof got) != 0) {
		fprintf(stderr, _("expertctl: the backup's BLAKE2b-256 differs from the one the "
		        "daemon announced\n"));
		return EX_PROTOCOL;
	}
	if (fsync(fd) != 0) {
		fprintf(stderr, _("expertctl: cannot write the backup: %s\n"), strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

static void backup_report(const struct ctl *ctl, const struct backup_fetch *f,
                          const char *path)
{
	char head[65], hash[65];
	out_hex(f->head, sizeof f->head, head);
	out_hex(f->hash, sizeof f->hash, hash);
	if (ctl->json) {
		json_t *j = json_object();
		json_object_set_new(j, "file", json_string(path));
		json_object_set_new(j, "size", json_integer(f->size));
		json_object_set_new(j, "seq", json_integer(f->seq));
		json_object_set_new(j, "head", json_string(head));
		json_object_set_new(j, "hash", json_string(hash));
		out_json_print(j);
		return;
	}
	printf(_("backup written to %s: %lld bytes; its audit log ends at entry %lld "
	       "(hash %.16s…)\nBLAKE2b-256 %s\n"), path, (long long)f->size,
	       (long long)f->seq, head, hash);
}

int cmd_backup(struct ctl *ctl, int argc, char **argv)
{
	bool help = false;
	int rc = ctl_getopt_none(ctl, argc, argv, &help);
	if (rc)
		return rc;
	if (help)
		return ctl_help(ctl);
	if (optind + 1 != argc)
		return ctl_usage(ctl, "%s", optind >= argc ? _("missing FILE")
		                                           : _("one FILE, nothing after it"));
	const char *path = argv[optind];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, _("expertctl: cannot create %s: %s%s\n"), path, strerror(errno),
		        errno == EEXIST ? _(" (a backup never overwrites a file)") : "");
		return EX_CANTCREAT;
	}
	struct backup_fetch f = {.size = -1};
	rc = backup_fetch_all(ctl, &f, fd);
	if (close(fd) != 0 && !rc) {
		fprintf(stderr, _("expertctl: cannot write the backup: %s\n"), strerror(errno));
		rc = EX_IOERR;
	}
	if (rc) {
		unlink(path);
		fprintf(stderr, _("expertctl: %s: no backup written\n"), path);
		return rc;
	}
	backup_report(ctl, &f, path);
	return 0;
}
