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

/* The metrics every system instance and "all" report (docs/scenario-format.md). */
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

/* Checks a {COMPONENT: {NAME: NUMBER}} object at JSON path 'where'. */
static int check_metrics_obj(const char *file, const char *where, json_t *m,
			     struct l2s_error *err)
{
	const char *key, *name;
	json_t *v, *x;

	if (!json_is_object(m))
		return input_err(err, file, where, "'%s' must be an object of "
				 "components", where);
	json_object_foreach(m, key, v) {
		char path[256];

		snprintf(path, sizeof(path), "%s.%s", where, key);
		if (!json_is_object(v))
			return input_err(err, file, path, "component '%s' must "
					 "be an object of metric values", key);
		json_object_foreach(v, name, x) {
			if (json_is_number(x))
				continue;
			snprintf(path, sizeof(path), "%s.%s.%s", where, key,
				 name);
			return input_err(err, file, path, "metric '%s' must "
					 "be a number", name);
		}
	}
	return 0;
}

/* Loads and checks the shape of a baseline file. */
static int baseline_load(const char *file, json_t **out,
			 struct l2s_error *err)
{
	static const char *const keys[] = {"scenario", "tolerance_pct",
					   "metrics", "points", NULL};
	json_error_t je;
	json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	const char *key;
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
	if ((rc = check_metrics_obj(file, "metrics", m, err)) < 0)
		goto out;
	v = json_object_get(root, "points");
	if (v && !json_is_array(v)) {
		rc = input_err(err, file, "points", "%s", "'points' must be an "
			       "array of {\"sweep\": {...}, \"metrics\": "
			       "{...}}");
		goto out;
	}
	for (size_t i = 0; v && i < json_array_size(v); i++) {
		json_t *pt = json_array_get(v, i);
		char path[64];

		snprintf(path, sizeof(path), "points[%zu]", i);
		if (!json_is_object(pt) ||
		    !json_is_object(json_object_get(pt, "sweep"))) {
			rc = input_err(err, file, path, "%s", "a point must be "
				       "an object with \"sweep\" (an object of "
				       "swept paths) and \"metrics\"");
			goto out;
		}
		snprintf(path, sizeof(path), "points[%zu].metrics", i);
		rc = check_metrics_obj(file, path,
				       json_object_get(pt, "metrics"), err);
		if (rc < 0)
			goto out;
	}
	{
		/* a check against nothing would always pass */
		size_t n_values = 0;
		const char *ck;
		json_t *cv;
		json_object_foreach(m, ck, cv)
			n_values += json_object_size(cv);
		for (size_t i = 0; v && i < json_array_size(v); i++)
			json_object_foreach(json_object_get(json_array_get(v, i),
							    "metrics"), ck, cv)
				n_values += json_object_size(cv);
		if (n_values == 0) {
			rc = input_err(err, file, "metrics", "%s", "baseline "
				       "has no metrics, so it would check "
				       "nothing");
			l2s_error_hint(err, "write one with 'l2sim check "
				       "RESULTS.db --baseline %s "
				       "--write-baseline'", file);
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

enum { FIND_OK, FIND_BAD, FIND_GOOD };

struct finding {
	const char *point;   /* sweep point label; "" for the whole scenario */
	json_t *sweep;       /* the point's sweep object, or NULL */
	const char *component, *name;
	double base, now, change; /* change: % (absolute ×100 for base 0) */
	int missing, state;
};

struct findings {
	struct finding *f;
	size_t n, cap;
	size_t n_bad, n_good;
};

static int findings_add(struct findings *fs, const struct finding *f)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 256;
		struct finding *nf = realloc(fs->f, cap * sizeof(*nf));
		if (!nf)
			return L2S_ENOMEM;
		fs->f = nf;
		fs->cap = cap;
	}
	fs->f[fs->n++] = *f;
	fs->n_bad += f->state == FIND_BAD;
	fs->n_good += f->state == FIND_GOOD;
	return 0;
}

static void change_text(const struct finding *f, char *ch, size_t len)
{
	if (f->missing)
		snprintf(ch, len, "-");
	else if (f->base == 0)
		snprintf(ch, len, "%+.3g abs", f->now);
	else
		snprintf(ch, len, "%+.2f%%", f->change);
}

static void print_table(struct an_buf *b, const struct findings *fs,
			int state, int points)
{
	char vb[32], vn[32], ch[32];

	an_buf_printf(b, "  %s%-26s %-16s %14s %14s %10s\n",
		      points ? "point                     " : "", "metric",
		      "component", "baseline", "now", "change");
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		if (f->state != state)
			continue;
		fmt_value(f->base, vb, sizeof(vb));
		if (f->missing)
			snprintf(vn, sizeof(vn), "missing");
		else
			fmt_value(f->now, vn, sizeof(vn));
		change_text(f, ch, sizeof(ch));
		if (points)
			an_buf_printf(b, "  %-25.25s ", f->point[0] ? f->point :
				      "(all points)");
		else
			an_buf_puts(b, "  ");
		an_buf_printf(b, "%-26s %-16s %14s %14s %10s\n", f->name,
			      f->component, vb, vn, ch);
	}
}

