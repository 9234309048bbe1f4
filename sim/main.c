/*
 * l2sim command line.  Only this file prints errors and picks exit codes:
 * 0 success, 1 `check` found a regression, 2 bad input or usage, 3 a
 * runtime failure (I/O, database).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "l2sim/analysis.h"
#include "l2sim/error.h"
#include "l2sim/phold.h"
#include "l2sim/results.h"
#include "l2sim/runner.h"
#include "l2sim/schema.h"
#include "l2sim/validate.h"
#include "l2sim/world.h"

#ifndef L2SIM_VERSION
#define L2SIM_VERSION "dev"
#endif

enum { EXIT_OK = 0, EXIT_REGRESSION = 1, EXIT_INPUT = 2, EXIT_RUNTIME = 3 };

static const char *const commands[] = {"run", "validate", "report", "check",
				       "export", "schema", "diff", "merge",
				       "slurm", "bench", "help", NULL};

static const char usage_main[] =
	"l2sim " L2SIM_VERSION " - a deterministic simulator of blockchain "
	"scaling architectures\n"
	"\n"
	"usage:\n"
	"  l2sim run SCENARIO.json [--seed N] [--reps R] [--threads T]\n"
	"            [--set PATH=VALUE]... [--out FILE.db] [--progress|--no-progress]\n"
	"            [--shard K/N] [--rerun]\n"
	"  l2sim merge OUT.db IN.db...\n"
	"  l2sim slurm SCENARIO.json --array N [--partition P] [--time T] [run options]\n"
	"  l2sim validate SCENARIO.json [--set PATH=VALUE]...\n"
	"  l2sim report RESULTS.db [--out DIR]\n"
	"  l2sim check RESULTS.db --baseline FILE.json [--tolerance PCT] [--write-baseline]\n"
	"              [--format table|json|junit]\n"
	"  l2sim export RESULTS.db [--format csv|json] [--out DIR]\n"
	"  l2sim schema\n"
	"  l2sim diff BEFORE.db AFTER.db [--out DIR]\n"
	"  l2sim bench phold --lps N --events-per-lp E --events TOTAL [--seed S]\n"
	"  l2sim --version | l2sim help [COMMAND]\n"
	"\n"
	"Start with:  l2sim run scenarios/default.json\n"
	"Scenario format: docs/scenario-format.md.  'l2sim help run' for more.\n";

static const char help_run[] =
	"usage: l2sim run SCENARIO.json [options]\n"
	"\n"
	"Runs every sweep point of the scenario, 'replications' times each, and\n"
	"appends the runs to a results database (SQLite).  Prints a summary\n"
	"table per system on stdout; progress and diagnostics go to stderr.\n"
	"\n"
	"options:\n"
	"  --seed N          base seed (overrides the scenario's \"seed\")\n"
	"  --reps R          replications per sweep point (overrides \"replications\")\n"
	"  --threads T       runs in parallel (default: all cores); results do not\n"
	"                    depend on T\n"
	"  --set PATH=VALUE  override any scenario value, e.g.\n"
	"                    --set systems[0].count=8 --set l1.fork=pectra\n"
	"                    --set 'workloads[0].rate=\"200tps\"'\n"
	"                    VALUE is JSON if it parses as JSON, else a string\n"
	"  --out FILE.db     results database (default results/<name>.db)\n"
	"  --progress        progress bar on stderr (default when it is a terminal)\n"
	"  --no-progress     no progress bar\n"
	"  --quiet           no summary table\n"
	"  --shard K/N       run only the K-th of N disjoint parts of the sweep\n"
	"                    (runs i with i mod N = K-1); 'l2sim merge' joins them\n"
	"  --rerun           run again the runs already complete in the database\n"
	"\n"
	"A run is identified by the scenario as run (after --set and the sweep\n"
	"point), seed, replication and engine version.  Runs already complete in\n"
	"the database are skipped, so running again resumes an interrupted sweep.\n"
	"Ctrl-C or SIGTERM stop promptly and keep every finished run.  A run whose\n"
	"write fails (database locked, disk full) is kept in memory and retried\n"
	"for up to L2SIM_WRITE_RETRY_SECONDS (default 120) seconds.\n"
	"See docs/scale-out.md.\n"
	"\n"
	"The same binary, scenario, seed and --set values give identical metrics,\n"
	"series and l1_blocks rows at any thread count.\n"
	"\n"
	"examples:\n"
	"  l2sim run scenarios/default.json\n"
	"  l2sim run scenarios/horizontal.json --reps 3 --out /tmp/h.db\n"
	"  l2sim run scenarios/default.json --set duration=\\\"30d\\\" --set l1.fork=bpo2\n";

static const char help_validate[] =
	"usage: l2sim validate SCENARIO.json [--set PATH=VALUE]...\n"
	"\n"
	"Checks a scenario (every sweep point) without running it: unknown keys,\n"
	"wrong types, bad units, out-of-range values, references to undefined\n"
	"workloads or DA layers.  Lists every error it can find (up to 20), each\n"
	"with the file, line, column and JSON path and the closest valid key.\n"
	"Exit 0 when valid, 2 if not.  'l2sim schema' prints a JSON Schema of\n"
	"the format for editors.\n";

static const char help_report[] =
	"usage: l2sim report RESULTS.db [--out DIR]\n"
	"\n"
	"Builds a report from a results database: gnuplot plots (PNG and SVG) of\n"
	"time series, sweeps (with 95% confidence intervals across replications)\n"
	"and comparisons of systems, next to tables, in DIR/report.html and\n"
	"DIR/report.md (default DIR: results/report-<database name>).\n"
	"Needs gnuplot (Debian: gnuplot-nox).  See docs/reports.md.\n";

static const char help_check[] =
	"usage: l2sim check RESULTS.db --baseline FILE.json [--tolerance PCT]\n"
	"                   [--write-baseline] [--format table|json|junit]\n"
	"\n"
	"Compares the metrics of a results database with a baseline and prints\n"
	"every metric that moved beyond the tolerance in the direction that hurts\n"
	"(bytes, cost, latency up; throughput down); a swept scenario is\n"
	"compared point by point.  Exit 0 when nothing regressed, 1 when\n"
	"something did, 2 on bad input, 3 on I/O errors.\n"
	"--format json or junit lists every checked metric for CI tools.\n"
	"--write-baseline writes FILE.json from the database instead.\n"
	"See docs/ci-check.md for use in a CI pipeline.\n";

static const char help_export[] =
	"usage: l2sim export RESULTS.db [--format csv|json] [--out DIR]\n"
	"\n"
	"Writes the tables of a results database as files for a spreadsheet,\n"
	"R, pandas or jq (default DIR: results/export-<database name>):\n"
	"  runs       one row per run, one column per swept path\n"
	"  metrics    one row per run and component, one column per metric\n"
	"  series, l1_blocks, attributes (and failures, systems when present)\n"
	"CSV (default) has a header line and empty fields for NULL; JSON is an\n"
	"array of objects per table.  Numbers keep 17 significant digits.\n"
	"From Python, PYTHONPATH=analysis/python and l2sim.load(DB) gives the\n"
	"same tables as pandas DataFrames.  See docs/data.md.\n";

static const char help_schema[] =
	"usage: l2sim schema\n"
	"\n"
	"Prints a JSON Schema (draft 2020-12) of the scenario format on stdout,\n"
	"for editors: completion of keys and enum values, descriptions with\n"
	"units, ranges and defaults, and checks as you type.  It is generated\n"
	"from the loader's own tables, so it matches what 'l2sim validate'\n"
	"accepts (validate also checks what a schema cannot: references between\n"
	"sections, cross-field rules).  See docs/scenario-format.md.\n"
	"\n"
	"example: l2sim schema > l2sim-scenario.schema.json\n";

static const char help_diff[] =
	"usage: l2sim diff BEFORE.db AFTER.db [--out DIR]\n"
	"\n"
	"The report of two results databases side by side (default DIR:\n"
	"results/diff-<before>-vs-<after>): per scenario and sweep point, each\n"
	"system's key metrics as 'before -> after (change)', changes beyond 2%\n"
	"in red (worse) or green (better), and plots of both.  Scenarios and\n"
	"points on one side only are listed.  See docs/reports.md.\n";

static const char help_merge[] =
	"usage: l2sim merge OUT.db IN.db...\n"
	"\n"
	"Copies the runs of the IN databases (the shards of 'run --shard', or any\n"
	"results databases) into OUT, creating it if needed, in one transaction.\n"
	"A run whose identity is already complete in OUT is skipped, so merging\n"
	"again adds nothing.  The merge of all N shards of a sweep holds exactly\n"
	"the rows of the unsharded run.  See docs/scale-out.md.\n";

static const char help_slurm[] =
	"usage: l2sim slurm SCENARIO.json --array N [--partition P] [--time T]\n"
	"                   [--cpus C] [--out FILE.db] [--script FILE]\n"
	"                   [--seed N] [--reps R] [--set PATH=VALUE]...\n"
	"\n"
	"Writes a Slurm batch script (to FILE, or stdout) for 'sbatch': a job\n"
	"array of N tasks, task K running 'l2sim run --shard K/N' into its own\n"
	"database, and a merge job that depends on the whole array and merges\n"
	"the shards into FILE.db (default results/<name>.db).  A task that is\n"
	"requeued or submitted again resumes its shard.  See docs/scale-out.md.\n"
	"\n"
	"example:\n"
	"  l2sim slurm scenarios/horizontal.json --array 16 --time 2:00:00 > h.sbatch\n"
	"  sbatch h.sbatch\n";

static const char help_bench[] =
	"usage: l2sim bench phold --lps N --events-per-lp E --events TOTAL [--seed S]\n"
	"\n"
	"PHOLD on the real engine: N logical processes with E initial events\n"
	"each; every event schedules one new event at a random process after an\n"
	"exponential delay (mean 1 s) plus 0.1 s lookahead.  Runs TOTAL events\n"
	"and prints events_per_sec=<number> as its last line.\n"
	"\n"
	"example: l2sim bench phold --lps 10000 --events-per-lp 10 --events 20000000\n";

static int report_error(const struct l2s_error *err)
{
	char buf[2048];
	l2s_error_format(err, buf, sizeof(buf));
	fprintf(stderr, "l2sim: %s\n", buf);
	switch (err->code) {
	case L2S_EINPUT:
	case L2S_EUSAGE:
		return EXIT_INPUT;
	default:
		return EXIT_RUNTIME;
	}
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "l2sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'l2sim help %s')\n", cmd);
	return EXIT_INPUT;
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Takes the value of option argv[*i] (either "--opt=value" or the next
 * argument). */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

