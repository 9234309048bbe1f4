/*
 * In-memory results of one run, and the SQLite results database.
 *
 * The writer stores a run in one transaction, so a crash or an error never
 * leaves half a run.  Schema as docs/data.md and docs/reports.md describe it, plus schema_version, a table of
 * invocations and columns of our own in runs: invocation (one per `l2sim
 * run`, to group the runs of a call), sweep_index, identity (the run's
 * identity, see resdb_identity()) and sets_json (the --set values).  Writing
 * a run deletes any earlier run of the same identity in the same
 * transaction, so a database holds each identity at most once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "l2sim/results.h"
#include "l2sim/rng.h"
#include "l2sim/sha256.h"

#include "results_internal.h"

/* ---- run_result ---------------------------------------------------------- */

struct run_index {
	/* open addressing over metrics (index + 1; 0 empty) and strings */
	uint32_t *metric_slots;
	size_t metric_cap;
	uint32_t *string_slots;
	size_t string_cap;
};

struct run_result_priv {
	struct run_result pub;
	struct run_index idx;
};

static struct run_index *idx_of(struct run_result *r)
{
	return &((struct run_result_priv *)r)->idx;
}

struct run_result *run_result_create(void)
{
	struct run_result_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pub.status = "ok";
	return &p->pub;
}

void run_result_destroy(struct run_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_metrics; i++) {
		free(r->metrics[i].component);
		free(r->metrics[i].name);
	}
	free(r->metrics);
	for (size_t i = 0; i < r->n_attrs; i++) {
		free(r->attrs[i].component);
		free(r->attrs[i].name);
		free(r->attrs[i].value);
	}
	free(r->attrs);
	free(r->points);
	free(r->blocks);
	for (size_t i = 0; i < r->n_systems; i++) {
		struct res_system *y = &r->systems[i];
		free(y->component);
		free(y->type);
		free(y->sequencing);
		free(y->liveness);
		free(y->validity);
		free(y->data);
		free(y->settles_on);
		free(y->depends_on);
	}
	free(r->systems);
	free(r->failures);
	for (size_t i = 0; i < r->n_strings; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->scenario_name);
	free(r->scenario_sha256);
	free(r->scenario_json);
	free(r->sweep_json);
	free(r->identity);
	free(r->sets_json);
	struct run_index *ix = idx_of(r);
	free(ix->metric_slots);
	free(ix->string_slots);
	free(r);
}

static uint64_t pair_hash(const char *a, const char *b)
{
	return rng_mix64(rng_hash_str(a) * 31 + rng_hash_str(b));
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, ncap * elem);
	if (!n)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

