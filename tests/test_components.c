/*
 * The small components a system instance is built from, each on its own
 * with hand-checked numbers: the ledger (warm-up gating, sums), owned
 * allocations, the L1 poster (fee caps, booking, stalls at the caps,
 * finality) on a real L1 chain, and the extension point: the takeover and
 * forced-inclusion mechanisms attached to a bare sequencer.
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
#include "l2sim/l1poster.h"
#include "l2sim/ledger.h"
#include "l2sim/mechanism.h"
#include "l2sim/owned.h"
#include "l2sim/sequencer.h"
#include "support/testutil.h"

#define GWEI UINT64_C(1000000000)

/* ---- ledger -------------------------------------------------------------- */

static void test_ledger_warmup_and_sums(void **state)
{
	(void)state;
	struct ledger l, all;
	ledger_init(&l, 100 * SIM_S);
	ledger_init(&all, 0);
	struct l1_receipt r = {.included_at = 99 * SIM_S, .gas_used = 21000,
			       .blob_gas_used = 131072, .fee_eth = 0.5};
	ledger_l1_receipt(&l, &r);            /* before warm-up: not booked */
	assert_near(l.l1_txs, 0, 0);
	r.included_at = 100 * SIM_S;
	ledger_l1_receipt(&l, &r);
	ledger_l1_share(&l, 150 * SIM_S, 1000, 0.25);
	ledger_l1_share(&l, 50 * SIM_S, 1e9, 1e9); /* before warm-up */
	ledger_da_fee(&l, 200 * SIM_S, UINT64_C(3000000000000000000));
	ledger_l1_bytes(&l, 200 * SIM_S, 4096);
	ledger_l1_bytes(&l, 10 * SIM_S, 1e9);
	assert_near(l.l1_txs, 1, 0);
	assert_near(l.l1_gas, 22000, 0);
	assert_near(l.blob_gas, 131072, 0);
	assert_near(l.fees_eth, 0.75, 0);
	assert_near(l.da_fees_eth, 3, 0);
	assert_near(l.l1_da_bytes, 4096, 0);
	assert_near(l.series_fees, 3.75, 0);
	ledger_add(&all, &l);
	ledger_add(&all, &l);
	assert_near(all.fees_eth, 1.5, 0);
	assert_near(all.l1_gas, 44000, 0);
	assert_near(all.l1_txs, 2, 0);
}

/* ---- owned allocations ------------------------------------------------------ */

static void test_owned_list(void **state)
{
	(void)state;
	struct owned_list l = {0};
	int *a = owned_alloc(&l, sizeof(int) * 4);
	double *b = owned_alloc(&l, sizeof(double));
	char *c = owned_alloc(&l, 100);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(a[3], 0); /* zeroed */
	assert_int_equal((uintptr_t)b % _Alignof(max_align_t), 0);
	owned_free(&l, b);      /* from the middle */
	owned_free(&l, c);      /* the head */
	owned_free(&l, NULL);
	assert_non_null(l.head);
	owned_alloc(&l, 10);
	owned_release(&l);      /* the rest: ASan reports any leak */
	assert_null(l.head);
}

/* ---- L1 poster -------------------------------------------------------------- */

struct chain {
	struct scenario *scn;
	struct sim *sim;
	struct l1_chain *l1;
};