/* "K/N" with 1 <= K <= N. */
static int parse_shard(const char *s, int *k, int *n)
{
	int64_t a, b;
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash || slash == s)
		return -1;
	char left[32];
	size_t l = (size_t)(slash - s);
	if (l >= sizeof(left))
		return -1;
	memcpy(left, s, l);
	left[l] = '\0';
	if (parse_i64(left, 1, 1000000, &a) ||
	    parse_i64(slash + 1, 1, 1000000, &b) || a > b)
		return -1;
	*k = (int)a;
	*n = (int)b;
	return 0;
}

/* A positive number of seconds from the environment, or 0. */
static double env_seconds(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	double x = strtod(v, &end);
	return *end || !(x > 0) || x > 1e7 ? 0 : x;
}

/* After a run: where the results went, and the summary table. */
static int print_summary(void *ctx, struct resdb *db, const char *out_path,
			 const int64_t *run_ids, size_t n_runs, FILE *out,
			 struct l2s_error *err)
{
	fprintf(out, "results: %s (%zu run%s)\n", out_path, n_runs,
		n_runs == 1 ? "" : "s");
	return summary_print(resdb_handle(db), run_ids, n_runs, out, err);
}

static int cmd_run(int argc, char **argv)
{
	struct runner_opts o = {.model = &world_model, .progress = -1,
				.done = print_summary};
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	if (!sets)
		return EXIT_RUNTIME;
	int rc = EXIT_OK;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v;
		if (is_opt(a, "--seed")) {
			v = opt_value(argc, argv, &i, "--seed");
			if (parse_u64(v, &o.seed)) {
				rc = usage_error("run", "--seed needs a "
						 "non-negative integer, got '%s'",
						 v ? v : "");
				goto out;
			}
			o.has_seed = 1;
		} else if (is_opt(a, "--reps")) {
			v = opt_value(argc, argv, &i, "--reps");
			if (parse_i64(v, 1, 1000000, &o.reps)) {
				rc = usage_error("run", "--reps needs an integer "
						 "from 1 to 1000000, got '%s'",
						 v ? v : "");
				goto out;
			}
		} else if (is_opt(a, "--threads")) {
			v = opt_value(argc, argv, &i, "--threads");
			int64_t t;
			if (parse_i64(v, 1, 4096, &t)) {
				rc = usage_error("run", "--threads needs an integer "
						 "from 1 to 4096, got '%s'",
						 v ? v : "");
				goto out;
			}
			o.threads = (int)t;
		} else if (is_opt(a, "--set")) {
			v = opt_value(argc, argv, &i, "--set");
			if (!v) {
				rc = usage_error("run", "--set needs PATH=VALUE%s",
						 "");
				goto out;
			}
			sets[o.n_sets++] = v;
		} else if (is_opt(a, "--out")) {
			v = opt_value(argc, argv, &i, "--out");
			if (!v || !*v) {
				rc = usage_error("run", "--out needs a file name%s",
						 "");
				goto out;
			}
			o.out = v;
		} else if (!strcmp(a, "--progress")) {
			o.progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			o.progress = 0;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--rerun")) {
			o.rerun = 1;
		} else if (is_opt(a, "--shard")) {
			v = opt_value(argc, argv, &i, "--shard");
			if (parse_shard(v, &o.shard_k, &o.shard_n)) {
				rc = usage_error("run", "--shard needs K/N with "
						 "1 <= K <= N <= 1000000, got "
						 "'%s'", v ? v : "");
				goto out;
			}
		} else if (a[0] == '-' && a[1]) {
			rc = usage_error("run", "unknown option '%s'", a);
			goto out;
		} else if (!o.scenario_path) {
			o.scenario_path = a;
		} else {
			rc = usage_error("run", "unexpected argument '%s'", a);
			goto out;
		}
	}
	if (!o.scenario_path) {
		rc = usage_error("run", "run needs a scenario file%s", "");
		goto out;
	}
	o.sets = sets;
	o.write_patience_s = env_seconds("L2SIM_WRITE_RETRY_SECONDS");
	struct l2s_error err;
	l2s_error_clear(&err);
	if (runner_run(&o, stdout, &err))
		rc = report_error(&err);
