/*
 * auth.h - the key allowlist: which CURVE public keys may connect, and the
 * principal and role each one maps to. File format (one entry a line,
 * '#' starts a comment, fields separated by blanks):
 *     <z85 public key, 40 chars>  <principal>  operator
 *     <z85 public key>            <principal>  bureau    <bureau code>
 *     <z85 public key>            <principal>  clerk     <bureau code>
 *     <z85 public key>            <principal>  notifier
 */
#ifndef EXPERTD_AUTH_H
#define EXPERTD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_KEY_LEN 40
#define AUTH_PRINCIPAL_MAX 63
#define AUTH_BUREAU_MAX 31

struct auth_entry {
	char key[AUTH_KEY_LEN + 1];          /* Z85 public key */
	char principal[AUTH_PRINCIPAL_MAX + 1];
	unsigned role;                       /* one PROTO_ROLE_* bit */
	char bureau[AUTH_BUREAU_MAX + 1];    /* bureau and clerk only */
};

struct auth_list;

/*
 * Load an allowlist. Returns NULL on error with err naming the file, line
 * and what is wrong (bad key, unknown role, missing bureau code, duplicate
 * key or principal). Principals are 1-63 chars of [A-Za-z0-9._@-].
 */
struct auth_list *auth_list_load(const char *path, char *err, size_t errsz);
/* An empty list (insecure mode / tests). */
struct auth_list *auth_list_new(void);
/* Takes nothing; copies e. Returns false on a duplicate key or principal. */
bool auth_list_add(struct auth_list *l, const struct auth_entry *e);
void auth_list_destroy(struct auth_list **l);
size_t auth_list_count(const struct auth_list *l);

/* Borrowed pointers into the list, valid until it is destroyed. */
const struct auth_entry *auth_list_find_key(const struct auth_list *l,
                                            const char *z85_key);
const struct auth_entry *auth_list_find_principal(const struct auth_list *l,
                                                  const char *principal);

/* "operator" -> PROTO_ROLE_OPERATOR etc.; 0 if unknown. */
unsigned auth_role_parse(const char *s);
const char *auth_role_name(unsigned role);

#endif
