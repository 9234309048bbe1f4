/*
 * The L1 chain model driven on a real struct sim: blob fee dynamics against
 * an independent implementation, throughput ceilings, gas limit, fee-cap
 * waiting, replacement rules, missed slots, finality and reorgs, config
 * errors and the collected metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "l2sim/engine.h"
#include "l2sim/l1.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"

#define GWEI UINT64_C(1000000000)

/* ---- independent EIP-4844 / EIP-7918 reference ------------------------- */

/* fake_exponential exactly as EIP-4844 prints it; only used where the
 * values stay far inside 128 bits. */
static unsigned __int128 ref_fake_exp(unsigned __int128 factor,
				      unsigned __int128 num,
				      unsigned __int128 den)
{
	unsigned __int128 out = 0, acc = factor * den;
	for (unsigned __int128 i = 1; acc > 0; i++) {
		out += acc;
		acc = acc * num / (den * i);
	}
	return out / den;
}

struct ref_sched {
	uint64_t target, max, fraction;
	int eip7918;
};

static uint64_t ref_excess(const struct ref_sched *s, uint64_t excess,
			   uint64_t blobs, uint64_t base_fee)
{
	uint64_t used = blobs * 131072, tgt = s->target * 131072;
	if (excess + used < tgt)
		return 0;
	if (s->eip7918 &&
	    (unsigned __int128)8192 * base_fee >
		    131072 * ref_fake_exp(1, excess, s->fraction))
		return excess + used * (s->max - s->target) / s->max;
	return excess + used - tgt;
}

/* ---- harness ----------------------------------------------------------- */

struct fixture {
	char dir[64];
	struct scenario *scn;
	struct sim *sim;
	struct l1_chain *l1;
};

static int make_chain(struct fixture *fx, const char *l1_json,
		      struct l2s_error *err)
{
	char path[128], text[4096];
	snprintf(path, sizeof(path), "%s/scn.json", fx->dir);
	snprintf(text, sizeof(text), "{\"name\": \"t\", \"l1\": %s}", l1_json);
	l2s_error_clear(err);
	int rc = scenario_load_text(path, text, &fx->scn, err);
	if (rc)
		return rc;
	struct scn_obj root = scn_root(fx->scn), o;
	rc = scn_get_obj(&root, "l1", &o, NULL, err);
	if (rc)
		return rc;
	fx->sim = sim_create(42, 0);
	assert_non_null(fx->sim);
	return l1_create(fx->sim, &o, &fx->l1, err);
}

static void start_chain(struct fixture *fx, const char *l1_json)
{
	struct l2s_error err;
	int rc = make_chain(fx, l1_json, &err);
	if (rc)
		fail_msg("l1_create: %s (%s) at %s", err.msg, err.hint, err.path);
	l1_set_recording(fx->l1, 0, 1, 0);
	assert_int_equal(l1_start(fx->l1), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/l1testXXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];
	l1_destroy(fx->l1);
	sim_destroy(fx->sim);
	scenario_destroy(fx->scn);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->dir);
	free(fx);
	return 0;
}

