/*
 * dblock.h - one writer per database. Two expertd on one database would
 * each keep their own in-memory pool and seat lists, so the overlap rule
 * and the audit chain go wrong without any SQL error; SQLite's own locks
 * only order transactions. The lock lives on a sidecar file
 * "<database>.lock" (flock, not fcntl: SQLite's POSIX locks on the
 * database file vanish when any descriptor on that file is closed, and
 * flock on another file cannot disturb them).
 */
#ifndef EXPERTD_DBLOCK_H
#define EXPERTD_DBLOCK_H

#include <stddef.h>

/*
 * Take the lock for the database at db_path (symlinks, "..", relative
 * spellings resolved, so every spelling of one file meets one lock) and
 * write this pid into the lock file. Returns 0 and the descriptor in *fd,
 * to be kept open for the life of the process (the lock dies with it, also
 * on SIGKILL); or a <sysexits.h> code with err set: EX_TEMPFAIL when
 * another process holds the lock (err names it and its pid), EX_CANTCREAT
 * when the lock file cannot be made, EX_OSERR otherwise.
 */
int dblock_acquire(const char *db_path, int *fd, char *err, size_t errsz);

/* Release: closes *fd (NULL-safe, -1 ignored) and sets it to -1. The file
 * stays: unlinking it would let a third process lock a new inode while a
 * second still waits on the old one. */
void dblock_release(int *fd);

#endif
