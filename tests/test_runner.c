/*
 * The runner (sim/runner.c): sweep expansion, validation before anything
 * is written, and determinism — the same scenario and seed give identical
 * metrics, series, l1_blocks and fingerprints at one thread and at two.
 *
 * Scenario files live in tests/data/ (found beside this source file, so
 * run from the repository root as tests/run.sh does).
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
#include <omp.h>
#include <sqlite3.h>

#include "l2sim/analysis.h"
#include "l2sim/runner.h"
#include "l2sim/validate.h"
#include "l2sim/world.h"

static char tmpdir[64];
static char datadir[256];

static int setup(void **state)
{
	/* tests/test_runner.c -> tests/data */
	snprintf(datadir, sizeof(datadir), "%s", __FILE__);
	char *slash = strrchr(datadir, '/');
	if (slash)
		snprintf(slash + 1, sizeof(datadir) - (size_t)(slash + 1 - datadir),
			 "data");
	else
		snprintf(datadir, sizeof(datadir), "data");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/l2sim-test-run-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void data(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", datadir, name);
}

static void out(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmpdir, name);
	unlink(buf);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* ---- dumping query results ------------------------------------------------ */

struct buf {
	char *s;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->s ? b->s + b->n : NULL,
				  b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if (b->s && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->cap + (size_t)k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
}

/* Every row of 'sql' as text: integers in decimal, reals in hex (%a, so
 * equal strings mean bit-identical doubles), text as is, NULL as NULL. */
static char *dump(const char *path, const char *sql, size_t *rows)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct buf b = {0};
	put(&b, "%s", "");
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				put(&b, "%lld", (long long)sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				put(&b, "%a", sqlite3_column_double(st, i));
				break;
			case SQLITE_NULL:
				put(&b, "NULL");
				break;
			default:
				put(&b, "'%s'", sqlite3_column_text(st, i));
				break;
			}
			put(&b, i + 1 < sqlite3_column_count(st) ? "|" : "\n");
		}
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rows)
		*rows = n;
	return b.s;
}

static const char q_metrics[] =
	"SELECT run_id, component, name, value FROM metrics "
	"ORDER BY run_id, component, name";
static const char q_series[] =
	"SELECT run_id, component, name, t_seconds, value FROM series "
	"ORDER BY run_id, component, name, t_seconds";
static const char q_blocks[] =
	"SELECT * FROM l1_blocks ORDER BY run_id, slot";
/* Everything about a run that does not depend on the wall clock. */
static const char q_runs[] =
	"SELECT run_id, scenario_name, scenario_sha256, scenario_json, seed, "
	"replication, sweep_json, engine_version, sim_seconds, events, "
	"fingerprint, status, invocation, sweep_index FROM runs ORDER BY run_id";

static int64_t q_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* ---- running ------------------------------------------------------------ */

static int print_summary(void *ctx, struct resdb *db, const char *out_path,
		   const int64_t *run_ids, size_t n_runs, FILE *out,
		   struct l2s_error *err)
{
	fprintf(out, "results: %s (%zu runs)\n", out_path, n_runs);
	return summary_print(resdb_handle(db), run_ids, n_runs, out, err);
}

static int run(const char *scenario, const char *db, int threads,
	       int has_seed, uint64_t seed, const char *const *sets,
	       size_t n_sets, struct l2s_error *err, char *summary,
	       size_t summary_cap)
{
	struct runner_opts o = {
		.model = &world_model, .done = print_summary,
		.scenario_path = scenario, .sets = sets, .n_sets = n_sets,
		.has_seed = has_seed, .seed = seed, .threads = threads,
		.out = db, .progress = 0,
	};
	FILE *f = tmpfile();
	assert_non_null(f);
	l2s_error_clear(err);
	int rc = runner_run(&o, f, err);
	if (summary) {
		rewind(f);
		size_t k = fread(summary, 1, summary_cap - 1, f);
		summary[k] = '\0';
	}
	fclose(f);
	return rc;
}

