/*
 * Workload arrival processes: statistical checks of each process against
 * its expected rate (tolerances of several standard errors, fixed seeds),
 * exact trace replay, determinism and the scenario errors.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "l2sim/rng.h"
#include "l2sim/scenario.h"
#include "l2sim/workload.h"

/* A scenario held in memory, its workloads and one instance's stream. */
struct fixture {
	struct scenario *scn;
	struct workload_set *set;
	const struct workload *w;
	struct wl_stream *s;
	gsl_rng *rng;
};

/* Scenario text with one workload object 'wl' (JSON) named "w". */
static int load(struct fixture *f, const char *file, const char *workloads,
		struct l2s_error *err)
{
	memset(f, 0, sizeof(*f));
	l2s_error_clear(err);
	char text[4096];
	snprintf(text, sizeof(text), "{\"name\": \"t\", \"workloads\": %s}",
		 workloads);
	int rc = scenario_load_text(file, text, &f->scn, err);
	assert_int_equal(rc, 0);
	struct scn_obj root = scn_root(f->scn);
	return workloads_create(&root, &f->set, err);
}

static void setup(struct fixture *f, const char *workloads, uint64_t seed)
{
	struct l2s_error err;
	int rc = load(f, "test.json", workloads, &err);
	if (rc)
		fail_msg("%s (%s)", err.msg, err.hint);
	f->w = workload_find(f->set, "w");
	assert_non_null(f->w);
	f->s = wl_stream_create(f->w);
	assert_non_null(f->s);
	f->rng = rng_stream_create(seed, 0, "workload-test");
	assert_non_null(f->rng);
}

static void teardown(struct fixture *f)
{
	gsl_rng_free(f->rng);
	wl_stream_destroy(f->s);
	workload_set_destroy(f->set);
	scenario_destroy(f->scn);
}

/* Expects 'workloads' to be rejected; returns the error for inspection. */
static struct l2s_error reject(const char *workloads)
{
	struct fixture f;
	struct l2s_error err;
	int rc = load(&f, "bad.json", workloads, &err);
	assert_int_equal(rc, L2S_EINPUT);
	assert_int_equal(err.code, L2S_EINPUT);
	assert_null(f.set);
	scenario_destroy(f.scn);
	return err;
}

static uint64_t total(const uint64_t c[TX_KINDS])
{
	uint64_t n = 0;
	for (int k = 0; k < TX_KINDS; k++)
		n += c[k];
	return n;
}

static void test_constant_poisson(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "[{\"name\": \"w\", \"rate\": \"100tps\"}]", 1);
	enum { N = 50000 };
	double *x = malloc(N * sizeof(*x));
	uint64_t c[TX_KINDS];
	for (int i = 0; i < N; i++) {
		wl_stream_draw(f.s, f.rng, (sim_time_t)i * 2 * SIM_S,
			       (sim_time_t)(i + 1) * 2 * SIM_S, c);
		x[i] = (double)total(c);
	}
	double mean = gsl_stats_mean(x, 1, N);
	double var = gsl_stats_variance_m(x, 1, N, mean);
	/* Poisson(200): sd of the mean 0.063, of the variance ~1.3. */
	assert_true(fabs(mean - 200.0) < 0.3);
	assert_true(fabs(var - 200.0) < 7.0);
	assert_true(fabs(workload_mean_tps(f.w, 0, SIM_HOUR) - 100.0) < 1e-12);
	free(x);
	teardown(&f);
}