/* Compares the {COMPONENT: {NAME: VALUE}} object 'm' with the mean over
 * the runs of point 'p' (all points of 'g' when p == NULL). */
static int compare_metrics(struct an_set *set, const struct an_group *g,
			   const struct an_point *p, json_t *sweep,
			   json_t *m, double tolerance_pct,
			   struct findings *fs, struct l2s_error *err)
{
	const char *ckey, *name;
	json_t *comp, *x;
	int rc;

	json_object_foreach(m, ckey, comp) {
		json_object_foreach(comp, name, x) {
			double base = json_number_value(x), now = NAN;
			int dir = check_metric_direction(name);
			struct finding f = {p ? p->label : "", sweep, ckey,
					    name, base, NAN, NAN, 0, FIND_OK};

			if (p) {
				struct an_stat st;
				rc = an_point_stat(set, g, p, ckey, name, 0,
						   &st, err);
				if (rc < 0)
					return rc;
				rc = st.n > 0;
				now = st.mean;
			} else {
				rc = group_mean(set, g, ckey, name, &now, err);
			}
			if (rc < 0)
				return rc;
			if (rc == 0) {
				f.missing = 1;
				f.state = FIND_BAD;
			} else {
				f.now = now;
				/* Change in the unit of tolerance: percent
				 * of the baseline, or of one unit when the
				 * baseline is 0. */
				f.change = base == 0 ? now * 100 :
					(now - base) / fabs(base) * 100;
				if (fabs(f.change) <= tolerance_pct)
					f.state = FIND_OK;
				else if (dir == 0 ||
					 (dir > 0) == (f.change > 0))
					f.state = FIND_BAD;
				else
					f.state = FIND_GOOD;
			}
			if (findings_add(fs, &f) < 0)
				return l2s_error_set(err, L2S_ENOMEM,
						     "out of memory");
		}
	}
	return 0;
}

/* The point of 'g' whose canonical sweep equals 'sweep', or NULL. */
static const struct an_point *find_point(const struct an_group *g,
					 json_t *sweep)
{
	char *c = json_dumps(sweep, JSON_SORT_KEYS | JSON_COMPACT |
			     JSON_ENCODE_ANY);
	const struct an_point *found = NULL;

	for (size_t i = 0; c && i < g->n_points && !found; i++)
		if (strcmp(g->points[i].sweep_json, c) == 0)
			found = &g->points[i];
	free(c);
	return found;
}

static void xml_escape(struct an_buf *b, const char *s)
{
	html_escape(b, s);
}