out:
	free(sets);
	return rc;
}

static int cmd_validate(int argc, char **argv)
{
	const char *path = NULL;
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	size_t n_sets = 0;
	int rc = EXIT_OK;
	if (!sets)
		return EXIT_RUNTIME;
	for (int i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--set")) {
			const char *v = opt_value(argc, argv, &i, "--set");
			if (!v) {
				rc = usage_error("validate", "--set needs "
						 "PATH=VALUE%s", "");
				goto out;
			}
			sets[n_sets++] = v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = usage_error("validate", "unknown option '%s'",
					 argv[i]);
			goto out;
		} else if (!path) {
			path = argv[i];
		} else {
			rc = usage_error("validate", "unexpected argument '%s'",
					 argv[i]);
			goto out;
		}
	}
	if (!path) {
		rc = usage_error("validate", "validate needs a scenario file%s",
				 "");
		goto out;
	}
	struct l2s_error errs[VALIDATE_MAX_ERRORS];
	size_t n_runs = 0, n_errs = 0;
	if (validate_all(&world_model, path, sets, n_sets, VALIDATE_MAX_ERRORS, errs,
			 &n_errs, &n_runs)) {
		for (size_t i = 0; i < n_errs; i++)
			rc = report_error(&errs[i]) == EXIT_RUNTIME ||
			     rc == EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_INPUT;
		if (n_errs > 1)
			fprintf(stderr, "l2sim: %s: %zu errors%s\n", path,
				n_errs, n_errs == VALIDATE_MAX_ERRORS ?
				" (stopped at the limit)" : "");
	} else {
		printf("%s: valid (%zu run%s)\n", path, n_runs,
		       n_runs == 1 ? "" : "s");
	}
