/*
 * System models (models/system, models/sequencer, models/batcher,
 * models/world) with hand-checked numbers.
 *
 *  - cohorts: largest-remainder splits worked out by hand, FIFO order,
 *    per-kind sums of a queue, takes across cohorts;
 *  - latency histograms: quantiles of known weighted data at the exact
 *    log-interpolated bin values, NAN when empty, merging;
 *  - small scenarios built in memory and run through world_create /
 *    world_run / world_collect, with a constant workload, each checked
 *    against figures derived in the comment above it.
 *
 * Scenario runs can be stopped part way (sim_run_until) to look at an
 * instance's components through their headers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "l2sim/batcher.h"
#include "l2sim/cohort.h"
#include "l2sim/lathist.h"
#include "l2sim/sequencer.h"
#include "l2sim/system.h"
#include "l2sim/world.h"
#include "support/world_run.h"

/* ---- helpers ------------------------------------------------------------- */

static void assert_near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.9g, want %.9g +- %.3g", what, got, want,
			 tol);
}

static void assert_rel(double got, double want, double rel, const char *what)
{
	assert_near(got, want, fabs(want) * rel, what);
}

static void assert_in(double got, double lo, double hi, const char *what)
{
	if (!(got >= lo && got <= hi))
		fail_msg("%s: got %.9g, want within [%.9g, %.9g]", what, got,
			 lo, hi);
}

static struct cohort mk(sim_time_t arrived, uint64_t a, uint64_t b,
			uint64_t c, uint64_t d, uint64_t e)
{
	struct cohort k = {.arrived = arrived, .n = {a, b, c, d, e}};
	k.total = a + b + c + d + e;
	return k;
}

static void assert_kinds(const struct cohort *c, uint64_t a, uint64_t b,
			 uint64_t cc, uint64_t d, uint64_t e)
{
	const uint64_t want[TX_KINDS] = {a, b, cc, d, e};
	uint64_t tot = 0;
	for (int k = 0; k < TX_KINDS; k++) {
		if (c->n[k] != want[k])
			fail_msg("kind %d: got %llu, want %llu", k,
				 (unsigned long long)c->n[k],
				 (unsigned long long)want[k]);
		tot += want[k];
	}
	assert_int_equal(c->total, tot);
}

static void run_until(struct test_run *r, double t_s)
{
	sim_run_until(r->sim, (sim_time_t)llround(t_s * 1e9));
}

/* Runs 'json' to the end (seed < 0: the scenario's). */
static void run_all(struct test_run *r, const char *json, int64_t seed)
{
	test_run_open(r, json, seed);
	test_run_finish(r);
}

/* A latency of nothing is NaN, not missing. */
static double M(const struct test_run *r, const char *comp, const char *name)
{
	if (!strncmp(name, "latency_", 8))
		return res_metric_get(r->res, comp, name);
	return test_run_metric(r, comp, name);
}

static uint64_t mempool(struct sys_instance *in)
{
	return seq_mempool_txs(sys_instance_sequencer(in));
}

static uint64_t sequenced(struct sys_instance *in)
{
	return seq_stats(sys_instance_sequencer(in))->sequenced;
}

static double forced(struct sys_instance *in)
{
	return sys_instance_mech_metric(in, "forced_inclusion_txs");
}

static uint64_t posted(struct sys_instance *in)
{
	return batcher_stats(sys_instance_batcher(in))->posted;
}

/* Every transaction is accounted for, by the metrics and by the queues. */
static void assert_accounting(const struct test_run *r, const char *name)
{
	double off = M(r, name, "tx_offered"), seq = M(r, name, "tx_sequenced");
	double post = M(r, name, "tx_posted"), fin = M(r, name, "tx_finalized");
	double drop = M(r, name, "tx_dropped");
	double pend = M(r, name, "tx_pending_end");
	assert_true(fin <= post && post <= seq && seq <= off);
	assert_true(off == post + drop + pend);
	struct sys_instance *in = test_run_instance(r, name);
	assert_int_equal((uint64_t)pend,
			 mempool(in) + batcher_unposted(sys_instance_batcher(in)));
	assert_int_equal((uint64_t)seq, (uint64_t)off - (uint64_t)drop -
						mempool(in));
}

/* ---- cohorts ------------------------------------------------------------- */

/*
 * n = {5,3,2,0,0} (10 txs), take 7: exact shares 3.5, 2.1, 1.4; floors
 * 3, 2, 1 (6); remainders 0.5, 0.1, 0.4, so the 7th goes to kind 0:
 * {4,2,1}, leaving {1,1,1}.
 */
static void test_split_largest_remainder(void **state)
{
	(void)state;
	struct cohort c = mk(7, 5, 3, 2, 0, 0), p;
	c.sequenced = 9;
	cohort_split(&c, 7, &p);
	assert_kinds(&p, 4, 2, 1, 0, 0);
	assert_kinds(&c, 1, 1, 1, 0, 0);
	assert_int_equal(p.arrived, 7);
	assert_int_equal(p.sequenced, 9);
	assert_int_equal(c.arrived, 7);

	/* {1,1,1} take 2: all remainders 2/3, ties to the lower kinds. */
	cohort_split(&c, 2, &p);
	assert_kinds(&p, 1, 1, 0, 0, 0);
	assert_kinds(&c, 0, 0, 1, 0, 0);

	/* {1,0,0,0,9} take 5: shares 0.5 and 4.5, floors 0 and 4, equal
	 * remainders: kind 0 wins the tie. */
	c = mk(0, 1, 0, 0, 0, 9);
	cohort_split(&c, 5, &p);
	assert_kinds(&p, 1, 0, 0, 0, 4);
	assert_kinds(&c, 0, 0, 0, 0, 5);

	/* {2,2,2,2,2} take 3: remainders all 0.6 -> kinds 0,1,2. */
	c = mk(0, 2, 2, 2, 2, 2);
	cohort_split(&c, 3, &p);
	assert_kinds(&p, 1, 1, 1, 0, 0);
	assert_kinds(&c, 1, 1, 1, 2, 2);

	/* {0,7,0,0,3} take 4: 2.8 and 1.2 -> 2 and 1, remainders .8/.2. */
	c = mk(0, 0, 7, 0, 0, 3);
	cohort_split(&c, 4, &p);
	assert_kinds(&p, 0, 3, 0, 0, 1);
	assert_kinds(&c, 0, 4, 0, 0, 2);

	/* take 0: an empty part; take >= total: everything. */
	c = mk(0, 5, 3, 2, 0, 0);
	cohort_split(&c, 0, &p);
	assert_kinds(&p, 0, 0, 0, 0, 0);
	assert_kinds(&c, 5, 3, 2, 0, 0);
	cohort_split(&c, 11, &p);
	assert_kinds(&p, 5, 3, 2, 0, 0);
	assert_kinds(&c, 0, 0, 0, 0, 0);
}

/* Counts near 2^62: the products need 128 bits, the split stays exact. */
static void test_split_large_counts(void **state)
{
	(void)state;
	const uint64_t e18 = UINT64_C(1000000000000000000);
	struct cohort c = mk(0, 3 * e18, e18, 0, 0, 0), p;
	cohort_split(&c, 2 * e18, &p);
	assert_kinds(&p, 3 * e18 / 2, e18 / 2, 0, 0, 0);
	assert_kinds(&c, 3 * e18 / 2, e18 / 2, 0, 0, 0);
	/* An odd split: 4e18+1 txs, take 1e18: kind 1 (weight 1) gets
	 * floor(1e18/(4e18+1)) = 0 plus the remainder race. */
	c = mk(0, 4 * e18, 1, 0, 0, 0);
	cohort_split(&c, e18, &p);
	assert_int_equal(p.total, e18);
	assert_int_equal(p.n[0] + p.n[1], e18);
	assert_int_equal(c.n[0] + p.n[0], 4 * e18);
	assert_int_equal(p.n[1], 0);
}

/*
 * A queue of three cohorts: A = {5,3,2} at t=1, B = {0,0,0,4} at t=2,
 * C = {1,0,0,0,1} at t=3.  Takes come from the front, at most one
 * cohort each: take 7 -> 7 of A ({4,2,1}); take 7 -> the rest of A
 * ({1,1,1}, only 3); take 2 -> 2 of B; take 100 -> the rest of B;
 * take 100 -> C; then empty.
 */
