/*
 * The plots of `l2sim report`: data files, gnuplot scripts and the figures
 * that show them.  Scripts are self-contained and run from the report
 * directory (paths data/, plots/), so a reader can edit and re-render one.
 * Each renders a PNG (pngcairo when gnuplot has it, else the libgd png
 * terminal) and an SVG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis_internal.h"

#define MAX_SERIES_POINTS 12 /* sweep points that get time-series plots */
#define MAX_BAR_POINTS 8     /* sweep points shown as bars side by side */
#define MAX_BAR_CATEGORIES 12

/* Appends a gnuplot single-quoted string. */
static void gp_quote(struct an_buf *b, const char *s)
{
	an_buf_puts(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			an_buf_puts(b, "''");
		else if (*s == '\n')
			an_buf_puts(b, " ");
		else
			an_buf_printf(b, "%c", *s);
	}
	an_buf_puts(b, "'");
}

/* A label for a data file column: double-quoted, without quotes inside. */
static void data_label(struct an_buf *b, const char *s)
{
	an_buf_puts(b, "\"");
	for (; *s; s++)
		an_buf_printf(b, "%c", *s == '"' || *s == '\n' ? '\'' : *s);
	an_buf_puts(b, "\"");
}

/* Tracks the range of plotted values to choose a log scale. */
struct range {
	double min_pos, max;
	double top;  /* largest mean + CI half-width (bar charts) */
	int negative, any;
};

static void range_add(struct range *g, double v)
{
	if (!isfinite(v))
		return;
	if (!g->any) {
		g->min_pos = INFINITY;
		g->max = -INFINITY;
	}
	g->any = 1;
	if (v < 0)
		g->negative = 1;
	if (v > 0 && v < g->min_pos)
		g->min_pos = v;
	if (v > g->max)
		g->max = v;
}

/* Log scale when the positive values span more than three decades. */
static int range_log(const struct range *g)
{
	return g->any && !g->negative && isfinite(g->min_pos) &&
	       g->max / g->min_pos > 1000;
}

/*
 * Writes data/ID.dat and gnuplot/ID.gp, adds the script to all.gp and a
 * figure to the page.  'settings' and 'plot' are gnuplot commands; 'plot'
 * refers to the data file as DATA (replaced here).
 */
static int emit_plot(struct report *r, const char *id, const char *title,
		     const char *caption, const char *settings,
		     const char *plot, const struct an_buf *data)
{
	struct an_buf s = {0}, path = {0};
	const char *p;
	int rc;

	an_buf_printf(&s, "# l2sim report: %s\n", title);
	an_buf_printf(&s, "# render from the report directory: gnuplot "
		      "gnuplot/%s.gp\n", id);
	an_buf_puts(&s, "reset\nset encoding utf8\n"
		    "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		    "    set terminal pngcairo noenhanced size 960,540 "
		    "font 'sans,10'\n"
		    "} else {\n"
		    "    set terminal png noenhanced size 960,540\n"
		    "}\n");
	an_buf_printf(&s, "set output 'plots/%s.png'\n", id);
	an_buf_puts(&s, "set title ");
	gp_quote(&s, title);
	an_buf_puts(&s, "\nset grid\nset key below\n"
		    "set datafile missing '?'\n");
	an_buf_puts(&s, settings);
	/* the plot command with DATA replaced by the data file's name */
	for (p = plot; *p; ) {
		const char *d = strstr(p, "DATA");
		if (!d) {
			an_buf_puts(&s, p);
			break;
		}
		an_buf_printf(&s, "%.*s'data/%s.dat'", (int)(d - p), p, id);
		p = d + 4;
	}
	an_buf_puts(&s, "\nset terminal svg noenhanced size 960,540 "
		    "font 'sans,10' background '#ffffff'\n");
	an_buf_printf(&s, "set output 'plots/%s.svg'\nreplot\nunset output\n",
		      id);
	if (s.oom || data->oom) {
		an_buf_release(&s);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	an_buf_printf(&path, "data/%s.dat", id);
	rc = html_write_file(r->dir, path.s, data->s ? data->s : "",
			       data->len, r->err);
	an_buf_release(&path);
	if (rc == 0) {
		an_buf_printf(&path, "gnuplot/%s.gp", id);
		rc = html_write_file(r->dir, path.s, s.s, s.len, r->err);
		an_buf_release(&path);
	}
	an_buf_release(&s);
	if (rc < 0)
		return rc;
	an_buf_printf(&r->all_gp, "load 'gnuplot/%s.gp'\n", id);
	r->n_plots++;

	an_buf_printf(&r->html, "<figure><a href=\"plots/%s.svg\"><img "
		      "src=\"plots/%s.png\" alt=\"", id, id);
	html_escape(&r->html, title);
	an_buf_puts(&r->html, "\" width=\"960\" height=\"540\"></a>"
		    "<figcaption>");
	html_escape(&r->html, caption);
	an_buf_puts(&r->html, "</figcaption></figure>\n");
	an_buf_printf(&r->md, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))"
		      "\n\n", title, id, caption, id);
	return 0;
}

