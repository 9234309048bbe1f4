/*
 * Replications x sweep points, in parallel, written in run order.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "l2sim/results.h"
#include "l2sim/runner.h"
#include "sweep_internal.h"

void sweep_points_free(struct sweep_point *points, size_t n)
{
	if (!points)
		return;
	for (size_t i = 0; i < n; i++) {
		json_decref(points[i].root);
		free(points[i].sweep_json);
	}
	free(points);
}

/*
 * Sets one sweep value.  A key naming several paths separated by commas
 * ("systems[0].count,systems[1].count") takes a list of as many values per
 * point and sets them together: the points of such a key are zipped, not
 * crossed.
 */
static int set_sweep_value(json_t *root, const char *key, json_t *val,
			   struct l2s_error *err)
{
	if (!strchr(key, ','))
		return scenario_set_json(root, key, json_deep_copy(val), err);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", key);
	size_t n = 0;
	for (char *p = buf; *p; p++)
		n += *p == ',';
	n++;
	if (!json_is_array(val) || json_array_size(val) != n) {
		l2s_error_hint(err, "a key of %zu paths takes a list of %zu "
			       "values per point, e.g. [[1, 1], [2, 2]]", n, n);
		return l2s_error_set(err, L2S_EINPUT, "sweep values of '%s' must "
				     "be lists of %zu values", key, n);
	}
	char *save = NULL;
	size_t i = 0;
	for (char *path = strtok_r(buf, ",", &save); path;
	     path = strtok_r(NULL, ",", &save), i++) {
		while (*path == ' ')
			path++;
		int rc = scenario_set_json(root, path,
					   json_deep_copy(json_array_get(val, i)),
					   err);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- sweeps, one point at a time ------------------------------------------ */

/*
 * A sweep is the base scenario (with --set applied) and its keys' value
 * lists; point p's tree is built on demand, so a sweep of 100,000 points
 * costs the memory of its runs in flight, not of 100,000 scenario copies.
 */
struct sweep {
	struct scenario *scn;
	size_t dims;
	const char **keys;
	json_t **vals;
	size_t total;
	/* Some key's path lies inside another's (or is the same): then the
	 * order of application matters, and points are built on fresh copies
	 * of the base only. */
	int nested;
};

static void sweep_close(struct sweep *sw)
{
	free(sw->keys);
	free(sw->vals);
	memset(sw, 0, sizeof(*sw));
}

/* Whether path a equals path b or lies inside it, or the reverse. */
static int paths_nest(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	if (strncmp(a, b, n) != 0)
		return 0;
	if (la == lb)
		return 1;
	char next = la < lb ? b[n] : a[n];
	return next == '.' || next == '[';
}

/* Sets sw->nested when two of the (comma-separated) key paths nest. */
static void sweep_check_nesting(struct sweep *sw)
{
	for (size_t i = 0; i < sw->dims && !sw->nested; i++)
		for (size_t j = i; j < sw->dims && !sw->nested; j++) {
			const char *a = sw->keys[i];
			while (*a && !sw->nested) {
				size_t la = strcspn(a, ",");
				const char *b = i == j ? a + la : sw->keys[j];
				if (*b == ',')
					b++;
				while (*b && !sw->nested) {
					size_t lb = strcspn(b, ",");
					const char *pa = a, *pb = b;
					size_t na = la, nb = lb;
					while (na && *pa == ' ')
						pa++, na--;
					while (nb && *pb == ' ')
						pb++, nb--;
					sw->nested = paths_nest(pa, na, pb, nb);
					b += lb;
					if (*b == ',')
						b++;
				}
				a += la;
				if (*a == ',')
					a++;
			}
		}
}

/* Applies --set values to scn and reads its sweep. */
static int sweep_open(struct scenario *scn, const char *const *sets,
		      size_t n_sets, struct sweep *sw, struct l2s_error *err)
{
	memset(sw, 0, sizeof(*sw));
	sw->scn = scn;
	for (size_t i = 0; i < n_sets; i++) {
		int rc = scenario_set(scn, sets[i], err);
		if (rc)
			return rc;
	}
	struct scn_obj root = scn_root(scn);
	struct scn_obj sweep;
	bool has;
	int rc = scn_get_obj(&root, "sweep", &sweep, &has, err);
	if (rc)
		return rc;
	size_t dims = has ? json_object_size(sweep.obj) : 0;
	sw->keys = calloc(dims + 1, sizeof(*sw->keys));
	sw->vals = calloc(dims + 1, sizeof(*sw->vals));
	sw->total = 1;
	if (!sw->keys || !sw->vals) {
		sweep_close(sw);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	const char *key;
	json_t *v;
	if (has) {
		json_object_foreach(sweep.obj, key, v) {
			if (!json_is_array(v) || json_array_size(v) == 0) {
				rc = scn_fail(&sweep, key, err,
					      "sweep values of '%s' must be a "
					      "non-empty array", key);
				l2s_error_hint(err, "for example \"%s\": [1, 2, 4]",
					       key);
				sweep_close(sw);
				return rc;
			}
			sw->keys[sw->dims] = key;
			sw->vals[sw->dims] = v;
			sw->dims++;
			sw->total *= json_array_size(v);
			if (sw->total > 100000) {
				rc = scn_fail(&root, "sweep", err,
					      "sweep has more than 100000 points");
				sweep_close(sw);
				return rc;
			}
		}
	}
	sweep_check_nesting(sw);
	return 0;
}

/* Index into key k's values of point p; the first key varies slowest. */
static size_t sweep_value_index(const struct sweep *sw, size_t p, size_t k)
{
	size_t stride = 1;
	for (size_t j = sw->dims; j-- > k + 1;)
		stride *= json_array_size(sw->vals[j]);
	return p / stride % json_array_size(sw->vals[k]);
}

/* Sets the values of point p into root (the base, or a tree that differs
 * from it only at the sweep's paths when the paths do not nest).  A
 * failure is located at the key in the scenario file. */
static int sweep_apply(const struct sweep *sw, size_t p, json_t *root,
		       struct l2s_error *err)
{
	for (size_t k = 0; k < sw->dims; k++) {
		json_t *val = json_array_get(sw->vals[k],
					     sweep_value_index(sw, p, k));
		int rc = set_sweep_value(root, sw->keys[k], val, err);
		if (rc) {
			const struct scenario *scn = sw->scn;
			snprintf(err->file, sizeof(err->file), "%s", scn->file);
			int line, col;
			char at[300];
			snprintf(at, sizeof(at), "sweep.%s", sw->keys[k]);
			/* A key that is itself a path ("a[4].b") is not a path
			 * below "sweep": point at "sweep". */
			if (scenario_locate(scn->text, at, &line, &col) == 0 ||
			    scenario_locate(scn->text, "sweep", &line, &col) == 0) {
				err->line = line;
				err->column = col;
			}
			if (rc != L2S_ENOMEM) {
				char m[sizeof(err->msg)];
				snprintf(m, sizeof(m), "sweep key '%s': %s",
					 sw->keys[k], err->msg);
				snprintf(err->msg, sizeof(err->msg), "%s", m);
			}
			return rc == L2S_EUSAGE ? L2S_EINPUT : rc;
		}
	}
	return 0;
}

/* {"path": value, ...} of point p, or NULL when out of memory. */
static char *sweep_point_json(const struct sweep *sw, size_t p)
{
	json_t *sj = json_object();
	if (!sj)
		return NULL;
	for (size_t k = 0; k < sw->dims; k++)
		json_object_set(sj, sw->keys[k],
				json_array_get(sw->vals[k],
					       sweep_value_index(sw, p, k)));
	char *out = json_dumps(sj, JSON_COMPACT);
	json_decref(sj);
	return out;
}

/* A fresh tree of point p. */
static int sweep_build(const struct sweep *sw, size_t p, json_t **root,
		       struct l2s_error *err)
{
	*root = json_deep_copy(sw->scn->root);
	if (!*root)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc = sweep_apply(sw, p, *root, err);
	if (rc) {
		json_decref(*root);
		*root = NULL;
	}
	return rc;
}

int runner_expand(struct scenario *scn, const char *const *sets, size_t n_sets,
		  struct sweep_point **points, size_t *n, struct l2s_error *err)
{
	*points = NULL;
	*n = 0;
	struct sweep sw;
	int rc = sweep_open(scn, sets, n_sets, &sw, err);
	if (rc)
		return rc;
	struct sweep_point *pts = calloc(sw.total, sizeof(*pts));
	if (!pts) {
		sweep_close(&sw);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	for (size_t p = 0; p < sw.total; p++) {
		rc = sweep_build(&sw, p, &pts[p].root, err);
		if (rc == 0 && !(pts[p].sweep_json = sweep_point_json(&sw, p)))
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		if (rc) {
			sweep_points_free(pts, sw.total);
			sweep_close(&sw);
			return rc;
		}
	}
	*points = pts;
	*n = sw.total;
	sweep_close(&sw);
	return 0;
}

/* Values that runner_run sets in every point after the sweep's. */
struct point_overrides {
	int has_seed;
	uint64_t seed;
	int64_t reps; /* > 0: replications */
};

static int apply_overrides(json_t *root, const struct point_overrides *ov)
{
	if (!ov)
		return 0;
	if (ov->has_seed &&
	    json_object_set_new(root, "seed", json_integer((json_int_t)ov->seed)))
		return -1;
	if (ov->reps > 0 &&
	    json_object_set_new(root, "replications", json_integer(ov->reps)))
		return -1;
	return 0;
}

/* Adds " (sweep point {...})" to a message about point p of a sweep. */
static void name_point(const struct sweep *sw, size_t p, struct l2s_error *err)
{
	if (sw->total <= 1 || !err || strstr(err->msg, "sweep point"))
		return;
	char *sj = sweep_point_json(sw, p);
	char m[sizeof(err->msg)];
	snprintf(m, sizeof(m), "%s (sweep point %s)", err->msg, sj ? sj : "?");
	snprintf(err->msg, sizeof(err->msg), "%s", m);
	free(sj);
}

/* Builds the model of one scenario tree and throws it away. */
static int check_world(const struct sim_model *model,
		       const struct scenario *scn, json_t *root,
		       const struct sim_run_settings *ws, struct l2s_error *err)
{
	struct scenario v = *scn;
	v.root = root;
	struct sim *sim = sim_create(ws->seed, 0);
	if (!sim)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	void *built = NULL;
	int rc = model->create(sim, &v, &built, err);
	model->destroy(built);
	sim_destroy(sim);
	return rc;
}

/* Whether key k of the sweep is "seed" or "replications": values checked
 * with the settings that build no different world. */
static int settings_only_key(const struct sweep *sw, size_t k)
{
	return !strcmp(sw->keys[k], "seed") ||
	       !strcmp(sw->keys[k], "replications");
}

/* Point p with the values of its settings-only keys replaced by their
 * first: the point that builds the world for p. */
static size_t world_representative(const struct sweep *sw, size_t p)
{
	size_t stride = 1, q = p;
	for (size_t k = sw->dims; k-- > 0;) {
		size_t len = json_array_size(sw->vals[k]);
		if (settings_only_key(sw, k))
			q -= (p / stride % len) * stride;
		stride *= len;
	}
	return q;
}

/* Validates point p in *work (a fresh copy of the base when NULL or when
 * the paths nest).  Fills *ws. */
static int validate_point(const struct sim_model *model,
			  const struct sweep *sw,
			  const struct point_overrides *ov, size_t p,
			  json_t **work, struct sim_run_settings *ws,
			  struct l2s_error *err)
{
	const struct scenario *scn = sw->scn;
	if (sw->nested || !*work) {
		json_decref(*work);
		if (!(*work = json_deep_copy(scn->root)))
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	int rc = sweep_apply(sw, p, *work, err);
	if (rc)
		return rc;
	if (apply_overrides(*work, ov))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	struct scenario v = *scn;
	v.root = *work;
	rc = model->settings(&v, ws, err);
	if (rc == 0 && world_representative(sw, p) == p)
		rc = check_world(model, scn, *work, ws, err);
	return rc;
}

/*
 * Whether error 'e' of point 'fail' depends on the sweep: some other point
 * passes or fails otherwise.  When every point fails alike, naming one
 * would only mislead.  Points are checked whole (settings and world) in
 * sweep order; the scan ends at the first that differs, so it costs one
 * or two checks unless the error is shared.
 */
static int sweep_related(const struct sim_model *model, const struct sweep *sw,
			 const struct point_overrides *ov, size_t fail,
			 const struct l2s_error *e)
{
	json_t *work = NULL;
	int related = 0;
	for (size_t k = 0; k < sw->total && !related; k++) {
		if (k == fail)
			continue;
		struct l2s_error o;
		struct sim_run_settings ws;
		l2s_error_clear(&o);
		int rc = validate_point(model, sw, ov, k, &work, &ws, &o);
		/* validate_point builds the worlds of representatives only */
		if (rc == 0 && world_representative(sw, k) != k)
			rc = check_world(model, sw->scn, work, &ws, &o);
		related = rc == 0 || !l2s_error_same(&o, e);
	}
	json_decref(work);
	return related;
}

/*
 * Validates every point of a sweep before anything runs, and fills
 * settings[p] (when not NULL) with each point's run settings.  Reports the
 * first bad point in sweep order, whatever the thread count, and names it
 * unless every point fails alike.
 *
 * Every point's top-level settings are read and checked.  Building the
 * world checks everything else and depends on the tree only: points that
 * differ only in "seed" or "replications" build alike, so the world is
 * built for the point whose such values are the first of their lists.  A
 * sweep of 1,000 seeds x 100 rates builds 100 worlds.  When the keys'
 * paths do not nest, each thread sets its points into one working tree in
 * turn (setting the same paths again leaves the tree a fresh copy would
 * have), so no point costs a copy of the scenario.  Threads take
 * contiguous shares of the points.
 */
static int validate_sweep(const struct sim_model *model,
			  const struct sweep *sw,
			  const struct point_overrides *ov,
			  struct sim_run_settings *settings, int threads,
			  struct l2s_error *err)
{
	size_t fail_at = SIZE_MAX;
	struct l2s_error fail_err;
	l2s_error_clear(&fail_err);
	if (threads < 1)
		threads = omp_get_max_threads();
	if ((size_t)threads > sw->total)
		threads = (int)sw->total;
#pragma omp parallel num_threads(threads)
	{
		size_t nth = (size_t)omp_get_num_threads();
		size_t t = (size_t)omp_get_thread_num();
		size_t lo = sw->total * t / nth, hi = sw->total * (t + 1) / nth;
		json_t *work = NULL;
		struct l2s_error e;
		l2s_error_clear(&e);
		for (size_t p = lo; p < hi; p++) {
			if (__atomic_load_n(&fail_at, __ATOMIC_RELAXED) < p)
				break;
			struct sim_run_settings ws;
			if (validate_point(model, sw, ov, p, &work, &ws, &e)) {
#pragma omp critical(l2sim_validate)
				if (p < fail_at) {
					fail_err = e;
					__atomic_store_n(&fail_at, p,
							 __ATOMIC_RELAXED);
				}
				break;
			}
			if (settings)
				settings[p] = ws;
		}
		json_decref(work);
	}
	if (fail_at == SIZE_MAX)
		return 0;
	if (err) {
		*err = fail_err;
		if (fail_err.code != L2S_ENOMEM &&
		    sweep_related(model, sw, ov, fail_at, &fail_err))
			name_point(sw, fail_at, err);
	}
	return fail_err.code ? fail_err.code : L2S_EINPUT;
}

int runner_validate_tree(const struct sim_model *model, struct scenario *scn,
			 const char *const *sets, size_t n_sets,
			 size_t *n_runs, struct l2s_error *err)
{
	struct sweep sw;
	int rc = sweep_open(scn, sets, n_sets, &sw, err);
	if (rc == 0) {
		struct sim_run_settings *ws = calloc(sw.total, sizeof(*ws));
		rc = ws ? validate_sweep(model, &sw, NULL, ws, 0, err)
			: l2s_error_set(err, L2S_ENOMEM, "out of memory");
		/* As runner_run: the first point's replications. */
		if (rc == 0 && n_runs)
			*n_runs = sw.total * (size_t)ws[0].replications;
		free(ws);
		sweep_close(&sw);
	}
	return rc;
}

int runner_validate(const struct sim_model *model, const char *path,
		    const char *const *sets, size_t n_sets, size_t *n_runs,
		    struct l2s_error *err)
{
	struct scenario *scn;
	int rc = scenario_load(path, &scn, err);
	if (rc)
		return rc;
	rc = runner_validate_tree(model, scn, sets, n_sets, n_runs, err);
	scenario_destroy(scn);
	return rc;
}

/*
 * Point p's tree and sweep JSON for a run.  Threads build their points in
 * turn: the sweep's value lists are shared, and copying them takes
 * references.
 */
static int build_point(const struct sweep *sw, size_t p,
		       const struct point_overrides *ov, json_t **root,
		       char **sweep_json, struct l2s_error *err)
{
	int rc;
#pragma omp critical(l2sim_sweep)
	{
		rc = sweep_build(sw, p, root, err);
		if (rc == 0 && (apply_overrides(*root, ov) ||
				!(*sweep_json = sweep_point_json(sw, p))))
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	return rc;
}

/* ---- progress ---------------------------------------------------------- */

/*
 * The progress bar, one line on stderr redrawn at most five times a
 * second by whichever thread gets there first (a thread that finds another
 * printing skips its turn instead of waiting).  Its fraction is simulated
 * time done over the sum of every run's own duration, so sweeps whose
 * points run for different durations are sized right, with the writing of
 * results counted as work at the share learnt from the runs written.  The
 * ETA extrapolates the wall time spent so far over that fraction until a
 * run has finished; then it prices the simulated time left at what a
 * simulated second cost the finished runs, over the threads.  While
 * results are being written the line says so.  The line is as wide as the
 * terminal (at most 80 columns) less one, so it never wraps.
 *
 * Per-run counters are written by the run's thread and read by the
 * printer, as relaxed atomics.
 */
struct progress {
	int on;
	size_t runs;
	double total;             /* sum of the runs' durations, sim seconds */
	sim_time_t *dur;          /* per run: its duration */
	sim_time_t *done;         /* per run: simulated time done */
	uint64_t *events;         /* per run: events so far */
	size_t finished;          /* runs computed */
	int writing;              /* results are being written */
	/* Writing is work too: its share, learnt as runs are written. */
	int threads;              /* runs at a time */
	double run_wall;          /* wall seconds of the runs computed */
	double run_dur;           /* their simulated seconds */
	double write_wall;        /* wall seconds spent writing */
	double write_t0;          /* when the current write began */
	size_t written;           /* runs written */
	int cols;                 /* the line's width */
	double t0;
	double next_print;        /* wall time of the next redraw */
	omp_lock_t lock;
	omp_lock_t lock_wall;     /* run_wall, write_wall, written */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fmt_hms(char *buf, size_t cap, double s)
{
	s = floor(s);
	if (!isfinite(s) || s < 0 || s > 359999)
		snprintf(buf, cap, "--:--");
	else if (s >= 3600)
		snprintf(buf, cap, "%d:%02d:%02d", (int)(s / 3600),
			 (int)fmod(s / 60, 60), (int)fmod(s, 60));
	else
		snprintf(buf, cap, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

/* Columns of the terminal on stderr, else $COLUMNS, else 80; at most 80. */
static int progress_columns(void)
{
	int cols = 0;
	struct winsize ws;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cols = ws.ws_col;
	else if (getenv("COLUMNS"))
		cols = atoi(getenv("COLUMNS"));
	if (cols <= 0 || cols > 80)
		cols = 80;
	return cols < 40 ? 40 : cols;
}

static int progress_init(struct progress *pg, int on, size_t runs)
{
	memset(pg, 0, sizeof(*pg));
	pg->on = on;
	pg->runs = runs;
	pg->dur = calloc(runs, sizeof(*pg->dur));
	pg->done = calloc(runs, sizeof(*pg->done));
	pg->events = calloc(runs, sizeof(*pg->events));
	pg->cols = progress_columns();
	pg->t0 = wall_now();
	omp_init_lock(&pg->lock);
	omp_init_lock(&pg->lock_wall);
	return pg->dur && pg->done && pg->events ? 0 : -1;
}

static void progress_free(struct progress *pg)
{
	free(pg->dur);
	free(pg->done);
	free(pg->events);
	omp_destroy_lock(&pg->lock);
	omp_destroy_lock(&pg->lock_wall);
}

/* Sizes run i by its own duration. */
static void progress_set_duration(struct progress *pg, size_t i,
				  sim_time_t dur)
{
	pg->dur[i] = dur;
	pg->total += sim_time_to_s(dur);
}

/*
 * Formats the line into buf (cap >= cols + 1): "[####....]  42%  5/12 runs
 * 0:12 ETA 0:17  3.1M ev/s", then "writing" while results are written,
 * padded with spaces to cols - 1 characters.
 */
static void progress_format(struct progress *pg, double now, int final,
			    char *buf, size_t cap)
{
	double done = 0;
	uint64_t ev = 0;
	for (size_t i = 0; i < pg->runs; i++) {
		sim_time_t d = __atomic_load_n(&pg->done[i], __ATOMIC_RELAXED);
		done += sim_time_to_s(d < pg->dur[i] ? d : pg->dur[i]);
		ev += __atomic_load_n(&pg->events[i], __ATOMIC_RELAXED);
	}
	size_t fin = __atomic_load_n(&pg->finished, __ATOMIC_RELAXED);
	size_t wr = __atomic_load_n(&pg->writing, __ATOMIC_RELAXED);
	/* Simulated seconds, plus the writing of results as omega per
	 * simulated second (the wall time of writes over that of runs so
	 * far), each written run counted at the sweep's mean duration. */
	double omega = 0, written, run_wall, run_dur, write_wall;
	omp_set_lock(&pg->lock_wall);
	run_wall = pg->run_wall;
	run_dur = pg->run_dur;
	write_wall = pg->write_wall;
	written = (double)pg->written;
	omp_unset_lock(&pg->lock_wall);
	if (run_wall > 0)
		omega = write_wall / run_wall;
	double total = pg->total * (1 + omega);
	double sim_done = done;
	if (pg->runs)
		done += omega * written * pg->total / (double)pg->runs;
	double frac = total > 0 ? done / total : 1;
	if (frac > 1 || (final && fin == pg->runs))
		frac = 1;
	double el = now - pg->t0;
	double eta = frac > 0 ? el * (1 - frac) / frac : NAN;
	if (run_dur > 0 && !final) {
		/* Once runs have finished, what a simulated second costs in
		 * wall time (computing, setting up and writing included) is
		 * known: the work left at that cost, over the threads, but
		 * no sooner than the longest run left can end. */
		double cost = (run_wall + write_wall) / run_dur, longest = 0;
		for (size_t i = 0; i < pg->runs; i++) {
			sim_time_t d = __atomic_load_n(&pg->done[i],
						       __ATOMIC_RELAXED);
			double left = sim_time_to_s(pg->dur[i]) -
				      sim_time_to_s(d < pg->dur[i] ? d : pg->dur[i]);
			if (left > longest)
				longest = left;
		}
		double left_all = pg->total - sim_done;
		eta = left_all * cost / (pg->threads > 0 ? pg->threads : 1);
		if (longest * cost > eta)
			eta = longest * cost;
	}
	char e1[16], e2[16], rate[16], tail[96];
	fmt_hms(e1, sizeof(e1), el);
	/* to the nearest second: truncating would always promise early */
	fmt_hms(e2, sizeof(e2), final ? 0 : floor(eta + 0.5));
	double eps = el > 0 ? (double)ev / el : 0;
	if (eps >= 1e6)
		snprintf(rate, sizeof(rate), "%.1fM", eps / 1e6);
	else
		snprintf(rate, sizeof(rate), "%.0fk", eps / 1e3);
	int n = snprintf(tail, sizeof(tail), " %3.0f%% %zu/%zu runs %s ETA %s "
			 "%s ev/s%s", frac * 100, fin, pg->runs, e1, e2, rate,
			 wr ? " writing" : "");
	int line = pg->cols - 1;
	int width = line - 2 - n; /* the bar between its brackets */
	if (width > 30)
		width = 30;
	int pos = 0;
	if (width >= 5) {
		int fill = (int)(frac * width);
		buf[pos++] = '[';
		for (int i = 0; i < width; i++)
			buf[pos++] = i < fill ? '#' : '.';
		buf[pos++] = ']';
	}
	for (int i = 0; i < n && pos < line; i++)
		buf[pos++] = tail[i];
	while (pos < line && (size_t)pos + 1 < cap)
		buf[pos++] = ' ';
	buf[pos] = '\0';
}

static void progress_print(struct progress *pg, int final)
{
	if (!pg->on)
		return;
	double now = wall_now();
	double next;
	__atomic_load(&pg->next_print, &next, __ATOMIC_RELAXED);
	if (!final && now < next)
		return;
	if (final)
		omp_set_lock(&pg->lock);
	else if (!omp_test_lock(&pg->lock))
		return;
	next = now + 0.2;
	__atomic_store(&pg->next_print, &next, __ATOMIC_RELAXED);
	char buf[128];
	progress_format(pg, now, final, buf, sizeof(buf));
	fprintf(stderr, "\r%s%s", buf, final ? "\n" : "");
	fflush(stderr);
	omp_unset_lock(&pg->lock);
}

struct run_progress {
	struct progress *pg;
	size_t index;
	struct sim *sim;
};

static void on_progress(void *ctx, sim_time_t now, uint64_t events)
{
	struct run_progress *rp = ctx;
	if (runner_stop_requested()) {
		sim_stop(rp->sim);
		return;
	}
	__atomic_store_n(&rp->pg->done[rp->index], now, __ATOMIC_RELAXED);
	__atomic_store_n(&rp->pg->events[rp->index], events, __ATOMIC_RELAXED);
	progress_print(rp->pg, 0);
}

/* Run i has run to its end (or failed). */
static void progress_run_done(struct progress *pg, size_t i, uint64_t events,
			      double wall)
{
	omp_set_lock(&pg->lock_wall);
	pg->run_wall += wall;
	pg->run_dur += sim_time_to_s(pg->dur[i]);
	omp_unset_lock(&pg->lock_wall);
	__atomic_store_n(&pg->done[i], pg->dur[i], __ATOMIC_RELAXED);
	__atomic_store_n(&pg->events[i], events, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pg->finished, 1, __ATOMIC_RELAXED);
}

/* A run's results are being written (writing = 1), or have been: the
 * sweep writer's hook. */
static void progress_writing(void *ctx, int writing)
{
	struct progress *pg = ctx;
	double now = wall_now();
	omp_set_lock(&pg->lock_wall);
	if (writing) {
		pg->write_t0 = now;
	} else {
		pg->write_wall += now - pg->write_t0;
		pg->written++;
	}
	omp_unset_lock(&pg->lock_wall);
	__atomic_store_n(&pg->writing, writing, __ATOMIC_RELAXED);
	/* Show the writing state at once: a long write is the one moment
	 * the line would otherwise look frozen. */
	if (writing) {
		double zero = 0;
		__atomic_store(&pg->next_print, &zero, __ATOMIC_RELAXED);
	}
	progress_print(pg, 0);
}

/* ---- running ------------------------------------------------------------- */

static char *default_out(const char *name)
{
	char *out = malloc(strlen(name) + 16);
	if (!out)
		return NULL;
	sprintf(out, "results/%s.db", name);
	/* Keep the name a plain file name. */
	for (char *p = out + 8; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	return out;
}

/* run_one()'s return for a run cut short by a stop request: not an error
 * of the run, and not saved. */
#define RUN_INTERRUPTED 1

/* Runs one (point, replication) and fills res.  Returns 0 or an error. */
static int run_one(const struct sim_model *model,
		   const struct scenario *view, const struct sim_run_settings *ws,
		   uint32_t rep, struct run_progress *rp,
		   struct run_result *res, struct l2s_error *err)
{
	double t0 = wall_now();
	struct sim *sim = sim_create(ws->seed, rep);
	if (!sim)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	rp->sim = sim;
	/* also how a run notices Ctrl-C / SIGTERM */
	sim_set_progress(sim, on_progress, rp, 1 << 14);
	void *m = NULL;
	int rc = model->create(sim, view, &m, err);
	if (rc == 0)
		rc = model->run(m, err);
	if (rc < 0 && err && !err->code)
		/* a model that returned a code without a message */
		l2s_error_set(err, rc, "%s", rc == L2S_ENOMEM ? "out of memory"
			      : "run failed");
	const char *why;
	int failed_code = sim_failure(sim, &why);
	if (rc == 0 && failed_code)
		rc = l2s_error_set(err, failed_code, "%s", why);
	if (rc == 0 && runner_stop_requested())
		rc = RUN_INTERRUPTED;
	if (rc == 0)
		model->collect(m, res);
	res->events = sim_events(sim);
	res->fingerprint = sim_fingerprint(sim);
	res->sim_seconds = sim_time_to_s(sim_now(sim));
	res->wall_seconds = wall_now() - t0;
	res->status = rc == RUN_INTERRUPTED ? "interrupted" :
		rc ? "failed" : "ok";
	model->destroy(m);
	sim_destroy(sim);
	return rc;
}

static int ensure_dir_of(const char *path, struct l2s_error *err)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (!dir[0])
		return 0;
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0;
	/* Create one level (results/ by default). */
	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(err->file, sizeof(err->file), "%s", dir);
		return l2s_error_set(err, L2S_EIO, "cannot create directory: %s",
				     strerror(errno));
	}
	return 0;
}

/* The --set values as an object {"path": value}, stored with each run so
 * reports tell runs of different --set values apart.  A value is JSON when
 * it parses as JSON, else a string, as scenario_set() reads it. */
static char *sets_object(const char *const *sets, size_t n)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(sets[i], '=');
		if (!eq)
			continue;
		char *path = strndup(sets[i], (size_t)(eq - sets[i]));
		json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (!v)
			v = json_string(eq + 1);
		if (path && v)
			json_object_set(o, path, v);
		json_decref(v);
		free(path);
	}
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Tells what the plan skips, on stderr. */
static void tell_plan(const struct runner_opts *opts,
		      const struct sweep_plan *plan, const char *out_path)
{
	if (opts->shard_n > 0)
		fprintf(stderr, "l2sim: shard %d/%d: %zu of the sweep's %zu "
			"runs\n", opts->shard_k, opts->shard_n, plan->n_mine,
			plan->n_total);
	if (plan->n_skipped)
		fprintf(stderr, "l2sim: skipped %zu run%s already complete in "
			"%s (--rerun runs them again)\n", plan->n_skipped,
			plan->n_skipped == 1 ? "" : "s", out_path);
}

static double write_patience(const struct runner_opts *opts)
{
	return opts->write_patience_s > 0 ? opts->write_patience_s : 120;
}

/* The identity of every run of the sweep, [n_pts * reps], point by point
 * (each point's tree is built and dropped in turn). */
static int sweep_identities(const struct sweep *sw,
			    const struct point_overrides *ov,
			    const struct sim_run_settings *pws, size_t n_pts,
			    size_t reps, char (**out)[65],
			    struct l2s_error *err)
{
	char (*id)[65] = calloc(n_pts * reps + 1, sizeof(*id));
	if (!id)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t p = 0; p < n_pts; p++) {
		json_t *root = NULL;
		char *sj = NULL;
		int rc = build_point(sw, p, ov, &root, &sj, err);
		char *text = rc ? NULL : json_dumps(root, JSON_COMPACT);
		json_decref(root);
		free(sj);
		if (!rc && !text)
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		for (size_t r = 0; !rc && r < reps; r++)
			if (resdb_identity(text, pws[p].seed, (uint32_t)r,
					   resdb_engine_version(),
					   id[p * reps + r]))
				rc = l2s_error_set(err, L2S_ENOMEM,
						   "out of memory");
		free(text);
		if (rc) {
			free(id);
			return rc;
		}
	}
	*out = id;
	return 0;
}

int runner_run(const struct runner_opts *opts, FILE *out,
	       struct l2s_error *err)
{
	struct scenario *scn = NULL;
	struct sweep sw = {0};
	struct sim_run_settings *pws = NULL;
	size_t n_pts = 0;
	struct resdb *db = NULL;
	char *out_path = NULL;
	char *sets_json = NULL;
	char (*ids)[65] = NULL;
	struct sweep_plan plan = {0};
	struct sweep_writer wr = {0};
	struct sweep_signals *sigs = NULL;
	const struct sim_model *model = opts->model;
	if (!model)
		return l2s_error_set(err, L2S_EUSAGE, "runner: no model to run");
	int rc = scenario_load(opts->scenario_path, &scn, err);
	if (rc)
		return rc;
	rc = sweep_open(scn, opts->sets, opts->n_sets, &sw, err);
	if (rc)
		goto done;
	n_pts = sw.total;
	/* Seed and replications are scenario values like any other: they are
	 * set in every point so that they are stored with the run. */
	struct point_overrides ov = {opts->has_seed, opts->seed, opts->reps};
	pws = calloc(n_pts, sizeof(*pws));
	if (!pws) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	rc = validate_sweep(model, &sw, &ov, pws, opts->threads, err);
	if (rc)
		goto done;

	out_path = opts->out ? strdup(opts->out) : default_out(scn->name);
	sets_json = sets_object(opts->sets, opts->n_sets);
	if (!out_path || !sets_json) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ensure_dir_of(out_path, err)))
		goto done;
	rc = resdb_open(out_path, &db, err);
	if (rc)
		goto done;

	size_t reps = (size_t)pws[0].replications;
	if ((rc = sweep_identities(&sw, &ov, pws, n_pts, reps, &ids, err)))
		goto done;
	rc = sweep_plan_build(db, (const char (*)[65])ids, n_pts * reps,
			      opts->shard_k, opts->shard_n, opts->rerun, &plan,
			      err);
	if (rc)
		goto done;
	tell_plan(opts, &plan, out_path);

	size_t n_todo = plan.n_todo;
	struct progress pg;
	int pg_rc = progress_init(&pg, opts->progress < 0 ? isatty(2)
							  : opts->progress,
				  n_todo);
	if (pg_rc) {
		progress_free(&pg);
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < n_todo; k++)
		progress_set_duration(&pg, k,
				      pws[plan.mine[plan.todo[k]] / reps].duration);

	int threads = opts->threads > 0 ? opts->threads : omp_get_max_threads();
	if ((size_t)threads > n_todo)
		threads = (int)n_todo;
	if (threads < 1)
		threads = 1;
	pg.threads = threads;
	sweep_writer_init(&wr, db, &plan, write_patience(opts),
			  (size_t)threads * 2);
	wr.on_write = progress_writing;
	wr.on_write_ctx = &pg;
	sigs = sweep_signals_install();
	int failed = 0;
	struct l2s_error run_err;
	l2s_error_clear(&run_err);

	/* Each iteration owns its run; the ordered block hands results to
	 * the writer in run order from one thread at a time, so the database
	 * is the same whatever the thread count. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) ordered
	for (size_t k = 0; k < n_todo; k++) {
		size_t pos = plan.todo[k], i = plan.mine[pos];
		size_t p = i / reps;
		uint32_t rep = (uint32_t)(i % reps);
		struct l2s_error e;
		l2s_error_clear(&e);
		struct run_result *res = NULL;
		json_t *root = NULL;
		char *sweep_json = NULL;
		int r = RUN_INTERRUPTED;
		if (!runner_stop_requested()) {
			res = run_result_create();
			r = res ? build_point(&sw, p, &ov, &root, &sweep_json, &e)
				: l2s_error_set(&e, L2S_ENOMEM, "out of memory");
			struct scenario v = *scn;
			v.root = root;
			struct run_progress rp = {&pg, k, NULL};
			if (r == 0)
				r = run_one(model, &v, &pws[p], rep, &rp, res, &e);
		}
		if (res) {
			res->scenario_name = strdup(scn->name);
			res->scenario_sha256 = strdup(scn->sha256);
			res->scenario_json = root ? json_dumps(root, JSON_COMPACT)
						  : NULL;
			res->sweep_json = sweep_json;
			res->identity = strdup(plan.identity[pos]);
			res->sets_json = strdup(sets_json);
			res->seed = pws[p].seed;
			res->replication = rep;
			res->sweep_index = (int64_t)p;
			if (!res->scenario_name || !res->scenario_sha256 ||
			    !res->scenario_json || !res->identity ||
			    !res->sets_json)
				res->oom = 1;
		} else {
			free(sweep_json);
		}
		json_decref(root);
		progress_run_done(&pg, k, res ? res->events : 0,
				  res ? res->wall_seconds : 0);
#pragma omp ordered
		{
			if (r == 0 && res->oom)
				r = l2s_error_set(&e, L2S_ENOMEM, "out of memory "
						  "while collecting results");
			if (r == 0) {
				r = sweep_writer_put(&wr, res, pos, &e);
				res = NULL;
			}
			if (r && r != RUN_INTERRUPTED && !failed) {
				failed = 1;
				run_err = e;
			}
		}
		run_result_destroy(res);
		sweep_writer_work(&wr);
	}
	/* The runs still queued, and what the database could not take yet,
	 * get their last chances. */
	size_t unsaved = sweep_writer_flush(&wr, sweep_stop_signal() ? 2 :
					    write_patience(opts));
	progress_print(&pg, 1);
	size_t complete = plan.n_skipped + wr.saved;
	if (unsaved || complete < plan.n_mine) {
		char what[1100];
		if (failed) {
			*err = run_err;
		} else if (unsaved || wr.gave_up) {
			*err = wr.last;
		} else {
			l2s_error_clear(err);
			l2s_error_set(err, L2S_ERUNTIME, "interrupted%s",
				      sweep_stop_signal() == SIGTERM ?
				      " by SIGTERM" : "");
		}
		l2s_error_format(err, what, sizeof(what));
		l2s_error_clear(err);
		snprintf(err->file, sizeof(err->file), "%s", out_path);
		rc = l2s_error_set(err, failed && run_err.code ? run_err.code :
				   L2S_ERUNTIME, "%s: %zu of %zu runs saved; "
				   "re-run to complete", what, complete,
				   plan.n_mine);
		/* The message already names the file once, inside 'what'
		 * when it came from the database. */
		if (strstr(what, out_path))
			err->file[0] = '\0';
	} else if (failed) {
		*err = run_err;
		rc = run_err.code ? run_err.code : L2S_ERUNTIME;
	} else if (!opts->quiet && opts->done) {
		rc = opts->done(opts->done_ctx, db, out_path, plan.run_id,
				plan.n_mine, out, err);
	}
	progress_free(&pg);
done:
	sweep_signals_restore(sigs);
	sweep_writer_release(&wr);
	sweep_plan_release(&plan);
	free(ids);
	free(sets_json);
	resdb_close(db);
	free(out_path);
	free(pws);
	sweep_close(&sw);
	scenario_destroy(scn);
	return rc;
}