static void test_queue_fifo(void **state)
{
	(void)state;
	struct cohort_q q = {0};
	struct cohort out;
	assert_null(cohort_q_front(&q));
	assert_int_equal(cohort_q_take(&q, 5, &out), 0);
	struct cohort a = mk(1, 5, 3, 2, 0, 0), b = mk(2, 0, 0, 0, 4, 0),
		      c = mk(3, 1, 0, 0, 0, 1), z = mk(4, 0, 0, 0, 0, 0);
	assert_int_equal(cohort_q_push(&q, &a), 0);
	assert_int_equal(cohort_q_push(&q, &z), 0); /* empty: not queued */
	assert_int_equal(cohort_q_push(&q, &b), 0);
	assert_int_equal(cohort_q_push(&q, &c), 0);
	assert_int_equal(q.len, 3);
	assert_int_equal(q.txs, 16);
	const uint64_t sums[TX_KINDS] = {6, 3, 2, 4, 1};
	for (int k = 0; k < TX_KINDS; k++)
		assert_int_equal(q.n[k], sums[k]);
	assert_int_equal(cohort_q_front(&q)->arrived, 1);

	assert_int_equal(cohort_q_take(&q, 0, &out), 0);
	assert_int_equal(cohort_q_take(&q, 7, &out), 7);
	assert_kinds(&out, 4, 2, 1, 0, 0);
	assert_int_equal(out.arrived, 1);
	assert_int_equal(q.txs, 9);
	assert_int_equal(q.n[0], 2);
	assert_int_equal(q.n[1], 1);
	assert_int_equal(q.n[2], 1);
	assert_int_equal(cohort_q_take(&q, 7, &out), 3);
	assert_kinds(&out, 1, 1, 1, 0, 0);
	assert_int_equal(q.len, 2);
	assert_int_equal(cohort_q_take(&q, 2, &out), 2);
	assert_kinds(&out, 0, 0, 0, 2, 0);
	assert_int_equal(out.arrived, 2);
	assert_int_equal(cohort_q_take(&q, 100, &out), 2);
	assert_kinds(&out, 0, 0, 0, 2, 0);
	assert_int_equal(cohort_q_take(&q, 100, &out), 2);
	assert_kinds(&out, 1, 0, 0, 0, 1);
	assert_int_equal(out.arrived, 3);
	assert_int_equal(q.len, 0);
	assert_int_equal(q.txs, 0);
	for (int k = 0; k < TX_KINDS; k++)
		assert_int_equal(q.n[k], 0);
	assert_null(cohort_q_front(&q));
	cohort_q_release(&q);
}

/*
 * The ring wraps and grows: push and take in a pattern that moves the
 * head around several capacities, checking FIFO order (arrival times) and
 * the running sums against a count kept here.
 */
static void test_queue_ring(void **state)
{
	(void)state;
	struct cohort_q q = {0};
	sim_time_t next_in = 0, next_out = 0;
	uint64_t in_q = 0;
	for (int round = 0; round < 200; round++) {
		int pushes = 1 + round % 7;
		for (int i = 0; i < pushes; i++) {
			struct cohort c = mk(++next_in, 1, 2, 0, 0, 0);
			assert_int_equal(cohort_q_push(&q, &c), 0);
			in_q += 3;
		}
		int takes = 1 + (round * 5) % 6;
		for (int i = 0; i < takes && q.len; i++) {
			struct cohort out;
			/* A whole cohort in two takes: 2 then the last 1. */
			assert_int_equal(cohort_q_take(&q, 2, &out), 2);
			assert_int_equal(out.arrived, next_out + 1);
			assert_kinds(&out, 1, 1, 0, 0, 0);
			assert_int_equal(cohort_q_take(&q, 2, &out), 1);
			assert_kinds(&out, 0, 1, 0, 0, 0);
			next_out++;
			in_q -= 3;
		}
		assert_int_equal(q.txs, in_q);
		assert_int_equal(q.n[0], in_q / 3);
		assert_int_equal(q.n[1], 2 * in_q / 3);
		assert_int_equal(q.len, (size_t)(next_in - next_out));
	}
	cohort_q_release(&q);
}

/*
 * Takes across cohorts, as the batcher does (loop until n taken): 10 from
 * {A = 4 transfers at t=10, B = 3 swaps at t=20, C = 5 mints at t=30}
 * gives all of A and B and 3 of C.
 */
static void test_take_across(void **state)
{
	(void)state;
	struct cohort_q q = {0};
	struct cohort a = mk(10, 4, 0, 0, 0, 0), b = mk(20, 0, 0, 3, 0, 0),
		      c = mk(30, 0, 0, 0, 5, 0);
	cohort_q_push(&q, &a);
	cohort_q_push(&q, &b);
	cohort_q_push(&q, &c);
	uint64_t got = 0, kinds[TX_KINDS] = {0};
	sim_time_t arr[4];
	int parts = 0;
	while (got < 10) {
		struct cohort out;
		uint64_t n = cohort_q_take(&q, 10 - got, &out);
		assert_true(n > 0);
		arr[parts++] = out.arrived;
		for (int k = 0; k < TX_KINDS; k++)
			kinds[k] += out.n[k];
		got += n;
	}
	assert_int_equal(parts, 3);
	assert_int_equal(arr[0], 10);
	assert_int_equal(arr[1], 20);
	assert_int_equal(arr[2], 30);
	assert_int_equal(kinds[0], 4);
	assert_int_equal(kinds[2], 3);
	assert_int_equal(kinds[3], 3);
	assert_int_equal(q.txs, 2);
	assert_int_equal(q.n[3], 2);
	assert_int_equal(cohort_q_front(&q)->total, 2);
	cohort_q_release(&q);
}

/* ---- latency histograms --------------------------------------------------- */

/* Edges are 10^(-3 + i/40).  1.5 s lies in [10^0.175, 10^0.2), 15 s in
 * [10^1.175, 10^1.2), 150 s in [10^2.175, 10^2.2). */
static void test_lathist_quantiles(void **state)
{
	(void)state;
	struct lat_hist h;
	assert_int_equal(lat_hist_init(&h), 0);
	assert_true(isnan(lat_hist_quantile(&h, 0.5)));
	lat_hist_add(&h, 15, 0);   /* no weight: ignored */
	lat_hist_add(&h, 15, -1);
	assert_true(isnan(lat_hist_quantile(&h, 0.5)));

	lat_hist_add(&h, 1.5, 1);
	lat_hist_add(&h, 15, 2);
	lat_hist_add(&h, 150, 1);
	assert_near(h.weight, 4, 0, "weight");
	/* p50: target 2 of 4; 1 below the 15 s bin, half of its weight 2
	 * -> the geometric middle of the bin, 10^1.1875 = 15.399 s. */
	assert_rel(lat_hist_quantile(&h, 0.5), pow(10, 1.1875), 1e-9, "p50");
	/* p25: all of the 1.5 s bin -> its upper edge 10^0.2. */
	assert_rel(lat_hist_quantile(&h, 0.25), pow(10, 0.2), 1e-9, "p25");
	/* p100 -> the largest latency added, 150 s (it bounds the top
	 * bin, [10^2.175, 150]). */
	assert_rel(lat_hist_quantile(&h, 1.0), 150, 1e-12, "p100");
	/* p87.5: target 3.5, half of that bin -> its geometric middle. */
	assert_rel(lat_hist_quantile(&h, 0.875), sqrt(pow(10, 2.175) * 150),
		   1e-9, "p87.5");
	/* Within the ~6% bin resolution of the data itself. */
	assert_rel(lat_hist_quantile(&h, 0.5), 15, 0.06, "p50 ~ 15 s");

	/* The brief's case: 1 at 1 s, 2 at 10 s, 1 at 100 s -> p50 ~ 10 s
	 * (10 s sits on a bin edge: either neighbour, within 3%). */
	struct lat_hist g;
	assert_int_equal(lat_hist_init(&g), 0);
	lat_hist_add(&g, 1, 1);
	lat_hist_add(&g, 10, 2);
	lat_hist_add(&g, 100, 1);
	assert_rel(lat_hist_quantile(&g, 0.5), 10, 0.03, "p50 of 1/10/100");

	/* Merge adds weights: g + h has 1 at 1, 1 at 1.5, 2 at 10, 2 at 15,
	 * 1 at 100, 1 at 150.  p50: target 4, the 10 s bin ends at cum 4. */
	lat_hist_merge(&g, &h);
	assert_near(g.weight, 8, 0, "merged weight");
	double p50 = lat_hist_quantile(&g, 0.5);
	assert_in(p50, 9.9, 10.6, "merged p50 (upper edge of the 10 s bin)");
	/* p62.5: target 5, half of the 15 s bin. */
	assert_rel(lat_hist_quantile(&g, 0.625), pow(10, 1.1875), 1e-9,
		   "merged p62.5");
	/* h is unchanged. */
	assert_near(h.weight, 4, 0, "source weight");
	assert_rel(lat_hist_quantile(&h, 0.5), pow(10, 1.1875), 1e-9,
		   "source p50");
	lat_hist_release(&g);
	lat_hist_release(&h);
}