/* ---- time series ---------------------------------------------------- */

struct ts {
	char *component, *name;
	double *t, *v;
	size_t n, cap;
	int used;
};

struct ts_set {
	struct ts *s;
	size_t n;
};

static void ts_release(struct ts_set *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->s[i].component);
		free(ss->s[i].name);
		free(ss->s[i].t);
		free(ss->s[i].v);
	}
	free(ss->s);
}

static struct ts *ts_find(struct ts_set *ss, const char *component,
			  const char *name)
{
	for (size_t i = 0; i < ss->n; i++)
		if (strcmp(ss->s[i].component, component) == 0 &&
		    strcmp(ss->s[i].name, name) == 0)
			return &ss->s[i];
	return NULL;
}

/* Series of one sweep point, averaged over its replications at each t. */
static int ts_load(struct report *r, const struct an_point *p,
		   struct ts_set *ss)
{
	struct an_buf sql = {0};
	sqlite3_stmt *st = NULL;
	int step, rc = 0;

	memset(ss, 0, sizeof(*ss));
	an_buf_puts(&sql, "SELECT component, name, t_seconds, avg(value) "
		    "FROM series WHERE value IS NOT NULL AND run_id IN (");
	for (size_t i = 0; i < p->n_runs; i++)
		an_buf_printf(&sql, "%s%lld", i ? "," : "",
			      (long long)p->runs[i]);
	an_buf_puts(&sql, ") GROUP BY component, name, t_seconds "
		    "ORDER BY component, name, t_seconds");
	if (sql.oom) {
		an_buf_release(&sql);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(r->set->db, sql.s, -1, &st, NULL) != SQLITE_OK) {
		rc = l2s_error_set(r->err, L2S_EDB, "cannot read table "
				   "'series': %s", sqlite3_errmsg(r->set->db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *n = (const char *)sqlite3_column_text(st, 1);
		struct ts *s;

		if (!c || !n)
			continue;
		s = ss->n ? &ss->s[ss->n - 1] : NULL;
		if (!s || strcmp(s->component, c) || strcmp(s->name, n)) {
			struct ts *ns = realloc(ss->s, (ss->n + 1) *
						sizeof(*ns));
			if (!ns)
				goto oom;
			ss->s = ns;
			s = &ns[ss->n++];
			memset(s, 0, sizeof(*s));
			s->component = strdup(c);
			s->name = strdup(n);
			if (!s->component || !s->name)
				goto oom;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			double *t = realloc(s->t, cap * sizeof(*t));
			if (t)
				s->t = t;
			double *v = realloc(s->v, cap * sizeof(*v));
			if (v)
				s->v = v;
			if (!t || !v)
				goto oom;
			s->cap = cap;
		}
		s->t[s->n] = sqlite3_column_double(st, 2);
		s->v[s->n] = sqlite3_column_double(st, 3);
		s->n++;
	}
	if (step != SQLITE_DONE)
		rc = l2s_error_set(r->err, L2S_EDB, "cannot read table "
				   "'series': %s", sqlite3_errmsg(r->set->db));
	goto out;
oom:
	rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	an_buf_release(&sql);
	if (rc < 0)
		ts_release(ss);
	return rc;
}

struct line {
	const struct ts *s;
	char title[160];
	double scale;
	int color;  /* 1-based line colour */
	int dashed;
	int y2;
};

/* Plots time-series lines; 'ylabel2' non-NULL puts y2 lines there. */
static int plot_lines(struct report *r, const char *id, const char *title,
		      const char *caption, const char *ylabel,
		      const char *ylabel2, const struct line *lines, size_t n)
{
	struct an_buf data = {0}, set = {0}, plot = {0};
	struct range ry = {0}, ry2 = {0};
	double tmax = 0, div;
	const char *unit;
	int rc, blocks = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < lines[i].s->n; k++) {
			double v = lines[i].s->v[k] * lines[i].scale;
			range_add(lines[i].y2 ? &ry2 : &ry, v);
			if (lines[i].s->t[k] > tmax)
				tmax = lines[i].s->t[k];
		}
	if (tmax <= 600) {
		div = 1;
		unit = "s";
	} else if (tmax <= 3 * 3600) {
		div = 60;
		unit = "min";
	} else if (tmax <= 3 * 86400) {
		div = 3600;
		unit = "h";
	} else {
		div = 86400;
		unit = "days";
	}
	an_buf_printf(&set, "set xlabel 'simulated time (%s)'\nset ylabel ",
		      unit);
	gp_quote(&set, ylabel);
	an_buf_puts(&set, "\n");
	if (range_log(&ry))
		an_buf_puts(&set, "set logscale y\n");
	if (ylabel2) {
		an_buf_puts(&set, "set y2label ");
		gp_quote(&set, ylabel2);
		an_buf_puts(&set, "\nset y2tics\nset ytics nomirror\n");
		if (range_log(&ry2))
			an_buf_puts(&set, "set logscale y2\n");
	}
	an_buf_puts(&plot, "plot ");
	for (size_t i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (l->s->n == 0)
			continue;
		if (blocks)
			an_buf_puts(&data, "\n\n");
		an_buf_printf(&data, "# %s %s\n", l->s->component, l->s->name);
		for (size_t k = 0; k < l->s->n; k++)
			an_buf_printf(&data, "%.9g %.9g\n", l->s->t[k],
				      l->s->v[k] * l->scale);
		an_buf_printf(&plot, "%sDATA index %d using ($1/%g):2 with "
			      "lines lw 1.5 lc %d dt %d axes x1y%d title ",
			      blocks ? ", \\\n     " : "", blocks, div,
			      l->color, l->dashed ? 2 : 1, l->y2 ? 2 : 1);
		gp_quote(&plot, l->title);
		blocks++;
	}
	rc = 0;
	if (blocks)
		rc = emit_plot(r, id, title, caption, set.s ? set.s : "",
			       plot.s, &data);
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	return rc;
}

/* Lines of every series called 'name' (except of l1, unless l1_only). */
static size_t collect(struct ts_set *ss, const char *name, double scale,
		      int l1_only, struct line *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ss->n && n < max; i++) {
		struct ts *s = &ss->s[i];
		if (strcmp(s->name, name) ||
		    (strcmp(s->component, "l1") == 0) != l1_only)
			continue;
		s->used = 1;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].s = s;
		out[n].scale = scale;
		out[n].color = (int)n + 1;
		snprintf(out[n].title, sizeof(out[n].title), "%s",
			 s->component);
		n++;
	}
	return n;
}