static void write_file(const struct fixture *fx, const char *name,
		       const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A block log filled by a listener. */
struct blog {
	size_t n, missed;
	struct l1_block b[20000];
};

static void log_block(void *ctx, const struct l1_block *b)
{
	struct blog *lg = ctx;
	if (b->missed) {
		lg->missed++;
		return;
	}
	if (lg->n < sizeof(lg->b) / sizeof(lg->b[0]))
		lg->b[lg->n++] = *b;
}

static void run_slots(struct fixture *fx, int64_t slots)
{
	sim_run_until(fx->sim, slots * l1_slot_time(fx->l1));
}

/* ---- tests ------------------------------------------------------------- */

static void test_blob_fee_rise_and_decay_pectra(void **state)
{
	struct fixture *fx = *state;
	/* 150 blocks at the max (9 blobs), then 150 empty ones. */
	char csv[8192] = "slot,blobs\n";
	for (int i = 0; i < 300; i++) {
		size_t len = strlen(csv);
		snprintf(csv + len, sizeof(csv) - len, "%d,%d\n", i + 1,
			 i < 150 ? 9 : 0);
	}
	write_file(fx, "blobs.csv", csv);
	start_chain(fx, "{\"fork\": \"pectra\", \"background\": {"
			"\"gas\": {\"dist\": \"constant\", \"mean\": 18000000, "
			"\"elasticity\": 0}, \"trace\": \"blobs.csv\", "
			"\"trace_end\": \"hold\"}}");
	static struct blog lg;
	memset(&lg, 0, sizeof(lg));
	assert_int_equal(l1_on_block(fx->l1, log_block, &lg), 0);
	run_slots(fx, 300);
	assert_int_equal(lg.n, 300);

	struct ref_sched s = { 6, 9, 5007716, 0 };
	uint64_t excess = 0;
	for (size_t i = 0; i < lg.n; i++) {
		const struct l1_block *b = &lg.b[i];
		assert_int_equal(b->blobs, i < 150 ? 9 : 0);
		assert_int_equal(b->excess_blob_gas, excess);
		assert_int_equal(b->blob_base_fee, (uint64_t)ref_fake_exp(1, excess, 5007716));
		/* The base fee is constant: gas at target (18M of 36M). */
		assert_int_equal(b->base_fee, GWEI);
		excess = ref_excess(&s, excess, (uint64_t)b->blobs, b->base_fee);
	}
	/* EIP-7691: a full block raises the fee by e^(3*131072/5007716) =
	 * x1.0817; an empty one lowers it by e^(-6*131072/5007716) = x0.8547.
	 * Once the fee is large, integer rounding is negligible. */
	for (size_t i = 100; i < 149; i++) {
		double r = (double)lg.b[i + 1].blob_base_fee / (double)lg.b[i].blob_base_fee;
		assert_true(r > 1.0812 && r < 1.0822);
	}
	for (size_t i = 151; i < 170; i++) {
		double r = (double)lg.b[i + 1].blob_base_fee / (double)lg.b[i].blob_base_fee;
		assert_true(r > 0.8542 && r < 0.8552);
	}
	/* Back to the 1-wei floor eventually (excess reset to 0). */
	assert_int_equal(lg.b[299].excess_blob_gas, 0);
	assert_int_equal(lg.b[299].blob_base_fee, 1);
}

static void test_trace_drives_exact_blobs_bpo2(void **state)
{
	struct fixture *fx = *state;
	/* Pseudo-random blob counts 0..21 from a fixed LCG, with gas that
	 * moves the base fee too, so EIP-7918's branch is exercised. */
	static char csv[65536];
	snprintf(csv, sizeof(csv), "# test trace\nslot,gas_used,blobs\n");
	uint32_t x = 12345;
	int blobs[1000];
	int64_t gas[1000];
	for (int i = 0; i < 1000; i++) {
		x = x * 1103515245u + 12345u;
		/* Busy first half (mean ~17 blobs), quiet second half. */
		blobs[i] = i < 500 ? 13 + (int)((x >> 16) % 9) : (int)((x >> 16) % 8);
		x = x * 1103515245u + 12345u;
		gas[i] = 20000000 + (int64_t)((x >> 8) % 20000001);
		size_t len = strlen(csv);
		snprintf(csv + len, sizeof(csv) - len, "%d,%lld,%d\n", i + 1,
			 (long long)gas[i], blobs[i]);
	}
	write_file(fx, "trace.csv", csv);
	start_chain(fx, "{\"fork\": \"bpo2\", \"initial_base_fee\": \"20gwei\", "
			"\"background\": {\"trace\": \"trace.csv\"}}");
	static struct blog lg;
	memset(&lg, 0, sizeof(lg));
	l1_on_block(fx->l1, log_block, &lg);
	run_slots(fx, 1000);
	assert_int_equal(lg.n, 1000);

	struct ref_sched s = { 14, 21, 11684671, 1 };
	uint64_t excess = 0, base = 20 * GWEI;
	int took_7918 = 0;
	for (size_t i = 0; i < lg.n; i++) {
		const struct l1_block *b = &lg.b[i];
		assert_int_equal(b->blobs, blobs[i]);
		assert_int_equal(b->gas_used, gas[i]);
		assert_int_equal(b->base_fee, base);
		assert_int_equal(b->excess_blob_gas, excess);
		assert_int_equal(b->blob_base_fee,
				 (uint64_t)ref_fake_exp(1, excess, s.fraction));
		uint64_t plain = excess + (uint64_t)b->blobs * 131072 >= 14 * 131072 ?
				 excess + (uint64_t)b->blobs * 131072 - 14 * 131072 : 0;
		excess = ref_excess(&s, excess, (uint64_t)b->blobs, b->base_fee);
		if (excess != plain)
			took_7918++;
		/* EIP-1559 by hand: target 30M of 60M. */
		int64_t d = b->gas_used - 30000000;
		if (d > 0) {
			uint64_t inc = (uint64_t)((unsigned __int128)base * (uint64_t)d / 30000000 / 8);
			base += inc ? inc : 1;
		} else {
			base -= (uint64_t)((unsigned __int128)base * (uint64_t)(-d) / 30000000 / 8);
		}
	}
	assert_true(took_7918 > 0);

	/* The kept rows carry the same numbers. */
	struct run_result *res = run_result_create();
	l1_collect(fx->l1, res);
	assert_int_equal(res->n_blocks, 1000);
	for (size_t i = 0; i < 1000; i++) {
		assert_int_equal(res->blocks[i].slot, (int64_t)i + 1);
		assert_int_equal(res->blocks[i].blobs, blobs[i]);
		assert_int_equal(res->blocks[i].excess_blob_gas, lg.b[i].excess_blob_gas);
		assert_int_equal(res->blocks[i].blob_base_fee_wei, lg.b[i].blob_base_fee);
		assert_int_equal(res->blocks[i].blob_gas_used, blobs[i] * 131072);
	}
	run_result_destroy(res);
}

/* A submitter that keeps counts. */
struct sub {
	struct l1_chain *l1;
	int64_t included, blobs_included, waiting, finals, reorged;
	unsigned last_reasons;
	struct l1_receipt last;
	int64_t first_inclusion_block;
};

static void on_inc(void *ctx, const struct l1_receipt *r)
{
	struct sub *s = ctx;
	s->included++;
	s->blobs_included += r->blobs;
	if (s->first_inclusion_block == 0)
		s->first_inclusion_block = r->block_number;
	s->last = *r;
}

static void on_wait(void *ctx, const struct l1_wait *w)
{
	struct sub *s = ctx;
	s->waiting++;
	s->last_reasons = w->reasons;
}

static void on_fin(void *ctx, const struct l1_receipt *r)
{
	struct sub *s = ctx;
	(void)r;
	s->finals++;
}

static void on_reorg(void *ctx, const struct l1_receipt *r)
{
	struct sub *s = ctx;
	(void)r;
	s->reorged++;
}

static struct l1_tx mktx(struct sub *s, int64_t gas, int32_t blobs,
			 uint64_t max_fee, uint64_t tip, uint64_t blob_cap)
{
	struct l1_tx tx = {
		.gas = gas, .blobs = blobs, .max_fee_per_gas = max_fee,
		.max_priority_fee_per_gas = tip, .max_fee_per_blob_gas = blob_cap,
		.on_included = on_inc, .on_waiting = on_wait, .on_final = on_fin,
		.on_reorged = on_reorg, .ctx = s,
	};
	return tx;
}

static void test_blob_ceiling_pectra(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\", \"background\": {"
			"\"gas\": {\"dist\": \"constant\", \"mean\": 0}, "
			"\"blobs\": {\"dist\": \"constant\", \"mean\": 0}}}");
	struct sub s = { .l1 = fx->l1 };
	/* Far more than fits: 3,000 txs of 3 blobs for 300 slots. */
	for (int i = 0; i < 3000; i++) {
		struct l1_tx tx = mktx(&s, 21000, 3, 1000 * GWEI, 2 * GWEI,
				       UINT64_C(1000000000000000000));
		assert_int_equal(l1_submit(fx->l1, &tx, NULL, NULL), 0);
	}
	run_slots(fx, 300);
	/* Ceiling 9 * 131,072 B / 12 s = 98,304 B/s, reached exactly. */
	double bytes_per_s = (double)s.blobs_included * 131072 / (300 * 12.0);
	assert_int_equal(s.blobs_included, 300 * 9);
	assert_true(bytes_per_s == 9.0 * 131072 / 12);
	assert_int_equal(l1_pending_count(fx->l1), 3000 - 900);
	/* Full blocks the whole way: excess = 300 * 3 blobs over target. */
	assert_int_equal(l1_excess_blob_gas(fx->l1), 300 * 3 * 131072);
	/* Txs left out were told: no room. */
	assert_true(s.waiting > 0);
	assert_int_equal(s.last_reasons, L1_WAIT_NO_ROOM);
}

