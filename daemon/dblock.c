/*
 * dblock.c - the one-writer lock on "<database>.lock" (see dblock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include "dblock.h"
#include "log.h"

/* "<canonical database path>.lock". The database may not exist yet (the
 * store creates it), so when it does not, its folder is resolved and the
 * name appended: the file SQLite creates there is the same file. */
static int dblock_path(const char *db_path, char *out, size_t outsz,
                       char *err, size_t errsz)
{
	char real[PATH_MAX];
	if (!realpath(db_path, real)) {
		if (errno != ENOENT)
			goto fail;
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", db_path);
		char *slash = strrchr(dir, '/');
		const char *base = slash ? slash + 1 : db_path;
		if (slash == dir)
			snprintf(dir, sizeof dir, "/");
		else if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		char rdir[PATH_MAX];
		if (!*base || !realpath(dir, rdir))
			goto fail;
		if ((size_t)snprintf(real, sizeof real, "%s/%s",
		                     strcmp(rdir, "/") ? rdir : "", base) >= sizeof real) {
			errno = ENAMETOOLONG;
			goto fail;
		}
	}
	if ((size_t)snprintf(out, outsz, "%s.lock", real) < outsz)
		return 0;
	errno = ENAMETOOLONG;
fail:
	snprintf(err, errsz, "cannot resolve the database path %s: %s", db_path,
	         strerror(errno));
	return EX_CANTCREAT;
}

/* The pid the holder wrote, or 0 if none can be read (it may be between
 * taking the lock and writing its pid). */
static long dblock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	return (end != buf && pid > 0) ? pid : 0;
}

/* Replace the file's content with our pid, for the next one to name us.
 * Best effort: the lock is what counts, the pid only helps the message. */
static void dblock_write_pid(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("cannot write the pid into the lock file %s: %s", path,
		         strerror(errno));
}

int dblock_acquire(const char *db_path, int *fd, char *err, size_t errsz)
{
	char path[PATH_MAX + 8];
	int code = dblock_path(db_path, path, sizeof path, err, errsz);
	if (code)
		return code;
	/* O_CLOEXEC: nothing we exec may inherit (and so keep) the lock. */
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0) {
		snprintf(err, errsz, "cannot open the lock file %s of database %s: %s",
		         path, db_path, strerror(errno));
		return EX_CANTCREAT;
	}
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		long pid = e == EWOULDBLOCK ? dblock_holder(f) : 0;
		close(f);
		if (e != EWOULDBLOCK) {
			snprintf(err, errsz, "cannot lock %s for database %s: %s", path,
			         db_path, strerror(e));
			return EX_OSERR;
		}
		if (pid)
			snprintf(err, errsz, "database %s is in use by another expertd "
			         "(pid %ld holds %s); refusing to start a second writer",
			         db_path, pid, path);
		else
			snprintf(err, errsz, "database %s is in use by another process "
			         "(it holds %s); refusing to start a second writer",
			         db_path, path);
		return EX_TEMPFAIL;
	}
	dblock_write_pid(f, path);
	*fd = f;
	return 0;
}

void dblock_release(int *fd)
{
	if (fd && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}
