/*
 * The BFT cost model of a shared sequencer (include/l2sim/sequencer.h,
 * seq_bft_*).  docs/model-sequencing.md derives the defaults:
 *
 *  - base_round 1 s, broadcast dissemination at 1.1 GB/s: a least-squares
 *    reading of Espresso's published HotShot benchmarks (Cappuccino
 *    testnet release, 5 MB blocks: view time 1.08 s at 10 nodes, 5.56 s
 *    at 1,000, i.e. ~4.5 ms more per node for 5 MB, 5 MB / 4.5 ms =
 *    1.1 GB/s per copy of the payload);
 *  - vote_cost 114 us: one Ed25519 verification (273,364 cycles,
 *    Bernstein et al., "High-speed high-security signatures", at 2.4 GHz);
 *  - max_block_bytes 1 MB: Espresso Mainnet 0's initial block size;
 *  - decide_rounds 3: HotStuff's three-chain commit rule (HotShot is a
 *    HotStuff derivative; its published latency is 2.4-4.6 view times);
 *  - member_cost 5 ms per member and round: an assumption (no published
 *    measurement), the namespace bookkeeping and per-member header of
 *    each member's block; exec_gas_rate 0: a lazy sequencer that orders
 *    without executing (Espresso, Astria).
 */
#include <math.h>

#include "l2sim/sequencer.h"

static const char *const keys[] = {
	"validators", "base_round", "vote_cost", "member_cost", "bandwidth",
	"dissemination", "erasure_expansion", "max_block_size",
	"exec_gas_rate", "decide_rounds", NULL,
};

static const char *const dissem_names[] = {"broadcast", "erasure", NULL};

int seq_bft_read(const struct scn_obj *o, struct seq_bft_cfg *c,
		 struct l2s_error *err)
{
	int rc, d;
	if ((rc = scn_check_keys(o, keys, err)) ||
	    (rc = scn_get_int(o, "validators", 100, 1, 100000,
			      &c->validators, err)) ||
	    (rc = scn_get_duration(o, "base_round", SIM_S, 0, SIM_HOUR,
				   &c->base_round, err)) ||
	    (rc = scn_get_duration(o, "vote_cost", 114 * SIM_US, 0, SIM_S,
				   &c->vote_cost, err)) ||
	    (rc = scn_get_duration(o, "member_cost", 5 * SIM_MS, 0, SIM_MIN,
				   &c->member_cost, err)) ||
	    (rc = scn_get_rate(o, "bandwidth", INT64_C(1100000000) * SCN_RATE_ONE,
			       SCN_RATE_ONE, INT64_MAX, &c->bandwidth, err)) ||
	    (rc = scn_get_enum(o, "dissemination", SEQ_BFT_BROADCAST,
			       dissem_names, &d, err)) ||
	    (rc = scn_get_double(o, "erasure_expansion", 3, 1, 100,
				 &c->erasure_expansion, err)) ||
	    (rc = scn_get_size(o, "max_block_size", 1000000, 1,
			       INT64_C(1) << 40, &c->max_block_bytes, err)) ||
	    (rc = scn_get_int(o, "exec_gas_rate", 0, 0, INT64_MAX / 4,
			      &c->exec_gas_rate, err)) ||
	    (rc = scn_get_int(o, "decide_rounds", 3, 1, 100,
			      &c->decide_rounds, err)))
		return rc;
	c->dissemination = (enum seq_bft_dissemination)d;
	c->bandwidth /= SCN_RATE_ONE;
	if (c->dissemination == SEQ_BFT_BROADCAST &&
	    scn_has(o, "erasure_expansion"))
		return scn_fail(o, "erasure_expansion", err, "\"erasure_expansion\""
				" has no effect with \"dissemination\": "
				"\"broadcast\"");
	return 0;
}

double seq_bft_fixed_s(const struct seq_bft_cfg *c, int64_t members)
{
	return sim_time_to_s(c->base_round) +
	       (double)c->validators * sim_time_to_s(c->vote_cost) +
	       (double)members * sim_time_to_s(c->member_cost);
}

double seq_bft_per_tx_s(const struct seq_bft_cfg *c, double bytes, double gas)
{
	double fan = c->dissemination == SEQ_BFT_ERASURE
			     ? c->erasure_expansion
			     : (double)(c->validators > 1 ? c->validators - 1 : 0);
	double t = bytes * fan / (double)c->bandwidth;
	if (c->exec_gas_rate > 0)
		t += gas / (double)c->exec_gas_rate;
	return t;
}

void seq_bft_round(const struct seq_bft_cfg *c, int64_t members, double rate,
		   double bytes, double gas, struct seq_bft_round *out)
{
	double a = seq_bft_fixed_s(c, members);
	double per = seq_bft_per_tx_s(c, bytes, gas);
	/* Transactions of no bytes count as one byte each: a block still
	 * holds a bounded number. */
	double n_max = floor((double)c->max_block_bytes / (bytes > 1 ? bytes : 1));
	if (n_max < 1)
		n_max = 1;
	double r_full = a + n_max * per;
	out->capacity_tps = r_full > 0 ? n_max / r_full : INFINITY;
	double load = rate * per;
	if (load < 1) {
		double r = a / (1 - load);
		if (rate * r <= n_max) {
			out->round_s = r;
			out->txs = rate * r;
			out->saturated = false;
			return;
		}
	}
	out->round_s = r_full;
	out->txs = n_max;
	out->saturated = true;
}
