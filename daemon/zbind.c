/*
 * zbind.c - endpoints as people write them, bound as libzmq wants them
 * (see zbind.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zmq.h>

#include "zbind.h"

#define ZBIND_TCP "tcp://"

bool zbind_endpoint(const char *endpoint, char *out, size_t outsz, bool *ipv6)
{
	*ipv6 = false;
	size_t tcp = strlen(ZBIND_TCP);
	const char *host = endpoint + tcp;
	bool is_tcp = strncmp(endpoint, ZBIND_TCP, tcp) == 0;
	const char *colon = is_tcp ? strrchr(host, ':') : NULL;
	int n;
	if (colon && (size_t)(colon - host) == strlen("localhost") &&
	    strncasecmp(host, "localhost", strlen("localhost")) == 0)
		n = snprintf(out, outsz, ZBIND_TCP "127.0.0.1%s", colon);
	else
		n = snprintf(out, outsz, "%s", endpoint);
	*ipv6 = is_tcp && host[0] == '[';
	return n >= 0 && (size_t)n < outsz;
}

int zbind(void *sock, const char *endpoint)
{
	char ep[512];
	bool ipv6;
	if (!zbind_endpoint(endpoint, ep, sizeof ep, &ipv6)) {
		errno = EINVAL;
		return -1;
	}
	int one = 1;
	if (ipv6 && zmq_setsockopt(sock, ZMQ_IPV6, &one, sizeof one) != 0)
		return -1;
	return zmq_bind(sock, ep);
}
