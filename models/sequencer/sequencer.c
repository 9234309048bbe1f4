/*
 * Sequencers: own (one operator per system instance), shared (one for many
 * instances; its capacity is split among them), based (L1 proposers
 * sequence: one L2 block per L1 block, none in a missed slot).
 *
 * Each tick, arrivals join the instance's mempool as one cohort (beyond the
 * mempool limit they are dropped), and the sequencer moves up to its
 * capacity for the tick, first come first served, into the pending queue
 * of the batcher.  Soft-confirmation latency: a cohort sequenced in the tick
 * it arrived waits for the next L2 block, uniform over one block time,
 * plus the confirmation latency; a cohort that waited longer is charged its
 * wait since its mean arrival time.  Under based sequencing every cohort
 * is charged its wait from its mean arrival to the L1 block that
 * sequences it (half a slot, more after missed slots).
 *
 * Outages: a down sequencer sequences nothing; after the forced-inclusion
 * delay users force transactions through L1 at the forced-inclusion rate;
 * after the takeover delay another operator sequences at full capacity.
 */
#include <math.h>
#include <string.h>

#include "../system/system_internal.h"

bool sys_after_warmup(const struct sys_instance *in, sim_time_t t)
{
	return t >= in->world->warmup;
}

void seq_arrivals(struct sys_instance *in, sim_time_t t0, sim_time_t t1)
{
	struct cohort c = {0};
	wl_stream_draw(in->wl, in->rng, t0, t1, c.n);
	for (int k = 0; k < TX_KINDS; k++)
		c.total += c.n[k];
	if (c.total == 0)
		return;
	c.arrived = t0 + (t1 - t0) / 2;
	in->st.offered += c.total;
	in->s_offered += c.total;
	if (sys_after_warmup(in, t0))
		in->st.offered_w += c.total;
	int64_t limit = in->def->seq.type == SEQ_SHARED
				? in->def->shared->mempool_limit
				: in->def->seq.mempool_limit;
	uint64_t room = in->mempool.txs >= (uint64_t)limit
				? 0
				: (uint64_t)limit - in->mempool.txs;
	if (c.total > room) {
		/* The newest arrivals find the mempool full. */
		struct cohort keep;
		cohort_split(&c, room, &keep);
		in->st.dropped += c.total;
		c = keep;
	}
	cohort_q_push(&in->mempool, &c);
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

static double cohort_gas(const struct sys_instance *in, const struct cohort *c)
{
	const struct tx_kind_params *p = workload_kinds(in->def->workload);
	double g = 0;
	for (int k = 0; k < TX_KINDS; k++)
		g += (double)c->n[k] * (double)p[k].gas;
	return g;
}

/*
 * Moves up to 'cap' txs (and 'gas_budget' L2 gas, < 0 for none) from the
 * mempool to the pending queue at time t1.  'block' and 'extra' shape the
 * soft-confirmation latency (see the file comment).
 */
static uint64_t sequence(struct sys_instance *in, uint64_t cap,
			 double gas_budget, sim_time_t t0, sim_time_t t1,
			 sim_time_t block, sim_time_t extra)
{
	uint64_t done = 0;
	bool rec = sys_after_warmup(in, t1);
	while (done < cap && in->mempool.txs) {
		struct cohort *f = cohort_q_front(&in->mempool);
		uint64_t want = cap - done;
		if (gas_budget >= 0) {
			double per = cohort_gas(in, f) / (double)f->total;
			if (per > 0) {
				double fit = floor(gas_budget / per);
				if (fit < (double)want)
					want = fit < 0 ? 0 : (uint64_t)fit;
			}
			if (want == 0)
				break;
		}
		struct cohort c;
		uint64_t got = cohort_q_take(&in->mempool, want, &c);
		if (!got)
			break;
		if (gas_budget >= 0)
			gas_budget -= cohort_gas(in, &c);
		c.sequenced = t1;
		done += got;
		in->st.sequenced += got;
		if (rec) {
			in->st.sequenced_w += got;
			double ex = sim_time_to_s(extra), bt = sim_time_to_s(block);
			if (c.arrived >= t0) {
				/* The same four points every time: bins once. */
				if (!in->seq_bins_set) {
					for (int q = 0; q < 4; q++)
						in->seq_bins[q] = lat_hist_bin(
							&in->lat_seq,
							bt * (q + 0.5) / 4 + ex);
					in->seq_bins_set = true;
				}
				for (int q = 0; q < 4; q++)
					lat_hist_add_bin(&in->lat_seq,
							 in->seq_bins[q],
							 (double)got / 4);
			} else {
				lat_hist_add(&in->lat_seq,
					     sim_time_to_s(t1 - c.arrived) +
						     bt / 2 + ex,
					     (double)got);
			}
		}
		cohort_q_push(&in->pending, &c);
	}
	return done;
}

/* Capacity while down: 0, the forced-inclusion rate, or full after a
 * takeover.  Returns the rate in micro tx/s. */
static int64_t degraded_rate(struct sys_instance *in, sim_time_t now,
			     int64_t full, bool down, sim_time_t since)
{
	if (!down)
		return full;
	const struct seq_cfg *s = &in->def->seq;
	sim_time_t out = now - since;
	if (out >= s->takeover_delay)
		return full;
	if (out >= s->forced_inclusion_delay)
		return s->forced_inclusion_rate;
	return 0;
}

void seq_own_tick(struct sys_instance *in, sim_time_t t0, sim_time_t t1)
{
	const struct seq_cfg *s = &in->def->seq;
	int64_t rate = degraded_rate(in, t1, s->capacity, in->seq_down,
				     in->seq_down_since);
	if (rate == 0)
		return;
	uint64_t cap = capacity_txs(&in->seq_credit, rate, t1 - t0);
	double gas = s->gas_capacity > 0
			     ? (double)s->gas_capacity * sim_time_to_s(t1 - t0)
			     : -1;
	uint64_t n = sequence(in, cap, gas, t0, t1, s->block_time,
			      s->confirm_latency);
	if (in->seq_down && rate < s->capacity)
		in->st.forced_txs += (double)n;
}

void seq_shared_tick(struct shared_seq *s, sim_time_t t0, sim_time_t t1)
{
	uint64_t demand = 0;
	for (size_t i = 0; i < s->n_members; i++)
		demand += s->members[i]->mempool.txs;
	s->ticks++;
	if (demand == 0)
		return;
	s->offered_to += (double)demand;
	int64_t rate = s->capacity;
	if (s->down) {
		/* Members force through L1 on their own schedule. */
		for (size_t i = 0; i < s->n_members; i++) {
			struct sys_instance *in = s->members[i];
			int64_t r = degraded_rate(in, t1, rate, true,
						  in->seq_down_since);
			if (r == 0)
				continue;
			bool forced = r < rate;
			/* After the takeover delay another operator runs the
			 * member's chain: an equal share of the capacity. */
			if (!forced)
				r = rate / (int64_t)s->n_members;
			uint64_t c = capacity_txs(&in->seq_credit, r, t1 - t0);
			uint64_t n = sequence(in, c, -1, t0, t1, s->block_time,
					      s->consensus_latency);
			if (forced)
				in->st.forced_txs += (double)n;
		}
		return;
	}
	uint64_t cap = capacity_txs(&s->credit, rate, t1 - t0);
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
	for (size_t i = 0; i < s->n_members; i++) {
		struct sys_instance *in = s->members[i];
		if (in->seq_down)
			continue;
		s->sequenced += (double)sequence(in, gives[i], -1, t0, t1,
						 s->block_time,
						 s->consensus_latency);
	}
}

void seq_based_block(struct sys_instance *in, sim_time_t t_prev,
		     sim_time_t t)
{
	const struct seq_cfg *s = &in->def->seq;
	int64_t rate = degraded_rate(in, t, s->capacity, in->seq_down,
				     in->seq_down_since);
	if (rate == 0)
		return;
	uint64_t cap = capacity_txs(&in->seq_credit, rate, t - t_prev);
	/* The L1 proposer's block is the L2 block: no wait for another L2
	 * block, but every cohort waited from its (mean) arrival for this L1
	 * block, missed slots included.  Passing t as the tick's start
	 * charges each cohort t - arrived (+ confirmation). */
	sequence(in, cap, -1, t, t, 0, s->confirm_latency);
}

void seq_set_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	/* Faults on the system and on this instance may overlap: down while
	 * any of them is. */
	in->seq_down_count += down ? 1 : -1;
	if (in->seq_down_count < 0)
		in->seq_down_count = 0;
	bool now_down = in->seq_down_count > 0;
	if (now_down && !in->seq_down)
		in->seq_down_since = sim_now(in->world->sim);
	in->seq_down = now_down;
}

void shared_seq_set_down(void *shared, int member, bool down)
{
	struct shared_seq *s = shared;
	if (down && !s->down && s->n_members) {
		sim_time_t now = sim_now(s->members[0]->world->sim);
		for (size_t i = 0; i < s->n_members; i++)
			s->members[i]->seq_down_since = now;
	}
	s->down = down;
}
