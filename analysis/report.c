/*
 * `l2sim report`: an HTML page and a Markdown file with tables of metrics
 * and gnuplot plots, one section per scenario, built in a staging
 * directory and moved into place when complete.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "l2sim/results.h"

#include "analysis_internal.h"

#ifndef L2SIM_VERSION
#define L2SIM_VERSION "unknown"
#endif

/* ---- tables ------------------------------------------------------------ */

static const struct an_col table_cols[] = {
	{"tps_offered", "TPS offered", 1},
	{"tps_posted", "TPS posted", 1},
	{"l1_da_bytes_per_tx", "L1 DA bytes/tx", 1},
	{"da_bytes_per_tx", "DA bytes/tx", 1},
	{"l1_blob_fill", "blob fill", 1},
	{"cost_eth_per_tx", "cost gwei/tx", 1e9},
	{"latency_sequenced_p50", "sequenced p50 s", 1},
	{"latency_sequenced_p99", "sequenced p99 s", 1},
	{"latency_posted_p50", "posted p50 s", 1},
	{"latency_posted_p99", "posted p99 s", 1},
	{"latency_justified_p50", "justified p50 s", 1},
	{"latency_finalized_p50", "finalized p50 s", 1},
	{"latency_finalized_p99", "finalized p99 s", 1},
	{"backlog_max", "backlog max", 1},
	{"tx_dropped", "dropped", 1},
	{"liveness_failures", "liveness failures", 1},
};

static const struct an_col l1_cols[] = {
	{"blocks", "blocks", 1},
	{"base_fee_gwei_mean", "base fee mean gwei", 1},
	{"base_fee_gwei_max", "base fee max gwei", 1},
	{"blob_base_fee_gwei_mean", "blob fee mean gwei", 1},
	{"blob_base_fee_gwei_max", "blob fee max gwei", 1},
	{"blobs_per_block_mean", "blobs/block", 1},
	{"blob_utilization", "blob utilization", 1},
	{"gas_utilization", "gas utilization", 1},
};

/* Sequencing and composability (docs/model-sequencing.md): a row only for
 * systems where one of them is not zero, the table only when a row is. */
static const struct an_col seq_cols[] = {
	{"mev_eth", "MEV ETH", 1},
	{"mev_to_sequencer_eth", "to sequencer", 1},
	{"mev_to_system_eth", "to system", 1},
	{"mev_to_l1_eth", "to L1", 1},
	{"auction_revenue_eth", "auction ETH", 1},
	{"rotation_down_seconds", "no leader s", 1},
	{"bundles_atomic", "bundles atomic", 1},
	{"bundles_failed", "bundles failed", 1},
	{"msg_delivered", "messages", 1},
	{"msg_latency_p50", "message p50 s", 1},
	{"msg_cost_eth", "relay ETH", 1},
};

#define N_TABLE_COLS (sizeof(table_cols) / sizeof(table_cols[0]))
#define N_L1_COLS (sizeof(l1_cols) / sizeof(l1_cols[0]))
#define N_SEQ_COLS (sizeof(seq_cols) / sizeof(seq_cols[0]))

enum { TAB_MAIN, TAB_L1, TAB_SEQ };

static size_t tab_cols(int t)
{
	return t == TAB_L1 ? N_L1_COLS : t == TAB_SEQ ? N_SEQ_COLS
						       : N_TABLE_COLS;
}

static const struct an_col *tab_col(int t, size_t i)
{
	return t == TAB_L1 ? &l1_cols[i] : t == TAB_SEQ ? &seq_cols[i]
							: &table_cols[i];
}

/* One row of cells (HTML and Markdown) of table 'l1' (TAB_*); returns
 * whether it was written (a cell had a value; not zero, for TAB_SEQ). */
