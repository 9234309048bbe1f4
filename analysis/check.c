/*
 * `l2sim check`: compares a database's metrics with a baseline JSON and
 * reports what moved beyond the tolerance in the direction that hurts;
 * `--write-baseline` writes such a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "l2sim/results.h"

#include "analysis_internal.h"

/* The metrics SPEC.md asks of every system instance and of "all". */
static const char *const system_metrics[] = {
	"tx_offered", "tx_sequenced", "tx_posted", "tx_finalized",
	"tx_dropped", "tx_pending_end", "tps_offered", "tps_sequenced",
	"tps_posted", "l1_da_bytes_per_tx", "l1_blob_fill",
	"da_bytes_per_tx", "l1_gas_per_tx", "blob_gas_per_tx",
	"cost_eth_per_tx", "latency_sequenced_p50", "latency_sequenced_p99",
	"latency_posted_p50", "latency_posted_p99", "latency_finalized_p50",
	"latency_finalized_p99", "backlog_max", "liveness_failures",
	"liveness_failure_seconds", "max_posting_gap_s", NULL,
};

static const char *const l1_metrics[] = {
	"blocks", "base_fee_gwei_mean", "base_fee_gwei_max",
	"blob_base_fee_gwei_mean", "blob_base_fee_gwei_max",
	"blobs_per_block_mean", "blob_utilization", "gas_utilization", NULL,
};

int check_metric_direction(const char *name)
{
	static const char *const down_bad[] = {
		"tx_sequenced", "tx_posted", "tx_finalized", NULL,
	};
	static const char *const up_bad_parts[] = {
		"bytes", "_per_tx", "cost", "fee", "latency", "backlog",
		"liveness", "posting_gap", "tx_dropped", "tx_pending_end",
		NULL,
	};

	if (strncmp(name, "tps_", 4) == 0 || strstr(name, "blob_fill"))
		return -1;
	for (size_t i = 0; down_bad[i]; i++)
		if (strcmp(name, down_bad[i]) == 0)
			return -1;
	for (size_t i = 0; up_bad_parts[i]; i++)
		if (strstr(name, up_bad_parts[i]))
			return 1;
	return 0;
}

/* Mean of a metric over every run of the group.  1 found, 0 missing. */
static int group_mean(struct an_set *set, const struct an_group *g,
		      const char *component, const char *name, double *mean,
		      struct l2s_error *err)
{
	double sum = 0, v;
	size_t n = 0;

	for (size_t i = 0; i < g->n_points; i++)
		for (size_t k = 0; k < g->points[i].n_runs; k++) {
			int rc = an_metric_get(set, g->points[i].runs[k],
					       component, name, &v, err);
			if (rc < 0)
				return rc;
			if (rc) {
				sum += v;
				n++;
			}
		}
	if (!n)
		return 0;
	*mean = sum / (double)n;
	return 1;
}

static int input_err(struct l2s_error *err, const char *file,
		     const char *path, const char *fmt, const char *arg)
{
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		snprintf(err->path, sizeof(err->path), "%s", path);
	}
	return l2s_error_set(err, L2S_EINPUT, fmt, arg);
}

/* Loads and checks the shape of a baseline file. */
static int baseline_load(const char *file, json_t **out,
			 struct l2s_error *err)
{
	static const char *const keys[] = {"scenario", "tolerance_pct",
					   "metrics", NULL};
	json_error_t je;
	json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	const char *key, *name;
	json_t *v, *m;
	int rc = 0;

