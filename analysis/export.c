/*
 * `l2sim export`: the tables of a results database as CSV or JSON files
 * that a spreadsheet, R, pandas or jq reads without SQL.
 *
 *   runs       the view run_points (one column per swept path) with the
 *              rest of the runs table
 *   metrics    the view system_metrics: one row per run and component,
 *              one column per metric, the system type as text
 *   series, l1_blocks, attributes, and failures and systems when the
 *              database has them: as stored
 *
 * CSV follows RFC 4180 (comma, CRLF-free "\n" lines, fields with a comma,
 * quote or newline in double quotes, quotes doubled), a header line of
 * column names, NULL as an empty field.  Numbers are written with 17
 * significant digits, so that reading them back gives the stored doubles.
 * JSON is one array of objects per table, NULL as null.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "l2sim/results.h"

#include "analysis_internal.h"

static const struct {
	const char *name, *sql;
	int optional; /* exported only when the table exists */
} tables[] = {
	{"runs", "SELECT p.*, r.scenario_sha256, r.engine_version, "
	 "r.started_at, r.wall_seconds, r.sim_seconds, r.events, "
	 "r.fingerprint, r.sweep_json FROM temp.run_points p JOIN runs r "
	 "USING(run_id) ORDER BY run_id", 0},
	{"metrics", "SELECT * FROM temp.system_metrics ORDER BY run_id, "
	 "component", 0},
	{"series", "SELECT * FROM series ORDER BY run_id, component, name, "
	 "t_seconds", 0},
	{"l1_blocks", "SELECT * FROM l1_blocks ORDER BY run_id, slot", 0},
	{"attributes", "SELECT * FROM attributes ORDER BY run_id, component, "
	 "name", 1},
	{"failures", "SELECT * FROM failures ORDER BY run_id, component, "
	 "t_start_s", 1},
	{"systems", "SELECT * FROM systems ORDER BY run_id, component", 1},
};

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_value(FILE *f, sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, c));
		break;
	case SQLITE_FLOAT:
		fprintf(f, "%.17g", sqlite3_column_double(st, c));
		break;
	default:
		csv_field(f, (const char *)sqlite3_column_text(st, c));
	}
}

static json_t *json_value(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_FLOAT: {
		double v = sqlite3_column_double(st, c);
		return isfinite(v) ? json_real(v) : json_null();
	}
	default:
		return json_string((const char *)sqlite3_column_text(st, c));
	}
}

/* Writes the rows of 'sql' to dir/name.{csv,json} through a temporary
 * file renamed into place. */
static int export_table(sqlite3 *db, const char *sql, const char *dir,
			const char *name, int json, size_t *rows,
			struct l2s_error *err)
{
	char path[4096], tmp[4200];
	sqlite3_stmt *st;
	FILE *f;
	int step, rc = 0, n;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return l2s_error_set(err, L2S_EDB, "cannot read '%s': %s", name,
				     sqlite3_errmsg(db));
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, json ? "json" :
		 "csv");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		sqlite3_finalize(st);
		return l2s_error_set(err, L2S_EIO, "cannot write '%s': %s", tmp,
				     strerror(errno));
	}
	n = sqlite3_column_count(st);
	*rows = 0;
	if (!json) {
		for (int c = 0; c < n; c++) {
			if (c)
				fputc(',', f);
			csv_field(f, sqlite3_column_name(st, c));
		}
		fputc('\n', f);
	} else {
		fputs("[", f);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (json) {
			json_t *o = json_object();
			for (int c = 0; o && c < n; c++)
				json_object_set_new(o, sqlite3_column_name(st, c),
						    json_value(st, c));
			char *s = o ? json_dumps(o, JSON_COMPACT |
						 JSON_PRESERVE_ORDER |
						 JSON_REAL_PRECISION(17)) :
				NULL;
			json_decref(o);
			if (!s) {
				rc = l2s_error_set(err, L2S_ENOMEM,
						   "out of memory");
				break;
			}
			fprintf(f, "%s\n%s", *rows ? "," : "", s);
			free(s);
		} else {
			for (int c = 0; c < n; c++) {
				if (c)
					fputc(',', f);
				csv_value(f, st, c);
			}
			fputc('\n', f);
		}
		(*rows)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = l2s_error_set(err, L2S_EDB, "cannot read '%s': %s", name,
				   sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (json)
		fputs("\n]\n", f);
	if (fclose(f) != 0 && rc == 0)
		rc = l2s_error_set(err, L2S_EIO, "cannot write '%s': %s", tmp,
				   strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = l2s_error_set(err, L2S_EIO, "cannot write '%s': %s", path,
				   strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int make_dir(const char *dir, struct l2s_error *err)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return l2s_error_set(err, L2S_EUSAGE, "bad directory '%s'",
				     dir);
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		goto fail;
	struct stat sb;
	if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return l2s_error_set(err, L2S_EUSAGE, "'%s' exists and is not "
				     "a directory", dir);
	return 0;
fail:
	return l2s_error_set(err, L2S_EIO, "cannot create '%s': %s", buf,
			     strerror(errno));
}

int export_run(const char *db_path, const char *format, const char *out_dir,
	       FILE *out, struct l2s_error *err)
{
	struct resdb *rdb = NULL;
	char *dir = NULL;
	int json, rc;

	if (!format || !strcmp(format, "csv")) {
		json = 0;
	} else if (!strcmp(format, "json")) {
		json = 1;
	} else {
		rc = l2s_error_set(err, L2S_EUSAGE, "unknown format '%s'",
				   format);
		l2s_error_hint(err, "use csv or json");
		return rc;
	}
	if (out_dir && *out_dir) {
		dir = strdup(out_dir);
	} else {
		const char *base = strrchr(db_path, '/');
		size_t l;
		base = base ? base + 1 : db_path;
		l = strlen(base);
		if (l > 3 && !strcmp(base + l - 3, ".db"))
			l -= 3;
		if (asprintf(&dir, "results/export-%.*s", (int)l, base) < 0)
			dir = NULL;
	}
	if (!dir)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if ((rc = an_db_open(db_path, &rdb, err)) < 0)
		goto out;
	sqlite3 *db = resdb_handle(rdb);
	if ((rc = resdb_views_create(db, 1, err)) < 0)
		goto out;
	if ((rc = make_dir(dir, err)) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		size_t rows;
		if (tables[i].optional && !an_table_exists(db, tables[i].name))
			continue;
		rc = export_table(db, tables[i].sql, dir, tables[i].name, json,
				  &rows, err);
		if (rc < 0)
			goto out;
		if (out)
			fprintf(out, "%s/%s.%s: %zu row%s\n", dir,
				tables[i].name, json ? "json" : "csv", rows,
				rows == 1 ? "" : "s");
	}
	rc = 0;
out:
	resdb_close(rdb);
	free(dir);
	return rc;
}
