/*
 * Liveness (models/system's failure accounting and the mechanisms of
 * models/mechanisms that bound it), with hand-checked numbers.
 *
 * Small scenarios built in memory and run through the world; each is
 * checked against figures derived in the comment above it.  Ticks are
 * 12 s (one slot); a cohort's arrival time is the middle of its tick.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/l1.h"
#include "l2sim/system.h"
#include "l2sim/txkind.h"
#include "l2sim/world.h"
#include "support/testutil.h"
#include "support/world_run.h"

static double M(const struct test_run *r, const char *comp, const char *name)
{
	return test_run_metric(r, comp, name);
}

/* The n-th failure row of (comp, cause), from 0; fails if absent. */
static const struct res_failure *row(const struct test_run *r, const char *comp,
				     const char *cause, int n)
{
	for (size_t i = 0; i < r->res->n_failures; i++) {
		const struct res_failure *f = &r->res->failures[i];
		if (!strcmp(f->component, comp) && !strcmp(f->cause, cause) &&
		    n-- == 0)
			return f;
	}
	fail_msg("no failure row %s/%s", comp, cause);
	return NULL;
}

static int rows(const struct test_run *r, const char *comp, const char *cause)
{
	int n = 0;
	for (size_t i = 0; i < r->res->n_failures; i++)
		if (!strcmp(r->res->failures[i].component, comp) &&
		    (!cause || !strcmp(r->res->failures[i].cause, cause)))
			n++;
	return n;
}

/*
 * What every run must satisfy: each cause's seconds are the sum of its
 * rows; the union is at least the longest cause and never more than the
 * measured run nor the sum of the causes; liveness_failures counts rows.
 */
static void check_union(const struct test_run *r, const char *comp, double run_s)
{
	static const char *const causes[] = {"sequencing", "posting",
					     "finality", "dropped", "halted"};
	double uni = M(r, comp, "liveness_failure_seconds"), sum = 0, max = 0;
	for (int c = 0; c < 5; c++) {
		char name[64];
		snprintf(name, sizeof(name), "liveness_failure_seconds_%s",
			 causes[c]);
		double s = M(r, comp, name), rs = 0;
		for (size_t i = 0; i < r->res->n_failures; i++) {
			const struct res_failure *f = &r->res->failures[i];
			if (strcmp(f->component, comp) ||
			    strcmp(f->cause, causes[c]))
				continue;
			assert_true(f->t_end_s > f->t_start_s);
			assert_true(f->t_start_s >= 0 && f->t_end_s <= run_s);
			rs += f->t_end_s - f->t_start_s;
		}
		assert_near(s, rs, 1e-6);
		sum += s;
		if (s > max)
			max = s;
	}
	assert_true(uni >= max - 1e-6);
	assert_true(uni <= sum + 1e-6);
	assert_true(uni <= run_s);
	assert_near(M(r, comp, "liveness_failures"), rows(r, comp, NULL), 0);
}

/*
 * A full mempool.  20 tps (Poisson) against a sequencer of 10 tx/s with
 * room for 2,000: each tick brings ~240 and takes 120, so after tick k the
 * mempool holds ~120 k.  Tick 16 (192 s) finds room for 2000 - 1800 =
 * 200 < 240 (+-1 tick: the mempool's Poisson noise after 15 ticks is
 * +-60): arrivals drop from then on, every tick (a Poisson(240) tick
 * below 120 never happens) -> one dropped interval [192 s, 2 h].
 * Sequencing: after tick k the first k/2 cohorts are served; at tick 11
 * (132 s) the front is cohort 6 (arrived 66 s), 66 s old > 60 s: one
 * sequencing interval [132 s, 2 h].  Dropped: offered - sequenced - the
 * 2,000 left = 20 x 7200 - 10 x 7200 - 2000 = 70,000 (sd ~380).
 */