out:
	free(sets);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *out = NULL;
	for (int i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--out")) {
			out = opt_value(argc, argv, &i, "--out");
			if (!out)
				return usage_error("report", "--out needs a "
						   "directory%s", "");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("report", "unknown option '%s'",
					   argv[i]);
		} else if (!db) {
			db = argv[i];
		} else {
			return usage_error("report", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (!db)
		return usage_error("report", "report needs a results "
				   "database%s", "");
	struct l2s_error err;
	l2s_error_clear(&err);
	if (report_build(db, out, &err))
		return report_error(&err);
	return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	const char *db = NULL, *baseline = NULL;
	double tol = -1;
	int write = 0, format = CHECK_FORMAT_TABLE;
	for (int i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--baseline")) {
			baseline = opt_value(argc, argv, &i, "--baseline");
		} else if (is_opt(argv[i], "--tolerance")) {
			const char *v = opt_value(argc, argv, &i, "--tolerance");
			char *end;
			tol = v ? strtod(v, &end) : -1;
			if (!v || *end || tol < 0 || tol > 1000)
				return usage_error("check", "--tolerance needs a "
						   "percentage from 0 to 1000, "
						   "got '%s'", v ? v : "");
		} else if (!strcmp(argv[i], "--write-baseline")) {
			write = 1;
		} else if (is_opt(argv[i], "--format")) {
			const char *v = opt_value(argc, argv, &i, "--format");
			if (v && !strcmp(v, "table"))
				format = CHECK_FORMAT_TABLE;
			else if (v && !strcmp(v, "json"))
				format = CHECK_FORMAT_JSON;
			else if (v && !strcmp(v, "junit"))
				format = CHECK_FORMAT_JUNIT;
			else
				return usage_error("check", "--format needs "
						   "table, json or junit, got "
						   "'%s'", v ? v : "");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("check", "unknown option '%s'",
					   argv[i]);
		} else if (!db) {
			db = argv[i];
		} else {
			return usage_error("check", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (!db || !baseline)
		return usage_error("check", "check needs RESULTS.db and "
				   "--baseline FILE.json%s", "");
	struct l2s_error err;
	l2s_error_clear(&err);
	int rc = check_run(db, baseline, tol, write, format, stdout, &err);
	if (rc < 0)
		return report_error(&err);
	return rc == 1 ? EXIT_REGRESSION : EXIT_OK;
}

static int cmd_export(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *format = "csv";
	for (int i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--out")) {
			out = opt_value(argc, argv, &i, "--out");
			if (!out || !*out)
				return usage_error("export", "--out needs a "
						   "directory%s", "");
		} else if (is_opt(argv[i], "--format")) {
			format = opt_value(argc, argv, &i, "--format");
			if (!format || (strcmp(format, "csv") &&
					strcmp(format, "json")))
				return usage_error("export", "--format needs "
						   "csv or json, got '%s'",
						   format ? format : "");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("export", "unknown option '%s'",
					   argv[i]);
		} else if (!db) {
			db = argv[i];
		} else {
			return usage_error("export", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (!db)
		return usage_error("export", "export needs a results "
				   "database%s", "");
	struct l2s_error err;
	l2s_error_clear(&err);
	if (export_run(db, format, out, stdout, &err))
		return report_error(&err);
	return EXIT_OK;
}

static int cmd_schema(int argc, char **argv)
{
	if (argc > 2)
		return usage_error("schema", "unexpected argument '%s'",
				   argv[2]);
	struct l2s_error err;
	json_t *schema;
	l2s_error_clear(&err);
	if (schema_build(&world_model, &schema, NULL, &err))
		return report_error(&err);
	int rc = json_dumpf(schema, stdout, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER) == 0 && fputc('\n', stdout) != EOF &&
		 fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
	json_decref(schema);
	if (rc)
		fprintf(stderr, "l2sim: cannot write the schema\n");
	return rc;
}

static int cmd_diff(int argc, char **argv)
{
	const char *dbs[2] = {NULL, NULL}, *out = NULL;
	int n = 0;
	for (int i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--out")) {
			out = opt_value(argc, argv, &i, "--out");
			if (!out || !*out)
				return usage_error("diff", "--out needs a "
						   "directory%s", "");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("diff", "unknown option '%s'",
					   argv[i]);
		} else if (n < 2) {
			dbs[n++] = argv[i];
		} else {
			return usage_error("diff", "unexpected argument '%s'",
					   argv[i]);
		}
	}
	if (n < 2)
		return usage_error("diff", "diff needs BEFORE.db and "
				   "AFTER.db%s", "");
	struct l2s_error err;
	l2s_error_clear(&err);
	if (diff_build(dbs[0], dbs[1], out, stdout, &err))
		return report_error(&err);
	return EXIT_OK;
}

static int cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	const char **in = calloc((size_t)argc + 1, sizeof(*in));
	size_t n_in = 0;
	int rc = EXIT_OK;
	if (!in)
		return EXIT_RUNTIME;
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			rc = usage_error("merge", "unknown option '%s'", argv[i]);
			goto out;
		}
		if (!out)
			out = argv[i];
		else
			in[n_in++] = argv[i];
	}
	if (!out || !n_in) {
		rc = usage_error("merge", "merge needs OUT.db and at least one "
				 "IN.db%s", "");
		goto out;
	}
	struct l2s_error err;
	l2s_error_clear(&err);
	struct resdb *db = NULL;
	struct resdb_merge_stats st;
	if (resdb_open(out, &db, &err) ||
	    resdb_merge(db, in, n_in, &st, &err)) {
		rc = report_error(&err);
		resdb_close(db);
		goto out;
	}
	resdb_close(db);
	printf("merged %zu run%s into %s (%zu already there)\n", st.runs_copied,
	       st.runs_copied == 1 ? "" : "s", out, st.runs_present);
out:
	free(in);
	return rc;
}

static int cmd_slurm(int argc, char **argv)
{
	struct slurm_opts so = {.model = &world_model, .cpus = 1};
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	const char *script = NULL;
	int rc = EXIT_OK;
	if (!sets)
		return EXIT_RUNTIME;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		int64_t x;
		if (is_opt(a, "--array")) {
			v = opt_value(argc, argv, &i, "--array");
			if (parse_i64(v, 1, 100000, &x)) {
				rc = usage_error("slurm", "--array needs a number "
						 "of tasks from 1 to 100000, got "
						 "'%s'", v ? v : "");
				goto out;
			}
			so.array = (int)x;
		} else if (is_opt(a, "--cpus")) {
			v = opt_value(argc, argv, &i, "--cpus");
			if (parse_i64(v, 1, 4096, &x)) {
				rc = usage_error("slurm", "--cpus needs an integer "
						 "from 1 to 4096, got '%s'",
						 v ? v : "");
				goto out;
			}
			so.cpus = (int)x;
		} else if (is_opt(a, "--partition") || is_opt(a, "--time") ||
			   is_opt(a, "--out") || is_opt(a, "--script") ||
			   is_opt(a, "--seed") || is_opt(a, "--reps") ||
			   is_opt(a, "--set")) {
			char name[16];
			size_t l = strcspn(a, "=");
			snprintf(name, sizeof(name), "%.*s", (int)l, a);
			v = opt_value(argc, argv, &i, name);
			if (!v || !*v || strpbrk(v, "\n\r")) {
				rc = usage_error("slurm", "%s needs a value", name);
				goto out;
			}
			if (!strcmp(name, "--partition"))
				so.partition = v;
			else if (!strcmp(name, "--time"))
				so.time = v;
			else if (!strcmp(name, "--out"))
				so.out = v;
			else if (!strcmp(name, "--script"))
				script = v;
			else if (!strcmp(name, "--seed"))
				so.seed = v;
			else if (!strcmp(name, "--reps"))
				so.reps = v;
			else
				sets[so.n_sets++] = v;
		} else if (a[0] == '-' && a[1]) {
			rc = usage_error("slurm", "unknown option '%s'", a);
			goto out;
		} else if (!so.scenario) {
			so.scenario = a;
		} else {
			rc = usage_error("slurm", "unexpected argument '%s'", a);
			goto out;
		}
	}
	if (!so.scenario || !so.array) {
		rc = usage_error("slurm", "slurm needs SCENARIO.json and --array "
				 "N%s", "");
		goto out;
	}
	so.sets = sets;
	struct l2s_error err;
	l2s_error_clear(&err);
	FILE *f = script ? fopen(script, "w") : stdout;
	if (!f) {
		fprintf(stderr, "l2sim: %s: cannot write: %s\n", script,
			strerror(errno));
		rc = EXIT_RUNTIME;
		goto out;
	}
	int r = slurm_script_write(&so, f, &err);
	if (script && fclose(f) && !r)
		r = l2s_error_set(&err, L2S_EIO, "cannot write '%s'", script);
	if (r)
		rc = report_error(&err);
	else if (script)
		fprintf(stderr, "l2sim: wrote %s; submit it with: sbatch %s\n",
			script, script);
out:
	free(sets);
	return rc;
}