static void test_mix_shares(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f,
	      "[{\"name\": \"w\", \"rate\": 1000, "
	      "\"mix\": {\"swap\": 3, \"transfer\": 1}}]",
	      2);
	const double *mix = workload_mix(f.w);
	assert_true(fabs(mix[TX_TRANSFER] - 0.25) < 1e-15);
	assert_true(fabs(mix[TX_SWAP] - 0.75) < 1e-15);
	uint64_t sum[TX_KINDS] = {0}, c[TX_KINDS];
	for (int i = 0; i < 1000; i++) {
		wl_stream_draw(f.s, f.rng, (sim_time_t)i * SIM_S,
			       (sim_time_t)(i + 1) * SIM_S, c);
		for (int k = 0; k < TX_KINDS; k++)
			sum[k] += c[k];
	}
	double n = (double)total(sum);
	assert_true(fabs(n - 1e6) < 5000);
	/* Binomial sd of the share: sqrt(.25 * .75 / 1e6) = 4.3e-4. */
	assert_true(fabs((double)sum[TX_SWAP] / n - 0.75) < 0.003);
	assert_int_equal(sum[TX_ERC20], 0);
	assert_int_equal(sum[TX_NFT_MINT], 0);
	assert_int_equal(sum[TX_INSCRIPTION], 0);
	teardown(&f);

	/* The default mix is transfers, ERC-20 and swaps. */
	setup(&f, "[{\"name\": \"w\", \"rate\": \"1tps\"}]", 2);
	mix = workload_mix(f.w);
	assert_true(mix[TX_TRANSFER] > 0 && mix[TX_ERC20] > 0 && mix[TX_SWAP] > 0);
	assert_true(fabs(mix[TX_TRANSFER] + mix[TX_ERC20] + mix[TX_SWAP] - 1) <
		    1e-12);
	teardown(&f);
}

static void test_diurnal(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f,
	      "[{\"name\": \"w\", \"rate\": {\"type\": \"diurnal\", "
	      "\"tps\": \"100tps\", \"amplitude\": 0.5, \"phase\": \"6h\"}}]",
	      3);
	sim_time_t peak = 6 * SIM_HOUR, trough = 18 * SIM_HOUR;
	assert_true(fabs(workload_mean_tps(f.w, peak, peak + SIM_MS) - 150) <
		    1e-6);
	assert_true(fabs(workload_mean_tps(f.w, trough, trough + SIM_MS) - 50) <
		    1e-6);
	/* A whole period averages to the mean, on any day. */
	assert_true(fabs(workload_mean_tps(f.w, 0, SIM_DAY) - 100) < 1e-9);
	assert_true(fabs(workload_mean_tps(f.w, 300 * SIM_DAY + 7,
					   301 * SIM_DAY + 7) - 100) < 1e-6);

	/* Drawn arrivals in the hour around the peak and the trough. */
	uint64_t c[TX_KINDS], at_peak = 0, at_trough = 0;
	for (sim_time_t t = 0; t < SIM_DAY; t += 60 * SIM_S) {
		wl_stream_draw(f.s, f.rng, t, t + 60 * SIM_S, c);
		if (t >= peak - SIM_HOUR / 2 && t < peak + SIM_HOUR / 2)
			at_peak += total(c);
		if (t >= trough - SIM_HOUR / 2 && t < trough + SIM_HOUR / 2)
			at_trough += total(c);
	}
	double ep = workload_mean_tps(f.w, peak - SIM_HOUR / 2,
				      peak + SIM_HOUR / 2) * 3600;
	double et = workload_mean_tps(f.w, trough - SIM_HOUR / 2,
				      trough + SIM_HOUR / 2) * 3600;
	assert_true(ep > 530000 && et < 190000);
	assert_true(fabs((double)at_peak - ep) < 5 * sqrt(ep));
	assert_true(fabs((double)at_trough - et) < 5 * sqrt(et));
	teardown(&f);
}

