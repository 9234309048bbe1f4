/*
 * Replications x sweep points, in parallel, written in run order.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "l2sim/results.h"
#include "l2sim/runner.h"

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

int runner_expand(struct scenario *scn, const char *const *sets, size_t n_sets,
		  struct sweep_point **points, size_t *n, struct l2s_error *err)
{
	*points = NULL;
	*n = 0;
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
	const char **keys = calloc(dims + 1, sizeof(*keys));
	json_t **vals = calloc(dims + 1, sizeof(*vals));
	size_t total = 1;
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	size_t d = 0;
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
				goto out;
			}
			keys[d] = key;
			vals[d] = v;
			d++;
			total *= json_array_size(v);
			if (total > 100000) {
				rc = scn_fail(&root, "sweep", err,
					      "sweep has more than 100000 points");
				goto out;
			}
		}
	}
	struct sweep_point *pts = calloc(total, sizeof(*pts));
	if (!pts) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t p = 0; p < total; p++) {
		pts[p].root = json_deep_copy(scn->root);
		json_t *sj = json_object();
		if (!pts[p].root || !sj) {
			json_decref(sj);
			sweep_points_free(pts, total);
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto out;
		}
		/* The first key varies slowest. */
		size_t rest = p;
		size_t stride = total;
		for (size_t k = 0; k < d; k++) {
			size_t len = json_array_size(vals[k]);
			stride /= len;
			size_t idx = rest / stride;
			rest %= stride;
			json_t *val = json_array_get(vals[k], idx);
			json_object_set(sj, keys[k], val);
			rc = set_sweep_value(pts[p].root, keys[k], val, err);
			if (rc) {
				json_decref(sj);
				sweep_points_free(pts, total);
				snprintf(err->file, sizeof(err->file), "%s",
					 scn->file);
				int line, col;
				char at[300];
				snprintf(at, sizeof(at), "sweep.%s", keys[k]);
				/* A key that is itself a path ("a[4].b") is
				 * not a path below "sweep": point at "sweep". */
				if (scenario_locate(scn->text, at, &line, &col) == 0 ||
				    scenario_locate(scn->text, "sweep", &line,
						    &col) == 0) {
					err->line = line;
					err->column = col;
				}
				if (rc == L2S_EUSAGE)
					rc = L2S_EINPUT;
				goto out;
			}
		}
		pts[p].sweep_json = json_dumps(sj, JSON_COMPACT);
		json_decref(sj);
		if (!pts[p].sweep_json) {
			sweep_points_free(pts, total);
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto out;
		}
	}
	*points = pts;
	*n = total;
	rc = 0;
out:
	free(keys);
	free(vals);
	return rc;
}

/* A scenario view of one sweep point: same file and text (for locating
 * errors), the point's JSON tree. */
static struct scenario point_view(const struct scenario *scn,
				  const struct sweep_point *pt)
{
	struct scenario v = *scn;
	v.root = pt->root;
	return v;
}

static int validate_points(const struct sim_model *model,
			   const struct scenario *scn,
			   const struct sweep_point *pts, size_t n,
			   struct sim_run_settings *settings,
			   struct l2s_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct scenario v = point_view(scn, &pts[i]);
		struct sim_run_settings ws;
		int rc = model->settings(&v, &ws, err);
		if (rc)
			return rc;
		struct sim *sim = sim_create(ws.seed, 0);
		if (!sim)
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		void *built = NULL;
		rc = model->create(sim, &v, &built, err);
		model->destroy(built);
		sim_destroy(sim);
		if (rc) {
			if (n > 1 && err && !strstr(err->msg, "sweep point")) {
				char m[sizeof(err->msg)];
				snprintf(m, sizeof(m), "%s (sweep point %s)",
					 err->msg, pts[i].sweep_json);
				snprintf(err->msg, sizeof(err->msg), "%s", m);
			}
			return rc;
		}
		if (i == 0 && settings)
			*settings = ws;
	}
	return 0;
}

