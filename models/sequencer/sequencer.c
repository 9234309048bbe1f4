/*
 * Sequencers (include/l2sim/sequencer.h).
 *
 * Soft-confirmation latency: a cohort sequenced in the tick it arrived
 * waits for the next L2 block, uniform over one block time, plus the
 * confirmation latency; a cohort that waited longer is charged its wait
 * since its arrivals (uniform around their mean), plus the same uniform
 * wait for a block.
 * The uniform wait is spread over the latency histogram's bins in
 * proportion to the part of [0, block) each covers, so the percentiles
 * are the closed form's (p of U(0, block) + confirmation) to within the
 * bin interpolation (< 0.1%), not four point masses.  Under based
 * sequencing every cohort is charged its wait from its arrivals, uniform
 * over the slots since the last L1 block, to the L1 block that sequences
 * it (uniform over a slot, more after missed slots).
 *
 * A shared sequencer with a consensus model (consensus.c) sets each
 * tick's capacity, block time (one round) and confirmation latency
 * (decide_rounds rounds) from the round under the tick's load; its
 * members' cross-system bundles are atomic in the share of the other
 * members' demand the tick served.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/scenario.h"
#include "l2sim/sequencer.h"

struct outage_policy {
	seq_outage_fn *rate;
	seq_forced_fn *forced;
	void *ctx;
};

struct observer {
	seq_observer_fn *fn;
	void *ctx;
};

struct gate {
	seq_gate_fn *fn;
	void *ctx;
};

struct sequencer {
	struct sim *sim;
	struct seq_cfg cfg;
	struct shared_seq *shared;
	const struct tx_kind_params *kinds;
	sim_time_t warmup;
	int64_t mempool_limit;
	struct cohort_q mempool;     /* arrived, not yet sequenced */
	seq_sink_fn *sink;
	void *sink_ctx;
	struct outage_policy *policies;
	size_t n_policies;
	struct observer *observers;
	size_t n_observers;
	sim_time_t confirm_delay;    /* added to every soft confirmation */
	double bundle_share;         /* cross-system bundles (shared member) */
	double bundle_carry;         /* fraction of a bundle carried over */
	uint64_t bundles_atomic, bundles_failed;
	double revenue;              /* ETH earned by ordering */
	struct gate *gates;
	size_t n_gates;
	bool halted;                 /* a gate halted the last tick */
	bool serving;                /* the last tick ran at full rate */
	bool down;
	sim_time_t down_since;
	int down_count;              /* outages in force (system and instance) */
	double credit;               /* unused capacity carried within a tick */
	struct lat_spread same_tick; /* latency bins of an unqueued cohort */
	bool bins_set;
	sim_time_t bins_block, bins_extra; /* what the bins were made for */
	struct seq_stats st;
	struct lat_hist lat;
	uint64_t series_offered;
};

struct shared_seq {
	struct sim *sim;
	struct shared_seq_cfg cfg;
	struct sequencer **members;
	size_t n_members, cap_members;
	bool down;
	double credit;              /* fraction of a tx of capacity carried over */
	double sequenced, offered_to;
	double busy_ticks, ticks;
	double round_sum, cap_sum, demand_ticks; /* consensus model */
};

struct sequencer *seq_create(struct sim *sim, const struct seq_cfg *cfg,
			     struct shared_seq *shared,
			     const struct tx_kind_params *kinds,
			     sim_time_t warmup)
{
	struct sequencer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sim = sim;
	s->cfg = *cfg;
	s->shared = shared;
	s->kinds = kinds;
	s->warmup = warmup;
	s->mempool_limit = shared ? shared->cfg.mempool_limit
				  : cfg->mempool_limit;
	if (lat_hist_init(&s->lat) || (shared && shared_seq_add(shared, s))) {
		seq_destroy(s);
		return NULL;
	}
	return s;
}

void seq_destroy(struct sequencer *s)
{
	if (!s)
		return;
	cohort_q_release(&s->mempool);
	lat_hist_release(&s->lat);
	free(s->policies);
	free(s->observers);
	free(s->gates);
	free(s);
}

void seq_set_sink(struct sequencer *s, seq_sink_fn *fn, void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
}

