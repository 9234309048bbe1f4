/*
 * `l2sim diff BEFORE.db AFTER.db`: the report of two databases side by
 * side, with what changed highlighted.  Scenarios are matched by name and
 * sweep points by their values; every number is the mean over the
 * replications of its point (the report's rule for which runs count).
 * A change counts when it exceeds CHECK_DEFAULT_TOLERANCE_PCT of the
 * before value, and is worse or better by check_metric_direction().
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/results.h"

#include "analysis_internal.h"

struct diff_ctx {
	struct an_set *a, *b;     /* before, after */
	const char *name_a, *name_b;
	size_t worse, better, same, only;
};

static const struct an_col cols[] = {
	{"tps_posted", "TPS posted", 1},
	{"l1_da_bytes_per_tx", "L1 DA bytes/tx", 1},
	{"cost_eth_per_tx", "cost gwei/tx", 1e9},
	{"latency_posted_p50", "posted p50 s", 1},
	{"latency_finalized_p50", "finalized p50 s", 1},
	{"backlog_max", "backlog max", 1},
	{"liveness_failures", "liveness failures", 1},
	{"tx_dropped", "dropped", 1},
};
#define N_COLS (sizeof(cols) / sizeof(cols[0]))

static const struct an_point *find_point(const struct an_group *g,
					 const char *sweep_json)
{
	for (size_t i = 0; g && i < g->n_points; i++)
		if (!strcmp(g->points[i].sweep_json, sweep_json))
			return &g->points[i];
	return NULL;
}

/* -1 worse, +1 better, 0 within the tolerance or no direction. */
static int judge(const char *metric, double before, double after)
{
	double tol = CHECK_DEFAULT_TOLERANCE_PCT;
	double change = before == 0 ? after * 100 :
		(after - before) / fabs(before) * 100;
	int dir = check_metric_direction(metric);

	if (!isfinite(change) || fabs(change) <= tol)
		return 0;
	if (dir == 0)
		return -1; /* a move either way is worth a look */
	return (dir > 0) == (change > 0) ? -1 : 1;
}

static void cell(struct report *r, struct diff_ctx *d, const char *metric,
		 double scale, const struct an_stat *sa,
		 const struct an_stat *sb)
{
	char va[48], vb[48], ch[48] = "";
	const char *cls = "";

	an_fmt_stat(sa, scale, va, sizeof(va));
	an_fmt_stat(sb, scale, vb, sizeof(vb));
	if (sa->n && sb->n) {
		int j = judge(metric, sa->mean, sb->mean);
		cls = j < 0 ? " class=\"worse\"" : j > 0 ? " class=\"better\"" :
			"";
		d->worse += j < 0;
		d->better += j > 0;
		d->same += j == 0;
		if (sa->mean != 0)
			snprintf(ch, sizeof(ch), " (%+.1f%%)", (sb->mean -
				 sa->mean) / fabs(sa->mean) * 100);
		else if (sb->mean != 0)
			snprintf(ch, sizeof(ch), " (was 0)");
	} else if (sa->n || sb->n) {
		cls = " class=\"worse\"";
		d->only++;
	}
	an_buf_printf(&r->html, "<td%s>", cls);
	html_escape(&r->html, va);
	an_buf_puts(&r->html, " &rarr; ");
	html_escape(&r->html, vb);
	html_escape(&r->html, ch);
	an_buf_puts(&r->html, "</td>");
	an_buf_printf(&r->md, " %s → %s%s%s |", va, vb, ch,
		      cls[0] ? (strstr(cls, "worse") ? " ⚠" : " ✓") : "");
}