static int table_row(struct report *r, const struct an_group *g,
		     const struct an_point *p, const char *comp, int l1)
{
	struct an_stat st;
	char cell[64];
	size_t n = tab_cols(l1);
	int any = 0;
	struct an_buf h = {0}, m = {0};

	an_buf_puts(&h, "<tr><th>");
	html_escape(&h, comp);
	an_buf_puts(&h, "</th>");
	an_buf_puts(&m, "| ");
	html_md_escape(&m, comp);
	for (size_t i = 0; i < n; i++) {
		int rc = an_point_stat(r->set, g, p, comp, tab_col(l1, i)->name, 0,
				       &st, r->err);
		if (rc < 0) {
			an_buf_release(&h);
			an_buf_release(&m);
			return rc;
		}
		any |= st.n > 0 && (l1 != TAB_SEQ || st.mean != 0);
		an_fmt_stat(&st, tab_col(l1, i)->scale, cell, sizeof(cell));
		an_buf_puts(&h, "<td>");
		html_escape(&h, cell);
		an_buf_puts(&h, "</td>");
		an_buf_printf(&m, " | %s", cell);
	}
	an_buf_puts(&h, "</tr>\n");
	an_buf_puts(&m, " |\n");
	if (any) {
		an_buf_puts(&r->html, h.s);
		an_buf_puts(&r->md, m.s);
	}
	an_buf_release(&h);
	an_buf_release(&m);
	return any;
}

static void table_head(struct report *r, int l1)
{
	size_t n = tab_cols(l1);

	an_buf_printf(&r->html, "<div class=\"scroll\"><table>\n<tr><th>%s"
		      "</th>", l1 == TAB_L1 ? "" : "system");
	an_buf_printf(&r->md, "| %s |", l1 == TAB_L1 ? "" : "system");
	for (size_t i = 0; i < n; i++) {
		const char *h = tab_col(l1, i)->head;
		an_buf_printf(&r->html, "<th>%s</th>", h);
		an_buf_printf(&r->md, " %s |", h);
	}
	an_buf_puts(&r->html, "</tr>\n");
	an_buf_puts(&r->md, "\n|---|");
	for (size_t i = 0; i < n; i++)
		an_buf_puts(&r->md, "---:|");
	an_buf_puts(&r->md, "\n");
}

static int tables(struct report *r, const struct an_group *g)
{
	int rc;

	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];

		if (p->label[0]) {
			an_buf_puts(&r->html, "<h4>sweep point ");
			html_escape(&r->html, p->label);
			an_buf_printf(&r->html, " <small>(%zu replication%s)"
				      "</small></h4>\n", p->n_runs,
				      p->n_runs == 1 ? "" : "s");
			an_buf_printf(&r->md, "#### Sweep point %s (%zu "
				      "replication%s)\n\n", p->label,
				      p->n_runs, p->n_runs == 1 ? "" : "s");
		}
		table_head(r, TAB_MAIN);
		for (size_t s = 0; s < g->n_systems; s++)
			if ((rc = table_row(r, g, p, g->systems[s],
					    TAB_MAIN)) < 0)
				return rc;
		an_buf_puts(&r->html, "</table></div>\n");
		an_buf_puts(&r->md, "\n");
		/* sequencing table only when some system has such values */
		size_t mark_h = r->html.len, mark_m = r->md.len;
		int rows = 0;
		table_head(r, TAB_SEQ);
		for (size_t s = 0; s < g->n_systems; s++) {
			if ((rc = table_row(r, g, p, g->systems[s],
					    TAB_SEQ)) < 0)
				return rc;
			rows += rc;
		}
		if (rows == 0 && !r->html.oom && !r->md.oom) {
			r->html.len = mark_h;
			r->html.s[mark_h] = '\0';
			r->md.len = mark_m;
			r->md.s[mark_m] = '\0';
		} else {
			an_buf_puts(&r->html, "</table></div>\n");
			an_buf_puts(&r->md, "\n");
		}
		/* l1 table only when the run has l1 metrics */
		mark_h = r->html.len;
		mark_m = r->md.len;
		table_head(r, TAB_L1);
		rc = table_row(r, g, p, "l1", TAB_L1);
		if (rc < 0)
			return rc;
		if (rc == 0 && !r->html.oom && !r->md.oom) {
			r->html.len = mark_h;
			r->html.s[mark_h] = '\0';
			r->md.len = mark_m;
			r->md.s[mark_m] = '\0';
		} else {
			an_buf_puts(&r->html, "</table></div>\n");
			an_buf_puts(&r->md, "\n");
		}
	}
	return 0;
}

