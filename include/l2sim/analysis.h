/*
 * Reading results databases: the summary table printed after a run, the
 * gnuplot/HTML report (`l2sim report`) and the regression check against a
 * baseline (`l2sim check`).
 *
 * These functions only read the database.  They return 0 (check_run() also
 * 1) or a negative L2S_E* code and fill 'err'; they never print errors.
 *
 * Statistics across replications are the mean and a 95% confidence
 * interval from Student's t: mean ± t(0.975, n-1) · sd / sqrt(n), sd with
 * n-1 in the denominator.  With one replication only the mean is shown.
 *
 * Runs used: summary_print() uses the runs it is given.  report_build()
 * and check_run() use every run whose status is "ok", one per run identity
 * (the newest row of an identity), grouped by scenario name and by point
 * (--set values and sweep values together): runs with other seeds add
 * replications, runs with other --set values are other points.
 */
#ifndef L2SIM_ANALYSIS_H
#define L2SIM_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "l2sim/error.h"

struct sqlite3;
struct resdb;

/*
 * Mean of x[0..n-1] and the half-width of its 95% confidence interval
 * (NaN when n < 2).  Returns 0, or L2S_EINPUT when n == 0.
 */
int analysis_mean_ci(const double *x, size_t n, double *mean, double *half);

/*
 * Writes to 'out' the summary of runs run_ids[0..n-1]: per scenario name,
 * one block per system component (components with the metric tx_offered,
 * "all" last) with the sweep points as rows; columns TPS offered and
 * posted, L1 DA bytes per tx, cost per tx (gwei), liveness failures, then
 * p50/p99 latency at each tier; then an "l1" line per sweep point.  Lines
 * fit in 100 columns.  Runs whose status is not "ok" are counted but left
 * out of the statistics.  Returns 0, L2S_EDB, L2S_EINPUT (unknown run id),
 * L2S_ENOMEM or L2S_EIO (write to 'out' failed).
 */
int summary_print(struct sqlite3 *db, const int64_t *run_ids, size_t n,
		  FILE *out, struct l2s_error *err);

/*
 * `l2sim report`: reads 'db_path' and writes into 'out_dir' (NULL: the
 * default "results/report-<db base name without .db>"):
 *   report.html   self-contained page (inline CSS, no scripts) with the
 *                 plots beside tables of metrics, one section per scenario
 *   report.md     the same in Markdown
 *   plots/NAME.png, plots/NAME.svg   the rendered plots
 *   gnuplot/NAME.gp  the scripts (render again: cd DIR && gnuplot gnuplot/all.gp)
 *   data/NAME.dat    the data the scripts plot
 * The report is built in a temporary directory beside 'out_dir' and moved
 * into place only when complete.  An existing 'out_dir' is replaced when it
 * holds an earlier report (a report.html) or is empty; otherwise the call
 * fails with L2S_EUSAGE.  Returns 0, L2S_EIO (gnuplot missing or failing,
 * file errors), L2S_EDB, L2S_EINPUT (no runs), L2S_EUSAGE, L2S_ENOMEM.
 */
int report_build(const char *db_path, const char *out_dir,
		 struct l2s_error *err);

/* Default tolerance of a baseline without "tolerance_pct". */
#define CHECK_DEFAULT_TOLERANCE_PCT 2.0

/*
 * Which way a metric hurts: +1 when a rise is a regression (bytes, gas,
 * cost, fees, latency, backlog, liveness failures, dropped and pending
 * transactions), -1 when a fall is (tps_*, tx_sequenced, tx_posted,
 * tx_finalized, l1_blob_fill), 0 when either way is.
 */
int check_metric_direction(const char *name);

/* Output of check_run(): the table of docs/ci-check.md, a JSON document, JUnit
 * XML (one test case per checked metric). */
enum { CHECK_FORMAT_TABLE, CHECK_FORMAT_JSON, CHECK_FORMAT_JUNIT };

