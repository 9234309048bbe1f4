/*
 * The report's views beyond time series and sweeps: where the cost of a
 * transaction goes, the blob market (fee against demand, with the fork's
 * target and maximum), horizontal and vertical scaling, scenarios side by
 * side, and, when the database has it, a timeline of broken promises
 * (table 'failures'; the trust table is trust.c's).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_internal.h"

static int oom(struct report *r)
{
	return l2s_error_set(r->err, L2S_ENOMEM, "out of memory");
}

static void point_suffix(const struct an_point *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", p->label[0] ? " (" : "", p->label,
		 p->label[0] ? ")" : "");
}

/* ---- costs -------------------------------------------------------------- */

int report_plot_costs(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	const struct an_point *p = &g->points[0];
	static const struct {
		const char *title, *ylabel, *parts[2], *names[2];
		double scale;
	} panels[] = {
		{"fees per posted tx", "gwei",
		 {"l1_cost_eth_per_tx", "da_cost_eth_per_tx"},
		 {"L1 fees (execution gas and blobs)", "other DA layer fees"},
		 1e9},
		{"L1 gas per posted tx", "gas",
		 {"l1_gas_per_tx", "blob_gas_per_tx"},
		 {"execution gas (calldata, commitments, proofs, aggregation "
		  "share)", "blob gas"}, 1},
	};
	static const char *const colors[] = {"#0072b2", "#e69f00"};
	struct an_buf data = {0}, plot = {0}, pd[2] = {{0}}, pp[2] = {{0}};
	char title[512], sfx[300], id[64], caption[400];
	size_t cols, n_panels = 0;
	int rc = 0, w, h, have[2] = {0, 0};

	point_suffix(p, sfx, sizeof(sfx));
	snprintf(title, sizeof(title), "%s: where the cost of a transaction "
		 "goes%s", g->scenario, sfx);
	for (size_t k = 0; k < 2 && rc == 0; k++) {
		struct rp_range ry = {0};
		size_t n = 0;

		an_buf_printf(&pd[k], "# system %s %s\n", panels[k].parts[0],
			      panels[k].parts[1]);
		for (size_t b = 0; b < g->n_bases && rc == 0; b++) {
			struct an_stat st[2];
			const char *c = g->bases[b];
			if (!strcmp(c, "all") && !rp_show_all(g))
				continue;
			for (int q = 0; q < 2 && rc == 0; q++)
				rc = an_point_stat(r->set, g, p, c,
						   panels[k].parts[q], 1,
						   &st[q], r->err);
			if (rc < 0 || (!st[0].n && !st[1].n))
				continue;
			double a = st[0].n ? st[0].mean * panels[k].scale : 0;
			double d = st[1].n ? st[1].mean * panels[k].scale : 0;
			rp_range_add(&ry, a + d);
			rp_data_label(&pd[k], c);
			an_buf_printf(&pd[k], " %.9g %.9g\n", a, d);
			n++;
		}
		if (rc < 0 || !n)
			continue;
		have[k] = 1;
		an_buf_puts(&pp[k], "set style data histogram\n"
			    "set style histogram rowstacked\n"
			    "set style fill solid 0.9 border -1\n"
			    "set boxwidth 0.7\nset grid noxtics\nset ylabel ");
		rp_quote(&pp[k], panels[k].ylabel);
		an_buf_printf(&pp[k], "\nset yrange [0:%.9g]\n", ry.max > 0 ?
			      ry.max * 1.25 : 1);
		if (n > 4)
			an_buf_puts(&pp[k], "set xtics rotate by -30\n");
		an_buf_puts(&pp[k], "set key top left vertical font ',11' "
			    "opaque box lc rgb '#cccccc'\n");
		an_buf_printf(&pp[k], "plot DATA index %zu using 2:xtic(1) lc "
			      "rgb '%s' title ", n_panels, colors[0]);
		rp_quote(&pp[k], panels[k].names[0]);
		an_buf_printf(&pp[k], ", '' index %zu using 3 lc rgb '%s' "
			      "title ", n_panels, colors[1]);
		rp_quote(&pp[k], panels[k].names[1]);
		an_buf_puts(&pp[k], "\n");
		if (n_panels)
			an_buf_puts(&data, "\n\n");
		an_buf_puts(&data, pd[k].s);
		n_panels++;
	}
	if (rc == 0 && n_panels) {
		rp_multi_begin(&plot, title, n_panels, &cols);
		for (size_t k = 0, j = 0; k < 2; k++) {
			if (!have[k])
				continue;
			rp_panel_begin(&plot, j++, panels[k].title);
			an_buf_puts(&plot, pp[k].s);
		}
		rp_multi_end(&plot);
		snprintf(id, sizeof(id), "s%zu-costs", gi + 1);
		snprintf(caption, sizeof(caption), "mean over %zu "
			 "replication%s; L1 fees include blob fees, "
			 "state-root and proof verification and the share of "
			 "aggregation rounds; a system with count > 1 as the "
			 "sum over its copies%s", p->n_runs,
			 p->n_runs == 1 ? "" : "s", g->n_points > 1 ?
			 "; first sweep point" : "");
		rp_multi_size(n_panels, &w, &h);
		if (n_panels == 2)
			h = 600;
		rc = rp_emit(r, id, title, caption, "", plot.s, &data, w, h);
	}
	for (int k = 0; k < 2; k++) {
		an_buf_release(&pd[k]);
		an_buf_release(&pp[k]);
	}
	an_buf_release(&data);
	an_buf_release(&plot);
	return rc;
}