static void metric_reindex(struct run_result *r)
{
	struct run_index *ix = idx_of(r);
	size_t cap = ix->metric_cap ? ix->metric_cap * 2 : 256;
	uint32_t *s = calloc(cap, sizeof(*s));
	if (!s) {
		r->oom = 1;
		return;
	}
	for (size_t i = 0; i < r->n_metrics; i++) {
		size_t j = pair_hash(r->metrics[i].component,
				     r->metrics[i].name) & (cap - 1);
		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(ix->metric_slots);
	ix->metric_slots = s;
	ix->metric_cap = cap;
}

static struct res_metric *metric_find(struct run_result *r,
				      const char *component, const char *name)
{
	struct run_index *ix = idx_of(r);
	if (!ix->metric_cap)
		return NULL;
	size_t j = pair_hash(component, name) & (ix->metric_cap - 1);
	while (ix->metric_slots[j]) {
		struct res_metric *m = &r->metrics[ix->metric_slots[j] - 1];
		if (!strcmp(m->component, component) && !strcmp(m->name, name))
			return m;
		j = (j + 1) & (ix->metric_cap - 1);
	}
	return NULL;
}

static struct res_metric *metric_get_or_add(struct run_result *r,
					    const char *component,
					    const char *name)
{
	struct res_metric *m = metric_find(r, component, name);
	if (m)
		return m;
	struct run_index *ix = idx_of(r);
	if ((r->n_metrics + 1) * 2 > ix->metric_cap) {
		metric_reindex(r);
		if (r->oom)
			return NULL;
	}
	if (grow((void **)&r->metrics, &r->cap_metrics, r->n_metrics + 1,
		 sizeof(*r->metrics))) {
		r->oom = 1;
		return NULL;
	}
	m = &r->metrics[r->n_metrics];
	m->component = strdup(component);
	m->name = strdup(name);
	m->value = 0;
	if (!m->component || !m->name) {
		free(m->component);
		free(m->name);
		r->oom = 1;
		return NULL;
	}
	size_t j = pair_hash(component, name) & (ix->metric_cap - 1);
	while (ix->metric_slots[j])
		j = (j + 1) & (ix->metric_cap - 1);
	ix->metric_slots[j] = (uint32_t)(++r->n_metrics);
	return m;
}

void res_metric_set(struct run_result *r, const char *component,
		    const char *name, double value)
{
	struct res_metric *m = metric_get_or_add(r, component, name);
	if (m)
		m->value = value;
}

void res_metric_add(struct run_result *r, const char *component,
		    const char *name, double value)
{
	struct res_metric *m = metric_get_or_add(r, component, name);
	if (m)
		m->value += value;
}

double res_metric_get(const struct run_result *r, const char *component,
		      const char *name)
{
	struct res_metric *m = metric_find((struct run_result *)r, component,
					   name);
	return m ? m->value : NAN;
}

static const char *intern(struct run_result *r, const char *s)
{
	struct run_index *ix = idx_of(r);
	uint64_t h = rng_hash_str(s);
	if (ix->string_cap) {
		size_t j = h & (ix->string_cap - 1);
		while (ix->string_slots[j]) {
			char *c = r->strings[ix->string_slots[j] - 1];
			if (!strcmp(c, s))
				return c;
			j = (j + 1) & (ix->string_cap - 1);
		}
	}
	if ((r->n_strings + 1) * 2 > ix->string_cap) {
		size_t cap = ix->string_cap ? ix->string_cap * 2 : 64;
		uint32_t *slots = calloc(cap, sizeof(*slots));
		if (!slots) {
			r->oom = 1;
			return NULL;
		}
		for (size_t i = 0; i < r->n_strings; i++) {
			size_t j = rng_hash_str(r->strings[i]) & (cap - 1);
			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = (uint32_t)(i + 1);
		}
		free(ix->string_slots);
		ix->string_slots = slots;
		ix->string_cap = cap;
	}
	if (grow((void **)&r->strings, &r->cap_strings, r->n_strings + 1,
		 sizeof(*r->strings))) {
		r->oom = 1;
		return NULL;
	}
	char *c = strdup(s);
	if (!c) {
		r->oom = 1;
		return NULL;
	}
	r->strings[r->n_strings++] = c;
	size_t j = h & (ix->string_cap - 1);
	while (ix->string_slots[j])
		j = (j + 1) & (ix->string_cap - 1);
	ix->string_slots[j] = (uint32_t)r->n_strings;
	return c;
}

void res_series_add(struct run_result *r, const char *component,
		    const char *name, double t_seconds, double value)
{
	const char *c = intern(r, component), *n = intern(r, name);
	if (!c || !n)
		return;
	if (grow((void **)&r->points, &r->cap_points, r->n_points + 1,
		 sizeof(*r->points))) {
		r->oom = 1;
		return;
	}
	r->points[r->n_points++] = (struct res_point){c, n, t_seconds, value};
}

void res_attr_set(struct run_result *r, const char *component,
		  const char *name, const char *value)
{
	char *v = strdup(value);
	if (!v) {
		r->oom = 1;
		return;
	}
	for (size_t i = 0; i < r->n_attrs; i++)
		if (!strcmp(r->attrs[i].component, component) &&
		    !strcmp(r->attrs[i].name, name)) {
			free(r->attrs[i].value);
			r->attrs[i].value = v;
			return;
		}
	if (grow((void **)&r->attrs, &r->cap_attrs, r->n_attrs + 1,
		 sizeof(*r->attrs))) {
		free(v);
		r->oom = 1;
		return;
	}
	struct res_attr *a = &r->attrs[r->n_attrs];
	a->component = strdup(component);
	a->name = strdup(name);
	a->value = v;
	if (!a->component || !a->name) {
		free(a->component);
		free(a->name);
		free(v);
		r->oom = 1;
		return;
	}
	r->n_attrs++;
}

void res_l1_block_add(struct run_result *r, const struct res_l1_block *row)
{
	if (grow((void **)&r->blocks, &r->cap_blocks, r->n_blocks + 1,
		 sizeof(*r->blocks))) {
		r->oom = 1;
		return;
	}
	r->blocks[r->n_blocks++] = *row;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

void res_system_add(struct run_result *r, const struct res_system *row)
{
	if (grow((void **)&r->systems, &r->cap_systems, r->n_systems + 1,
		 sizeof(*r->systems))) {
		r->oom = 1;
		return;
	}
	struct res_system y = {
		.component = dup_or_empty(row->component),
		.type = dup_or_empty(row->type),
		.sequencing = dup_or_empty(row->sequencing),
		.liveness = dup_or_empty(row->liveness),
		.liveness_bound_s = row->liveness_bound_s,
		.validity = dup_or_empty(row->validity),
		.data = dup_or_empty(row->data),
		.settles_on = dup_or_empty(row->settles_on),
		.depends_on = dup_or_empty(row->depends_on),
	};
	if (!y.component || !y.type || !y.sequencing || !y.liveness ||
	    !y.validity || !y.data || !y.settles_on || !y.depends_on)
		r->oom = 1;
	r->systems[r->n_systems++] = y;
}

void res_failure_add(struct run_result *r, const char *component,
		     const char *cause, double t_start_s, double t_end_s,
		     double txs)
{
	const char *c = intern(r, component);
	if (!c)
		return;
	if (grow((void **)&r->failures, &r->cap_failures, r->n_failures + 1,
		 sizeof(*r->failures))) {
		r->oom = 1;
		return;
	}
	r->failures[r->n_failures++] =
		(struct res_failure){c, cause, t_start_s, t_end_s, txs};
}

/* ---- database ------------------------------------------------------------ */

struct resdb {
	sqlite3 *db;
	char *path;
	int64_t invocation;
	struct resviews *views; /* columns the views have, loaded lazily */
	char **child_tables;   /* tables with a run_id column, besides runs */
	size_t n_child_tables;
	sqlite3_stmt *has_identity;
};

static const char *const schema_sql =
	"CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS runs("
	" run_id INTEGER PRIMARY KEY,"
	" scenario_name TEXT NOT NULL,"
	" scenario_sha256 TEXT NOT NULL,"
	" scenario_json TEXT NOT NULL,"
	" seed INTEGER NOT NULL,"
	" replication INTEGER NOT NULL,"
	" sweep_json TEXT NOT NULL,"
	" engine_version TEXT NOT NULL,"
	" started_at TEXT NOT NULL,"
	" wall_seconds REAL,"
	" sim_seconds REAL,"
	" events INTEGER,"
	" fingerprint TEXT,"
	" status TEXT NOT NULL,"
	" invocation INTEGER,"
	" sweep_index INTEGER,"
	" identity TEXT,"
	" sets_json TEXT);"
	"CREATE TABLE IF NOT EXISTS invocations("
	" invocation INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_at TEXT NOT NULL,"
	" pid INTEGER);"
	"CREATE TABLE IF NOT EXISTS metrics("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" component TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" value REAL,"
	" PRIMARY KEY(run_id, component, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS attributes("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" component TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" value TEXT,"
	" PRIMARY KEY(run_id, component, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS series("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" component TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" t_seconds REAL NOT NULL,"
	" value REAL);"
	"CREATE INDEX IF NOT EXISTS series_by_run ON series(run_id, component, name);"
	"CREATE TABLE IF NOT EXISTS l1_blocks("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" slot INTEGER NOT NULL,"
	" t_seconds REAL NOT NULL,"
	" gas_used INTEGER,"
	" base_fee_wei INTEGER,"
	" blob_gas_used INTEGER,"
	" excess_blob_gas INTEGER,"
	" blob_base_fee_wei INTEGER,"
	" blobs INTEGER,"
	" PRIMARY KEY(run_id, slot)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS systems("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" component TEXT NOT NULL,"
	" type TEXT,"
	" sequencing TEXT,"
	" liveness TEXT,"
	" liveness_bound_s REAL,"
	" validity TEXT,"
	" data TEXT,"
	" settles_on TEXT,"
	" depends_on TEXT,"
	" PRIMARY KEY(run_id, component)) WITHOUT ROWID;"
	/* Schema 2: intervals in which a system broke a promise. */
	"CREATE TABLE IF NOT EXISTS failures("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" component TEXT NOT NULL,"
	" cause TEXT NOT NULL,"
	" t_start_s REAL NOT NULL,"
	" t_end_s REAL NOT NULL,"
	" txs REAL);"
	"CREATE INDEX IF NOT EXISTS failures_by_run ON failures(run_id, component);";

/*
 * Errors of the database fall in two kinds, whatever the command: a file
 * that is not (or no longer) an l2sim results database is bad input (exit
 * 2); a database that cannot be read or written now (I/O, full disk,
 * locked, no permission) is a runtime failure (exit 3).  Both name the
 * file.
 */
static int db_code(sqlite3 *db)
{
	if (!db)
		return L2S_ENOMEM;
	switch (sqlite3_errcode(db)) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return L2S_EINPUT;
	case SQLITE_NOMEM:
		return L2S_ENOMEM;
	default:
		return L2S_EDB;
	}
}

static int db_fail(struct l2s_error *err, sqlite3 *db, const char *path,
		   const char *what)
{
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", path ? path : "");
		err->line = err->column = 0;
	}
	int code = db_code(db);
	if (code == L2S_EINPUT) {
		int ec = sqlite3_errcode(db);
		return l2s_error_set(err, code, "%s: %s",
				     ec == SQLITE_NOTADB ?
				     "not an l2sim results database" :
				     "results database is damaged",
				     sqlite3_errmsg(db));
	}
	if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_READONLY &&
	    sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK)
		return l2s_error_set(err, L2S_EDB, "%s: an interrupted write "
				     "left a hot journal that needs write "
				     "access to roll back", what);
	return l2s_error_set(err, code, "%s: %s", what,
			     db ? sqlite3_errmsg(db) : "cannot allocate");
}