static int cmd_bench(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[2], "phold"))
		return usage_error("bench", "unknown benchmark '%s' (try "
				   "'phold')", argc < 3 ? "" : argv[2]);
	struct phold_params p = {.lps = 0, .events_per_lp = 1, .events = 0,
				 .seed = 1};
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		const char *v;
		int64_t x;
		if (is_opt(a, "--lps") || is_opt(a, "--events-per-lp") ||
		    is_opt(a, "--events")) {
			const char *name = is_opt(a, "--lps") ? "--lps"
					   : is_opt(a, "--events-per-lp")
						   ? "--events-per-lp"
						   : "--events";
			v = opt_value(argc, argv, &i, name);
			if (parse_i64(v, 1, INT64_MAX, &x))
				return usage_error("bench", "bad value '%s' (a "
						   "positive integer)", v ? v : "");
			if (!strcmp(name, "--lps"))
				p.lps = x;
			else if (!strcmp(name, "--events"))
				p.events = x;
			else
				p.events_per_lp = x;
		} else if (is_opt(a, "--seed")) {
			v = opt_value(argc, argv, &i, "--seed");
			if (parse_u64(v, &p.seed))
				return usage_error("bench", "bad seed '%s'",
						   v ? v : "");
		} else {
			return usage_error("bench", "unknown option '%s'", a);
		}
	}
	if (p.lps <= 0 || p.events <= 0)
		return usage_error("bench", "phold needs --lps and --events%s",
				   "");
	struct phold_result r;
	struct l2s_error err;
	l2s_error_clear(&err);
	if (phold_run(&p, &r, &err))
		return report_error(&err);
	printf("lps=%lld events_per_lp=%lld pending=%zu\n", (long long)p.lps,
	       (long long)p.events_per_lp, r.pending_end);
	printf("events=%llu wall_seconds=%.3f sim_seconds=%.1f "
	       "fingerprint=%016llx\n",
	       (unsigned long long)r.events, r.wall_seconds, r.sim_seconds,
	       (unsigned long long)r.fingerprint);
	printf("events_per_sec=%.0f\n", r.events_per_sec);
	return EXIT_OK;
}

