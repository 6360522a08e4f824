/*
 * test_log.c - log records: "<N>" prefix, level filter, always exactly one
 * line, truncation, and log_fatal's message and exit code. stderr is
 * pointed at a temp file for the duration of each check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static char path[64];
static int saved_stderr = -1;

/* Send stderr to a fresh temp file. */
static void capture_begin(void)
{
	snprintf(path, sizeof(path), "/tmp/expertd-log-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

/* Restore stderr; returns what was written (caller frees). */
static char *capture_end(void)
{
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	char *buf = calloc(1, 65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	return buf;
}

static void test_level_parse(void **state)
{
	(void)state;
	int level = -1;
	assert_true(log_level_parse("error", &level));
	assert_int_equal(level, LOG_ERR);
	assert_true(log_level_parse("warning", &level));
	assert_int_equal(level, LOG_WARNING);
	assert_true(log_level_parse("notice", &level));
	assert_int_equal(level, LOG_NOTICE);
	assert_true(log_level_parse("info", &level));
	assert_int_equal(level, LOG_INFO);
	assert_true(log_level_parse("debug", &level));
	assert_int_equal(level, LOG_DEBUG);
	level = 42;
	assert_false(log_level_parse("warn", &level));
	assert_false(log_level_parse("", &level));
	assert_false(log_level_parse("INFO", &level));
	assert_int_equal(level, 42);
}

static void test_default_and_clamp(void **state)
{
	(void)state;
	assert_int_equal(log_get_level(), LOG_INFO);
	log_set_level(LOG_DEBUG + 5);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	log_set_level(LOG_EMERG);
	assert_int_equal(log_get_level(), LOG_ERR);
	log_set_level(LOG_INFO);
}

static void test_prefix_and_filter(void **state)
{
	(void)state;
	log_set_level(LOG_NOTICE);
	capture_begin();
	log_error("e %d", 1);
	log_warn("w");
	log_notice("n");
	log_info("dropped info");
	log_debug("dropped debug");
	char *out = capture_end();
	assert_string_equal(out, "<3>e 1\n<4>w\n<5>n\n");
	free(out);

	log_set_level(LOG_DEBUG);
	capture_begin();
	log_info("i");
	log_debug("d");
	out = capture_end();
	assert_string_equal(out, "<6>i\n<7>d\n");
	free(out);
	log_set_level(LOG_INFO);
}

static void test_one_line(void **state)
{
	(void)state;
	capture_begin();
	log_warn("name %s here", "evil\n<3>forged\r\nrecord\ttab");
	char *out = capture_end();
	assert_string_equal(out, "<4>name evil <3>forged  record tab here\n");
	free(out);
}

static void test_truncation(void **state)
{
	(void)state;
	char *big = malloc(10000);
	assert_non_null(big);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	capture_begin();
	log_error("%s", big);
	log_error("after");
	char *out = capture_end();
	char *nl = strchr(out, '\n');
	assert_non_null(nl);
	size_t len = (size_t)(nl - out);
	assert_true(len < 4096);
	assert_true(len > 1000);
	assert_memory_equal(nl - 3, "...", 3);
	assert_string_equal(nl + 1, "<3>after\n");
	free(out);
	free(big);
}

static void test_fatal(void **state)
{
	(void)state;
	capture_begin();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log_set_level(LOG_ERR); /* fatal ignores nothing it needs */
		log_fatal(EX_CONFIG, "bad %s\nat line %d", "value", 3);
		_exit(99); /* not reached */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	char *out = capture_end();
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EX_CONFIG);
	assert_string_equal(out, "<3>expertd: bad value at line 3\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_parse),
		cmocka_unit_test(test_default_and_clamp),
		cmocka_unit_test(test_prefix_and_filter),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_fatal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