static void check_gas(void *ctx, const struct l1_block *b)
{
	int64_t *max_seen = ctx;
	if (b->gas_used > *max_seen)
		*max_seen = b->gas_used;
}

static void test_gas_limit_and_tip_order(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\", \"gas_limit\": 60000000, "
			"\"background\": {\"gas\": {\"dist\": \"constant\", "
			"\"mean\": 50000000, \"elasticity\": 0}, "
			"\"priority_fee\": \"1gwei\"}}");
	int64_t max_seen = 0;
	l1_on_block(fx->l1, check_gas, &max_seen);
	struct sub hi = { .l1 = fx->l1 }, lo = { .l1 = fx->l1 };
	/* Eight 10M-gas txs outbidding the background: six fill block 1. */
	for (int i = 0; i < 8; i++) {
		struct l1_tx tx = mktx(&hi, 10000000, 0, 100 * GWEI, 2 * GWEI, 0);
		assert_int_equal(l1_submit(fx->l1, &tx, NULL, NULL), 0);
	}
	/* Below the background's tip: only gets what the background leaves. */
	struct l1_tx low = mktx(&lo, 10000000, 0, 100 * GWEI, GWEI / 2, 0);
	assert_int_equal(l1_submit(fx->l1, &low, NULL, NULL), 0);
	run_slots(fx, 1);
	assert_int_equal(hi.included, 6);
	assert_int_equal(lo.included, 0);
	assert_int_equal(lo.last_reasons, L1_WAIT_NO_ROOM);
	run_slots(fx, 2);
	/* Block 2: two more 10M txs, then 40M of the 50M background: full. */
	assert_int_equal(hi.included, 8);
	assert_int_equal(lo.included, 0);
	assert_int_equal(max_seen, 60000000);
	run_slots(fx, 50);
	assert_true(max_seen <= 60000000);
	/* The effective price is base fee + min(tip, cap - base fee). */
	assert_int_equal(hi.last.effective_gas_price,
			 hi.last.base_fee + 2 * GWEI);
	assert_true(hi.last.fee_wei ==
		    (unsigned __int128)hi.last.effective_gas_price * 10000000);
	/* A tx above the gas limit is refused at submit. */
	struct l1_tx huge = mktx(&hi, 60000001, 0, 100 * GWEI, GWEI, 0);
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(l1_submit(fx->l1, &huge, NULL, &err), L2S_EINPUT);
}