/* Proof aggregators and key-store designs, as in the summary. */
static int report_settle_lines(struct report *r, const struct an_group *g)
{
	struct an_buf t = {0};
	int rc = an_settle_lines(r->set, g, &t, r->err);
	if (rc >= 0 && t.oom)
		rc = l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	if (rc >= 0 && t.len) {
		an_buf_puts(&r->html, "<h3>Settlement</h3>\n<pre>");
		html_escape(&r->html, t.s);
		an_buf_puts(&r->html, "</pre>\n");
		an_buf_printf(&r->md, "### Settlement\n\n```\n%s```\n\n", t.s);
	}
	an_buf_release(&t);
	return rc < 0 ? rc : 0;
}

/* ---- page -------------------------------------------------------------- */

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em auto;"
	"max-width:1400px;padding:0 1em;color:#222;line-height:1.4}"
	"h1,h2,h3{color:#123}h2{border-bottom:2px solid #ccd;"
	"padding-bottom:.2em;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}"
	"th,td{border:1px solid #ccd;padding:.25em .6em;text-align:right;"
	"white-space:nowrap}tr>th:first-child{text-align:left}"
	"tr:nth-child(even){background:#f4f6fa}"
	".scroll{overflow-x:auto}"
	".plots{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(620px,1fr));gap:1em}"
	".plots figure.wide{grid-column:1/-1;max-width:1400px}"
	"figure{margin:0;border:1px solid #dde;padding:.4em;background:#fff}"
	"figure img{width:100%;height:auto}"
	"figcaption{font-size:.85em;color:#555}"
	"code{background:#f0f0f4;padding:0 .2em}"
	"details{margin:.5em 0}summary{cursor:pointer;color:#234}"
	"td.worse,p.worse{background:#fde0dc}td.better{background:#dcf5dc}";

static int section(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	size_t before;
	int rc;

	an_buf_printf(&r->html, "<section id=\"s%zu\">\n<h2>Scenario ",
		      gi + 1);
	html_escape(&r->html, g->scenario);
	an_buf_puts(&r->html, "</h2>\n<table>\n");
	an_buf_printf(&r->md, "## Scenario %s\n\n", g->scenario);
	an_buf_printf(&r->html, "<tr><th>runs used</th><td>%zu</td></tr>\n"
		      "<tr><th>sweep points</th><td>%zu</td></tr>\n",
		      g->n_runs, g->n_points);
	an_buf_printf(&r->md, "- runs used: %zu\n- sweep points: %zu\n",
		      g->n_runs, g->n_points);
	if (g->n_skipped) {
		an_buf_printf(&r->html, "<tr><th>runs left out (status not "
			      "ok)</th><td>%zu</td></tr>\n", g->n_skipped);
		an_buf_printf(&r->md, "- runs left out (status not ok): %zu\n",
			      g->n_skipped);
	}
	if (g->sha256) {
		an_buf_puts(&r->html, "<tr><th>scenario sha256</th><td><code>");
		html_escape(&r->html, g->sha256);
		an_buf_puts(&r->html, "</code></td></tr>\n<tr><th>engine "
			    "version</th><td>");
		html_escape(&r->html, g->engine);
		an_buf_puts(&r->html, "</td></tr>\n");
		an_buf_printf(&r->md, "- scenario sha256: `%s`\n- engine "
			      "version: %s\n", g->sha256, g->engine);
	}
	an_buf_puts(&r->html, "</table>\n");
	an_buf_puts(&r->md, "\n");
	if (g->n_points == 0) {
		an_buf_puts(&r->html, "<p>No successful run.</p>\n</section>\n");
		an_buf_puts(&r->md, "No successful run.\n\n");
		return 0;
	}

	an_buf_puts(&r->html, "<h3>Metrics</h3>\n<p>Mean over replications"
		    "; ± is the half-width of the 95% confidence interval "
		    "(Student t).  Cost in gwei per posted transaction.</p>\n");
	an_buf_puts(&r->md, "### Metrics\n\nMean over replications; ± is the "
		    "half-width of the 95% confidence interval (Student t). "
		    "Cost in gwei per posted transaction.\n\n");
	/* with a sweep, the tables of every point fold away: the figures
	 * come first */
	if (g->n_points > 1)
		an_buf_printf(&r->html, "<details><summary>Tables of the %zu "
			      "sweep points</summary>\n", g->n_points);
	if ((rc = tables(r, g)) < 0)
		return rc;
	if (g->n_points > 1)
		an_buf_puts(&r->html, "</details>\n");
	if ((rc = report_settle_lines(r, g)) < 0)
		return rc;
	/* the trust profile of each system (table 'systems') */
	if ((rc = an_trust_html(r->set->db, g->points[0].runs[0], &r->html,
				&r->md, r->err)) < 0)
		return rc;
	if ((rc = report_fee_tables(r, g)) < 0)
		return rc;
	rc = 0;

	static const char *const heads[] = {
		"Systems compared", "Where the cost goes", "Scaling", "Sweeps",
		"Blob market", "Liveness", "Time series",
	};
	/* a sweep's own figures first */
	static const int order_plain[] = {0, 1, 2, 3, 4, 5, 6};
	static const int order_sweep[] = {2, 3, 0, 1, 4, 5, 6};
	const int *order = g->n_points > 1 ? order_sweep : order_plain;
	for (int k = 0; k < 7; k++) {
		int part = order[k];
		size_t mark_h = r->html.len, mark_m = r->md.len;

		an_buf_printf(&r->html, "<h3>%s</h3>\n<div class=\"plots\">\n",
			      heads[part]);
		an_buf_printf(&r->md, "### %s\n\n", heads[part]);
		before = r->n_plots;
		switch (part) {
		case 0: rc = report_plot_bars(r, gi); break;
		case 1: rc = report_plot_costs(r, gi); break;
		case 2: rc = report_plot_scaling(r, gi); break;
		case 3: rc = report_plot_sweeps(r, gi); break;
		case 4: rc = report_plot_blob_market(r, gi); break;
		case 5: rc = report_plot_liveness(r, gi); break;
		default: rc = report_plot_series(r, gi); break;
		}
		if (rc < 0)
			return rc;
		if (r->n_plots == before && !r->html.oom && !r->md.oom) {
			r->html.len = mark_h;
			r->html.s[mark_h] = '\0';
			r->md.len = mark_m;
			r->md.s[mark_m] = '\0';
		} else {
			an_buf_puts(&r->html, "</div>\n");
		}
	}
	an_buf_puts(&r->html, "</section>\n");
	return 0;
}

