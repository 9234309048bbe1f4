/*
 * The ledger of a system instance (include/l2sim/ledger.h).
 */
#include "l2sim/ledger.h"

void ledger_init(struct ledger *l, sim_time_t warmup)
{
	*l = (struct ledger){.warmup = warmup};
}

void ledger_l1_receipt(struct ledger *l, const struct l1_receipt *r)
{
	l->all_fees_eth += r->fee_eth;
	if (r->included_at < l->warmup)
		return;
	l->l1_gas += (double)r->gas_used;
	l->blob_gas += (double)r->blob_gas_used;
	l->fees_eth += r->fee_eth;
	l->l1_txs++;
	l->series_fees += r->fee_eth;
}

void ledger_l1_share(struct ledger *l, sim_time_t at, double gas,
		     double fee_eth)
{
	l->all_fees_eth += fee_eth;
	if (at < l->warmup)
		return;
	l->l1_gas += gas;
	l->fees_eth += fee_eth;
	l->series_fees += fee_eth;
}

void ledger_da_fee(struct ledger *l, sim_time_t at, uint64_t cost_wei)
{
	l->all_fees_eth += (double)cost_wei / 1e18;
	if (at < l->warmup)
		return;
	l->da_fees_eth += (double)cost_wei / 1e18;
	l->series_fees += (double)cost_wei / 1e18;
}

void ledger_l1_bytes(struct ledger *l, sim_time_t at, double bytes)
{
	l->all_l1_bytes += bytes;
	if (at >= l->warmup)
		l->l1_da_bytes += bytes;
}

void ledger_add(struct ledger *a, const struct ledger *b)
{
	a->l1_gas += b->l1_gas;
	a->blob_gas += b->blob_gas;
	a->fees_eth += b->fees_eth;
	a->da_fees_eth += b->da_fees_eth;
	a->l1_txs += b->l1_txs;
	a->l1_da_bytes += b->l1_da_bytes;
	a->all_fees_eth += b->all_fees_eth;
	a->all_l1_bytes += b->all_l1_bytes;
}