	if (!root) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", file);
			err->line = je.line > 0 ? je.line : 0;
			err->column = je.column > 0 ? je.column : 0;
		}
		if (access(file, F_OK) != 0) {
			l2s_error_set(err, L2S_EINPUT, "no baseline file at "
				      "this path");
			l2s_error_hint(err, "write one with --write-baseline");
			return L2S_EINPUT;
		}
		return l2s_error_set(err, L2S_EINPUT,
				     "cannot read baseline: %s", je.text);
	}
	if (!json_is_object(root)) {
		rc = input_err(err, file, "", "baseline is not a JSON object%s",
			       "");
		goto out;
	}
	json_object_foreach(root, key, v) {
		size_t i;
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i]) {
			const char *c = l2s_closest(key, keys);
			rc = input_err(err, file, key, "unknown key '%s'", key);
			if (c)
				l2s_error_hint(err, "did you mean '%s'?", c);
			goto out;
		}
	}
	if (!json_is_string(json_object_get(root, "scenario"))) {
		rc = input_err(err, file, "scenario", "%s",
			       "'scenario' must be a string naming the "
			       "scenario");
		goto out;
	}
	v = json_object_get(root, "tolerance_pct");
	if (v && (!json_is_number(v) || json_number_value(v) < 0)) {
		rc = input_err(err, file, "tolerance_pct", "%s",
			       "'tolerance_pct' must be a number >= 0");
		goto out;
	}
	m = json_object_get(root, "metrics");
	if (!json_is_object(m)) {
		rc = input_err(err, file, "metrics", "%s",
			       "'metrics' must be an object of components");
		goto out;
	}
	json_object_foreach(m, key, v) {
		char path[256];
		json_t *x;

		snprintf(path, sizeof(path), "metrics.%s", key);
		if (!json_is_object(v)) {
			rc = input_err(err, file, path, "component '%s' must be "
				       "an object of metric values", key);
			goto out;
		}
		json_object_foreach(v, name, x) {
			if (json_is_number(x))
				continue;
			snprintf(path, sizeof(path), "metrics.%s.%s", key,
				 name);
			rc = input_err(err, file, path, "metric '%s' must be "
				       "a number", name);
			goto out;
		}
	}
out:
	if (rc < 0) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

static void fmt_value(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.6g", v);
}

struct finding {
	const char *component, *name;
	double base, now;
	int missing;
};

static void print_table(struct an_buf *b, const struct finding *f,
			size_t n)
{
	char vb[32], vn[32], ch[32];

	an_buf_printf(b, "  %-26s %-16s %14s %14s %10s\n", "metric",
		      "component", "baseline", "now", "change");
	for (size_t i = 0; i < n; i++) {
		fmt_value(f[i].base, vb, sizeof(vb));
		if (f[i].missing) {
			snprintf(vn, sizeof(vn), "missing");
			snprintf(ch, sizeof(ch), "-");
		} else {
			fmt_value(f[i].now, vn, sizeof(vn));
			if (f[i].base == 0)
				snprintf(ch, sizeof(ch), "%+.3g abs",
					 f[i].now);
			else
				snprintf(ch, sizeof(ch), "%+.2f%%",
					 (f[i].now - f[i].base) /
					 fabs(f[i].base) * 100);
		}
		an_buf_printf(b, "  %-26s %-16s %14s %14s %10s\n", f[i].name,
			      f[i].component, vb, vn, ch);
	}
}