int report_plot_series(struct report *r, size_t gi, size_t pi)
{
	const struct an_group *g = &r->set->groups[gi];
	const struct an_point *p = &g->points[pi];
	struct ts_set ss;
	struct line *lines = NULL;
	char id[64], title[512], suffix[300];
	int rc;

	if (pi >= MAX_SERIES_POINTS)
		return 0;
	if ((rc = ts_load(r, p, &ss)) < 0)
		return rc;
	if (ss.n == 0) {
		ts_release(&ss);
		return 0;
	}
	lines = calloc(2 * ss.n, sizeof(*lines));
	if (!lines) {
		ts_release(&ss);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	snprintf(suffix, sizeof(suffix), "%s%s%s", p->label[0] ? " (" : "",
		 p->label, p->label[0] ? ")" : "");
	char caption[256];
	snprintf(caption, sizeof(caption), "mean over %zu replication%s at "
		 "each time", p->n_runs, p->n_runs == 1 ? "" : "s");

	/* offered (dashed) and posted (solid) in one colour per system */
	size_t n = 0;
	for (size_t i = 0; i < ss.n; i++) {
		struct ts *s = &ss.s[i];
		int offered = strcmp(s->name, "tps_offered") == 0;
		if ((!offered && strcmp(s->name, "tps_posted")) ||
		    strcmp(s->component, "l1") == 0)
			continue;
		s->used = 1;
		memset(&lines[n], 0, sizeof(lines[n]));
		lines[n].s = s;
		lines[n].scale = 1;
		lines[n].dashed = offered;
		snprintf(lines[n].title, sizeof(lines[n].title), "%s %s",
			 s->component, offered ? "offered" : "posted");
		n++;
	}
	/* one colour per component */
	{
		int next = 1;
		for (size_t i = 0; i < n; i++) {
			lines[i].color = 0;
			for (size_t k = 0; k < i; k++)
				if (strcmp(lines[k].s->component,
					   lines[i].s->component) == 0)
					lines[i].color = lines[k].color;
			if (!lines[i].color)
				lines[i].color = next++;
		}
	}
	snprintf(id, sizeof(id), "s%zu-p%zu-throughput", gi + 1, pi + 1);
	snprintf(title, sizeof(title), "%s: throughput offered (dashed) and "
		 "posted (solid)%s", g->scenario, suffix);
	if ((rc = plot_lines(r, id, title, caption, "transactions per second",
			     NULL, lines, n)) < 0)
		goto out;

	static const struct {
		const char *name, *slug, *what, *ylabel;
		double scale;
		int l1;
	} simple[] = {
		{"backlog", "backlog", "backlog", "transactions waiting", 1, 0},
		{"l1_da_bytes_per_tx", "bytes", "L1 DA bytes per posted tx",
		 "bytes per tx", 1, 0},
		{"cost_eth_per_tx", "cost", "cost per posted tx",
		 "gwei per tx", 1e9, 0},
		{"blobs_per_block", "blobs", "blobs per L1 block",
		 "blobs per block", 1, 1},
	};
	for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
		if (k == 3) {
			/* L1 fees first, two axes */
			struct ts *base = ts_find(&ss, "l1", "base_fee_gwei");
			struct ts *blob = ts_find(&ss, "l1",
						  "blob_base_fee_gwei");
			size_t m = 0;
			if (base) {
				base->used = 1;
				memset(&lines[m], 0, sizeof(lines[m]));
				lines[m] = (struct line){.s = base, .scale = 1,
							 .color = 1};
				snprintf(lines[m].title, sizeof(lines[m].title),
					 "base fee (left axis)");
				m++;
			}
			if (blob) {
				blob->used = 1;
				lines[m] = (struct line){.s = blob, .scale = 1,
							 .color = 2, .y2 = 1};
				snprintf(lines[m].title, sizeof(lines[m].title),
					 "blob base fee (right axis)");
				m++;
			}
			snprintf(id, sizeof(id), "s%zu-p%zu-l1-fees", gi + 1,
				 pi + 1);
			snprintf(title, sizeof(title), "%s: L1 base fee and "
				 "blob base fee%s", g->scenario, suffix);
			if ((rc = plot_lines(r, id, title, caption,
					     "base fee (gwei)",
					     blob ? "blob base fee (gwei)" :
					     NULL, lines, m)) < 0)
				goto out;
		}
		n = collect(&ss, simple[k].name, simple[k].scale, simple[k].l1,
			    lines, 2 * ss.n);
		snprintf(id, sizeof(id), "s%zu-p%zu-%s", gi + 1, pi + 1,
			 simple[k].slug);
		snprintf(title, sizeof(title), "%s: %s%s", g->scenario,
			 simple[k].what, suffix);
		if ((rc = plot_lines(r, id, title, caption, simple[k].ylabel,
				     NULL, lines, n)) < 0)
			goto out;
	}
	/* whatever else the run recorded, one plot per series name */
	for (size_t i = 0, extra = 0; i < ss.n; i++) {
		if (ss.s[i].used)
			continue;
		const char *name = ss.s[i].name;
		n = 0;
		for (size_t k = i; k < ss.n; k++) {
			struct ts *s = &ss.s[k];
			if (s->used || strcmp(s->name, name))
				continue;
			s->used = 1;
			memset(&lines[n], 0, sizeof(lines[n]));
			lines[n].s = s;
			lines[n].scale = 1;
			lines[n].color = (int)n + 1;
			snprintf(lines[n].title, sizeof(lines[n].title), "%s",
				 s->component);
			n++;
		}
		snprintf(id, sizeof(id), "s%zu-p%zu-other%zu", gi + 1, pi + 1,
			 ++extra);
		snprintf(title, sizeof(title), "%s: %s%s", g->scenario, name,
			 suffix);
		if ((rc = plot_lines(r, id, title, caption, name, NULL, lines,
				     n)) < 0)
			goto out;
	}
out:
	free(lines);
	ts_release(&ss);
	return rc;
}

