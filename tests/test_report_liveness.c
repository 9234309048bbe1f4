/*
 * Liveness in the summary (failure seconds by cause, what the mechanisms
 * did, zipped sweep labels) and in the report (the timeline of the
 * failures table), from a database written through resdb_write_run() with
 * known rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "l2sim/analysis.h"
#include "l2sim/results.h"
#include "support/testutil.h"

struct paths {
	char dir[64];
	char db[128];
	char out[128];
	int64_t ids[3];
};

/*
 * Run 1 ("outage"): system "a" failed 900 s (sequencing 600 s from 1 h,
 * halted 300 s from 2 h), "b" never.  Run 2 ("calm"): nothing failed.
 */
static void put_system(struct run_result *r, const char *c, double fail,
		       double seq, double halted)
{
	res_metric_set(r, c, "tx_offered", 36000);
	res_metric_set(r, c, "tx_posted", 36000);
	res_metric_set(r, c, "tps_offered", 10);
	res_metric_set(r, c, "tps_posted", 10);
	res_metric_set(r, c, "liveness_failures", fail > 0 ? 2 : 0);
	res_metric_set(r, c, "liveness_failure_seconds", fail);
	res_metric_set(r, c, "liveness_failure_seconds_sequencing", seq);
	res_metric_set(r, c, "liveness_failure_seconds_posting", 0);
	res_metric_set(r, c, "liveness_failure_seconds_finality", 0);
	res_metric_set(r, c, "liveness_failure_seconds_dropped", 0);
	res_metric_set(r, c, "liveness_failure_seconds_halted", halted);
}

static int write_run_sweep(struct resdb *db, const char *name, int fails,
			   const char *sweep, int64_t *id)
{
	struct l2s_error err;
	memset(&err, 0, sizeof(err));
	struct run_result *r = run_result_create();
	r->scenario_name = strdup(name);
	r->scenario_sha256 = strdup("00ff");
	/* A scenario of its own per run: runs are identified by it. */
	char js[512];
	snprintf(js, sizeof(js), "{\"name\": \"%s\", \"point\": %s}", name,
		 sweep);
	r->scenario_json = strdup(js);
	r->sweep_json = strdup(sweep);
	r->sim_seconds = 4 * 3600;
	put_system(r, "a", fails ? 900 : 0, fails ? 600 : 0, fails ? 300 : 0);
	put_system(r, "b", 0, 0, 0);
	put_system(r, "all", fails ? 900 : 0, fails ? 600 : 0,
		   fails ? 300 : 0);
	if (fails) {
		/* The operator's bond paid 0.25 ETH per failure interval. */
		res_metric_set(r, "a", "slashed_eth", 0.5);
		res_failure_add(r, "a", "sequencing", 3600, 4200, 6000);
		res_failure_add(r, "a", "halted", 7200, 7500, 3000);
	}
	int rc = resdb_write_run(db, r, id, &err);
	run_result_destroy(r);
	return rc;
}

static int write_run(struct resdb *db, const char *name, int fails,
		     int64_t *id)
{
	return write_run_sweep(db, name, fails, "{}", id);
}

static int setup(void **state)
{
	struct paths *p = calloc(1, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/l2sim-test-live-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->db, sizeof(p->db), "%s/live.db", p->dir);
	snprintf(p->out, sizeof(p->out), "%s/report", p->dir);
	struct resdb *db;
	struct l2s_error err;
	memset(&err, 0, sizeof(err));
	if (resdb_open(p->db, &db, &err) < 0)
		return -1;
	int rc = write_run(db, "outage", 1, &p->ids[0]) ||
		 write_run(db, "calm", 0, &p->ids[1]) ||
		 write_run_sweep(db, "designs", 1,
				 "{\"systems[0].description,systems[0]."
				 "sequencer\": [\"hot standby\", "
				 "{\"standby_failover\": \"5m\"}]}",
				 &p->ids[2]);
	resdb_close(db);
	*state = p;
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	struct paths *p = *state;
	test_rmdir(p->dir);
	free(p);
	return 0;
}

/* The summary of runs ids[0 .. n-1], printed to file 'name' in the test's
 * directory and read back. */
static char *summary_text(const struct paths *p, const int64_t *ids, size_t n,
			  const char *name)
{
	struct resdb *db;
	struct l2s_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(resdb_open_readonly(p->db, &db, &err), 0);
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(summary_print(resdb_handle(db), ids, n, out, &err), 0);
	fclose(out);
	resdb_close(db);
	char *s = test_read_file(path, NULL);
	assert_non_null(s);
	return s;
}

static void test_summary_by_cause(void **state)
{
	struct paths *p = *state;
	char *s = summary_text(p, p->ids, 2, "summary.txt");
	/* Only the scenario that failed gets the table. */
	const char *calm = strstr(s, "scenario \"calm\"");
	const char *tab = strstr(s, "liveness failure seconds by cause");
	assert_non_null(calm);
	assert_non_null(tab);
	assert_true(tab < calm);
	assert_null(strstr(tab + 1, "liveness failure seconds by cause"));
	/* The bond's slashing shows in the mechanisms table. */
	const char *mech = strstr(s, "liveness mechanisms");
	assert_non_null(mech);
	assert_true(mech < calm);
	/* a: all 900, sequencing 600, posting/finality/dropped 0, halted
	 * 300 (columns of 13). */
	const char *row = strstr(tab, "\na ");
	assert_non_null(row);
	char want[128];
	snprintf(want, sizeof(want), "%-22s%-13s%-13s%-13s%-13s%-13s%s", "a",
		 "900", "600", "0", "0", "0", "300");
	if (strncmp(row + 1, want, strlen(want)))
		fail_msg("row '%.100s', want '%s'", row + 1, want);
	free(s);
}

/* The report's liveness view (report_views.c) draws the rows this
 * model wrote: a timeline for the scenario that failed, none for the calm
 * one. */
static void test_report_timeline(void **state)
{
	struct paths *p = *state;
	struct l2s_error err;
	memset(&err, 0, sizeof(err));
	if (report_build(p->db, p->out, &err) != 0)
		fail_msg("report_build: %s (%s)", err.msg, err.hint);
	char path[256];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/plots/s1-liveness.png", p->out);
	if (stat(path, &sb) || sb.st_size == 0)
		fail_msg("missing or empty: plots/s1-liveness.png");
	snprintf(path, sizeof(path), "%s/plots/s2-liveness.png", p->out);
	assert_int_not_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/report.md", p->out);
	char *md = test_read_file(path, NULL);
	assert_non_null(md);
	assert_non_null(strstr(md, "liveness timeline"));
	free(md);
}

/* A zipped sweep with a description is labelled by it. */
static void test_zipped_label(void **state)
{
	struct paths *p = *state;
	char *s = summary_text(p, &p->ids[2], 1, "zipped.txt");
	assert_non_null(strstr(s, "\n  hot standby "));
	assert_null(strstr(s, "standby_failover"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_by_cause),
		cmocka_unit_test(test_report_timeline),
		cmocka_unit_test(test_zipped_label),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