int seq_add_outage_policy(struct sequencer *s, seq_outage_fn *fn,
			  seq_forced_fn *forced, void *ctx)
{
	void *p = realloc(s->policies, (s->n_policies + 1) *
				       sizeof(*s->policies));
	if (!p)
		return L2S_ENOMEM;
	s->policies = p;
	s->policies[s->n_policies++] = (struct outage_policy){fn, forced, ctx};
	return 0;
}

int seq_add_observer(struct sequencer *s, seq_observer_fn *fn, void *ctx)
{
	void *p = realloc(s->observers, (s->n_observers + 1) *
					sizeof(*s->observers));
	if (!p)
		return L2S_ENOMEM;
	s->observers = p;
	s->observers[s->n_observers++] = (struct observer){fn, ctx};
	return 0;
}

void seq_add_confirm_delay(struct sequencer *s, sim_time_t delay)
{
	s->confirm_delay += delay;
}

enum seq_type seq_type(const struct sequencer *s) { return s->cfg.type; }
void seq_add_revenue(struct sequencer *s, double eth) { s->revenue += eth; }
double seq_revenue(const struct sequencer *s) { return s->revenue; }

void seq_set_bundle_share(struct sequencer *s, double share)
{
	s->bundle_share = share;
}

void seq_bundles(const struct sequencer *s, uint64_t *atomic,
		 uint64_t *failed)
{
	*atomic = s->bundles_atomic;
	*failed = s->bundles_failed;
}

int seq_add_gate(struct sequencer *s, seq_gate_fn *fn, void *ctx)
{
	void *p = realloc(s->gates, (s->n_gates + 1) * sizeof(*s->gates));
	if (!p)
		return L2S_ENOMEM;
	s->gates = p;
	s->gates[s->n_gates++] = (struct gate){fn, ctx};
	return 0;
}

bool seq_halted(const struct sequencer *s) { return s->halted; }
bool seq_is_down(const struct sequencer *s)
{
	return s->down || (s->shared && s->shared->down);
}

sim_time_t seq_down_since(const struct sequencer *s) { return s->down_since; }
bool seq_serving(const struct sequencer *s) { return s->serving; }

/* Asks every gate (all of them: a gate may keep state) and returns the
 * lowest rate they allow; halted when it is 0. */
static int64_t gate_rate(struct sequencer *s, sim_time_t now)
{
	/* No gate, no limit (a shared member's capacity is its shared
	 * sequencer's, not its own cfg's). */
	int64_t r = INT64_MAX;
	for (size_t i = 0; i < s->n_gates; i++) {
		int64_t g = s->gates[i].fn(s->gates[i].ctx, now,
					   s->cfg.capacity);
		if (g < r)
			r = g < 0 ? 0 : g;
	}
	s->halted = r == 0;
	return r;
}

static bool gated(struct sequencer *s, sim_time_t now)
{
	return gate_rate(s, now) == 0;
}

uint64_t seq_mempool_txs(const struct sequencer *s) { return s->mempool.txs; }
const struct seq_stats *seq_stats(const struct sequencer *s) { return &s->st; }
const struct lat_hist *seq_latency(struct sequencer *s)
{
	if (s->bins_set)
		lat_hist_spread_flush(&s->lat, &s->same_tick);
	return &s->lat;
}

sim_time_t seq_oldest_arrival(const struct sequencer *s)
{
	return s->mempool.len ? s->mempool.c[s->mempool.head].arrived
			      : SIM_TIME_MAX;
}

uint64_t seq_take_series_offered(struct sequencer *s)
{
	uint64_t n = s->series_offered;
	s->series_offered = 0;
	return n;
}

void seq_arrive(struct sequencer *s, struct cohort *c, sim_time_t t0)
{
	if (c->total == 0)
		return;
	s->st.offered += c->total;
	s->series_offered += c->total;
	if (t0 >= s->warmup)
		s->st.offered_w += c->total;
	if (cohort_q_push(&s->mempool, c))
		sim_fail(s->sim, L2S_ENOMEM, "out of memory queueing arrivals");
}