static int compare(struct an_set *set, const char *baseline_path,
		   double tolerance_pct, FILE *out, struct l2s_error *err)
{
	json_t *root = NULL, *m, *comp, *x;
	const char *scenario, *ckey, *name;
	struct an_group *g;
	struct finding *bad = NULL, *good = NULL;
	size_t n_bad = 0, n_good = 0, n_metrics = 0, cap;
	struct an_buf b = {0};
	int rc = baseline_load(baseline_path, &root, err);

	if (rc < 0)
		return rc;
	scenario = json_string_value(json_object_get(root, "scenario"));
	if (tolerance_pct < 0 || isnan(tolerance_pct)) {
		x = json_object_get(root, "tolerance_pct");
		tolerance_pct = x ? json_number_value(x) :
			CHECK_DEFAULT_TOLERANCE_PCT;
	}
	g = an_set_find(set, scenario);
	if (!g || g->n_runs == 0) {
		rc = input_err(err, baseline_path, "scenario",
			       "the database holds no successful run of "
			       "scenario '%s'", scenario);
		goto out;
	}
	m = json_object_get(root, "metrics");
	cap = 0;
	json_object_foreach(m, ckey, comp)
		cap += json_object_size(comp);
	bad = calloc(cap ? cap : 1, sizeof(*bad));
	good = calloc(cap ? cap : 1, sizeof(*good));
	if (!bad || !good) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(m, ckey, comp) {
		json_object_foreach(comp, name, x) {
			double base = json_number_value(x), now = NAN;
			int dir = check_metric_direction(name);
			struct finding f = {ckey, name, base, NAN, 0};

			n_metrics++;
			rc = group_mean(set, g, ckey, name, &now, err);
			if (rc < 0)
				goto out;
			if (rc == 0) {
				f.missing = 1;
				bad[n_bad++] = f;
				continue;
			}
			f.now = now;
			/* Change in the unit of tolerance: percent of the
			 * baseline, or of one unit when the baseline is 0. */
			double change = base == 0 ? now * 100 :
				(now - base) / fabs(base) * 100;
			if (fabs(change) <= tolerance_pct)
				continue;
			if (dir == 0 || (dir > 0) == (change > 0))
				bad[n_bad++] = f;
			else
				good[n_good++] = f;
		}
	}
	rc = 0;
	an_buf_printf(&b, "check: scenario \"%s\" (%zu run%s) against %s, "
		      "tolerance %g%%\n", scenario, g->n_runs,
		      g->n_runs == 1 ? "" : "s", baseline_path, tolerance_pct);
	if (n_bad) {
		an_buf_printf(&b, "regressions (%zu):\n", n_bad);
		print_table(&b, bad, n_bad);
	}
	if (n_good) {
		an_buf_printf(&b, "improvements beyond the tolerance (%zu; "
			      "update the baseline with --write-baseline):\n",
			      n_good);
		print_table(&b, good, n_good);
	}
	if (n_bad)
		an_buf_printf(&b, "FAIL: %zu of %zu metrics regressed\n", n_bad,
			      n_metrics);
	else
		an_buf_printf(&b, "ok: %zu metrics within tolerance or "
			      "better\n", n_metrics);
	if (b.oom) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	if (fputs(b.s, out) == EOF || fflush(out) != 0) {
		rc = l2s_error_set(err, L2S_EIO, "cannot write the report");
		goto out;
	}
	rc = n_bad ? 1 : 0;
out:
	an_buf_release(&b);
	free(bad);
	free(good);
	json_decref(root);
	return rc;
}

static int add_metrics(struct an_set *set, const struct an_group *g,
		       json_t *metrics, const char *component,
		       const char *const *names, struct l2s_error *err)
{
	json_t *obj = json_object();
	size_t n = 0;
	double v;

	if (!obj)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t i = 0; names[i]; i++) {
		int rc = group_mean(set, g, component, names[i], &v, err);
		if (rc < 0) {
			json_decref(obj);
			return rc;
		}
		if (rc == 0 || !isfinite(v))
			continue;
		if (json_object_set_new(obj, names[i], json_real(v)) < 0) {
			json_decref(obj);
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		}
		n++;
	}
	if (n == 0) {
		json_decref(obj);
		return 0;
	}
	if (json_object_set_new(metrics, component, obj) < 0)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	return (int)n;
}

/* The scenario a new baseline is for (see analysis.h). */
static struct an_group *pick_group(struct an_set *set, const char *path,
				   double *tolerance_pct,
				   struct l2s_error *err)
{
	json_error_t je;
	json_t *old = json_load_file(path, 0, &je);
	struct an_group *g = NULL;
	const char *s;