static int foreign(struct l2s_error *err, const char *path, const char *why)
{
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		err->line = err->column = 0;
	}
	return l2s_error_set(err, L2S_EINPUT,
			     "not an l2sim results database: %s", why);
}

static int open_db(const char *path, int flags, struct resdb **out,
		   struct l2s_error *err)
{
	*out = NULL;
	struct resdb *r = calloc(1, sizeof(*r));
	if (!r)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	r->path = strdup(path);
	if (!r->path) {
		free(r);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
		int rc = db_fail(err, r->db, path, "cannot open results database");
		resdb_close(r);
		return rc;
	}
	sqlite3_busy_timeout(r->db, RESDB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(r->db, 1);
	*out = r;
	return 0;
}

/* One integer from a query; 'def' when it returns no row or NULL.  Returns
 * 0 or the SQLite error code. */
static int q_int64(sqlite3 *db, const char *sql, int64_t def, int64_t *v)
{
	sqlite3_stmt *st;
	*v = def;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int has_column(sqlite3 *db, const char *table, const char *col)
{
	char sql[256];
	int64_t n;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info('%s')"
		 " WHERE name = '%s'", table, col);
	return q_int64(db, sql, 0, &n) == SQLITE_OK && n > 0;
}

/* The columns docs/data.md gives the runs table: a table 'runs' without them
 * belongs to some other program. */
static const char *const spec_run_columns[] = {
	"run_id", "scenario_name", "scenario_sha256", "scenario_json", "seed",
	"replication", "sweep_json", "engine_version", "status", NULL,
};

/*
 * Checks that an existing database is ours: empty (a new file), or with a
 * runs table of docs/data.md's columns and a schema version this l2sim reads.
 * *version gets the stored version (0 for an empty file).
 */
static int check_ours(struct resdb *r, int *version, struct l2s_error *err)
{
	int64_t n_tables, has_runs, v;
	*version = 0;
	if (q_int64(r->db, "SELECT count(*) FROM sqlite_master", 0,
		    &n_tables) != SQLITE_OK)
		return db_fail(err, r->db, r->path,
			       "cannot read results database");
	if (n_tables == 0)
		return 0;
	if (q_int64(r->db, "SELECT count(*) FROM sqlite_master WHERE type = "
		    "'table' AND name = 'runs'", 0, &has_runs) != SQLITE_OK)
		return db_fail(err, r->db, r->path,
			       "cannot read results database");
	if (!has_runs)
		return foreign(err, r->path, "it has no table 'runs'");
	for (size_t i = 0; spec_run_columns[i]; i++)
		if (!has_column(r->db, "runs", spec_run_columns[i])) {
			char why[128];
			snprintf(why, sizeof(why), "its table 'runs' has no "
				 "column '%s'", spec_run_columns[i]);
			return foreign(err, r->path, why);
		}
	if (q_int64(r->db, "SELECT count(*) FROM sqlite_master WHERE type = "
		    "'table' AND name = 'schema_version'", 0, &v) != SQLITE_OK)
		return db_fail(err, r->db, r->path,
			       "cannot read results database");
	if (v && q_int64(r->db, "SELECT max(version) FROM schema_version", 0,
			 &v) != SQLITE_OK)
		return db_fail(err, r->db, r->path,
			       "cannot read schema version");
	if (v > RESDB_SCHEMA_VERSION) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", r->path);
			err->line = err->column = 0;
		}
		if (err)
			l2s_error_hint(err, "use an l2sim at least as new as "
				       "the one that wrote it");
		return l2s_error_set(err, L2S_EINPUT, "results database has "
				     "schema version %lld, newer than this "
				     "l2sim reads (%d)", (long long)v,
				     RESDB_SCHEMA_VERSION);
	}
	*version = (int)v;
	return 0;
}

