/*
 * sb_tls.c - HTTPS to the provider: libevent's HTTP client over an
 * OpenSSL bufferevent, TLS 1.2 or later, the provider's certificate
 * checked against the system's CAs (or [provider] ca_file) and its name
 * (or IP address) against the URL's host. A failed check fails the
 * attempt like a refused connection: it is retried, never sent in clear.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "smsbridge.h"

struct sb_tls {
	SSL_CTX *ctx;
};

struct sb_tls *sb_tls_new(const char *ca_file, char *err, size_t errsz)
{
	struct sb_tls *t = calloc(1, sizeof *t);
	if (!t || !(t->ctx = SSL_CTX_new(TLS_client_method()))) {
		snprintf(err, errsz, "cannot set up TLS");
		free(t);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL)
	                 : SSL_CTX_set_default_verify_paths(t->ctx);
	if (ok != 1) {
		snprintf(err, errsz, "[provider] ca_file: cannot load %s: %s",
		         ca_file ? ca_file : "the system's CAs",
		         ERR_reason_error_string(ERR_get_error()));
		sb_tls_free(&t);
		return NULL;
	}
	return t;
}

void sb_tls_free(struct sb_tls **tp)
{
	struct sb_tls *t = tp ? *tp : NULL;
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
	*tp = NULL;
}

/* The name or address the certificate must carry. */
static bool tls_expect_host(SSL *ssl, const char *host)
{
	unsigned char addr[16];
	bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
	if (is_ip)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
	return SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1;
}

struct evhttp_connection *sb_tls_connect(struct sb_tls *t, struct event_base *base,
                                         const char *host, int port)
{
	SSL *ssl = SSL_new(t->ctx);
	if (!ssl || !tls_expect_host(ssl, host)) {
		SSL_free(ssl);
		return NULL;
	}
	/* The bufferevent owns the SSL from here, and the connection the
	 * bufferevent. */
	struct bufferevent *bev = bufferevent_openssl_socket_new(
		base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	struct evhttp_connection *conn =
		evhttp_connection_base_bufferevent_new(base, NULL, bev, host, (unsigned short)port);
	if (!conn)
		bufferevent_free(bev);
	return conn;
}

const char *sb_tls_error(struct evhttp_connection *conn)
{
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	unsigned long e = 0, next;
	/* The certificate check first: libevent may have cleared the error
	 * queue when it closed the connection. */
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (v != X509_V_OK)
		return X509_verify_cert_error_string(v);
	while (bev && (next = bufferevent_get_openssl_error(bev)) != 0)
		e = next;
	return e ? ERR_reason_error_string(e) : NULL;
}
