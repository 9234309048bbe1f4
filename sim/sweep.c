/*
 * Sweeps that survive: which runs a call does (--shard, resume, --rerun),
 * writes that wait for a busy or full database instead of losing a
 * computed run, and stop requests from Ctrl-C / SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "l2sim/runner.h"
#include "sweep_internal.h"

/* ---- stop requests --------------------------------------------------- */

/* Seconds a stop request may take before the process is ended anyway. */
#define SWEEP_STOP_GRACE_S 30

/* A signal is process-wide by nature; this is the one piece of state the
 * runs share.  Set from a signal handler or by runner_request_stop(). */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_sig;

void runner_request_stop(void) { stop_flag = 1; }

int runner_stop_requested(void) { return stop_flag != 0; }

int sweep_stop_signal(void) { return stop_sig; }

static void on_signal(int sig)
{
	stop_sig = sig;
	stop_flag = 1;
	/* Runs notice the request at their next progress tick; should one
	 * never get there (a bug, a pathological input), the process still
	 * ends: SIGALRM's default action terminates it. */
	alarm(SWEEP_STOP_GRACE_S);
}

struct sweep_signals {
	struct sigaction old_int, old_term;
};

struct sweep_signals *sweep_signals_install(void)
{
	struct sweep_signals *s = calloc(1, sizeof(*s));
	stop_flag = 0;
	stop_sig = 0;
	if (!s)
		return NULL;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A second Ctrl-C kills as usual: runs are written in transactions,
	 * so even that loses nothing already saved. */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	return s;
}

void sweep_signals_restore(struct sweep_signals *s)
{
	if (!s)
		return;
	alarm(0);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	free(s);
}

/* ---- the plan --------------------------------------------------------- */

void sweep_plan_release(struct sweep_plan *plan)
{
	free(plan->mine);
	free(plan->identity);
	free(plan->run_id);
	free(plan->todo);
	memset(plan, 0, sizeof(*plan));
}

int sweep_plan_build(struct resdb *db, const char (*ids)[65], size_t n_total,
		     int shard_k, int shard_n, int rerun,
		     struct sweep_plan *plan, struct l2s_error *err)
{
	memset(plan, 0, sizeof(*plan));
	plan->n_total = n_total;
	size_t n = plan->n_total;
	if (shard_n > 0)
		n = n / (size_t)shard_n + 1;
	plan->mine = calloc(n ? n : 1, sizeof(*plan->mine));
	plan->identity = calloc(n ? n : 1, sizeof(*plan->identity));
	plan->run_id = calloc(n ? n : 1, sizeof(*plan->run_id));
	plan->todo = calloc(n ? n : 1, sizeof(*plan->todo));
	if (!plan->mine || !plan->identity || !plan->run_id || !plan->todo) {
		sweep_plan_release(plan);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n_total; i++) {
		if (shard_n > 0 && i % (size_t)shard_n != (size_t)(shard_k - 1))
			continue;
		size_t k = plan->n_mine++;
		plan->mine[k] = i;
		memcpy(plan->identity[k], ids[i], 65);
		int64_t id = 0;
		int rc = rerun ? 0 : resdb_run_complete(db, plan->identity[k],
							&id, err);
		if (rc < 0) {
			sweep_plan_release(plan);
			return rc;
		}
		if (rc == 1) {
			plan->run_id[k] = id;
			plan->n_skipped++;
		} else {
			plan->todo[plan->n_todo++] = k;
		}
	}
	return 0;
}

/* ---- the writer -------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sweep_writer_init(struct sweep_writer *w, struct resdb *db,
		       struct sweep_plan *plan, double patience_s,
		       size_t max_pending)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->plan = plan;
	w->patience_s = patience_s;
	w->max_pending = max_pending ? max_pending : 1;
	l2s_error_clear(&w->last);
	omp_init_lock(&w->queue_lock);
	omp_init_lock(&w->write_lock);
}

static size_t queued(struct sweep_writer *w)
{
	omp_set_lock(&w->queue_lock);
	size_t n = w->n_pending;
	omp_unset_lock(&w->queue_lock);
	return n;
}

/* Writes the kept runs in order until one fails or none is left (the
 * caller holds write_lock: only it takes runs off the front, while other
 * threads may append).  Returns how many are left. */
