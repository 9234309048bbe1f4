/*
 * What the analysis commands share: strings, number formatting, the mean
 * and confidence interval across replications, and the grouping of a
 * database's runs by scenario and sweep point (analysis_internal.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "l2sim/results.h"

#include "analysis_internal.h"

void an_buf_printf(struct an_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0,
			      fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
		b->s[b->len] = '\0';
	}
}

void an_buf_puts(struct an_buf *b, const char *s)
{
	an_buf_printf(b, "%s", s);
}

void an_buf_release(struct an_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void an_fmt(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
	else if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 999.5e9)
		snprintf(buf, len, "%.2e", v);
	else if (a >= 9999.5e6)
		snprintf(buf, len, "%.0fG", v / 1e9);
	else if (a >= 999.5e6)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (a >= 9999.5e3)
		snprintf(buf, len, "%.*fM", a >= 99.95e6 ? 0 : 1, v / 1e6);
	else if (a >= 9999.5)
		snprintf(buf, len, "%.*fk", a >= 99.95e3 ? 0 : 1, v / 1e3);
	else if (a >= 99.95)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 9.995)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 0.9995)
		snprintf(buf, len, "%.2f", v);
	else if (a >= 0.009995)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.1e", v);
}

void an_fmt_stat(const struct an_stat *st, double scale, char *buf,
		 size_t len)
{
	char m[32], h[32];

	if (st->n == 0) {
		snprintf(buf, len, "-");
		return;
	}
	an_fmt(st->mean * scale, m, sizeof(m));
	/* A spread below a billionth of the mean is rounding in sums of a
	 * quantity the replications share (a closed-form wait), not
	 * sampling: shown as none. */
	if (st->n < 2 || isnan(st->half) ||
	    st->half <= 1e-9 * fabs(st->mean)) {
		snprintf(buf, len, "%s", m);
		return;
	}
	an_fmt(st->half * scale, h, sizeof(h));
	snprintf(buf, len, "%s±%s", m, h);
}

int analysis_mean_ci(const double *x, size_t n, double *mean, double *half)
{
	if (n == 0)
		return L2S_EINPUT;
	*mean = gsl_stats_mean(x, 1, n);
	if (n < 2) {
		*half = NAN;
		return 0;
	}
	double sd = gsl_stats_sd_m(x, 1, n, *mean);
	double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
	*half = t * sd / sqrt((double)n);
	return 0;
}

int an_component_cmp(const char *a, const char *b)
{
	int a_all = strcmp(a, "all") == 0, b_all = strcmp(b, "all") == 0;

	if (a_all || b_all)
		return a_all - b_all;
	const char *ha = strchr(a, '#'), *hb = strchr(b, '#');
	size_t la = ha ? (size_t)(ha - a) : strlen(a);
	size_t lb = hb ? (size_t)(hb - b) : strlen(b);
	size_t l = la < lb ? la : lb;
	int c = memcmp(a, b, l);
	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (!ha || !hb)
		return (ha != NULL) - (hb != NULL);
	char *ea, *eb;
	unsigned long long na = strtoull(ha + 1, &ea, 10);
	unsigned long long nb = strtoull(hb + 1, &eb, 10);
	if (na != nb)
		return na < nb ? -1 : 1;
	return strcmp(ha, hb);
}

static int cmp_component_ptr(const void *a, const void *b)
{
	return an_component_cmp(*(char *const *)a, *(char *const *)b);
}

int an_db_open(const char *path, struct resdb **out, struct l2s_error *err)
{
	int rc = resdb_open_readonly(path, out, err);

	if (rc < 0 && err && err->file[0] == '\0')
		snprintf(err->file, sizeof(err->file), "%s", path);
	return rc;
}

/* A run as read from the runs table. */
struct raw_run {
	int64_t id;
	char *scenario;
	char *sweep;   /* canonical */
	int64_t seed;
	int64_t replication;
	int ok;
	char *sha256;
	char *engine;
	char *identity;
	char *sets;    /* the --set values, or NULL */
};

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

/*
 * The point of a run: its --set values and its sweep values in one object,
 * canonical (sorted keys, compact); "{}" for none.  Runs with different
 * --set values are different points, never replications of one.
 */