/*
 * mempool_limit bounds what waits after a tick's sequencing: a tick's
 * arrivals are sequenced first, as a sequencer serving them as they come
 * would, and only what is left beyond the limit (the newest) is dropped.
 * So the limit never caps throughput below capacity.
 */
static void trim(struct sequencer *s)
{
	uint64_t d = cohort_q_trim(&s->mempool, (uint64_t)s->mempool_limit);
	if (d) {
		s->st.dropped += d;
		s->st.limit_ticks++;
	}
	s->st.queue_merges = s->mempool.merges;
}

/* Transactions the capacity allows in (t0, t1], carrying fractions. */
static uint64_t capacity_txs(double *credit, int64_t rate_micro,
			     sim_time_t dt)
{
	double x = (double)rate_micro / SCN_RATE_ONE * sim_time_to_s(dt) +
		   *credit;
	double whole = floor(x);
	*credit = x - whole;
	return whole > 1e18 ? UINT64_C(1000000000000000000) : (uint64_t)whole;
}

static double cohort_gas(const struct sequencer *s, const struct cohort *c)
{
	double g = 0;
	for (int k = 0; k < TX_KINDS; k++)
		g += (double)c->n[k] * (double)s->kinds[k].gas;
	return g;
}

/*
 * Moves up to 'cap' txs (and 'gas_budget' L2 gas, < 0 for none) from the
 * mempool to the sink at time t1.  'block' and 'extra' shape the
 * soft-confirmation latency (see the file comment).
 */
static uint64_t sequence(struct sequencer *s, uint64_t cap,
			 double gas_budget, sim_time_t t0, sim_time_t t1,
			 sim_time_t block, sim_time_t extra, struct cohort *sum)
{
	uint64_t done = 0;
	bool rec = t1 >= s->warmup;
	extra += s->confirm_delay;
	while (done < cap && s->mempool.txs) {
		struct cohort *f = cohort_q_front(&s->mempool);
		uint64_t want = cap - done;
		if (gas_budget >= 0) {
			double per = cohort_gas(s, f) / (double)f->total;
			if (per > 0) {
				double fit = floor(gas_budget / per);
				if (fit < (double)want)
					want = fit < 0 ? 0 : (uint64_t)fit;
			}
			if (want == 0)
				break;
		}
		struct cohort c;
		uint64_t got = cohort_q_take(&s->mempool, want, &c);
		if (!got)
			break;
		if (gas_budget >= 0)
			gas_budget -= cohort_gas(s, &c);
		if (sum) {
			for (int k = 0; k < TX_KINDS; k++)
				sum->n[k] += c.n[k];
			sum->total += got;
		}
		c.sequenced = t1;
		done += got;
		s->st.sequenced += got;
		if (rec) {
			s->st.sequenced_w += got;
			double ex = sim_time_to_s(extra), bt = sim_time_to_s(block);
			if (c.arrived >= t0) {
				/* Exact mean: half a block plus the extra. */
				s->st.latency_sum_s += (double)got * (bt / 2 + ex);
				/* The same interval while block and extra stay:
				 * bins once. */
				if (!s->bins_set || s->bins_block != block ||
				    s->bins_extra != extra) {
					if (s->bins_set)
						lat_hist_spread_flush(
							&s->lat, &s->same_tick);
					s->bins_block = block;
					s->bins_extra = extra;
					lat_hist_spread_init(&s->same_tick, &s->lat,
							ex, bt + ex);
					s->bins_set = true;
				}
				lat_hist_spread_defer(&s->same_tick,
						      (double)got);
			} else {
				/* Waited since arrivals spread over
				 * arrived +- spread, then for a block: the
				 * sum of the two uniforms, taken as one
				 * uniform of the same mean and range. */
				double w = sim_time_to_s(t1 - c.arrived) + ex,
				       h = sim_time_to_s(c.spread);
				lat_hist_add_uniform(&s->lat,
						     w - h > 0 ? w - h : 0,
						     w + h + bt, (double)got);
				s->st.latency_sum_s += (double)got * (w + bt / 2);
			}
		}
		for (size_t i = 0; i < s->n_observers; i++)
			s->observers[i].fn(s->observers[i].ctx, &c);
		if (s->sink)
			s->sink(s->sink_ctx, &c);
	}
	return done;
}