/* Pectra with no background load: every block is empty but ours. */
static void chain_open(struct chain *c)
{
	struct l2s_error err;
	l2s_error_clear(&err);
	const char *json = "{\"name\": \"t\", \"l1\": {\"fork\": \"pectra\", "
			   "\"background\": {\"gas\": {\"dist\": \"constant\", "
			   "\"mean\": 0, \"elasticity\": 0}}}}";
	if (scenario_load_text("test.json", json, &c->scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct scn_obj root = scn_root(c->scn), o;
	assert_int_equal(scn_get_obj(&root, "l1", &o, NULL, &err), 0);
	c->sim = sim_create(1, 0);
	assert_non_null(c->sim);
	if (l1_create(c->sim, &o, &c->l1, &err))
		fail_msg("l1: %s", err.msg);
	assert_int_equal(l1_start(c->l1), 0);
}

/* A poster of 'cfg' on c's chain, booking into 'led' (warm-up 0). */
static struct l1poster *poster_open(struct chain *c, struct ledger *led,
				    struct owned_list *owned,
				    const struct l1poster_cfg *cfg)
{
	chain_open(c);
	ledger_init(led, 0);
	*owned = (struct owned_list){0};
	struct l1poster *p = l1poster_create(c->l1, cfg, led, owned);
	assert_non_null(p);
	return p;
}

static void chain_close(struct chain *c)
{
	l1_destroy(c->l1);
	sim_destroy(c->sim);
	scenario_destroy(c->scn);
}

struct heard {
	int included, final;
	struct l1_receipt last;
};

static void heard_inc(void *ctx, const struct l1_receipt *r)
{
	struct heard *h = ctx;
	h->included++;
	h->last = *r;
}

static void heard_fin(void *ctx, const struct l1_receipt *r)
{
	struct heard *h = ctx;
	h->final++;
}

/*
 * Fees like a wallet: twice the base fee (1 gwei at the first block) plus
 * the 1 gwei tip = 3 gwei, within the cap; the blob fee cap is twice the
 * blob base fee (1 wei at zero excess) = 2 wei.  A 100,000-gas transaction
 * pays base fee + tip = 2 gwei per gas: 2e14 wei = 0.0002 ETH, booked once;
 * finality 64 slots later frees it.
 */
static void test_poster_fees_booking_finality(void **state)
{
	(void)state;
	struct chain c;
	struct ledger led;
	struct owned_list owned;
	struct l1poster_cfg cfg = {.max_fee = 100 * GWEI, .max_blob_fee = 1000,
				   .priority_fee = GWEI, .rebid = true};
	struct l1poster *p = poster_open(&c, &led, &owned, &cfg);
	struct l1_tx tx = {.gas = 100000, .blobs = 1};
	l1poster_fill_fees(p, &tx);
	assert_int_equal(tx.max_fee_per_gas, 3 * GWEI);
	assert_int_equal(tx.max_priority_fee_per_gas, GWEI);
	assert_int_equal(tx.max_fee_per_blob_gas, 2);
	struct heard h = {0};
	assert_int_equal(l1poster_submit(p, 100000, 0, heard_inc, heard_fin,
					 &h), 0);
	assert_int_equal(l1poster_inflight(p), 1);
	sim_run_until(c.sim, l1_slot_time(c.l1));
	assert_int_equal(h.included, 1);
	assert_int_equal(l1poster_inflight(p), 0);
	assert_int_equal(h.last.effective_gas_price, 2 * GWEI);
	assert_near(led.l1_txs, 1, 0);
	assert_near(led.l1_gas, 100000, 0);
	assert_near(led.fees_eth, 2e-4, 1e-18);
	/* Slot 1: Casper FFG final at the start of slot 96 (95 later). */
	sim_run_until(c.sim, 95 * l1_slot_time(c.l1));
	assert_int_equal(h.final, 0);
	sim_run_until(c.sim, 96 * l1_slot_time(c.l1));
	assert_int_equal(h.final, 1);
	assert_null(owned.head);
	/* Over the per-transaction gas limit: refused, nothing left over. */
	assert_true(l1poster_submit(p, INT64_C(1) << 40, 0, heard_inc,
				    heard_fin, &h) != 0);
	assert_null(owned.head);
	l1poster_destroy(p);
	chain_close(&c);
}

/*
 * A cap of 0.5 gwei under a 1 gwei base fee: no bump fits (0.55 gwei),
 * so the transaction waits at its caps from the first block.  Empty
 * blocks lower the base fee by 1/8 each: 1, 0.875, 0.766, 0.670, 0.586,
 * 0.513, 0.449 gwei: the seventh block includes it, six blocks after the
 * first left it out, and the poster counts those six as stall blocks.
 */
static void test_poster_stalls_at_caps(void **state)
{
	(void)state;
	struct chain c;
	struct ledger led;
	struct owned_list owned;
	struct l1poster_cfg cfg = {.max_fee = GWEI / 2, .max_blob_fee = 1000,
				   .priority_fee = GWEI, .rebid = true};
	struct l1poster *p = poster_open(&c, &led, &owned, &cfg);
	struct heard h = {0};
	assert_int_equal(l1poster_submit(p, 50000, 0, heard_inc, NULL, &h), 0);
	sim_run_until(c.sim, 6 * l1_slot_time(c.l1));
	assert_int_equal(h.included, 0);
	sim_run_until(c.sim, 7 * l1_slot_time(c.l1));
	assert_int_equal(h.included, 1);
	assert_true(h.last.base_fee <= GWEI / 2);
	assert_near(l1poster_stall_blocks(p), 6, 0);
	/* The tip is capped by the fee cap: base fee + what is left. */
	assert_int_equal(h.last.effective_gas_price, GWEI / 2);
	sim_run_until(c.sim, 96 * l1_slot_time(c.l1)); /* final: freed */
	assert_null(owned.head);
	l1poster_destroy(p);
	chain_close(&c);
}

/* ---- mechanisms on a sequencer -------------------------------------------- */

static uint64_t sunk;

static void count_sink(void *ctx, const struct cohort *c)
{
	sunk += c->total;
}

static const struct mechanism *find_mech(const char *name)
{
	for (size_t i = 0; mech_registry[i]; i++)
		if (!strcmp(mech_registry[i]->name, name))
			return mech_registry[i];
	fail_msg("no mechanism %s", name);
	return NULL;
}

/* The value a mechanism's state reports under 'name'. */
static double mech_value(const struct mechanism *m, void *state,
			 const char *name)
{
	struct mech_metrics x = {0};
	m->collect(state, &x);
	for (size_t i = 0; i < x.n; i++)
		if (!strcmp(x.name[i], name))
			return x.value[i];
	fail_msg("no metric %s", name);
	return NAN;
}

/*
 * An own sequencer of 100 tx/s goes down at t = 0 with a million
 * transactions waiting.  Forced inclusion (after 60 s, 10 tx/s) and
 * takeover (after 300 s) are attached in registry order.  12 s ticks:
 *  - ticks ending at 12..48 s: nothing;
 *  - ticks ending at 60..288 s (20 ticks): 10 x 12 = 120 forced each,
 *    2,400 in all;
 *  - ticks ending at 300 s and after: 100 x 12 = 1,200 each, none forced.
 * Each tick's forced transactions go to L1 as one submission through the
 * mechanism's own poster, into an empty chain: all included at once.
 */
static void test_takeover_and_forced_inclusion(void **state)
{
	(void)state;
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	if (scenario_load_text("test.json", "{\"sequencer\": {"
			       "\"forced_inclusion_delay\": \"60s\", "
			       "\"forced_inclusion_rate\": \"10tps\", "
			       "\"takeover_delay\": \"300s\"}}", &scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct scn_obj root = scn_root(scn), so;
	assert_int_equal(scn_get_obj(&root, "sequencer", &so, NULL, &err), 0);
	struct chain ch;
	chain_open(&ch);
	struct sim *sim = ch.sim;
	/* Kinds of zero bytes: a forced transaction is 21,000 + the
	 * inbox's 45,000 gas. */
	static const struct tx_kind_params kinds[TX_KINDS];
	struct seq_cfg cfg = {.type = SEQ_OWN, .capacity = 100 * SCN_RATE_ONE,
			      .mempool_limit = 10000000,
			      .block_time = 2 * SIM_S};
	struct sequencer *seq = seq_create(sim, &cfg, NULL, kinds, 0);
	assert_non_null(seq);
	struct ledger led;
	ledger_init(&led, 0);
	struct owned_list owned = {0};
	struct l1poster_cfg pc = {.max_fee = 100 * GWEI, .max_blob_fee = 1000,
				  .priority_fee = GWEI, .rebid = true};
	struct l1poster *poster = l1poster_create(ch.l1, &pc, &led, &owned);
	assert_non_null(poster);
	sunk = 0;
	seq_set_sink(seq, count_sink, NULL);
	const struct mechanism *mt = find_mech("takeover");
	const struct mechanism *mf = find_mech("forced_inclusion");
	/* Registry order: the takeover is asked first. */
	size_t it = 0, ifi = 0;
	for (size_t i = 0; mech_registry[i]; i++) {
		if (mech_registry[i] == mt)
			it = i;
		if (mech_registry[i] == mf)
			ifi = i;
	}
	assert_true(it < ifi);
	void *ct = NULL, *cf = NULL, *st = NULL, *sf = NULL;
	assert_int_equal(mt->read(&so, &ct, &err), 0);
	assert_int_equal(mf->read(&so, &cf, &err), 0);
	assert_int_equal(mt->liveness_bound(ct), 300 * SIM_S);
	assert_int_equal(mf->liveness_bound(cf), 60 * SIM_S);
	struct mech_parts parts = {.name = "s", .sim = sim, .l1 = ch.l1,
				   .seq = seq, .kinds = kinds,
				   .poster = poster, .ledger = &led,
				   .owned = &owned};
	assert_int_equal(mt->attach(ct, &parts, &st, &err), 0);
	assert_int_equal(mf->attach(cf, &parts, &sf, &err), 0);

	struct cohort c = {.arrived = 0, .n = {1000000}, .total = 1000000};
	seq_arrive(seq, &c, 0);
	seq_set_down(seq, 0, true);
	sim_time_t t = 0;
	for (; t + 12 * SIM_S < 60 * SIM_S; t += 12 * SIM_S)
		seq_tick(seq, t, t + 12 * SIM_S);
	assert_int_equal(sunk, 0);
	for (; t + 12 * SIM_S < 300 * SIM_S; t += 12 * SIM_S)
		seq_tick(seq, t, t + 12 * SIM_S);
	assert_int_equal(sunk, 2400);
	assert_near(mech_value(mf, sf, "tx_forced"), 2400, 0);
	seq_tick(seq, t, t + 12 * SIM_S);
	assert_int_equal(sunk, 2400 + 1200);
	/* The takeover forces nothing. */
	assert_near(mech_value(mf, sf, "forced_inclusion_txs"), 2400, 0);
	/* The forced transactions went to L1 (20 submissions of 120) and
	 * are included within a few blocks: 2,400 x 66,000 gas, paid by
	 * the users, not booked in the operator's ledger. */
	sim_run_until(sim, 120 * SIM_S);
	assert_near(mech_value(mf, sf, "forced_l1_gas"), 2400.0 * 66000, 0);
	assert_near(mech_value(mf, sf, "forced_l1_txs"), 20, 0);
	assert_true(mech_value(mf, sf, "forced_l1_fee_eth") > 0);
	assert_near(led.l1_gas, 0, 0);
	/* Up again: full capacity, no policy asked. */
	seq_set_down(seq, 0, false);
	seq_tick(seq, t + 12 * SIM_S, t + 24 * SIM_S);
	assert_int_equal(sunk, 2400 + 2400);
	assert_int_equal(seq_stats(seq)->sequenced, 4800);
	mf->detach(sf);
	mt->free_cfg(ct);
	mf->free_cfg(cf);
	l1poster_destroy(poster);
	seq_destroy(seq);
	chain_close(&ch);
	owned_release(&owned);
	scenario_destroy(scn);
}

/* A mechanism's keys are checked where it reads them. */
static void test_mechanism_bad_value(void **state)
{
	(void)state;
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("test.json", "{\"sequencer\": {"
					    "\"takeover_delay\": \"-5s\"}}",
					    &scn, &err), 0);
	struct scn_obj root = scn_root(scn), so;
	assert_int_equal(scn_get_obj(&root, "sequencer", &so, NULL, &err), 0);
	void *cfg = NULL;
	assert_int_equal(find_mech("takeover")->read(&so, &cfg, &err),
			 L2S_EINPUT);
	assert_null(cfg);
	assert_non_null(strstr(err.path, "takeover_delay"));
	scenario_destroy(scn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ledger_warmup_and_sums),
		cmocka_unit_test(test_owned_list),
		cmocka_unit_test(test_poster_fees_booking_finality),
		cmocka_unit_test(test_poster_stalls_at_caps),
		cmocka_unit_test(test_takeover_and_forced_inclusion),
		cmocka_unit_test(test_mechanism_bad_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