	if (old && *tolerance_pct < 0) {
		json_t *t = json_object_get(old, "tolerance_pct");
		if (json_is_number(t) && json_number_value(t) >= 0)
			*tolerance_pct = json_number_value(t);
	}
	if (set->n_groups == 1) {
		g = &set->groups[0];
	} else if (old && (s = json_string_value(json_object_get(old,
							"scenario")))) {
		g = an_set_find(set, s);
	} else {
		const char *base = strrchr(path, '/');
		char stem[256];
		char *dot;

		snprintf(stem, sizeof(stem), "%s", base ? base + 1 : path);
		if ((dot = strrchr(stem, '.')))
			*dot = '\0';
		g = an_set_find(set, stem);
	}
	json_decref(old);
	if (!g || g->n_runs == 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		l2s_error_set(err, L2S_EUSAGE, set->n_groups ?
			      "cannot tell which scenario of the database "
			      "the baseline is for" :
			      "the database holds no successful run");
		if (set->n_groups > 1)
			l2s_error_hint(err, "name the file after the "
				       "scenario, e.g. '%s.json'",
				       set->groups[0].scenario);
	}
	return g;
}

static int write_baseline_file(struct an_set *set, const char *path,
			       double tolerance_pct, FILE *out,
			       struct l2s_error *err)
{
	struct an_group *g = pick_group(set, path, &tolerance_pct, err);
	json_t *root = NULL, *metrics;
	char *tmp = NULL;
	int rc, fd = -1, total = 0;
	FILE *f = NULL;

	if (!g)
		return err ? err->code : L2S_EUSAGE;
	if (tolerance_pct < 0 || isnan(tolerance_pct))
		tolerance_pct = CHECK_DEFAULT_TOLERANCE_PCT;
	root = json_object();
	metrics = json_object();
	if (!root || !metrics ||
	    json_object_set_new(root, "scenario", json_string(g->scenario)) ||
	    json_object_set_new(root, "tolerance_pct",
				json_real(tolerance_pct)) ||
	    json_object_set(root, "metrics", metrics)) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < g->n_systems; i++) {
		rc = add_metrics(set, g, metrics, g->systems[i],
				 system_metrics, err);
		if (rc < 0)
			goto out;
		total += rc;
	}
	if ((rc = add_metrics(set, g, metrics, "l1", l1_metrics, err)) < 0)
		goto out;
	total += rc;

	/* Write beside the target and rename: never a half-written file. */
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		rc = l2s_error_set(err, L2S_EIO, "cannot write baseline: %s",
				   strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	/* mkstemp creates 0600; a baseline is a file to share (umask
	 * applies). */
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_SORT_KEYS |
		       JSON_REAL_PRECISION(17)) < 0 || fputc('\n', f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s", path);
		rc = l2s_error_set(err, L2S_EIO, "cannot write baseline: %s",
				   strerror(errno));
		unlink(tmp);
		goto out;
	}
	fprintf(out, "wrote baseline %s: scenario \"%s\", %d metrics of %zu "
		"component%s from %zu run%s, tolerance %g%%\n", path,
		g->scenario, total, json_object_size(metrics),
		json_object_size(metrics) == 1 ? "" : "s", g->n_runs,
		g->n_runs == 1 ? "" : "s", tolerance_pct);
	rc = 0;
out:
	free(tmp);
	json_decref(metrics);
	json_decref(root);
	return rc;
}

int check_run(const char *db_path, const char *baseline_path,
	      double tolerance_pct, int write_baseline, FILE *out,
	      struct l2s_error *err)
{
	struct resdb *rdb = NULL;
	struct an_set set;
	int rc = an_db_open(db_path, &rdb, err);

	if (rc < 0)
		return rc;
	rc = an_set_load(&set, resdb_handle(rdb), NULL, 0, err);
	if (rc == 0) {
		rc = write_baseline ?
			write_baseline_file(&set, baseline_path,
					    tolerance_pct, out, err) :
			compare(&set, baseline_path, tolerance_pct, out, err);
		an_set_release(&set);
	}
	resdb_close(rdb);
	return rc;
}