/* ---- blob market -------------------------------------------------------- */

int report_plot_blob_market(struct report *r, size_t gi)
{
	static const char *const seq[] = {
		"#440154", "#482878", "#3e4989", "#31688e", "#26828e",
		"#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
		"#e69f00", "#d55e00",
	};
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf data = {0}, set = {0}, plot = {0}, sql = {0};
	struct rp_range rx = {0}, ry = {0};
	size_t np = g->n_points < 12 ? g->n_points : 12;
	double target = NAN, max = NAN;
	int rc = 0, blocks = 0;
	char id[64], title[512];

	an_buf_puts(&plot, "plot ");
	for (size_t i = 0; i < np && rc == 0; i++) {
		const struct an_point *p = &g->points[i];
		sqlite3_stmt *st = NULL;
		size_t rows = 0;

		sql.len = 0;
		if (sql.s)
			sql.s[0] = '\0';
		an_buf_puts(&sql, "SELECT a.t_seconds, avg(a.value), "
			    "avg(b.value) FROM series a JOIN series b ON "
			    "b.run_id = a.run_id AND b.t_seconds = a.t_seconds "
			    "AND b.component = 'l1' AND b.name = "
			    "'blob_base_fee_gwei' WHERE a.component = 'l1' AND "
			    "a.name = 'blobs_per_block' AND a.run_id IN (");
		for (size_t k = 0; k < p->n_runs; k++)
			an_buf_printf(&sql, "%s%lld", k ? "," : "",
				      (long long)p->runs[k]);
		an_buf_puts(&sql, ") GROUP BY a.t_seconds ORDER BY "
			    "a.t_seconds");
		if (sql.oom) {
			rc = oom(r);
			break;
		}
		if (sqlite3_prepare_v2(r->set->db, sql.s, -1, &st, NULL) !=
		    SQLITE_OK) {
			rc = l2s_error_set(r->err, L2S_EDB, "cannot read table "
					   "'series': %s",
					   sqlite3_errmsg(r->set->db));
			break;
		}
		struct an_buf d = {0};
		while (sqlite3_step(st) == SQLITE_ROW) {
			double x = sqlite3_column_double(st, 1);
			double y = sqlite3_column_double(st, 2);
			if (!(y > 0))
				continue;
			rp_range_add(&rx, x);
			rp_range_add(&ry, y);
			an_buf_printf(&d, "%.9g %.9g\n", x, y);
			rows++;
		}
		sqlite3_finalize(st);
		if (rows) {
			if (blocks)
				an_buf_puts(&data, "\n\n");
			an_buf_printf(&data, "# %s\n", p->label);
			an_buf_puts(&data, d.s);
			an_buf_printf(&plot, "%sDATA index %d using 1:2 with points "
				      "pt 7 ps 0.7 lc rgb '%s' title ",
				      blocks ? ", \\\n  " : "", blocks,
				      np > 1 ? seq[i * 11 / (np > 1 ? np - 1 : 1)
						   % 12] : "#0072b2");
			rp_quote(&plot, p->label[0] ? p->label : "samples");
			blocks++;
		}
		an_buf_release(&d);
		if (i == 0) {
			struct an_stat mean, tr, ut;
			if (an_point_stat(r->set, g, p, "l1",
					  "blobs_per_block_mean", 0, &mean,
					  r->err) < 0 ||
			    an_point_stat(r->set, g, p, "l1",
					  "blob_target_ratio", 0, &tr,
					  r->err) < 0 ||
			    an_point_stat(r->set, g, p, "l1",
					  "blob_utilization", 0, &ut,
					  r->err) < 0) {
				rc = r->err ? r->err->code : L2S_EDB;
				break;
			}
			if (mean.n && tr.n && tr.mean > 0)
				target = round(mean.mean / tr.mean);
			if (mean.n && ut.n && ut.mean > 0)
				max = round(mean.mean / ut.mean);
		}
	}
	if (rc == 0 && blocks) {
		an_buf_puts(&set, "set xlabel 'blobs per block (mean over the "
			    "sampling interval)'\nset ylabel 'blob base fee "
			    "(gwei)'\n");
		if (rp_range_log(&ry) || ry.max / ry.min_pos > 10)
			an_buf_puts(&set, "set logscale y\nset format y '%.0e'\n");
		else
			rp_range_settings(&set, &ry, "y");
		double xhi = rx.max;
		if (isfinite(max) && max > xhi)
			xhi = max;
		an_buf_printf(&set, "set xrange [0:%.9g]\n", xhi * 1.08 + 0.5);
		if (isfinite(target))
			an_buf_printf(&set, "set arrow 1 from first %.9g, graph 0 "
				      "to first %.9g, graph 1 nohead dt 2 lw 2 "
				      "lc rgb '#cc0000'\nset label 1 'target "
				      "%g' at first %.9g, graph 0.96 right "
				      "offset -0.5,0 tc rgb '#cc0000'\n",
				      target, target, target, target);
		if (isfinite(max))
			an_buf_printf(&set, "set arrow 2 from first %.9g, graph 0 "
				      "to first %.9g, graph 1 nohead lw 2 lc "
				      "rgb '#cc0000'\nset label 2 'max %g' at "
				      "first %.9g, graph 0.96 right offset "
				      "-0.5,0 tc rgb '#cc0000'\n", max, max,
				      max, max);
		snprintf(id, sizeof(id), "s%zu-blob-market", gi + 1);
		snprintf(title, sizeof(title), "%s: blob base fee against blob "
			 "demand", g->scenario);
		rc = rp_emit(r, id, title, "each dot one sampling interval "
			     "(mean over replications); above the target "
			     "(dashed) the EIP-4844 fee rises exponentially, "
			     "the maximum (solid) caps blobs per block; one "
			     "colour per sweep point", set.s, plot.s, &data,
			     0, 0);
	}
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	an_buf_release(&sql);
	return rc;
}