int resdb_identity(const char *scenario_json, uint64_t seed,
		   uint32_t replication, const char *engine_version,
		   char hex[65])
{
	const char *text = scenario_json ? scenario_json : "{}";
	json_t *root = json_loads(text, JSON_DECODE_ANY, NULL);
	char *canon = NULL;
	if (root) {
		if (json_is_object(root)) {
			/* The sweep's lists and the replication count do not
			 * change what a run computes: the point's values are
			 * set in the scenario, the replication is its own
			 * field.  Leaving them out lets a sweep grow, or gain
			 * replications, and keep the runs it has. */
			json_object_del(root, "sweep");
			json_object_del(root, "replications");
		}
		canon = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT |
				   JSON_ENCODE_ANY);
		json_decref(root);
		if (!canon)
			return L2S_ENOMEM;
	}
	/* Text that is not JSON (a damaged row) is hashed as it is. */
	const char *body = canon ? canon : text;
	size_t len = strlen(body);
	char tail[128];
	int tl = snprintf(tail, sizeof(tail), "\n%llu\n%u\n%s",
			  (unsigned long long)seed, replication,
			  engine_version ? engine_version : "");
	if (tl < 0 || (size_t)tl >= sizeof(tail))
		tl = (int)strlen(tail);
	char *buf = malloc(len + (size_t)tl + 1);
	if (!buf) {
		free(canon);
		return L2S_ENOMEM;
	}
	memcpy(buf, body, len);
	memcpy(buf + len, tail, (size_t)tl + 1);
	sha256_hex(buf, len + (size_t)tl, hex);
	free(buf);
	free(canon);
	return 0;
}