static int cmd_help(int argc, char **argv)
{
	const char *topic = argc > 2 ? argv[2] : NULL;
	if (!topic)
		fputs(usage_main, stdout);
	else if (!strcmp(topic, "merge"))
		fputs(help_merge, stdout);
	else if (!strcmp(topic, "slurm"))
		fputs(help_slurm, stdout);
	else if (!strcmp(topic, "run"))
		fputs(help_run, stdout);
	else if (!strcmp(topic, "validate"))
		fputs(help_validate, stdout);
	else if (!strcmp(topic, "report"))
		fputs(help_report, stdout);
	else if (!strcmp(topic, "check"))
		fputs(help_check, stdout);
	else if (!strcmp(topic, "bench"))
		fputs(help_bench, stdout);
	else if (!strcmp(topic, "export"))
		fputs(help_export, stdout);
	else if (!strcmp(topic, "schema"))
		fputs(help_schema, stdout);
	else if (!strcmp(topic, "diff"))
		fputs(help_diff, stdout);
	else if (!strcmp(topic, "help"))
		fputs(usage_main, stdout);
	else {
		const char *near = l2s_closest(topic, commands);
		fprintf(stderr, "l2sim: no help for '%s'%s%s%s\n", topic,
			near ? " (did you mean '" : "", near ? near : "",
			near ? "'?)" : "");
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/*
 * The compressors allocate and free large tables (brotli at quality 11:
 * megabytes) for every sample.  Served by mmap each time, half of a short
 * run went to zeroing fresh pages, so such blocks stay on the heap
 * (M_MMAP_THRESHOLD) and the main heap is not trimmed (M_TRIM_THRESHOLD).
 * Those two reach only the main thread's heap: a worker thread's arena
 * lives in heaps of its own (64 MiB each), and a heap that becomes empty
 * is unmapped whatever the trim threshold, so every sample of a worker
 * faulted its tables in afresh (a 12-point sweep spent more time in the
 * kernel than in l2sim at two threads).  M_TOP_PAD keeps 64 MiB of slack
 * at the top of every heap, main or per-thread, so an emptied heap is kept
 * for reuse.  Slack that is never touched costs address space, not memory.
 */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
}

int main(int argc, char **argv)
{
	/* GSL aborts on errors unless told otherwise; l2sim checks what GSL
	 * returns instead. */
	gsl_set_error_handler_off();
	tune_malloc();
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_INPUT;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("l2sim %s\n", L2SIM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return cmd_help(1, argv);
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			char *hv[3] = {argv[0], "help", argv[1]};
			return cmd_help(3, hv);
		}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc, argv);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc, argv);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc, argv);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc, argv);
	if (!strcmp(cmd, "schema"))
		return cmd_schema(argc, argv);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc, argv);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc, argv);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc, argv);
	if (!strcmp(cmd, "slurm"))
		return cmd_slurm(argc, argv);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc, argv);
	const char *near = l2s_closest(cmd, commands);
	fprintf(stderr, "l2sim: unknown command '%s'", cmd);
	if (near)
		fprintf(stderr, " (did you mean '%s'?)", near);
	fprintf(stderr, "\n\n%s", usage_main);
	return EXIT_INPUT;
}