static const char *drop_json =
	"{\"name\": \"drop\", \"duration\": \"2h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": [{\"name\": \"d\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"capacity\": \"10tps\", \"mempool_limit\": 2000}}]}";

static void test_dropped(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, drop_json);
	assert_int_equal(rows(&r, "d", "dropped"), 1);
	const struct res_failure *f = row(&r, "d", "dropped", 0);
	assert_near(f->t_start_s, 192, 12);
	assert_near(f->t_end_s, 7200, 0);
	assert_near(f->txs, M(&r, "d", "tx_dropped"), 0);
	assert_near(M(&r, "d", "tx_dropped"), 70000, 1500);
	assert_int_equal(rows(&r, "d", "sequencing"), 1);
	assert_near(row(&r, "d", "sequencing", 0)->t_start_s, 132, 12);
	assert_near(M(&r, "d", "liveness_failure_seconds_dropped"), 7008, 12);
	assert_near(M(&r, "d", "liveness_failure_seconds_sequencing"), 7068, 12);
	assert_near(M(&r, "d", "liveness_failure_seconds"),
		    M(&r, "d", "liveness_failure_seconds_sequencing"), 0);
	assert_near(M(&r, "d", "liveness_failures"), 2, 0);
	check_union(&r, "d", 7200);
	test_run_close(&r);
}

/*
 * A prover at half the needed throughput: 20 tps offered, 10 tx/s proven.
 * A batch posted at tau is proven at ~2 tau and final an L1 finality
 * delay d later: Casper FFG, 64 to 95 slots (768 to 1,140 s) after the
 * proof's inclusion, by its slot in the epoch.  The oldest batch not final
 * at time t was posted at tau with 2 tau + d ~ t, so it is (t + d) / 2 old;
 * the 1 h promise breaks when (t + d) / 2 > 3600, at t ~ 7200 - d, between
 * 6,060 and 6,432 s, and the lag only grows from then: finality fails for
 * the remaining 4 h - t, between 7,968 and 8,340 s.
 */
static const char *prover_json =
	"{\"name\": \"prover\", \"duration\": \"4h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": [{\"name\": \"zk\", \"type\": \"zk_rollup\","
	"   \"prover\": {\"throughput\": \"10tps\"},"
	"   \"liveness\": {\"finalize_within\": \"1h\"}},"
	"  {\"name\": \"ok\", \"type\": \"zk_rollup\","
	"   \"prover\": {\"throughput\": \"40tps\"},"
	"   \"liveness\": {\"finalize_within\": \"1h\"}}]}";

static void test_finality_half_prover(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, prover_json);
	assert_true(rows(&r, "zk", "finality") >= 1);
	double t0 = row(&r, "zk", "finality", 0)->t_start_s;
	assert_true(t0 >= 6060 - 60 && t0 <= 6432 + 60);
	assert_near(M(&r, "zk", "liveness_failure_seconds_finality"),
		    14400 - t0, 300);
	/* Nothing else broke. */
	assert_near(M(&r, "zk", "liveness_failure_seconds"),
		    M(&r, "zk", "liveness_failure_seconds_finality"), 0);
	/* A prover with room to spare keeps the promise. */
	assert_near(M(&r, "ok", "liveness_failure_seconds"), 0, 0);
	check_union(&r, "zk", 14400);
	test_run_close(&r);
}

/*
 * Backpressure.  5 tps, batches cut every max_delay (1 min after the
 * front cohort was sequenced: cuts at 72 k s), the batch poster down from
 * 3630 s for 1 h.  The last cut is at 3600 s; the front is then the
 * cohort sequenced at 3612 s.
 *  - posting (20 min promise): broken when now - 3612 > 1200, at the
 *    tick 4824 s;
 *  - halted (halt above 6,000 unposted): 5 tps x (t - 3612) > 6000 at
 *    t ~ 4812 (Poisson noise: sd ~15 s): the sequencer halts; arrivals
 *    wait in the mempool.  The poster is back at 7230 s: posting drains
 *    the backlog and the sequencer resumes (and may halt again briefly
 *    while its mempool passes through): halted ~2,430 s in all.
 * Little's law: backlog_mean = tps x latency_posted_mean (within a few
 * per cent: the backlog is sampled at ticks).
 */
static const char *bp_json =
	"{\"name\": \"bp\", \"duration\": \"3h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
	" \"systems\": [{\"name\": \"bp\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\"},"
	"   \"sequencer\": {\"halt_backlog\": 6000},"
	"   \"liveness\": {\"post_within\": \"20m\"}}],"
	" \"faults\": [{\"type\": \"batch_poster_outage\", \"target\": \"bp\","
	"   \"start\": \"3630s\", \"duration\": \"1h\"}]}";

static void test_backpressure(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, bp_json);
	const struct res_failure *p = row(&r, "bp", "posting", 0);
	assert_near(p->t_start_s, 4824, 0);
	assert_true(p->t_end_s >= 7230 && p->t_end_s <= 7230 + 600);
	const struct res_failure *h = row(&r, "bp", "halted", 0);
	/* 6,000 arrivals at 5 tps: sd ~77, i.e. ~15 s; +-3 sd in ticks. */
	assert_near(h->t_start_s, 4812, 48);
	assert_near(M(&r, "bp", "liveness_failure_seconds_halted"), 2430,
		    240);
	assert_true(M(&r, "bp", "backpressure_halts") >= 1);
	/* Everything is posted by the end. */
	assert_near(M(&r, "bp", "tx_pending_end"), 0, 400);
	assert_near(M(&r, "bp", "tx_dropped"), 0, 0);
	double little = M(&r, "bp", "tps_offered") *
			M(&r, "bp", "latency_posted_mean");
	assert_near(M(&r, "bp", "backlog_mean"), little, 0.08 * little);
	check_union(&r, "bp", 10800);
	test_run_close(&r);
}

/*
 * Backpressure that slows.  20 tps; the poster is down from 3630 s for
 * 1 h (last cut at 3600 s, so the unposted backlog counts from the cohort
 * sequenced at 3612 s).  Above 12,000 unposted -- 600 s of arrivals, at
 * ~4212 s -- the sequencer runs at 10 tx/s: its mempool grows by 10 tx/s
 * and after ~120 s (mempool 1,200, front arrived ~60 s before) the oldest
 * waits beyond the 1 min promise: sequencing fails from ~4330 s.  It
 * never halts.  The poster is back at 7230 s with ~42,000 unposted; it
 * posts at most one 6-blob batch (~7,000 transactions) per slot, fewer
 * while background blobs take their share of the 9, so the backlog is at
 * 12,000 again 1-5 min later: slowed 3078-3318 s.  Then the sequencer
 * runs at full speed and clears its mempool in a tick or two.
 */
static const char *slow_json =
	"{\"name\": \"slow\", \"duration\": \"3h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": [{\"name\": \"s\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\"},"
	"   \"sequencer\": {\"slow_backlog\": 12000, \"slow_rate\": \"10tps\"},"
	"   \"liveness\": {\"post_within\": \"3h\"}}],"
	" \"faults\": [{\"type\": \"batch_poster_outage\", \"target\": \"s\","
	"   \"start\": \"3630s\", \"duration\": \"1h\"}]}";

static void test_backpressure_slows(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, slow_json);
	assert_near(M(&r, "s", "backpressure_slow_seconds"), 3198, 120);
	assert_near(M(&r, "s", "backpressure_halts"), 0, 0);
	assert_near(M(&r, "s", "liveness_failure_seconds_halted"), 0, 0);
	assert_int_equal(rows(&r, "s", "sequencing"), 1);
	assert_near(row(&r, "s", "sequencing", 0)->t_start_s, 4332, 36);
	assert_near(M(&r, "s", "tx_pending_end"), 0, 1500);
	check_union(&r, "s", 10800);
	test_run_close(&r);
}

/*
 * Forced inclusion through L1.  Sequencer down from 1 h for 2 h, forcing
 * after 30 min at 5 tx/s: 5 x 12 = 60 forced per tick for the 450 ticks
 * of [1.5 h, 3 h) -> 27,000 forced transactions, all transfers.  Each is
 * an L1 transaction of 21,000 + 16 x size calldata (Pectra: standard
 * pricing wins over the EIP-7623 floor of 10 x 4 x size for a signed
 * transaction with 45,000 gas of execution) + 45,000 gas, all included
 * before the end (4 h).  A based system under the same outage forces
 * its transactions the same way, at L1 blocks instead of ticks.
 */
static const char *fi_json =
	"{\"name\": \"fi\", \"duration\": \"4h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\","
	"   \"mix\": {\"transfer\": 1}}],"
	" \"systems\": [{\"name\": \"fi\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"forced_inclusion_delay\": \"30m\","
	"     \"forced_inclusion_rate\": \"5tps\"}},"
	"  {\"name\": \"none\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"forced_inclusion\": false}},"
	"  {\"name\": \"based\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"based\","
	"     \"forced_inclusion_delay\": \"30m\","
	"     \"forced_inclusion_rate\": \"5tps\"}}],"
	" \"faults\": [{\"type\": \"sequencer_outage\", \"target\": \"fi\","
	"   \"start\": \"1h\", \"duration\": \"2h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"none\","
	"   \"start\": \"1h\", \"duration\": \"2h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"based\","
	"   \"start\": \"1h\", \"duration\": \"2h\"}]}";

static void test_forced_inclusion_l1(void **state)
{
	(void)state;
	struct tx_kind_params k[TX_KINDS];
	txkind_defaults(k);
	double per_tx = 21000 + 16.0 * (double)k[TX_TRANSFER].size + 45000;
	struct test_run r;
	test_run_all(&r, fi_json);
	assert_near(M(&r, "fi", "tx_forced"), 27000, 0);
	assert_near(M(&r, "fi", "forced_l1_gas"), 27000 * per_tx, 0);
	assert_true(M(&r, "fi", "forced_l1_fee_eth") > 0);
	/* Users paid, not the operator. */
	assert_true(M(&r, "fi", "l1_gas_per_tx") <
		    0.01 * M(&r, "fi", "forced_l1_gas"));
	/* A based system forces through L1 too, block by block: the same
	 * 5 tx/s over the same 1.5 h (missed slots carry their share to the
	 * next block). */
	assert_near(M(&r, "based", "tx_forced"), 27000, 60);
	assert_near(M(&r, "based", "forced_l1_gas"),
		    M(&r, "based", "tx_forced") * per_tx, 0);
	/* Switched off: no mechanism, no metric. */
	assert_true(isnan(res_metric_get(r.res, "none", "tx_forced")));
	/* Forcing drains part of the backlog: the same outage leaves the
	 * forcing system with 27,000 fewer transactions to catch up. */
	assert_true(M(&r, "fi", "latency_sequenced_mean") <
		    M(&r, "none", "latency_sequenced_mean"));
	check_union(&r, "fi", 14400);
	test_run_close(&r);
}

/*
 * Recovery designs against one 1 h sequencer outage starting at 3606 s
 * (mid-tick), 20 tps, sequencers of 10,000 tx/s (any backlog here clears
 * in one tick).  Sequencing breaks once the oldest waits > 60 s: at
 * the tick 3672 s (front arrived at 3606 s on average... the cohort of
 * (3600, 3612] is half promised, half not; its mean is 3606 s).  It is
 * kept again at the first tick the replacement sequences everything:
 *  - hot standby, 5 min: tick 3912 s (3606 + 300 = 3906) -> 240 s;
 *  - takeover, 20 min: tick 4812 s -> 1140 s;
 *  - self-sequencing, 40 min: tick 6012 s -> 2340 s;
 *  - none (7 d takeover, no forcing): the outage's end, tick 7212 s ->
 *    3540 s.
 * The bound each system states is its shortest delay.
 */
static const char *designs_json =
	"{\"name\": \"designs\", \"duration\": \"3h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"hs\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"standby_failover\": \"5m\","
	"     \"capacity\": \"10000tps\"}},"
	"  {\"name\": \"to\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"takeover_delay\": \"20m\","
	"     \"capacity\": \"10000tps\"}},"
	"  {\"name\": \"ss\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"self_sequence_delay\": \"40m\","
	"     \"capacity\": \"10000tps\"}},"
	"  {\"name\": \"none\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"forced_inclusion\": false,"
	"     \"capacity\": \"10000tps\"}}],"
	" \"faults\": ["
	"  {\"type\": \"sequencer_outage\", \"target\": \"hs\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"to\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"ss\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"none\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"}]}";

static void test_recovery_designs(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, designs_json);
	static const char *const names[] = {"hs", "to", "ss", "none"};
	static const double want[] = {240, 1140, 2340, 3540};
	for (int i = 0; i < 4; i++) {
		assert_near(M(&r, names[i], "liveness_failure_seconds"), want[i],
			    0);
		assert_near(row(&r, names[i], "sequencing", 0)->t_start_s,
			    3672, 0);
		check_union(&r, names[i], 10800);
	}
	assert_true(M(&r, "hs", "standby_txs") > 0);
	assert_true(M(&r, "ss", "self_sequenced_txs") > 0);
	/* Bounds in the trust profile: the shortest delay of each system's
	 * mechanisms (hot standby, takeover, self-sequencing; forcing off). */
	sim_time_t b[4];
	for (int i = 0; i < 4; i++) {
		struct sys_trust t;
		sys_trust_profile(sys_instance_def(world_instance(r.w,
								   names[i])),
				  12 * SIM_S, &t);
		b[i] = t.liveness_bound;
	}
	assert_int_equal(b[0], 5 * SIM_MIN);
	assert_int_equal(b[1], 20 * SIM_MIN);
	assert_int_equal(b[2], 40 * SIM_MIN);
	assert_int_equal(b[3], 7 * SIM_DAY);
	test_run_close(&r);
}

/*
 * The operator's bond against the hot-standby outage above (one
 * sequencing failure of 240 s): slashed 0.5 + 1 x 240 / 3600 =
 * 0.566667 ETH; a bond of 0.3 ETH loses all of it.
 * Pre-confirmations (30 s): arrivals of ticks while the sequencer is up
 * are promised; of the tick (3600, 3612] in which it went down, the half
 * before 3606 s (~120 of ~240), and those wait beyond 30 s: broken.  At
 * 0.001 ETH each they add ~0.12 ETH -- only on a system whose
 * non-inclusion can be proven (data on L1); a validium on a DA layer
 * without signatures breaks as many promises but is not slashed for them.
 */
static const char *bond_json =
	"{\"name\": \"bond\", \"duration\": \"3h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"da_layers\": [{\"name\": \"cel\", \"type\": \"celestia\"}],"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"a\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"standby_failover\": \"5m\"},"
	"   \"operator\": {\"stake_eth\": 10, \"slash_eth_per_hour\": 1,"
	"     \"slash_eth_per_failure\": 0.5}},"
	"  {\"name\": \"small\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"standby_failover\": \"5m\"},"
	"   \"operator\": {\"stake_eth\": 0.3, \"slash_eth_per_hour\": 1,"
	"     \"slash_eth_per_failure\": 0.5}},"
	"  {\"name\": \"pc\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"standby_failover\": \"5m\"},"
	"   \"operator\": {\"stake_eth\": 10, \"preconf_within\": \"30s\","
	"     \"preconf_slash_eth\": 0.001}},"
	"  {\"name\": \"val\", \"type\": \"validium\", \"da\": \"cel\","
	"   \"sequencer\": {\"standby_failover\": \"5m\"},"
	"   \"operator\": {\"stake_eth\": 10, \"preconf_within\": \"30s\","
	"     \"preconf_slash_eth\": 0.001}}],"
	" \"faults\": ["
	"  {\"type\": \"sequencer_outage\", \"target\": \"a\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"small\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"pc\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"},"
	"  {\"type\": \"sequencer_outage\", \"target\": \"val\","
	"   \"start\": \"3606s\", \"duration\": \"1h\"}]}";