static void test_bursts(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f,
	      "[{\"name\": \"w\", \"rate\": {\"type\": \"bursts\", "
	      "\"base\": \"10tps\", \"bursts\": [{\"start\": \"100s\", "
	      "\"duration\": \"50s\", \"tps\": \"1000tps\", "
	      "\"kind\": \"inscription\"}]}}]",
	      4);
	uint64_t c[TX_KINDS], wave = 0, base = 0;
	for (int i = 0; i < 300; i++) {
		wl_stream_draw(f.s, f.rng, (sim_time_t)i * SIM_S,
			       (sim_time_t)(i + 1) * SIM_S, c);
		if (i < 100 || i >= 150)
			assert_int_equal(c[TX_INSCRIPTION], 0);
		else
			assert_true(c[TX_INSCRIPTION] > 0);
		wave += c[TX_INSCRIPTION];
		base += total(c) - c[TX_INSCRIPTION];
	}
	assert_true(fabs((double)wave - 50000) < 5 * sqrt(50000));
	assert_true(fabs((double)base - 3000) < 5 * sqrt(3000));
	assert_true(fabs(workload_mean_tps(f.w, 100 * SIM_S, 150 * SIM_S) -
			 1010) < 1e-9);
	teardown(&f);

	/* Ramps: a trapezoid of 1000 tps over 50 s with 10 s ramps holds
	 * 1000 * (50 - 10) arrivals; the first 5 s hold 1000 * 5^2 / 20. */
	setup(&f,
	      "[{\"name\": \"w\", \"rate\": {\"type\": \"bursts\", "
	      "\"bursts\": [{\"start\": \"100s\", \"duration\": \"50s\", "
	      "\"tps\": \"1000tps\", \"ramp\": \"10s\"}]}}]",
	      4);
	assert_true(fabs(workload_mean_tps(f.w, 0, 300 * SIM_S) * 300 - 40000) <
		    1e-6);
	assert_true(fabs(workload_mean_tps(f.w, 100 * SIM_S, 105 * SIM_S) * 5 -
			 1250) < 1e-6);
	assert_true(fabs(workload_mean_tps(f.w, 145 * SIM_S, 150 * SIM_S) * 5 -
			 1250) < 1e-6);
	assert_true(fabs(workload_mean_tps(f.w, 120 * SIM_S, 130 * SIM_S) -
			 1000) < 1e-9);
	assert_true(workload_mean_tps(f.w, 0, 100 * SIM_S) == 0);
	teardown(&f);
}

/* Counts per tick of a Hawkes workload: mean rate over 'ticks' ticks of
 * 'dt' and the Fano factor of counts per window of 'win' ticks. */
static void hawkes_run(const char *wl, sim_time_t dt, int ticks, int win,
		       double *tps, double *fano)
{
	struct fixture f;
	setup(&f, wl, 5);
	int nw = ticks / win;
	double *x = calloc((size_t)nw, sizeof(*x));
	uint64_t c[TX_KINDS], n = 0;
	for (int i = 0; i < ticks; i++) {
		wl_stream_draw(f.s, f.rng, (sim_time_t)i * dt,
			       (sim_time_t)(i + 1) * dt, c);
		n += total(c);
		if (i / win < nw)
			x[i / win] += (double)total(c);
	}
	*tps = (double)n / sim_time_to_s((sim_time_t)ticks * dt);
	double m = gsl_stats_mean(x, 1, (size_t)nw);
	*fano = gsl_stats_variance_m(x, 1, (size_t)nw, m) / m;
	free(x);
	teardown(&f);
}

static void test_hawkes(void **state)
{
	(void)state;
	const char *wl = "[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
			 "\"mu\": \"10tps\", \"alpha\": 0.5, \"tau\": \"60s\"}}]";
	double tps, fano;
	/* Over 4.6 days the count's sd is about sqrt(mu T / (1 - alpha)^3),
	 * 0.07% of the mean: 1% is many standard errors. */
	hawkes_run(wl, 2 * SIM_S, 200000, 150, &tps, &fano);
	assert_true(fabs(tps - 20.0) < 0.2);
	/* Self-excitation clusters arrivals: counts per 5 minutes are
	 * over-dispersed (about 2.8 here; 1 for a Poisson process, which
	 * the same code gives without excitation). */
	assert_true(fano > 2.0);
	hawkes_run("[{\"name\": \"w\", \"rate\": \"20tps\"}]", 2 * SIM_S,
		   200000, 150, &tps, &fano);
	assert_true(fabs(fano - 1.0) < 0.25);

	/* The discretisation keeps the mean even with ticks longer than tau. */
	const char *fast = "[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
			   "\"mu\": \"10tps\", \"alpha\": 0.8, \"tau\": \"2s\"}}]";
	hawkes_run(fast, 10 * SIM_S, 50000, 10, &tps, &fano);
	assert_true(fabs(tps - 50.0) < 0.5);

	struct fixture f;
	setup(&f, wl, 5);
	assert_true(fabs(workload_mean_tps(f.w, 0, SIM_HOUR) - 20.0) < 1e-12);
	teardown(&f);
}