/* ---- sweeps ------------------------------------------------------------ */

/* Components plotted per system: each system (by base name) and "all" when
 * there is more than one system instance. */
static int show_all(const struct an_group *g)
{
	return g->n_systems > 2 ||
	       (g->n_systems == 2 && strcmp(g->systems[1], "all") != 0);
}

static const struct {
	const char *name, *what, *ylabel;
	double scale;
	int l1;
} sweep_metrics[] = {
	{"tps_posted", "posted throughput", "transactions per second", 1, 0},
	{"l1_da_bytes_per_tx", "L1 DA bytes per tx", "bytes per tx", 1, 0},
	{"cost_eth_per_tx", "cost per tx", "gwei per tx", 1e9, 0},
	{"latency_posted_p50", "median latency to posting", "seconds", 1, 0},
	{"latency_finalized_p50", "median latency to finality", "seconds", 1,
	 0},
	{"backlog_max", "largest backlog", "transactions", 1, 0},
	{"liveness_failures", "liveness failures", "failures", 1, 0},
	{"l2_fee_eth_per_tx", "users' fee per tx", "gwei per tx", 1e9, 0},
	{"priced_out_share", "share of users priced out", "share", 1, 0},
	{"base_fee_gwei_mean", "mean L1 base fee", "gwei", 1, 1},
	{"blob_base_fee_gwei_mean", "mean blob base fee", "gwei", 1, 1},
};

