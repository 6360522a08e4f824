/*
 * orgs.h - references to organisations resolved through the registry
 * (REGISTRY.md 2.2, 2.3): a draw's or a conflict's code, key or name, and
 * a roster row's name and code pair. The registry itself is store_org_*.
 */
#ifndef EXPERTD_ORGS_H
#define EXPERTD_ORGS_H

#include <stdbool.h>
#include <stddef.h>

#include "handler.h"

/*
 * Resolve text (a credit code, a key org:N or a name) to a live entry's
 * key; an unregistered credit code is its own key (found->id = 0). On
 * failure fills rep with invalid_field on `field` (the closest names
 * when a name matched nothing) and returns its status. found may be NULL.
 */
enum proto_status orgs_resolve(struct handler_ctx *ctx, const char *text, size_t len,
                               const char *field, char key[IDENT_CODE_SIZE],
                               struct store_org *found, struct reply *rep);

/*
 * Merge `from` into `into` (REGISTRY.md 2.4): the store (names, code,
 * links), the org.merged audit entry, the in-memory pool and recusal
 * index. from->id = 0 is a bare credit code no entry holds (only links
 * move). On failure fills rep and returns its status.
 */
enum proto_status orgs_merge(struct handler_ctx *ctx, const struct store_org *from,
                             const struct store_org *into, const char *reason,
                             struct reply *rep);

/* Entry o now has code o->code: links made earlier by that bare code (a
 * draw or conflict by an unregistered code) become o's, by a merge. */
enum proto_status orgs_claim_code(struct handler_ctx *ctx, const struct store_org *o,
                                  const char *why, struct reply *rep);

/* What a roster pair resolves to. */
enum orgs_pair_result {
	ORGS_PAIR_OK,       /* *key set ("" when both cells are empty) */
	ORGS_PAIR_INVALID,  /* why says why */
	ORGS_PAIR_STORE,    /* *r says what failed */
	ORGS_PAIR_FAILED,   /* (apply only) rep says what failed */
};

struct orgs_pair {
	const char *name;   /* "" if the cell is empty */
	const char *code;   /* a valid credit code or "" */
	unsigned kind;      /* ORG_KIND_EMPLOYER or ORG_KIND_RECOMMENDER */
	const char *label;  /* the form's label, for messages (工作单位) */
};

/*
 * Resolve a roster pair (REGISTRY.md 2.3). With apply, the registry is
 * changed as the table says (entries created, aliases, codes, kinds;
 * an entry known only by the row's code merged into the one the row's
 * name names) and out->created tells whether an entry was made;
 * without, nothing changes and out->key is "" for a pair that would make
 * a new entry.
 */
struct orgs_pair_out {
	char key[IDENT_CODE_SIZE];
	bool created;
	enum store_result r;
	struct reply *rep;      /* for apply: where a failed merge reports */
	enum proto_status st;   /* ... and its status (ORGS_PAIR_FAILED) */
};
enum orgs_pair_result orgs_resolve_pair(struct handler_ctx *ctx,
                                        const struct orgs_pair *p, bool apply,
                                        struct orgs_pair_out *out, char *why,
                                        size_t whysz);

/* "A (org:3), B (9144...)" for the up to three names closest to `name`
 * (REGISTRY.md 1.2) other than those of `except` ("" = none); "" when
 * none is close. */
enum store_result orgs_closest(struct handler_ctx *ctx, const char *name,
                               const char *except, char *out, size_t outsz);

#endif
