/*
 * A system instance's ledger: what it paid for L1 gas, blob gas and other
 * DA layers, and the bytes it put on L1.  Several components pay (the L1
 * poster for every L1 transaction, the batcher for DA layers, settlement
 * for its share of an aggregated proof): each books into the one ledger
 * its instance hands it, in the order payments happen, so the totals do
 * not depend on which component paid.  Only payments at or after the
 * warm-up count.
 */
#ifndef L2SIM_LEDGER_H
#define L2SIM_LEDGER_H

#include <stdint.h>

#include "l2sim/l1.h"
#include "l2sim/time.h"

struct ledger {
	sim_time_t warmup;
	double l1_gas;         /* L1 execution gas (incl. calldata) */
	double blob_gas;
	double fees_eth;       /* L1 fees, incl. shares of aggregated proofs */
	double da_fees_eth;    /* fees paid to other DA layers */
	double l1_txs;         /* L1 transactions included */
	double l1_da_bytes;    /* bytes of data put on L1 (blobs or calldata) */
	double series_fees;    /* all fees since the last series sample */
	/* Warm-up included (for fee mechanisms that react to costs). */
	double all_fees_eth;   /* L1 and DA fees */
	double all_l1_bytes;   /* data put on L1 */
};

void ledger_init(struct ledger *l, sim_time_t warmup);
/* An L1 transaction of this instance was included (first inclusion). */
void ledger_l1_receipt(struct ledger *l, const struct l1_receipt *r);
/* A share of a transaction paid together with others (aggregation). */
void ledger_l1_share(struct ledger *l, sim_time_t at, double gas,
		     double fee_eth);
/* A DA layer confirmed data for 'cost_wei'. */
void ledger_da_fee(struct ledger *l, sim_time_t at, uint64_t cost_wei);
/* 'bytes' of data reached L1 at 'at'. */
void ledger_l1_bytes(struct ledger *l, sim_time_t at, double bytes);
/* Adds b's totals to a's (for "all" and per-system sums). */
void ledger_add(struct ledger *a, const struct ledger *b);

#endif
