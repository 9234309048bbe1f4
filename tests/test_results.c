/*
 * In-memory run results and the SQLite results database (sim/results.c):
 * schema, round trip of every table, appending runs and invocations, fees
 * beyond 64-bit signed, metric set/add semantics and the metric index.
 * Rows are read back with plain sqlite3 queries, not through l2sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "l2sim/results.h"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/l2sim-test-res-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void db_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmpdir, name);
	unlink(buf);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	return db;
}

/* The single integer a query returns. */
static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The single text a query returns (static buffer). */
static const char *q_text(sqlite3 *db, const char *sql)
{
	static char buf[512];
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	snprintf(buf, sizeof(buf), "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(st);
	return buf;
}

static double q_double(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	double v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_schema(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "schema.db");
	struct resdb *db = NULL;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	assert_non_null(db);
	assert_non_null(resdb_handle(db));
	assert_int_equal(resdb_invocation(db), 1);
	resdb_close(db);

	sqlite3 *raw = raw_open(path);
	static const char *const tables[] = {"runs", "metrics", "series",
					     "l1_blocks", "schema_version",
					     "failures"};
	for (size_t i = 0; i < 6; i++) {
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master "
			 "WHERE type = 'table' AND name = '%s'", tables[i]);
		if (q_int(raw, sql) != 1)
			fail_msg("table %s missing", tables[i]);
	}
	assert_int_equal(q_int(raw, "SELECT count(*) FROM schema_version"), 1);
	assert_int_equal(q_int(raw, "SELECT version FROM schema_version"),
			 RESDB_SCHEMA_VERSION);
	/* The columns docs/reports.md names, in a query that fails if one is missing. */
	assert_int_equal(q_int(raw,
		"SELECT count(*) FROM (SELECT run_id, scenario_name, "
		"scenario_sha256, scenario_json, seed, replication, sweep_json, "
		"engine_version, started_at, wall_seconds, sim_seconds, events, "
		"fingerprint, status FROM runs)"), 0);
	assert_int_equal(q_int(raw,
		"SELECT count(*) FROM (SELECT run_id, component, name, value "
		"FROM metrics)"), 0);
	assert_int_equal(q_int(raw,
		"SELECT count(*) FROM (SELECT run_id, component, name, "
		"t_seconds, value FROM series)"), 0);
	assert_int_equal(q_int(raw,
		"SELECT count(*) FROM (SELECT run_id, slot, t_seconds, gas_used, "
		"base_fee_wei, blob_gas_used, excess_blob_gas, "
		"blob_base_fee_wei, blobs FROM l1_blocks)"), 0);
	assert_int_equal(q_int(raw,
		"SELECT count(*) FROM (SELECT run_id, component, cause, "
		"t_start_s, t_end_s, txs FROM failures)"), 0);
	sqlite3_close(raw);

	/* Opening again keeps one schema_version row. */
	assert_int_equal(resdb_open(path, &db, &err), 0);
	resdb_close(db);
	raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM schema_version"), 1);
	sqlite3_close(raw);
	resdb_close(NULL);
}

static void test_newer_schema_refused(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "future.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE schema_version(version "
				      "INTEGER NOT NULL); INSERT INTO "
				      "schema_version VALUES(99); CREATE TABLE "
				      "runs(run_id, scenario_name, "
				      "scenario_sha256, scenario_json, seed, "
				      "replication, sweep_json, engine_version, "
				      "status)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	struct resdb *db = (struct resdb *)1;
	struct l2s_error err;
	l2s_error_clear(&err);
	/* refused for writing and for reading, as bad input, by name */
	assert_int_equal(resdb_open(path, &db, &err), L2S_EINPUT);
	assert_null(db);
	assert_non_null(strstr(err.msg, "newer"));
	assert_string_equal(err.file, path);
	l2s_error_clear(&err);
	assert_int_equal(resdb_open_readonly(path, &db, &err), L2S_EINPUT);
	assert_null(db);
	assert_non_null(strstr(err.msg, "schema version 99"));
}

/* A database of schema 1 gains run identities (2) and the failures
 * table (3). */
