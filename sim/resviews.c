/*
 * The views run_points and system_metrics of a results database: the runs
 * with one column per swept path, and the metrics with one column per
 * metric name, so that a notebook or a SQL prompt needs neither JSON
 * parsing nor a pivot.  Columns follow the data; see results_internal.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results_internal.h"

struct strv {
	char **v;
	size_t n, cap;
};

struct resviews {
	struct strv keys;    /* top-level sweep keys seen */
	struct strv metrics; /* metric names seen */
};

static int strv_has(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return 1;
	return 0;
}

/* Adds a copy of 'x' unless present.  Returns 1 added, 0 present, or
 * L2S_ENOMEM. */
static int strv_add(struct strv *s, const char *x)
{
	if (strv_has(s, x))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **nv = realloc(s->v, cap * sizeof(*nv));
		if (!nv)
			return L2S_ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(x)))
		return L2S_ENOMEM;
	s->n++;
	return 1;
}

static void strv_release(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void resviews_destroy(struct resviews *v)
{
	if (!v)
		return;
	strv_release(&v->keys);
	strv_release(&v->metrics);
	free(v);
}

/* Adds the top-level keys of a sweep_json object.  Returns how many were
 * new, or L2S_ENOMEM. */
static int add_sweep_keys(struct strv *keys, const char *sweep_json)
{
	json_t *o = json_loads(sweep_json ? sweep_json : "{}", 0, NULL);
	const char *k;
	json_t *val;
	int rc = 0, added = 0;

	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	json_object_foreach(o, k, val) {
		(void)val;
		if ((rc = strv_add(keys, k)) < 0)
			break;
		added += rc;
	}
	json_decref(o);
	return rc < 0 ? rc : added;
}

static int db_err(sqlite3 *h, struct l2s_error *err, const char *what)
{
	return l2s_error_set(err, L2S_EDB, "%s: %s", what, sqlite3_errmsg(h));
}

/* Every sweep key and metric name of the database. */
static int scan(sqlite3 *h, struct resviews *v, struct l2s_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(h, "SELECT DISTINCT sweep_json FROM runs", -1,
			       &st, NULL) != SQLITE_OK)
		return db_err(h, err, "cannot read runs");
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = add_sweep_keys(&v->keys,
				    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc < 0)
		return l2s_error_set(err, rc, "out of memory");
	rc = 0;
	if (sqlite3_prepare_v2(h, "SELECT DISTINCT name FROM metrics", -1, &st,
			       NULL) != SQLITE_OK)
		return db_err(h, err, "cannot read metrics");
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		if (n)
			rc = strv_add(&v->metrics, n);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return l2s_error_set(err, rc, "out of memory");
	return 0;
}

/* Appends an SQL identifier in double quotes. */
static void put_ident(FILE *f, const char *prefix, const char *name)
{
	fputc('"', f);
	fputs(prefix, f);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* Appends an SQL string literal. */
static void put_literal(FILE *f, const char *s)
{
	fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			fputc('\'', f);
		fputc(*p, f);
	}
	fputc('\'', f);
}

static int name_taken(const char *const *fixed, const char *name)
{
	for (size_t i = 0; fixed[i]; i++)
		if (!strcasecmp(fixed[i], name))
			return 1;
	return 0;
}

static int has_column(sqlite3 *h, const char *table, const char *col)
{
	char sql[128];
	sqlite3_stmt *st;
	int found = 0;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 1);
		if (n && !strcmp(n, col))
			found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

/* Whether every run's value of 'key' is an array of as many elements as
 * the key has comma-separated paths (a zipped sweep). */