/* Below 1 ms (the first bin, [0, 1 ms), linear), at 0, negative, and
 * beyond the top (clamped into the last bin). */
static void test_lathist_edges(void **state)
{
	(void)state;
	struct lat_hist h;
	assert_int_equal(lat_hist_init(&h), 0);
	lat_hist_add(&h, 0, 1);
	lat_hist_add(&h, -5, 1); /* counted as 0 */
	/* Both at 0: the largest latency bounds the first bin. */
	assert_near(lat_hist_quantile(&h, 0.5), 0, 1e-12, "all at 0");
	lat_hist_add(&h, 1e12, 2);
	/* Now [0, 1 ms) is read whole, linearly: half way is 0.5 ms. */
	assert_near(lat_hist_quantile(&h, 0.25), 0.0005, 1e-12, "linear bin");
	assert_near(h.weight, 4, 0, "weight");
	/* The top half sits in the last bin, [10^8.975, 10^9). */
	double top = lat_hist_quantile(&h, 1.0);
	assert_rel(top, 1e9, 1e-9, "clamped to the top");
	assert_in(lat_hist_quantile(&h, 0.75), pow(10, 8.975), 1e9, "p75");
	lat_hist_release(&h);
	lat_hist_release(&h); /* idempotent */
}

/* Heavy weights (a cohort of 1e12 txs) and many small ones. */
static void test_lathist_weights(void **state)
{
	(void)state;
	struct lat_hist h;
	assert_int_equal(lat_hist_init(&h), 0);
	for (int i = 1; i <= 1000; i++)
		lat_hist_add(&h, (double)i, 1); /* 1..1000 s uniform */
	assert_rel(lat_hist_quantile(&h, 0.5), 500, 0.06, "uniform p50");
	assert_rel(lat_hist_quantile(&h, 0.99), 990, 0.06, "uniform p99");
	lat_hist_add(&h, 2000, 1e12);
	assert_rel(lat_hist_quantile(&h, 0.5), 2000, 0.06, "heavy p50");
	lat_hist_release(&h);
}

/* Bins come at the first addition: an empty histogram holds none, merges
 * both ways, and a deferred spread equals the same additions made one by
 * one (to rounding). */
static void test_lathist_lazy_and_deferred(void **state)
{
	(void)state;
	struct lat_hist e, h, g;
	assert_int_equal(lat_hist_init(&e), 0);
	assert_null(e.h.bin);
	assert_false(lat_hist_failed(&e));
	assert_true(isnan(lat_hist_quantile(&e, 0.5)));
	assert_int_equal(lat_hist_init(&h), 0);
	lat_hist_merge(&h, &e); /* empty into empty: still no bins */
	assert_null(h.h.bin);
	lat_hist_add(&h, 15, 2);
	assert_non_null(h.h.bin);
	lat_hist_merge(&h, &e); /* empty into full: unchanged */
	assert_near(h.weight, 2, 0, "weight after an empty merge");
	lat_hist_merge(&e, &h); /* full into empty: allocates */
	assert_non_null(e.h.bin);
	assert_rel(lat_hist_quantile(&e, 0.5), lat_hist_quantile(&h, 0.5),
		   1e-15, "merged into an empty one");

	/* Uniform over [1, 3) s, weight 1 + 2 + 4 added one by one to g,
	 * deferred and flushed once to h2. */
	struct lat_hist h2;
	struct lat_spread sp;
	assert_int_equal(lat_hist_init(&g), 0);
	assert_int_equal(lat_hist_init(&h2), 0);
	lat_hist_spread_init(&sp, &h2, 1, 3);
	for (int w = 1; w <= 4; w *= 2) {
		lat_hist_add_uniform(&g, 1, 3, w);
		lat_hist_spread_defer(&sp, w);
	}
	assert_null(h2.h.bin); /* nothing added yet */
	lat_hist_spread_flush(&h2, &sp);
	assert_near(h2.weight, 7, 1e-12, "deferred weight");
	for (double q = 0.1; q < 1; q += 0.2)
		assert_rel(lat_hist_quantile(&h2, q), lat_hist_quantile(&g, q),
			   1e-12, "deferred = one by one");
	/* p50 of a uniform over [1, 3): 2 s, within the bin's resolution. */
	assert_rel(lat_hist_quantile(&h2, 0.5), 2, 0.002, "uniform p50");
	lat_hist_spread_flush(&h2, &sp); /* nothing left to add */
	assert_near(h2.weight, 7, 1e-12, "second flush adds nothing");
	lat_hist_release(&e);
	lat_hist_release(&h);
	lat_hist_release(&g);
	lat_hist_release(&h2);
}

/* ---- scenarios ------------------------------------------------------------ */

/*
 * Own sequencer at 60 tps, offered 100 tps (Poisson), ticks of 12 s, 2 h.
 * Each tick sequences exactly 60 x 12 = 720 txs: tx_sequenced =
 * 720 x 600 = 432,000 and tps_sequenced = 60 exactly.  The mempool grows
 * by ~40 tx/s: offered - sequenced ~ 288,000.
 *
 * With mempool_limit 10,000 the mempool fills in ~250 s and then keeps
 * 10,000 after each tick's sequencing (the limit applies after it); the
 * rest drop: dropped = offered - 432,000 - 10,000 exactly,
 * ~ 40 x 7200 - 10,000.
 */
static const char *cap_json =
	"{\"name\": \"cap\", \"duration\": \"2h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"100tps\","
	"   \"mix\": {\"transfer\": 0.5, \"erc20\": 0.5}}],"
	" \"systems\": ["
	"  {\"name\": \"open\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"60tps\"}},"
	"  {\"name\": \"capped\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"60tps\", \"mempool_limit\": 10000}}"
	" ]}";

static void test_sequencer_capacity(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, cap_json, -1);
	assert_near(M(&r, "open", "tx_sequenced"), 432000, 0, "sequenced");
	assert_near(M(&r, "open", "tps_sequenced"), 60, 1e-9, "tps_sequenced");
	double off = M(&r, "open", "tx_offered");
	assert_rel(off, 720000, 0.005, "offered");
	assert_rel(M(&r, "open", "tps_offered"), 100, 0.005, "tps_offered");
	assert_rel(off - 432000, 288000, 0.015, "backlog growth");
	assert_near(M(&r, "open", "tx_dropped"), 0, 0, "no drops");
	/* The largest backlog is the last one, ~40 tx/s x 2 h (plus what
	 * is sequenced but not yet posted). */
	assert_in(M(&r, "open", "backlog_max"), off - 432000,
		  off - 432000 + 20000, "backlog_max");
	assert_accounting(&r, "open");
	/* Posting keeps up with sequencing. */
	assert_rel(M(&r, "open", "tps_posted"), 60, 0.02, "tps_posted");
	/* Mempool waits grow to ~2/3 of the run: liveness fails. */
	assert_true(M(&r, "open", "liveness_failures") >= 1);

	double coff = M(&r, "capped", "tx_offered");
	assert_near(M(&r, "capped", "tx_sequenced"), 432000, 0, "capped seq");
	assert_near(M(&r, "capped", "tx_dropped"), coff - 432000 - 10000, 0,
		    "dropped (exact)");
	assert_rel(M(&r, "capped", "tx_dropped"), 40.0 * 7200 - 10000, 0.02,
		   "dropped ~ excess");
	assert_int_equal(mempool(test_run_instance(&r, "capped")), 10000);
	/* The limit bound in every tick from ~250 s on, and says so. */
	assert_in(M(&r, "capped", "limit_mempool_ticks"), 570, 590,
		  "limit_mempool_ticks");
	assert_near(M(&r, "open", "limit_mempool_ticks"), 0, 0, "open: none");
	assert_accounting(&r, "capped");
	/* "all" sums the two. */
	assert_near(M(&r, "all", "tx_offered"), off + coff, 0, "all offered");
	assert_near(M(&r, "all", "tx_sequenced"), 864000, 0, "all sequenced");
	test_run_close(&r);
}

/*
 * Sequencer outage of 1 h from t = 1 h, own sequencer of 100,000 tps (a
 * backlog clears in one tick), 50 tps offered, sequence_within 1 m
 * (default), post_within 6 h (only the sequencing promise matters here).
 *
 * "slow": forced inclusion after 20 m at 10 tps, no takeover within the
 * outage.  Nothing is sequenced from 3600 to 4800 s; from the tick ending
 * at 4800 s, 10 x 12 = 120 a tick (exactly 12,000 in the 100 ticks
 * 4800..5988).  The first cohort of the outage arrived at 3606 (middle of
 * its tick); it is more than 60 s old at the tick of 3672, which opens the
 * failure; the tick after the outage (7212) clears the mempool and closes
 * it: 7212 - 3672 = 3540 s = outage - promise.
 *
 * "take": the same, takeover after 40 m: full capacity at the tick of
 * 6000 clears the backlog; forced = 12,000 (4800..5988);
 * failure 6000 - 3672 = 2328 s.
 */
