/*
 * Time series of `l2sim report`: one figure per quantity, with one panel
 * per sweep point (small multiples on a shared y axis) instead of a page
 * of plots per point.
 *
 * What the series hold is per sampling interval; a ratio such as bytes
 * per posted transaction then jumps with every posting (the "all" line of
 * a scenario whose systems post at different times swings between their
 * values).  Per-transaction ratios are therefore drawn as the ratio over a
 * window of a few posting periods (sum of bytes / sum of transactions,
 * i.e. weighted by the transactions posted in each interval) and posted
 * throughput as its mean over the same window.  The warm-up is shaded, and
 * ratios are not drawn inside it (nothing is counted there, so the series
 * hold zeros).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/scenario.h"

#include "analysis_internal.h"

#define MAX_SERIES_POINTS 12 /* sweep points that get panels */

struct ts {
	char *component, *name;
	double *t, *v;
	size_t n, cap;
	int used;
	int ratio;   /* a group's per-tx ratio (ts_group_instances) */
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

/* The value of weight series w at time t (1 when there is none). */
static double weight_at(const struct ts *w, double t)
{
	size_t lo = 0, hi;

	if (!w || w->n == 0)
		return 1;
	hi = w->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->n && fabs(w->t[lo] - t) < 1e-6)
		return w->v[lo] > 0 ? w->v[lo] : 0;
	return 0;
}

/* Copies of a system ("x#0", "x#1", ...) drawn as one line "x": the sum
 * of their rates and backlogs, and their per-tx ratios weighted by the
 * transactions each posted.  Their own series are then left out. */
static int ts_group_instances(struct ts_set *ss)
{
	size_t n0 = ss->n;

	for (size_t i = 0; i < n0; i++) {
		struct ts *s = &ss->s[i];
		const char *hash = strchr(s->component, '#');
		int ratio = !strcmp(s->name, "l1_da_bytes_per_tx") ||
			    !strcmp(s->name, "cost_eth_per_tx");
		char base[128];
		struct ts *g, *w = NULL;

		if (!hash)
			continue;
		snprintf(base, sizeof(base), "%.*s",
			 (int)(hash - s->component), s->component);
		s->used = 1;
		if (!(g = ts_find(ss, base, s->name))) {
			/* the full time grid: that of all's throughput */
			const struct ts *grid = ts_find(ss, "all",
							"tps_posted");
			if (!grid || grid->n < s->n)
				grid = s;
			/* realloc below moves the series: keep the grid */
			const double *grid_t = grid->t;
			size_t grid_n = grid->n;
			struct ts *ns = realloc(ss->s, (ss->n + 1) *
						sizeof(*ns));
			if (!ns)
				return L2S_ENOMEM;
			ss->s = ns;
			s = &ss->s[i];
			g = &ns[ss->n++];
			memset(g, 0, sizeof(*g));
			g->component = strdup(base);
			g->name = strdup(s->name);
			g->t = malloc((grid_n ? grid_n : 1) * sizeof(double));
			g->v = calloc(grid_n ? grid_n : 1, 2 * sizeof(double));
			if (!g->component || !g->name || !g->t || !g->v)
				return L2S_ENOMEM;
			memcpy(g->t, grid_t, grid_n * sizeof(double));
			g->n = g->cap = grid_n;
			g->used = -1;
		}
		if (ratio)
			w = ts_find(ss, s->component, "tps_posted");
		/* v[k] holds the sum, v[n + k] the weight (or count) sum */
		for (size_t k = 0, j = 0; k < s->n; k++) {
			while (j < g->n && g->t[j] < s->t[k] - 1e-6)
				j++;
			if (j == g->n || fabs(g->t[j] - s->t[k]) > 1e-6)
				continue;
			double wt = ratio ? weight_at(w, s->t[k]) : 1;
			g->v[j] += ratio ? wt * s->v[k] : s->v[k];
			g->v[g->n + j] += ratio ? wt : 1;
		}
		g->ratio = ratio;
	}
	for (size_t i = n0; i < ss->n; i++) {
		struct ts *g = &ss->s[i];
		if (g->used != -1)
			continue;
		/* ratios: weighted mean; sums: only where a copy reported */
		size_t m = 0;
		for (size_t k = 0; k < g->n; k++)
			if (g->v[g->n + k] > 0) {
				g->t[m] = g->t[k];
				g->v[m++] = g->ratio ? g->v[k] / g->v[g->n + k] :
					g->v[k];
			}
		g->n = m;
		g->used = 0;
	}
	return 0;
}