static void render_table(struct an_buf *b, const struct findings *fs,
			 const char *scenario, const struct an_group *g,
			 const char *baseline_path, double tol, int points)
{
	an_buf_printf(b, "check: scenario \"%s\" (%zu run%s%s) against %s, "
		      "tolerance %g%%\n", scenario, g->n_runs,
		      g->n_runs == 1 ? "" : "s", points ? ", per sweep point" :
		      "", baseline_path, tol);
	if (fs->n_bad) {
		an_buf_printf(b, "regressions (%zu):\n", fs->n_bad);
		print_table(b, fs, FIND_BAD, points);
	}
	if (fs->n_good) {
		an_buf_printf(b, "improvements beyond the tolerance (%zu; "
			      "update the baseline with --write-baseline):\n",
			      fs->n_good);
		print_table(b, fs, FIND_GOOD, points);
	}
	if (fs->n_bad)
		an_buf_printf(b, "FAIL: %zu of %zu metrics regressed\n",
			      fs->n_bad, fs->n);
	else
		an_buf_printf(b, "ok: %zu metrics within tolerance or "
			      "better\n", fs->n);
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int render_json(struct an_buf *b, const struct findings *fs,
		       const char *scenario, const struct an_group *g,
		       const char *baseline_path, double tol)
{
	static const char *const states[] = {"ok", "regressed", "improved"};
	json_t *root = json_object(), *arr = json_array();
	char *s;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return L2S_ENOMEM;
	}
	json_object_set_new(root, "scenario", json_string(scenario));
	json_object_set_new(root, "baseline", json_string(baseline_path));
	json_object_set_new(root, "tolerance_pct", json_real(tol));
	json_object_set_new(root, "runs", json_integer((json_int_t)g->n_runs));
	json_object_set_new(root, "checked", json_integer((json_int_t)fs->n));
	json_object_set_new(root, "regressions",
			    json_integer((json_int_t)fs->n_bad));
	json_object_set_new(root, "improvements",
			    json_integer((json_int_t)fs->n_good));
	json_object_set_new(root, "status", json_string(fs->n_bad ? "fail" :
							"ok"));
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		json_t *o = json_object();
		if (!o)
			break;
		json_object_set_new(o, "point", f->sweep ?
				    json_deep_copy(f->sweep) : json_null());
		json_object_set_new(o, "point_label", json_string(f->point));
		json_object_set_new(o, "component", json_string(f->component));
		json_object_set_new(o, "metric", json_string(f->name));
		json_object_set_new(o, "baseline", num_or_null(f->base));
		json_object_set_new(o, "now", f->missing ? json_null() :
				    num_or_null(f->now));
		json_object_set_new(o, "change_pct", f->missing ||
				    f->base == 0 ? json_null() :
				    num_or_null(f->change));
		json_object_set_new(o, "missing", json_boolean(f->missing));
		json_object_set_new(o, "direction", json_integer(
			check_metric_direction(f->name)));
		json_object_set_new(o, "state", json_string(states[f->state]));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "metrics", arr);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		       JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!s)
		return L2S_ENOMEM;
	an_buf_puts(b, s);
	an_buf_puts(b, "\n");
	free(s);
	return 0;
}

/* JUnit XML as CI systems read it (GitHub Actions reporters, GitLab,
 * Jenkins): one test case per checked metric, a <failure> per
 * regression. */
static void render_junit(struct an_buf *b, const struct findings *fs,
			 const char *scenario, const char *baseline_path,
			 double tol)
{
	char vb[32], vn[32], ch[32];

	an_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	an_buf_printf(b, "<testsuites name=\"l2sim check\" tests=\"%zu\" "
		      "failures=\"%zu\">\n", fs->n, fs->n_bad);
	an_buf_puts(b, "  <testsuite name=\"");
	xml_escape(b, scenario);
	an_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		      "skipped=\"0\">\n", fs->n, fs->n_bad);
	an_buf_puts(b, "    <properties><property name=\"baseline\" value=\"");
	xml_escape(b, baseline_path);
	an_buf_printf(b, "\"/><property name=\"tolerance_pct\" value=\"%g\"/>"
		      "</properties>\n", tol);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];

		an_buf_puts(b, "    <testcase classname=\"l2sim.");
		xml_escape(b, scenario);
		if (f->point[0]) {
			an_buf_puts(b, " [");
			xml_escape(b, f->point);
			an_buf_puts(b, "]");
		}
		an_buf_puts(b, "\" name=\"");
		xml_escape(b, f->component);
		an_buf_puts(b, ".");
		xml_escape(b, f->name);
		an_buf_puts(b, "\"");
		fmt_value(f->base, vb, sizeof(vb));
		fmt_value(f->now, vn, sizeof(vn));
		change_text(f, ch, sizeof(ch));
		if (f->state != FIND_BAD) {
			an_buf_printf(b, "><system-out>baseline %s, now %s, "
				      "change %s%s</system-out></testcase>\n",
				      vb, vn, ch, f->state == FIND_GOOD ?
				      " (improved)" : "");
			continue;
		}
		an_buf_puts(b, "><failure type=\"regression\" message=\"");
		if (f->missing)
			an_buf_printf(b, "missing (baseline %s)", vb);
		else
			an_buf_printf(b, "%s: baseline %s, now %s", ch, vb, vn);
		an_buf_printf(b, "\">metric moved beyond the tolerance of %g%% "
			      "in the direction that hurts</failure>"
			      "</testcase>\n", tol);
	}
	an_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