const char *resdb_engine_version(void)
{
#ifdef L2SIM_VERSION
	return L2SIM_VERSION;
#else
	return "dev";
#endif
}

/* Version 1 had no identity, sets_json or invocations table: add them and
 * give the old runs their identity. */
static int migrate_v1(struct resdb *r, struct l2s_error *err)
{
	if (!has_column(r->db, "runs", "identity") &&
	    sqlite3_exec(r->db, "ALTER TABLE runs ADD COLUMN identity TEXT",
			 NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, r->db, r->path, "cannot upgrade schema");
	if (!has_column(r->db, "runs", "sets_json") &&
	    sqlite3_exec(r->db, "ALTER TABLE runs ADD COLUMN sets_json TEXT",
			 NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, r->db, r->path, "cannot upgrade schema");
	if (!has_column(r->db, "runs", "invocation") &&
	    sqlite3_exec(r->db, "ALTER TABLE runs ADD COLUMN invocation "
			 "INTEGER", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, r->db, r->path, "cannot upgrade schema");
	if (!has_column(r->db, "runs", "sweep_index") &&
	    sqlite3_exec(r->db, "ALTER TABLE runs ADD COLUMN sweep_index "
			 "INTEGER", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, r->db, r->path, "cannot upgrade schema");
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT run_id, scenario_json, seed, "
			       "replication, engine_version FROM runs WHERE "
			       "identity IS NULL", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "UPDATE runs SET identity = ? WHERE "
			       "run_id = ?", -1, &upd, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, r->path, "cannot upgrade schema");
		goto out;
	}
	int step;
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		char hex[65];
		const char *sj = (const char *)sqlite3_column_text(sel, 1);
		const char *ev = (const char *)sqlite3_column_text(sel, 4);
		if (resdb_identity(sj, (uint64_t)sqlite3_column_int64(sel, 2),
				   (uint32_t)sqlite3_column_int64(sel, 3), ev,
				   hex)) {
			/* unreadable scenario text: an identity of its own */
			snprintf(hex, sizeof(hex), "run-%lld",
				 (long long)sqlite3_column_int64(sel, 0));
		}
		sqlite3_bind_text(upd, 1, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if (sqlite3_step(upd) != SQLITE_DONE) {
			rc = db_fail(err, r->db, r->path,
				     "cannot upgrade schema");
			goto out;
		}
		sqlite3_reset(upd);
	}
	if (step != SQLITE_DONE)
		rc = db_fail(err, r->db, r->path, "cannot upgrade schema");
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

/* Tables other than runs with a run_id column: a run's rows in them go
 * with it (replaced on --rerun, copied by merge). */
static int load_child_tables(struct resdb *r, struct l2s_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT m.name FROM sqlite_master m "
			       "WHERE m.type = 'table' AND m.name != 'runs' "
			       "AND EXISTS (SELECT 1 FROM pragma_table_info("
			       "m.name) p WHERE p.name = 'run_id') ORDER BY "
			       "m.name", -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, r->db, r->path, "cannot read schema");
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char **nt = realloc(r->child_tables, (r->n_child_tables + 1) *
				    sizeof(*nt));
		if (!nt) {
			sqlite3_finalize(st);
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		}
		r->child_tables = nt;
		nt[r->n_child_tables] = strdup((const char *)
					       sqlite3_column_text(st, 0));
		if (!nt[r->n_child_tables]) {
			sqlite3_finalize(st);
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		}
		r->n_child_tables++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(err, r->db, r->path, "cannot read schema");
	return 0;
}

int resdb_open(const char *path, struct resdb **out, struct l2s_error *err)
{
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		*out = NULL;
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		return l2s_error_set(err, L2S_EINPUT, "is a directory, not a "
				     "results database");
	}
	int rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, out,
			 err);
	if (rc)
		return rc;
	struct resdb *r = *out;
	int version;
	if ((rc = check_ours(r, &version, err)))
		goto fail;
	/* WAL: readers (a report, a notebook) never block the writer, and
	 * the writer never blocks them.  A database that cannot switch now
	 * (another connection holds it) keeps its mode; busy waits and write
	 * retries cover that case. */
	sqlite3_exec(r->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (sqlite3_exec(r->db, "PRAGMA synchronous=NORMAL;"
				"BEGIN IMMEDIATE;", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot open results database");
		goto fail;
	}
	/* check again under the write lock: another process may have
	 * created or upgraded it meanwhile */
	if ((rc = check_ours(r, &version, err)))
		goto fail_rollback;
	if (sqlite3_exec(r->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot create schema");
		goto fail_rollback;
	}
	if (version > 0 && version < 2 &&
	    (rc = migrate_v1(r, err)))
		goto fail_rollback;
	if (version < RESDB_SCHEMA_VERSION) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; "
			 "INSERT INTO schema_version VALUES(%d)",
			 RESDB_SCHEMA_VERSION);
		if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			rc = db_fail(err, r->db, path, "cannot write schema");
			goto fail_rollback;
		}
	}
	if (sqlite3_exec(r->db, "CREATE INDEX IF NOT EXISTS runs_by_identity "
			 "ON runs(identity)", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot create schema");
		goto fail_rollback;
	}
	/* A new invocation number groups the runs this process writes.  It
	 * is a row of its own, taken under the write lock, so concurrent
	 * writers never share one. */
	char started[32], sql[320];
	time_t now = time(NULL);
	struct tm tmv;
	gmtime_r(&now, &tmv);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	snprintf(sql, sizeof(sql), "INSERT INTO invocations VALUES((SELECT "
		 "max(coalesce((SELECT max(invocation) FROM invocations), 0), "
		 "coalesce((SELECT max(invocation) FROM runs), 0)) + 1), '%s', "
		 "%ld)", started, (long)getpid());
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot write invocation");
		goto fail_rollback;
	}
	r->invocation = sqlite3_last_insert_rowid(r->db);
	if ((rc = load_child_tables(r, err)))
		goto fail_rollback;
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot commit schema");
		goto fail_rollback;
	}
	return 0;
