/*
 * test_dblock.c - the one-writer lock (dblock.h): a second taker is
 * refused with EX_TEMPFAIL and told the holder's pid, whatever spelling of
 * the path it uses; a released lock or a stale pid left in the file does
 * not block. flock locks belong to the open file description, so two
 * takers in one process conflict just as two processes do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "dblock.h"
#include "fixture.h"

struct fx {
	char dir[64];
	char db[128];
	char lock[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_true(fx_tmpdir(f->dir, sizeof f->dir, "dblock"));
	snprintf(f->db, sizeof f->db, "%s/store.db", f->dir);
	snprintf(f->lock, sizeof f->lock, "%s/store.db.lock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_rmdir(f->dir);
	free(f);
	return 0;
}

static long file_pid(const char *path)
{
	FILE *fp = fopen(path, "r");
	long pid = -1;
	if (fp) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = -1;
		fclose(fp);
	}
	return pid;
}

/* Each spelling of the held database is refused, naming pid and file. */
static void expect_refused(const struct fx *f, const char *spelling)
{
	char err[512], want[64];
	int fd = -1;
	assert_int_equal(dblock_acquire(spelling, &fd, err, sizeof err), EX_TEMPFAIL);
	assert_int_equal(fd, -1);
	snprintf(want, sizeof want, "pid %ld", (long)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, f->lock));
	assert_non_null(strstr(err, spelling));
}

static void test_second_taker_refused(void **state)
{
	struct fx *f = *state;
	char err[512], p[192], cwd[256];
	int fd = -1;
	/* The database does not exist yet: the store creates it after. */
	assert_int_equal(dblock_acquire(f->db, &fd, err, sizeof err), 0);
	assert_true(fd >= 0);
	assert_int_equal(file_pid(f->lock), (long)getpid());
	expect_refused(f, f->db);
	snprintf(p, sizeof p, "%s/sub", f->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/sub/../store.db", f->dir);
	expect_refused(f, p);
	snprintf(p, sizeof p, "%s/dirlink", f->dir);
	assert_int_equal(symlink(f->dir, p), 0);
	snprintf(p, sizeof p, "%s/dirlink/store.db", f->dir);
	expect_refused(f, p);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(f->dir), 0);
	expect_refused(f, "store.db");
	assert_int_equal(chdir(cwd), 0);
	dblock_release(&fd);
	assert_int_equal(fd, -1);
}

/* A symlink to the existing database file meets the same lock. */
static void test_symlink_to_file(void **state)
{
	struct fx *f = *state;
	char err[512], alias[192];
	int fd = -1;
	FILE *fp = fopen(f->db, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(alias, sizeof alias, "%s/alias.db", f->dir);
	assert_int_equal(symlink(f->db, alias), 0);
	assert_int_equal(dblock_acquire(alias, &fd, err, sizeof err), 0);
	expect_refused(f, f->db);
	dblock_release(&fd);
	unlink(f->db);
}

/* Released, or only a dead holder's pid in the file: the lock is free. */
static void test_release_and_stale_pid(void **state)
{
	struct fx *f = *state;
	char err[512];
	int fd = -1;
	assert_int_equal(dblock_acquire(f->db, &fd, err, sizeof err), 0);
	dblock_release(&fd);
	FILE *fp = fopen(f->lock, "w");
	assert_non_null(fp);
	fprintf(fp, "999999999\n");
	fclose(fp);
	assert_int_equal(dblock_acquire(f->db, &fd, err, sizeof err), 0);
	assert_int_equal(file_pid(f->lock), (long)getpid());
	dblock_release(&fd);
	dblock_release(&fd);  /* twice is harmless */
	dblock_release(NULL);
}

static void test_missing_folder(void **state)
{
	struct fx *f = *state;
	char err[512], p[192];
	int fd = -1;
	snprintf(p, sizeof p, "%s/no/such/store.db", f->dir);
	assert_int_equal(dblock_acquire(p, &fd, err, sizeof err), EX_CANTCREAT);
	assert_non_null(strstr(err, p));
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_taker_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_to_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_and_stale_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
