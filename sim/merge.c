/*
 * `l2sim merge OUT.db IN.db...`: the runs of shard databases (or any
 * results databases) into one.  A run whose identity is already complete
 * in OUT is left alone, so merging twice, or merging overlapping inputs,
 * adds nothing; every table with a run_id column goes along with its run.
 * Runs are copied in sweep order (sweep point, then replication) over the
 * inputs attached together, so N shards merge into the row order of the
 * unsharded run; the whole merge is one transaction.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "l2sim/results.h"

/* SQLite attaches at most 10 databases by default; keep a margin. */
#define MERGE_BATCH 8

struct cand {
	int src;             /* index in the batch: schema "src<k>" */
	int64_t run_id;
	int64_t sweep_index;
	int64_t replication;
	char identity[65];
	int ok;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->sweep_index != y->sweep_index)
		return x->sweep_index < y->sweep_index ? -1 : 1;
	if (x->replication != y->replication)
		return x->replication < y->replication ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return (x->run_id > y->run_id) - (x->run_id < y->run_id);
}

static int fail_db(struct l2s_error *err, sqlite3 *db, const char *file,
		   const char *what)
{
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = err->column = 0;
	}
	return l2s_error_set(err, L2S_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static void strv_free(char **v);

/* The first column of every row of 'st' (which it finalizes), as a
 * NULL-terminated list (caller frees each and the list); NULL when out of
 * memory: never a list cut short. */
static char **strv_collect(sqlite3_stmt *st, size_t *n)
{
	*n = 0;
	char **v = calloc(1, sizeof(*v));
	while (v && sqlite3_step(st) == SQLITE_ROW) {
		char **nv = realloc(v, (*n + 2) * sizeof(*v));
		char *s = nv ? strdup((const char *)sqlite3_column_text(st, 0))
			     : NULL;
		if (!s) {
			strv_free(nv ? nv : v);
			v = NULL;
			*n = 0;
			break;
		}
		v = nv;
		v[*n] = s;
		v[++*n] = NULL;
	}
	sqlite3_finalize(st);
	return v;
}

/* The names of a table's columns in schema 'sch', as a NULL-terminated
 * list (caller frees each and the list); NULL list when out of memory. */
static char **columns_of(sqlite3 *db, const char *sch, const char *table,
			 size_t *n)
{
	char sql[300];
	sqlite3_stmt *st;
	*n = 0;
	snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info(?, "
		 "'%s') ORDER BY cid", sch);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	return strv_collect(st, n);
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Appends to 'b' (cap bytes) with bounds. */
static void cat(char *b, size_t cap, const char *s)
{
	size_t l = strlen(b);
	snprintf(b + l, cap > l ? cap - l : 0, "%s", s);
}

/* Copies run 'c' of schema src<k> into main; *copied set on success. */
static int copy_run(sqlite3 *db, const struct cand *c, int64_t invocation,
		    char *const *tables, size_t n_tables, const char *file,
		    struct l2s_error *err)
{
	char sch[16], sql[8192], cols[4096] = "", sel[4096] = "";
	snprintf(sch, sizeof(sch), "src%d", c->src);
	size_t nm, ns;
	char **mcols = columns_of(db, "main", "runs", &nm);
	char **scols = columns_of(db, sch, "runs", &ns);
	int rc = 0;
	if (!mcols || !scols) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nm; i++) {
		const char *col = mcols[i];
		if (!strcmp(col, "run_id"))
			continue;
		if (!strcmp(col, "invocation")) {
			char inv[32];
			snprintf(inv, sizeof(inv), "%lld", (long long)invocation);
			cat(cols, sizeof(cols), cols[0] ? ",invocation" :
			    "invocation");
			cat(sel, sizeof(sel), sel[0] ? "," : "");
			cat(sel, sizeof(sel), inv);
			continue;
		}
		if (!strcmp(col, "identity")) {
			cat(cols, sizeof(cols), cols[0] ? ",identity" : "identity");
			cat(sel, sizeof(sel), sel[0] ? ",?2" : "?2");
			continue;
		}
		if (!strv_has(scols, col))
			continue;
		cat(cols, sizeof(cols), cols[0] ? ",\"" : "\"");
		cat(cols, sizeof(cols), col);
		cat(cols, sizeof(cols), "\"");
		cat(sel, sizeof(sel), sel[0] ? ",\"" : "\"");
		cat(sel, sizeof(sel), col);
		cat(sel, sizeof(sel), "\"");
	}
	snprintf(sql, sizeof(sql), "INSERT INTO main.runs(%s) SELECT %s FROM "
		 "%s.runs WHERE run_id = ?1", cols, sel, sch);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(err, db, file, "cannot copy run");
		goto out;
	}
	sqlite3_bind_int64(st, 1, c->run_id);
	sqlite3_bind_text(st, 2, c->identity, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		rc = fail_db(err, db, file, "cannot copy run");
		goto out;
	}
	int64_t new_id = sqlite3_last_insert_rowid(db);
	for (size_t t = 0; t < n_tables; t++) {
		size_t n1, n2;
		char **tm = columns_of(db, "main", tables[t], &n1);
		char **ts = columns_of(db, sch, tables[t], &n2);
		if (!tm || !ts || !n2) {
			/* a table the input does not have */
			strv_free(tm);
			strv_free(ts);
			continue;
		}
		cols[0] = sel[0] = '\0';
		for (size_t i = 0; i < n1; i++) {
			if (!strv_has(ts, tm[i]))
				continue;
			cat(cols, sizeof(cols), cols[0] ? ",\"" : "\"");
			cat(cols, sizeof(cols), tm[i]);
			cat(cols, sizeof(cols), "\"");
			if (!strcmp(tm[i], "run_id")) {
				cat(sel, sizeof(sel), sel[0] ? ",?2" : "?2");
			} else {
				cat(sel, sizeof(sel), sel[0] ? ",\"" : "\"");
				cat(sel, sizeof(sel), tm[i]);
				cat(sel, sizeof(sel), "\"");
			}
		}
		strv_free(tm);
		strv_free(ts);
		snprintf(sql, sizeof(sql), "INSERT INTO main.\"%s\"(%s) SELECT "
			 "%s FROM %s.\"%s\" WHERE run_id = ?1", tables[t], cols,
			 sel, sch, tables[t]);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			rc = fail_db(err, db, file, "cannot copy run");
			goto out;
		}
		sqlite3_bind_int64(st, 1, c->run_id);
		sqlite3_bind_int64(st, 2, new_id);
		step = sqlite3_step(st);
		sqlite3_finalize(st);
		if (step != SQLITE_DONE) {
			rc = fail_db(err, db, file, "cannot copy run");
			goto out;
		}
	}