/* The rate while down: the first outage policy's, else 0.  Returns the
 * rate in micro tx/s; *policy the policy that gave it (NULL: none). */
static int64_t outage_rate(struct sequencer *s, sim_time_t now,
			   int64_t full, const struct outage_policy **policy,
			   bool *forced)
{
	*policy = NULL;
	*forced = false;
	sim_time_t out = now - s->down_since;
	for (size_t i = 0; i < s->n_policies; i++) {
		bool f = false;
		int64_t r = s->policies[i].rate(s->policies[i].ctx, out, full,
						&f);
		if (r >= 0) {
			*policy = &s->policies[i];
			/* At the full rate nothing is forced through L1. */
			*forced = f && r < full;
			return r;
		}
	}
	return 0;
}

static void count_forced(const struct outage_policy *p, const struct cohort *c,
			 bool forced, sim_time_t now)
{
	if (p && p->forced && c->total)
		p->forced(p->ctx, c, forced, now);
}

/* The capacity at 'now': full while up, an outage policy's while down. */
static int64_t current_rate(struct sequencer *s, sim_time_t now,
			    const struct outage_policy **pol, bool *forced)
{
	*pol = NULL;
	*forced = false;
	if (!s->down)
		return s->cfg.capacity;
	return outage_rate(s, now, s->cfg.capacity, pol, forced);
}

/*
 * The rate sequencing may use at 'now': the gates first (they read the
 * last tick's state, seq_serving), then an outage policy while down.
 * Sets whether the sequencer serves at full capacity; 0: nothing goes
 * through.
 */
static int64_t tick_rate(struct sequencer *s, sim_time_t now,
			 const struct outage_policy **pol, bool *forced)
{
	*pol = NULL;
	*forced = false;
	int64_t allowed = gate_rate(s, now);
	if (allowed == 0) {
		s->serving = false;
		return 0;
	}
	int64_t rate = current_rate(s, now, pol, forced);
	s->serving = rate >= s->cfg.capacity && allowed >= rate;
	return allowed < rate ? allowed : rate;
}

void seq_tick(struct sequencer *s, sim_time_t t0, sim_time_t t1)
{
	const struct seq_cfg *c = &s->cfg;
	const struct outage_policy *pol;
	bool forced;
	int64_t rate = tick_rate(s, t1, &pol, &forced);
	if (rate == 0) {
		trim(s);
		return;
	}
	uint64_t cap = capacity_txs(&s->credit, rate, t1 - t0);
	double gas = c->gas_capacity > 0
			     ? (double)c->gas_capacity * sim_time_to_s(t1 - t0)
			     : -1;
	struct cohort sum = {0};
	sequence(s, cap, gas, t0, t1, c->block_time, c->confirm_latency,
		 pol ? &sum : NULL);
	count_forced(pol, &sum, forced, t1);
	trim(s);
}

void seq_based_block(struct sequencer *s, sim_time_t t_prev, sim_time_t t)
{
	const struct seq_cfg *c = &s->cfg;
	const struct outage_policy *pol;
	bool forced;
	int64_t rate = tick_rate(s, t, &pol, &forced);
	if (rate == 0) {
		trim(s);
		return;
	}
	uint64_t cap = capacity_txs(&s->credit, rate, t - t_prev);
	/* The L1 proposer's block is the L2 block: no wait for another L2
	 * block, but every cohort waited from its (mean) arrival for this L1
	 * block, missed slots included.  Passing t as the tick's start
	 * charges each cohort t - arrived (+ confirmation). */
	struct cohort sum = {0};
	sequence(s, cap, -1, t, t, 0, c->confirm_latency, pol ? &sum : NULL);
	count_forced(pol, &sum, forced, t);
	trim(s);
}

void seq_missed_block(struct sequencer *s)
{
	/* No L1 block: nothing sequenced, the limit still holds. */
	trim(s);
}

void seq_set_down(void *sequencer, int member, bool down)
{
	struct sequencer *s = sequencer;
	/* Faults on the system and on this instance may overlap: down while
	 * any of them is. */
	s->down_count += down ? 1 : -1;
	if (s->down_count < 0)
		s->down_count = 0;
	bool now_down = s->down_count > 0;
	if (now_down && !s->down)
		s->down_since = sim_now(s->sim);
	s->down = now_down;
}