static void test_fee_cap_waits_then_included(void **state)
{
	struct fixture *fx = *state;
	/* Empty blocks: the base fee falls 12.5% a block from 10 gwei. */
	start_chain(fx, "{\"fork\": \"pectra\", \"initial_base_fee\": \"10gwei\", "
			"\"background\": {\"gas\": {\"dist\": \"constant\", "
			"\"mean\": 0}, \"blobs\": {\"dist\": \"constant\", \"mean\": 0}}}");
	struct sub s = { .l1 = fx->l1 };
	struct l1_tx tx = mktx(&s, 100000, 0, 5 * GWEI, 3 * GWEI, 0);
	uint64_t id;
	assert_int_equal(l1_submit(fx->l1, &tx, &id, NULL), 0);
	assert_true(id != 0);
	/* Block k charges 10 gwei * 0.875^(k-1) (exact here: 10e9 * 7/8
	 * stays an integer for six steps): 10, 8.75, 7.656, 6.699, 5.862,
	 * 5.129, 4.488 -> block 7 is the first at or below 5 gwei. */
	run_slots(fx, 20);
	assert_int_equal(s.waiting, 6);
	assert_int_equal(s.last_reasons, L1_WAIT_BASE_FEE);
	assert_int_equal(s.included, 1);
	assert_int_equal(s.first_inclusion_block, 7);
	uint64_t b7 = 10 * GWEI;
	for (int k = 1; k < 7; k++)
		b7 -= b7 / 8;
	assert_int_equal(s.last.base_fee, b7);
	/* Tip limited by the cap: min(3 gwei, 5 gwei - base fee). */
	assert_int_equal(s.last.effective_gas_price, 5 * GWEI);
	assert_true(s.last.tip_wei == (unsigned __int128)(5 * GWEI - b7) * 100000);
	/* Casper FFG: slot 7 waits for the checkpoint of epoch 1 (slot
	 * 32), justified at slot 64, final at slot 96. */
	assert_int_equal(s.last.slot, 7);
	assert_int_equal(s.last.justified_at, 64 * 12 * (int64_t)1000000000);
	assert_int_equal(s.last.final_at, 96 * 12 * (int64_t)1000000000);
}

