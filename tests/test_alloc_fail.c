/*
 * Fails the Nth allocation, for every N up to the total, across the
 * scenario loader and a short run (loading, validation, the models, the
 * results database): each must end in a clean error (or succeed, where a
 * failed allocation is only an optimisation), never crash, hang or leak
 * (the sanitizer pass runs this under ASan, whose leak check covers every
 * N).  Allocations are counted through the linker's --wrap of malloc,
 * calloc, realloc, strdup and strndup: every allocation l2sim's own code
 * makes.  Those inside the libraries (jansson, SQLite, GSL) are not failed:
 * jansson, for one, reports a failed allocation while parsing as a syntax
 * error.  The compressors' allocations go through l2sim's tracked heap
 * (models/batcher/compress.c) and are failed like the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "l2sim/error.h"
#include "l2sim/runner.h"
#include "l2sim/world.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* The test's own state: one thread (the runs use --threads 1). */
static long alloc_count, fail_at; /* fail_at 0: never */
static int failed_one;

static int should_fail(void)
{
	alloc_count++;
	if (fail_at && alloc_count == fail_at) {
		failed_one = 1;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return should_fail() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return should_fail() ? NULL : __real_strndup(s, n);
}

static char dir[64];

/* One attempt: 0 ok, or the error code; err->msg tells why. */
typedef int attempt_fn(struct l2s_error *err);

/* What a run wrote, in brief: a run that tolerated a failed allocation
 * must have written exactly what a run without one writes. */
static void digest_of(char *out, size_t cap)
{
	char db[128];
	sqlite3 *h;
	sqlite3_stmt *st;
	snprintf(out, cap, "none");
	snprintf(db, sizeof(db), "%s/run.db", dir);
	if (access(db, F_OK) || sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY,
						NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(h, "SELECT (SELECT group_concat(fingerprint || "
			       "identity) FROM runs), (SELECT count(*) || ':' "
			       "|| total(value) FROM metrics), (SELECT count(*) "
			       "|| ':' || total(value) FROM series), (SELECT "
			       "count(*) FROM l1_blocks)", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, cap, "%s|%s|%s|%s", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			 sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static int do_validate(struct l2s_error *err)
{
	size_t n;
	return runner_validate(&world_model, "tests/data/sweep.json", NULL, 0,
			       &n, err);
}

static int do_run(struct l2s_error *err)
{
	char db[128];
	snprintf(db, sizeof(db), "%s/run.db", dir);
	unlink(db);
	static const char *const sets[] = {"duration=\"20m\"", "replications=1",
					   "warmup=\"1m\""};
	struct runner_opts o = {
		.model = &world_model,
		.scenario_path = "tests/data/sweep.json", .sets = sets,
		.n_sets = 3, .threads = 1, .out = db, .progress = 0,
		.quiet = 1, .write_patience_s = 0.01,
	};
	FILE *devnull = fopen("/dev/null", "w");
	if (!devnull)
		return L2S_EIO;
	int rc = runner_run(&o, devnull, err);
	fclose(devnull);
	return rc;
}

static void sweep_failures(const char *what, attempt_fn *fn)
{
	struct l2s_error err;
	l2s_error_clear(&err);
	fail_at = 0;
	alloc_count = 0;
	int rc = fn(&err);
	if (rc)
		fail_msg("%s without failures: %s", what, err.msg);
	long total = alloc_count;
	char want[512], got[512];
	digest_of(want, sizeof(want));
	if (getenv("L2SIM_FAIL_AT")) {
		/* one N, to debug: L2SIM_FAIL_AT=N */
		fail_at = atol(getenv("L2SIM_FAIL_AT"));
		alloc_count = 0;
		l2s_error_clear(&err);
		rc = fn(&err);
		char buf[1024];
		l2s_error_format(&err, buf, sizeof(buf));
		printf("%s, allocation %ld of %ld failed: %d %s\n", what,
		       fail_at, total, rc, buf);
		fail_at = 0;
		return;
	}
	long clean = 0, tolerated = 0, wrong = 0;
	for (long n = 1; n <= total; n++) {
		fail_at = n;
		alloc_count = 0;
		failed_one = 0;
		l2s_error_clear(&err);
		rc = fn(&err);
		if (!failed_one)
			continue; /* this path allocates less: nothing failed */
		if (rc == 0) {
			digest_of(got, sizeof(got));
			if (strcmp(got, want)) {
				if (wrong++ < 200)
					printf("%s, allocation %ld of %ld "
					       "failed: success, but other rows\n",
					       what, n, total);
				continue;
			}
			tolerated++;
			continue;
		}
		if (rc != L2S_ENOMEM && !strstr(err.msg, "memory")) {
			if (wrong++ < 200)
				printf("%s, allocation %ld of %ld failed: error "
				       "%d '%s' is not an out-of-memory error\n",
				       what, n, total, rc, err.msg);
			continue;
		}
		clean++;
	}
	if (wrong)
		fail_msg("%s: %ld failed allocations gave another error",
			 what, wrong);
	fail_at = 0;
	printf("%s: %ld allocations; each failed in turn: %ld clean errors, "
	       "%ld tolerated\n", what, total, clean, tolerated);
}

static void test_loader(void **state)
{
	(void)state;
	sweep_failures("validate sweep.json", do_validate);
}

static void test_short_run(void **state)
{
	(void)state;
	sweep_failures("run sweep.json (20 min, 2 points)", do_run);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/l2sim-test-alloc-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_short_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