out:
	strv_free(mcols);
	strv_free(scols);
	return rc;
}

/* Lists the runs of src<k>, computing identities the input lacks. */
static int list_runs(sqlite3 *db, int k, const char *file, struct cand **v,
		     size_t *n, size_t *cap, struct l2s_error *err)
{
	char sch[16], sql[512];
	snprintf(sch, sizeof(sch), "src%d", k);
	size_t nc;
	char **cols = columns_of(db, sch, "runs", &nc);
	if (!cols)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int has_id = strv_has(cols, "identity");
	int has_si = strv_has(cols, "sweep_index");
	strv_free(cols);
	snprintf(sql, sizeof(sql), "SELECT run_id, %s, replication, %s, "
		 "status, scenario_json, seed, engine_version FROM %s.runs",
		 has_si ? "coalesce(sweep_index, 0)" : "0",
		 has_id ? "identity" : "NULL", sch);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail_db(err, db, file, "cannot read runs");
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct cand *nv = realloc(*v, ncap * sizeof(*nv));
			if (!nv) {
				sqlite3_finalize(st);
				return l2s_error_set(err, L2S_ENOMEM,
						     "out of memory");
			}
			*v = nv;
			*cap = ncap;
		}
		struct cand *c = &(*v)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->src = k;
		c->run_id = sqlite3_column_int64(st, 0);
		c->sweep_index = sqlite3_column_int64(st, 1);
		c->replication = sqlite3_column_int64(st, 2);
		const char *id = (const char *)sqlite3_column_text(st, 3);
		const char *status = (const char *)sqlite3_column_text(st, 4);
		c->ok = status && !strcmp(status, "ok");
		if (id) {
			snprintf(c->identity, sizeof(c->identity), "%s", id);
		} else if (resdb_identity((const char *)sqlite3_column_text(st, 5),
					  (uint64_t)sqlite3_column_int64(st, 6),
					  (uint32_t)c->replication,
					  (const char *)sqlite3_column_text(st, 7),
					  c->identity)) {
			snprintf(c->identity, sizeof(c->identity), "%s#%lld",
				 file, (long long)c->run_id);
		}
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return fail_db(err, db, file, "cannot read runs");
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