/* ---- scaling -------------------------------------------------------------- */

/* 1 horizontal (a count of copies), 2 vertical (DA capacity), 0 other. */
static int scaling_kind(const char *key)
{
	static const char *const vertical[] = {
		"blob_target", "blob_max", "fork", "throughput",
		"max_block_bytes", "gas_limit", "block_time", NULL,
	};
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", key);
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		size_t l = strlen(p);
		if (l >= 5 && !strcmp(p + l - 5, "count"))
			return 1;
	}
	for (size_t i = 0; vertical[i]; i++)
		if (strstr(key, vertical[i]))
			return 2;
	return 0;
}

static int scaling_figure(struct report *r, size_t gi, const char *key,
			  int kind)
{
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf data = {0}, set = {0}, plot = {0}, axis = {0};
	double *xs = calloc(g->n_points + 1, sizeof(*xs));
	struct rp_range ry = {0};
	size_t n_xs = 0;
	int rc = 0, blocks = 0, numeric = 1;
	char id[64], title[512];

	if (!xs)
		return oom(r);
	for (size_t i = 0; i < g->n_points; i++) {
		json_t *v = json_object_get(g->points[i].sweep, key);
		double x;
		if (!v || !rp_sweep_number(v, &x))
			numeric = 0;
		else
			xs[n_xs++] = x;
	}
	if (!numeric || n_xs < 2)
		goto out; /* categorical sweeps: the sweep figures show them */
	qsort(xs, n_xs, sizeof(*xs), rp_cmp_double);
	an_buf_puts(&plot, "plot ");
	for (size_t b = 0; b < g->n_bases && rc == 0; b++) {
		const char *c = g->bases[b];
		double x0 = NAN, y0 = NAN;
		size_t rows = 0;
		struct an_buf d = {0};

		if (!strcmp(c, "all"))
			continue;
		for (size_t k = 0; k < n_xs && rc == 0; k++)
			for (size_t i = 0; i < g->n_points; i++) {
				double x;
				struct an_stat st;
				json_t *v = json_object_get(g->points[i].sweep,
							    key);
				if (!rp_sweep_number(v, &x) || x != xs[k])
					continue;
				rc = an_point_stat(r->set, g, &g->points[i], c,
						   "tps_posted", 1, &st,
						   r->err);
				if (rc < 0 || !st.n)
					continue;
				if (isnan(x0)) {
					x0 = x;
					y0 = st.mean;
				}
				rp_range_add(&ry, st.mean);
				an_buf_printf(&d, "%.9g %.9g %.9g %.9g\n", x,
					      st.mean, isnan(st.half) ? 0 :
					      st.half, kind == 1 ? y0 * x / x0 :
					      NAN);
				rows++;
				break;
			}
		if (rows >= 2) {
			if (blocks)
				an_buf_puts(&data, "\n\n");
			an_buf_printf(&data, "# %s: x tps ci linear\n", c);
			an_buf_puts(&data, d.s);
			an_buf_printf(&plot, "%sDATA index %d using 1:2:3 with "
				      "yerrorlines lw 2.5 pt 7 lc rgb '%s' "
				      "title ", blocks ? ", \\\n  " : "",
				      blocks, rp_color(r, c));
			rp_quote(&plot, c);
			if (kind == 1) {
				an_buf_printf(&plot, ", \\\n  DATA index %d "
					      "using 1:4 with lines dt 3 lw 1.5 "
					      "lc rgb '%s' title ", blocks,
					      rp_color(r, c));
				struct an_buf t = {0};
				an_buf_printf(&t, "%s if it scaled linearly", c);
				rp_quote(&plot, t.s);
				an_buf_release(&t);
			}
			blocks++;
		}
		an_buf_release(&d);
	}
	if (rc < 0 || !blocks)
		goto out;
	rp_sweep_axis_label(&axis, key);
	an_buf_puts(&set, "set xlabel ");
	rp_quote(&set, axis.s);
	an_buf_puts(&set, "\nset ylabel 'posted tx/s (sum over copies)'\n");
	rp_sweep_xaxis(&set, xs, n_xs);
	if (kind == 1 && xs[n_xs - 1] / xs[0] >= 16)
		an_buf_puts(&set, "set logscale y\nset format y '%g'\n");
	else
		rp_range_settings(&set, &ry, "y");
	snprintf(id, sizeof(id), "s%zu-scaling-%s", gi + 1,
		 kind == 1 ? "horizontal" : "vertical");
	snprintf(title, sizeof(title), kind == 1 ?
		 "%s: horizontal scaling, throughput as copies are added" :
		 "%s: vertical scaling, throughput as DA capacity is raised",
		 g->scenario);
	rc = rp_emit(r, id, title, kind == 1 ?
		     "posted throughput of each system (sum over its copies) "
		     "against the number of copies; dotted: what linear "
		     "scaling from the first point would give. A line that "
		     "bends flat has hit a shared limit (blob space, a "
		     "sequencer, proof verification)." :
		     "posted throughput of each system against the swept DA "
		     "capacity", set.s, plot.s, &data, 0, 0);
out:
	free(xs);
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	an_buf_release(&axis);
	return rc;
}