static int zipped_parts(sqlite3 *h, const char *key)
{
	size_t parts = 1;
	sqlite3_stmt *st;
	int ok = 1;

	for (const char *p = key; *p; p++)
		parts += *p == ',';
	if (parts < 2)
		return 0;
	if (sqlite3_prepare_v2(h, "SELECT DISTINCT json_type(sweep_json, ?1), "
			       "json_array_length(sweep_json, ?1) FROM runs "
			       "WHERE json_type(sweep_json, ?1) IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	char path[1024];
	snprintf(path, sizeof(path), "$.\"%s\"", key);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (!t || strcmp(t, "array") ||
		    (size_t)sqlite3_column_int64(st, 1) != parts)
			ok = 0;
	}
	sqlite3_finalize(st);
	return ok ? (int)parts : 0;
}

static char *build_sql(sqlite3 *h, struct resviews *v, int temp)
{
	static const char *const run_fixed[] = {
		"run_id", "identity", "scenario_name", "seed", "replication",
		"status", NULL,
	};
	static const char *const metric_fixed[] = {
		"run_id", "component", "type", NULL,
	};
	const char *tmp = temp ? "TEMP " : "";
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);

	if (!f)
		return NULL;
	if (v->keys.n > 1)
		qsort(v->keys.v, v->keys.n, sizeof(char *), cmp_str);
	if (v->metrics.n > 1)
		qsort(v->metrics.v, v->metrics.n, sizeof(char *), cmp_str);
	fprintf(f, "DROP VIEW IF EXISTS %srun_points;"
		"DROP VIEW IF EXISTS %ssystem_metrics;",
		temp ? "temp." : "", temp ? "temp." : "");
	fprintf(f, "CREATE %sVIEW run_points AS SELECT run_id, ", tmp);
	if (has_column(h, "runs", "identity"))
		fputs("identity, ", f);
	fputs("scenario_name, seed, replication, status", f);
	for (size_t i = 0; i < v->keys.n; i++) {
		const char *key = v->keys.v[i];
		int parts;

		if (strchr(key, '"'))
			continue; /* not a path a scenario can have */
		parts = zipped_parts(h, key);
		if (!parts) {
			fputs(", json_extract(sweep_json, ", f);
			char path[1024];
			snprintf(path, sizeof(path), "$.\"%s\"", key);
			put_literal(f, path);
			fputs(") AS ", f);
			put_ident(f, name_taken(run_fixed, key) ? "sweep." : "",
				  key);
			continue;
		}
		const char *p = key;
		for (int k = 0; k < parts; k++) {
			size_t n = strcspn(p, ",");
			char part[512], path[1024];
			snprintf(part, sizeof(part), "%.*s", (int)n, p);
			snprintf(path, sizeof(path), "$.\"%s\"[%d]", key, k);
			fputs(", json_extract(sweep_json, ", f);
			put_literal(f, path);
			fputs(") AS ", f);
			put_ident(f, name_taken(run_fixed, part) ? "sweep." : "",
				  part);
			p += n + (p[n] == ',');
		}
	}
	fputs(" FROM runs;", f);

	fprintf(f, "CREATE %sVIEW system_metrics AS SELECT m.run_id AS run_id, "
		"m.component AS component, (SELECT a.value FROM attributes a "
		"WHERE a.run_id = m.run_id AND a.component = m.component AND "
		"a.name = 'type') AS type", tmp);
	for (size_t i = 0; i < v->metrics.n; i++) {
		const char *n = v->metrics.v[i];
		fputs(", max(CASE WHEN m.name = ", f);
		put_literal(f, n);
		fputs(" THEN m.value END) AS ", f);
		put_ident(f, name_taken(metric_fixed, n) ? "metric." : "", n);
	}
	fputs(" FROM metrics m GROUP BY m.run_id, m.component;", f);
	if (fclose(f) != 0) {
		free(sql);
		return NULL;
	}
	return sql;
}

static int create(sqlite3 *h, struct resviews *v, int temp,
		  struct l2s_error *err)
{
	char *sql = build_sql(h, v, temp);
	char *msg = NULL;
	int rc = 0;

	if (!sql)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		rc = l2s_error_set(err, L2S_EDB, "cannot create the views: %s",
				   msg ? msg : sqlite3_errmsg(h));
	sqlite3_free(msg);
	free(sql);
	return rc;
}

int resdb_views_create(struct sqlite3 *h, int temp, struct l2s_error *err)
{
	struct resviews v;
	int rc;

	memset(&v, 0, sizeof(v));
	/* the attributes table is newer than some databases */
	if (!has_column(h, "attributes", "value")) {
		if (!temp)
			return l2s_error_set(err, L2S_EDB, "the database has no "
					     "table 'attributes'");
		if (sqlite3_exec(h, "CREATE TEMP TABLE IF NOT EXISTS "
				 "attributes(run_id, component, name, value)",
				 NULL, NULL, NULL) != SQLITE_OK)
			return db_err(h, err, "cannot create the views");
	}
	rc = scan(h, &v, err);
	if (rc == 0)
		rc = create(h, &v, temp, err);
	strv_release(&v.keys);
	strv_release(&v.metrics);
	return rc;
}

int resviews_update(sqlite3 *h, struct resviews **cache,
		    const struct run_result *r, struct l2s_error *err)
{
	struct resviews *v = *cache;
	int fresh = 0, rc;

	if (!v) {
		/* the run's rows are already in the open transaction */
		if (!(v = calloc(1, sizeof(*v))))
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		if ((rc = scan(h, v, err)) < 0) {
			resviews_destroy(v);
			return rc;
		}
		*cache = v;
		fresh = 1;
	}
	rc = add_sweep_keys(&v->keys, r->sweep_json);
	if (rc > 0)
		fresh = 1;
	for (size_t i = 0; rc >= 0 && i < r->n_metrics; i++) {
		rc = strv_add(&v->metrics, r->metrics[i].name);
		if (rc > 0)
			fresh = 1;
	}
	if (rc < 0)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	return fresh ? create(h, v, 0, err) : 0;
}