static size_t try_pending(struct sweep_writer *w)
{
	for (;;) {
		omp_set_lock(&w->queue_lock);
		if (!w->n_pending) {
			omp_unset_lock(&w->queue_lock);
			return 0;
		}
		struct run_result *res = w->pending[0];
		size_t pos = w->pending_pos[0];
		omp_unset_lock(&w->queue_lock);

		struct l2s_error e;
		l2s_error_clear(&e);
		if (w->on_write)
			w->on_write(w->on_write_ctx, 1);
		int rc = resdb_write_run(w->db, res, &w->plan->run_id[pos], &e);
		if (w->on_write)
			w->on_write(w->on_write_ctx, 0);

		omp_set_lock(&w->queue_lock);
		if (rc) {
			w->last = e;
			size_t left = w->n_pending;
			omp_unset_lock(&w->queue_lock);
			return left;
		}
		w->n_pending--;
		memmove(w->pending, w->pending + 1,
			w->n_pending * sizeof(*w->pending));
		memmove(w->pending_pos, w->pending_pos + 1,
			w->n_pending * sizeof(*w->pending_pos));
		w->saved++;
		omp_unset_lock(&w->queue_lock);
		run_result_destroy(res);
	}
}

/* try_pending() with retries for up to patience_s; the caller holds
 * write_lock. */
static size_t flush_locked(struct sweep_writer *w, double patience_s)
{
	double until = now_s() + patience_s, wait = 0.1;
	int told = 0;
	size_t left;
	while ((left = try_pending(w)) && now_s() < until) {
		if (!told) {
			char buf[1024];
			l2s_error_format(&w->last, buf, sizeof(buf));
			fprintf(stderr, "\nl2sim: %s\nl2sim: keeping %zu computed "
				"run%s in memory, retrying for up to %.0f s "
				"(free disk space or close what holds the "
				"database)\n", buf, left, left == 1 ? "" : "s",
				patience_s);
			told = 1;
		}
		if (runner_stop_requested() && sweep_stop_signal())
			break;
		struct timespec ts = {(time_t)wait,
				      (long)((wait - (double)(time_t)wait) * 1e9)};
		nanosleep(&ts, NULL);
		if (wait < 2)
			wait *= 2;
	}
	if (told && !left)
		fprintf(stderr, "l2sim: the database took them: every computed "
			"run is saved\n");
	return left;
}

size_t sweep_writer_flush(struct sweep_writer *w, double patience_s)
{
	omp_set_lock(&w->write_lock);
	size_t left = flush_locked(w, patience_s);
	omp_unset_lock(&w->write_lock);
	return left;
}

int sweep_writer_put(struct sweep_writer *w, struct run_result *res,
		     size_t pos, struct l2s_error *err)
{
	omp_set_lock(&w->queue_lock);
	struct run_result **np = realloc(w->pending, (w->n_pending + 1) *
					 sizeof(*np));
	if (np)
		w->pending = np;
	size_t *npos = np ? realloc(w->pending_pos, (w->n_pending + 1) *
				    sizeof(*npos)) : NULL;
	if (npos)
		w->pending_pos = npos;
	if (!np || !npos) {
		omp_unset_lock(&w->queue_lock);
		run_result_destroy(res);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory keeping "
				     "a run whose write must wait");
	}
	w->pending[w->n_pending] = res;
	w->pending_pos[w->n_pending] = pos;
	w->n_pending++;
	omp_unset_lock(&w->queue_lock);
	return 0;
}

void sweep_writer_work(struct sweep_writer *w)
{
	if (queued(w) >= w->max_pending &&
	    !__atomic_load_n(&w->gave_up, __ATOMIC_RELAXED)) {
		/* Hold no more than a few runs: wait for the disk here
		 * instead of computing runs that would have nowhere to go. */
		omp_set_lock(&w->write_lock);
		if (flush_locked(w, w->patience_s) >= w->max_pending) {
			__atomic_store_n(&w->gave_up, 1, __ATOMIC_RELAXED);
			runner_request_stop();
		}
		omp_unset_lock(&w->write_lock);
		return;
	}
	/* Another thread writing will take this run too, or the next
	 * thread to finish will. */
	if (!omp_test_lock(&w->write_lock))
		return;
	try_pending(w);
	omp_unset_lock(&w->write_lock);
}

void sweep_writer_release(struct sweep_writer *w)
{
	if (!w->db && !w->plan && !w->pending)
		return; /* never initialised */
	for (size_t i = 0; i < w->n_pending; i++)
		run_result_destroy(w->pending[i]);
	free(w->pending);
	free(w->pending_pos);
	omp_destroy_lock(&w->queue_lock);
	omp_destroy_lock(&w->write_lock);
	memset(w, 0, sizeof(*w));
}
