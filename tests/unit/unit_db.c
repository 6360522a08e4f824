/* unit_db.c - see unit_db.h. */
#include "unit_db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit_log.h"
#include "fixture.h"

bool unit_db_make(struct unit_db *db, const char *tag)
{
	if (!fx_tmpdir(db->dir, sizeof db->dir, tag))
		return false;
	snprintf(db->path, sizeof db->path, "%s/store.db", db->dir);
	return true;
}

void unit_db_remove(const struct unit_db *db)
{
	fx_rmdir(db->dir);
}

bool unit_dispatch_open(struct unit_dispatch *u, const char *tag)
{
	char err[256];
	memset(u, 0, sizeof *u);
	if (!unit_db_make(&u->db, tag))
		return false;
	static const uint8_t seed[SIGN_SEED_LEN] = {1, 2, 3};
	sign_key_from_seed(&u->sign, seed);
	if (store_open(u->db.path, &u->store, err, sizeof err) != 0 ||
	    store_pii_start(u->store, &u->sign, NULL, false, time(NULL), err,
	                    sizeof err) != 0 ||
	    audit_log_init(u->store, &u->sign, time(NULL)) != STORE_OK) {
		fprintf(stderr, "unit_dispatch_open: %s\n", err);
		unit_dispatch_close(u);
		return false;
	}
	u->pool = pool_new();
	u->engage = engage_new();
	u->assign.respond_within = 86400;
	u->assign.min_respond_within = 3600;
	policy_defaults(&u->assign.ledger);
	if (u->pool && u->engage)
		u->d = dispatch_new(u->store, u->pool, u->engage, &u->rules, &u->assign);
	if (!u->d) {
		unit_dispatch_close(u);
		return false;
	}
	dispatch_set_sign_key(u->d, &u->sign);
	return true;
}

void unit_dispatch_close(struct unit_dispatch *u)
{
	dispatch_destroy(&u->d);
	engage_destroy(&u->engage);
	pool_destroy(&u->pool);
	store_close(&u->store);
	unit_db_remove(&u->db);
}