static void test_blob_cap_waits(void **state)
{
	struct fixture *fx = *state;
	/* Excess 20M blob gas under pectra: fee = e^(20M/5007716) ~ 54 wei,
	 * no blobs in the background, so it decays ~14.5% a block. */
	start_chain(fx, "{\"fork\": \"pectra\", \"initial_excess_blob_gas\": 20000000, "
			"\"background\": {\"gas\": {\"dist\": \"constant\", "
			"\"mean\": 18000000, \"elasticity\": 0}, "
			"\"blobs\": {\"dist\": \"constant\", \"mean\": 0}}}");
	uint64_t fee0 = l1_blob_base_fee(fx->l1);
	assert_int_equal(fee0, (uint64_t)ref_fake_exp(1, 20000000, 5007716));
	struct sub s = { .l1 = fx->l1 };
	struct l1_tx tx = mktx(&s, 21000, 2, 100 * GWEI, GWEI, 10);
	assert_int_equal(l1_submit(fx->l1, &tx, NULL, NULL), 0);
	/* Independent count of the blocks it must wait. */
	uint64_t excess = 20000000;
	int waits = 0;
	while (ref_fake_exp(1, excess, 5007716) > 10) {
		waits++;
		excess = excess > 6 * 131072 ? excess - 6 * 131072 : 0;
	}
	run_slots(fx, 40);
	assert_int_equal(s.waiting, waits);
	assert_int_equal(s.last_reasons, L1_WAIT_BLOB_FEE);
	assert_int_equal(s.included, 1);
	assert_int_equal(s.last.block_number, waits + 1);
	assert_true(s.last.blob_gas_price <= 10);
	assert_true(s.last.blob_fee_wei ==
		    (unsigned __int128)s.last.blob_gas_price * 2 * 131072);
}

/* A batcher that rebids from its waiting callback. */
struct rebidder {
	struct l1_chain *l1;
	uint64_t id;
	struct l1_tx tx;
	int rebids;
	int64_t included;
};

static void rb_inc(void *ctx, const struct l1_receipt *r)
{
	struct rebidder *rb = ctx;
	(void)r;
	rb->included++;
}

static void rb_wait(void *ctx, const struct l1_wait *w)
{
	struct rebidder *rb = ctx;
	struct l1_tx t = rb->tx;
	t.max_fee_per_gas = w->next_base_fee * 2 > t.max_fee_per_gas * 2 ?
			    w->next_base_fee * 2 : t.max_fee_per_gas * 2;
	t.max_priority_fee_per_gas *= 2;
	if (l1_replace(rb->l1, w->tx_id, &t, NULL) == 0) {
		rb->tx = t;
		rb->rebids++;
	}
}

static void test_replace_cancel_and_limits(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"bpo1\", \"initial_base_fee\": \"10gwei\", "
			"\"background\": {\"gas\": {\"dist\": \"constant\", "
			"\"mean\": 30000000, \"elasticity\": 0}}}");
	struct sub s = { .l1 = fx->l1 };
	struct l2s_error err;
	uint64_t a, b;

	/* EIP-7594: at most 6 blobs per tx on Fusaka forks. */
	struct l1_tx seven = mktx(&s, 21000, 7, 100 * GWEI, GWEI, 1000);
	l2s_error_clear(&err);
	assert_int_equal(l1_submit(fx->l1, &seven, NULL, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "blobs"));
	/* EIP-7825: 2^24 gas per tx. */
	struct l1_tx big = mktx(&s, 16777217, 0, 100 * GWEI, GWEI, 0);
	assert_int_equal(l1_submit(fx->l1, &big, NULL, &err), L2S_EINPUT);
	struct l1_tx ok = mktx(&s, 16777216, 0, 100 * GWEI, GWEI, 0);
	assert_int_equal(l1_submit(fx->l1, &ok, &a, &err), 0);
	assert_int_equal(l1_cancel(fx->l1, a, &err), 0);
	assert_int_equal(l1_cancel(fx->l1, a, &err), L2S_EINPUT);
	assert_int_equal(l1_pending_count(fx->l1), 0);
	struct l1_tx below = mktx(&s, 21000, 0, GWEI, 2 * GWEI, 0);
	assert_int_equal(l1_submit(fx->l1, &below, NULL, &err), L2S_EINPUT);

	/* Blob replacement needs 100% on every fee field. */
	struct l1_tx bt = mktx(&s, 21000, 6, 5 * GWEI, GWEI, 1000);
	assert_int_equal(l1_submit(fx->l1, &bt, &b, &err), 0);
	struct l1_tx bump = bt;
	bump.max_fee_per_gas = 9 * GWEI;
	bump.max_priority_fee_per_gas = 2 * GWEI;
	bump.max_fee_per_blob_gas = 2000;
	assert_int_equal(l1_replace(fx->l1, b, &bump, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "underpriced"));
	bump.max_fee_per_gas = 10 * GWEI;
	assert_int_equal(l1_replace(fx->l1, b, &bump, &err), 0);
	/* 10 gwei cap against a 10 gwei base fee: included in block 1. */
	run_slots(fx, 1);
	assert_int_equal(s.included, 1);
	assert_int_equal(s.last.tx_id, b);
	assert_int_equal(s.last.effective_gas_price, 10 * GWEI);
	assert_int_equal(l1_replace(fx->l1, b, &bump, &err), L2S_EINPUT);

	/* Calldata gas follows the fork (EIP-7623 on bpo1). */
	assert_int_equal(l1_calldata_gas(fx->l1, 0, 100000, 0), 4021000);

	/* A rebidding batcher gets in although its first cap is too low. */
	struct rebidder rb = { .l1 = fx->l1 };
	rb.tx = (struct l1_tx){ .gas = 50000, .max_fee_per_gas = GWEI,
				.max_priority_fee_per_gas = GWEI / 10,
				.on_included = rb_inc, .on_waiting = rb_wait,
				.ctx = &rb };
	assert_int_equal(l1_submit(fx->l1, &rb.tx, &rb.id, NULL), 0);
	run_slots(fx, 10);
	assert_int_equal(rb.included, 1);
	assert_true(rb.rebids >= 1);
}

