/*
 * import_file.c - the roster file read in passes of IMPORT_FILE_CHUNK
 * bytes (import_file.h): the roster readers of roster.h fed piece by
 * piece, a pipe spooled to a temporary file, and the check that the file
 * did not change between the readings.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "ctl_i18n.h"
#include "import_file.h"
#include "out.h"

static int import_file_unreadable(const struct import_file *f)
{
	fprintf(stderr, _("expertctl: cannot read %s (missing or unreadable)\n"), f->path);
	return EX_NOINPUT;
}

static int import_file_bad(const struct import_file *f, const char *err)
{
	fprintf(stderr, _("expertctl: %s: "), f->path);
	out_text(stderr, err, strlen(err));
	fputc('\n', stderr);
	return EX_DATAERR;
}

/* A pass reads the file from its start into feed, until feed says stop;
 * false if the file could not be read. */
typedef bool (*import_file_feed_fn)(void *arg, const char *buf, size_t len);

static bool import_file_pass(struct import_file *f, import_file_feed_fn feed, void *arg)
{
	char buf[IMPORT_FILE_CHUNK];
	size_t n;
	if (fseek(f->file, 0, SEEK_SET) != 0)
		return false;
	while ((n = fread(buf, 1, sizeof buf, f->file)) > 0)
		if (!feed(arg, buf, n))
			break;
	return !ferror(f->file);
}

static bool import_file_sniff_cb(void *arg, const char *buf, size_t len)
{
	roster_sniff_feed(arg, buf, len);
	return true;
}

static bool import_file_stream_cb(void *arg, const char *buf, size_t len)
{
	return roster_stream_feed(arg, buf, len);
}

int import_file_open(struct import_file *f, const char *path)
{
	char buf[IMPORT_FILE_CHUNK];
	size_t n;
	*f = (struct import_file){.path = path, .file = fopen(path, "rb")};
	if (!f->file || fstat(fileno(f->file), &f->st) != 0)
		return import_file_unreadable(f);
	if (S_ISREG(f->st.st_mode))
		return 0;
	FILE *copy = tmpfile();
	while (copy && (n = fread(buf, 1, sizeof buf, f->file)) > 0)
		if (fwrite(buf, 1, n, copy) != n)
			break;
	bool ok = copy && !ferror(f->file) && fflush(copy) == 0 && !ferror(copy) &&
	          fstat(fileno(copy), &f->st) == 0;
	fclose(f->file);
	f->file = copy;
	return ok ? 0 : import_file_unreadable(f);
}

int import_file_check(struct import_file *f, enum roster_encoding enc,
                      struct roster **roster)
{
	struct roster_sniff sn;
	char err[512];
	roster_sniff_init(&sn, enc);
	if (!import_file_pass(f, import_file_sniff_cb, &sn))
		return import_file_unreadable(f);
	if (!roster_sniff_finish(&sn, &f->enc, &f->bom, err, sizeof err))
		return import_file_bad(f, err);
	struct roster_stream *s = roster_stream_new(f->enc, f->bom, true, NULL, NULL, err,
	                                            sizeof err);
	if (!s)
		return import_file_bad(f, err);
	bool read = import_file_pass(f, import_file_stream_cb, s);
	*roster = roster_stream_finish(&s, err, sizeof err);
	if (!read)
		return import_file_unreadable(f);
	return *roster ? 0 : import_file_bad(f, err);
}

/* True if the file is not as it was opened (an editor saving it). */
static bool import_file_changed(const struct import_file *f)
{
	struct stat now;
	return fstat(fileno(f->file), &now) != 0 || now.st_size != f->st.st_size ||
	       now.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec;
}

int import_file_rows(struct import_file *f, size_t records, roster_row_cb cb, void *arg)
{
	char err[512];
	struct roster_stream *s = roster_stream_new(f->enc, f->bom, false, cb, arg, err,
	                                            sizeof err);
	if (!s)
		return import_file_bad(f, err);
	bool read = import_file_pass(f, import_file_stream_cb, s);
	struct roster *again = roster_stream_finish(&s, err, sizeof err);
	bool stopped = !again && !err[0];
	bool same = again && again->records == records && !import_file_changed(f);
	roster_destroy(&again);
	if (!read)
		return import_file_unreadable(f);
	if (stopped || same)
		return 0;
	fprintf(stderr, _("expertctl: %s changed while it was being imported; "
	        "nothing imported\n"), f->path);
	return EX_DATAERR;
}

void import_file_close(struct import_file *f)
{
	if (f && f->file)
		fclose(f->file);
	if (f)
		f->file = NULL;
}