static const char *outage_json =
	"{\"name\": \"outage\", \"duration\": \"3h\", \"seed\": 5,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"50tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"slow\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"100000tps\","
	"     \"forced_inclusion_delay\": \"20m\","
	"     \"forced_inclusion_rate\": \"10tps\"},"
	"   \"liveness\": {\"post_within\": \"6h\"}},"
	"  {\"name\": \"take\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"100000tps\","
	"     \"forced_inclusion_delay\": \"20m\","
	"     \"forced_inclusion_rate\": \"10tps\", \"takeover_delay\": \"40m\"},"
	"   \"liveness\": {\"post_within\": \"6h\"}}"
	" ],"
	" \"faults\": ["
	"  {\"type\": \"sequencer_outage\", \"target\": \"slow\","
	"   \"start\": \"1h\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"take\","
	"   \"start\": \"1h\", \"duration\": \"1h\"}"
	" ]}";

static void test_sequencer_outage(void **state)
{
	(void)state;
	struct test_run r;
	test_run_open(&r, outage_json, -1);
	struct sys_instance *slow = test_run_instance(&r, "slow"), *take = test_run_instance(&r, "take");
	run_until(&r, 3599);
	/* Up: everything offered is sequenced each tick. */
	assert_int_equal(mempool(slow), 0);
	run_until(&r, 3601);
	uint64_t s0 = sequenced(slow), t0 = sequenced(take);
	run_until(&r, 4799);
	assert_int_equal(sequenced(slow), s0);
	assert_int_equal(sequenced(take), t0);
	assert_true(mempool(slow) > 50 * 1100);
	assert_near(forced(slow), 0, 0, "no forcing yet");
	run_until(&r, 5999);
	assert_int_equal(sequenced(slow) - s0, 12000);
	assert_int_equal(sequenced(take) - t0, 12000);
	assert_near(forced(slow), 12000, 0, "forced");
	run_until(&r, 6001);
	/* Takeover: the backlog is gone in one tick. */
	assert_int_equal(mempool(take), 0);
	assert_true(mempool(slow) > 100000); /* 50 x 2400 - 12,000 */
	run_until(&r, 7199);
	assert_int_equal(sequenced(slow) - s0, 24000);
	run_until(&r, 7213);
	assert_int_equal(mempool(slow), 0);
	test_run_finish(&r);

	assert_near(M(&r, "slow", "forced_inclusion_txs"), 24000, 120,
		    "slow forced");
	assert_near(M(&r, "take", "forced_inclusion_txs"), 12000, 0,
		    "take forced");
	assert_near(M(&r, "slow", "liveness_failures"), 1, 0, "slow failures");
	assert_near(M(&r, "slow", "liveness_failure_seconds"), 3540, 12,
		    "slow failure length");
	assert_near(M(&r, "take", "liveness_failures"), 1, 0, "take failures");
	assert_near(M(&r, "take", "liveness_failure_seconds"), 2328, 12,
		    "take failure length");
	/* The wait shows in the sequencing latency's tail: ~1 h of 3 h of
	 * arrivals waited up to 20-60 min. */
	assert_true(M(&r, "slow", "latency_sequenced_p99") > 1200);
	assert_true(M(&r, "slow", "latency_sequenced_p50") < 5);
	assert_accounting(&r, "slow");
	assert_accounting(&r, "take");
	/* The fault module reports the window. */
	assert_near(M(&r, "slow", "outage_seconds"), 3600, 0, "outage s");
	test_run_close(&r);
}

/*
 * Calldata batcher, max_delay 5 m, 1 tps, 2 h.  Every tick (12 s)
 * brings a cohort.  The first is sequenced at 12 s and due at the first
 * tick >= 312 s, i.e. 312 s; the batch takes everything pending, and the
 * next front is the cohort of the next tick (324 s), due at 624 s: a
 * batch every 312 s, cut at 312 k for k = 1..23 (7176 s), each included
 * in the next slot.  23 batches of ~312 txs.
 *
 * Calldata gas under Pectra (EIP-7623 floor, no execution gas): per L1 tx
 * 21,000 + 10 x tokens, tokens = zero + 4 nonzero, zero = bytes / 256.
 */
static const char *calldata_json =
	"{\"name\": \"calldata\", \"duration\": \"2h\", \"seed\": 7,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"1tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"cd\", \"type\": \"optimistic_rollup\","
	"   \"da\": \"ethereum_calldata\", \"batcher\": {\"max_delay\": \"5m\"},"
	"   \"settlement\": {\"state_root_gas\": 0}}"
	" ]}";

static void test_batcher_delay(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, calldata_json, -1);
	double batches = M(&r, "cd", "batches");
	assert_near(batches, 23, 0, "batches = window / (5 min + a tick)");
	assert_rel(M(&r, "cd", "txs_per_batch"), 312, 0.1, "txs per batch");
	assert_near(M(&r, "cd", "l1_txs"), 23, 0, "one calldata tx a batch");
	assert_near(M(&r, "cd", "l1_blob_fill"), 0, 0, "no blobs");
	assert_near(M(&r, "cd", "blob_gas_per_tx"), 0, 0, "no blob gas");
	double posted = M(&r, "cd", "tx_posted");
	double bytes = M(&r, "cd", "l1_da_bytes_per_tx") * posted;
	double gas = M(&r, "cd", "l1_gas_per_tx") * posted;
	double want = 21000 * 23 + 40 * bytes - 30 * bytes / 256;
	assert_near(gas, want, 30 * 23 + 1, "EIP-7623 calldata gas");
	/* Posted: waits of up to 312 s plus a slot; the median ~ half. */
	assert_in(M(&r, "cd", "latency_posted_p50"), 120, 200, "posted p50");
	assert_in(M(&r, "cd", "latency_posted_p99"), 290, 340, "posted p99");
	/* Pending at the end: what arrived after the last cut (7176 s). */
	assert_in(M(&r, "cd", "tx_pending_end"), 1, 60, "pending end");
	assert_accounting(&r, "cd");
	test_run_close(&r);
}

/*
 * Blob batches at 200 tps (bytes per tx ~100, so ~8,000 txs fill the
 * default 6 x 130,044 B; a batch fills in ~40 s, well before max_delay):
 * size-driven.  txs_per_batch x bytes per tx <= max_batch_size and close
 * to it; one 6-blob tx per batch.
 *
 * "b4": max_batch_size 1,235,418 B = 9.5 blobs of payload, 4 blobs per
 * tx: 9 or 10 blobs per batch (12 at most if the estimate ran over),
 * always ceil(blobs / 4) = 3 blob transactions.
 */
static const char *blob_json =
	"{\"name\": \"blob\", \"duration\": \"1h\", \"seed\": 9,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"200tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"b6\", \"type\": \"optimistic_rollup\","
	"   \"settlement\": {\"state_root_gas\": 0}},"
	"  {\"name\": \"b4\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_batch_size\": 1235418, \"blobs_per_tx\": 4},"
	"   \"settlement\": {\"state_root_gas\": 0}}"
	" ]}";

static void test_batcher_blobs(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, blob_json, -1);
	double bpt = M(&r, "b6", "l1_da_bytes_per_tx");
	double tpb = M(&r, "b6", "txs_per_batch");
	double batches = M(&r, "b6", "batches");
	assert_in(bpt, 40, 200, "bytes per tx");
	assert_in(tpb * bpt, 0.95 * 780264, 1.0 * 780264, "size-driven");
	assert_rel(batches, 200.0 * 3600 / (780264 / bpt), 0.05, "batches");
	double fill = M(&r, "b6", "l1_blob_fill");
	assert_in(fill, 0.95 * 130044 / 131072, 130044.0 / 131072,
		  "blob fill");
	double l1txs = M(&r, "b6", "l1_txs");
	assert_in(l1txs - batches, 0, 1, "one blob tx per batch");
	double blobs = M(&r, "b6", "blob_gas_per_tx") *
		       M(&r, "b6", "tx_posted") / 131072;
	assert_in(blobs / batches, 5.7, 6.0, "blobs per batch");
	/* Posted within about a minute of arrival. */
	assert_true(M(&r, "b6", "latency_posted_p99") < 120);
	assert_accounting(&r, "b6");

	double b4 = M(&r, "b4", "batches");
	double b4tx = M(&r, "b4", "l1_txs");
	double b4blobs = M(&r, "b4", "blob_gas_per_tx") *
			 M(&r, "b4", "tx_posted") / 131072;
	assert_in(b4blobs / b4, 9, 12, "b4 blobs per batch");
	assert_in(b4tx - 3 * b4, 0, 2, "b4: ceil(blobs / 4) = 3 txs a batch");
	assert_in(M(&r, "b4", "txs_per_batch") * M(&r, "b4",
						      "l1_da_bytes_per_tx"),
		  0.9 * 1235418, 1235418, "b4 size-driven");
	assert_in(M(&r, "b4", "l1_blob_fill"), 0.9, 130044.0 / 131072,
		  "b4 fill");
	test_run_close(&r);
}