static void test_bond_and_preconfs(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, bond_json);
	assert_near(M(&r, "a", "slashed_eth"), 0.5 + 240.0 / 3600, 1e-9);
	assert_near(M(&r, "small", "slashed_eth"), 0.3, 1e-12);
	double broken = M(&r, "pc", "preconf_broken");
	assert_near(broken, 120, 40);
	assert_near(M(&r, "pc", "slashed_eth"), broken * 0.001, 1e-9);
	/* Every arrival while up was promised: all but ~3,660 s x 20 of
	 * the outage's minus the half tick. */
	assert_near(M(&r, "pc", "preconf_promised"),
		    M(&r, "pc", "tx_offered") - 20.0 * (3912 - 3606), 400);
	assert_near(M(&r, "val", "preconf_broken"), broken, 60);
	assert_near(M(&r, "val", "slashed_eth"), 0, 0);
	test_run_close(&r);
}

/*
 * L2 reorgs.  Batches are cut every 72 s (max_delay 1 min after the front
 * was sequenced) and included in the next slot: the batch cut at 7128 s
 * is in the block of 7140 s, which an L1 reorg of depth 1 at 7145 s
 * takes out.  A sequencer that re-orders reverts the
 * soft confirmations of the reorged batch(es) and everything sequenced
 * and unposted; one that re-posts reverts nothing.  Accounting is
 * unaffected: every transaction is still posted once.
 */