static void test_missed_slots(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\", \"missed_slot_probability\": 0.2}");
	static struct blog lg;
	memset(&lg, 0, sizeof(lg));
	l1_on_block(fx->l1, log_block, &lg);
	run_slots(fx, 10000);
	/* Binomial(10000, 0.8): sd 40; allow 4 sd. */
	assert_true(lg.n > 8000 - 160 && lg.n < 8000 + 160);
	assert_int_equal(lg.n + lg.missed, 10000);
	struct run_result *res = run_result_create();
	l1_collect(fx->l1, res);
	assert_int_equal((int64_t)res_metric_get(res, "l1", "blocks"), (int64_t)lg.n);
	assert_int_equal((int64_t)res_metric_get(res, "l1", "missed_slots"),
			 (int64_t)lg.missed);
	run_result_destroy(res);
}

static void test_forced_miss_keeps_fees(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\", \"background\": {"
			"\"gas\": {\"dist\": \"constant\", \"mean\": 36000000, \"elasticity\": 0},"
			"\"blobs\": {\"dist\": \"constant\", \"mean\": 9}}}");
	static struct blog lg;
	memset(&lg, 0, sizeof(lg));
	l1_on_block(fx->l1, log_block, &lg);
	run_slots(fx, 5);
	uint64_t bf = l1_base_fee(fx->l1), xb = l1_excess_blob_gas(fx->l1);
	l1_force_miss(fx->l1, 3);
	run_slots(fx, 8);
	assert_int_equal(lg.missed, 3);
	assert_int_equal(lg.n, 5);
	assert_int_equal(l1_base_fee(fx->l1), bf);
	assert_int_equal(l1_excess_blob_gas(fx->l1), xb);
	run_slots(fx, 9);
	assert_int_equal(lg.n, 6);
	assert_int_equal(lg.b[5].slot, 9);
	assert_int_equal(lg.b[5].base_fee, bf);
	assert_true(l1_base_fee(fx->l1) > bf);
}

static void test_finality_and_reorg(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\"}");
	struct sub s = { .l1 = fx->l1 };
	struct l1_tx tx = mktx(&s, 100000, 1, 100 * GWEI, 2 * GWEI, 1000000000);
	uint64_t id;
	assert_int_equal(l1_submit(fx->l1, &tx, &id, NULL), 0);
	run_slots(fx, 1);
	assert_int_equal(s.included, 1);
	assert_int_equal(s.last.block_number, 1);
	/* Reorg of the last 2 blocks after block 1 and 2 reaches it. */
	run_slots(fx, 2);
	assert_int_equal(l1_reorg(fx->l1, 1), 0);
	assert_int_equal(l1_reorg(fx->l1, 2), 1);
	assert_int_equal(s.reorged, 1);
	assert_int_equal(l1_pending_count(fx->l1), 1);
	run_slots(fx, 3);
	assert_int_equal(s.included, 2);
	assert_int_equal(s.last.tx_id, id);
	assert_int_equal(s.last.slot, 3);
	sim_time_t fin = s.last.final_at;
	/* Slot 3: checkpoint of epoch 1, final at the start of slot 96. */
	assert_int_equal(fin, 96 * 12 * (int64_t)1000000000);
	run_slots(fx, 95);
	assert_int_equal(s.finals, 0);
	run_slots(fx, 96);
	assert_int_equal(s.finals, 1);
	/* Final blocks cannot be reorged. */
	assert_int_equal(l1_reorg(fx->l1, 1000), 0);
	assert_int_equal(s.reorged, 1);
}

struct boundary {
	struct l1_chain *l1;
	struct sub s;
	int submitted;
};