/*
 * Fee cap.  Pectra's blob base fee is fake_exponential(1, excess,
 * 5,007,716); an initial excess of 69,184,000 makes it e^13.8155 ~ 1e6
 * wei.  Background blobs are 0, so each block lowers the excess by the
 * target 786,432 (fee / e^0.157 a block).  A batcher with max_blob_fee
 * 1 wei can only be included once the fee is 1 wei, i.e. excess <
 * 5,007,716 x ln 2 = 3.47e6: after (69.18e6 - 3.47e6) / 786,432 = 84
 * blocks, ~1008 s.  Its first batches (due after the 1 m max_delay)
 * wait: stall blocks accumulate, and the earliest transactions are
 * posted ~1000 s after arrival against ~70 s for an uncapped twin.
 */
static const char *feecap_json =
	"{\"name\": \"feecap\", \"duration\": \"1h\", \"seed\": 11,"
	" \"l1\": {\"fork\": \"pectra\", \"initial_excess_blob_gas\": 69184000,"
	"   \"background\": {\"blobs\": {\"dist\": \"constant\", \"mean\": 0}}},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"capped\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\", \"max_blob_fee\": \"1wei\"},"
	"   \"settlement\": {\"state_root_gas\": 0}},"
	"  {\"name\": \"free\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\"},"
	"   \"settlement\": {\"state_root_gas\": 0}}"
	" ]}";

static void test_fee_cap_stall(void **state)
{
	(void)state;
	struct test_run r;
	test_run_open(&r, feecap_json, -1);
	assert_rel((double)l1_blob_base_fee(world_l1(r.w)), 1e6, 0.01,
		   "initial blob fee ~ 1e6 wei");
	run_until(&r, 900);
	/* Nothing of the capped system is on L1 yet. */
	assert_int_equal(posted(test_run_instance(&r, "capped")), 0);
	assert_true(posted(test_run_instance(&r, "free")) > 0);
	test_run_finish(&r);
	assert_rel(M(&r, "l1", "blob_base_fee_gwei_max"), 1e-3, 0.05,
		   "max blob fee (gwei)");
	double stall = M(&r, "capped", "fee_cap_stall_blocks");
	assert_true(stall > 0);
	assert_near(M(&r, "free", "fee_cap_stall_blocks"), 0, 0, "free stall");
	/* Every stalled batch waits until ~1008 s: at least the batches of
	 * the first ~15 minutes each stall for a few dozen blocks. */
	assert_true(stall >= 84);
	assert_in(M(&r, "capped", "latency_posted_p99"), 850, 1100,
		  "capped p99 ~ the first arrivals' wait");
	assert_true(M(&r, "free", "latency_posted_p99") < 100);
	assert_true(M(&r, "capped", "latency_posted_p50") >=
		    M(&r, "free", "latency_posted_p50"));
	assert_true(M(&r, "capped", "max_posting_gap_s") > 900);
	assert_accounting(&r, "capped");
	assert_near(M(&r, "capped", "tx_pending_end"),
		    M(&r, "free", "tx_pending_end"),
		    M(&r, "free", "tx_offered") * 0.05, "caught up");
	test_run_close(&r);
}

/*
 * Optimistic finality: each batch is final challenge_window (1 h) after
 * its L1 inclusion (L1 finality, 64-95 slots, is shorter).  Posted latency
 * runs to the inclusion, so finalized = posted + 3600 s for every batch;
 * the quantiles differ by 3600 s within the histogram's ~3%.
 */
static const char *optimistic_json =
	"{\"name\": \"opt\", \"duration\": \"6h\", \"seed\": 13,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"op\", \"type\": \"optimistic_rollup\","
	"   \"settlement\": {\"challenge_window\": \"1h\"}}"
	" ]}";

static void test_optimistic_finality(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, optimistic_json, -1);
	double post = M(&r, "op", "latency_posted_p50");
	double fin = M(&r, "op", "latency_finalized_p50");
	assert_in(post, 100, 700, "posted p50 (max_delay 10 m)");
	assert_rel(fin, post + 3600, 0.03, "finalized = posted + 1 h");
	assert_rel(M(&r, "op", "latency_finalized_p99"),
		   M(&r, "op", "latency_posted_p99") + 3600, 0.03,
		   "p99 + 1 h");
	/* Final: what was included before 5 h (~5/6 of the run). */
	assert_rel(M(&r, "op", "tx_finalized") / M(&r, "op", "tx_posted"),
		   5.0 / 6, 0.03, "finalized share");
	/* State roots: one an hour while batches flow, beside the batches. */
	assert_in(M(&r, "op", "l1_txs") - M(&r, "op", "batches"), 5, 6,
		  "state roots");
	assert_accounting(&r, "op");
	test_run_close(&r);
}

/*
 * ZK: a prover of fixed latency 10 m and unlimited throughput (4 machines,
 * so jobs never queue), one batch per proof.  A batch posted (included)
 * at a slot boundary is proved 600 s later, exactly on a boundary; the
 * proof tx waits for the next slot (+12 s) and is final 64 slots (768 s)
 * after inclusion: finalized = posted + 1380 s per batch.
 */
static const char *zk_json =
	"{\"name\": \"zk\", \"duration\": \"4h\", \"seed\": 17,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"zk\", \"type\": \"zk_rollup\","
	"   \"prover\": {\"latency\": \"10m\", \"provers\": 4}}"
	" ]}";

static void test_zk_finality(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, zk_json, -1);
	double post = M(&r, "zk", "latency_posted_p50");
	double fin = M(&r, "zk", "latency_finalized_p50");
	/* Proving 600 s, the proof's inclusion ~12 s, then Casper FFG:
	 * 64-95 slots by the proof's slot in its epoch, 79.5 on average
	 * (954 s). */
	assert_rel(fin, post + 600 + 12 + 954, 0.03,
		   "finalized = posted + 600 + 12 + 954");
	double p99 = M(&r, "zk", "latency_finalized_p99"),
	       post99 = M(&r, "zk", "latency_posted_p99");
	assert_in(p99, post99 + 612 + 768, post99 + 612 + 1140 + 24,
		  "p99 within the FFG range");
	/* The data's block is justified 32-63 slots after inclusion (47.5
	 * on average, 570 s). */
	assert_in(M(&r, "zk", "latency_justified_p50"), post + 384,
		  post + 756, "justified: posted + 32..63 slots");
	/* Each batch has a data tx and a proof tx. */
	double batches = M(&r, "zk", "batches");
	assert_in(M(&r, "zk", "l1_txs"), 2 * batches - 3, 2 * batches,
		  "data + proof txs");
	assert_accounting(&r, "zk");
	test_run_close(&r);
}

/*
 * A committee whose members never sign (member_availability 0): every
 * submission fails at the timeout.
 *  - a validium without da_fallback retries for ever: nothing posted,
 *    everything offered is pending at the end;
 *  - an optimistic rollup on the committee with da_fallback (its
 *    default) posts every batch on L1 as blobs: da_fallback_batches =
 *    batches, and L1 bytes per tx close to an ordinary blob rollup's
 *    (plus a 64-byte commitment per batch).
 * A second committee is healthy but all its members are withheld by a
 * dac_member_outage for the whole run: the same for its validium.
 */
static const char *dac_json =
	"{\"name\": \"dac\", \"duration\": \"2h\", \"seed\": 19,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"da_layers\": ["
	"  {\"name\": \"dead\", \"type\": \"dac\", \"members\": 4,"
	"   \"member_availability\": 0},"
	"  {\"name\": \"held\", \"type\": \"dac\", \"members\": 4}"
	" ],"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"val\", \"type\": \"validium\", \"da\": \"dead\"},"
	"  {\"name\": \"val2\", \"type\": \"validium\", \"da\": \"held\"},"
	"  {\"name\": \"anyt\", \"type\": \"optimistic_rollup\", \"da\": \"dead\","
	"   \"settlement\": {\"state_root_gas\": 0}},"
	"  {\"name\": \"roll\", \"type\": \"optimistic_rollup\","
	"   \"settlement\": {\"state_root_gas\": 0}}"
	" ],"
	" \"faults\": [{\"type\": \"dac_member_outage\", \"target\": \"held\","
	"   \"members\": 4, \"start\": \"0s\", \"duration\": \"2h\"}]}";