/* Tables of main with a run_id column, besides runs. */
static char **child_tables(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT m.name FROM main.sqlite_master "
			       "m WHERE m.type = 'table' AND m.name != "
			       "'runs' AND EXISTS (SELECT 1 FROM "
			       "pragma_table_info(m.name) p WHERE p.name "
			       "= 'run_id') ORDER BY m.name", -1, &st,
			       NULL) != SQLITE_OK)
		return NULL;
	return strv_collect(st, n);
}

int resdb_merge(struct resdb *out, const char *const *in, size_t n_in,
		struct resdb_merge_stats *stats, struct l2s_error *err)
{
	sqlite3 *db = resdb_handle(out);
	memset(stats, 0, sizeof(*stats));
	/* Check every input first: a foreign or newer file stops the merge
	 * before anything is written. */
	for (size_t i = 0; i < n_in; i++) {
		struct resdb *r;
		int rc = resdb_open_readonly(in[i], &r, err);
		if (rc)
			return rc;
		resdb_close(r);
	}
	size_t n_tables;
	char **tables = child_tables(db, &n_tables);
	if (!tables)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	sqlite3_stmt *have = NULL;
	int rc = 0;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail_db(err, db, resdb_path(out), "cannot begin merge");
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT max(status = 'ok'), count(*) FROM "
			       "main.runs WHERE identity = ?", -1, &have,
			       NULL) != SQLITE_OK) {
		rc = fail_db(err, db, resdb_path(out), "cannot read runs");
		goto rollback;
	}
	for (size_t b = 0; b < n_in; b += MERGE_BATCH) {
		size_t nb = n_in - b < MERGE_BATCH ? n_in - b : MERGE_BATCH;
		struct cand *c = NULL;
		size_t n = 0, cap = 0;
		int attached = 0;
		for (size_t k = 0; k < nb && rc == 0; k++) {
			const char *file = in[b + k];
			if (same_file(file, resdb_path(out))) {
				stats->inputs_skipped++;
				continue;
			}
			char sql[64];
			snprintf(sql, sizeof(sql), "ATTACH DATABASE ? AS src%zu", k);
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
				rc = fail_db(err, db, file, "cannot attach");
				break;
			}
			sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
			int step = sqlite3_step(st);
			sqlite3_finalize(st);
			if (step != SQLITE_DONE) {
				rc = fail_db(err, db, file, "cannot attach");
				break;
			}
			attached |= 1 << k;
			rc = list_runs(db, (int)k, file, &c, &n, &cap, err);
		}
		if (rc == 0)
			qsort(c, n, sizeof(*c), cand_cmp);
		for (size_t i = 0; i < n && rc == 0; i++) {
			sqlite3_reset(have);
			sqlite3_bind_text(have, 1, c[i].identity, -1,
					  SQLITE_STATIC);
			int ok_there = 0, any_there = 0;
			if (sqlite3_step(have) == SQLITE_ROW) {
				ok_there = sqlite3_column_int(have, 0);
				any_there = sqlite3_column_int(have, 1) > 0;
			}
			sqlite3_reset(have);
			if (ok_there || (!c[i].ok && any_there)) {
				stats->runs_present++;
				continue;
			}
			if (any_there) {
				/* an incomplete run replaced by a complete one */
				for (size_t t = 0; t < n_tables; t++) {
					char sql[300];
					snprintf(sql, sizeof(sql), "DELETE FROM "
						 "main.\"%s\" WHERE run_id IN "
						 "(SELECT run_id FROM main.runs "
						 "WHERE identity = '%s')",
						 tables[t], c[i].identity);
					sqlite3_exec(db, sql, NULL, NULL, NULL);
				}
				char sql[200];
				snprintf(sql, sizeof(sql), "DELETE FROM main.runs "
					 "WHERE identity = '%s'", c[i].identity);
				sqlite3_exec(db, sql, NULL, NULL, NULL);
			}
			rc = copy_run(db, &c[i], resdb_invocation(out), tables,
				      n_tables, in[b + (size_t)c[i].src], err);
			if (rc == 0)
				stats->runs_copied++;
		}
		free(c);
		for (size_t k = 0; k < nb; k++) {
			if (!(attached & (1 << k)))
				continue;
			char sql[64];
			snprintf(sql, sizeof(sql), "DETACH DATABASE src%zu", k);
			sqlite3_exec(db, sql, NULL, NULL, NULL);
		}
		if (rc)
			goto rollback;
	}
	sqlite3_finalize(have);
	have = NULL;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail_db(err, db, resdb_path(out), "cannot commit merge");
		goto rollback;
	}
	goto out;
rollback:
	sqlite3_finalize(have);
	have = NULL;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(have);
	strv_free(tables);
	return rc;
}
