/*
 * ipc_guard.h - never take over a live ipc:// path. ZeroMQ's bind on
 * ipc:// unlinks whatever socket file is at the path and binds anew, so a
 * second daemon given the same path would silently steal it from a live
 * one. Before binding, we connect to the path: if anything answers, the
 * path is in use and we refuse.
 */
#ifndef EXPERTD_IPC_GUARD_H
#define EXPERTD_IPC_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if endpoint may be bound: it is not ipc://, or nothing answers on
 * its path (absent, or a stale socket file left by a process that died).
 * False with err set (naming the path and, when the kernel tells, the
 * listener's pid) if a live process answers there. Wildcard ("ipc://" and
 * a star) and abstract (ipc://@name) endpoints pass: a wildcard makes a
 * fresh path, and the kernel itself refuses a taken abstract name.
 */
bool ipc_guard_check(const char *endpoint, char *err, size_t errsz);

#endif
