/*
 * proto_scan.c - a non-allocating walk over untrusted msgpack bytes, run
 * before msgpack-c sees them. msgpack-c 4.0 sizes its allocations from the
 * declared lengths (issue #1013: a 5-byte message can reserve gigabytes), so
 * every declared length and count is checked against the bytes that are
 * really there, and nesting and element totals are bounded.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

/* What one header byte announces. */
enum scan_kind {
	SCAN_SCALAR,  /* fixed-size value of n payload bytes */
	SCAN_BYTES,   /* str or bin; payload length is in the header */
	SCAN_ARRAY,
	SCAN_MAP,
	SCAN_EXT,     /* ext / fixext: refused */
	SCAN_INVALID, /* 0xc1 */
};

struct scan_head {
	enum scan_kind kind;
	const char *what;   /* for error messages */
	size_t hdr;         /* header bytes including the type byte */
	uint64_t n;         /* payload bytes, or element count */
};

struct scan_state {
	const uint8_t *p;
	size_t len;
	size_t pos;
	struct proto_error *err;
};

static uint64_t scan_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Type bytes 0xc0..0xdf, by what follows them. */
#define T(b) [(b) - 0xc0]
static const struct scan_type {
	enum scan_kind kind;
	uint8_t lenbytes; /* size of the length or count field */
	uint8_t payload;  /* fixed payload of a scalar */
	const char *what;
} scan_types[32] = {
	T(0xc0) = {SCAN_SCALAR, 0, 0, "nil"},
	T(0xc1) = {SCAN_INVALID, 0, 0, "0xc1"},
	T(0xc2) = {SCAN_SCALAR, 0, 0, "bool"}, T(0xc3) = {SCAN_SCALAR, 0, 0, "bool"},
	T(0xc4) = {SCAN_BYTES, 1, 0, "bin"}, T(0xc5) = {SCAN_BYTES, 2, 0, "bin"},
	T(0xc6) = {SCAN_BYTES, 4, 0, "bin"},
	T(0xc7) = {SCAN_EXT, 0, 0, "ext"}, T(0xc8) = {SCAN_EXT, 0, 0, "ext"},
	T(0xc9) = {SCAN_EXT, 0, 0, "ext"},
	T(0xca) = {SCAN_SCALAR, 0, 4, "float"}, T(0xcb) = {SCAN_SCALAR, 0, 8, "float"},
	T(0xcc) = {SCAN_SCALAR, 0, 1, "uint"}, T(0xcd) = {SCAN_SCALAR, 0, 2, "uint"},
	T(0xce) = {SCAN_SCALAR, 0, 4, "uint"}, T(0xcf) = {SCAN_SCALAR, 0, 8, "uint"},
	T(0xd0) = {SCAN_SCALAR, 0, 1, "int"}, T(0xd1) = {SCAN_SCALAR, 0, 2, "int"},
	T(0xd2) = {SCAN_SCALAR, 0, 4, "int"}, T(0xd3) = {SCAN_SCALAR, 0, 8, "int"},
	T(0xd4) = {SCAN_EXT, 0, 0, "ext"}, T(0xd5) = {SCAN_EXT, 0, 0, "ext"},
	T(0xd6) = {SCAN_EXT, 0, 0, "ext"}, T(0xd7) = {SCAN_EXT, 0, 0, "ext"},
	T(0xd8) = {SCAN_EXT, 0, 0, "ext"},
	T(0xd9) = {SCAN_BYTES, 1, 0, "str"}, T(0xda) = {SCAN_BYTES, 2, 0, "str"},
	T(0xdb) = {SCAN_BYTES, 4, 0, "str"},
	T(0xdc) = {SCAN_ARRAY, 2, 0, "array"}, T(0xdd) = {SCAN_ARRAY, 4, 0, "array"},
	T(0xde) = {SCAN_MAP, 2, 0, "map"}, T(0xdf) = {SCAN_MAP, 4, 0, "map"},
};
#undef T

/*
 * Classify the type byte b. The fix* forms carry their length or count in
 * the byte itself; the others have a big-endian length field of *lenbytes.
 */
static void scan_classify(uint8_t b, struct scan_head *h, size_t *lenbytes)
{
	static const struct scan_type fixint = {SCAN_SCALAR, 0, 0, "fixint"},
		fixmap = {SCAN_MAP, 0, 0, "map"}, fixarray = {SCAN_ARRAY, 0, 0, "array"},
		fixstr = {SCAN_BYTES, 0, 0, "str"};
	const struct scan_type *t;

	if (b <= 0x7f || b >= 0xe0)
		t = &fixint, h->n = 0;
	else if (b <= 0x8f)
		t = &fixmap, h->n = b & 0x0f;
	else if (b <= 0x9f)
		t = &fixarray, h->n = b & 0x0f;
	else if (b <= 0xbf)
		t = &fixstr, h->n = b & 0x1f;
	else
		t = &scan_types[b - 0xc0], h->n = t->payload;
	h->kind = t->kind;
	h->what = t->what;
	*lenbytes = t->lenbytes;
	h->hdr = 1 + *lenbytes;
}