struct sweep_row {
	double x;
	struct an_stat st;
};

static int cmp_row(const void *a, const void *b)
{
	double x = ((const struct sweep_row *)a)->x;
	double y = ((const struct sweep_row *)b)->x;
	return (x > y) - (x < y);
}

/* One plot of metric m against sweep key 'key'. */
static int sweep_plot(struct report *r, size_t gi, size_t ki,
		      const char *key, int numeric, char **cats,
		      size_t n_cats, char **others, size_t n_others,
		      size_t m)
{
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf data = {0}, set = {0}, plot = {0};
	struct sweep_row *rows = calloc(g->n_points, sizeof(*rows));
	struct range ry = {0};
	int rc = 0, blocks = 0, errbars = 0;
	size_t n_comp = sweep_metrics[m].l1 ? 1 : g->n_bases;
	char id[64], title[512];

	if (!rows)
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	an_buf_puts(&plot, "plot ");
	for (size_t c = 0; c < n_comp; c++) {
		const char *comp = sweep_metrics[m].l1 ? "l1" : g->bases[c];
		if (!sweep_metrics[m].l1 && strcmp(comp, "all") == 0 &&
		    !show_all(g))
			continue;
		for (size_t o = 0; o < n_others; o++) {
			size_t n = 0;
			for (size_t i = 0; i < g->n_points; i++) {
				const struct an_point *p = &g->points[i];
				json_t *v = json_object_get(p->sweep, key);
				char *ol = an_sweep_label(p->sweep, key);
				int mine = ol && strcmp(ol, others[o]) == 0;

				free(ol);
				if (!v || !mine)
					continue;
				rc = an_point_stat(r->set, g, p, comp,
						   sweep_metrics[m].name, 1,
						   &rows[n].st, r->err);
				if (rc < 0)
					goto out;
				if (rows[n].st.n == 0)
					continue;
				if (numeric) {
					rows[n].x = json_number_value(v);
				} else {
					char *s = json_is_string(v) ?
						strdup(json_string_value(v)) :
						json_dumps(v, JSON_COMPACT |
							   JSON_ENCODE_ANY);
					rows[n].x = 0;
					for (size_t k = 0; s && k < n_cats; k++)
						if (strcmp(cats[k], s) == 0)
							rows[n].x = (double)k;
					free(s);
				}
				n++;
			}
			if (n == 0)
				continue;
			qsort(rows, n, sizeof(*rows), cmp_row);
			if (blocks)
				an_buf_puts(&data, "\n\n");
			an_buf_printf(&data, "# %s %s\n", comp, others[o]);
			for (size_t i = 0; i < n; i++) {
				double sc = sweep_metrics[m].scale;
				double h = isnan(rows[i].st.half) ? 0 :
					rows[i].st.half * sc;
				if (h > 0)
					errbars = 1;
				range_add(&ry, rows[i].st.mean * sc);
				an_buf_printf(&data, "%.9g %.9g %.9g\n",
					      rows[i].x, rows[i].st.mean * sc,
					      h);
			}
			char t[400];
			snprintf(t, sizeof(t), "%s%s%s%s", comp,
				 others[o][0] ? " (" : "", others[o],
				 others[o][0] ? ")" : "");
			an_buf_printf(&plot, "%sDATA index %d using 1:2:3 with "
				      "yerrorlines lw 1.5 pt 7 ps 0.8 lc %d "
				      "title ", blocks ? ", \\\n     " : "",
				      blocks, blocks + 1);
			gp_quote(&plot, t);
			blocks++;
		}
	}
	if (!blocks)
		goto out;
	if (!errbars) {
		/* one replication: no bars to draw */
		char *s = plot.s;
		char *e;
		while ((e = strstr(s, "using 1:2:3 with yerrorlines"))) {
			memcpy(e, "using 1:2   with linespoints", 28);
			s = e + 28;
		}
	}
	an_buf_printf(&set, "set xlabel ");
	gp_quote(&set, key);
	an_buf_puts(&set, "\nset ylabel ");
	gp_quote(&set, sweep_metrics[m].ylabel);
	an_buf_puts(&set, "\n");
	if (!numeric) {
		an_buf_printf(&set, "set xrange [-0.5:%g]\nset xtics (",
			      (double)n_cats - 0.5);
		for (size_t k = 0; k < n_cats; k++) {
			an_buf_puts(&set, k ? ", " : "");
			gp_quote(&set, cats[k]);
			an_buf_printf(&set, " %zu", k);
		}
		an_buf_puts(&set, ")\n");
	} else {
		an_buf_puts(&set, "set offsets graph 0.03, graph 0.03, 0, 0\n");
	}
	if (range_log(&ry))
		an_buf_puts(&set, "set logscale y\n");
	snprintf(id, sizeof(id), "s%zu-sweep%zu-%s", gi + 1, ki + 1,
		 sweep_metrics[m].name);
	snprintf(title, sizeof(title), "%s: %s against %s", g->scenario,
		 sweep_metrics[m].what, key);
	rc = emit_plot(r, id, title, errbars ?
		       "mean over replications; error bars: 95% confidence "
		       "interval (Student t)" :
		       "one replication per sweep point",
		       set.s, plot.s, &data);
out:
	free(rows);
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	return rc;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return 0;
		}
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(s);
		return L2S_ENOMEM;
	}
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int report_plot_sweeps(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	char **keys = NULL;
	size_t n_keys = 0;
	int rc = 0;

	if (g->n_points < 2)
		return 0;
	for (size_t i = 0; i < g->n_points; i++) {
		const char *key;
		json_t *v;
		json_object_foreach(g->points[i].sweep, key, v) {
			char *k = strdup(key);
			if (!k || strv_push(&keys, &n_keys, k) < 0) {
				strv_free(keys, n_keys);
				return l2s_error_set(r->err, L2S_ENOMEM,
						     "out of memory");
			}
		}
	}
	for (size_t ki = 0; ki < n_keys && rc == 0; ki++) {
		char **cats = NULL, **others = NULL;
		size_t n_cats = 0, n_others = 0;
		int numeric = 1;

		for (size_t i = 0; i < g->n_points && rc == 0; i++) {
			json_t *v = json_object_get(g->points[i].sweep,
						    keys[ki]);
			char *s, *o;
			if (!v)
				continue;
			numeric &= json_is_number(v);
			s = json_is_string(v) ? strdup(json_string_value(v)) :
				json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			o = an_sweep_label(g->points[i].sweep, keys[ki]);
			if (!s || !o) {
				free(s);
				free(o);
				rc = L2S_ENOMEM;
				break;
			}
			if (strv_push(&cats, &n_cats, s) < 0 ||
			    strv_push(&others, &n_others, o) < 0)
				rc = L2S_ENOMEM;
		}
		if (rc < 0)
			rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
		/* a key with one value is not swept (another key is) */
		for (size_t m = 0; rc == 0 && n_cats > 1 &&
		     m < sizeof(sweep_metrics) / sizeof(sweep_metrics[0]); m++)
			rc = sweep_plot(r, gi, ki, keys[ki], numeric, cats,
					n_cats, others, n_others, m);
		strv_free(cats, n_cats);
		strv_free(others, n_others);
	}
	strv_free(keys, n_keys);
	return rc;
}

