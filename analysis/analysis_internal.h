/*
 * Shared by the files of analysis/: a growable string, number formatting,
 * and the view of a results database that summaries, reports and checks
 * read — runs grouped by scenario name and sweep point, and mean ± 95%
 * confidence interval of a metric across the replications of a point.
 *
 * Which runs a group holds: summary_print() takes the run ids it is given.
 * report_build() and check_run() take every run whose status is "ok" and,
 * of rows that share a run identity (docs/data.md: the scenario as run after
 * --set and the sweep point, seed, replication, engine version), only the
 * newest: the writer keeps one row per identity, older databases may hold
 * more.  Runs that differ in anything else are all kept; a point is the
 * --set values together with the sweep values, so runs of different --set
 * values are different points, never hidden behind each other.
 */
#ifndef L2SIM_ANALYSIS_INTERNAL_H
#define L2SIM_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "l2sim/analysis.h"
#include "l2sim/error.h"

/* A growable NUL-terminated string.  Zero-initialise; 'oom' records a
 * failed allocation (the text is then truncated). */
struct an_buf {
	char *s;
	size_t len, cap;
	int oom;
};

void an_buf_printf(struct an_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void an_buf_puts(struct an_buf *b, const char *s);
void an_buf_release(struct an_buf *b);

/* Formats 'v' in about 3 significant digits with k/M/G suffixes for large
 * values ("1.23k", "45.6", "0.012", "1.2e-05"); "-" for NaN. */
void an_fmt(double v, char *buf, size_t len);

struct an_stat {
	size_t n;    /* replications that had the value; 0: missing */
	double mean;
	double half; /* 95% CI half-width; NaN when n < 2 */
};

/* "mean±half", "mean" (one replication, or no spread) or "-" (missing); 'scale'
 * multiplies both (1e9 for ETH -> gwei). */
void an_fmt_stat(const struct an_stat *st, double scale, char *buf,
		 size_t len);

/* One sweep point of one scenario: its replications. */
struct an_point {
	char *sweep_json;  /* canonical: sorted keys, compact */
	char *label;       /* "count=8, fork=pectra"; "" without a sweep */
	json_t *sweep;     /* the object (owned): --set and sweep values */
	json_t *sets;      /* the --set values alone (owned), or NULL */
	int64_t *runs;     /* run ids, ascending */
	size_t n_runs;
};

/* The runs of one scenario name. */
struct an_group {
	char *scenario;
	char *sha256;      /* of the newest run */
	char *engine;      /* engine_version of the newest run */
	struct an_point *points; /* in order of first appearance */
	size_t n_points;
	char **systems;    /* components with tx_offered, natural order, "all" last */
	size_t n_systems;
	char **bases;      /* system names without "#k", natural order, "all" last */
	size_t n_bases;
	size_t n_runs;     /* runs used */
	size_t n_skipped;  /* runs left out: status not "ok" */
};

struct an_set {
	sqlite3 *db;              /* not owned */
	sqlite3_stmt *get_metric; /* (run, component, name) -> value */
	struct an_group *groups;  /* in order of first appearance */
	size_t n_groups;
};

/* Loads the groups of 'db'.  With ids != NULL, exactly those runs (in that
 * order); with ids == NULL, every run under the rule in the comment at the
 * top.  Returns 0, L2S_EDB, L2S_EINPUT (an id that is not in the database),
 * L2S_ENOMEM. */
int an_set_load(struct an_set *set, sqlite3 *db, const int64_t *ids,
		size_t n, struct l2s_error *err);
void an_set_release(struct an_set *set);

/* Summary lines of aggregators and key stores (summary_settle.c). */
int an_settle_lines(struct an_set *set, const struct an_group *g,
		    struct an_buf *b, struct l2s_error *err);

/* The group named 'scenario', or NULL. */
struct an_group *an_set_find(struct an_set *set, const char *scenario);

/* One metric of one run.  Returns 1 and sets *v when present and not NULL,
 * 0 when missing, or L2S_EDB. */
int an_metric_get(struct an_set *set, int64_t run, const char *component,
		  const char *name, double *v, struct l2s_error *err);

/* The value of 'name' for 'component' in one run; when 'component' is a
 * base name whose instances are "component#k", the mean over its
 * instances.  Same returns as an_metric_get(). */
int an_metric_get_base(struct an_set *set, const struct an_group *g,
		       int64_t run, const char *component, const char *name,
		       double *v, struct l2s_error *err);

/* Mean and CI of a metric over the runs of a point ('base': use
 * an_metric_get_base). */
int an_point_stat(struct an_set *set, const struct an_group *g,
		  const struct an_point *p, const char *component,
		  const char *name, int base, struct an_stat *st,
		  struct l2s_error *err);

/* "systems[0].count=8, l1.fork=pectra" -> "count=8, fork=pectra"; keys
 * in the object's order, 'skip' (may be NULL) left out.  Caller frees;
 * NULL when out of memory. */
char *an_sweep_label(json_t *sweep, const char *skip);

/* Opens a results database read-only with the message the commands share. */
int an_db_open(const char *path, struct resdb **out, struct l2s_error *err);

/* The trust table of run 'run' (trust.c): text for the summary, HTML and
 * Markdown for the report.  Nothing when the run has no systems rows.
 * Returns 0 or L2S_EDB. */
int an_trust_text(sqlite3 *db, int64_t run, struct an_buf *b,
		  struct l2s_error *err);
int an_trust_html(sqlite3 *db, int64_t run, struct an_buf *html,
		  struct an_buf *md, struct l2s_error *err);

/* strcmp, except that "x#10" sorts after "x#9" and "all" last. */
int an_component_cmp(const char *a, const char *b);

/* ---- html.c: page text, used by report.c and report_plot.c ------------ */

/* Appends 'text' to 'b' with &, <, >, " and ' escaped. */
void html_escape(struct an_buf *b, const char *text);

/* Appends 'text' as a Markdown table cell: pipes, newlines and markup
 * characters escaped. */
void html_md_escape(struct an_buf *b, const char *text);

/* Writes 'len' bytes to dir/rel.  Returns 0 or L2S_EIO. */
int html_write_file(const char *dir, const char *rel, const char *text,
		    size_t len, struct l2s_error *err);

/* ---- report (report.c calls report_plot.c, never the reverse) --------- */

/* A report being built in a staging directory. */
struct report {
	struct an_set *set;
	const char *dir;       /* staging directory; files below it */
	struct an_buf html;    /* report.html body */
	struct an_buf md;      /* report.md */
	struct an_buf all_gp;  /* gnuplot/all.gp: loads every plot script */
	size_t n_plots;
	struct an_buf toc;     /* <li> entries of the page's contents */
	int interactive;       /* gnuplot's canvas scripts copied to js/ */
	char **colors;         /* system names in order of first colour */
	size_t n_colors;
	struct l2s_error *err;
};

/* Plots of one scenario (group index gi); each writes its data and
 * script, adds itself to all.gp and adds a figure to the HTML and
 * Markdown.  Return 0 or a negative code.  report_plot.c: */
int report_plot_sweeps(struct report *r, size_t gi);
int report_plot_bars(struct report *r, size_t gi);
/* report_series.c: time series, small multiples over sweep points */
int report_plot_series(struct report *r, size_t gi);
/* report_views.c: costs, the blob market, scaling, liveness */
int report_plot_costs(struct report *r, size_t gi);
int report_plot_blob_market(struct report *r, size_t gi);
int report_plot_scaling(struct report *r, size_t gi);
int report_plot_scenarios(struct report *r);
int report_plot_liveness(struct report *r, size_t gi);

/* ---- plot helpers shared by report_plot.c, report_series.c and
 * report_views.c (defined in report_plot.c) ---------------------------- */

/* Range of plotted values: log or zero-anchored axes. */
struct rp_range {
	double min_pos, max, min;
	int negative, any;
};
void rp_range_add(struct rp_range *g, double v);
/* Positive values spanning more than three decades. */
int rp_range_log(const struct rp_range *g);
/* "set logscale AXIS", or a range from 0 when the values vary by less
 * than a fifth of their size (autoscale would zoom into noise). */
void rp_range_settings(struct an_buf *set, const struct rp_range *g,
		       const char *axis);
/* Appends a gnuplot single-quoted string / a data-file label. */
void rp_quote(struct an_buf *b, const char *s);
void rp_data_label(struct an_buf *b, const char *s);
/* The colour of a system ("name" or "name#k") in every plot of the
 * report, as "#rrggbb"; "all" black, "l1" grey. */
const char *rp_color(struct report *r, const char *component);
/* Writes the plot (see report_plot.c); width, height 0: 960 x 540. */
int rp_emit(struct report *r, const char *id, const char *title,
	    const char *caption, const char *settings, const char *plot,
	    const struct an_buf *data, int width, int height);
/* Small multiples: a gnuplot multiplot of n panels; *cols its columns. */
void rp_multi_begin(struct an_buf *plot, const char *title, size_t n,
		    size_t *cols);
void rp_panel_begin(struct an_buf *plot, size_t k, const char *title);
void rp_multi_end(struct an_buf *plot);
void rp_multi_size(size_t n, int *w, int *h);
/* Whether "all" is worth drawing (more than one system instance). */
int rp_show_all(const struct an_group *g);
/* A sweep value as a number (a number, or a zipped list of one number);
 * 0 when it is not. */
int rp_sweep_number(json_t *v, double *x);
void rp_sweep_axis_label(struct an_buf *b, const char *key);
/* x-axis settings for sorted numeric sweep values x[0..n-1]. */
void rp_sweep_xaxis(struct an_buf *set, const double *x, size_t n);
int rp_sweep_keys(const struct an_group *g, char ***keys, size_t *n_keys);
int rp_strv_push(char ***v, size_t *n, char *s);
void rp_strv_free(char **v, size_t n);
int rp_cmp_double(const void *a, const void *b);

/* The users'-fee tables of one scenario (report_fees.c): nothing when no
 * system of it charges fees.  Returns 1 when written, 0 when not, or a
 * negative code. */
int report_fee_tables(struct report *r, const struct an_group *g);
/* The users'-fee lines of the summary after a run (report_fees.c): one
 * per system with fees and sweep point; nothing without fees. */
int summary_fee_lines(struct an_set *set, const struct an_group *g,
		      struct an_buf *b, struct l2s_error *err);
/* Builds a report in a staging directory beside 'out_dir' (NULL or "":
 * 'dflt'): 'fill' adds sections to r and ends with report_write(); the
 * directory is moved into place when fill succeeds (report.c). */
int report_in_dir(const char *out_dir, const char *dflt, struct an_set *set,
		  int (*fill)(struct report *r, void *ctx), void *ctx,
		  struct l2s_error *err);
/* Writes report.html ("l2sim KIND: NAME", the contents from r->toc),
 * report.md and all.gp, and renders the plots. */
int report_write(struct report *r, const char *kind, const char *name);
void report_toc_add(struct report *r, const char *anchor, const char *text);

/* 0 when gnuplot is on PATH, else L2S_EIO with an install hint. */
int report_find_gnuplot(struct l2s_error *err);
/* Runs gnuplot on dir/gnuplot/all.gp (working directory 'dir') and checks
 * that every plot was rendered.  Returns 0 or L2S_EIO. */
int report_render(struct report *r);

/* Whether the database has table 'name' (an older schema may lack it). */
int an_table_exists(sqlite3 *db, const char *name);

/* A metric shown as a table column: its name, its heading, and the factor
 * from the stored value to the one shown (1e9: ETH as gwei). */
struct an_col {
	const char *name, *head;
	double scale;
};

#endif