int report_plot_scaling(struct report *r, size_t gi)
{
	const struct an_group *g = &r->set->groups[gi];
	char **keys = NULL;
	size_t n = 0;
	int rc = 0;

	if (g->n_points < 2)
		return 0;
	if (rp_sweep_keys(g, &keys, &n) < 0) {
		rp_strv_free(keys, n);
		return oom(r);
	}
	for (size_t k = 0; k < n && rc == 0; k++) {
		int kind = scaling_kind(keys[k]);
		if (kind)
			rc = scaling_figure(r, gi, keys[k], kind);
	}
	rp_strv_free(keys, n);
	return rc;
}

/* ---- scenarios side by side ---------------------------------------------- */

int report_plot_scenarios(struct report *r)
{
	static const struct {
		const char *name, *title, *ylabel;
		double scale;
	} m[] = {
		{"tps_posted", "posted throughput", "tx/s", 1},
		{"l1_da_bytes_per_tx", "L1 DA bytes per posted tx", "bytes", 1},
		{"cost_eth_per_tx", "cost per posted tx", "gwei", 1e9},
		{"latency_finalized_p50", "median latency to finality",
		 "seconds", 1},
	};
	struct an_buf data = {0}, plot = {0};
	size_t cols, n_panels = 0;
	int rc = 0, blocks = 0, w, h;

	if (r->set->n_groups < 2)
		return 0;
	rp_multi_begin(&plot, "scenarios compared: all systems together",
		       4, &cols);
	for (size_t k = 0; k < 4 && rc == 0; k++) {
		struct rp_range ry = {0};
		if (blocks)
			an_buf_puts(&data, "\n\n");
		an_buf_printf(&data, "# scenario %s ci\n", m[k].name);
		size_t rows = 0;
		for (size_t gi = 0; gi < r->set->n_groups && rc == 0; gi++) {
			const struct an_group *g = &r->set->groups[gi];
			struct an_stat st;
			if (!g->n_points)
				continue;
			rc = an_point_stat(r->set, g, &g->points[0], "all",
					   m[k].name, 0, &st, r->err);
			if (rc < 0)
				break;
			an_buf_printf(&data, "%zu ", rows++);
			rp_data_label(&data, g->scenario);
			if (!st.n) {
				an_buf_puts(&data, " ? 0\n");
				continue;
			}
			rp_range_add(&ry, st.mean * m[k].scale);
			an_buf_printf(&data, " %.9g %.9g\n", st.mean * m[k].scale,
				      isnan(st.half) ? 0 : st.half * m[k].scale);
		}
		rp_panel_begin(&plot, k, m[k].title);
		an_buf_puts(&plot, "set style fill solid 0.85 border -1\n"
			    "set boxwidth 0.7\nset grid noxtics\nunset key\n"
			    "set ylabel ");
		rp_quote(&plot, m[k].ylabel);
		an_buf_printf(&plot, "\nset xrange [-0.6:%zu.6]\n",
			      rows ? rows - 1 : 0);
		if (rows > 3)
			an_buf_puts(&plot, "set xtics rotate by -30\n");
		if (rp_range_log(&ry))
			an_buf_puts(&plot, "set logscale y\nset format y '%.0e'\n");
		else
			an_buf_printf(&plot, "set yrange [0:%.9g]\n",
				      ry.max > 0 ? ry.max * 1.1 : 1);
		an_buf_printf(&plot, "plot DATA index %d using 1:3:xtic(2) with "
			      "boxes lc rgb '#777777' notitle, DATA index %d "
			      "using 1:3:4 with yerrorbars lc rgb '#222222' "
			      "pt 0 ps 0 notitle\n", blocks, blocks);
		blocks++;
		n_panels++;
	}
	rp_multi_end(&plot);
	rp_multi_size(4, &w, &h);
	if (rc == 0 && n_panels) {
		an_buf_puts(&r->html, "<section id=\"compare\">\n<h2>Scenarios "
			    "compared</h2>\n<div class=\"plots\">\n");
		an_buf_puts(&r->md, "## Scenarios compared\n\n");
		rc = rp_emit(r, "scenarios", "scenarios compared: all systems "
			     "together", "the component 'all' (sum over "
			     "systems) of each scenario's first sweep point; "
			     "mean over replications, error bars 95% CI",
			     "", plot.s, &data, w, h);
		an_buf_puts(&r->html, "</div>\n</section>\n");
	}
	an_buf_release(&data);
	an_buf_release(&plot);
	return rc;
}