static int compare(struct an_set *set, const char *baseline_path,
		   double tolerance_pct, int format, FILE *out,
		   struct l2s_error *err)
{
	json_t *root = NULL, *x, *points;
	const char *scenario;
	struct an_group *g;
	struct findings fs = {0};
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
	points = json_object_get(root, "points");
	if (points) {
		size_t i;
		json_t *pt;
		json_array_foreach(points, i, pt) {
			json_t *sw = json_object_get(pt, "sweep");
			const struct an_point *p = find_point(g, sw);
			if (!p) {
				char path[64];
				snprintf(path, sizeof(path), "points[%zu].sweep",
					 i);
				char *t = json_dumps(sw, JSON_COMPACT |
						     JSON_ENCODE_ANY);
				rc = input_err(err, baseline_path, path,
					       "the database has no run of "
					       "sweep point %s", t ? t : "?");
				l2s_error_hint(err, "run the scenario with the "
					       "baseline's sweep, or write a "
					       "new baseline");
				free(t);
				goto out;
			}
			rc = compare_metrics(set, g, p, sw,
					     json_object_get(pt, "metrics"),
					     tolerance_pct, &fs, err);
			if (rc < 0)
				goto out;
		}
	} else {
		rc = compare_metrics(set, g, NULL, NULL,
				     json_object_get(root, "metrics"),
				     tolerance_pct, &fs, err);
		if (rc < 0)
			goto out;
	}
	if (format == CHECK_FORMAT_JSON)
		rc = render_json(&b, &fs, scenario, g, baseline_path,
				 tolerance_pct);
	else if (format == CHECK_FORMAT_JUNIT)
		render_junit(&b, &fs, scenario, baseline_path, tolerance_pct);
	else
		render_table(&b, &fs, scenario, g, baseline_path,
			     tolerance_pct, points != NULL);
	if (rc < 0 || b.oom) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	if (fputs(b.s, out) == EOF || fflush(out) != 0) {
		rc = l2s_error_set(err, L2S_EIO, "cannot write the report");
		goto out;
	}
	rc = fs.n_bad ? 1 : 0;
out:
	an_buf_release(&b);
	free(fs.f);
	json_decref(root);
	return rc;
}

static int add_metrics(struct an_set *set, const struct an_group *g,
		       const struct an_point *p, json_t *metrics,
		       const char *component, const char *const *names,
		       struct l2s_error *err)
{
	json_t *obj = json_object();
	size_t n = 0;
	double v;

	if (!obj)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t i = 0; names[i]; i++) {
		int rc;
		if (p) {
			struct an_stat st;
			rc = an_point_stat(set, g, p, component, names[i], 0,
					   &st, err);
			v = st.mean;
			if (rc == 0)
				rc = st.n > 0;
		} else {
			rc = group_mean(set, g, component, names[i], &v, err);
		}
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
		rc = add_metrics(set, g, NULL, metrics, g->systems[i],
				 system_metrics, err);
		if (rc < 0)
			goto out;
		total += rc;
	}
	if ((rc = add_metrics(set, g, NULL, metrics, "l1", l1_metrics,
			      err)) < 0)
		goto out;
	total += rc;
	/* A swept scenario is checked point by point, so that a regression
	 * at one point is not diluted by the others.  Per point: each system
	 * by its name (the sum over its copies when count > 1), "all", l1. */
	if (g->n_points > 1 || g->points[0].label[0]) {
		json_t *pts = json_array();
		if (!pts || json_object_set_new(root, "points", pts)) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < g->n_points; i++) {
			const struct an_point *p = &g->points[i];
			json_t *pt = json_object(), *pm = json_object();
			if (!pt || !pm || json_array_append_new(pts, pt) ||
			    json_object_set(pt, "sweep", p->sweep) ||
			    json_object_set_new(pt, "metrics", pm)) {
				json_decref(pm);
				rc = l2s_error_set(err, L2S_ENOMEM,
						   "out of memory");
				goto out;
			}
			for (size_t k = 0; k < g->n_bases; k++) {
				rc = add_metrics(set, g, p, pm, g->bases[k],
						 system_metrics, err);
				if (rc < 0)
					goto out;
				total += rc;
			}
			rc = add_metrics(set, g, p, pm, "l1", l1_metrics, err);
			if (rc < 0)
				goto out;
			total += rc;
		}
	}

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
	      double tolerance_pct, int write_baseline, int format, FILE *out,
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
			compare(&set, baseline_path, tolerance_pct, format,
				out, err);
		an_set_release(&set);
	}
	resdb_close(rdb);
	return rc;
}