static void test_schema_upgrade(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "v1.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE schema_version(version "
				      "INTEGER NOT NULL); INSERT INTO "
				      "schema_version VALUES(1); CREATE TABLE "
				      "runs(run_id INTEGER PRIMARY KEY, "
				      "scenario_name, scenario_sha256, "
				      "scenario_json, seed, replication, "
				      "sweep_json, engine_version, started_at, "
				      "wall_seconds, sim_seconds, events, "
				      "fingerprint, status, invocation, "
				      "sweep_index)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	resdb_close(db);
	raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT max(version) FROM schema_version"),
			 RESDB_SCHEMA_VERSION);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM sqlite_master WHERE "
			       "name = 'failures'"), 1);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM (SELECT identity "
			       "FROM runs)"), 0);
	sqlite3_close(raw);
}

static void test_open_errors(void **state)
{
	struct resdb *db;
	struct l2s_error err;
	char path[160];
	l2s_error_clear(&err);
	/* A directory that does not exist: a database error, not a crash. */
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", tmpdir);
	assert_int_equal(resdb_open(path, &db, &err), L2S_EDB);
	assert_null(db);
	assert_string_equal(err.file, path);
	/* Read-only open of a missing file: bad input. */
	db_path(path, sizeof(path), "absent.db");
	l2s_error_clear(&err);
	assert_int_equal(resdb_open_readonly(path, &db, &err), L2S_EINPUT);
	/* Read-only open of a file that is not a results database. */
	db_path(path, sizeof(path), "notdb.db");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello, this is not sqlite\n", f);
	fclose(f);
	l2s_error_clear(&err);
	assert_true(resdb_open_readonly(path, &db, &err) < 0);
}

static struct run_result *sample_run(uint64_t seed, uint32_t rep)
{
	struct run_result *r = run_result_create();
	assert_non_null(r);
	assert_string_equal(r->status, "ok");
	r->scenario_name = strdup("tiny");
	r->scenario_sha256 = strdup("abc123");
	r->scenario_json = strdup("{\"name\":\"tiny\"}");
	r->sweep_json = strdup("{\"l1.fork\":\"pectra\"}");
	r->seed = seed;
	r->replication = rep;
	r->wall_seconds = 0.5;
	r->sim_seconds = 7200;
	r->events = 1234;
	r->fingerprint = UINT64_C(0xfedcba9876543210);
	r->sweep_index = 3;
	res_metric_set(r, "zk", "tx_offered", 144000);
	res_metric_set(r, "zk", "tps_posted", 19.5);
	res_metric_set(r, "l1", "blocks", 600);
	res_metric_set(r, "zk", "latency_posted_p99", NAN); /* -> NULL */
	res_series_add(r, "zk", "backlog", 60, 10);
	res_series_add(r, "zk", "backlog", 120, 12.5);
	res_series_add(r, "l1", "base_fee_gwei", 60, 1.0);
	struct res_l1_block b = {
		.slot = 7, .t_seconds = 84, .gas_used = 18000000,
		.base_fee_wei = 1000000000, .blob_gas_used = 786432,
		.excess_blob_gas = 393216, .blob_base_fee_wei = 1, .blobs = 6,
	};
	res_l1_block_add(r, &b);
	b.slot = 8;
	b.t_seconds = 96;
	b.base_fee_wei = (uint64_t)INT64_MAX;      /* fits: INTEGER */
	b.blob_base_fee_wei = UINT64_MAX;          /* does not: REAL */
	b.excess_blob_gas = (uint64_t)INT64_MAX + 1;
	res_l1_block_add(r, &b);
	res_failure_add(r, "zk", "posting", 3600, 4500, 120);
	res_failure_add(r, "zk", "halted", 3700, 3800, 12.5);
	assert_int_equal(r->n_failures, 2);
	assert_int_equal(r->n_metrics, 4);
	assert_int_equal(r->n_points, 3);
	assert_int_equal(r->n_blocks, 2);
	assert_int_equal(r->oom, 0);
	return r;
}