/*
 * `l2sim check`.  The baseline is {"scenario": NAME, "tolerance_pct": P,
 * "metrics": {COMPONENT: {NAME: VALUE}}} and, for a swept scenario,
 * "points": [{"sweep": {PATH: VALUE}, "metrics": {COMPONENT: {NAME:
 * VALUE}}}].  Without "points", the database's value of a metric is its
 * mean over the scenario's runs (all sweep points and replications; see
 * the rule above).  With "points", each point's metrics are compared with
 * the mean over that point's replications, and the top-level "metrics"
 * (kept for readers of SPEC's format) is not compared; a point of the
 * baseline that the database lacks is bad input.
 *
 * Comparing (write_baseline == 0): tolerance_pct < 0 uses the baseline's
 * (or CHECK_DEFAULT_TOLERANCE_PCT).  A metric regresses when it moved in
 * the direction that hurts by more than the tolerance, relative to the
 * baseline value; for a baseline value of 0 the tolerance is absolute,
 * tolerance_pct / 100 in the metric's own unit.  A metric in the baseline
 * but missing from the database regresses too.  Regressions are printed to
 * 'out' as a table (metric, component, baseline, now, change %), followed
 * by improvements beyond the tolerance, for information; or, by 'format',
 * as JSON or JUnit XML listing every checked metric.  Returns 0 (no
 * regression), 1 (regression), or L2S_EINPUT (bad baseline, or no runs of
 * its scenario), L2S_EIO, L2S_EDB, L2S_ENOMEM.
 *
 * Writing (write_baseline != 0): writes to 'baseline_path' (atomically)
 * the SPEC metrics of every system component and of "all", and the l1
 * metrics.  The scenario is the database's only scenario; when it holds
 * several, the one named by an existing baseline file, or else the one
 * named like the file (results/baselines/X.json -> X).  tolerance_pct < 0
 * keeps an existing file's tolerance, else CHECK_DEFAULT_TOLERANCE_PCT.
 * A swept scenario also gets "points": per sweep point, the SPEC metrics
 * of each system by name (the sum over its copies when count > 1), of
 * "all" and of l1.  Returns 0 or a negative code.
 */
int check_run(const char *db_path, const char *baseline_path,
	      double tolerance_pct, int write_baseline, int format, FILE *out,
	      struct l2s_error *err);

/*
 * `l2sim diff`: the report of 'before' and 'after' side by side in
 * 'out_dir' (NULL: "results/diff-<before>-vs-<after>"): per scenario and
 * sweep point, a table of each system's key metrics as "before -> after
 * (change)" with changes beyond CHECK_DEFAULT_TOLERANCE_PCT marked worse
 * or better (check_metric_direction()), and plots of both.  Scenarios and
 * sweep points on one side only are listed.  Prints a one-line verdict to
 * 'out' (may be NULL).  Returns 0 or a negative code as report_build().
 */
int diff_build(const char *before, const char *after, const char *out_dir,
	       FILE *out, struct l2s_error *err);

/*
 * `l2sim export`: writes the tables of 'db_path' into 'out_dir' (NULL:
 * "results/export-<db base name without .db>"), created if needed, as
 * TABLE.csv or TABLE.json ('format' "csv" (also NULL) or "json"): runs
 * (the view run_points and the rest of the runs table), metrics (the
 * view system_metrics), series, l1_blocks, and attributes, failures and
 * systems when the database has them.  Each file is written to a
 * temporary name and renamed, so a reader never sees half a file; files
 * of an earlier export are replaced.  Lists each file and its row count
 * on 'out' (may be NULL).  Returns 0, L2S_EUSAGE (unknown format),
 * L2S_EINPUT (no database), L2S_EDB, L2S_EIO, L2S_ENOMEM.
 */
int export_run(const char *db_path, const char *format, const char *out_dir,
	       FILE *out, struct l2s_error *err);

#endif