static void submit_from_listener(void *ctx, const struct l1_block *b)
{
	struct boundary *bd = ctx;
	if (b->slot == 1 && !bd->submitted) {
		struct l1_tx tx = mktx(&bd->s, 21000, 0, 100 * GWEI, GWEI, 0);
		assert_int_equal(l1_submit(bd->l1, &tx, NULL, NULL), 0);
		bd->submitted = 1;
	}
}

static void test_submit_at_boundary_waits_a_slot(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{\"fork\": \"pectra\"}");
	static struct boundary bd;
	memset(&bd, 0, sizeof(bd));
	bd.l1 = fx->l1;
	l1_on_block(fx->l1, submit_from_listener, &bd);
	run_slots(fx, 3);
	assert_int_equal(bd.s.included, 1);
	assert_int_equal(bd.s.last.slot, 2);
	assert_int_equal(bd.s.waiting, 0);
}

static void expect_error(struct fixture *fx, const char *json, int code,
			 const char *msg_part, const char *hint_part)
{
	struct l2s_error err;
	int rc = make_chain(fx, json, &err);
	assert_int_equal(rc, code);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
	if (hint_part && !strstr(err.hint, hint_part))
		fail_msg("hint '%s' lacks '%s'", err.hint, hint_part);
	assert_null(fx->l1);
	sim_destroy(fx->sim);
	fx->sim = NULL;
	scenario_destroy(fx->scn);
	fx->scn = NULL;
}

static void test_config_errors(void **state)
{
	struct fixture *fx = *state;
	expect_error(fx, "{\"blob_traget\": 3}", L2S_EINPUT, "blob_traget", "blob_target");
	expect_error(fx, "{\"fork\": \"pectr\"}", L2S_EINPUT, "pectr", "pectra");
	expect_error(fx, "{\"blob_target\": 3, \"blob_max\": 6}", L2S_EINPUT,
		     "blob_update_fraction", NULL);
	expect_error(fx, "{\"fork\": \"pectra\", \"blob_max\": 4}", L2S_EINPUT,
		     "below", NULL);
	expect_error(fx, "{\"missed_slot_probability\": 1.5}", L2S_EINPUT, NULL, NULL);
	expect_error(fx, "{\"slot_time\": \"12 parsecs\"}", L2S_EINPUT, NULL, NULL);
	expect_error(fx, "{\"background\": {\"gas\": {\"dist\": \"gaussian\"}}}",
		     L2S_EINPUT, "gaussian", NULL);
	expect_error(fx, "{\"background\": {\"gas\": {\"dist\": \"uniform\", \"mean\": 3}}}",
		     L2S_EINPUT, "mean", NULL);
	expect_error(fx, "{\"background\": {\"blobs\": {\"elasticity\": 1}}}",
		     L2S_EINPUT, "reference_fee", NULL);
	/* a missing trace is bad input (exit 2), like a workload trace */
	expect_error(fx, "{\"background\": {\"trace\": \"nope.csv\"}}", L2S_EINPUT,
		     "nope.csv", NULL);
	write_file(fx, "bad.csv", "slot,blobs\n1,3\n2,x\n");
	expect_error(fx, "{\"background\": {\"trace\": \"bad.csv\"}}", L2S_EINPUT,
		     "line 3", NULL);
	write_file(fx, "nocol.csv", "slot,foo\n1,3\n");
	expect_error(fx, "{\"background\": {\"trace\": \"nocol.csv\"}}", L2S_EINPUT,
		     "column", NULL);
	write_file(fx, "ok.csv", "slot,blobs\n1,3\n");
	expect_error(fx, "{\"background\": {\"trace\": \"ok.csv\", \"blobs\": {}}}",
		     L2S_EINPUT, "blobs", NULL);
	/* Explicit parameters work. */
	struct l2s_error err;
	assert_int_equal(make_chain(fx, "{\"blob_target\": 3, \"blob_max\": 6, "
					"\"blob_update_fraction\": 3338477, "
					"\"eip7918\": false}", &err), 0);
	assert_string_equal(l1_fork(fx->l1)->name, "explicit");
	assert_int_equal(l1_blob_max(fx->l1), 6);
	assert_false(l1_fork(fx->l1)->eip7918);
	assert_int_equal(l1_gas_limit(fx->l1), 60000000);
}