static void test_round_trip(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "round.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	struct run_result *r = sample_run(42, 1);
	int64_t id = -1;
	assert_int_equal(resdb_write_run(db, r, &id, &err), 0);
	assert_int_equal(id, 1);
	run_result_destroy(r);
	resdb_close(db);

	sqlite3 *raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 1);
	assert_string_equal(q_text(raw, "SELECT scenario_name || '|' || "
				   "scenario_sha256 || '|' || scenario_json || "
				   "'|' || sweep_json || '|' || status FROM runs"),
			    "tiny|abc123|{\"name\":\"tiny\"}|"
			    "{\"l1.fork\":\"pectra\"}|ok");
	assert_int_equal(q_int(raw, "SELECT seed FROM runs"), 42);
	assert_int_equal(q_int(raw, "SELECT replication FROM runs"), 1);
	assert_int_equal(q_int(raw, "SELECT events FROM runs"), 1234);
	assert_int_equal(q_int(raw, "SELECT sweep_index FROM runs"), 3);
	assert_int_equal(q_int(raw, "SELECT invocation FROM runs"), 1);
	assert_true(q_double(raw, "SELECT sim_seconds FROM runs") == 7200);
	assert_true(q_double(raw, "SELECT wall_seconds FROM runs") == 0.5);
	assert_string_equal(q_text(raw, "SELECT fingerprint FROM runs"),
			    "fedcba9876543210");
	/* started_at: ISO 8601 UTC, e.g. 2025-01-31T12:00:00Z. */
	assert_int_equal(q_int(raw, "SELECT length(started_at) FROM runs"), 20);
	assert_string_equal(q_text(raw, "SELECT substr(started_at, 20) FROM "
				   "runs"), "Z");
	assert_true(strlen(q_text(raw, "SELECT engine_version FROM runs")) > 0);

	assert_string_equal(q_text(raw,
		"SELECT group_concat(component || ':' || name || '=' || "
		"coalesce(value, 'NULL'), ' ') FROM (SELECT * FROM metrics "
		"ORDER BY component, name)"),
		"l1:blocks=600.0 zk:latency_posted_p99=NULL "
		"zk:tps_posted=19.5 zk:tx_offered=144000.0");
	assert_string_equal(q_text(raw,
		"SELECT group_concat(run_id || ':' || component || ':' || name "
		"|| '@' || t_seconds || '=' || value, ' ') FROM (SELECT * FROM "
		"series ORDER BY component, name, t_seconds)"),
		"1:l1:base_fee_gwei@60.0=1.0 1:zk:backlog@60.0=10.0 "
		"1:zk:backlog@120.0=12.5");
	assert_string_equal(q_text(raw,
		"SELECT group_concat(slot || ',' || t_seconds || ',' || gas_used "
		"|| ',' || base_fee_wei || ',' || blob_gas_used || ',' || "
		"blobs, ' ') FROM (SELECT * FROM l1_blocks ORDER BY slot)"),
		"7,84.0,18000000,1000000000,786432,6 "
		"8,96.0,18000000,9223372036854775807,786432,6");
	assert_string_equal(q_text(raw,
		"SELECT group_concat(run_id || ':' || component || ':' || cause "
		"|| ':' || t_start_s || '-' || t_end_s || ':' || txs, ' ') FROM "
		"(SELECT * FROM failures ORDER BY t_start_s)"),
		"1:zk:posting:3600.0-4500.0:120.0 1:zk:halted:3700.0-3800.0:12.5");

	/* Fees beyond INT64_MAX: stored as REAL, positive, not wrapped. */
	assert_string_equal(q_text(raw, "SELECT typeof(blob_base_fee_wei) FROM "
				   "l1_blocks WHERE slot = 8"), "real");
	assert_true(q_double(raw, "SELECT blob_base_fee_wei FROM l1_blocks "
			     "WHERE slot = 8") == 18446744073709551615.0);
	assert_string_equal(q_text(raw, "SELECT typeof(excess_blob_gas) FROM "
				   "l1_blocks WHERE slot = 8"), "real");
	assert_true(q_double(raw, "SELECT excess_blob_gas FROM l1_blocks "
			     "WHERE slot = 8") == 9223372036854775808.0);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM l1_blocks WHERE "
			       "blob_base_fee_wei < 0 OR excess_blob_gas < 0"),
			 0);
	/* ... while values that fit stay exact INTEGERs. */
	assert_string_equal(q_text(raw, "SELECT typeof(base_fee_wei) FROM "
				   "l1_blocks WHERE slot = 8"), "integer");
	assert_string_equal(q_text(raw, "SELECT typeof(blob_base_fee_wei) FROM "
				   "l1_blocks WHERE slot = 7"), "integer");
	sqlite3_close(raw);
}