static int table(struct report *r, struct diff_ctx *d,
		 const struct an_group *ga, const struct an_group *gb,
		 const struct an_point *pa, const struct an_point *pb)
{
	char **comps = NULL;
	size_t n_comps = 0;
	int rc = 0;

	for (int side = 0; side < 2; side++) {
		const struct an_group *g = side ? gb : ga;
		for (size_t i = 0; i < g->n_bases; i++) {
			char *c = strdup(g->bases[i]);
			if (!c || rp_strv_push(&comps, &n_comps, c) < 0) {
				rp_strv_free(comps, n_comps);
				return l2s_error_set(r->err, L2S_ENOMEM,
						     "out of memory");
			}
		}
	}
	an_buf_puts(&r->html, "<div class=\"scroll\"><table>\n<tr><th>system"
		    "</th>");
	an_buf_puts(&r->md, "| system |");
	for (size_t k = 0; k < N_COLS; k++) {
		an_buf_printf(&r->html, "<th>%s</th>", cols[k].head);
		an_buf_printf(&r->md, " %s |", cols[k].head);
	}
	an_buf_puts(&r->html, "</tr>\n");
	an_buf_puts(&r->md, "\n|---|");
	for (size_t k = 0; k < N_COLS; k++)
		an_buf_puts(&r->md, "---:|");
	an_buf_puts(&r->md, "\n");
	for (size_t c = 0; c < n_comps && rc == 0; c++) {
		an_buf_puts(&r->html, "<tr><th>");
		html_escape(&r->html, comps[c]);
		an_buf_puts(&r->html, "</th>");
		an_buf_puts(&r->md, "| ");
		html_md_escape(&r->md, comps[c]);
		an_buf_puts(&r->md, " |");
		for (size_t k = 0; k < N_COLS && rc == 0; k++) {
			struct an_stat sa = {0}, sb = {0};
			rc = an_point_stat(d->a, ga, pa, comps[c], cols[k].name,
					   1, &sa, r->err);
			if (rc == 0)
				rc = an_point_stat(d->b, gb, pb, comps[c],
						   cols[k].name, 1, &sb,
						   r->err);
			if (rc == 0)
				cell(r, d, cols[k].name, cols[k].scale, &sa,
				     &sb);
		}
		an_buf_puts(&r->html, "</tr>\n");
		an_buf_puts(&r->md, "\n");
	}
	an_buf_puts(&r->html, "</table></div>\n");
	an_buf_puts(&r->md, "\n");
	rp_strv_free(comps, n_comps);
	return rc;
}

/* Before (light, dashed) and after (solid) of each system for four
 * metrics: against the sweep value when there is a numeric sweep of one
 * key, else as bars at the first common point. */