fail_rollback:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	resdb_close(r);
	*out = NULL;
	return rc;
}

int resdb_open_readonly(const char *path, struct resdb **out,
			struct l2s_error *err)
{
	struct stat sb;
	*out = NULL;
	int found = stat(path, &sb) == 0;
	if (!found || S_ISDIR(sb.st_mode)) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		return l2s_error_set(err, L2S_EINPUT, "%s", found ?
				     "is a directory, not a results database" :
				     "no results database at this path");
	}
	/*
	 * Opened for writing when we may, so that SQLite rolls back the hot
	 * journal of a write that was cut short (or checkpoints a WAL); the
	 * readers write nothing but TEMP views.
	 * Without write permission it opens read-only, and a hot journal is
	 * then reported as such.
	 */
	int writable = access(path, W_OK) == 0;
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	writable = writable && access(dir, W_OK) == 0;
	int rc = open_db(path, writable ? SQLITE_OPEN_READWRITE :
			 SQLITE_OPEN_READONLY, out, err);
	if (rc)
		return rc;
	struct resdb *r = *out;
	int version;
	rc = check_ours(r, &version, err);
	if (rc == 0) {
		int64_t n_tables;
		if (q_int64(r->db, "SELECT count(*) FROM sqlite_master", 0,
			    &n_tables) != SQLITE_OK)
			rc = db_fail(err, r->db, path,
				     "cannot read results database");
		else if (n_tables == 0)
			rc = foreign(err, path, "it is empty");
	}
	if (rc) {
		resdb_close(r);
		*out = NULL;
	}
	return rc;
}