static void test_hawkes_inscriptions(void **state)
{
	(void)state;
	struct fixture f;
	/* Background traffic plus a self-exciting inscription wave that
	 * starts at 1 h and lasts 2 h. */
	setup(&f,
	      "[{\"name\": \"w\", \"rate\": [{\"tps\": \"10tps\"}, "
	      "{\"type\": \"hawkes\", \"mu\": \"20tps\", \"alpha\": 0.75, "
	      "\"tau\": \"5m\", \"kind\": \"inscription\", \"start\": \"1h\", "
	      "\"duration\": \"2h\"}]}]",
	      6);
	assert_true(fabs(workload_mean_tps(f.w, 0, SIM_HOUR) - 10) < 1e-12);
	assert_true(fabs(workload_mean_tps(f.w, SIM_HOUR, 3 * SIM_HOUR) - 90) <
		    1e-9);
	uint64_t c[TX_KINDS], before = 0, during = 0;
	for (sim_time_t t = 0; t < 3 * SIM_HOUR; t += 2 * SIM_S) {
		wl_stream_draw(f.s, f.rng, t, t + 2 * SIM_S, c);
		if (t < SIM_HOUR)
			before += c[TX_INSCRIPTION];
		else
			during += c[TX_INSCRIPTION];
		assert_true(c[TX_NFT_MINT] == 0);
	}
	assert_int_equal(before, 0);
	/* Starting calm, the wave builds up towards 80 tps within a few
	 * tau / (1 - alpha) = 20 min. */
	assert_true(during > 20 * 7200 && during < 80 * 7200);
	teardown(&f);
}