static void test_defaults_and_collect(void **state)
{
	struct fixture *fx = *state;
	start_chain(fx, "{}");
	assert_string_equal(l1_fork(fx->l1)->name, "bpo2");
	assert_int_equal(l1_gas_limit(fx->l1), 60000000);
	assert_int_equal(l1_slot_time(fx->l1), 12 * (int64_t)1000000000);
	assert_int_equal(l1_blob_target(fx->l1), 14);
	assert_int_equal(l1_max_blobs_per_tx(fx->l1), 6);
	l1_set_recording(fx->l1, 3600 * (int64_t)1000000000, 0, 600 * (int64_t)1000000000);
	run_slots(fx, 3000);
	struct run_result *res = run_result_create();
	l1_collect(fx->l1, res);
	/* Warm-up of an hour = 300 slots; blocks 300..3000. */
	assert_int_equal((int64_t)res_metric_get(res, "l1", "blocks"), 2701);
	/* Elastic background gas keeps the base fee near 1 gwei and the
	 * blocks near half full. */
	double bf = res_metric_get(res, "l1", "base_fee_gwei_mean");
	assert_true(bf > 0.7 && bf < 1.4);
	double gu = res_metric_get(res, "l1", "gas_utilization");
	assert_true(gu > 0.45 && gu < 0.55);
	/* Poisson background at 7 blobs: utilization ~ 7/21; EIP-7918
	 * keeps the blob fee near base fee / 16. */
	double bu = res_metric_get(res, "l1", "blob_utilization");
	assert_true(bu > 0.3 && bu < 0.37);
	double blobfee = res_metric_get(res, "l1", "blob_base_fee_gwei_mean");
	assert_true(blobfee > bf / 16 * 0.5 && blobfee < bf / 16 * 2);
	assert_true(res_metric_get(res, "l1", "base_fee_gwei_max") >= bf);
	assert_true(res_metric_get(res, "l1", "blobs_per_block_mean") > 6);
	assert_int_equal(res->n_blocks, 0);
	/* 36,000 s / 600 s = 60 points per series. */
	size_t pts = 0;
	for (size_t i = 0; i < res->n_points; i++)
		if (!strcmp(res->points[i].name, "blobs_per_block"))
			pts++;
	assert_int_equal(pts, 60);
	run_result_destroy(res);
}

static void test_deterministic(void **state)
{
	struct fixture *fx = *state;
	static struct blog a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	start_chain(fx, "{\"fork\": \"bpo1\", \"missed_slot_probability\": 0.05}");
	l1_on_block(fx->l1, log_block, &a);
	run_slots(fx, 2000);
	l1_destroy(fx->l1);
	fx->l1 = NULL;
	sim_destroy(fx->sim);
	fx->sim = NULL;
	scenario_destroy(fx->scn);
	fx->scn = NULL;
	start_chain(fx, "{\"fork\": \"bpo1\", \"missed_slot_probability\": 0.05}");
	l1_on_block(fx->l1, log_block, &b);
	run_slots(fx, 2000);
	assert_int_equal(a.n, b.n);
	assert_int_equal(memcmp(a.b, b.b, a.n * sizeof(a.b[0])), 0);
}

/* Casper FFG by slot position within the epoch (32 slots): the first
 * checkpoint at or after the block (slot 32 c) is justified at the end of
 * epoch c and final at the end of epoch c + 1. */
static void test_ffg_finality(void **state)
{
	(void)state;
	/* slot -> (justified slot, final slot, slots to finality) */
	static const int64_t v[][3] = {
		{0, 32, 64},     /* genesis is its own checkpoint */
		{1, 64, 96},     /* 95 slots */
		{31, 64, 96},    /* 65 */
		{32, 64, 96},    /* an epoch's first slot: 64 */
		{33, 96, 128},   /* 95 */
		{63, 96, 128},   /* 65 */
		{64, 96, 128},   /* 64 */
		{100, 160, 192}, /* 92 */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(l1_ffg_justified_slot(v[i][0]), v[i][1]);
		assert_int_equal(l1_ffg_final_slot(v[i][0]), v[i][2]);
	}
	/* 64 ... 95 slots: every position of an epoch once. */
	int64_t lo = INT64_MAX, hi = 0, sum = 0;
	for (int64_t sl = 32; sl < 64; sl++) {
		int64_t d = l1_ffg_final_slot(sl) - sl;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += d;
	}
	assert_int_equal(lo, 64);
	assert_int_equal(hi, 95);
	/* Mean over the epoch: (64 + (95 + 65) x 31 / 2) / 32 = 79.5. */
	assert_int_equal(sum * 2, 159 * 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blob_fee_rise_and_decay_pectra, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_drives_exact_blobs_bpo2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_ceiling_pectra, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gas_limit_and_tip_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fee_cap_waits_then_included, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_cap_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_cancel_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missed_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_miss_keeps_fees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finality_and_reorg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_at_boundary_waits_a_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_and_collect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test(test_ffg_finality),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
