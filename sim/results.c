/*
 * In-memory results of one run, and the SQLite results database.
 *
 * The writer stores a run in one transaction, so a crash or an error never
 * leaves half a run.  Schema per SPEC.md, plus schema_version and two
 * columns of our own in runs: invocation (one per `l2sim run`, to group the
 * runs of a call) and sweep_index.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "l2sim/results.h"
#include "l2sim/rng.h"

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
	" sweep_index INTEGER);"
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

static int db_fail(struct l2s_error *err, sqlite3 *db, const char *path,
		   const char *what)
{
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", path ? path : "");
		err->line = err->column = 0;
	}
	return l2s_error_set(err, L2S_EDB, "%s: %s", what,
			     db ? sqlite3_errmsg(db) : "cannot allocate");
}

static int open_db(const char *path, int flags, struct resdb **out,
		   struct l2s_error *err)
{
	*out = NULL;
	struct resdb *r = calloc(1, sizeof(*r));
	if (!r)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	r->path = strdup(path);
	if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
		int rc = db_fail(err, r->db, path, "cannot open results database");
		resdb_close(r);
		return rc;
	}
	sqlite3_busy_timeout(r->db, 10000);
	*out = r;
	return 0;
}

int resdb_open(const char *path, struct resdb **out, struct l2s_error *err)
{
	int rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, out,
			 err);
	if (rc)
		return rc;
	struct resdb *r = *out;
	char *msg = NULL;
	if (sqlite3_exec(r->db, "PRAGMA journal_mode=DELETE;"
				"PRAGMA synchronous=NORMAL;"
				"BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(r->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_free(msg);
		rc = db_fail(err, r->db, path, "cannot create schema");
		goto fail;
	}
	/* Check (or record) the schema version. */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT max(version) FROM schema_version",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot read schema version");
		goto fail;
	}
	int have = 0;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > RESDB_SCHEMA_VERSION) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		rc = l2s_error_set(err, L2S_EDB, "results database has schema "
				   "version %d, newer than this l2sim (%d)",
				   have, RESDB_SCHEMA_VERSION);
		goto fail;
	}
	if (have < RESDB_SCHEMA_VERSION) {
		/* The tables of newer versions were created above. */
		char sql[96];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES(%d)",
			 RESDB_SCHEMA_VERSION);
		if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			rc = db_fail(err, r->db, path, "cannot write schema");
			goto fail;
		}
	}
	/* A new invocation number groups the runs this process writes. */
	if (sqlite3_prepare_v2(r->db, "SELECT coalesce(max(invocation), 0) + 1 "
				      "FROM runs", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot read runs");
		goto fail;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		r->invocation = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(err, r->db, path, "cannot commit schema");
		goto fail;
	}
	return 0;
fail:
	resdb_close(r);
	*out = NULL;
	return rc;
}

int resdb_open_readonly(const char *path, struct resdb **out,
			struct l2s_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		return l2s_error_set(err, L2S_EINPUT,
				     "no results database at this path");
	}
	fclose(f);
	int rc = open_db(path, SQLITE_OPEN_READONLY, out, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2((*out)->db, "SELECT count(*) FROM runs", -1, &st,
			       NULL) != SQLITE_OK) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		rc = l2s_error_set(err, L2S_EINPUT,
				   "not an l2sim results database: %s",
				   sqlite3_errmsg((*out)->db));
		resdb_close(*out);
		*out = NULL;
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

void resdb_close(struct resdb *db)
{
	if (!db)
		return;
	resviews_destroy(db->views);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

struct sqlite3 *resdb_handle(struct resdb *db) { return db->db; }

int64_t resdb_invocation(const struct resdb *db) { return db->invocation; }

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
		" invocation, sweep_index)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
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
#ifdef L2SIM_VERSION
	sqlite3_bind_text(st, 7, L2SIM_VERSION, -1, SQLITE_STATIC);
#else
	sqlite3_bind_text(st, 7, "dev", -1, SQLITE_STATIC);
#endif
	sqlite3_bind_text(st, 8, started, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 9, r->wall_seconds);
	sqlite3_bind_double(st, 10, r->sim_seconds);
	bind_u64(st, 11, r->events);
	sqlite3_bind_text(st, 12, fp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, r->status ? r->status : "ok", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, db->invocation);
	sqlite3_bind_int64(st, 15, r->sweep_index);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto db_error;
	sqlite3_finalize(st);
	st = NULL;
	int64_t run_id = sqlite3_last_insert_rowid(h);

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