void resdb_close(struct resdb *db)
{
	if (!db)
		return;
	resviews_destroy(db->views);
	sqlite3_finalize(db->has_identity);
	sqlite3_close(db->db);
	for (size_t i = 0; i < db->n_child_tables; i++)
		free(db->child_tables[i]);
	free(db->child_tables);
	free(db->path);
	free(db);
}

struct sqlite3 *resdb_handle(struct resdb *db) { return db->db; }

const char *resdb_path(const struct resdb *db) { return db->path; }

int64_t resdb_invocation(const struct resdb *db) { return db->invocation; }

int resdb_run_complete(struct resdb *db, const char *identity,
		       int64_t *run_id, struct l2s_error *err)
{
	if (!db->has_identity &&
	    sqlite3_prepare_v2(db->db, "SELECT max(run_id) FROM runs WHERE "
			       "identity = ? AND status = 'ok'", -1,
			       &db->has_identity, NULL) != SQLITE_OK)
		return db_fail(err, db->db, db->path, "cannot read runs");
	sqlite3_stmt *st = db->has_identity;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	int found = 0;
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		found = 1;
		if (run_id)
			*run_id = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(err, db->db, db->path, "cannot read runs");
	return found;
}

/* Deletes the rows of every run with this identity (inside the caller's
 * transaction): a run written again replaces the one it repeats. */
static int delete_identity(struct resdb *db, const char *identity,
			   int64_t keep)
{
	char sql[512];
	for (size_t i = 0; i < db->n_child_tables; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE run_id IN "
			 "(SELECT run_id FROM runs WHERE identity = ? AND "
			 "run_id != ?)", db->child_tables[i]);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, keep);
		int step = sqlite3_step(st);
		sqlite3_finalize(st);
		if (step != SQLITE_DONE)
			return -1;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "DELETE FROM runs WHERE identity = ? "
			       "AND run_id != ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, keep);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -1;
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		sqlite3_bind_int64(st, i, (sqlite3_int64)v);
	else
		sqlite3_bind_double(st, i, (double)v);
}