static int figure(struct report *r, struct diff_ctx *d, size_t si,
		  const struct an_group *ga, const struct an_group *gb)
{
	struct an_buf data = {0}, plot = {0};
	char title[512], id[64];
	size_t cols_n, blocks = 0, n_panels = 0, n_comp = gb->n_bases;
	int rc = 0, w, h;
	const char *key = NULL;
	int numeric = ga->n_points > 1 && gb->n_points > 1;

	/* one swept key, numeric at every point of both */
	for (int side = 0; side < 2 && numeric; side++) {
		const struct an_group *g = side ? gb : ga;
		for (size_t i = 0; i < g->n_points && numeric; i++) {
			const char *k;
			json_t *v;
			double x;
			if (json_object_size(g->points[i].sweep) != 1) {
				numeric = 0;
				break;
			}
			json_object_foreach(g->points[i].sweep, k, v) {
				if (!key)
					key = k;
				numeric &= !strcmp(k, key) &&
					   rp_sweep_number(v, &x);
			}
		}
	}
	snprintf(title, sizeof(title), "%s: before (%s) and after (solid)",
		 ga->scenario, numeric ? "dashed" : "hatched");
	rp_multi_begin(&plot, title, 4, &cols_n);
	for (size_t k = 0; k < 4 && rc == 0; k++) {
		size_t m = k < 3 ? k : 4; /* tps, bytes, cost, finality */
		int drawn = 0;
		struct rp_range ry = {0};
		struct an_buf pl = {0};

		an_buf_puts(&pl, "plot ");
		for (size_t c = 0; c < n_comp && rc == 0; c++) {
			const char *comp = gb->bases[c];
			if (!strcmp(comp, "all") && !rp_show_all(gb))
				continue;
			for (int side = 0; side < 2 && rc == 0; side++) {
				const struct an_group *g = side ? gb : ga;
				struct an_set *set = side ? d->b : d->a;
				size_t rows = 0;
				if (blocks)
					an_buf_puts(&data, "\n\n");
				an_buf_printf(&data, "# %s %s %s\n", cols[m].name,
					      comp, side ? "after" : "before");
				size_t np = numeric ? g->n_points : 1;
				for (size_t i = 0; i < np && rc == 0; i++) {
					const struct an_point *p =
						&g->points[i];
					struct an_stat st;
					double x = (double)c;
					if (numeric)
						rp_sweep_number(json_object_get(
							p->sweep, key), &x);
					else if (i == 0 && side == 0 &&
						 !(p = find_point(ga,
							gb->points[0].sweep_json)))
						continue;
					rc = an_point_stat(set, g, p, comp,
							   cols[m].name, 1,
							   &st, r->err);
					if (rc < 0 || !st.n)
						continue;
					double v = st.mean * cols[m].scale;
					rp_range_add(&ry, v);
					an_buf_printf(&data, "%.9g %.9g\n",
						      numeric ? x : x +
						      (side ? 0.18 : -0.18), v);
					rows++;
				}
				if (!rows)
					an_buf_puts(&data, "0 ?\n");
				const char *col = !strcmp(comp, "all") ?
					"#888888" : rp_color(r, comp);
				if (numeric)
					an_buf_printf(&pl, "%sDATA index %zu using "
						      "1:2 with linespoints lw "
						      "%s pt %d lc rgb '%s' dt "
						      "%d title '%s %s'",
						      drawn ? ", \\\n  " : "",
						      blocks, side ? "2.5" :
						      "1.5", side ? 7 : 6, col,
						      side ? 1 : 2, comp,
						      side ? "after" :
						      "before");
				else
					an_buf_printf(&pl, "%sDATA index %zu using "
						      "1:2:(0.34) with boxes fs "
						      "%s lc rgb '%s' title "
						      "'%s %s'", drawn ?
						      ", \\\n  " : "", blocks,
						      side ? "solid 0.9" :
						      "pattern 4", col, comp,
						      side ? "after" :
						      "before");
				drawn++;
				blocks++;
			}
		}
		rp_panel_begin(&plot, k, cols[m].head);
		if (numeric) {
			struct an_buf ax = {0};
			rp_sweep_axis_label(&ax, key);
			an_buf_puts(&plot, "set xlabel ");
			rp_quote(&plot, ax.s ? ax.s : "");
			an_buf_puts(&plot, "\n");
			an_buf_release(&ax);
			double xs[64];
			size_t nx = 0;
			for (size_t i = 0; i < gb->n_points && nx < 64; i++)
				if (rp_sweep_number(json_object_get(
					gb->points[i].sweep, key), &xs[nx]))
					nx++;
			qsort(xs, nx, sizeof(*xs), rp_cmp_double);
			rp_sweep_xaxis(&plot, xs, nx);
			rp_range_settings(&plot, &ry, "y");
		} else {
			an_buf_printf(&plot, "set xrange [-0.6:%zu.6]\n"
				      "set xtics (", n_comp ? n_comp - 1 : 0);
			for (size_t c = 0; c < n_comp; c++) {
				an_buf_puts(&plot, c ? ", " : "");
				rp_quote(&plot, gb->bases[c]);
				an_buf_printf(&plot, " %zu", c);
			}
			an_buf_puts(&plot, ")\nset style fill solid border -1\n"
				    "set key off\n");
			if (rp_range_log(&ry))
				an_buf_puts(&plot, "set logscale y\n"
					    "set format y '%.0e'\n");
			else
				an_buf_printf(&plot, "set yrange [0:%.9g]\n",
					      ry.max > 0 ? ry.max * 1.12 : 1);
		}
		an_buf_puts(&plot, pl.s);
		an_buf_puts(&plot, "\n");
		an_buf_release(&pl);
		n_panels++;
	}
	rp_multi_end(&plot);
	if (rc == 0 && n_panels) {
		snprintf(id, sizeof(id), "d%zu-compare", si + 1);
		rp_multi_size(4, &w, &h);
		rc = rp_emit(r, id, title, numeric ? "mean over replications "
			     "at each sweep point; before dashed with open "
			     "points, after solid" : "mean over replications "
			     "at the first sweep point; before hatched, after "
			     "solid", "", plot.s, &data, w, h);
	}
	an_buf_release(&data);
	an_buf_release(&plot);
	return rc;
}