/* ---- bar charts ------------------------------------------------------- */

/* The categories of bar charts: system instances (or, when there are many,
 * systems by base name), "all" when there is more than one. */
static size_t bar_categories(const struct an_group *g, const char ***out,
			     int *base)
{
	int many = g->n_systems > MAX_BAR_CATEGORIES;
	char **src = many ? g->bases : g->systems;
	size_t n = many ? g->n_bases : g->n_systems, k = 0;
	const char **c = calloc(n ? n : 1, sizeof(*c));

	*out = c;
	*base = many;
	if (!c)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(src[i], "all") || show_all(g))
			c[k++] = src[i];
	return k;
}

/* Autoscale ignores error bars once ymin is fixed, so the top of a linear
 * axis is set from the largest mean + half-width. */
/* Series k of a clustered bar chart: columns 2+2k (value) and 3+2k (CI)
 * of the data block, the system names as x tics on the first series. */
static void bar_series(struct an_buf *plot, size_t k, const char *title)
{
	if (k)
		an_buf_puts(plot, ", \\\n     ");
	an_buf_printf(plot, "%s using %zu:%zu%s lc %zu title ",
		      k ? "''" : "DATA", 2 + 2 * k, 3 + 2 * k,
		      k ? "" : ":xtic(1)", k + 1);
	gp_quote(plot, title);
}