/* ---- shared sequencers ---------------------------------------------------- */

struct shared_seq *shared_seq_create(struct sim *sim,
				     const struct shared_seq_cfg *cfg)
{
	struct shared_seq *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sim = sim;
	s->cfg = *cfg;
	return s;
}

void shared_seq_destroy(struct shared_seq *s)
{
	if (!s)
		return;
	free(s->members);
	free(s);
}

const struct shared_seq_cfg *shared_seq_config(const struct shared_seq *s)
{
	return &s->cfg;
}

int shared_seq_add(struct shared_seq *s, struct sequencer *member)
{
	if (s->n_members == s->cap_members) {
		size_t nc = s->cap_members ? s->cap_members * 2 : 8;
		void *p = realloc(s->members, nc * sizeof(*s->members));
		if (!p)
			return L2S_ENOMEM;
		s->members = p;
		s->cap_members = nc;
	}
	s->members[s->n_members++] = member;
	return 0;
}

/* Whole bundles among 'txs' sequenced transactions of member m, of which
 * the fraction 'ok' had their other legs in the same round. */
static void count_bundles(struct sequencer *m, uint64_t txs, double ok)
{
	if (m->bundle_share <= 0 || txs == 0)
		return;
	double x = m->bundle_share * (double)txs + m->bundle_carry;
	double whole = floor(x);
	m->bundle_carry = x - whole;
	uint64_t failed = (uint64_t)floor(whole * (1 - ok) + 0.5);
	m->bundles_failed += failed;
	m->bundles_atomic += (uint64_t)whole - failed;
}

/*
 * The consensus model's tick: rounds back to back over (t0, t1] under the
 * arrival rate the waiting transactions represent.  Sets the tick's
 * capacity, and the block time and confirmation latency its cohorts see.
 */
static uint64_t bft_tick(struct shared_seq *s, uint64_t demand,
			 sim_time_t dt, sim_time_t *block, sim_time_t *extra)
{
	double bytes = 0, gas = 0;
	for (size_t i = 0; i < s->n_members; i++) {
		const struct sequencer *m = s->members[i];
		for (int k = 0; k < TX_KINDS; k++) {
			bytes += (double)m->mempool.n[k] * (double)m->kinds[k].size;
			gas += (double)m->mempool.n[k] * (double)m->kinds[k].gas;
		}
	}
	bytes /= (double)demand;
	gas /= (double)demand;
	struct seq_bft_round r;
	seq_bft_round(&s->cfg.consensus, (int64_t)s->n_members,
		      (double)demand / sim_time_to_s(dt), bytes, gas, &r);
	s->round_sum += r.round_s;
	s->cap_sum += r.capacity_tps;
	s->demand_ticks++;
	*block = sim_time_from_s(r.round_s);
	*extra = *block * s->cfg.consensus.decide_rounds;
	if (!r.saturated) {
		s->credit = 0;
		return demand;
	}
	/* Saturated rounds take time (R > 0): the capacity is finite. */
	double micro = r.capacity_tps * SCN_RATE_ONE;
	return capacity_txs(&s->credit,
			    micro < 4e18 ? (int64_t)micro : INT64_C(4000000000000000000),
			    dt);
}

static void shared_tick(struct shared_seq *s, uint64_t demand, sim_time_t t0,
			sim_time_t t1);

void shared_seq_tick(struct shared_seq *s, sim_time_t t0, sim_time_t t1)
{
	uint64_t demand = 0;
	for (size_t i = 0; i < s->n_members; i++)
		demand += s->members[i]->mempool.txs;
	s->ticks++;
	if (demand == 0)
		return;
	shared_tick(s, demand, t0, t1);
	for (size_t i = 0; i < s->n_members; i++)
		trim(s->members[i]);
}