int report_write(struct report *r, const char *kind, const char *name)
{
	struct an_buf page = {0};
	int rc;

	an_buf_puts(&page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n<title>l2sim ");
	an_buf_printf(&page, "%s: ", kind);
	html_escape(&page, name);
	an_buf_printf(&page, "</title>\n<style>%s</style>\n</head>\n<body>\n"
		      "<h1>l2sim %s: ", css, kind);
	html_escape(&page, name);
	an_buf_printf(&page, "</h1>\n<p>l2sim %s. Click a plot for its SVG "
		      "version. The gnuplot scripts and data behind each plot "
		      "are in <code>gnuplot/</code> and <code>data/</code>; "
		      "render them again with <code>gnuplot "
		      "gnuplot/all.gp</code> in this directory.</p>\n<ul>\n",
		      L2SIM_VERSION);
	an_buf_puts(&page, r->toc.s ? r->toc.s : "");
	an_buf_puts(&page, "</ul>\n");
	an_buf_puts(&page, r->html.s ? r->html.s : "");
	an_buf_puts(&page, "</body>\n</html>\n");
	if (page.oom || r->html.oom || r->md.oom || r->all_gp.oom ||
	    r->toc.oom) {
		an_buf_release(&page);
		return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
	}
	rc = html_write_file(r->dir, "gnuplot/all.gp", r->all_gp.s ?
			     r->all_gp.s : "", r->all_gp.len, r->err);
	if (rc == 0)
		rc = report_render(r);
	if (rc == 0)
		rc = html_write_file(r->dir, "report.md", r->md.s ? r->md.s :
				     "", r->md.len, r->err);
	if (rc == 0)
		rc = html_write_file(r->dir, "report.html", page.s,
				     page.len, r->err);
	an_buf_release(&page);
	return rc;
}

void report_toc_add(struct report *r, const char *anchor, const char *text)
{
	an_buf_printf(&r->toc, "<li><a href=\"#%s\">", anchor);
	html_escape(&r->toc, text);
	an_buf_puts(&r->toc, "</a></li>\n");
}

static int build(struct report *r, void *ctx)
{
	const char *db_name = ctx;
	int rc;

	an_buf_puts(&r->all_gp, "# l2sim report: every plot; run from the "
		    "report directory: gnuplot gnuplot/all.gp\n");
	an_buf_printf(&r->md, "# l2sim report: %s\n\nl2sim %s; %zu "
		      "scenario%s. Plots link to SVG versions; the gnuplot "
		      "scripts and data are in `gnuplot/` and `data/` "
		      "(render again with `gnuplot gnuplot/all.gp` in this "
		      "directory).\n\n", db_name, L2SIM_VERSION,
		      r->set->n_groups, r->set->n_groups == 1 ? "" : "s");
	for (size_t i = 0; i < r->set->n_groups; i++) {
		char anchor[32];
		snprintf(anchor, sizeof(anchor), "s%zu", i + 1);
		report_toc_add(r, anchor, r->set->groups[i].scenario);
		if ((rc = section(r, i)) < 0)
			return rc;
	}
	if (r->set->n_groups > 1)
		report_toc_add(r, "compare", "scenarios compared");
	if ((rc = report_plot_scenarios(r)) < 0)
		return rc;
	return report_write(r, "report", db_name);
}

/* ---- directories ------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Copies gnuplot's canvas-terminal scripts (zoom, hover) into dir/js, so
 * that the interactive versions of the plots work offline.  1 when
 * copied, 0 when this gnuplot has none (the report then has none). */
static int copy_canvas_js(const char *dir)
{
	static const char *const files[] = {
		"canvastext.js", "canvasmath.js", "gnuplot_common.js",
		"gnuplot_dashedlines.js",
		"gnuplot_mouse.js", "gnuplot_mouse.css", "grid.png",
		"previouszoom.png", "nextzoom.png", "textzoom.png",
		"return.png", "help.png",
	};
	glob_t g;
	char src[4096], dst[4096], buf[65536];
	int ok = 0;

	if (glob("/usr/share/gnuplot/gnuplot/*/js/gnuplot_mouse.js", 0, NULL,
		 &g) != 0)
		return 0;
	snprintf(dst, sizeof(dst), "%s/js", dir);
	if (g.gl_pathc && mkdir(dst, 0755) == 0) {
		/* the newest version sorts last */
		const char *js = g.gl_pathv[g.gl_pathc - 1];
		size_t base = strlen(js) - strlen("gnuplot_mouse.js");
		ok = 1;
		for (size_t i = 0; ok && i < sizeof(files) / sizeof(*files);
		     i++) {
			snprintf(src, sizeof(src), "%.*s%s", (int)base, js,
				 files[i]);
			snprintf(dst, sizeof(dst), "%s/js/%s", dir, files[i]);
			FILE *in = fopen(src, "rb"), *out = NULL;
			size_t n;
			if (!in)
				continue; /* an icon this version lacks */
			out = fopen(dst, "wb");
			while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
				if (fwrite(buf, 1, n, out) != n)
					ok = 0;
			if (!out || fclose(out) != 0)
				ok = 0;
			fclose(in);
		}
	}
	globfree(&g);
	return ok;
}

/* 1: 'dir' does not exist; 0: it may be replaced; <0: it may not. */
static int check_target(const char *dir, struct l2s_error *err)
{
	struct stat sb;
	char marker[4096];
	int empty = 1;

	if (stat(dir, &sb) != 0)
		return errno == ENOENT ? 1 :
			l2s_error_set(err, L2S_EIO, "cannot use '%s': %s", dir,
				      strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return l2s_error_set(err, L2S_EUSAGE, "'%s' exists and is not "
				     "a directory", dir);
	snprintf(marker, sizeof(marker), "%s/report.html", dir);
	if (access(marker, F_OK) == 0)
		return 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	if (d)
		closedir(d);
	if (!empty) {
		l2s_error_set(err, L2S_EUSAGE, "'%s' exists and does not hold "
			      "a report; not replacing it", dir);
		l2s_error_hint(err, "choose another directory with --out");
		return L2S_EUSAGE;
	}
	return 0;
}

int report_in_dir(const char *out_dir, const char *dflt, struct an_set *set,
		  int (*fill)(struct report *r, void *ctx), void *ctx,
		  struct l2s_error *err)
{
	struct report r;
	char *dir = NULL, *stage = NULL, *old = NULL, *tmp = NULL;
	int rc, absent;

	memset(&r, 0, sizeof(r));
	dir = strdup(out_dir && *out_dir ? out_dir : dflt);
	if (!dir)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
		dir[l - 1] = '\0';
	if ((rc = absent = check_target(dir, err)) < 0)
		goto out;

	/* stage beside the target so that rename() moves it in place */
	tmp = strdup(dir);
	if (!tmp || mkdir_p(dirname(tmp)) != 0) {
		rc = l2s_error_set(err, L2S_EIO, "cannot create the parent "
				   "of '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (asprintf(&stage, "%s.tmp-XXXXXX", dir) < 0) {
		stage = NULL;
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	if (!mkdtemp(stage)) {
		free(stage);
		stage = NULL;
		rc = l2s_error_set(err, L2S_EIO, "cannot create a directory "
				   "beside '%s': %s", dir, strerror(errno));
		goto out;
	}
	chmod(stage, 0755);
	static const char *const subdirs[] = {"data", "plots", "gnuplot"};
	for (size_t i = 0; i < 3; i++) {
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", stage, subdirs[i]);
		if (mkdir(sub, 0755) != 0) {
			rc = l2s_error_set(err, L2S_EIO, "cannot create '%s': "
					   "%s", sub, strerror(errno));
			goto out;
		}
	}
	r.set = set;
	r.dir = stage;
	r.err = err;
	r.interactive = copy_canvas_js(stage);
	if ((rc = fill(&r, ctx)) < 0)
		goto out;

	if (!absent) {
		/* move the earlier report aside, then drop it */
		if (asprintf(&old, "%s.old-XXXXXX", dir) < 0 || !mkdtemp(old) ||
		    rename(dir, old) != 0) {
			rc = l2s_error_set(err, L2S_EIO, "cannot replace '%s': "
					   "%s", dir, strerror(errno));
			if (old)
				rmdir(old);
			free(old);
			old = NULL;
			goto out;
		}
	}
	if (rename(stage, dir) != 0) {
		rc = l2s_error_set(err, L2S_EIO, "cannot move the report to "
				   "'%s': %s", dir, strerror(errno));
		if (old)
			rename(old, dir);
		goto out;
	}
	free(stage);
	stage = NULL;
	if (old)
		rm_tree(old);
	rc = 0;
out:
	if (stage)
		rm_tree(stage);
	an_buf_release(&r.html);
	an_buf_release(&r.md);
	an_buf_release(&r.all_gp);
	an_buf_release(&r.toc);
	for (size_t i = 0; i < r.n_colors; i++)
		free(r.colors[i]);
	free(r.colors);
	free(old);
	free(stage);
	free(tmp);
	free(dir);
	return rc;
}

int report_build(const char *db_path, const char *out_dir,
		 struct l2s_error *err)
{
	struct resdb *rdb = NULL;
	struct an_set set;
	char *dflt = NULL;
	const char *db_name;
	int rc, set_loaded = 0;

	db_name = strrchr(db_path, '/');
	db_name = db_name ? db_name + 1 : db_path;
	{
		size_t l = strlen(db_name);
		if (l > 3 && strcmp(db_name + l - 3, ".db") == 0)
			l -= 3;
		if (asprintf(&dflt, "results/report-%.*s", (int)l, db_name) < 0)
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	if ((rc = report_find_gnuplot(err)) < 0)
		goto out;
	if ((rc = an_db_open(db_path, &rdb, err)) < 0)
		goto out;
	if ((rc = an_set_load(&set, resdb_handle(rdb), NULL, 0, err)) < 0)
		goto out;
	set_loaded = 1;
	if (set.n_groups == 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", db_path);
		rc = l2s_error_set(err, L2S_EINPUT, "the database holds no "
				   "runs");
		goto out;
	}
	rc = report_in_dir(out_dir, dflt, &set, build, (void *)db_name, err);
out:
	if (set_loaded)
		an_set_release(&set);
	resdb_close(rdb);
	free(dflt);
	return rc;
}