struct line {
	const struct ts *s;
	const struct ts *w;   /* weights (tps_posted of the component) */
	char title[160];
	double scale;
	const char *color;
	int dashed, y2, thick;
	int ratio;            /* per-tx ratio: weighted window, no warm-up */
	int smooth;           /* rate: mean over the window */
};

struct panel {
	char title[256];
	struct line *lines;
	size_t n;
	double hline[2];      /* horizontal reference lines (NaN: none) */
	const char *hlabel[2];
};

struct series_ctx {
	struct report *r;
	const struct an_group *g;
	size_t gi;
	double warmup;        /* seconds */
	double window;        /* seconds; <= interval: no window */
	double interval;      /* seconds between samples */
	char caption[400];
};

/* Point k of line l as drawn: NaN when not drawn. */
static double line_value(const struct series_ctx *c, const struct line *l,
			 size_t k)
{
	const struct ts *s = l->s;
	double t = s->t[k];

	if (l->ratio && t < c->warmup)
		return NAN;
	if ((!l->ratio && !l->smooth) || c->window <= c->interval)
		return s->v[k] * l->scale;
	double sum = 0, wsum = 0;
	/* the window is centred and stays out of the warm-up for ratios */
	for (size_t j = k; j-- > 0 && t - s->t[j] <= c->window / 2;) {
		if (l->ratio && s->t[j] < c->warmup)
			break;
		double w = l->ratio ? weight_at(l->w, s->t[j]) : 1;
		sum += w * s->v[j];
		wsum += w;
	}
	for (size_t j = k; j < s->n && s->t[j] - t <= c->window / 2; j++) {
		double w = l->ratio ? weight_at(l->w, s->t[j]) : 1;
		sum += w * s->v[j];
		wsum += w;
	}
	if (wsum <= 0)
		return l->ratio ? NAN : s->v[k] * l->scale;
	return sum / wsum * l->scale;
}