static void test_determinism_across_threads(void **state)
{
	char scn[300], db1[128], db2[128], db3[128];
	char summary[8192];
	struct l2s_error err;
	data(scn, sizeof(scn), "sweep.json");
	out(db1, sizeof(db1), "t1.db");
	out(db2, sizeof(db2), "t2.db");
	out(db3, sizeof(db3), "t2-again.db");

	int rc = run(scn, db1, 1, 0, 0, NULL, 0, &err, summary, sizeof(summary));
	if (rc)
		fail_msg("threads=1: %s", err.msg);
	char want[300];
	snprintf(want, sizeof(want), "results: %s (4 runs)", db1);
	assert_non_null(strstr(summary, want));
	rc = run(scn, db2, 2, 0, 0, NULL, 0, &err, NULL, 0);
	if (rc)
		fail_msg("threads=2: %s", err.msg);
	rc = run(scn, db3, 2, 0, 0, NULL, 0, &err, NULL, 0);
	if (rc)
		fail_msg("threads=2 again: %s", err.msg);

	/* 2 sweep points x 2 replications, in run order: point-major. */
	assert_int_equal(q_int(db1, "SELECT count(*) FROM runs"), 4);
	size_t n;
	char *r1 = dump(db1, "SELECT sweep_index, replication, seed, sweep_json "
			"FROM runs ORDER BY run_id", &n);
	assert_string_equal(r1,
		"0|0|11|'{\"workloads[0].rate\":\"10tps\"}'\n"
		"0|1|11|'{\"workloads[0].rate\":\"10tps\"}'\n"
		"1|0|11|'{\"workloads[0].rate\":\"60tps\"}'\n"
		"1|1|11|'{\"workloads[0].rate\":\"60tps\"}'\n");
	free(r1);

	static const char *const queries[] = {q_metrics, q_series, q_blocks,
					      q_runs};
	static const char *const what[] = {"metrics", "series", "l1_blocks",
					   "runs"};
	for (int q = 0; q < 4; q++) {
		size_t n1, n2, n3;
		char *a = dump(db1, queries[q], &n1);
		char *b = dump(db2, queries[q], &n2);
		char *c = dump(db3, queries[q], &n3);
		if (n1 == 0)
			fail_msg("%s: no rows", what[q]);
		if (strcmp(a, b) || strcmp(b, c))
			fail_msg("%s differ between threads=1 and threads=2 "
				 "(%zu / %zu / %zu rows)", what[q], n1, n2, n3);
		free(a);
		free(b);
		free(c);
	}
	/* The runs are not trivially equal: replications differ from each
	 * other, and the sweep points too. */
	char *m = dump(db1, "SELECT run_id, value FROM metrics WHERE component "
		       "= 'zk' AND name = 'latency_posted_p50' ORDER BY run_id",
		       &n);
	assert_int_equal(n, 4);
	double v[4];
	char *p = m;
	for (int i = 0; i < 4; i++) {
		long long id;
		assert_int_equal(sscanf(p, "%lld|%la", &id, &v[i]), 2);
		p = strchr(p, '\n') + 1;
	}
	free(m);
	assert_true(v[0] != v[1]);
	assert_true(v[2] != v[3]);
	assert_true(v[0] != v[2]);
	/* Their trajectories differ too (proofs finish at random times). */
	assert_int_equal(q_int(db1, "SELECT count(DISTINCT fingerprint) FROM "
			       "runs"), 4);
	/* One writer, one invocation for the whole sweep. */
	assert_int_equal(q_int(db1, "SELECT count(DISTINCT invocation) FROM "
			       "runs"), 1);
	/* The scenario as run is stored with the sweep value applied. */
	assert_int_equal(q_int(db1, "SELECT count(*) FROM runs WHERE sweep_index "
			       "= 1 AND scenario_json LIKE '%\"60tps\"%'"), 2);
}