static const char *reorg_json =
	"{\"name\": \"reorg\", \"duration\": \"3h\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"re\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\"},"
	"   \"operator\": {\"reorder_on_l1_reorg\": true,"
	"     \"preconf_within\": \"30s\"}},"
	"  {\"name\": \"keep\", \"type\": \"optimistic_rollup\","
	"   \"batcher\": {\"max_delay\": \"1m\"}}],"
	" \"faults\": [{\"type\": \"l1_reorg\", \"target\": \"l1\","
	"   \"at\": \"7145s\", \"depth\": 1}]}";

static void test_l2_reorg(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, reorg_json);
	double rev = M(&r, "re", "soft_reverted_txs");
	/* The batch cut at 7128 s (72 s of arrivals, ~1,440) plus what was
	 * sequenced since and unposted at 7145 s (the ticks 7140: ~240). */
	assert_near(rev, 1680, 150);
	assert_near(M(&r, "re", "l2_reorgs"), 1, 0);
	assert_near(M(&r, "re", "preconf_broken"), rev, 0);
	assert_true(isnan(res_metric_get(r.res, "keep", "soft_reverted_txs")));
	assert_near(M(&r, "re", "tx_offered"),
		    M(&r, "re", "tx_posted") + M(&r, "re", "tx_pending_end"),
		    0);
	test_run_close(&r);
}