/* Writes 'csv' to dir/name. */
static void write_file(const char *dir, const char *name, const char *csv)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(csv, fp);
	fclose(fp);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void test_trace(void **state)
{
	(void)state;
	char dir[] = "/tmp/l2sim-wl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char scn_file[600];
	snprintf(scn_file, sizeof(scn_file), "%s/s.json", dir);
	write_file(dir, "counts.csv",
		   "# per-interval counts\nt_seconds,count\n0,5\n10,7\n20,3\n");
	write_file(dir, "kinds.csv", "transfer, inscription\r\n1,2\r\n3,4\r\n");

	struct fixture f;
	struct l2s_error err;
	int rc = load(&f, scn_file,
		      "[{\"name\": \"loop\", \"mix\": {\"transfer\": 1}, "
		      "\"rate\": {\"type\": \"trace\", \"file\": \"counts.csv\"}},"
		      " {\"name\": \"stop\", \"rate\": {\"type\": \"trace\", "
		      "\"file\": \"counts.csv\", \"end\": \"stop\", "
		      "\"kind\": \"swap\"}},"
		      " {\"name\": \"kinds\", \"rate\": {\"type\": \"trace\", "
		      "\"file\": \"kinds.csv\", \"interval\": \"1m\"}}]",
		      &err);
	if (rc)
		fail_msg("%s", err.msg);
	gsl_rng *rng = rng_stream_create(7, 0, "trace");
	uint64_t c[TX_KINDS];

	/* Ticks on the trace's intervals replay it exactly, then loop. */
	struct wl_stream *s = wl_stream_create(workload_find(f.set, "loop"));
	const uint64_t want[] = {5, 7, 3, 5, 7, 3, 5};
	for (int i = 0; i < 7; i++) {
		wl_stream_draw(s, rng, (sim_time_t)i * 10 * SIM_S,
			       (sim_time_t)(i + 1) * 10 * SIM_S, c);
		assert_int_equal(c[TX_TRANSFER], want[i]);
		assert_int_equal(total(c), want[i]);
	}
	wl_stream_destroy(s);

	/* Ticks that cut intervals still add up to the file's counts. */
	s = wl_stream_create(workload_find(f.set, "loop"));
	uint64_t sum = 0;
	for (int i = 0; i < 9; i++) {
		wl_stream_draw(s, rng, (sim_time_t)i * 3333 * SIM_MS,
			       (sim_time_t)(i + 1) * 3333 * SIM_MS, c);
		sum += total(c);
	}
	wl_stream_draw(s, rng, 9 * 3333 * SIM_MS, 30 * SIM_S, c);
	sum += total(c);
	assert_int_equal(sum, 15);
	wl_stream_destroy(s);

	/* "end": "stop" gives nothing after the trace; "kind" tags it. */
	s = wl_stream_create(workload_find(f.set, "stop"));
	wl_stream_draw(s, rng, 0, 30 * SIM_S, c);
	assert_int_equal(c[TX_SWAP], 15);
	assert_int_equal(total(c), 15);
	wl_stream_draw(s, rng, 30 * SIM_S, SIM_HOUR, c);
	assert_int_equal(total(c), 0);
	assert_true(workload_mean_tps(workload_find(f.set, "stop"), 0,
				      30 * SIM_S) == 0.5);
	wl_stream_destroy(s);

	/* Per-kind columns, intervals from the key. */
	s = wl_stream_create(workload_find(f.set, "kinds"));
	wl_stream_draw(s, rng, 0, 60 * SIM_S, c);
	assert_int_equal(c[TX_TRANSFER], 1);
	assert_int_equal(c[TX_INSCRIPTION], 2);
	wl_stream_draw(s, rng, 60 * SIM_S, 90 * SIM_S, c);
	assert_int_equal(c[TX_TRANSFER], 1);     /* floor(3 * 30 / 60) */
	assert_int_equal(c[TX_INSCRIPTION], 2);
	wl_stream_draw(s, rng, 90 * SIM_S, 120 * SIM_S, c);
	assert_int_equal(c[TX_TRANSFER], 2);
	assert_int_equal(c[TX_INSCRIPTION], 2);
	wl_stream_destroy(s);

	gsl_rng_free(rng);
	workload_set_destroy(f.set);
	scenario_destroy(f.scn);

	/* A bad row is reported at its line in the trace file. */
	write_file(dir, "bad.csv", "t_seconds,count\n0,5\n10,-7\n");
	rc = load(&f, scn_file,
		  "[{\"name\": \"w\", \"rate\": {\"type\": \"trace\", "
		  "\"file\": \"bad.csv\"}}]",
		  &err);
	assert_int_equal(rc, L2S_EINPUT);
	assert_non_null(strstr(err.file, "bad.csv"));
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "-7"));
	scenario_destroy(f.scn);

	write_file(dir, "col.csv", "t_seconds,inscriptoin\n0,5\n");
	rc = load(&f, scn_file,
		  "[{\"name\": \"w\", \"rate\": {\"type\": \"trace\", "
		  "\"file\": \"col.csv\", \"interval\": \"1s\"}}]",
		  &err);
	assert_int_equal(rc, L2S_EINPUT);
	assert_non_null(strstr(err.msg, "inscriptoin"));
	scenario_destroy(f.scn);

	rc = load(&f, scn_file,
		  "[{\"name\": \"w\", \"rate\": {\"type\": \"trace\", "
		  "\"file\": \"missing.csv\"}}]",
		  &err);
	assert_int_equal(rc, L2S_EINPUT);
	assert_non_null(strstr(err.msg, "missing.csv"));
	scenario_destroy(f.scn);

	remove_file(dir, "counts.csv");
	remove_file(dir, "kinds.csv");
	remove_file(dir, "bad.csv");
	remove_file(dir, "col.csv");
	rmdir(dir);
}

