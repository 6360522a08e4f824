/*
 * zbind.h - binding a ZeroMQ socket to an endpoint as PROTOCOL.md 4.5
 * writes them: libzmq binds only interface names and address literals,
 * so tcp://localhost:P is bound as 127.0.0.1, and a bracketed IPv6
 * address ([::1]) turns ZMQ_IPV6 on first.
 */
#ifndef EXPERTD_ZBIND_H
#define EXPERTD_ZBIND_H

#include <stdbool.h>
#include <stddef.h>

/* The endpoint libzmq is given for `endpoint` in out (the same text
 * unless the host is localhost), and whether it needs ZMQ_IPV6. False
 * when it does not fit. */
bool zbind_endpoint(const char *endpoint, char *out, size_t outsz, bool *ipv6);

/* zmq_bind(sock, endpoint) after the above; 0 or -1 with errno. */
int zbind(void *sock, const char *endpoint);

#endif