/* Draws panels[0..n-1] as one figure ('ylabel2': y2 lines there). */
static int plot_panels(struct series_ctx *c, const char *slug,
		       const char *title, const char *ylabel,
		       const char *ylabel2, struct panel *panels, size_t n)
{
	struct report *r = c->r;
	struct an_buf data = {0}, set = {0}, plot = {0};
	struct rp_range ry = {0}, ry2 = {0};
	double tmax = 0, div;
	const char *unit;
	int rc = 0, blocks = 0, any = 0, w = 0, h = 0;
	size_t cols;
	char id[96];

	for (size_t p = 0; p < n; p++)
		for (size_t i = 0; i < panels[p].n; i++) {
			const struct line *l = &panels[p].lines[i];
			for (size_t k = 0; k < l->s->n; k++) {
				double v = line_value(c, l, k);
				rp_range_add(l->y2 ? &ry2 : &ry, v);
				if (l->s->t[k] > tmax)
					tmax = l->s->t[k];
				any |= isfinite(v);
			}
			for (int q = 0; q < 2; q++)
				if (isfinite(panels[p].hline[q]))
					rp_range_add(&ry, panels[p].hline[q]);
		}
	if (!any)
		return 0;
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
	/* settings every panel shares: the same axes, so that panels
	 * compare, unless the panels' scales differ tenfold (a sweep over
	 * copies), when each panel gets its own */
	double pmax_lo = INFINITY, pmax_hi = 0;
	for (size_t p = 0; p < n; p++) {
		struct rp_range pr = {0};
		for (size_t i = 0; i < panels[p].n; i++)
			for (size_t k = 0; k < panels[p].lines[i].s->n; k++)
				if (!panels[p].lines[i].y2)
					rp_range_add(&pr, line_value(
						c, &panels[p].lines[i], k));
		if (pr.any && pr.max > 0) {
			if (pr.max < pmax_lo)
				pmax_lo = pr.max;
			if (pr.max > pmax_hi)
				pmax_hi = pr.max;
		}
	}
	int shared = n < 2 || !(pmax_hi > 10 * pmax_lo);
	an_buf_printf(&set, "set xlabel 'simulated time (%s)'\nset ylabel ",
		      unit);
	rp_quote(&set, ylabel);
	an_buf_printf(&set, "\nset xrange [0:%.9g]\n", tmax / div);
	if (rp_range_log(&ry))
		an_buf_printf(&set, "set logscale y\nset format y '%%.0e'\n"
			      "set yrange [%.9g:%.9g]\n", ry.min_pos / 1.5,
			      ry.max * 1.5);
	else if (!shared)
		; /* per panel, below */
	else if (ry.any && !ry.negative && ry.max > 0 &&
		 (ry.max - ry.min) < 0.2 * ry.max)
		an_buf_printf(&set, "set yrange [0:%.9g]\n", ry.max * 1.12);
	else if (ry.any && ry.max > ry.min)
		an_buf_printf(&set, "set yrange [%.9g:%.9g]\n",
			      ry.min - 0.05 * (ry.max - ry.min),
			      ry.max + 0.05 * (ry.max - ry.min));
	if (ylabel2) {
		an_buf_puts(&set, "set y2label ");
		rp_quote(&set, ylabel2);
		an_buf_puts(&set, "\nset y2tics\nset ytics nomirror\n");
		if (rp_range_log(&ry2))
			an_buf_printf(&set, "set logscale y2\nset format y2 "
				      "'%%.0e'\nset y2range [%.9g:%.9g]\n",
				      ry2.min_pos / 1.5, ry2.max * 1.5);
		else if (ry2.any && !ry2.negative && ry2.max > 0 &&
			 (ry2.max - ry2.min) < 0.2 * ry2.max)
			an_buf_printf(&set, "set y2range [0:%.9g]\n",
				      ry2.max * 1.12);
	}
	if (c->warmup > 0)
		an_buf_printf(&set, "set object 1 rect from first 0, graph 0 "
			      "to first %.9g, graph 1 behind fc rgb '#e8e8e8' "
			      "fs solid 1.0 noborder\nset label 1 'warm-up' at "
			      "first %.9g, graph 0.95 right font ',11' "
			      "tc rgb '#777777'\n", c->warmup / div,
			      c->warmup / div * 0.97);
	if (n > 1)
		rp_multi_begin(&plot, title, n, &cols);
	for (size_t p = 0; p < n; p++) {
		int drawn = 0;
		if (n > 1)
			rp_panel_begin(&plot, p, panels[p].title);
		an_buf_puts(&plot, set.s);
		if (!shared && !rp_range_log(&ry)) {
			struct rp_range pr = {0};
			for (size_t i = 0; i < panels[p].n; i++)
				for (size_t k = 0; k < panels[p].lines[i].s->n;
				     k++)
					if (!panels[p].lines[i].y2)
						rp_range_add(&pr, line_value(
							c, &panels[p].lines[i],
							k));
			rp_range_settings(&plot, &pr, "y");
		}
		for (int q = 0; q < 2; q++)
			if (isfinite(panels[p].hline[q]))
				an_buf_printf(&plot, "set arrow %d from graph 0, "
					      "first %.9g to graph 1, first "
					      "%.9g nohead dt 2 lw 1.5 lc rgb "
					      "'#cc0000' front\nset label %d "
					      "'%s' at graph 0.01, first %.9g "
					      "offset 0,0.6 font ',11' "
					      "tc rgb '#cc0000'\n", q + 1,
					      panels[p].hline[q],
					      panels[p].hline[q], q + 2,
					      panels[p].hlabel[q],
					      panels[p].hline[q]);
		an_buf_puts(&plot, "plot ");
		for (size_t i = 0; i < panels[p].n; i++) {
			const struct line *l = &panels[p].lines[i];
			int has = 0;
			for (size_t k = 0; k < l->s->n && !has; k++)
				has = isfinite(line_value(c, l, k));
			if (!has)
				continue;
			if (blocks)
				an_buf_puts(&data, "\n\n");
			an_buf_printf(&data, "# %s %s (%s)\n", l->s->component,
				      l->s->name, panels[p].title);
			for (size_t k = 0; k < l->s->n; k++) {
				double v = line_value(c, l, k);
				if (isfinite(v))
					an_buf_printf(&data, "%.9g %.9g\n",
						      l->s->t[k], v);
				else
					an_buf_printf(&data, "%.9g ?\n",
						      l->s->t[k]);
			}
			an_buf_printf(&plot, "%sDATA index %d using ($1/%g):2 "
				      "with lines lw %s lc rgb '%s' dt %d axes "
				      "x1y%d title ", drawn ? ", \\\n  " : "",
				      blocks, div, l->thick ? "4" : "2",
				      l->color, l->dashed ? 2 : 1,
				      l->y2 ? 2 : 1);
			rp_quote(&plot, l->title);
			blocks++;
			drawn++;
		}
		if (!drawn) /* an empty panel keeps the grid in place */
			an_buf_puts(&plot, "-1 lc rgb '#ffffff' notitle");
		an_buf_puts(&plot, "\n");
	}
	if (n > 1)
		rp_multi_end(&plot);
	snprintf(id, sizeof(id), "s%zu-ts-%s", c->gi + 1, slug);
	if (n > 1)
		rp_multi_size(n, &w, &h);
	if (blocks)
		rc = rp_emit(r, id, title, c->caption, "", plot.s, &data, w,
			     h);
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	return rc;
}

