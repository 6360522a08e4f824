/*
 * import_file.h - the roster file of `expertctl pool import`, read three
 * times in pieces and never held whole, so an import takes the same
 * memory whatever the file's size: its encoding (which depends on every
 * byte), its rows checked before the daemon hears of the import, then
 * its rows again to send. Each step prints what went wrong itself.
 */
#ifndef EXPERTCTL_IMPORT_FILE_H
#define EXPERTCTL_IMPORT_FILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "roster.h"

/* Bytes of the file read at a time. */
#define IMPORT_FILE_CHUNK 65536

struct import_file {
	const char *path;
	FILE *file;                /* the roster, or a copy of what a pipe gave */
	struct stat st;            /* as opened: if it changes, nothing read
	                            * from it can be trusted */
	enum roster_encoding enc;  /* as the first reading found */
	bool bom;
};

/* Open path; a pipe (/dev/stdin, <(...)), which cannot be read three
 * times, is copied once to an unlinked temporary file. 0, or an exit
 * status with the reason printed. */
int import_file_open(struct import_file *f, const char *path);

/* The first two readings: the encoding (enc as asked: auto, utf8,
 * gb18030), then every row read and checked, none kept. *roster gets the
 * header, the counts and this side's problems (rows NULL); 0, or an exit
 * status with the reason printed. */
int import_file_check(struct import_file *f, enum roster_encoding enc,
                      struct roster **roster);

/* The third reading: every row again, to cb as it is read (cb may stop
 * it). 0, or an exit status with the reason printed: the file could not
 * be read, or it is not the file the second reading saw (records: what
 * that reading counted). */
int import_file_rows(struct import_file *f, size_t records, roster_row_cb cb, void *arg);

/* NULL-safe. */
void import_file_close(struct import_file *f);

#endif