int runner_validate(const struct sim_model *model, const char *path,
		    const char *const *sets, size_t n_sets, size_t *n_runs,
		    struct l2s_error *err)
{
	struct scenario *scn;
	int rc = scenario_load(path, &scn, err);
	if (rc)
		return rc;
	struct sweep_point *pts;
	size_t n;
	rc = runner_expand(scn, sets, n_sets, &pts, &n, err);
	if (rc == 0) {
		struct sim_run_settings ws;
		rc = validate_points(model, scn, pts, n, &ws, err);
		if (rc == 0 && n_runs)
			*n_runs = n * (size_t)ws.replications;
		sweep_points_free(pts, n);
	}
	scenario_destroy(scn);
	return rc;
}

/* ---- progress ---------------------------------------------------------- */

struct progress {
	int on;
	size_t runs;
	double sim_per_run;       /* seconds of simulated time per run */
	double *done;             /* simulated seconds done, per run */
	uint64_t *events;         /* events, per run */
	size_t finished;
	double t0;
	double last_print;
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fmt_hms(char *buf, size_t cap, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, cap, "--:--");
	else if (s >= 3600)
		snprintf(buf, cap, "%d:%02d:%02d", (int)(s / 3600),
			 (int)fmod(s / 60, 60), (int)fmod(s, 60));
	else
		snprintf(buf, cap, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

static void progress_print(struct progress *pg, int final)
{
	double now = wall_now();
	if (!final && now - pg->last_print < 0.2)
		return;
	pg->last_print = now;
	double done = 0, total = pg->sim_per_run * (double)pg->runs;
	uint64_t ev = 0;
	for (size_t i = 0; i < pg->runs; i++) {
		done += pg->done[i];
		ev += pg->events[i];
	}
	double frac = total > 0 ? done / total : 1;
	if (frac > 1)
		frac = 1;
	double el = now - pg->t0;
	double eta = frac > 0 ? el * (1 - frac) / frac : NAN;
	char e1[16], e2[16];
	fmt_hms(e1, sizeof(e1), el);
	fmt_hms(e2, sizeof(e2), final ? 0 : eta);
	int width = 30, fill = (int)(frac * width);
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr,
		"\r[%s] %3.0f%%  runs %zu/%zu  %s elapsed  ETA %s  "
		"%.3g M events/s  %.3g sim-s/wall-s   ",
		bar, frac * 100, pg->finished, pg->runs, e1, e2,
		el > 0 ? (double)ev / el / 1e6 : 0.0, el > 0 ? done / el : 0.0);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

struct run_progress {
	struct progress *pg;
	size_t index;
};

static void on_progress(void *ctx, sim_time_t now, uint64_t events)
{
	struct run_progress *rp = ctx;
	rp->pg->done[rp->index] = sim_time_to_s(now);
	rp->pg->events[rp->index] = events;
	if (omp_get_thread_num() == 0) {
#pragma omp critical(l2sim_progress)
		progress_print(rp->pg, 0);
	}
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
	if (rp->pg->on)
		sim_set_progress(sim, on_progress, rp, 1 << 16);
	void *m = NULL;
	int rc = model->create(sim, view, &m, err);
	if (rc == 0)
		rc = model->run(m, err);
	if (rc == 0)
		model->collect(m, res);
	res->events = sim_events(sim);
	res->fingerprint = sim_fingerprint(sim);
	res->sim_seconds = sim_time_to_s(sim_now(sim));
	res->wall_seconds = wall_now() - t0;
	res->status = rc ? "failed" : "ok";
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

int runner_run(const struct runner_opts *opts, FILE *out,
	       struct l2s_error *err)
{
	struct scenario *scn = NULL;
	struct sweep_point *pts = NULL;
	size_t n_pts = 0;
	struct resdb *db = NULL;
	char *out_path = NULL;
	const struct sim_model *model = opts->model;
	if (!model)
		return l2s_error_set(err, L2S_EUSAGE, "runner: no model to run");
	int rc = scenario_load(opts->scenario_path, &scn, err);
	if (rc)
		return rc;
	rc = runner_expand(scn, opts->sets, opts->n_sets, &pts, &n_pts, err);
	if (rc)
		goto done;
	if (opts->has_seed || opts->reps > 0) {
		/* Seed and replications are scenario values like any other:
		 * set them in every point so they are stored with the run. */
		for (size_t i = 0; i < n_pts; i++) {
			if (opts->has_seed)
				json_object_set_new(pts[i].root, "seed",
					json_integer((json_int_t)opts->seed));
			if (opts->reps > 0)
				json_object_set_new(pts[i].root, "replications",
					json_integer(opts->reps));
		}
	}
	struct sim_run_settings ws;
	rc = validate_points(model, scn, pts, n_pts, &ws, err);
	if (rc)
		goto done;

	out_path = opts->out ? strdup(opts->out) : default_out(scn->name);
	if (!out_path) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = ensure_dir_of(out_path, err)))
		goto done;
	rc = resdb_open(out_path, &db, err);
	if (rc)
		goto done;

	size_t reps = (size_t)ws.replications;
	size_t n_runs = n_pts * reps;
	struct sim_run_settings *pws = calloc(n_pts, sizeof(*pws));
	int64_t *run_ids = calloc(n_runs, sizeof(*run_ids));
	struct progress pg = {0};
	pg.on = opts->progress < 0 ? isatty(2) : opts->progress;
	pg.runs = n_runs;
	pg.done = calloc(n_runs, sizeof(double));
	pg.events = calloc(n_runs, sizeof(uint64_t));
	pg.t0 = wall_now();
	if (!pws || !run_ids || !pg.done || !pg.events) {
		free(pws);
		free(run_ids);
		free(pg.done);
		free(pg.events);
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_pts; i++) {
		struct scenario v = point_view(scn, &pts[i]);
		model->settings(&v, &pws[i], NULL);
	}
	pg.sim_per_run = sim_time_to_s(pws[0].duration);

	int threads = opts->threads > 0 ? opts->threads : omp_get_max_threads();
	if ((size_t)threads > n_runs)
		threads = (int)n_runs;
	if (threads < 1)
		threads = 1;
	int failed = 0;
	struct l2s_error run_err;
	l2s_error_clear(&run_err);

	/* Each iteration owns its run; the ordered block writes results in
	 * run order from one thread at a time, so the database is the same
	 * whatever the thread count. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) ordered
	for (size_t i = 0; i < n_runs; i++) {
		size_t p = i / reps;
		uint32_t rep = (uint32_t)(i % reps);
		struct scenario v = point_view(scn, &pts[p]);
		struct run_result *res = run_result_create();
		struct l2s_error e;
		l2s_error_clear(&e);
		struct run_progress rp = {&pg, i};
		int r = res ? run_one(model, &v, &pws[p], rep, &rp, res, &e)
			    : l2s_error_set(&e, L2S_ENOMEM, "out of memory");
		if (res) {
			res->scenario_name = strdup(scn->name);
			res->scenario_sha256 = strdup(scn->sha256);
			res->scenario_json = json_dumps(pts[p].root, JSON_COMPACT);
			res->sweep_json = strdup(pts[p].sweep_json);
			res->seed = pws[p].seed;
			res->replication = rep;
			res->sweep_index = (int64_t)p;
		}
#pragma omp ordered
		{
			if (r == 0 && !failed)
				r = resdb_write_run(db, res, &run_ids[i], &e);
			if (r && !failed) {
				failed = 1;
				run_err = e;
			}
#pragma omp critical(l2sim_progress)
			{
				pg.finished++;
				pg.done[i] = pg.sim_per_run;
				if (res)
					pg.events[i] = res->events;
				if (pg.on)
					progress_print(&pg, 0);
			}
		}
		run_result_destroy(res);
	}
	if (pg.on)
		progress_print(&pg, 1);
	if (failed) {
		*err = run_err;
		rc = run_err.code ? run_err.code : L2S_ERUNTIME;
	} else if (!opts->quiet && opts->done) {
		rc = opts->done(opts->done_ctx, db, out_path, run_ids, n_runs,
				out, err);
	}
	free(pws);
	free(run_ids);
	free(pg.done);
	free(pg.events);
done:
	resdb_close(db);
	free(out_path);
	sweep_points_free(pts, n_pts);
	scenario_destroy(scn);
	return rc;
}