static void test_dac_down(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, dac_json, -1);
	const char *vals[2] = {"val", "val2"};
	for (int i = 0; i < 2; i++) {
		assert_near(M(&r, vals[i], "tx_posted"), 0, 0, "nothing posted");
		assert_near(M(&r, vals[i], "tx_pending_end"),
			    M(&r, vals[i], "tx_offered"), 0, "all pending");
		assert_near(M(&r, vals[i], "da_fallback_batches"), 0, 0,
			    "no fallback");
		assert_true(M(&r, vals[i], "liveness_failures") >= 1);
		assert_accounting(&r, vals[i]);
	}
	double fb = M(&r, "anyt", "da_fallback_batches");
	double batches = M(&r, "anyt", "batches");
	assert_true(fb > 0);
	assert_near(fb, batches, 1, "every batch falls back");
	double bpt = M(&r, "anyt", "l1_da_bytes_per_tx");
	double roll = M(&r, "roll", "l1_da_bytes_per_tx");
	assert_rel(bpt, roll, 0.1, "fallback bytes ~ rollup");
	assert_true(M(&r, "anyt", "blob_gas_per_tx") > 0);
	assert_rel(M(&r, "anyt", "tps_posted"), 20, 0.1, "anyt keeps posting");
	assert_accounting(&r, "anyt");
	test_run_close(&r);
}

/*
 * Shared sequencer of 100 tps for two systems offered 80 tps each: 1200
 * a tick for ~1920 waiting; shares in proportion to what each member has
 * waiting, so ~50 tps each and exactly 100 tps together (1200 x 600 =
 * 720,000 in 2 h); demand exceeds capacity every tick: saturated_share 1.
 */
static const char *shared_json =
	"{\"name\": \"shared\", \"duration\": \"2h\", \"seed\": 23,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"80tps\"}],"
	" \"shared_sequencers\": [{\"name\": \"ss\", \"capacity\": \"100tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"a\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\"}},"
	"  {\"name\": \"b\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\"}}"
	" ]}";

static void test_shared_sequencer(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, shared_json, -1);
	double a = M(&r, "a", "tps_sequenced"), b = M(&r, "b", "tps_sequenced");
	assert_near(M(&r, "all", "tx_sequenced"), 720000, 0, "total");
	assert_near(a + b, 100, 1e-9, "100 tps together");
	assert_rel(a, 50, 0.02, "a ~ half");
	assert_rel(b, 50, 0.02, "b ~ half");
	assert_near(M(&r, "ss", "tps_sequenced"), 100, 1e-9, "ss tps");
	assert_near(M(&r, "ss", "saturated_share"), 1, 0, "saturated");
	assert_near(M(&r, "ss", "members"), 2, 0, "members");
	/* Each backlog grows by ~30 tx/s. */
	double pend = M(&r, "a", "tx_offered") - M(&r, "a", "tx_sequenced");
	assert_rel(pend, 30.0 * 7200, 0.05, "a backlog");
	assert_accounting(&r, "a");
	assert_accounting(&r, "b");
	test_run_close(&r);
}

/*
 * Based sequencing: the L1 proposer's block is the L2 block.  A cohort
 * is the arrivals of one slot, with mean arrival half a slot before its
 * block: without missed slots every cohort waits 6 s, plus the 100 ms
 * confirmation latency: p50 = p99 = 6.1 s.
 *
 * With half the slots missed (p = 0.5), a slot's cohort waits 6 s if its
 * block is proposed (probability 1/2), 18 s if that one is missed and the
 * next is not (1/4), 30 s (1/8), ...: the 30th percentile is 6.1 s, the
 * 62nd 18.1 s, the 81st 30.1 s (each well inside its step; the share of
 * missed slots over 600 varies by ~2%).  Nothing is lost in the long run:
 * a block after missed slots sequences what they left (the capacity of
 * the whole gap).
 */
static const char *based_json =
	"{\"name\": \"based\", \"duration\": \"2h\", \"seed\": 29,"
	" \"l1\": {\"fork\": \"pectra\", \"missed_slot_probability\": %s},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"b\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"based\"},"
	"   \"settlement\": {\"state_root_gas\": 0}}"
	" ]}";

static void test_based_sequencer(void **state)
{
	(void)state;
	char json[1024];
	struct test_run r0, r5;
	snprintf(json, sizeof(json), based_json, "0");
	run_all(&r0, json, -1);
	snprintf(json, sizeof(json), based_json, "0.5");
	run_all(&r5, json, -1);
	double p0 = M(&r0, "b", "latency_sequenced_p50");
	/* Arrivals uniform over the 12 s slot before the L1 block that
	 * sequences them, plus 100 ms confirmation: U(0.1, 12.1) s, so
	 * p50 = 6.1 s and p99 = 0.1 + 0.99 x 12 = 11.98 s (closed form). */
	assert_rel(p0, 6.1, 1e-3, "p50: half a slot + confirm");
	assert_rel(M(&r0, "b", "latency_sequenced_p99"), 11.98, 1e-3, "p99");
	/* Missed 0.5: a block waits for k slots with probability 2^-k,
	 * its arrivals uniform over those k slots: the wait is uniform
	 * over (0, 12k) with weight k 2^-k / 2 (arrivals in proportion to
	 * the slots), so P(wait <= 12 s) = sum_k k 2^-k/2 x 1/k = 1/2 and
	 * the median is 12.1 s; P(<= 24 s) = 1/4 + 1/4 + 1/4 x ... */
	const struct lat_hist *h = seq_latency(sys_instance_sequencer(test_run_instance(&r5, "b")));
	assert_rel(lat_hist_quantile(h, 0.25), 6.1, 0.03, "p25, missed 0.5");
	assert_rel(lat_hist_quantile(h, 0.50), 12.1, 0.03, "p50, missed 0.5");
	assert_true(M(&r5, "b", "latency_sequenced_p50") >= p0);
	assert_true(M(&r5, "b", "latency_sequenced_p99") > 50);
	/* Same arrivals (the instance's stream does not depend on L1);
	 * the missed slots delay but do not lose: at the end at most the
	 * last few slots' arrivals wait. */
	double off = M(&r0, "b", "tx_offered");
	assert_near(M(&r5, "b", "tx_offered"), off, 0, "same arrivals");
	assert_near(M(&r0, "b", "tx_sequenced"), off, 0, "all sequenced");
	assert_in(off - M(&r5, "b", "tx_sequenced"), 0, 20 * 12 * 8,
		  "missed 0.5: only the last slots wait");
	assert_rel(M(&r5, "b", "tps_posted"), M(&r0, "b", "tps_posted"), 0.01,
		   "posted rate unchanged");
	assert_rel(M(&r5, "l1", "blocks"), 600 * 0.5, 0.1, "half the blocks");
	assert_accounting(&r0, "b");
	assert_accounting(&r5, "b");
	test_run_close(&r0);
	test_run_close(&r5);
}



/*
 * Limits mean what their docs say.  "small": mempool_limit 100 with 50 tps
 * offered and 100 tps capacity.  Each 12 s tick brings ~600 arrivals; the
 * limit applies to what waits after sequencing, so everything is
 * sequenced and nothing dropped (applied before sequencing it capped the
 * instance at 100 / 12 s = 8.3 tps).  "tight": capacity 5 tps, the same
 * limit: 60 sequenced a tick, the mempool keeps 100, the rest drop, and
 * every tick the limit bound is counted.
 *
 * max_pending_txs 1 counts the batcher's own data transactions: a
 * validium (no data transaction: DA submissions only) whose proofs never
 * get into L1 (fee cap 1 wei) still posts everything to its DA layer,
 * with a proof every batch or every 10.  (When proofs counted against
 * the batcher's limit, the first stuck proof stopped it: 0.16 and
 * 1.66 tps posted of 50.)
 */
static const char *limits_json =
	"{\"name\": \"limits\", \"duration\": \"2h\", \"seed\": 4,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"da_layers\": [{\"name\": \"cel\", \"type\": \"celestia\"}],"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"50tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"small\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"100tps\", \"mempool_limit\": 100}},"
	"  {\"name\": \"tight\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"5tps\", \"mempool_limit\": 100}},"
	"  {\"name\": \"v1\", \"type\": \"validium\", \"da\": \"cel\","
	"   \"batcher\": {\"max_pending_txs\": 1, \"max_delay\": \"12s\","
	"     \"max_fee\": \"1wei\", \"priority_fee\": \"1wei\"},"
	"   \"prover\": {\"batches_per_proof\": 1}},"
	"  {\"name\": \"v10\", \"type\": \"validium\", \"da\": \"cel\","
	"   \"batcher\": {\"max_pending_txs\": 1, \"max_delay\": \"12s\","
	"     \"max_fee\": \"1wei\", \"priority_fee\": \"1wei\"},"
	"   \"prover\": {\"batches_per_proof\": 10}}"
	" ]}";