/* Settings that would have no effect, or no meaning, are bad input. */
static void test_bad_settings(void **state)
{
	(void)state;
	const char *head =
		"{\"workloads\": [{\"name\": \"w\", \"rate\": \"1tps\"}],"
		" \"systems\": [{\"name\": \"s\", \"type\": \"zk_rollup\", ";
	char buf[512];
	static const char *const cases[][2] = {
		{"\"sequencer\": {\"forced_inclusion\": false,"
		 " \"forced_inclusion_rate\": \"5tps\"}",
		 "no effect"},
		{"\"sequencer\": {\"resume_backlog\": 10}", "halt_backlog"},
		{"\"sequencer\": {\"halt_backlog\": 10, \"resume_backlog\": 10}",
		 "below"},
		{"\"sequencer\": {\"slow_backlog\": 10}", "together"},
		{"\"sequencer\": {\"halt_backlog\": 10, \"slow_backlog\": 10,"
		 " \"slow_rate\": \"1tps\"}", "below"},
		{"\"sequencer\": {\"self_sequence_rate\": \"5tps\"}",
		 "self_sequence_delay"},
		{"\"operator\": {\"slash_eth_per_hour\": 1}", "bond"},
		{"\"operator\": {\"stake_eth\": 5}", "nothing slashes"},
		{"\"operator\": {\"stake_eth\": 5, \"preconf_slash_eth\": 1}",
		 "preconf_within"},
		{"\"operator\": {\"stake\": 5}", "unknown key"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s}]}", head, cases[i][0]);
		test_world_refuses(buf, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_finality_half_prover),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_backpressure_slows),
		cmocka_unit_test(test_forced_inclusion_l1),
		cmocka_unit_test(test_recovery_designs),
		cmocka_unit_test(test_bond_and_preconfs),
		cmocka_unit_test(test_l2_reorg),
		cmocka_unit_test(test_bad_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
