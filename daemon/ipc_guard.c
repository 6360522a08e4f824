/*
 * ipc_guard.c - probe an ipc:// path before binding it (see ipc_guard.h).
 */
#define _GNU_SOURCE  /* struct ucred */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc_guard.h"

#define IPC_GUARD_SCHEME "ipc://"

/* Whether a process listens on the AF_UNIX socket at path: 0 if nobody,
 * its pid if known, -1 if live but the pid is unknown. Non-blocking, so a
 * listener with a full backlog (EAGAIN) cannot stall start-up and still
 * counts as live; a socket of another type (EPROTOTYPE) is bound by
 * someone too. ENOENT (absent) and ECONNREFUSED (a stale file, or not a
 * socket) mean nobody; any other error is left to the bind to report. */
static long ipc_guard_holder(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path)
		return 0;  /* ZeroMQ refuses the bind itself */
	memcpy(sa.sun_path, path, n + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	long pid = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		/* The listener's credentials, as of its listen(). */
		struct ucred cred;
		socklen_t len = sizeof cred;
		pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
		      cred.pid > 0 ? (long)cred.pid : -1;
	} else if (errno == EAGAIN || errno == EINPROGRESS || errno == EPROTOTYPE) {
		pid = -1;
	}
	close(fd);
	return pid;
}

bool ipc_guard_check(const char *endpoint, char *err, size_t errsz)
{
	size_t k = strlen(IPC_GUARD_SCHEME);
	if (strncmp(endpoint, IPC_GUARD_SCHEME, k) != 0)
		return true;
	const char *path = endpoint + k;
	if (!*path || *path == '@' || strcmp(path, "*") == 0)
		return true;
	long pid = ipc_guard_holder(path);
	if (pid == 0)
		return true;
	if (pid > 0)
		snprintf(err, errsz, "cannot listen on %s: pid %ld (another expertd?) "
		         "answers on %s; refusing to take the path over", endpoint,
		         pid, path);
	else
		snprintf(err, errsz, "cannot listen on %s: another process answers on "
		         "%s; refusing to take the path over", endpoint, path);
	return false;
}