static void test_other_seed_differs(void **state)
{
	char scn[300], a[128], b[128];
	struct l2s_error err;
	data(scn, sizeof(scn), "sweep.json");
	out(a, sizeof(a), "seed11.db");
	out(b, sizeof(b), "seed12.db");
	assert_int_equal(run(scn, a, 2, 0, 0, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(run(scn, b, 2, 1, 12, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(q_int(b, "SELECT count(*) FROM runs WHERE seed = 12"),
			 4);
	size_t na, nb;
	char *ma = dump(a, q_metrics, &na);
	char *mb = dump(b, q_metrics, &nb);
	/* Same metric names, other values. */
	assert_int_equal(na, nb);
	assert_true(strcmp(ma, mb) != 0);
	free(ma);
	free(mb);
	ma = dump(a, q_blocks, &na);
	mb = dump(b, q_blocks, &nb);
	assert_true(strcmp(ma, mb) != 0);
	free(ma);
	free(mb);
	/* The same seed given explicitly equals the scenario's own. */
	char c[128];
	out(c, sizeof(c), "seed11-explicit.db");
	assert_int_equal(run(scn, c, 1, 1, 11, NULL, 0, &err, NULL, 0), 0);
	ma = dump(a, q_metrics, NULL);
	mb = dump(c, q_metrics, NULL);
	assert_string_equal(ma, mb);
	free(ma);
	free(mb);
}

static void test_set_overrides(void **state)
{
	/* --set values are applied to every point and stored with the run. */
	char scn[300], db[128];
	struct l2s_error err;
	data(scn, sizeof(scn), "sweep.json");
	out(db, sizeof(db), "set.db");
	static const char *const sets[] = {"replications=1",
					   "duration=\"1h\""};
	assert_int_equal(run(scn, db, 2, 0, 0, sets, 2, &err, NULL, 0), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE sim_seconds "
			       "= 3600 AND scenario_json LIKE "
			       "'%\"duration\":\"1h\"%'"), 2);
}

static void test_bad_input_writes_nothing(void **state)
{
	char scn[300], db[128];
	struct l2s_error err;

	/* The second sweep point is invalid: nothing runs, no file. */
	data(scn, sizeof(scn), "sweep_bad.json");
	out(db, sizeof(db), "bad.db");
	assert_int_equal(run(scn, db, 2, 0, 0, NULL, 0, &err, NULL, 0),
			 L2S_EINPUT);
	assert_false(exists(db));
	assert_non_null(strstr(err.msg, "60 parsecs"));
	assert_non_null(strstr(err.msg, "sweep point"));
	assert_string_equal(err.path, "workloads[0].rate");
	assert_non_null(strstr(err.file, "sweep_bad.json"));

	/* A bad --set on a good scenario: same. */
	data(scn, sizeof(scn), "sweep.json");
	static const char *const bad_set[] = {"systems[0].cuont=2"};
	assert_int_equal(run(scn, db, 1, 0, 0, bad_set, 1, &err, NULL, 0),
			 L2S_EINPUT);
	assert_false(exists(db));
	assert_string_equal(err.hint, "did you mean 'count'?");
	static const char *const bad_path[] = {"systems[3].count=2"};
	assert_int_equal(run(scn, db, 1, 0, 0, bad_path, 1, &err, NULL, 0),
			 L2S_EUSAGE);
	assert_false(exists(db));

	/* An existing database gains no rows from a rejected scenario. */
	assert_int_equal(run(scn, db, 2, 0, 0, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 4);
	data(scn, sizeof(scn), "sweep_bad.json");
	assert_int_equal(run(scn, db, 2, 0, 0, NULL, 0, &err, NULL, 0),
			 L2S_EINPUT);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE run_id "
			       "> 4"), 0);

	/* A missing scenario file. */
	data(scn, sizeof(scn), "no-such-scenario.json");
	out(db, sizeof(db), "missing.db");
	assert_int_equal(run(scn, db, 1, 0, 0, NULL, 0, &err, NULL, 0),
			 L2S_EINPUT);
	assert_false(exists(db));
}

static void test_appends(void **state)
{
	char scn[300], db[128];
	struct l2s_error err;
	data(scn, sizeof(scn), "tiny.json");
	out(db, sizeof(db), "append.db");
	assert_int_equal(run(scn, db, 1, 0, 0, NULL, 0, &err, NULL, 0), 0);
	/* the same run again: skipped */
	assert_int_equal(run(scn, db, 1, 0, 0, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 1);
	/* another seed: another run, appended by another invocation */
	assert_int_equal(run(scn, db, 1, 1, 77, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(run(scn, db, 1, 1, 77, NULL, 0, &err, NULL, 0), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT invocation) FROM "
			       "runs"), 2);
	/* --set makes another run too, never hidden behind the first */
	const char *set[] = {"duration=\"90m\""};
	assert_int_equal(run(scn, db, 1, 0, 0, set, 1, &err, NULL, 0), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE sets_json "
			       "= '{\"duration\":\"90m\"}'"), 1);
	/* --rerun replaces the run with identical metrics */
	int64_t before = q_int(db, "SELECT count(*) FROM metrics");
	struct runner_opts o = {.model = &world_model, .scenario_path = scn,
				.threads = 1, .out = db, .rerun = 1, .quiet = 1};
	l2s_error_clear(&err);
	assert_int_equal(runner_run(&o, stdout, &err), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 3);
	assert_int_equal(q_int(db, "SELECT min(run_id) FROM runs"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), before);
}

static void test_default_output_path(void **state)
{
	/* Without --out: results/<scenario name>.db under the current
	 * directory, results/ created if needed. */
	char scn[300], cwd[1024], abs_scn[1400];
	struct l2s_error err;
	data(scn, sizeof(scn), "tiny.json");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(abs_scn, sizeof(abs_scn), "%s/%s", cwd, scn);
	assert_int_equal(chdir(tmpdir), 0);
	int rc = run(abs_scn, NULL, 1, 0, 0, NULL, 0, &err, NULL, 0);
	int ok = exists("results/tiny.db");
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);
	assert_true(ok);
}

/* ---- expansion and validation ------------------------------------------- */

static void test_expand(void **state)
{
	static const char text[] =
		"{\"name\": \"x\", \"a\": 0, \"b\": 0, \"c\": 0, \"d\": 0,\n"
		" \"sweep\": {\"a\": [1, 2], \"b\": [\"p\", \"q\", \"r\"],\n"
		"           \"c,d\": [[10, 20], [30, 40]]}}\n";
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("x.json", text, &scn, &err), 0);
	struct sweep_point *pts;
	size_t n;
	static const char *const sets[] = {"a=5"};
	assert_int_equal(runner_expand(scn, sets, 1, &pts, &n, &err), 0);
	/* 2 x 3 x 2 (c and d zipped), the first key varying slowest. */
	assert_int_equal(n, 12);
	assert_string_equal(pts[0].sweep_json,
			    "{\"a\":1,\"b\":\"p\",\"c,d\":[10,20]}");
	assert_string_equal(pts[1].sweep_json,
			    "{\"a\":1,\"b\":\"p\",\"c,d\":[30,40]}");
	assert_string_equal(pts[2].sweep_json,
			    "{\"a\":1,\"b\":\"q\",\"c,d\":[10,20]}");
	assert_string_equal(pts[11].sweep_json,
			    "{\"a\":2,\"b\":\"r\",\"c,d\":[30,40]}");
	/* Each point's tree has its values; the sweep overrides --set. */
	assert_int_equal(json_integer_value(json_object_get(pts[7].root, "a")),
			 2);
	assert_string_equal(json_string_value(json_object_get(pts[7].root,
							      "b")), "p");
	assert_int_equal(json_integer_value(json_object_get(pts[7].root, "c")),
			 30);
	assert_int_equal(json_integer_value(json_object_get(pts[7].root, "d")),
			 40);
	/* Points are independent copies. */
	assert_true(pts[0].root != pts[1].root);
	assert_int_equal(json_integer_value(json_object_get(pts[0].root, "c")),
			 10);
	sweep_points_free(pts, n);
	scenario_destroy(scn);

	/* No sweep: one point, "{}". */
	assert_int_equal(scenario_load_text("y.json", "{\"a\": 1}", &scn, &err),
			 0);
	assert_int_equal(runner_expand(scn, NULL, 0, &pts, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pts[0].sweep_json, "{}");
	sweep_points_free(pts, n);
	scenario_destroy(scn);
	sweep_points_free(NULL, 0);
}

static void test_expand_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
		int line, col;
	} cases[] = {
		{"{\"a\": 1,\n \"sweep\": {\"a\": []}}",
		 "must be a non-empty array", 2, 12},
		{"{\"a\": 1,\n \"sweep\": {\"a\": 3}}",
		 "must be a non-empty array", 2, 12},
		{"{\"a\": 1, \"b\": 1,\n \"sweep\": {\"a,b\": [[1, 2], [3]]}}",
		 "must be lists of 2 values", 2, 12},
		{"{\"a\": [1],\n \"sweep\": {\"a[4]\": [1, 2]}}",
		 "not an element of an array", 2, 2}, /* at "sweep" */
		{"{\"a\": 1,\n \"sweep\": 5}", "must be an object", 2, 2},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario *scn;
		struct l2s_error err;
		l2s_error_clear(&err);
		assert_int_equal(scenario_load_text("e.json", cases[i].text,
						    &scn, &err), 0);
		struct sweep_point *pts = (struct sweep_point *)1;
		size_t n = 7;
		int rc = runner_expand(scn, NULL, 0, &pts, &n, &err);
		if (rc != L2S_EINPUT || !strstr(err.msg, cases[i].msg) ||
		    err.line != cases[i].line || err.column != cases[i].col)
			fail_msg("case %zu: rc %d, %d:%d '%s'", i, rc, err.line,
				 err.column, err.msg);
		assert_null(pts);
		assert_int_equal(n, 0);
		scenario_destroy(scn);
	}
}