/* ---- liveness (table 'failures') ---------------------------------------- */

int report_plot_liveness(struct report *r, size_t gi)
{
	static const char *const causes[] = {
		"sequencing", "posting", "finality", "dropped", "halted",
	};
	static const char *const ccol[] = {
		"#d55e00", "#e69f00", "#0072b2", "#cc79a7", "#000000",
	};
	const struct an_group *g = &r->set->groups[gi];
	struct an_buf data = {0}, set = {0}, plot = {0};
	sqlite3_stmt *st;
	char **comps = NULL;
	size_t n_comps = 0;
	int rc = 0, rows = 0;
	double tmax = 0;
	char id[64], title[512];

	if (!an_table_exists(r->set->db, "failures") || !g->n_points ||
	    !g->points[0].n_runs)
		return 0;
	if (sqlite3_prepare_v2(r->set->db, "SELECT component, cause, "
			       "t_start_s, t_end_s FROM failures WHERE run_id "
			       "= ? ORDER BY component, t_start_s", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, g->points[0].runs[0]);
	an_buf_puts(&data, "# y x_start x_end cause_colour component\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *cause = (const char *)sqlite3_column_text(st, 1);
		double a = sqlite3_column_double(st, 2);
		double b = sqlite3_column_double(st, 3);
		size_t y, k;
		if (!c || !cause)
			continue;
		for (y = 0; y < n_comps && strcmp(comps[y], c); y++)
			;
		if (y == n_comps) {
			char *d = strdup(c);
			if (!d || rp_strv_push(&comps, &n_comps, d) < 0) {
				rc = oom(r);
				break;
			}
		}
		for (k = 0; k < 5 && strcmp(causes[k], cause); k++)
			;
		if (b > tmax)
			tmax = b;
		an_buf_printf(&data, "%zu %.9g %.9g 0x%s\n", y, a,
			      b > a ? b : a + 1, k < 5 ? ccol[k] + 1 :
			      "777777");
		rows++;
	}
	sqlite3_finalize(st);
	if (rc < 0 || !rows)
		goto out;
	double div = tmax > 3 * 86400 ? 86400 : tmax > 3 * 3600 ? 3600 : 60;
	const char *unit = div == 86400 ? "days" : div == 3600 ? "h" : "min";
	an_buf_printf(&set, "set xlabel 'simulated time (%s)'\nset yrange "
		      "[-0.6:%zu.6]\nset ytics (", unit, n_comps - 1);
	for (size_t i = 0; i < n_comps; i++) {
		an_buf_puts(&set, i ? ", " : "");
		rp_quote(&set, comps[i]);
		an_buf_printf(&set, " %zu", i);
	}
	an_buf_puts(&set, ")\nset grid noytics\nset style fill solid 0.9 "
		    "noborder\n");
	an_buf_printf(&plot, "plot DATA using (($2+$3)/2/%g):1:($2/%g):($3/%g):"
		      "($1-0.35):($1+0.35):4 with boxxyerror lc rgb variable "
		      "notitle", div, div, div);
	for (size_t k = 0; k < 5; k++) {
		an_buf_printf(&plot, ", \\\n  NaN with boxes lc rgb '%s' "
			      "title ", ccol[k]);
		rp_quote(&plot, causes[k]);
	}
	snprintf(id, sizeof(id), "s%zu-liveness", gi + 1);
	snprintf(title, sizeof(title), "%s: liveness timeline, when each "
		 "system broke a promise", g->scenario);
	rc = rp_emit(r, id, title, "table 'failures' of the first run: each "
		     "bar an interval in which the system did not sequence, "
		     "post or finalize within its promise, dropped arrivals "
		     "or halted; colour by cause", set.s, plot.s, &data, 0, 0);
out:
	rp_strv_free(comps, n_comps);
	an_buf_release(&data);
	an_buf_release(&set);
	an_buf_release(&plot);
	return rc;
}