static void test_limits_mean_their_docs(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r, limits_json, -1);
	double off = M(&r, "small", "tx_offered");
	assert_rel(off, 50.0 * 7200, 0.01, "offered");
	assert_near(M(&r, "small", "tx_dropped"), 0, 0, "small: no drops");
	assert_near(M(&r, "small", "tx_sequenced"), off, 0, "all sequenced");
	assert_near(M(&r, "small", "limit_mempool_ticks"), 0, 0, "not bound");
	/* tight: 5 x 12 = 60 a tick; the mempool ends at the limit. */
	assert_near(M(&r, "tight", "tx_sequenced"), 5.0 * 7200, 0, "tight seq");
	double toff = M(&r, "tight", "tx_offered");
	assert_near(M(&r, "tight", "tx_dropped"), toff - 36000 - 100, 0,
		    "tight dropped (exact)");
	assert_near(M(&r, "tight", "limit_mempool_ticks"), 600, 0,
		    "bound every tick");
	assert_int_equal(mempool(test_run_instance(&r, "tight")), 100);
	/* Validium throughput does not depend on batches_per_proof. */
	for (int i = 0; i < 2; i++) {
		const char *v = i ? "v10" : "v1";
		/* All but the last ~tick and the DA confirmation. */
		assert_in(M(&r, v, "tx_posted"), M(&r, v, "tx_offered") - 1500,
			  M(&r, v, "tx_offered"), "validium posts everything");
		assert_near(M(&r, v, "limit_pending_ticks"), 0, 0, "not bound");
	}
	assert_near(M(&r, "v1", "batches"), M(&r, "v10", "batches"), 1,
		    "same batches");
	test_run_close(&r);
}


