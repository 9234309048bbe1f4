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

#define MAX_BAR_CATEGORIES 12

/* Appends a gnuplot single-quoted string. */
void rp_quote(struct an_buf *b, const char *s)
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
void rp_data_label(struct an_buf *b, const char *s)
{
	an_buf_puts(b, "\"");
	for (; *s; s++)
		an_buf_printf(b, "%c", *s == '"' || *s == '\n' ? '\'' : *s);
	an_buf_puts(b, "\"");
}

void rp_range_add(struct rp_range *g, double v)
{
	if (!isfinite(v))
		return;
	if (!g->any) {
		g->min_pos = INFINITY;
		g->max = -INFINITY;
		g->min = INFINITY;
	}
	g->any = 1;
	if (v < 0)
		g->negative = 1;
	if (v > 0 && v < g->min_pos)
		g->min_pos = v;
	if (v > g->max)
		g->max = v;
	if (v < g->min)
		g->min = v;
}

/* Log scale when the positive values span more than three decades. */
int rp_range_log(const struct rp_range *g)
{
	return g->any && !g->negative && isfinite(g->min_pos) &&
	       g->max / g->min_pos > 1000;
}

void rp_range_settings(struct an_buf *set, const struct rp_range *g,
		       const char *axis)
{
	if (!g->any)
		return;
	if (rp_range_log(g)) {
		an_buf_printf(set, "set logscale %s\nset format %s '%%.0e'\n",
			      axis, axis);
		return;
	}
	/* Autoscaling zooms into noise: 1086..1091 s drawn full height
	 * reads as a big change.  Values that vary by less than a fifth of
	 * their size keep zero on the axis. */
	if (!g->negative && g->max > 0 && (g->max - g->min) < 0.2 * g->max)
		an_buf_printf(set, "set %srange [0:%.9g]\n", axis,
			      g->max * 1.12);
}

/* One colour per system across every plot of a report: Okabe and Ito's
 * colour-blind-safe set, then Tableau's; "all" black, "l1" grey. */
const char *rp_color(struct report *r, const char *component)
{
	static const char *const palette[] = {
		"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
		"#56b4e9", "#8c564b", "#7f7f7f", "#bcbd22", "#9467bd",
		"#17becf", "#f0e442",
	};
	char base[128];
	size_t n = strcspn(component, "#");

	if (!strcmp(component, "all"))
		return "#000000";
	if (!strcmp(component, "l1"))
		return "#555555";
	snprintf(base, sizeof(base), "%.*s", (int)n, component);
	for (size_t i = 0; i < r->n_colors; i++)
		if (!strcmp(r->colors[i], base))
			return palette[i % (sizeof(palette) / sizeof(*palette))];
	char **nc = realloc(r->colors, (r->n_colors + 1) * sizeof(*nc));
	if (nc) {
		r->colors = nc;
		if ((nc[r->n_colors] = strdup(base)))
			r->n_colors++;
	}
	return palette[(r->n_colors ? r->n_colors - 1 : 0) %
		       (sizeof(palette) / sizeof(*palette))];
}

/*
 * Writes data/ID.dat and gnuplot/ID.gp, adds the script to all.gp and a
 * figure to the page.  'settings' and 'plot' are gnuplot commands; 'plot'
 * refers to the data file as DATA (replaced here).  width, height: pixels
 * (0: 960 x 540).
 */