static void bar_settings(struct an_buf *set, size_t n_cats,
			 const struct range *ry, const char *ylabel)
{
	an_buf_puts(set, "set style data histogram\n"
		    "set style histogram errorbars gap 1 lw 1\n"
		    "set style fill solid 0.8 border -1\n"
		    "set grid noxtics\nset ylabel ");
	gp_quote(set, ylabel);
	an_buf_puts(set, "\n");
	if (n_cats > 6)
		an_buf_puts(set, "set xtics rotate by -30\n");
	if (range_log(ry))
		an_buf_puts(set, "set logscale y\n");
	else if (ry->top > 0)
		an_buf_printf(set, "set yrange [0:%.9g]\n", ry->top * 1.08);
	else
		an_buf_puts(set, "set yrange [0:*]\n");
}

static const struct {
	const char *name, *slug, *what, *ylabel;
	double scale;
} bar_metrics[] = {
	{"l1_da_bytes_per_tx", "bytes", "L1 DA bytes per posted tx",
	 "bytes per tx", 1},
	{"cost_eth_per_tx", "cost", "cost per posted tx", "gwei per tx", 1e9},
	{"tps_posted", "tps", "posted throughput", "transactions per second",
	 1},
};

static void put_stat(struct an_buf *d, const struct an_stat *st,
		     double scale, struct range *ry)
{
	if (st->n == 0) {
		an_buf_puts(d, " ? 0");
		return;
	}
	double half = isnan(st->half) ? 0 : st->half * scale;
	range_add(ry, st->mean * scale);
	if (st->mean * scale + half > ry->top)
		ry->top = st->mean * scale + half;
	an_buf_printf(d, " %.9g %.9g", st->mean * scale, half);
}

int report_plot_bars(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	const char **cats = NULL;
	int base, rc = 0;
	size_t n_cats = bar_categories(g, &cats, &base);
	size_t n_pts = g->n_points < MAX_BAR_POINTS ? g->n_points :
		MAX_BAR_POINTS;
	int sweep = g->n_points > 1 || g->points[0].label[0];
	char id[64], title[512], caption[256];

	if (!cats)
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	if (n_cats == 0)
		goto out;
	snprintf(caption, sizeof(caption), "mean over replications%s%s",
		 g->n_runs > g->n_points ?
		 "; error bars: 95% confidence interval" : "",
		 g->n_points > n_pts ? "; first sweep points only" : "");
	for (size_t m = 0; m < sizeof(bar_metrics) / sizeof(bar_metrics[0]);
	     m++) {
		struct an_buf data = {0}, set = {0}, plot = {0};
		struct range ry = {0};
		struct an_stat st;

		an_buf_puts(&data, "# system");
		for (size_t i = 0; i < n_pts; i++)
			an_buf_printf(&data, " \"%s\" ci",
				      sweep ? g->points[i].label : "mean");
		an_buf_puts(&data, "\n");
		for (size_t c = 0; c < n_cats && rc == 0; c++) {
			data_label(&data, cats[c]);
			for (size_t i = 0; i < n_pts && rc == 0; i++) {
				rc = an_point_stat(r->set, g, &g->points[i],
						   cats[c], bar_metrics[m].name,
						   base, &st, r->err);
				put_stat(&data, &st, bar_metrics[m].scale, &ry);
			}
			an_buf_puts(&data, "\n");
		}
		if (rc == 0 && ry.any) {
			bar_settings(&set, n_cats, &ry, bar_metrics[m].ylabel);
			if (!sweep)
				an_buf_puts(&set, "set key off\n");
			an_buf_puts(&plot, "plot ");
			for (size_t i = 0; i < n_pts; i++)
				bar_series(&plot, i, sweep ? g->points[i].label
							   : "mean");
			snprintf(id, sizeof(id), "s%zu-bar-%s", gi + 1,
				 bar_metrics[m].slug);
			snprintf(title, sizeof(title), "%s: %s by system",
				 g->scenario, bar_metrics[m].what);
			rc = emit_plot(r, id, title, caption, set.s, plot.s,
				       &data);
		}
		an_buf_release(&data);
		an_buf_release(&set);
		an_buf_release(&plot);
		if (rc < 0)
			goto out;
	}

	/* latency tiers, one chart per sweep point */
	static const char *const lat[] = {
		"latency_sequenced_p50", "latency_sequenced_p99",
		"latency_posted_p50", "latency_posted_p99",
		"latency_finalized_p50", "latency_finalized_p99",
	};
	static const char *const lat_title[] = {
		"sequenced p50", "sequenced p99", "posted p50", "posted p99",
		"finalized p50", "finalized p99",
	};
	for (size_t i = 0; i < g->n_points && i < MAX_SERIES_POINTS; i++) {
		const struct an_point *p = &g->points[i];
		struct an_buf data = {0}, set = {0}, plot = {0};
		struct range ry = {0};
		struct an_stat st;

		an_buf_puts(&data, "# system");
		for (size_t k = 0; k < 6; k++)
			an_buf_printf(&data, " %s ci", lat[k]);
		an_buf_puts(&data, "\n");
		for (size_t c = 0; c < n_cats && rc == 0; c++) {
			data_label(&data, cats[c]);
			for (size_t k = 0; k < 6 && rc == 0; k++) {
				rc = an_point_stat(r->set, g, p, cats[c],
						   lat[k], base, &st, r->err);
				put_stat(&data, &st, 1, &ry);
			}
			an_buf_puts(&data, "\n");
		}
		if (rc == 0 && ry.any) {
			bar_settings(&set, n_cats, &ry,
				     "seconds from arrival");
			an_buf_puts(&plot, "plot ");
			for (size_t k = 0; k < 6; k++)
				bar_series(&plot, k, lat_title[k]);
			snprintf(id, sizeof(id), "s%zu-p%zu-latency", gi + 1,
				 i + 1);
			snprintf(title, sizeof(title), "%s: latency tiers by "
				 "system%s%s%s", g->scenario,
				 p->label[0] ? " (" : "", p->label,
				 p->label[0] ? ")" : "");
			snprintf(caption, sizeof(caption), "seconds from "
				 "arrival; mean over %zu replication%s%s",
				 p->n_runs, p->n_runs == 1 ? "" : "s",
				 p->n_runs > 1 ? "; error bars: 95% confidence "
				 "interval" : "");
			rc = emit_plot(r, id, title, caption, set.s, plot.s,
				       &data);
		}
		an_buf_release(&data);
		an_buf_release(&set);
		an_buf_release(&plot);
		if (rc < 0)
			goto out;
	}
out:
	free(cats);
	return rc;
}