static void test_append_and_invocations(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "append.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);

	/* First open: two runs share invocation 1. */
	assert_int_equal(resdb_open(path, &db, &err), 0);
	assert_int_equal(resdb_invocation(db), 1);
	int64_t a, b, c;
	struct run_result *r = sample_run(1, 0);
	assert_int_equal(resdb_write_run(db, r, &a, &err), 0);
	run_result_destroy(r);
	r = sample_run(1, 1);
	assert_int_equal(resdb_write_run(db, r, &b, &err), 0);
	run_result_destroy(r);
	resdb_close(db);
	assert_true(a != b);

	/* Second open of the same file: appended, invocation 2. */
	assert_int_equal(resdb_open(path, &db, &err), 0);
	assert_int_equal(resdb_invocation(db), 2);
	r = sample_run(2, 0);
	assert_int_equal(resdb_write_run(db, r, &c, &err), 0);
	run_result_destroy(r);
	resdb_close(db);
	assert_true(c != a && c != b);

	sqlite3 *raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 3);
	assert_int_equal(q_int(raw, "SELECT count(DISTINCT run_id) FROM runs"),
			 3);
	assert_string_equal(q_text(raw, "SELECT group_concat(invocation, ',') "
				   "FROM (SELECT invocation FROM runs ORDER BY "
				   "run_id)"), "1,1,2");
	/* Each run's rows are under its own run_id. */
	assert_int_equal(q_int(raw, "SELECT count(*) FROM metrics"), 12);
	assert_int_equal(q_int(raw, "SELECT count(DISTINCT run_id) FROM "
			       "metrics"), 3);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM series"), 9);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM l1_blocks"), 6);
	sqlite3_close(raw);

	/* Writers open at the same time get different numbers, each taken
	 * under the write lock as a row of 'invocations'. */
	struct resdb *d1, *d2;
	assert_int_equal(resdb_open(path, &d1, &err), 0);
	assert_int_equal(resdb_open(path, &d2, &err), 0);
	assert_int_equal(resdb_invocation(d1), 3);
	assert_int_equal(resdb_invocation(d2), 4);
	r = sample_run(3, 0);
	assert_int_equal(resdb_write_run(d2, r, &c, &err), 0);
	run_result_destroy(r);
	r = sample_run(4, 0);
	assert_int_equal(resdb_write_run(d1, r, &c, &err), 0);
	run_result_destroy(r);
	resdb_close(d1);
	resdb_close(d2);
	raw = raw_open(path);
	assert_string_equal(q_text(raw, "SELECT group_concat(invocation, ',') "
				   "FROM (SELECT invocation FROM runs ORDER BY "
				   "run_id)"), "1,1,2,4,3");
	sqlite3_close(raw);
}