static void test_determinism(void **state)
{
	(void)state;
	const char *wl =
		"[{\"name\": \"w\", \"rate\": [{\"type\": \"hawkes\", "
		"\"mu\": \"50tps\", \"alpha\": 0.6, \"tau\": \"30s\"}, "
		"{\"type\": \"bursts\", \"base\": {\"type\": \"diurnal\", "
		"\"tps\": 40}, \"bursts\": [{\"start\": 500, \"duration\": 300, "
		"\"tps\": 900, \"kind\": \"nft_mint\", \"ramp\": 60}]}]}]";
	struct fixture a, b, c;
	setup(&a, wl, 42);
	setup(&b, wl, 42);
	setup(&c, wl, 43);
	uint64_t ca[TX_KINDS], cb[TX_KINDS], cc[TX_KINDS];
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		sim_time_t t0 = (sim_time_t)i * 2 * SIM_S, t1 = t0 + 2 * SIM_S;
		wl_stream_draw(a.s, a.rng, t0, t1, ca);
		wl_stream_draw(b.s, b.rng, t0, t1, cb);
		wl_stream_draw(c.s, c.rng, t0, t1, cc);
		assert_memory_equal(ca, cb, sizeof(ca));
		differ |= memcmp(ca, cc, sizeof(ca)) != 0;
	}
	assert_true(differ);
	teardown(&a);
	teardown(&b);
	teardown(&c);
}

/* The cost of a tick does not grow with the rate. */
static void test_huge_rate(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "[{\"name\": \"w\", \"rate\": \"10000000000tps\"}]", 8);
	uint64_t c[TX_KINDS];
	wl_stream_draw(f.s, f.rng, 0, 2 * SIM_S, c);
	double n = (double)total(c);
	assert_true(fabs(n - 2e10) < 10 * sqrt(2e10));
	assert_true(fabs((double)c[TX_TRANSFER] / n - 0.5) < 1e-3);
	teardown(&f);
}

static void test_set_basics(void **state)
{
	(void)state;
	struct fixture f;
	struct l2s_error err;
	assert_int_equal(load(&f, "x.json", "[]", &err), 0);
	assert_int_equal(workload_set_count(f.set), 0);
	assert_null(workload_find(f.set, "w"));
	workload_set_destroy(f.set);
	scenario_destroy(f.scn);

	assert_int_equal(scenario_load_text("x.json", "{\"name\": \"t\"}",
					    &f.scn, &err), 0);
	struct scn_obj root = scn_root(f.scn);
	assert_int_equal(workloads_create(&root, &f.set, &err), 0);
	assert_int_equal(workload_set_count(f.set), 0);
	workload_set_destroy(f.set);
	scenario_destroy(f.scn);

	assert_int_equal(load(&f, "x.json",
			      "[{\"name\": \"a\", \"rate\": 1}, "
			      "{\"name\": \"b\", \"rate\": 2}]", &err), 0);
	assert_int_equal(workload_set_count(f.set), 2);
	assert_string_equal(workload_name(workload_set_get(f.set, 1)), "b");
	assert_non_null(workload_kinds(workload_find(f.set, "a")));
	workload_set_destroy(f.set);
	scenario_destroy(f.scn);

	/* "kinds" overrides apply to that workload only. */
	assert_int_equal(load(&f, "x.json",
			      "[{\"name\": \"a\", \"rate\": 1, \"kinds\": "
			      "{\"swap\": {\"size\": \"300B\"}}}, "
			      "{\"name\": \"b\", \"rate\": 2}]", &err), 0);
	assert_int_equal(workload_kinds(workload_find(f.set, "a"))[TX_SWAP].size,
			 300);
	assert_int_not_equal(
		workload_kinds(workload_find(f.set, "b"))[TX_SWAP].size, 300);
	workload_set_destroy(f.set);
	scenario_destroy(f.scn);
}