static int write_attrs(sqlite3 *h, int64_t run_id, const struct run_result *r)
{
	sqlite3_stmt *st = NULL;

	if (!r->n_attrs)
		return 0;
	if (sqlite3_prepare_v2(h, "INSERT INTO attributes VALUES(?,?,?,?)", -1,
			       &st, NULL) != SQLITE_OK)
		return L2S_EDB;
	for (size_t i = 0; i < r->n_attrs; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, r->attrs[i].component, -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->attrs[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->attrs[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return L2S_EDB;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

int resdb_write_run(struct resdb *db, const struct run_result *r,
		    int64_t *run_id_out, struct l2s_error *err)
{
	sqlite3 *h = db->db;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (r->oom)
		return l2s_error_set(err, L2S_ENOMEM,
				     "out of memory while collecting results");
	char identity[65];
	if (r->identity)
		snprintf(identity, sizeof(identity), "%s", r->identity);
	else if (resdb_identity(r->scenario_json, r->seed, r->replication,
				resdb_engine_version(), identity))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, h, db->path, "cannot begin transaction");

	char started[32];
	time_t now = time(NULL);
	struct tm tmv;
	gmtime_r(&now, &tmv);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	char fp[17];
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)r->fingerprint);

	if (sqlite3_prepare_v2(h,
		"INSERT INTO runs(scenario_name, scenario_sha256, scenario_json,"
		" seed, replication, sweep_json, engine_version, started_at,"
		" wall_seconds, sim_seconds, events, fingerprint, status,"
		" invocation, sweep_index, identity, sets_json)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) !=
	    SQLITE_OK)
		goto db_error;
	sqlite3_bind_text(st, 1, r->scenario_name ? r->scenario_name : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->scenario_sha256 ? r->scenario_sha256 : "",
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->scenario_json ? r->scenario_json : "{}", -1,
			  SQLITE_STATIC);
	bind_u64(st, 4, r->seed);
	sqlite3_bind_int64(st, 5, r->replication);
	sqlite3_bind_text(st, 6, r->sweep_json ? r->sweep_json : "{}", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 7, resdb_engine_version(), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, started, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 9, r->wall_seconds);
	sqlite3_bind_double(st, 10, r->sim_seconds);
	bind_u64(st, 11, r->events);
	sqlite3_bind_text(st, 12, fp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, r->status ? r->status : "ok", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, db->invocation);
	sqlite3_bind_int64(st, 15, r->sweep_index);
	sqlite3_bind_text(st, 16, identity, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 17, r->sets_json ? r->sets_json : "{}", -1,
			  SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto db_error;
	sqlite3_finalize(st);
	st = NULL;
	int64_t run_id = sqlite3_last_insert_rowid(h);
	/* after the insert, so a replaced run's id is never given again */
	if (delete_identity(db, identity, run_id))
		goto db_error;

	if (sqlite3_prepare_v2(h, "INSERT INTO metrics VALUES(?,?,?,?)", -1,
			       &st, NULL) != SQLITE_OK)
		goto db_error;
	for (size_t i = 0; i < r->n_metrics; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, r->metrics[i].component, -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->metrics[i].name, -1, SQLITE_STATIC);
		if (isfinite(r->metrics[i].value))
			sqlite3_bind_double(st, 4, r->metrics[i].value);
		else
			sqlite3_bind_null(st, 4);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto db_error;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(h, "INSERT INTO series VALUES(?,?,?,?,?)", -1,
			       &st, NULL) != SQLITE_OK)
		goto db_error;
	for (size_t i = 0; i < r->n_points; i++) {
		const struct res_point *p = &r->points[i];
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, p->component, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, p->t_seconds);
		if (isfinite(p->value))
			sqlite3_bind_double(st, 5, p->value);
		else
			sqlite3_bind_null(st, 5);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto db_error;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(h, "INSERT INTO l1_blocks VALUES(?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto db_error;
	for (size_t i = 0; i < r->n_blocks; i++) {
		const struct res_l1_block *b = &r->blocks[i];
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, b->slot);
		sqlite3_bind_double(st, 3, b->t_seconds);
		sqlite3_bind_int64(st, 4, b->gas_used);
		bind_u64(st, 5, b->base_fee_wei);
		sqlite3_bind_int64(st, 6, b->blob_gas_used);
		bind_u64(st, 7, b->excess_blob_gas);
		bind_u64(st, 8, b->blob_base_fee_wei);
		sqlite3_bind_int(st, 9, b->blobs);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto db_error;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(h, "INSERT INTO systems VALUES(?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto db_error;
	for (size_t i = 0; i < r->n_systems; i++) {
		const struct res_system *y = &r->systems[i];
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, y->component, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, y->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, y->sequencing, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, y->liveness, -1, SQLITE_STATIC);
		if (isfinite(y->liveness_bound_s))
			sqlite3_bind_double(st, 6, y->liveness_bound_s);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_text(st, 7, y->validity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, y->data, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, y->settles_on, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, y->depends_on, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto db_error;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(h, "INSERT INTO failures VALUES(?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto db_error;
	for (size_t i = 0; i < r->n_failures; i++) {
		const struct res_failure *f = &r->failures[i];
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, f->component, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, f->cause, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, f->t_start_s);
		sqlite3_bind_double(st, 5, f->t_end_s);
		sqlite3_bind_double(st, 6, f->txs);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto db_error;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;

	if ((rc = write_attrs(h, run_id, r)) < 0 ||
	    (rc = resviews_update(h, &db->views, r, err)) < 0) {
		if (rc == L2S_EDB)
			rc = db_fail(err, h, db->path, "cannot write run");
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto db_error;
	if (run_id_out)
		*run_id_out = run_id;
	return 0;

db_error:
	rc = db_fail(err, h, db->path, "cannot write run");
	sqlite3_finalize(st);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