/* The scenario's warm-up in seconds, from the first run's scenario. */
static double group_warmup(struct report *r, const struct an_group *g)
{
	sqlite3_stmt *st;
	double w = 0;

	if (!g->n_points || !g->points[0].n_runs ||
	    sqlite3_prepare_v2(r->set->db, "SELECT scenario_json FROM runs "
			       "WHERE run_id = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, g->points[0].runs[0]);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;
		json_t *v = json_object_get(j, "warmup");
		sim_time_t t;
		char why[128];
		if (json_is_number(v))
			w = json_number_value(v);
		else if (json_is_string(v) &&
			 units_parse_duration(json_string_value(v), &t, why,
					      sizeof(why)) == 0)
			w = (double)t / 1e9;
		json_decref(j);
	}
	sqlite3_finalize(st);
	return w;
}

/* Posting windows: five times the longest mean time between a system's
 * postings (so that the number of postings in a window varies by a fifth
 * at most), at least one interval, at most a tenth of the run. */
static int group_window(struct series_ctx *c, struct ts_set *ss)
{
	double tmax = 0, period = 0;
	struct an_stat st;

	for (size_t i = 0; i < ss->n; i++) {
		if (ss->s[i].n > 1 && c->interval <= 0)
			c->interval = ss->s[i].t[1] - ss->s[i].t[0];
		if (ss->s[i].n && ss->s[i].t[ss->s[i].n - 1] > tmax)
			tmax = ss->s[i].t[ss->s[i].n - 1];
	}
	for (size_t b = 0; b < c->g->n_bases; b++) {
		int rc = an_point_stat(c->r->set, c->g, &c->g->points[0],
				       c->g->bases[b], "batches", 1, &st,
				       c->r->err);
		if (rc < 0)
			return rc;
		if (st.n && st.mean > 0) {
			double p = (tmax - c->warmup) / st.mean;
			if (p > period)
				period = p;
		}
	}
	c->window = 5 * period;
	if (c->window > (tmax - c->warmup) / 10)
		c->window = (tmax - c->warmup) / 10;
	if (c->window < c->interval)
		c->window = c->interval;
	return 0;
}

static void fmt_span(double s, char *buf, size_t len)
{
	if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(buf, len, "%g h", s / 3600);
	else if (s >= 60)
		snprintf(buf, len, "%.3g min", s / 60);
	else
		snprintf(buf, len, "%g s", s);
}

int report_plot_series(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	size_t np = g->n_points < MAX_SERIES_POINTS ? g->n_points :
		MAX_SERIES_POINTS;
	struct ts_set *sets = calloc(np ? np : 1, sizeof(*sets));
	struct panel *panels = calloc(np ? np : 1, sizeof(*panels));
	struct series_ctx c = {.r = r, .g = g, .gi = gi};
	size_t loaded = 0, max_lines = 0;
	int rc = 0;

	if (!sets || !panels) {
		free(sets);
		free(panels);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	for (; loaded < np && rc == 0; loaded++) {
		rc = ts_load(r, &g->points[loaded], &sets[loaded]);
		if (rc < 0)
			break;
		if (ts_group_instances(&sets[loaded]) < 0) {
			loaded++;
			rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
			break;
		}
		if (2 * sets[loaded].n + 2 > max_lines)
			max_lines = 2 * sets[loaded].n + 2;
	}
	if (rc < 0)
		goto out;
	for (size_t p = 0; p < np; p++) {
		panels[p].lines = calloc(max_lines ? max_lines : 1,
					 sizeof(struct line));
		if (!panels[p].lines) {
			rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
			goto out;
		}
		snprintf(panels[p].title, sizeof(panels[p].title), "%s",
			 g->points[p].label[0] ? g->points[p].label :
			 g->scenario);
	}
	if (np == 0 || sets[0].n == 0)
		goto out;
	c.warmup = group_warmup(r, g);
	if ((rc = group_window(&c, &sets[0])) < 0)
		goto out;
	{
		char win[32], warm[32];
		fmt_span(c.window, win, sizeof(win));
		fmt_span(c.warmup, warm, sizeof(warm));
		snprintf(c.caption, sizeof(c.caption), "mean over "
			 "replications at each time%s%s%s%s%s%s%s; one colour "
			 "per system in every plot, all in grey",
			 c.window > c.interval ? "; posted rates and per-tx "
			 "ratios over a " : "", c.window > c.interval ? win :
			 "", c.window > c.interval ? " window (five posting "
			 "periods of the slowest poster)" : "",
			 c.warmup > 0 ? "; warm-up shaded" : "",
			 c.warmup > 0 ? " (" : "", c.warmup > 0 ? warm : "",
			 c.warmup > 0 ? ", nothing counted)" : "");
		if (g->n_points > np) {
			size_t l = strlen(c.caption);
			snprintf(c.caption + l, sizeof(c.caption) - l,
				 "; first %zu of %zu sweep points", np,
				 g->n_points);
		}
	}

	/* throughput: offered dashed, posted solid; "all" first and grey */
	for (size_t p = 0; p < np; p++) {
		struct ts_set *ss = &sets[p];
		size_t n = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < ss->n; i++) {
				struct ts *s = &ss->s[i];
				int offered = !strcmp(s->name, "tps_offered");
				int is_all = !strcmp(s->component, "all");
				if ((!offered && strcmp(s->name, "tps_posted")) ||
				    !strcmp(s->component, "l1") ||
				    strchr(s->component, '#') ||
				    is_all != (pass == 0))
					continue;
				if (is_all && !rp_show_all(g))
					continue;
				s->used = 1;
				struct line *l = &panels[p].lines[n++];
				memset(l, 0, sizeof(*l));
				l->s = s;
				l->scale = 1;
				l->dashed = offered;
				l->smooth = !offered;
				l->thick = is_all;
				l->color = is_all ? "#aaaaaa" :
					rp_color(r, s->component);
				snprintf(l->title, sizeof(l->title), "%s %s",
					 s->component, offered ? "offered" :
					 "posted");
			}
		panels[p].n = n;
		panels[p].hline[0] = panels[p].hline[1] = NAN;
	}
	char title[512];
	snprintf(title, sizeof(title), "%s: throughput offered (dashed) and "
		 "posted (solid)", g->scenario);
	if ((rc = plot_panels(&c, "throughput", title, "tx/s", NULL, panels,
			      np)) < 0)
		goto out;

	static const struct {
		const char *name, *slug, *what, *ylabel;
		double scale;
		int ratio;
	} simple[] = {
		{"backlog", "backlog", "backlog (transactions waiting)",
		 "transactions", 1, 0},
		{"l1_da_bytes_per_tx", "bytes", "L1 DA bytes per posted tx",
		 "bytes per tx", 1, 1},
		{"cost_eth_per_tx", "cost", "cost per posted tx",
		 "gwei per tx", 1e9, 1},
	};
	for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
		for (size_t p = 0; p < np; p++) {
			struct ts_set *ss = &sets[p];
			size_t n = 0;
			for (int pass = 0; pass < 2; pass++)
				for (size_t i = 0; i < ss->n; i++) {
					struct ts *s = &ss->s[i];
					int is_all = !strcmp(s->component,
							     "all");
					if (strcmp(s->name, simple[k].name) ||
					    !strcmp(s->component, "l1") ||
					    strchr(s->component, '#') ||
					    is_all != (pass == 0) ||
					    (is_all && !rp_show_all(g)))
						continue;
					s->used = 1;
					struct line *l =
						&panels[p].lines[n++];
					memset(l, 0, sizeof(*l));
					l->s = s;
					l->w = simple[k].ratio ?
						ts_find(ss, s->component,
							"tps_posted") : NULL;
					l->scale = simple[k].scale;
					l->ratio = simple[k].ratio;
					l->thick = is_all;
					l->color = is_all ? "#aaaaaa" :
						rp_color(r, s->component);
					snprintf(l->title, sizeof(l->title),
						 "%s", s->component);
				}
			panels[p].n = n;
		}
		snprintf(title, sizeof(title), "%s: %s", g->scenario,
			 simple[k].what);
		if ((rc = plot_panels(&c, simple[k].slug, title,
				      simple[k].ylabel, NULL, panels, np)) < 0)
			goto out;
	}

	/* L1 fees, two axes */
	for (size_t p = 0; p < np; p++) {
		struct ts *base = ts_find(&sets[p], "l1", "base_fee_gwei");
		struct ts *blob = ts_find(&sets[p], "l1", "blob_base_fee_gwei");
		size_t n = 0;
		if (base) {
			base->used = 1;
			panels[p].lines[n++] = (struct line){
				.s = base, .scale = 1, .color = "#0072b2",
				.title = "base fee (left axis)"};
		}
		if (blob) {
			blob->used = 1;
			panels[p].lines[n++] = (struct line){
				.s = blob, .scale = 1, .color = "#d55e00",
				.y2 = 1, .title = "blob base fee (right axis)"};
		}
		panels[p].n = n;
	}
	snprintf(title, sizeof(title), "%s: L1 base fee and blob base fee",
		 g->scenario);
	if ((rc = plot_panels(&c, "l1-fees", title, "base fee (gwei)",
			      "blob base fee (gwei)", panels, np)) < 0)
		goto out;

	/* blobs per block with the fork's target and maximum */
	for (size_t p = 0; p < np; p++) {
		struct ts *b = ts_find(&sets[p], "l1", "blobs_per_block");
		struct an_stat mean, tr, ut;
		panels[p].n = 0;
		panels[p].hline[0] = panels[p].hline[1] = NAN;
		if (!b)
			continue;
		b->used = 1;
		panels[p].lines[0] = (struct line){
			.s = b, .scale = 1, .color = "#555555",
			.smooth = 1, .title = "blobs per block"};
		panels[p].n = 1;
		if (an_point_stat(r->set, g, &g->points[p], "l1",
				  "blobs_per_block_mean", 0, &mean, r->err) < 0 ||
		    an_point_stat(r->set, g, &g->points[p], "l1",
				  "blob_target_ratio", 0, &tr, r->err) < 0 ||
		    an_point_stat(r->set, g, &g->points[p], "l1",
				  "blob_utilization", 0, &ut, r->err) < 0) {
			rc = r->err ? r->err->code : L2S_EDB;
			goto out;
		}
		/* target = mean / (mean / target); max likewise */
		if (mean.n && tr.n && tr.mean > 0) {
			panels[p].hline[0] = round(mean.mean / tr.mean);
			panels[p].hlabel[0] = "target";
		}
		if (mean.n && ut.n && ut.mean > 0) {
			panels[p].hline[1] = round(mean.mean / ut.mean);
			panels[p].hlabel[1] = "max";
		}
	}
	snprintf(title, sizeof(title), "%s: blobs per L1 block", g->scenario);
	if ((rc = plot_panels(&c, "blobs", title, "blobs per block", NULL,
			      panels, np)) < 0)
		goto out;
	for (size_t p = 0; p < np; p++)
		panels[p].hline[0] = panels[p].hline[1] = NAN;

	/* whatever else the runs recorded, one figure per series name */
	for (size_t i = 0, extra = 0; i < sets[0].n; i++) {
		if (sets[0].s[i].used)
			continue;
		const char *name = sets[0].s[i].name;
		for (size_t p = 0; p < np; p++) {
			size_t n = 0;
			for (size_t k = 0; k < sets[p].n; k++) {
				struct ts *s = &sets[p].s[k];
				if (s->used || strcmp(s->name, name))
					continue;
				s->used = 1;
				struct line *l = &panels[p].lines[n++];
				memset(l, 0, sizeof(*l));
				l->s = s;
				l->scale = 1;
				l->color = rp_color(r, s->component);
				snprintf(l->title, sizeof(l->title), "%s",
					 s->component);
			}
			panels[p].n = n;
		}
		char slug[32];
		snprintf(slug, sizeof(slug), "other%zu", ++extra);
		snprintf(title, sizeof(title), "%s: %s", g->scenario, name);
		if ((rc = plot_panels(&c, slug, title, name, NULL, panels,
				      np)) < 0)
			goto out;
	}
out:
	for (size_t p = 0; p < np; p++)
		free(panels[p].lines);
	for (size_t p = 0; p < loaded; p++)
		ts_release(&sets[p]);
	free(sets);
	free(panels);
	return rc;
}