static int section(struct report *r, struct diff_ctx *d, size_t si,
		   const char *scenario)
{
	const struct an_group *ga = an_set_find(d->a, scenario);
	const struct an_group *gb = an_set_find(d->b, scenario);
	size_t w0 = d->worse, b0 = d->better;
	int rc = 0;

	an_buf_printf(&r->html, "<section id=\"d%zu\">\n<h2>Scenario ", si + 1);
	html_escape(&r->html, scenario);
	an_buf_puts(&r->html, "</h2>\n");
	an_buf_printf(&r->md, "## Scenario %s\n\n", scenario);
	if (!ga || !gb || !ga->n_points || !gb->n_points) {
		an_buf_printf(&r->html, "<p class=\"worse\">Only in %s.</p>\n"
			      "</section>\n", ga && ga->n_points ? "before" :
			      "after");
		an_buf_printf(&r->md, "Only in %s.\n\n", ga && ga->n_points ?
			      "before" : "after");
		d->only++;
		return 0;
	}
	size_t mark = r->html.len;
	for (size_t i = 0; i < gb->n_points && rc == 0; i++) {
		const struct an_point *pb = &gb->points[i];
		const struct an_point *pa = find_point(ga, pb->sweep_json);
		if (pb->label[0]) {
			an_buf_puts(&r->html, "<h4>sweep point ");
			html_escape(&r->html, pb->label);
			an_buf_puts(&r->html, "</h4>\n");
			an_buf_printf(&r->md, "#### Sweep point %s\n\n",
				      pb->label);
		}
		if (!pa) {
			an_buf_puts(&r->html, "<p class=\"worse\">This sweep "
				    "point is only in after.</p>\n");
			an_buf_puts(&r->md, "Only in after.\n\n");
			d->only++;
			continue;
		}
		rc = table(r, d, ga, gb, pa, pb);
	}
	for (size_t i = 0; i < ga->n_points; i++)
		if (!find_point(gb, ga->points[i].sweep_json)) {
			an_buf_puts(&r->html, "<p class=\"worse\">Sweep point ");
			html_escape(&r->html, ga->points[i].label);
			an_buf_puts(&r->html, " is only in before.</p>\n");
			d->only++;
		}
	if (rc < 0)
		return rc;
	/* the verdict first, above the tables */
	struct an_buf v = {0};
	an_buf_printf(&v, "<p><b>%zu worse</b>, <b>%zu better</b> beyond %g%% "
		      "(cells in red and green; before &rarr; after, change "
		      "in %%).  Before: %zu run%s, after: %zu run%s.</p>\n",
		      d->worse - w0, d->better - b0,
		      CHECK_DEFAULT_TOLERANCE_PCT, ga->n_runs,
		      ga->n_runs == 1 ? "" : "s", gb->n_runs,
		      gb->n_runs == 1 ? "" : "s");
	an_buf_printf(&r->md, "%zu worse, %zu better beyond %g%%.\n\n",
		      d->worse - w0, d->better - b0,
		      CHECK_DEFAULT_TOLERANCE_PCT);
	if (v.s && !r->html.oom) {
		size_t tail = r->html.len - mark;
		char *rest = malloc(tail + 1);
		if (rest) {
			memcpy(rest, r->html.s + mark, tail + 1);
			r->html.len = mark;
			r->html.s[mark] = '\0';
			an_buf_puts(&r->html, v.s);
			an_buf_puts(&r->html, rest);
			free(rest);
		}
	}
	an_buf_release(&v);
	an_buf_puts(&r->html, "<div class=\"plots\">\n");
	rc = figure(r, d, si, ga, gb);
	an_buf_puts(&r->html, "</div>\n</section>\n");
	return rc;
}