int rp_emit(struct report *r, const char *id, const char *title,
	    const char *caption, const char *settings, const char *plot,
	    const struct an_buf *data, int width, int height)
{
	struct an_buf s = {0}, path = {0};
	const char *p;
	int rc, multi = strstr(plot, "set multiplot") != NULL;

	if (width <= 0 || height <= 0) {
		width = 960;
		height = 540;
	}
	an_buf_printf(&s, "# l2sim report: %s\n", title);
	an_buf_printf(&s, "# render from the report directory: gnuplot "
		      "gnuplot/%s.gp\n", id);
	/* Fonts sized for a figure shown at about half its width in the
	 * page grid. */
	an_buf_printf(&s, "reset\nset encoding utf8\n"
		      "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		      "    set terminal pngcairo noenhanced size %d,%d "
		      "font 'sans,14' linewidth 1.5\n"
		      "} else {\n"
		      "    set terminal png noenhanced size %d,%d large\n"
		      "}\n", width, height, width, height);
	an_buf_printf(&s, "set output 'plots/%s.png'\n", id);
	if (!multi) {
		an_buf_puts(&s, "set title ");
		rp_quote(&s, title);
		an_buf_puts(&s, " font ',16'\n");
	}
	an_buf_puts(&s, "set grid lc rgb '#dddddd'\nset key below\n"
		    "set border lc rgb '#444444'\n"
		    "set datafile missing '?'\n");
	an_buf_puts(&s, settings);
	/* the plot command with DATA replaced by the data file's name */
	struct an_buf body = {0};
	for (p = plot; *p; ) {
		const char *d = strstr(p, "DATA");
		if (!d) {
			an_buf_puts(&body, p);
			break;
		}
		an_buf_printf(&body, "%.*s'data/%s.dat'", (int)(d - p), p, id);
		p = d + 4;
	}
	an_buf_puts(&s, body.s ? body.s : "");
	an_buf_printf(&s, "\nset terminal svg noenhanced size %d,%d "
		      "font 'sans,14' linewidth 1.5 background '#ffffff'\n",
		      width, height);
	an_buf_printf(&s, "set output 'plots/%s.svg'\n", id);
	/* replot cannot redo a multiplot: repeat the commands */
	if (multi)
		an_buf_printf(&s, "%s\n", body.s ? body.s : "");
	else
		an_buf_puts(&s, "replot\n");
	/* an interactive version (zoom, hover): gnuplot's HTML5 canvas */
	/* not with a second y axis: gnuplot 5.4's canvas terminal with
	 * mousing crashes on a log y2 axis */
	int inter = r->interactive && !multi && !strstr(settings, "y2") &&
		    !strstr(plot, "y2");
	if (inter)
		an_buf_printf(&s, "if (strstrt(GPVAL_TERMINALS, 'canvas') > 0) {\n"
			      "    set terminal canvas standalone mousing "
			      "jsdir '../js' size %d,%d font 'sans,13'\n"
			      "    set output 'plots/%s.html'\n"
			      "    replot\n}\n", width, height, id);
	an_buf_puts(&s, "unset output\n");
	an_buf_release(&body);
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

	an_buf_printf(&r->html, "<figure%s id=\"%s\"><a href=\"plots/%s.svg\">"
		      "<img src=\"plots/%s.png\" alt=\"", width > 1000 ?
		      " class=\"wide\"" : "", id, id, id);
	html_escape(&r->html, title);
	an_buf_printf(&r->html, "\" width=\"%d\" height=\"%d\" loading=\"lazy\">"
		      "</a><figcaption>", width, height);
	html_escape(&r->html, caption);
	if (inter)
		an_buf_printf(&r->html, " &middot; <a href=\"plots/%s.html\">"
			      "interactive</a> (zoom, values under the "
			      "mouse)", id);
	an_buf_puts(&r->html, "</figcaption></figure>\n");
	an_buf_printf(&r->md, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))"
		      "\n\n", title, id, caption, id);
	return 0;
}

/* ---- small multiples --------------------------------------------------- */

void rp_multi_begin(struct an_buf *plot, const char *title, size_t n,
		    size_t *cols)
{
	size_t c = n <= 1 ? 1 : n <= 4 ? 2 : 3;
	size_t rows = (n + c - 1) / c;

	*cols = c;
	an_buf_printf(plot, "set multiplot layout %zu,%zu title ", rows, c);
	rp_quote(plot, title);
	/* equal panels; the key of the first panel sits below them all */
	an_buf_printf(plot, " font ',16' margins 0.07,0.98,%.3f,%.3f "
		      "spacing 0.08,%.3f\n", rows > 2 ? 0.09 : 0.14,
		      rows > 2 ? 0.94 : rows == 2 ? 0.9 : 0.84,
		      rows > 2 ? 0.09 : 0.14);
}

void rp_panel_begin(struct an_buf *plot, size_t k, const char *title)
{
	an_buf_puts(plot, "unset logscale\nset autoscale\nset format y '% h'\n"
		    "unset object\nunset arrow\nunset label\n");
	if (k == 0)
		an_buf_puts(plot, "set key at screen 0.5, screen 0.005 center "
			    "bottom horizontal maxrows 2 font ',12'\n");
	else
		an_buf_puts(plot, "unset key\n");
	an_buf_puts(plot, "set title ");
	rp_quote(plot, title);
	an_buf_puts(plot, " font ',13'\n");
}

void rp_multi_end(struct an_buf *plot)
{
	an_buf_puts(plot, "unset multiplot\n");
}