static void test_identity_replaces(void **state)
{
	/* A run written again (same identity) replaces the earlier one and
	 * its rows; another seed or replication is another run. */
	char path[128];
	db_path(path, sizeof(path), "identity.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	int64_t a, b, c;
	struct run_result *r = sample_run(1, 0);
	assert_int_equal(resdb_write_run(db, r, &a, &err), 0);
	char id1[65];
	assert_int_equal(resdb_identity(r->scenario_json, 1, 0,
					resdb_engine_version(), id1), 0);
	run_result_destroy(r);
	assert_int_equal(resdb_run_complete(db, id1, &c, &err), 1);
	assert_int_equal(c, a);
	r = sample_run(1, 0);
	assert_int_equal(resdb_write_run(db, r, &b, &err), 0);
	run_result_destroy(r);
	r = sample_run(1, 1);
	assert_int_equal(resdb_write_run(db, r, &c, &err), 0);
	run_result_destroy(r);
	assert_int_equal(resdb_run_complete(db, id1, &c, &err), 1);
	assert_int_equal(c, b);
	resdb_close(db);
	sqlite3 *raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(q_int(raw, "SELECT count(DISTINCT identity) FROM runs"),
			 2);
	assert_int_equal(q_int(raw, "SELECT count(DISTINCT run_id) FROM "
			       "metrics"), 2);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM l1_blocks"), 4);
	sqlite3_close(raw);

	/* The identity leaves out "sweep" and "replications" and the order
	 * of keys, and changes with any other value, the seed, the
	 * replication and the engine version. */
	char x[65], y[65];
	assert_int_equal(resdb_identity("{\"a\":1,\"b\":[1,2],\"sweep\":"
					"{\"a\":[1,2]},\"replications\":3}",
					5, 0, "1.0", x), 0);
	assert_int_equal(resdb_identity("{\"b\":[1,2],\"a\":1}", 5, 0,
					"1.0", y), 0);
	assert_string_equal(x, y);
	assert_int_equal(resdb_identity("{\"b\":[1,2],\"a\":2}", 5, 0,
					"1.0", y), 0);
	assert_string_not_equal(x, y);
	assert_int_equal(resdb_identity("{\"b\":[1,2],\"a\":1}", 6, 0,
					"1.0", y), 0);
	assert_string_not_equal(x, y);
	assert_int_equal(resdb_identity("{\"b\":[1,2],\"a\":1}", 5, 1,
					"1.0", y), 0);
	assert_string_not_equal(x, y);
	assert_int_equal(resdb_identity("{\"b\":[1,2],\"a\":1}", 5, 0,
					"1.1", y), 0);
	assert_string_not_equal(x, y);
	assert_int_equal(strlen(x), 64);
}

static void test_upgrade_v1(void **state)
{
	/* A database of schema version 1 (no identity, no invocations
	 * table) is upgraded in place: its runs get their identity, and
	 * invocation numbers go on after the ones it holds. */
	char path[128];
	db_path(path, sizeof(path), "v1.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
		"CREATE TABLE schema_version(version INTEGER NOT NULL);"
		"INSERT INTO schema_version VALUES(1);"
		"CREATE TABLE runs(run_id INTEGER PRIMARY KEY, scenario_name "
		"TEXT NOT NULL, scenario_sha256 TEXT NOT NULL, scenario_json "
		"TEXT NOT NULL, seed INTEGER NOT NULL, replication INTEGER NOT "
		"NULL, sweep_json TEXT NOT NULL, engine_version TEXT NOT NULL, "
		"started_at TEXT NOT NULL, wall_seconds REAL, sim_seconds REAL, "
		"events INTEGER, fingerprint TEXT, status TEXT NOT NULL, "
		"invocation INTEGER, sweep_index INTEGER);"
		"INSERT INTO runs VALUES(1, 'x', 'ab', '{\"name\":\"x\"}', 7, 0, "
		"'{}', '0.0.1', '2026', 1, 1, 1, '00', 'ok', 5, 0);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	assert_int_equal(resdb_invocation(db), 6);
	char id[65];
	assert_int_equal(resdb_identity("{\"name\":\"x\"}", 7, 0, "0.0.1",
					id), 0);
	int64_t rid = 0;
	assert_int_equal(resdb_run_complete(db, id, &rid, &err), 1);
	assert_int_equal(rid, 1);
	resdb_close(db);
	raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT version FROM schema_version"),
			 RESDB_SCHEMA_VERSION);
	sqlite3_close(raw);
}

static void test_foreign_and_damaged(void **state)
{
	char path[128];
	struct resdb *db;
	struct l2s_error err;
	/* another program's database: refused, not extended with our tables */
	db_path(path, sizeof(path), "foreign.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(raw);
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "not an l2sim results database"));
	assert_string_equal(err.file, path);
	l2s_error_clear(&err);
	assert_int_equal(resdb_open_readonly(path, &db, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "no table 'runs'"));
	raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM sqlite_master"), 1);
	sqlite3_close(raw);
	/* not SQLite at all: the same kind of error from both */
	db_path(path, sizeof(path), "junk.db");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite file at all. ", f);
	fclose(f);
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), L2S_EINPUT);
	assert_string_equal(err.file, path);
	l2s_error_clear(&err);
	assert_int_equal(resdb_open_readonly(path, &db, &err), L2S_EINPUT);
	assert_string_equal(err.file, path);
	/* a directory */
	l2s_error_clear(&err);
	assert_int_equal(resdb_open_readonly(tmpdir, &db, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "directory"));
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(tmpdir, &db, &err), L2S_EINPUT);
}