static void test_validate(void **state)
{
	char scn[300];
	struct l2s_error err;
	size_t n = 0;
	l2s_error_clear(&err);
	data(scn, sizeof(scn), "sweep.json");
	assert_int_equal(runner_validate(&world_model, scn, NULL, 0, &n, &err), 0);
	assert_int_equal(n, 4);
	static const char *const sets[] = {"replications=3"};
	assert_int_equal(runner_validate(&world_model, scn, sets, 1, &n, &err), 0);
	assert_int_equal(n, 6);
	data(scn, sizeof(scn), "sweep_bad.json");
	assert_int_equal(runner_validate(&world_model, scn, NULL, 0, &n, &err), L2S_EINPUT);
	data(scn, sizeof(scn), "typo.json");
	l2s_error_clear(&err);
	assert_int_equal(runner_validate(&world_model, scn, NULL, 0, &n, &err), L2S_EINPUT);
	assert_string_equal(err.path, "systems[0].batcher.max_dealy");
	assert_int_equal(err.line, 6);
	assert_int_equal(err.column, 28);
	assert_string_equal(err.hint, "did you mean 'max_delay'?");
}

/* Writes a scenario to the scratch directory; returns its path in buf. */
static void write_scn(char *buf, size_t cap, const char *name,
		      const char *text)
{
	out(buf, cap, name);
	FILE *f = fopen(buf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Sweeps are validated point by point, a world built once per combination
 * of the values other than seed and replications, by contiguous shares of
 * the points per thread: the first bad point in sweep order is reported
 * whatever the thread count.
 */
static void test_validate_sweep_points(void **state)
{
	static const struct {
		const char *sweep;
		size_t runs;
		const char *point; /* the bad point named, or NULL */
	} cases[] = {
		{"{\"seed\": [1, 2, 3], \"workloads[0].rate\": [\"5tps\", \"6tps\"]}",
		 6, NULL},
		/* A bad rate in the last of three seeds' worlds: reported at
		 * the first seed, where its world is built. */
		{"{\"seed\": [1, 2, 3], \"workloads[0].rate\": [\"5tps\", \"6tps\", "
		 "\"5MB/s\"]}",
		 0, "{\"seed\":1,\"workloads[0].rate\":\"5MB/s\"}"},
		/* A bad seed late in the sweep. */
		{"{\"workloads[0].rate\": [\"5tps\", \"6tps\"], \"seed\": [1, 2, -4]}",
		 0, "{\"workloads[0].rate\":\"5tps\",\"seed\":-4}"},
		/* Nested paths: points on fresh copies; the later key wins. */
		{"{\"workloads[0]\": [{\"name\": \"w\", \"rate\": \"5MB/s\"}], "
		 "\"workloads[0].rate\": [\"5tps\", \"9tps\"]}",
		 2, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024], path[300];
		snprintf(text, sizeof(text),
			 "{\"name\": \"v\", \"duration\": \"1h\", \"seed\": 7,\n"
			 " \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],\n"
			 " \"systems\": [{\"name\": \"zk\", \"type\": \"zk_rollup\", "
			 "\"workload\": \"w\"}],\n"
			 " \"sweep\": %s}\n", cases[i].sweep);
		write_scn(path, sizeof(path), "v.json", text);
		for (int threads = 1; threads <= 2; threads++) {
			omp_set_num_threads(threads);
			struct l2s_error err;
			l2s_error_clear(&err);
			size_t n = 0;
			int rc = runner_validate(&world_model, path, NULL, 0, &n, &err);
			if (!cases[i].point) {
				if (rc != 0 || n != cases[i].runs)
					fail_msg("case %zu, %d threads: rc %d, %zu "
						 "runs: %s", i, threads, rc, n,
						 err.msg);
				continue;
			}
			char want[300];
			snprintf(want, sizeof(want), "(sweep point %s)",
				 cases[i].point);
			if (rc != L2S_EINPUT || !strstr(err.msg, want))
				fail_msg("case %zu, %d threads: rc %d '%s', "
					 "want '%s'", i, threads, rc, err.msg,
					 want);
		}
	}
	omp_set_num_threads(omp_get_num_procs());
}

/* world_model, counting the worlds it builds. */
static size_t worlds_built;

static int counting_create(struct sim *sim, const struct scenario *scn,
			   void **out, struct l2s_error *err)
{
	__atomic_add_fetch(&worlds_built, 1, __ATOMIC_RELAXED);
	return world_model.create(sim, scn, out, err);
}

/*
 * `l2sim validate` (validate_all) streams the points like runner_validate:
 * 1,000 seeds x 2 rates build 2 worlds, not 2,000 (once it expanded and
 * built every point: 6 GB and 40 s for a sweep of 100,000).  An error
 * every point shares names no point; one only some have names the first.
 */
static void test_validate_all_streams(void **state)
{
	(void)state;
	struct sim_model counting = world_model;
	counting.create = counting_create;
	char seeds[8000] = "[1";
	for (int i = 2; i <= 1000; i++)
		snprintf(seeds + strlen(seeds), sizeof(seeds) - strlen(seeds),
			 ", %d", i);
	static const struct {
		const char *rates, *extra;
		size_t worlds, errors;
		int named;
	} cases[] = {
		{"[\"5tps\", \"6tps\"]", "", 2, 0, 0},
		/* every point: the same unknown key */
		{"[\"5tps\", \"6tps\"]", ", \"bogus\": 1", 0, 1, 0},
		/* one rate of two is bad */
		{"[\"5tps\", \"5MB/s\"]", "", 0, 1, 1},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *text = malloc(16384), path[300];
		assert_non_null(text);
		snprintf(text, 16384,
			 "{\"name\": \"v\", \"duration\": \"1h\"%s,\n"
			 " \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],\n"
			 " \"systems\": [{\"name\": \"zk\", \"type\": \"zk_rollup\", "
			 "\"workload\": \"w\"}],\n"
			 " \"sweep\": {\"seed\": %s]%s, \"workloads[0].rate\": %s}}\n",
			 cases[c].extra, seeds, "", cases[c].rates);
		write_scn(path, sizeof(path), "va.json", text);
		free(text);
		struct l2s_error errs[VALIDATE_MAX_ERRORS];
		size_t n_errs = 0, n_runs = 0;
		worlds_built = 0;
		int rc = validate_all(&counting, path, NULL, 0,
				      VALIDATE_MAX_ERRORS, errs, &n_errs, &n_runs);
		if (cases[c].errors == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(n_runs, 2000);
			assert_int_equal(worlds_built, cases[c].worlds);
			continue;
		}
		assert_int_equal(rc, L2S_EINPUT);
		assert_int_equal(n_errs, cases[c].errors);
		if ((strstr(errs[0].msg, "sweep point") != NULL) != cases[c].named)
			fail_msg("case %zu: '%s' %s a sweep point", c,
				 errs[0].msg, cases[c].named ? "names no" : "names");
		/* far fewer builds than points, even when checking whether
		 * the error is the sweep's */
		if (worlds_built > 10)
			fail_msg("case %zu: %zu worlds built", c, worlds_built);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism_across_threads),
		cmocka_unit_test(test_validate_sweep_points),
		cmocka_unit_test(test_validate_all_streams),
		cmocka_unit_test(test_other_seed_differs),
		cmocka_unit_test(test_set_overrides),
		cmocka_unit_test(test_bad_input_writes_nothing),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_default_output_path),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