static char *canon_sweep(const char *text, const char *sets)
{
	json_t *j, *s = NULL;

	if ((!text || !*text) && (!sets || !*sets || !strcmp(sets, "{}")))
		return strdup("{}");
	j = json_loads(text && *text ? text : "{}", JSON_DECODE_ANY, NULL);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return strdup(text); /* keep unknown text as its own point */
	}
	if (sets && *sets)
		s = json_loads(sets, JSON_DECODE_ANY, NULL);
	if (json_is_object(s)) {
		json_t *merged = json_deep_copy(s);
		if (merged)
			json_object_update(merged, j);
		json_decref(j);
		j = merged;
	}
	json_decref(s);
	if (!j)
		return NULL;
	char *out = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT |
			       JSON_ENCODE_ANY);
	json_decref(j);
	return out;
}

static void raw_free(struct raw_run *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].scenario);
		free(r[i].sweep);
		free(r[i].sha256);
		free(r[i].engine);
		free(r[i].identity);
		free(r[i].sets);
	}
	free(r);
}

static int db_err(struct l2s_error *err, sqlite3 *db, const char *what)
{
	return l2s_error_set(err, L2S_EDB, "cannot %s: %s", what,
			     sqlite3_errmsg(db));
}

/* Databases of schema version 1 have no identity or sets_json column:
 * their runs' identity is computed from the scenario as run. */
#define RUN_COLUMNS_V2 "run_id, scenario_name, sweep_json, seed, replication, " \
	"status, scenario_sha256, engine_version, identity, sets_json, " \
	"CASE WHEN identity IS NULL THEN scenario_json END"
#define RUN_COLUMNS_V1 "run_id, scenario_name, sweep_json, seed, replication, " \
	"status, scenario_sha256, engine_version, NULL, NULL, scenario_json"

static int raw_fill(sqlite3_stmt *st, struct raw_run *r)
{
	const unsigned char *status;
	const char *identity = (const char *)sqlite3_column_text(st, 8);

	r->id = sqlite3_column_int64(st, 0);
	r->scenario = dup_text(st, 1);
	r->sweep = canon_sweep((const char *)sqlite3_column_text(st, 2),
			       (const char *)sqlite3_column_text(st, 9));
	const char *sets = (const char *)sqlite3_column_text(st, 9);
	r->sets = sets && strcmp(sets, "{}") ? strdup(sets) : NULL;
	r->seed = sqlite3_column_int64(st, 3);
	r->replication = sqlite3_column_int64(st, 4);
	status = sqlite3_column_text(st, 5);
	r->ok = status && strcmp((const char *)status, "ok") == 0;
	r->sha256 = dup_text(st, 6);
	r->engine = dup_text(st, 7);
	if (identity) {
		r->identity = strdup(identity);
	} else {
		char hex[65];
		if (resdb_identity((const char *)sqlite3_column_text(st, 10),
				   (uint64_t)r->seed, (uint32_t)r->replication,
				   r->engine ? r->engine : "", hex) == 0)
			r->identity = strdup(hex);
	}
	return r->scenario && r->sweep && r->sha256 && r->engine &&
		r->identity ? 0 : L2S_ENOMEM;
}

/* Reads the runs: the given ids, or all of them in run_id order. */
static int raw_read(sqlite3 *db, const int64_t *ids, size_t n,
		    struct raw_run **out, size_t *n_out,
		    struct l2s_error *err)
{
	sqlite3_stmt *st = NULL;
	struct raw_run *r = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0, step;
	sqlite3_stmt *probe = NULL;
	int v2 = sqlite3_prepare_v2(db, "SELECT identity, sets_json FROM runs "
				    "LIMIT 0", -1, &probe, NULL) == SQLITE_OK;
	sqlite3_finalize(probe);
	const char *sql = ids ?
		(v2 ? "SELECT " RUN_COLUMNS_V2 " FROM runs WHERE run_id = ?" :
		 "SELECT " RUN_COLUMNS_V1 " FROM runs WHERE run_id = ?") :
		(v2 ? "SELECT " RUN_COLUMNS_V2 " FROM runs ORDER BY run_id" :
		 "SELECT " RUN_COLUMNS_V1 " FROM runs ORDER BY run_id");

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(err, db, "read table 'runs'");
	for (size_t i = 0; ids ? i < n : 1; i++) {
		if (ids) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, ids[i]);
		}
		step = sqlite3_step(st);
		if (step == SQLITE_DONE) {
			if (!ids)
				break;
			rc = l2s_error_set(err, L2S_EINPUT,
					   "no run with run_id %lld in the "
					   "database", (long long)ids[i]);
			goto out;
		}
		if (step != SQLITE_ROW) {
			rc = db_err(err, db, "read table 'runs'");
			goto out;
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct raw_run *nr = realloc(r, nc * sizeof(*r));
			if (!nr) {
				rc = l2s_error_set(err, L2S_ENOMEM,
						   "out of memory");
				goto out;
			}
			r = nr;
			cap = nc;
		}
		memset(&r[cnt], 0, sizeof(r[cnt]));
		cnt++;
		if (raw_fill(st, &r[cnt - 1]) < 0) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	sqlite3_finalize(st);
	if (rc < 0) {
		raw_free(r, cnt);
		return rc;
	}
	*out = r;
	*n_out = cnt;
	return 0;
}