static void test_failed_write_leaves_no_run(void **state)
{
	/* A run that cannot be written completely (two l1_blocks rows with
	 * the same slot violate the primary key) leaves nothing behind: no
	 * runs row, no metrics. */
	char path[128];
	db_path(path, sizeof(path), "atomic.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	struct run_result *r = sample_run(1, 0);
	struct res_l1_block dup = r->blocks[0];
	res_l1_block_add(r, &dup);
	int64_t id = -1;
	assert_int_equal(resdb_write_run(db, r, &id, &err), L2S_EDB);
	assert_int_equal(id, -1);
	run_result_destroy(r);
	/* The handle still works afterwards. */
	r = sample_run(1, 1);
	assert_int_equal(resdb_write_run(db, r, &id, &err), 0);
	run_result_destroy(r);
	resdb_close(db);

	sqlite3 *raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(q_int(raw, "SELECT replication FROM runs"), 1);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM metrics WHERE run_id "
			       "NOT IN (SELECT run_id FROM runs)"), 0);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM series WHERE run_id "
			       "NOT IN (SELECT run_id FROM runs)"), 0);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM l1_blocks"), 2);
	sqlite3_close(raw);
}

static void test_metric_set_add(void **state)
{
	struct run_result *r = run_result_create();
	assert_true(isnan(res_metric_get(r, "zk", "x")));
	res_metric_set(r, "zk", "x", 1.5);
	res_metric_set(r, "zk", "x", 4);   /* replaces */
	assert_true(res_metric_get(r, "zk", "x") == 4);
	res_metric_add(r, "zk", "y", 2);   /* created at 0 */
	res_metric_add(r, "zk", "y", 0.25);
	res_metric_add(r, "zk", "y", -1);
	assert_true(res_metric_get(r, "zk", "y") == 1.25);
	res_metric_add(r, "zk", "x", 1);   /* add onto a set value */
	assert_true(res_metric_get(r, "zk", "x") == 5);
	/* (component, name) is the key: neither half alone. */
	res_metric_set(r, "op", "x", 9);
	assert_true(res_metric_get(r, "zk", "x") == 5);
	assert_true(res_metric_get(r, "op", "x") == 9);
	assert_true(isnan(res_metric_get(r, "op", "y")));
	/* "a"+"bc" and "ab"+"c" are different pairs. */
	res_metric_set(r, "a", "bc", 1);
	res_metric_set(r, "ab", "c", 2);
	assert_true(res_metric_get(r, "a", "bc") == 1);
	assert_true(res_metric_get(r, "ab", "c") == 2);
	assert_int_equal(r->n_metrics, 5);
	run_result_destroy(r);
	run_result_destroy(NULL);
}