static void test_errors(void **state)
{
	(void)state;
	struct l2s_error e;

	e = reject("[{\"name\": \"w\", \"rtae\": \"5tps\"}]");
	assert_non_null(strstr(e.msg, "rtae"));
	assert_non_null(strstr(e.hint, "'rate'"));
	assert_true(e.line == 1 && e.column > 0);
	assert_string_equal(e.path, "workloads[0].rtae");

	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
		   "\"mu\": 5, \"alpha\": 0.5, \"taux\": \"1m\"}}]");
	assert_non_null(strstr(e.hint, "'tau'"));

	e = reject("[{\"name\": \"w\", \"rate\": \"-5tps\"}]");
	assert_string_equal(e.path, "workloads[0].rate");
	e = reject("[{\"name\": \"w\", \"rate\": {\"tps\": -5}}]");
	assert_non_null(strstr(e.msg, "negative"));
	e = reject("[{\"name\": \"w\", \"rate\": \"5MB/s\"}]");
	assert_non_null(strstr(e.msg, "byte rate"));

	e = reject("[{\"name\": \"w\", \"rate\": 5, "
		   "\"mix\": {\"transfr\": 1}}]");
	assert_non_null(strstr(e.msg, "'transfr'"));
	assert_non_null(strstr(e.hint, "'transfer'"));
	e = reject("[{\"name\": \"w\", \"rate\": 5, "
		   "\"mix\": {\"transfer\": -1}}]");
	e = reject("[{\"name\": \"w\", \"rate\": 5, "
		   "\"mix\": {\"transfer\": 0}}]");
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"bursts\", "
		   "\"bursts\": [{\"start\": 1, \"duration\": 5, "
		   "\"tps\": 9, \"kind\": \"inscriptions\"}]}}]");
	assert_non_null(strstr(e.hint, "'inscription'"));

	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
		   "\"mu\": 5, \"alpha\": 1, \"tau\": \"1m\"}}]");
	assert_string_equal(e.path, "workloads[0].rate.alpha");
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
		   "\"mu\": 5, \"alpha\": 1.5, \"tau\": \"1m\"}}]");
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"hawkes\", "
		   "\"mu\": 5, \"alpha\": 0.5}}]");
	assert_non_null(strstr(e.msg, "'tau'"));

	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"diurnal\", "
		   "\"tps\": 5, \"amplitude\": 1.2}}]");
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"hourly\"}}]");
	assert_non_null(strstr(e.msg, "hourly"));
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"bursts\", "
		   "\"bursts\": [{\"start\": 0, \"duration\": 10, "
		   "\"tps\": 9, \"ramp\": 6}]}}]");
	assert_non_null(strstr(e.msg, "ramp"));
	e = reject("[{\"name\": \"w\", \"rate\": {\"type\": \"bursts\", "
		   "\"base\": {\"type\": \"bursts\", \"bursts\": []}, "
		   "\"bursts\": []}}]");
	e = reject("[{\"name\": \"w\", \"rate\": 1}, "
		   "{\"name\": \"w\", \"rate\": 2}]");
	assert_non_null(strstr(e.msg, "already"));
	e = reject("[{\"rate\": 1}]");
	assert_non_null(strstr(e.msg, "'name'"));
	e = reject("[{\"name\": \"w\"}]");
	assert_non_null(strstr(e.msg, "'rate'"));
	e = reject("{\"name\": \"w\"}");
	e = reject("[{\"name\": \"w\", \"rate\": 1, "
		   "\"kinds\": {\"swpa\": {\"size\": 100}}}]");
	assert_non_null(strstr(e.hint, "'swap'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_poisson),
		cmocka_unit_test(test_mix_shares),
		cmocka_unit_test(test_diurnal),
		cmocka_unit_test(test_bursts),
		cmocka_unit_test(test_hawkes),
		cmocka_unit_test(test_hawkes_inscriptions),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_huge_rate),
		cmocka_unit_test(test_set_basics),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