static int fill(struct report *r, void *ctx)
{
	struct diff_ctx *d = ctx;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	char title[600];

	for (int side = 0; side < 2; side++) {
		struct an_set *s = side ? d->b : d->a;
		for (size_t i = 0; i < s->n_groups; i++) {
			char *c = strdup(s->groups[i].scenario);
			if (!c || rp_strv_push(&names, &n, c) < 0) {
				rp_strv_free(names, n);
				return l2s_error_set(r->err, L2S_ENOMEM,
						     "out of memory");
			}
		}
	}
	an_buf_printf(&r->md, "# l2sim diff: %s vs %s\n\n", d->name_a,
		      d->name_b);
	an_buf_puts(&r->all_gp, "# l2sim diff: every plot; run from the "
		    "report directory: gnuplot gnuplot/all.gp\n");
	for (size_t i = 0; i < n && rc == 0; i++) {
		char anchor[32];
		snprintf(anchor, sizeof(anchor), "d%zu", i + 1);
		report_toc_add(r, anchor, names[i]);
		rc = section(r, d, i, names[i]);
	}
	rp_strv_free(names, n);
	if (rc < 0)
		return rc;
	snprintf(title, sizeof(title), "%s (before) vs %s (after)", d->name_a,
		 d->name_b);
	return report_write(r, "diff", title);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int diff_build(const char *before, const char *after, const char *out_dir,
	       FILE *out, struct l2s_error *err)
{
	struct resdb *ra = NULL, *rb = NULL;
	struct an_set sa, sb;
	int la = 0, lb = 0, rc;
	char *dflt = NULL;
	struct diff_ctx d = {.a = &sa, .b = &sb, .name_a = base(before),
			     .name_b = base(after)};

	if ((rc = report_find_gnuplot(err)) < 0)
		return rc;
	if ((rc = an_db_open(before, &ra, err)) < 0 ||
	    (rc = an_set_load(&sa, resdb_handle(ra), NULL, 0, err)) < 0)
		goto out;
	la = 1;
	if ((rc = an_db_open(after, &rb, err)) < 0 ||
	    (rc = an_set_load(&sb, resdb_handle(rb), NULL, 0, err)) < 0)
		goto out;
	lb = 1;
	if (sa.n_groups == 0 || sb.n_groups == 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s",
				 sa.n_groups ? after : before);
		rc = l2s_error_set(err, L2S_EINPUT, "the database holds no "
				   "runs");
		goto out;
	}
	{
		size_t la_n = strcspn(d.name_a, "."), lb_n = strcspn(d.name_b,
								     ".");
		if (asprintf(&dflt, "results/diff-%.*s-vs-%.*s", (int)la_n,
			     d.name_a, (int)lb_n, d.name_b) < 0) {
			dflt = NULL;
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = report_in_dir(out_dir, dflt, &sb, fill, &d, err);
	if (rc == 0 && out)
		fprintf(out, "diff: %zu worse, %zu better beyond %g%%, %zu "
			"unchanged, %zu only on one side -> %s/report.html\n",
			d.worse, d.better, CHECK_DEFAULT_TOLERANCE_PCT, d.same,
			d.only, out_dir && *out_dir ? out_dir : dflt);
out:
	if (la)
		an_set_release(&sa);
	if (lb)
		an_set_release(&sb);
	resdb_close(ra);
	resdb_close(rb);
	free(dflt);
	return rc;
}