static void shared_tick(struct shared_seq *s, uint64_t demand, sim_time_t t0,
			sim_time_t t1)
{
	s->offered_to += (double)demand;
	int64_t rate = s->cfg.capacity;
	if (s->down) {
		/* Members force through L1 on their own schedule. */
		for (size_t i = 0; i < s->n_members; i++) {
			struct sequencer *m = s->members[i];
			const struct outage_policy *pol;
			bool forced;
			if (gated(m, t1))
				continue;
			int64_t r = outage_rate(m, t1, rate, &pol, &forced);
			if (r == 0)
				continue;
			/* After the takeover delay another operator runs the
			 * member's chain: an equal share of the capacity. */
			if (!forced)
				r = rate / (int64_t)s->n_members;
			uint64_t c = capacity_txs(&m->credit, r, t1 - t0);
			struct cohort sum = {0};
			uint64_t n = sequence(m, c, -1, t0, t1,
					      s->cfg.block_time,
					      s->cfg.consensus_latency,
					      pol ? &sum : NULL);
			count_forced(pol, &sum, forced, t1);
			/* No shared round: no bundle is atomic. */
			count_bundles(m, n, 0);
		}
		return;
	}
	sim_time_t block = s->cfg.block_time, extra = s->cfg.consensus_latency;
	uint64_t cap = s->cfg.bft ? bft_tick(s, demand, t1 - t0, &block, &extra)
				  : capacity_txs(&s->credit, rate, t1 - t0);
	if (demand > cap)
		s->busy_ticks++;
	/* Capacity shared in proportion to what each member has waiting,
	 * largest remainders first (member order breaks ties). */
	uint64_t give_total = demand < cap ? demand : cap, given = 0;
	uint64_t gives[s->n_members ? s->n_members : 1];
	double rem[s->n_members ? s->n_members : 1];
	for (size_t i = 0; i < s->n_members; i++) {
		unsigned __int128 prod = (unsigned __int128)
			s->members[i]->mempool.txs * give_total;
		gives[i] = (uint64_t)(prod / demand);
		rem[i] = (double)(prod % demand);
		given += gives[i];
	}
	while (given < give_total) {
		size_t best = 0;
		for (size_t i = 1; i < s->n_members; i++)
			if (rem[i] > rem[best])
				best = i;
		gives[best]++;
		rem[best] = -1;
		given++;
	}
	uint64_t waiting[s->n_members ? s->n_members : 1];
	uint64_t done[s->n_members ? s->n_members : 1], all_done = 0;
	for (size_t i = 0; i < s->n_members; i++) {
		struct sequencer *m = s->members[i];
		waiting[i] = m->mempool.txs;
		done[i] = 0;
		if (m->down || gated(m, t1))
			continue;
		done[i] = sequence(m, gives[i], -1, t0, t1, block, extra,
				   NULL);
		all_done += done[i];
	}
	s->sequenced += (double)all_done;
	/* A bundle's other legs wait with the other members: the share of
	 * their demand served this round is the share of bundles that make
	 * it whole. */
	for (size_t i = 0; i < s->n_members; i++) {
		uint64_t od = demand - waiting[i], os = all_done - done[i];
		count_bundles(s->members[i], done[i],
			      od ? (double)os / (double)od : 1);
	}
}

void shared_seq_set_down(void *shared, int member, bool down)
{
	struct shared_seq *s = shared;
	if (down && !s->down) {
		sim_time_t now = sim_now(s->sim);
		for (size_t i = 0; i < s->n_members; i++)
			s->members[i]->down_since = now;
	}
	s->down = down;
}

static double per(double a, double b) { return b > 0 ? a / b : 0; }

void shared_seq_collect(const struct shared_seq *s, struct run_result *res,
			sim_time_t duration)
{
	res_metric_set(res, s->cfg.name, "members", (double)s->n_members);
	res_metric_set(res, s->cfg.name, "tps_sequenced",
		       per(s->sequenced, sim_time_to_s(duration)));
	res_metric_set(res, s->cfg.name, "saturated_share",
		       per(s->busy_ticks, s->ticks));
	if (!s->cfg.bft)
		return;
	res_metric_set(res, s->cfg.name, "validators",
		       (double)s->cfg.consensus.validators);
	res_metric_set(res, s->cfg.name, "round_time_mean",
		       per(s->round_sum, s->demand_ticks));
	res_metric_set(res, s->cfg.name, "capacity_tps_mean",
		       per(s->cap_sum, s->demand_ticks));
}