/* Settings that do nothing in their context are errors, located. */
static void expect_no_effect(const char *systems, const char *path,
			     const char *why)
{
	char json[2048];
	snprintf(json, sizeof(json),
		 "{\"name\": \"ne\", \"duration\": \"1h\","
		 " \"da_layers\": [{\"name\": \"cel\", \"type\": \"celestia\"}],"
		 " \"aggregators\": [{\"name\": \"upa\", \"type\": \"l1.5\"}],"
		 " \"shared_sequencers\": [{\"name\": \"ss\"}],"
		 " \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
		 " \"systems\": [%s]}", systems);
	struct l2s_error err;
	l2s_error_clear(&err);
	struct scenario *scn = NULL;
	if (scenario_load_text("ne.json", json, &scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct sim *sim = sim_create(1, 0);
	struct world *w = NULL;
	int rc = world_create(sim, scn, &w, &err);
	if (rc != L2S_EINPUT || strcmp(err.path, path) ||
	    !strstr(err.msg, "has no effect") || !strstr(err.msg, why))
		fail_msg("%s: got rc %d, %s: %s", path, rc, err.path, err.msg);
	assert_true(err.line > 0);
	world_destroy(w);
	sim_destroy(sim);
	scenario_destroy(scn);
}

static void test_no_effect_errors(void **state)
{
	(void)state;
	expect_no_effect("{\"name\": \"b\", \"type\": \"zk_rollup\","
			 " \"sequencer\": {\"type\": \"based\", \"gas_capacity\": 1000}}",
			 "systems[0].sequencer.gas_capacity", "L1 blocks");
	expect_no_effect("{\"name\": \"b\", \"type\": \"zk_rollup\","
			 " \"sequencer\": {\"type\": \"based\", \"block_time\": \"2s\"}}",
			 "systems[0].sequencer.block_time", "l1.slot_time");
	expect_no_effect("{\"name\": \"z\", \"type\": \"zk_rollup\","
			 " \"settlement\": {\"state_root_interval\": \"1h\"}}",
			 "systems[0].settlement.state_root_interval",
			 "proofs carry");
	expect_no_effect("{\"name\": \"o\", \"type\": \"optimistic_rollup\","
			 " \"settlement\": {\"state_root_gas\": 0,"
			 "   \"state_root_interval\": \"1h\"}}",
			 "systems[0].settlement.state_root_interval",
			 "state_root_gas is 0");
	expect_no_effect("{\"name\": \"z\", \"type\": \"zk_rollup\","
			 " \"batcher\": {\"commitment_size\": 32}}",
			 "systems[0].batcher.commitment_size", "posts commitments");
	expect_no_effect("{\"name\": \"v\", \"type\": \"validium\", \"da\": \"cel\","
			 " \"aggregator\": \"upa\","
			 " \"batcher\": {\"commitment_size\": 32}}",
			 "systems[0].batcher.commitment_size", "aggregator");
	expect_no_effect("{\"name\": \"z\", \"type\": \"zk_rollup\","
			 " \"aggregator\": \"upa\","
			 " \"prover\": {\"verify_gas\": 300000}}",
			 "systems[0].prover.verify_gas", "aggregator verifies");
	expect_no_effect("{\"name\": \"z\", \"type\": \"zk_rollup\","
			 " \"aggregator\": \"upa\","
			 " \"prover\": {\"proof_system\": \"groth16\"}}",
			 "systems[0].prover.proof_system", "aggregator verifies");
	expect_no_effect("{\"name\": \"m\", \"type\": \"zk_rollup\","
			 " \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\","
			 "   \"capacity\": \"100tps\"}}",
			 "systems[0].sequencer.capacity", "shared sequencer");
	expect_no_effect("{\"name\": \"m\", \"type\": \"zk_rollup\","
			 " \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\","
			 "   \"mempool_limit\": 10}}",
			 "systems[0].sequencer.mempool_limit", "shared sequencer");
	expect_no_effect("{\"name\": \"s\", \"type\": \"sdr\","
			 " \"batcher\": {\"compression\": \"zstd\"}}",
			 "systems[0].batcher.compression", "state diffs");
	expect_no_effect("{\"name\": \"s\", \"type\": \"sdr\","
			 " \"batcher\": {\"encoding\": \"compact\"}}",
			 "systems[0].batcher.encoding", "state diffs");
	expect_no_effect("{\"name\": \"v\", \"type\": \"validium\", \"da\": \"cel\","
			 " \"batcher\": {\"batch_gas\": 1000}}",
			 "systems[0].batcher.batch_gas", "no data transaction");
	expect_no_effect("{\"name\": \"z\", \"type\": \"zk_rollup\","
			 " \"batcher\": {\"da_fallback\": true}}",
			 "systems[0].batcher.da_fallback", "on L1 already");
}


/*
 * fee_spike: background L1 demand x3.  Gas demand is elastic (e = 1,
 * reference 1 gwei, mean at the target): q0 x 3 x (1 gwei / p) = target
 * settles at p = 3 gwei, m^(1/e) times the 1 gwei of a calm chain.  The
 * spike covers the whole run; the first hour (the climb, >= 9 blocks at
 * +12.5%) is warm-up.
 */
static void test_fee_spike(void **state)
{
	(void)state;
	struct test_run calm, spike;
	static const char *fmt =
		"{\"name\": \"fs\", \"duration\": \"3h\", \"warmup\": \"1h\","
		" \"seed\": 2, \"l1\": {\"fork\": \"pectra\"},"
		" \"workloads\": [{\"name\": \"w\", \"rate\": \"1tps\"}],"
		" \"systems\": [{\"name\": \"o\", \"type\": \"optimistic_rollup\"}]"
		"%s}";
	char json[1024];
	snprintf(json, sizeof(json), fmt, "");
	run_all(&calm, json, -1);
	snprintf(json, sizeof(json), fmt,
		 ", \"faults\": [{\"type\": \"fee_spike\", \"target\": \"l1\","
		 " \"start\": 0, \"duration\": \"3h\", \"multiplier\": 3}]");
	run_all(&spike, json, -1);
	assert_rel(M(&calm, "l1", "base_fee_gwei_mean"), 1, 0.03, "calm");
	assert_rel(M(&spike, "l1", "base_fee_gwei_mean"), 3, 0.03, "x3");
	/* Counted over the measured window (after warm-up): 2 h. */
	assert_near(M(&spike, "l1", "fee_spike_seconds"), 7200, 0, "counted");
	test_run_close(&calm);
	test_run_close(&spike);
}


/* Presets: the type and values of a real system, any key overridable;
 * an unknown name is a located error with the closest name. */
static void test_presets(void **state)
{
	(void)state;
	struct test_run r;
	test_run_open(&r,
		 "{\"name\": \"p\", \"duration\": \"1h\","
		 " \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
		 " \"systems\": ["
		 "  {\"name\": \"op\", \"preset\": \"op-mainnet\","
		 "   \"batcher\": {\"max_delay\": \"1h\"}},"
		 "  {\"name\": \"arb\", \"preset\": \"arbitrum-one\"},"
		 "  {\"name\": \"zk\", \"preset\": \"zksync-era\"},"
		 "  {\"name\": \"tk\", \"preset\": \"taiko\"}]}", -1);
	const struct system_def *op = sys_instance_def(test_run_instance(&r, "op"));
	assert_int_equal(op->type, SYS_OPTIMISTIC);
	assert_int_equal(op->batcher.blob_payload, 130044);
	assert_int_equal(op->batcher.blobs_per_tx, 6);
	assert_int_equal(op->batcher.max_pending_txs, 1);
	assert_int_equal(op->batcher.max_delay, SIM_HOUR);   /* overridden */
	assert_int_equal(op->seq.block_time, 2 * SIM_S);
	assert_int_equal(op->settle.challenge_window, 7 * SIM_DAY);
	const struct system_def *arb = sys_instance_def(test_run_instance(&r, "arb"));
	assert_int_equal(arb->batcher.blob_payload, 130048);
	assert_int_equal(arb->batcher.max_delay, SIM_HOUR);
	assert_int_equal(arb->seq.block_time, 250 * SIM_MS);
	assert_int_equal(arb->seq.gas_capacity, 7000000);
	assert_int_equal(arb->settle.challenge_window, 549816 * SIM_S);
	const struct system_def *zk = sys_instance_def(test_run_instance(&r, "zk"));
	assert_int_equal(zk->type, SYS_SDR);
	assert_int_equal(zk->batcher.blob_payload, 126976);
	assert_int_equal(zk->batcher.max_batch_bytes, 131072);
	assert_int_equal(zk->batcher.batch_gas, 61000);
	const struct system_def *tk = sys_instance_def(test_run_instance(&r, "tk"));
	assert_int_equal(tk->type, SYS_ZK);
	assert_int_equal(tk->seq.type, SEQ_BASED);
	test_run_close(&r);

	/* Unknown preset; an override that has no effect in the preset's
	 * context is still an error. */
	static const struct {
		const char *entry, *path, *msg, *hint;
	} bad[] = {
		{"{\"name\": \"x\", \"preset\": \"op-mainet\"}",
		 "systems[0].preset", "no preset named 'op-mainet'",
		 "did you mean 'op-mainnet'?"},
		{"{\"name\": \"x\", \"preset\": \"taiko\","
		 " \"sequencer\": {\"block_time\": \"2s\"}}",
		 "systems[0].sequencer.block_time", "has no effect", ""},
		{"{\"name\": \"x\", \"preset\": \"zksync-era\","
		 " \"batcher\": {\"compression\": \"zstd\"}}",
		 "systems[0].batcher.compression", "has no effect", ""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[1024];
		snprintf(json, sizeof(json),
			 "{\"name\": \"p\", \"duration\": \"1h\","
			 " \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
			 " \"systems\": [%s]}", bad[i].entry);
		struct l2s_error err;
		l2s_error_clear(&err);
		struct scenario *scn = NULL;
		assert_int_equal(scenario_load_text("p.json", json, &scn, &err), 0);
		struct sim *sim = sim_create(1, 0);
		struct world *w = NULL;
		int rc = world_create(sim, scn, &w, &err);
		if (rc != L2S_EINPUT || strcmp(err.path, bad[i].path) ||
		    !strstr(err.msg, bad[i].msg) || !strstr(err.hint, bad[i].hint))
			fail_msg("%s: rc %d %s: %s (%s)", bad[i].path, rc,
				 err.path, err.msg, err.hint);
		assert_true(err.line > 0);
		world_destroy(w);
		sim_destroy(sim);
		scenario_destroy(scn);
	}
}

/*
 * Soft confirmation of an own sequencer with 2 s blocks and 100 ms
 * confirmation, capacity to spare: every cohort is sequenced in the tick
 * it arrived and waits U(0, 2 s) for its block, so the latency is
 * U(0.1, 2.1) s: p50 = 1.1 s, p99 = 0.1 + 0.99 x 2 = 2.08 s exactly.
 * (Four point masses at 0.35/0.85/1.35/1.85 s read 0.891 and 1.88 s.)
 */
static void test_soft_confirm_closed_form(void **state)
{
	(void)state;
	struct test_run r;
	run_all(&r,
		"{\"name\": \"sc\", \"duration\": \"1h\", \"seed\": 1,"
		" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
		" \"systems\": [{\"name\": \"op\", \"type\": \"optimistic_rollup\","
		"   \"sequencer\": {\"block_time\": \"2s\","
		"     \"confirm_latency\": \"100ms\"}}]}", -1);
	assert_rel(M(&r, "op", "latency_sequenced_p50"), 1.1, 2e-3, "p50");
	assert_rel(M(&r, "op", "latency_sequenced_p99"), 2.08, 2e-3, "p99");
	test_run_close(&r);

	/* The histogram alone: 1,000 spread over [0.1, 2.1), then 1,000
	 * over [10, 20) (a queued cohort): p25 = 1.1, p75 = 15, p99.5 =
	 * 19.9, p100 = 20 (the largest latency bounds the top bin). */
	struct lat_hist h;
	assert_int_equal(lat_hist_init(&h), 0);
	lat_hist_add_uniform(&h, 0.1, 2.1, 1000);
	assert_rel(lat_hist_quantile(&h, 0.5), 1.1, 1e-3, "U p50");
	assert_rel(lat_hist_quantile(&h, 0.99), 2.08, 1e-3, "U p99");
	assert_rel(lat_hist_quantile(&h, 0.0), 0.1, 1e-9, "U p0");
	lat_hist_add_uniform(&h, 10, 20, 1000);
	assert_rel(lat_hist_quantile(&h, 0.25), 1.1, 1e-3, "p25");
	assert_rel(lat_hist_quantile(&h, 0.75), 15, 1e-3, "p75");
	assert_rel(lat_hist_quantile(&h, 0.995), 19.9, 1e-3, "p99.5");
	assert_rel(lat_hist_quantile(&h, 1.0), 20, 1e-9, "p100");
	assert_near(h.weight, 2000, 1e-6, "weight");
	lat_hist_release(&h);
}

/* The same scenario and seed give identical metrics; another seed not. */
static void test_determinism(void **state)
{
	(void)state;
	struct test_run a, b, c;
	run_all(&a, calldata_json, -1);
	run_all(&b, calldata_json, -1);
	run_all(&c, calldata_json, 1234);
	assert_int_equal(a.res->n_metrics, b.res->n_metrics);
	int differ = 0;
	for (size_t i = 0; i < a.res->n_metrics; i++) {
		const struct res_metric *m = &a.res->metrics[i];
		double vb = res_metric_get(b.res, m->component, m->name);
		if (memcmp(&m->value, &vb, sizeof(vb)))
			fail_msg("%s/%s: %.17g vs %.17g", m->component, m->name,
				 m->value, vb);
		double vc = res_metric_get(c.res, m->component, m->name);
		if (!(vc == m->value) && !(isnan(vc) && isnan(m->value)))
			differ++;
	}
	assert_true(differ > 10);
	assert_true(M(&a, "cd", "tx_offered") != M(&c, "cd", "tx_offered"));
	test_run_close(&a);
	test_run_close(&b);
	test_run_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_largest_remainder),
		cmocka_unit_test(test_split_large_counts),
		cmocka_unit_test(test_queue_fifo),
		cmocka_unit_test(test_queue_ring),
		cmocka_unit_test(test_take_across),
		cmocka_unit_test(test_lathist_quantiles),
		cmocka_unit_test(test_lathist_edges),
		cmocka_unit_test(test_lathist_weights),
		cmocka_unit_test(test_lathist_lazy_and_deferred),
		cmocka_unit_test(test_sequencer_capacity),
		cmocka_unit_test(test_sequencer_outage),
		cmocka_unit_test(test_batcher_delay),
		cmocka_unit_test(test_batcher_blobs),
		cmocka_unit_test(test_fee_cap_stall),
		cmocka_unit_test(test_optimistic_finality),
		cmocka_unit_test(test_zk_finality),
		cmocka_unit_test(test_dac_down),
		cmocka_unit_test(test_shared_sequencer),
		cmocka_unit_test(test_based_sequencer),
		cmocka_unit_test(test_soft_confirm_closed_form),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_fee_spike),
		cmocka_unit_test(test_no_effect_errors),
		cmocka_unit_test(test_limits_mean_their_docs),
		cmocka_unit_test(test_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