/* Two rows of one run: the same identity (docs/data.md).  Writers keep one
 * row per identity; older databases and copies may hold several. */
static int same_key(const struct raw_run *a, const struct raw_run *b)
{
	return strcmp(a->identity, b->identity) == 0;
}

/* For a zipped sweep key "p1,p2,..." with its array of values: the value
 * of the path ending in "description" when it is a string, else NULL. */
static const char *zipped_description(const char *key, json_t *v)
{
	if (!strchr(key, ',') || !json_is_array(v))
		return NULL;
	size_t i = 0;
	for (const char *p = key; p; i++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		static const char d[] = "description";
		size_t dl = sizeof(d) - 1;
		if (len >= dl && !strncmp(p + len - dl, d, dl) &&
		    (len == dl || p[len - dl - 1] == '.')) {
			json_t *x = json_array_get(v, i);
			return json_is_string(x) ? json_string_value(x) : NULL;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

char *an_sweep_label(json_t *sweep, const char *skip)
{
	struct an_buf b = {0};
	const char *key;
	json_t *v;
	int first = 1;

	an_buf_puts(&b, "");
	json_object_foreach(sweep, key, v) {
		const char *short_key = strrchr(key, '.');
		char *val;

		if (skip && strcmp(key, skip) == 0)
			continue;
		/* Paths moving together (zipped) are named by the string of
		 * one of them that is a "description", when there is one. */
		const char *desc = zipped_description(key, v);
		if (desc) {
			an_buf_printf(&b, "%s%s", first ? "" : ", ", desc);
			first = 0;
			continue;
		}
		short_key = short_key ? short_key + 1 : key;
		val = json_is_string(v) ? strdup(json_string_value(v)) :
			json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		an_buf_printf(&b, "%s%s=%s", first ? "" : ", ", short_key,
			      val ? val : "?");
		first = 0;
		free(val);
	}
	if (b.oom) {
		an_buf_release(&b);
		return NULL;
	}
	return b.s;
}

static void group_release(struct an_group *g)
{
	free(g->scenario);
	free(g->sha256);
	free(g->engine);
	for (size_t i = 0; i < g->n_points; i++) {
		free(g->points[i].sweep_json);
		free(g->points[i].label);
		json_decref(g->points[i].sweep);
		json_decref(g->points[i].sets);
		free(g->points[i].runs);
	}
	free(g->points);
	for (size_t i = 0; i < g->n_systems; i++)
		free(g->systems[i]);
	free(g->systems);
	for (size_t i = 0; i < g->n_bases; i++)
		free(g->bases[i]);
	free(g->bases);
}

void an_set_release(struct an_set *set)
{
	for (size_t i = 0; i < set->n_groups; i++)
		group_release(&set->groups[i]);
	free(set->groups);
	sqlite3_finalize(set->get_metric);
	memset(set, 0, sizeof(*set));
}

struct an_group *an_set_find(struct an_set *set, const char *scenario)
{
	for (size_t i = 0; i < set->n_groups; i++)
		if (strcmp(set->groups[i].scenario, scenario) == 0)
			return &set->groups[i];
	return NULL;
}

static int strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return L2S_ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return L2S_ENOMEM;
	(*n)++;
	return 0;
}

static int add_run(struct an_set *set, const struct raw_run *r)
{
	struct an_group *g = an_set_find(set, r->scenario);
	struct an_point *p = NULL;

	if (!g) {
		struct an_group *ng = realloc(set->groups, (set->n_groups + 1) *
					      sizeof(*ng));
		if (!ng)
			return L2S_ENOMEM;
		set->groups = ng;
		g = &ng[set->n_groups++];
		memset(g, 0, sizeof(*g));
		if (!(g->scenario = strdup(r->scenario)))
			return L2S_ENOMEM;
	}
	if (!r->ok) {
		g->n_skipped++;
		return 0;
	}
	free(g->sha256);
	free(g->engine);
	g->sha256 = strdup(r->sha256);
	g->engine = strdup(r->engine);
	if (!g->sha256 || !g->engine)
		return L2S_ENOMEM;
	for (size_t i = 0; i < g->n_points; i++)
		if (strcmp(g->points[i].sweep_json, r->sweep) == 0)
			p = &g->points[i];
	if (!p) {
		struct an_point *np = realloc(g->points, (g->n_points + 1) *
					      sizeof(*np));
		if (!np)
			return L2S_ENOMEM;
		g->points = np;
		p = &np[g->n_points++];
		memset(p, 0, sizeof(*p));
		p->sweep_json = strdup(r->sweep);
		p->sweep = json_loads(r->sweep, 0, NULL);
		if (!json_is_object(p->sweep)) {
			json_decref(p->sweep);
			p->sweep = json_object();
		}
		if (r->sets) {
			p->sets = json_loads(r->sets, 0, NULL);
			if (!json_is_object(p->sets)) {
				json_decref(p->sets);
				p->sets = NULL;
			}
		}
		if (!p->sweep_json || !p->sweep ||
		    !(p->label = an_sweep_label(p->sweep, NULL)))
			return L2S_ENOMEM;
	}
	int64_t *nr = realloc(p->runs, (p->n_runs + 1) * sizeof(*nr));
	if (!nr)
		return L2S_ENOMEM;
	p->runs = nr;
	p->runs[p->n_runs++] = r->id;
	g->n_runs++;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Systems: components with tx_offered in any run of the group. */
static int load_systems(struct an_set *set, struct an_group *g,
			struct l2s_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(set->db,
			       "SELECT DISTINCT component FROM metrics WHERE "
			       "run_id = ? AND name = 'tx_offered'", -1, &st,
			       NULL) != SQLITE_OK)
		return db_err(err, set->db, "read table 'metrics'");
	for (size_t i = 0; i < g->n_points && rc == 0; i++) {
		struct an_point *p = &g->points[i];

		qsort(p->runs, p->n_runs, sizeof(*p->runs), cmp_i64);
		for (size_t k = 0; k < p->n_runs && rc == 0; k++) {
			int step;

			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, p->runs[k]);
			while ((step = sqlite3_step(st)) == SQLITE_ROW) {
				const char *c = (const char *)
					sqlite3_column_text(st, 0);
				/* Instances of a system with count > 1 are
				 * summed by the simulator under the system's
				 * own name; tables and plots show that. */
				if (!c || strcmp(c, "l1") == 0 || strchr(c, '#'))
					continue;
				if (strv_add_unique(&g->systems,
						    &g->n_systems, c) < 0) {
					rc = l2s_error_set(err, L2S_ENOMEM,
							   "out of memory");
					break;
				}
			}
			if (rc == 0 && step != SQLITE_DONE)
				rc = db_err(err, set->db,
					    "read table 'metrics'");
		}
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	qsort(g->systems, g->n_systems, sizeof(*g->systems),
	      cmp_component_ptr);
	for (size_t i = 0; i < g->n_systems; i++) {
		char base[512];
		const char *h = strchr(g->systems[i], '#');
		size_t l = h ? (size_t)(h - g->systems[i]) :
			strlen(g->systems[i]);

		if (l >= sizeof(base))
			l = sizeof(base) - 1;
		memcpy(base, g->systems[i], l);
		base[l] = '\0';
		if (strv_add_unique(&g->bases, &g->n_bases, base) < 0)
			return l2s_error_set(err, L2S_ENOMEM,
					     "out of memory");
	}
	return 0;
}

static int cmp_identity(const void *a, const void *b, void *ctx)
{
	const struct raw_run *base = ctx;
	const struct raw_run *x = &base[*(const size_t *)a];
	const struct raw_run *y = &base[*(const size_t *)b];
	int c = strcmp(x->identity, y->identity);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Of the complete rows of one identity, all but the newest are marked:
 * the same run stored twice (an older database, a copy).  Sorting keeps
 * this O(n log n) for databases of many runs. */
static int mark_superseded(const struct raw_run *raw, size_t n, char *mark)
{
	size_t *ix = malloc((n + 1) * sizeof(*ix)), m = 0;
	if (!ix)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (raw[i].ok)
			ix[m++] = i;
	qsort_r(ix, m, sizeof(*ix), cmp_identity, (void *)raw);
	for (size_t k = 0; k + 1 < m; k++)
		if (same_key(&raw[ix[k]], &raw[ix[k + 1]]))
			mark[ix[k]] = 1;
	free(ix);
	return 0;
}

/* A --set value every point of the group shares says nothing about the
 * point: labels leave it out (a whole run with --set duration=8h is not a
 * point "duration=8h"), while --set values that differ label the points. */
static int relabel(struct an_group *g)
{
	for (size_t i = 0; i < g->n_points; i++) {
		struct an_point *p = &g->points[i];
		if (!p->sets)
			continue;
		json_t *shown = json_deep_copy(p->sweep);
		if (!shown)
			return L2S_ENOMEM;
		const char *key;
		json_t *v;
		json_object_foreach(p->sets, key, v) {
			int same = 1;
			for (size_t k = 0; k < g->n_points && same; k++)
				same = json_equal(json_object_get(
					g->points[k].sweep, key), v);
			if (same)
				json_object_del(shown, key);
		}
		/* the point's key and object lose them too, so that a
		 * database run with --set pairs with one run without */
		char *label = an_sweep_label(shown, NULL);
		char *pkey = json_dumps(shown, JSON_SORT_KEYS | JSON_COMPACT);
		if (!label || !pkey) {
			free(label);
			free(pkey);
			json_decref(shown);
			return L2S_ENOMEM;
		}
		free(p->label);
		p->label = label;
		free(p->sweep_json);
		p->sweep_json = pkey;
		json_decref(p->sweep);
		p->sweep = shown;
	}
	return 0;
}

int an_set_load(struct an_set *set, sqlite3 *db, const int64_t *ids,
		size_t n, struct l2s_error *err)
{
	struct raw_run *raw = NULL;
	size_t n_raw = 0;
	int rc;

	memset(set, 0, sizeof(*set));
	set->db = db;
	if (sqlite3_prepare_v2(db, "SELECT value FROM metrics WHERE run_id = ? "
			       "AND component = ? AND name = ?", -1,
			       &set->get_metric, NULL) != SQLITE_OK)
		return db_err(err, db, "read table 'metrics'");
	rc = raw_read(db, ids, n, &raw, &n_raw, err);
	if (rc < 0)
		goto fail;
	char *superseded = calloc(n_raw + 1, 1);
	if (!superseded || (!ids && mark_superseded(raw, n_raw, superseded))) {
		free(superseded);
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n_raw; i++) {
		if (superseded[i])
			continue;
		if (add_run(set, &raw[i]) < 0) {
			free(superseded);
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto fail;
		}
	}
	free(superseded);
	for (size_t i = 0; i < set->n_groups; i++)
		if (relabel(&set->groups[i]) < 0) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto fail;
		}
	for (size_t i = 0; i < set->n_groups; i++)
		if ((rc = load_systems(set, &set->groups[i], err)) < 0)
			goto fail;
	raw_free(raw, n_raw);
	return 0;
fail:
	raw_free(raw, n_raw);
	an_set_release(set);
	return rc;
}

int an_metric_get(struct an_set *set, int64_t run, const char *component,
		  const char *name, double *v, struct l2s_error *err)
{
	sqlite3_stmt *st = set->get_metric;
	int step, found = 0;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, component, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*v = sqlite3_column_double(st, 0);
			found = !isnan(*v);
		}
	} else if (step != SQLITE_DONE) {
		return db_err(err, set->db, "read table 'metrics'");
	}
	sqlite3_reset(st);
	return found;
}