/* ---- gnuplot ---------------------------------------------------------- */

int report_find_gnuplot(struct l2s_error *err)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)len,
			 len ? path : ".");
		if (access(buf, X_OK) == 0)
			return 0;
		path = end ? end + 1 : NULL;
	}
	l2s_error_set(err, L2S_EIO, "cannot find the program 'gnuplot' to "
		      "draw the plots");
	l2s_error_hint(err, "install gnuplot-nox (apt-get install "
		       "gnuplot-nox)");
	return L2S_EIO;
}

/* The first line of the log that says what went wrong. */
static void log_excerpt(const char *log_path, char *out, size_t len)
{
	FILE *f = fopen(log_path, "r");
	char line[512], first[512] = "";

	snprintf(out, len, "no message");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!first[0] && line[0])
			snprintf(first, sizeof(first), "%s", line);
		if (strstr(line, "rror") || strstr(line, "line ")) {
			snprintf(out, len, "%s", line);
			fclose(f);
			return;
		}
	}
	if (first[0])
		snprintf(out, len, "%s", first);
	fclose(f);
}

int report_render(struct report *r)
{
	char log_path[4096], msg[512];
	int status = 0, rc;
	pid_t pid;

	if (r->n_plots == 0)
		return 0;
	snprintf(log_path, sizeof(log_path), "%s/gnuplot.log", r->dir);
	pid = fork();
	if (pid < 0)
		return l2s_error_set(r->err, L2S_EIO, "cannot start gnuplot: "
				     "%s", strerror(errno));
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (chdir(r->dir) == 0)
			execlp("gnuplot", "gnuplot", "gnuplot/all.gp",
			       (char *)NULL);
		_exit(127);
	}
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return l2s_error_set(r->err, L2S_EIO, "cannot wait for "
				     "gnuplot: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			l2s_error_set(r->err, L2S_EIO, "cannot run 'gnuplot'");
			l2s_error_hint(r->err, "install gnuplot-nox "
				       "(apt-get install gnuplot-nox)");
			return L2S_EIO;
		}
		log_excerpt(log_path, msg, sizeof(msg));
		return l2s_error_set(r->err, L2S_EIO, "gnuplot failed: %s",
				     msg);
	}
	unlink(log_path);
	/* every script must have produced both files */
	const char *p = r->all_gp.s;
	while (p && (p = strstr(p, "load 'gnuplot/"))) {
		char id[128], file[4096];
		struct stat sb;
		size_t n;

		p += strlen("load 'gnuplot/");
		n = strcspn(p, ".");
		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		for (int k = 0; k < 2; k++) {
			snprintf(file, sizeof(file), "%s/plots/%s.%s", r->dir,
				 id, k ? "svg" : "png");
			if (stat(file, &sb) != 0 || sb.st_size == 0)
				return l2s_error_set(r->err, L2S_EIO,
						     "gnuplot did not write "
						     "'plots/%s.%s'", id,
						     k ? "svg" : "png");
		}
	}
	return 0;
}