static void test_many_metrics(void **state)
{
	/* 10,000 pairs over 100 components: every one found with its own
	 * value after the index has grown many times, none duplicated. */
	struct run_result *r = run_result_create();
	char c[32], n[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(c, sizeof(c), "sys#%d", i % 100);
		snprintf(n, sizeof(n), "m%d", i);
		res_metric_set(r, c, n, i);
	}
	for (int i = 0; i < 10000; i++) {
		snprintf(c, sizeof(c), "sys#%d", i % 100);
		snprintf(n, sizeof(n), "m%d", i);
		res_metric_add(r, c, n, 0.5);
	}
	assert_int_equal(r->n_metrics, 10000);
	assert_int_equal(r->oom, 0);
	int bad = 0;
	for (int i = 0; i < 10000; i++) {
		snprintf(c, sizeof(c), "sys#%d", i % 100);
		snprintf(n, sizeof(n), "m%d", i);
		bad += res_metric_get(r, c, n) != i + 0.5;
		/* Right name, wrong component: absent. */
		snprintf(c, sizeof(c), "sys#%d", (i + 1) % 100);
		bad += !isnan(res_metric_get(r, c, n));
	}
	assert_int_equal(bad, 0);
	/* Insertion order is kept (the writer stores them in this order). */
	assert_string_equal(r->metrics[9999].name, "m9999");
	assert_string_equal(r->metrics[0].component, "sys#0");

	/* And they all reach the database. */
	char path[128];
	db_path(path, sizeof(path), "many.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	assert_int_equal(resdb_write_run(db, r, NULL, &err), 0);
	resdb_close(db);
	run_result_destroy(r);
	sqlite3 *raw = raw_open(path);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM metrics"), 10000);
	assert_true(q_double(raw, "SELECT value FROM metrics WHERE component = "
			     "'sys#42' AND name = 'm4242'") == 4242.5);
	sqlite3_close(raw);
}

/* Views follow the data: a run with a new sweep key or metric name adds a
 * column; zipped keys split into one column per path; type is text. */
static void test_views(void **state)
{
	char path[128];
	db_path(path, sizeof(path), "views.db");
	struct resdb *db;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(resdb_open(path, &db, &err), 0);
	struct run_result *r = sample_run(1, 0);
	res_attr_set(r, "zk", "type", "zk_rollup");
	res_attr_set(r, "zk", "type", "sdr"); /* replaces */
	assert_int_equal(resdb_write_run(db, r, NULL, &err), 0);
	run_result_destroy(r);
	r = sample_run(1, 1);
	free(r->sweep_json);
	r->sweep_json = strdup("{\"a[0].count,a[1].count\":[4,8],"
			       "\"seed\":7}");
	res_metric_set(r, "zk", "cost_eth_per_tx", 2e-6);
	assert_int_equal(resdb_write_run(db, r, NULL, &err), 0);
	run_result_destroy(r);
	resdb_close(db);

	sqlite3 *raw = raw_open(path);
	assert_string_equal(q_text(raw, "SELECT \"l1.fork\" FROM run_points "
				   "WHERE run_id = 1"), "pectra");
	assert_string_equal(q_text(raw, "SELECT coalesce(\"l1.fork\", 'none')"
				   " FROM run_points WHERE run_id = 2"), "none");
	assert_int_equal(q_int(raw, "SELECT \"a[0].count\" * 100 + "
			       "\"a[1].count\" FROM run_points WHERE run_id "
			       "= 2"), 408);
	/* a path named like a fixed column gets a prefix */
	assert_int_equal(q_int(raw, "SELECT \"sweep.seed\" * 10 + seed FROM "
			       "run_points WHERE run_id = 2"), 71);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM system_metrics"), 4);
	assert_string_equal(q_text(raw, "SELECT type FROM system_metrics WHERE "
				   "run_id = 1 AND component = 'zk'"), "sdr");
	assert_string_equal(q_text(raw, "SELECT coalesce(type, 'none') FROM "
				   "system_metrics WHERE run_id = 1 AND "
				   "component = 'l1'"), "none");
	assert_true(q_double(raw, "SELECT tps_posted FROM system_metrics "
			     "WHERE run_id = 2 AND component = 'zk'") == 19.5);
	assert_true(q_double(raw, "SELECT cost_eth_per_tx FROM system_metrics "
			     "WHERE run_id = 2 AND component = 'zk'") == 2e-6);
	assert_string_equal(q_text(raw, "SELECT coalesce(cost_eth_per_tx, "
				   "'none') FROM system_metrics WHERE run_id = "
				   "1 AND component = 'zk'"), "none");
	sqlite3_close(raw);

	/* a read-only reader can build them as TEMP views */
	raw = raw_open(path);
	assert_int_equal(resdb_views_create(raw, 1, &err), 0);
	assert_int_equal(q_int(raw, "SELECT count(*) FROM temp.run_points"), 2);
	sqlite3_close(raw);
}

static void test_series_strings_interned(void **state)
{
	struct run_result *r = run_result_create();
	char name[16];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "s%d", i % 150);
		res_series_add(r, "sys", name, i, i);
	}
	assert_int_equal(r->n_points, 300);
	/* One copy of each distinct string: "sys" and 150 names. */
	assert_int_equal(r->n_strings, 151);
	assert_ptr_equal(r->points[0].name, r->points[150].name);
	assert_ptr_equal(r->points[0].component, r->points[299].component);
	assert_string_equal(r->points[299].name, "s149");
	assert_true(r->points[299].t_seconds == 299);
	run_result_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_schema_upgrade),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_append_and_invocations),
		cmocka_unit_test(test_identity_replaces),
		cmocka_unit_test(test_upgrade_v1),
		cmocka_unit_test(test_foreign_and_damaged),
		cmocka_unit_test(test_failed_write_leaves_no_run),
		cmocka_unit_test(test_metric_set_add),
		cmocka_unit_test(test_many_metrics),
		cmocka_unit_test(test_series_strings_interned),
		cmocka_unit_test(test_views),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