int an_metric_get_base(struct an_set *set, const struct an_group *g,
		       int64_t run, const char *component, const char *name,
		       double *v, struct l2s_error *err)
{
	size_t l = strlen(component), cnt = 0;
	double sum = 0, x;
	int rc = an_metric_get(set, run, component, name, v, err);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < g->n_systems; i++) {
		const char *s = g->systems[i];
		if (strncmp(s, component, l) != 0 || s[l] != '#')
			continue;
		rc = an_metric_get(set, run, s, name, &x, err);
		if (rc < 0)
			return rc;
		if (rc) {
			sum += x;
			cnt++;
		}
	}
	if (!cnt)
		return 0;
	*v = sum / (double)cnt;
	return 1;
}

int an_point_stat(struct an_set *set, const struct an_group *g,
		  const struct an_point *p, const char *component,
		  const char *name, int base, struct an_stat *st,
		  struct l2s_error *err)
{
	double *x = malloc((p->n_runs ? p->n_runs : 1) * sizeof(*x));
	size_t n = 0;

	if (!x)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n_runs; i++) {
		int rc = base ?
			an_metric_get_base(set, g, p->runs[i], component,
					   name, &x[n], err) :
			an_metric_get(set, p->runs[i], component, name,
				      &x[n], err);
		if (rc < 0) {
			free(x);
			return rc;
		}
		n += (size_t)rc;
	}
	st->n = n;
	st->mean = st->half = NAN;
	if (n)
		analysis_mean_ci(x, n, &st->mean, &st->half);
	free(x);
	return 0;
}

int an_table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = "
			       "'table' AND name = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}