/* Fill err with "<what happened> at byte <at>" and return MALFORMED. */
__attribute__((format(printf, 3, 4)))
static enum proto_status scan_fail(struct scan_state *s, size_t at,
                                   const char *fmt, ...)
{
	char why[PROTO_MAX_MESSAGE_LEN - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	s->err->field[0] = '\0';
	snprintf(s->err->message, sizeof s->err->message, "%s at byte %zu",
	         why, at);
	return PROTO_E_MALFORMED;
}

/*
 * Read the header at s->pos into h and check that it and any str/bin
 * payload fit. Containers are checked by the caller, which knows the depth.
 */
static enum proto_status scan_head(struct scan_state *s, struct scan_head *h)
{
	size_t at = s->pos, left = s->len - s->pos, lenbytes;

	scan_classify(s->p[at], h, &lenbytes);
	if (h->kind == SCAN_INVALID)
		return scan_fail(s, at, "0xc1 is not a msgpack type byte");
	if (h->kind == SCAN_EXT)
		return scan_fail(s, at, "ext type 0x%02x is not allowed",
		                 (unsigned)s->p[at]);
	if (h->hdr > left)
		return scan_fail(s, at, "truncated %s header (%zu bytes short)",
		                 h->what, h->hdr - left);
	if (lenbytes)
		h->n = scan_be(s->p + at + 1, lenbytes);
	left -= h->hdr;
	if (h->kind == SCAN_SCALAR && h->n > left)
		return scan_fail(s, at, "truncated %s (%llu bytes short)", h->what,
		                 (unsigned long long)(h->n - left));
	if (h->kind == SCAN_BYTES && h->n > left)
		return scan_fail(s, at, "%s declares %llu bytes but %zu remain",
		                 h->what, (unsigned long long)h->n, left);
	return PROTO_OK;
}

enum proto_status proto_scan(const void *buf, size_t len, struct proto_error *err)
{
	/* pending[d]: items still to read in the container open at depth d+1 */
	uint64_t pending[PROTO_MAX_DEPTH];
	struct scan_state s = {buf, len, 0, err};
	unsigned depth = 0;
	uint64_t elements = 0;

	if (len == 0)
		return scan_fail(&s, 0, "empty message");
	do {
		struct scan_head h;
		size_t at = s.pos;

		if (s.pos >= len)
			return scan_fail(&s, at, "truncated: a value is missing");
		if (scan_head(&s, &h) != PROTO_OK)
			return PROTO_E_MALFORMED;
		s.pos += h.hdr;
		if (h.kind == SCAN_SCALAR || h.kind == SCAN_BYTES) {
			s.pos += (size_t)h.n;
		} else if (h.n > 0) {
			/* Each item takes at least one byte, so the count is bounded
			 * by the bytes left before anything is trusted. */
			uint64_t items = h.kind == SCAN_MAP ? 2 * h.n : h.n;
			if (items > len - s.pos)
				return scan_fail(&s, at, "%s declares %llu elements but "
				                 "only %zu bytes remain", h.what,
				                 (unsigned long long)h.n, len - s.pos);
			if (depth >= PROTO_MAX_DEPTH)
				return scan_fail(&s, at, "%s nested deeper than %d levels",
				                 h.what, PROTO_MAX_DEPTH);
			elements += h.n;
			if (elements > PROTO_MAX_ELEMENTS)
				return scan_fail(&s, at, "%s takes the element count over "
				                 "the limit of %d", h.what,
				                 PROTO_MAX_ELEMENTS);
			pending[depth++] = items;
			continue;
		} else if (depth >= PROTO_MAX_DEPTH) {
			return scan_fail(&s, at, "%s nested deeper than %d levels",
			                 h.what, PROTO_MAX_DEPTH);
		}
		/* A value is complete: close every container it completes. */
		while (depth > 0 && --pending[depth - 1] == 0)
			depth--;
	} while (depth > 0);

	if (s.pos != len)
		return scan_fail(&s, s.pos, "%zu trailing bytes after the message",
		                 len - s.pos);
	return PROTO_OK;
}

/*
 * msgpack-c leaves str and bin objects pointing into the input buffer, and a
 * request must outlive the ZeroMQ message it came in, so unpack a copy held
 * in the result's own zone. After the scan, the unpacker's allocations are
 * bounded by the message length.
 */
enum proto_status proto_unpack(const void *buf, size_t len, msgpack_unpacked *u,
                               struct proto_error *err)
{
	size_t off = 0;
	char *copy;

	err->field[0] = err->message[0] = '\0';
	if (proto_scan(buf, len, err) != PROTO_OK)
		return PROTO_E_MALFORMED;
	msgpack_unpacked_destroy(u);
	u->zone = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
	copy = u->zone ? msgpack_zone_malloc(u->zone, len) : NULL;
	if (!copy) {
		snprintf(err->message, sizeof err->message, "out of memory");
		return PROTO_E_INTERNAL;
	}
	memcpy(copy, buf, len);
	if (msgpack_unpack(copy, len, &off, u->zone, &u->data) !=
	    MSGPACK_UNPACK_SUCCESS) {
		/* The scan accepts only what msgpack-c parses; say so if not. */
		snprintf(err->message, sizeof err->message,
		         "msgpack-c rejected bytes the scan accepted");
		return PROTO_E_MALFORMED;
	}
	return PROTO_OK;
}