void rp_multi_size(size_t n, int *w, int *h)
{
	size_t c = n <= 1 ? 1 : n <= 4 ? 2 : 3;
	size_t rows = (n + c - 1) / c;

	*w = c == 1 ? 960 : 1400;
	*h = (int)(rows * (c == 1 ? 480 : 400) + 120);
}

/* ---- sweeps ------------------------------------------------------------ */

/* Components plotted per system: each system (by base name) and "all" when
 * there is more than one system instance. */
int rp_show_all(const struct an_group *g)
{
	return g->n_systems > 2 ||
	       (g->n_systems == 2 && strcmp(g->systems[1], "all") != 0);
}

static const struct {
	const char *name, *what, *ylabel;
	double scale;
	int l1;
} sweep_metrics[] = {
	{"tps_posted", "posted throughput", "tx/s", 1, 0},
	{"l1_da_bytes_per_tx", "L1 DA bytes per tx", "bytes", 1, 0},
	{"cost_eth_per_tx", "cost per tx", "gwei", 1e9, 0},
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
#define N_SWEEP_METRICS (sizeof(sweep_metrics) / sizeof(sweep_metrics[0]))

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

int rp_sweep_number(json_t *v, double *x)
{
	size_t i;
	json_t *e;

	if (json_is_number(v)) {
		*x = json_number_value(v);
		return 1;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	/* a zipped key whose paths take the same number ("count of each") */
	json_array_foreach(v, i, e) {
		if (!json_is_number(e))
			return 0;
		if (i == 0)
			*x = json_number_value(e);
		else if (json_number_value(e) != *x)
			return 0;
	}
	return 1;
}

/* The axis label of a sweep key: "a,b" of equal values reads "a = b". */
void rp_sweep_axis_label(struct an_buf *b, const char *key)
{
	for (const char *p = key; *p; p++) {
		if (*p == ',')
			an_buf_puts(b, " = ");
		else
			an_buf_printf(b, "%c", *p);
	}
}

/* x-axis settings for numeric sweep values: a log axis (base 2 when every
 * value is a power of two) when they span 16x or more. */
void rp_sweep_xaxis(struct an_buf *set, const double *x, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;
	int pow2 = 1;

	for (size_t i = 0; i < n; i++) {
		if (x[i] < lo)
			lo = x[i];
		if (x[i] > hi)
			hi = x[i];
		double l = log2(x[i]);
		pow2 &= x[i] > 0 && l == floor(l);
	}
	if (n > 1 && lo > 0 && hi / lo >= 16) {
		an_buf_printf(set, "set logscale x %d\n", pow2 ? 2 : 10);
		an_buf_printf(set, "set xrange [%.9g:%.9g]\n", lo / 1.3,
			      hi * 1.3);
		if (pow2 && n <= 16) {
			an_buf_puts(set, "set xtics (");
			for (size_t i = 0; i < n; i++)
				an_buf_printf(set, "%s\"%g\" %.9g", i ? ", " :
					      "", x[i], x[i]);
			an_buf_puts(set, ")\n");
		}
	} else {
		an_buf_puts(set, "set offsets graph 0.03, graph 0.03, 0, 0\n");
	}
}

/* The panel of metric m against 'key': data blocks appended to 'data'
 * from index *blocks on, plot command to 'plot'.  Returns 1 when the
 * panel has data, 0 when not, or a negative code. */
static int sweep_panel(struct report *r, size_t gi, const char *key,
		       int numeric, char **cats, size_t n_cats,
		       char **others, size_t n_others, size_t m,
		       struct an_buf *data, struct an_buf *plot,
		       int *blocks, int *errbars)
{
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf set = {0}, cmd = {0};
	struct sweep_row *rows = calloc(g->n_points, sizeof(*rows));
	double *xs = calloc(g->n_points + 1, sizeof(*xs));
	struct rp_range ry = {0};
	size_t n_comp = sweep_metrics[m].l1 ? 1 : g->n_bases, n_xs = 0;
	int rc = 0, drawn = 0;

	if (!rows || !xs) {
		free(rows);
		free(xs);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	an_buf_puts(&cmd, "plot ");
	/* "all" first, so that a system equal to it is drawn on top */
	for (size_t cc = 0; cc < n_comp; cc++) {
		size_t c = sweep_metrics[m].l1 ? 0 :
			(cc == 0 ? n_comp - 1 : cc - 1);
		const char *comp = sweep_metrics[m].l1 ? "l1" : g->bases[c];
		int is_all = !strcmp(comp, "all");
		if (!sweep_metrics[m].l1 && is_all && !rp_show_all(g))
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
					rp_sweep_number(v, &rows[n].x);
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
			if (*blocks)
				an_buf_puts(data, "\n\n");
			an_buf_printf(data, "# %s %s %s\n",
				      sweep_metrics[m].name, comp, others[o]);
			for (size_t i = 0; i < n; i++) {
				double sc = sweep_metrics[m].scale;
				double h = isnan(rows[i].st.half) ? 0 :
					rows[i].st.half * sc;
				if (h > 0)
					*errbars = 1;
				rp_range_add(&ry, rows[i].st.mean * sc);
				if (n_xs < g->n_points) {
					int seen = 0;
					for (size_t k = 0; k < n_xs; k++)
						seen |= xs[k] == rows[i].x;
					if (!seen)
						xs[n_xs++] = rows[i].x;
				}
				an_buf_printf(data, "%.9g %.9g %.9g\n",
					      rows[i].x, rows[i].st.mean * sc,
					      h);
			}
			char t[400];
			snprintf(t, sizeof(t), "%s%s%s%s", comp,
				 others[o][0] ? " (" : "", others[o],
				 others[o][0] ? ")" : "");
			an_buf_printf(&cmd, "%sDATA index %d using 1:2:3 with "
				      "yerrorlines lw %s pt 7 ps 0.9 lc rgb "
				      "'%s' dt %zu title ", drawn ? ", \\\n  "
				      : "", *blocks, is_all ? "4" : "2",
				      is_all ? "#aaaaaa" : rp_color(r, comp),
				      o % 5 + 1);
			rp_quote(&cmd, t);
			(*blocks)++;
			drawn++;
		}
	}
	if (!drawn)
		goto out;
	an_buf_puts(&set, "set xlabel ");
	{
		struct an_buf k = {0};
		rp_sweep_axis_label(&k, key);
		rp_quote(&set, k.s ? k.s : key);
		an_buf_release(&k);
	}
	an_buf_puts(&set, "\nset ylabel ");
	rp_quote(&set, sweep_metrics[m].ylabel);
	an_buf_puts(&set, "\n");
	if (!numeric) {
		an_buf_printf(&set, "set xrange [-0.5:%g]\nset xtics (",
			      (double)n_cats - 0.5);
		for (size_t k = 0; k < n_cats; k++) {
			an_buf_puts(&set, k ? ", " : "");
			rp_quote(&set, cats[k]);
			an_buf_printf(&set, " %zu", k);
		}
		an_buf_puts(&set, ")\n");
	} else {
		qsort(xs, n_xs, sizeof(*xs), rp_cmp_double);
		rp_sweep_xaxis(&set, xs, n_xs);
	}
	rp_range_settings(&set, &ry, "y");
	an_buf_puts(plot, set.s);
	an_buf_puts(plot, cmd.s);
	an_buf_puts(plot, "\n");
	rc = 1;
out:
	free(rows);
	free(xs);
	an_buf_release(&set);
	an_buf_release(&cmd);
	return rc;
}

int rp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Every metric against sweep key 'key', as one figure of small
 * multiples. */
static int sweep_figure(struct report *r, size_t gi, size_t ki,
			const char *key, int numeric, char **cats,
			size_t n_cats, char **others, size_t n_others)
{
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf data = {0}, plot = {0}, panel = {0}, title = {0};
	int blocks = 0, errbars = 0, rc = 0, w, h;
	size_t n_panels = 0, cols;
	size_t have[N_SWEEP_METRICS];
	char id[64];

	/* which metrics have data: a dry run into scratch buffers */
	for (size_t m = 0; m < N_SWEEP_METRICS; m++) {
		struct an_buf d = {0}, p = {0};
		int b = 0, e = 0;
		rc = sweep_panel(r, gi, key, numeric, cats, n_cats, others,
				 n_others, m, &d, &p, &b, &e);
		an_buf_release(&d);
		an_buf_release(&p);
		if (rc < 0)
			return rc;
		if (rc > 0)
			have[n_panels++] = m;
	}
	if (n_panels == 0)
		return 0;
	an_buf_printf(&title, "%s: metrics against ", g->scenario);
	rp_sweep_axis_label(&title, key);
	rp_multi_begin(&plot, title.s, n_panels, &cols);
	for (size_t k = 0; k < n_panels && rc >= 0; k++) {
		size_t m = have[k];
		char pt[160];
		snprintf(pt, sizeof(pt), "%s (%s)", sweep_metrics[m].what,
			 sweep_metrics[m].ylabel);
		rp_panel_begin(&plot, k, pt);
		rc = sweep_panel(r, gi, key, numeric, cats, n_cats, others,
				 n_others, m, &data, &plot, &blocks, &errbars);
	}
	rp_multi_end(&plot);
	if (rc >= 0) {
		if (!errbars) {
			/* one replication: no bars to draw */
			char *s = plot.s, *e;
			while ((e = strstr(s, "using 1:2:3 with yerrorlines"))) {
				memcpy(e, "using 1:2   with linespoints", 28);
				s = e + 28;
			}
		}
		snprintf(id, sizeof(id), "s%zu-sweep%zu", gi + 1, ki + 1);
		rp_multi_size(n_panels, &w, &h);
		rc = rp_emit(r, id, title.s, errbars ?
			     "mean over replications; error bars: 95% "
			     "confidence interval (Student t); one colour per "
			     "system in every plot, all in grey" :
			     "one replication per sweep point; one colour per "
			     "system in every plot, all in grey",
			     "", plot.s, &data, w, h);
	}
	an_buf_release(&data);
	an_buf_release(&plot);
	an_buf_release(&panel);
	an_buf_release(&title);
	return rc < 0 ? rc : 0;
}

int rp_strv_push(char ***v, size_t *n, char *s)
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

void rp_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The swept keys of a group and, per key, whether every value is a
 * number (or a zipped list of one number). */
int rp_sweep_keys(const struct an_group *g, char ***keys, size_t *n_keys)
{
	*keys = NULL;
	*n_keys = 0;
	for (size_t i = 0; i < g->n_points; i++) {
		const char *key;
		json_t *v;
		json_object_foreach(g->points[i].sweep, key, v) {
			char *k = strdup(key);
			if (!k || rp_strv_push(keys, n_keys, k) < 0)
				return L2S_ENOMEM;
		}
	}
	return 0;
}

int report_plot_sweeps(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	char **keys = NULL;
	size_t n_keys = 0;
	int rc = 0;

	if (g->n_points < 2)
		return 0;
	if (rp_sweep_keys(g, &keys, &n_keys) < 0) {
		rp_strv_free(keys, n_keys);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	for (size_t ki = 0; ki < n_keys && rc == 0; ki++) {
		char **cats = NULL, **others = NULL;
		size_t n_cats = 0, n_others = 0;
		int numeric = 1;

		for (size_t i = 0; i < g->n_points && rc == 0; i++) {
			json_t *v = json_object_get(g->points[i].sweep,
						    keys[ki]);
			char *s, *o;
			double x;
			if (!v)
				continue;
			numeric &= rp_sweep_number(v, &x);
			s = json_is_string(v) ? strdup(json_string_value(v)) :
				json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			o = an_sweep_label(g->points[i].sweep, keys[ki]);
			if (!s || !o) {
				free(s);
				free(o);
				rc = L2S_ENOMEM;
				break;
			}
			if (rp_strv_push(&cats, &n_cats, s) < 0 ||
			    rp_strv_push(&others, &n_others, o) < 0)
				rc = L2S_ENOMEM;
		}
		if (rc < 0)
			rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
		/* a key with one value is not swept (another key is) */
		if (rc == 0 && n_cats > 1)
			rc = sweep_figure(r, gi, ki, keys[ki], numeric, cats,
					  n_cats, others, n_others);
		rp_strv_free(cats, n_cats);
		rp_strv_free(others, n_others);
	}
	rp_strv_free(keys, n_keys);
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
		if (strcmp(src[i], "all") || rp_show_all(g))
			c[k++] = src[i];
	return k;
}

static const struct {
	const char *name, *what, *ylabel;
	double scale;
} bar_metrics[] = {
	{"tps_posted", "posted throughput", "tx/s", 1},
	{"l1_da_bytes_per_tx", "L1 DA bytes per posted tx", "bytes", 1},
	{"cost_eth_per_tx", "cost per posted tx", "gwei", 1e9},
	{"latency_finalized_p50", "median latency to finality", "seconds", 1},
};

/* One panel: a bar per system in its colour, with error bars.  Returns 1
 * with data, 0 without, or a negative code. */
static int bar_panel(struct report *r, const struct an_group *g,
		     const struct an_point *p, const char **cats,
		     size_t n_cats, int base, const char *metric,
		     double scale, const char *ylabel, struct an_buf *data,
		     struct an_buf *plot, int *blocks)
{
	struct rp_range ry = {0};
	struct an_buf d = {0};
	struct an_stat st;
	int any = 0, rc = 0, bars = 0;

	an_buf_printf(&d, "# %s: x label mean ci colour\n", metric);
	for (size_t c = 0; c < n_cats; c++) {
		rc = an_point_stat(r->set, g, p, cats[c], metric, base, &st,
				   r->err);
		if (rc < 0)
			break;
		const char *col = !strcmp(cats[c], "all") ? "#aaaaaa" :
			rp_color(r, cats[c]);
		an_buf_printf(&d, "%zu ", c);
		rp_data_label(&d, cats[c]);
		if (st.n == 0) {
			an_buf_printf(&d, " ? 0 0x%s\n", col + 1);
			continue;
		}
		any = 1;
		double half = isnan(st.half) ? 0 : st.half * scale;
		bars |= half > 0;
		rp_range_add(&ry, st.mean * scale);
		rp_range_add(&ry, st.mean * scale + half);
		an_buf_printf(&d, " %.9g %.9g 0x%s\n", st.mean * scale, half,
			      col + 1);
	}
	if (rc < 0 || !any) {
		an_buf_release(&d);
		return rc < 0 ? rc : 0;
	}
	if (*blocks)
		an_buf_puts(data, "\n\n");
	an_buf_puts(data, d.s);
	an_buf_release(&d);
	an_buf_puts(plot, "set style fill solid 0.85 border -1\n"
		    "set boxwidth 0.7\nset grid noxtics\nset ylabel ");
	rp_quote(plot, ylabel);
	an_buf_printf(plot, "\nset xrange [-0.6:%zu.6]\n", n_cats - 1);
	if (n_cats > 4)
		an_buf_puts(plot, "set xtics rotate by -30\n");
	if (rp_range_log(&ry))
		an_buf_puts(plot, "set logscale y\nset format y '%.0e'\n");
	else
		an_buf_printf(plot, "set yrange [0:%.9g]\n", ry.max > 0 ?
			      ry.max * 1.1 : 1);
	an_buf_printf(plot, "plot DATA index %d using 1:3:5:xtic(2) with boxes "
		      "lc rgb variable notitle", *blocks);
	if (bars)
		an_buf_printf(plot, ", \\\n  DATA index %d using 1:3:4 with "
			      "yerrorbars lc rgb '#222222' pt 0 ps 0 notitle",
			      *blocks);
	an_buf_puts(plot, "\n");
	(*blocks)++;
	return 1;
}

int report_plot_bars(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	const char **cats = NULL;
	int base, rc = 0, w, h;
	size_t n_cats = bar_categories(g, &cats, &base);
	const struct an_point *p = &g->points[0];
	char id[64], title[512], caption[512];

	if (!cats)
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	if (n_cats == 0)
		goto out;
	/* With a sweep, the sweep figures compare the systems at every
	 * point; bars show the first point only. */
	{
		struct an_buf data = {0}, plot = {0}, dry = {0}, dp = {0};
		size_t have[8], n = 0, cols;
		int blocks = 0, b = 0;

		for (size_t m = 0; m < sizeof(bar_metrics) /
		     sizeof(bar_metrics[0]) && rc >= 0; m++) {
			rc = bar_panel(r, g, p, cats, n_cats, base,
				       bar_metrics[m].name, bar_metrics[m].scale,
				       bar_metrics[m].ylabel, &dry, &dp, &b);
			if (rc > 0)
				have[n++] = m;
		}
		an_buf_release(&dry);
		an_buf_release(&dp);
		snprintf(title, sizeof(title), "%s: systems compared%s%s%s",
			 g->scenario, p->label[0] ? " (" : "", p->label,
			 p->label[0] ? ")" : "");
		if (rc >= 0 && n) {
			rp_multi_begin(&plot, title, n, &cols);
			for (size_t k = 0; k < n && rc >= 0; k++) {
				size_t m = have[k];
				char pt[160];
				snprintf(pt, sizeof(pt), "%s (%s)",
					 bar_metrics[m].what,
					 bar_metrics[m].ylabel);
				rp_panel_begin(&plot, k, pt);
				rc = bar_panel(r, g, p, cats, n_cats, base,
					       bar_metrics[m].name,
					       bar_metrics[m].scale,
					       bar_metrics[m].ylabel, &data,
					       &plot, &blocks);
			}
			rp_multi_end(&plot);
			snprintf(caption, sizeof(caption), "mean over %zu "
				 "replication%s%s%s", p->n_runs,
				 p->n_runs == 1 ? "" : "s", p->n_runs > 1 ?
				 "; error bars: 95% confidence interval" : "",
				 g->n_points > 1 ? "; first sweep point (the "
				 "sweep figures show every point)" : "");
			snprintf(id, sizeof(id), "s%zu-bars", gi + 1);
			rp_multi_size(n, &w, &h);
			if (rc >= 0)
				rc = rp_emit(r, id, title, caption, "", plot.s,
					     &data, w, h);
		}
		an_buf_release(&data);
		an_buf_release(&plot);
		if (rc < 0)
			goto out;
		rc = 0;
	}

	/* latency tiers: one chart (the first point), log axis */
	static const char *const lat[] = {
		"latency_sequenced_p50", "latency_sequenced_p99",
		"latency_posted_p50", "latency_posted_p99",
		"latency_finalized_p50", "latency_finalized_p99",
	};
	static const char *const lat_title[] = {
		"sequenced p50", "sequenced p99", "posted p50", "posted p99",
		"finalized p50", "finalized p99",
	};
	static const char *const lat_color[] = {
		"#c6dbef", "#6baed6", "#fdd0a2", "#fd8d3c", "#c7e9c0",
		"#41ab5d",
	};
	{
		struct an_buf data = {0}, set = {0}, plot = {0};
		struct rp_range ry = {0};
		struct an_stat st;

		an_buf_puts(&data, "# system");
		for (size_t k = 0; k < 6; k++)
			an_buf_printf(&data, " %s ci", lat[k]);
		an_buf_puts(&data, "\n");
		for (size_t c = 0; c < n_cats && rc == 0; c++) {
			rp_data_label(&data, cats[c]);
			for (size_t k = 0; k < 6 && rc == 0; k++) {
				rc = an_point_stat(r->set, g, p, cats[c],
						   lat[k], base, &st, r->err);
				if (st.n == 0) {
					an_buf_puts(&data, " ? 0");
					continue;
				}
				double half = isnan(st.half) ? 0 : st.half;
				rp_range_add(&ry, st.mean);
				an_buf_printf(&data, " %.9g %.9g", st.mean,
					      half);
			}
			an_buf_puts(&data, "\n");
		}
		if (rc == 0 && ry.any) {
			an_buf_puts(&set, "set style data histogram\n"
				    "set style histogram errorbars gap 1 lw 1\n"
				    "set style fill solid 0.9 border -1\n"
				    "set grid noxtics\nset ylabel 'seconds "
				    "from arrival'\nset logscale y\n"
				    "set format y '%.0e'\n");
			if (n_cats > 6)
				an_buf_puts(&set, "set xtics rotate by -30\n");
			an_buf_puts(&plot, "plot ");
			for (size_t k = 0; k < 6; k++) {
				if (k)
					an_buf_puts(&plot, ", \\\n     ");
				an_buf_printf(&plot, "%s using %zu:%zu%s lc rgb "
					      "'%s' title ", k ? "''" : "DATA",
					      2 + 2 * k, 3 + 2 * k,
					      k ? "" : ":xtic(1)",
					      lat_color[k]);
				rp_quote(&plot, lat_title[k]);
			}
			snprintf(id, sizeof(id), "s%zu-latency", gi + 1);
			snprintf(title, sizeof(title), "%s: latency tiers by "
				 "system%s%s%s", g->scenario,
				 p->label[0] ? " (" : "", p->label,
				 p->label[0] ? ")" : "");
			snprintf(caption, sizeof(caption), "seconds from "
				 "arrival, log axis; mean over %zu "
				 "replication%s%s", p->n_runs,
				 p->n_runs == 1 ? "" : "s", g->n_points > 1 ?
				 "; first sweep point (latency at every point: "
				 "the sweep figures)" : "");
			rc = rp_emit(r, id, title, caption, set.s, plot.s,
				     &data, 0, 0);
		}
		an_buf_release(&data);
		an_buf_release(&set);
		an_buf_release(&plot);
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
