/*
 * Reading the scenario's "systems" and "shared_sequencers".  Defaults are
 * chosen per system type from the figures in docs/model-systems.md, which
 * gives their sources; every key can be overridden.  Mechanisms read
 * their own keys (models/mechanisms/).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/names.h"
#include "l2sim/mechanism.h"
#include "l2sim/system.h"

static const char *const type_names[] = {
	"optimistic_rollup", "zk_rollup", "sdr", "validium", "volition", NULL,
};

const char *sys_type_name(enum sys_type t) { return type_names[t]; }

static const char *const system_keys[] = {
	"name", "description", "type", "count", "workload", "da", "sequencer",
	"batcher", "prover", "settlement", "aggregator", "ecosystem",
	"liveness", "l1_share", "settles_on", "fees", "preset", NULL,
};

static const char *const seq_keys[] = {
	"type", "name", "capacity", "gas_capacity", "mempool_limit",
	"block_time", "confirm_latency", NULL,
};

static const char *const batcher_keys[] = {
	"max_batch_size", "max_delay", "blobs_per_tx", "blob_payload",
	"max_calldata_tx", "compression", "level", "max_fee", "max_blob_fee",
	"priority_fee", "max_pending_txs", "rebid", "batch_gas",
	"commitment_size", "da_fallback", "encoding", NULL,
};

static const char *const settle_keys[] = {
	"challenge_window", "state_root_gas", "state_root_interval",
	"verify_extra_gas", "verification", "enshrined_gas",
	"parent_proof_bytes", NULL,
};

static const char *const verification_names[] = {"proof", "enshrined",
						  NULL};

static const char *const live_keys[] = {"sequence_within", "post_within",
					 "finalize_within", NULL};

static const char *const seq_type_names[] = {"own", "shared", "based",
					       "rotating", "auction", NULL};

#define RATE(x) ((int64_t)(x) * SCN_RATE_ONE)

/* Checks the keys of 'section': its own and those of the mechanisms that
 * read it. */
static int check_section_keys(const struct scn_obj *o, const char *section,
			      const char *const *own, struct l2s_error *err)
{
	/* Nothing to check in an empty or absent section (unless the
	 * schema is being gathered, which wants every key list). */
	if (json_object_size(o->obj) == 0 && !(o->scn && o->scn->schema))
		return 0;
	const char *keys[96];
	size_t n = 0;
	for (size_t i = 0; own[i] && n < 95; i++)
		keys[n++] = own[i];
	for (size_t m = 0; mech_registry[m]; m++) {
		const struct mechanism *x = mech_registry[m];
		if (strcmp(x->section, section))
			continue;
		for (size_t i = 0; x->keys[i] && n < 95; i++)
			keys[n++] = x->keys[i];
	}
	keys[n] = NULL;
	return scn_check_keys(o, keys, err);
}

/* Sections of a system entry the system reads itself; mechanisms may
 * add keys to them.  Any other section named by a mechanism belongs to
 * the mechanisms that name it. */
static const char *const own_sections[] = {
	"sequencer", "batcher", "prover", "settlement", "liveness", NULL,
};

static bool is_own_section(const char *section)
{
	for (size_t i = 0; own_sections[i]; i++)
		if (!strcmp(own_sections[i], section))
			return true;
	return false;
}

/* The keys of a system entry: its own and the mechanisms' sections. */
static const char *sys_entry_keys[64];
static pthread_once_t sys_entry_keys_once = PTHREAD_ONCE_INIT;

/* The list is the same for every entry: made once per process. */
static void sys_entry_keys_init(void)
{
	size_t n = 0;
	for (size_t i = 0; system_keys[i] && n < 63; i++)
		sys_entry_keys[n++] = system_keys[i];
	for (size_t m = 0; mech_registry[m] && n < 63; m++) {
		const char *sec = mech_registry[m]->section;
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen = seen || !strcmp(sys_entry_keys[i], sec);
		if (!seen)
			sys_entry_keys[n++] = sec;
	}
	sys_entry_keys[n] = NULL;
}

static int check_system_keys(const struct scn_obj *so, struct l2s_error *err)
{
	pthread_once(&sys_entry_keys_once, sys_entry_keys_init);
	return scn_check_keys(so, sys_entry_keys, err);
}

/* Each mechanism reads its settings from its section. */
static int read_mechanisms(struct system_def *d, const struct scn_obj *so,
			   struct l2s_error *err)
{
	static const char *const none[] = {NULL};
	size_t n = mech_count();
	struct scn_obj *objs = malloc((n ? n : 1) * sizeof(*objs));
	int rc = 0;
	if (!objs)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	/* Every section's keys first, then the mechanisms' reads. */
	for (size_t m = 0; m < n && !rc; m++) {
		const char *sec = mech_registry[m]->section;
		if (!(rc = scn_get_obj(so, sec, &objs[m], NULL, err)) &&
		    !is_own_section(sec))
			rc = check_section_keys(&objs[m], sec, none, err);
	}
	if (!rc && !(d->mech_cfg = calloc(n + 1, sizeof(*d->mech_cfg))))
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t m = 0; m < n && !rc; m++)
		rc = mech_registry[m]->read(&objs[m], &d->mech_cfg[m], err);
	free(objs);
	return rc;
}

/* The "fees" object: the fee mechanism and its settings
 * (docs/model-fees.md). */
static int read_fees(struct system_def *d, const struct scn_obj *so,
		     struct l2s_error *err)
{
	struct scn_obj o;
	bool has;
	int rc = scn_get_obj(so, "fees", &o, &has, err);
	if (rc || !has)
		return rc;
	return fees_cfg_read(&o, d->type == SYS_VALIDIUM, &d->fees, err);
}

static int read_sequencer(const struct sys_env *w, struct system_def *d,
			  const struct scn_obj *so, struct l2s_error *err)
{
	struct scn_obj o;
	bool has;
	int rc;
	if ((rc = scn_get_obj(so, "sequencer", &o, &has, err)))
		return rc;
	if ((rc = check_section_keys(&o, "sequencer", seq_keys, err)))
		return rc;
	struct seq_cfg *s = &d->seq;
	int t;
	if ((rc = scn_get_enum(&o, "type", SEQ_OWN, seq_type_names, &t, err)))
		return rc;
	s->type = (enum seq_type)t;
	/* Own sequencer defaults: a single operator with room for a few
	 * thousand tx/s, OP Stack's 2 s blocks (docs/model-systems.md). */
	int64_t dflt_cap = RATE(2000);
	sim_time_t dflt_block = 2 * SIM_S;
	if (s->type == SEQ_BASED) {
		dflt_block = l1_slot_time(w->l1);
		dflt_cap = RATE(5000);
	}
	if ((rc = scn_get_rate(&o, "capacity", dflt_cap, 1, INT64_MAX,
			       &s->capacity, err)) ||
	    (rc = scn_get_int(&o, "gas_capacity", 0, 0, INT64_MAX / 4,
			      &s->gas_capacity, err)) ||
	    (rc = scn_get_int(&o, "mempool_limit", 1000000, 1, INT64_MAX / 4,
			      &s->mempool_limit, err)) ||
	    (rc = scn_get_duration(&o, "block_time", dflt_block, SIM_MS,
				   SIM_HOUR, &s->block_time, err)) ||
	    (rc = scn_get_duration(&o, "confirm_latency", 100 * SIM_MS, 0,
				   SIM_HOUR, &s->confirm_latency, err)))
		return rc;
	const char *nm = NULL;
	if ((rc = scn_get_string(&o, "name", NULL, &nm, err)))
		return rc;
	if (s->type == SEQ_SHARED) {
		if (!nm)
			return scn_fail(&o, "type", err, "a shared sequencer "
					"needs \"name\" of an entry of "
					"shared_sequencers");
		s->shared_name = nm;
		for (size_t i = 0; i < w->n_shared; i++)
			if (!strcmp(shared_seq_config(w->shared[i])->name, nm))
				d->shared = w->shared[i];
		if (!d->shared) {
			const char *cands[65] = {0};
			for (size_t i = 0; i < w->n_shared && i < 64; i++)
				cands[i] = shared_seq_config(w->shared[i])->name;
			rc = scn_fail(&o, "name", err, "no shared sequencer "
				      "named '%s'", nm);
			const char *near = l2s_closest(nm, cands);
			if (near)
				l2s_error_hint(err, "did you mean '%s'?", near);
			else
				l2s_error_hint(err, "declare it in "
					       "shared_sequencers");
			return rc;
		}
	} else if (nm) {
		return scn_fail(&o, "name", err, "\"name\" is only for "
				"\"type\": \"shared\"");
	}
	return 0;
}

static int read_da(const struct sys_env *w, struct system_def *d,
		   const struct scn_obj *so, struct l2s_error *err)
{
	const char *dflt = d->type == SYS_VALIDIUM || d->type == SYS_VOLITION
				   ? NULL
				   : "ethereum_blobs";
	const char *da;
	int rc = scn_get_string(so, "settles_on", NULL, &d->settles_on, err);
	if (rc)
		return rc;
	/* A rollup settling on another system posts its data there. */
	if (d->settles_on && d->type != SYS_VALIDIUM)
		dflt = "parent";
	if ((rc = scn_get_string(so, "da", dflt, &da, err)))
		return rc;
	struct batcher_cfg *b = &d->batcher;
	/* a validium or volition has no default: checked below */
	if (da && !strcmp(da, "parent")) {
		if (!d->settles_on)
			return scn_fail(so, "da", err, "\"da\": \"parent\" "
					"needs \"settles_on\"");
		if (d->type == SYS_VALIDIUM)
			return scn_fail(so, "da", err, "a validium keeps its "
					"data off its parent: \"da\" must name "
					"a layer from da_layers");
		b->target = DA_PARENT;
		return 0;
	}
	if (d->settles_on && d->type != SYS_VALIDIUM)
		return scn_fail(so, "da", err, "a rollup settling on '%s' "
				"posts its data in its parent's batches: "
				"\"da\" must be \"parent\" or absent",
				d->settles_on);
	if (!da)
		return scn_fail(so, "type", err, "a %s needs \"da\": the name "
				"of a committee or layer from da_layers",
				type_names[d->type]);
	if (!strcmp(da, "ethereum_blobs")) {
		b->target = DA_L1_BLOBS;
	} else if (!strcmp(da, "ethereum_calldata")) {
		b->target = DA_L1_CALLDATA;
	} else if (!strcmp(da, "auto") || !strcmp(da, "ethereum_auto")) {
		b->target = DA_L1_AUTO;
	} else {
		d->da = da_find(w->da, da);
		if (!d->da) {
			const char *cands[70] = {"ethereum_blobs",
						 "ethereum_calldata", "auto"};
			size_t n = 3;
			for (size_t i = 0; i < da_count(w->da) && n < 69; i++)
				cands[n++] = da_layer_name(da_at(w->da, i));
			rc = scn_fail(so, "da", err, "no DA layer named '%s'",
				      da);
			const char *near = l2s_closest(da, cands);
			if (near)
				l2s_error_hint(err, "did you mean '%s'?", near);
			else
				l2s_error_hint(err, "use ethereum_blobs, "
					       "ethereum_calldata, auto, or "
					       "declare it in da_layers");
			return rc;
		}
		b->target = DA_ALT;
		b->da_name = da;
	}
	if ((d->type == SYS_VALIDIUM || d->type == SYS_VOLITION) &&
	    b->target != DA_ALT)
		return scn_fail(so, "da", err, "a %s keeps its data off L1: "
				"\"da\" must name a layer from da_layers",
				type_names[d->type]);
	return 0;
}

static int read_batcher(const struct sys_env *w, struct system_def *d,
			const struct scn_obj *so, struct l2s_error *err)
{
	struct scn_obj o;
	bool has;
	int rc;
	if ((rc = scn_get_obj(so, "batcher", &o, &has, err)))
		return rc;
	if ((rc = scn_check_keys(&o, batcher_keys, err)))
		return rc;
	struct batcher_cfg *b = &d->batcher;
	int32_t fork_max = l1_max_blobs_per_tx(w->l1);
	int64_t blobs = 0, payload, maxpend, level = -1;
	/* Usable bytes per blob are the stack's (docs/sources.md §1.5): OP
	 * Stack's 130,044 for transaction-data systems, zkSync's 4,096 x 31
	 * = 126,976 for state-diff rollups (zkSync Era, Starknet); presets
	 * set their own.  Operators of busy chains are told to post 6-blob
	 * transactions (docs/model-systems.md). */
	int64_t dflt_payload = d->type == SYS_SDR ? 126976 : 130044;
	if ((rc = scn_get_int(&o, "blobs_per_tx", fork_max < 6 ? fork_max : 6,
			      1, fork_max, &blobs, err)) ||
	    (rc = scn_get_size(&o, "blob_payload", dflt_payload, 1024,
			       L1_BYTES_PER_BLOB, &payload, err)))
		return rc;
	b->blobs_per_tx = (int32_t)blobs;
	b->blob_payload = payload;
	/* Calldata batches: OP's 120,000-byte max L1 tx size. */
	if ((rc = scn_get_size(&o, "max_calldata_tx", 120000, 1024, 1 << 22,
			       &b->max_calldata_tx, err)))
		return rc;
	int64_t dflt_size = b->target == DA_L1_CALLDATA ||
				    b->target == DA_PARENT
				? b->max_calldata_tx
				: b->target == DA_ALT
					? 2 * 1024 * 1024
					: (int64_t)b->blobs_per_tx * payload;
	if (b->target == DA_ALT && da_layer_max_block_bytes(d->da) > 0 &&
	    da_layer_max_block_bytes(d->da) < dflt_size)
		dflt_size = da_layer_max_block_bytes(d->da);
	/* Defaults per type: transaction-data rollups compress with brotli
	 * (OP Stack since Fjord, Arbitrum) or zstd (Scroll); a state-diff
	 * rollup posts its packed diff as it is (zkSync). */
	enum comp_algo dflt_algo = d->type == SYS_OPTIMISTIC ? COMP_BROTLI
				   : d->type == SYS_SDR     ? COMP_NONE
							    : COMP_ZSTD;
	int algo;
	if ((rc = scn_get_size(&o, "max_batch_size", dflt_size, 1024,
			       INT64_C(1) << 32, &b->max_batch_bytes, err)) ||
	    (rc = scn_get_duration(&o, "max_delay", 10 * SIM_MIN, SIM_S,
				   30 * SIM_DAY, &b->max_delay, err)) ||
	    (rc = scn_get_enum(&o, "compression", dflt_algo, comp_algo_names,
			       &algo, err)))
		return rc;
	b->algo = (enum comp_algo)algo;
	int lo, hi;
	comp_level_range(b->algo, &lo, &hi);
	/* Brotli at 9 rather than the library's 11: within ~3% of its bytes
	 * (docs/model-bytes.md) at a fraction of the calibration time. */
	int dl = b->algo == COMP_BROTLI ? 9 : comp_default_level(b->algo);
	if ((rc = scn_get_int(&o, "level", dl, lo, hi, &level, err)))
		return rc;
	b->level = (int)level;
	int enc;
	if ((rc = scn_get_enum(&o, "encoding", TXENC_RLP,
			       txkind_encoding_names, &enc, err)))
		return rc;
	b->encoding = (enum tx_encoding)enc;
	int64_t cs;
	struct l1poster_cfg *pc = &d->poster;
	if ((rc = scn_get_fee(&o, "max_fee", UINT64_C(500000000000),
			      UINT64_MAX / 4, &pc->max_fee, err)) ||
	    (rc = scn_get_fee(&o, "max_blob_fee", UINT64_C(500000000000),
			      UINT64_MAX / 4, &pc->max_blob_fee, err)) ||
	    (rc = scn_get_fee(&o, "priority_fee", UINT64_C(1000000000),
			      UINT64_MAX / 4, &pc->priority_fee, err)) ||
	    (rc = scn_get_int(&o, "max_pending_txs", 8, 1, 1024, &maxpend,
			      err)) ||
	    (rc = scn_get_bool(&o, "rebid", true, &pc->rebid, err)) ||
	    (rc = scn_get_size(&o, "commitment_size", 64, 0, 1 << 20, &cs,
			       err)) ||
	    (rc = scn_get_bool(&o, "da_fallback", d->type == SYS_OPTIMISTIC,
			       &b->da_fallback, err)))
		return rc;
	if (pc->priority_fee > pc->max_fee)
		return scn_fail(&o, "priority_fee", err, "priority_fee is "
				"above max_fee");
	b->max_pending_txs = (int32_t)maxpend;
	b->commitment_bytes = cs;
	b->state_diffs = d->type == SYS_SDR;
	b->split = d->type == SYS_VOLITION;
	b->commit_on_l1 = d->type == SYS_OPTIMISTIC;
	/* Per-batch L1 execution gas besides data: a ZK rollup's commit
	 * (zkSync's operator estimate: 61,000 per batch,
	 * docs/model-settlement.md);
	 * an optimistic batch to an inbox address needs none. */
	int64_t dflt_gas = d->type == SYS_OPTIMISTIC ? 0 : 61000;
	if ((rc = scn_get_int(&o, "batch_gas", dflt_gas, 0, 1 << 24,
			      &b->batch_gas, err)))
		return rc;
	return 0;
}

static int read_settlement(const struct sys_env *w, struct system_def *d,
			   const struct scn_obj *so, struct l2s_error *err)
{
	struct scn_obj o;
	bool has;
	int rc;
	if ((rc = scn_get_obj(so, "settlement", &o, &has, err)))
		return rc;
	if ((rc = check_section_keys(&o, "settlement", settle_keys, err)))
		return rc;
	struct settle_cfg *s = &d->settle;
	s->mode = d->type == SYS_OPTIMISTIC ? SETTLE_CHALLENGE : SETTLE_PROOF;
	s->commitments_with_proof = d->type == SYS_VALIDIUM;
	s->commitment_bytes = d->batcher.commitment_bytes;
	/* OP Mainnet: 7-day finalization period; output roots about hourly
	 * (docs/model-systems.md). */
	if ((rc = scn_get_duration(&o, "challenge_window", 7 * SIM_DAY, 0,
				   365 * SIM_DAY, &s->challenge_window, err)) ||
	    (rc = scn_get_int(&o, "state_root_gas", 100000, 0, 1 << 24,
			      &s->state_root_gas, err)) ||
	    (rc = scn_get_duration(&o, "state_root_interval", SIM_HOUR,
				   SIM_S, 30 * SIM_DAY, &s->state_root_interval,
				   err)) ||
	    (rc = scn_get_int(&o, "verify_extra_gas", 50000, 0, 1 << 24,
			      &s->verify_extra_gas, err)))
		return rc;
	int ver = 0;
	if ((rc = scn_get_enum(&o, "verification", 0, verification_names,
			       &ver, err)))
		return rc;
	if (ver == 1) {
		if (d->type == SYS_OPTIMISTIC)
			return scn_fail(&o, "verification", err, "an "
					"optimistic rollup is not verified: it "
					"has a challenge window");
		if (d->settles_on)
			return scn_fail(&o, "verification", err, "enshrined "
					"verification is on L1; this system "
					"settles on '%s'", d->settles_on);
		if (!scn_has(&o, "enshrined_gas"))
			return scn_fail(&o, "verification", err, "enshrined "
					"verification needs \"enshrined_gas\": "
					"L1 gas per verified batch");
		s->mode = SETTLE_ENSHRINED;
	}
	if ((rc = scn_get_int(&o, "enshrined_gas", 0, 0, 1 << 24,
			      &s->enshrined_gas, err)))
		return rc;
	if (scn_has(&o, "enshrined_gas") && ver != 1)
		return scn_fail(&o, "enshrined_gas", err, "\"enshrined_gas\" "
				"needs \"verification\": \"enshrined\"");
	/* A proof verified on the parent adds its bytes to the parent's
	 * batch: 768 bytes, a PLONK proof of snarkjs (9 G1 points of 64
	 * bytes and 6 field elements of 32; docs/model-settlement.md). */
	if ((rc = scn_get_size(&o, "parent_proof_bytes", 768, 0, 1 << 24,
			       &s->parent_proof_bytes, err)))
		return rc;
	if (scn_has(&o, "parent_proof_bytes") && !d->settles_on)
		return scn_fail(&o, "parent_proof_bytes", err, "only a system "
				"with \"settles_on\" verifies its proofs on a "
				"parent");
	s->on_parent = d->settles_on != NULL;
	if (d->type != SYS_OPTIMISTIC && has &&
	    (scn_has(&o, "challenge_window") || scn_has(&o, "state_root_gas")))
		return scn_fail(&o, scn_has(&o, "challenge_window")
					    ? "challenge_window"
					    : "state_root_gas",
				err, "only optimistic rollups have a challenge "
				"window and separate state roots");
	return 0;
}

/*
 * A setting that has no effect in its context is bad input: the reader
 * would otherwise believe it changed something.  Checked once everything
 * is read, so the context (type, sequencer, DA, aggregator) is known.
 */
static int no_effect(const struct scn_obj *o, const char *key,
		     struct l2s_error *err, const char *why)
{
	return scn_fail(o, key, err, "'%s' has no effect: %s", key, why);
}

static int check_no_effect(const struct system_def *d,
			   const struct scn_obj *so, struct l2s_error *err)
{
	struct scn_obj sq, bt, st, pv;
	bool has;
	int rc;
	if ((rc = scn_get_obj(so, "sequencer", &sq, &has, err)) ||
	    (rc = scn_get_obj(so, "batcher", &bt, &has, err)) ||
	    (rc = scn_get_obj(so, "settlement", &st, &has, err)) ||
	    (rc = scn_get_obj(so, "prover", &pv, &has, err)))
		return rc;
	if (d->seq.type == SEQ_SHARED) {
		static const char *const own[] = {
			"capacity", "gas_capacity", "mempool_limit",
			"block_time", "confirm_latency", NULL,
		};
		for (size_t i = 0; own[i]; i++)
			if (scn_has(&sq, own[i]))
				return no_effect(&sq, own[i], err,
						 "a shared sequencer's members "
						 "use its capacity, mempool "
						 "limit, block time and "
						 "consensus latency (set them "
						 "in shared_sequencers)");
	}
	if (d->seq.type == SEQ_BASED) {
		if (scn_has(&sq, "gas_capacity"))
			return no_effect(&sq, "gas_capacity", err,
					 "a based sequencer's blocks are L1 "
					 "blocks; limit it with \"capacity\"");
		if (scn_has(&sq, "block_time"))
			return no_effect(&sq, "block_time", err,
					 "a based sequencer's blocks are L1 "
					 "blocks (l1.slot_time)");
	}
	if (d->type == SYS_OPTIMISTIC) {
		if (scn_has(&st, "state_root_interval") &&
		    d->settle.state_root_gas == 0)
			return no_effect(&st, "state_root_interval", err,
					 "state_root_gas is 0: no state roots "
					 "are posted");
		if (scn_has(&st, "verify_extra_gas"))
			return no_effect(&st, "verify_extra_gas", err,
					 "an optimistic rollup verifies no "
					 "proofs");
	} else if (scn_has(&st, "state_root_interval")) {
		return no_effect(&st, "state_root_interval", err,
				 "a proven system's proofs carry its state "
				 "roots");
	}
	/* Commitments: a validium's ride with its proofs, an optimistic
	 * rollup on another layer posts them on L1; nothing else commits. */
	bool commits = (d->type == SYS_VALIDIUM && !d->agg) ||
		       (d->type == SYS_OPTIMISTIC &&
			d->batcher.target == DA_ALT);
	if (scn_has(&bt, "commitment_size") && !commits)
		return no_effect(&bt, "commitment_size", err,
				 d->type == SYS_VALIDIUM
					 ? "a validium's commitments ride "
					   "with its own proofs, and its proofs "
					   "go to the aggregator"
					 : "only a validium, or an optimistic "
					   "rollup with its data on another "
					   "layer, posts commitments");
	if (d->type == SYS_SDR) {
		if (scn_has(&bt, "compression"))
			return no_effect(&bt, "compression", err,
					 "a state-difference rollup posts its "
					 "packed state diffs, not compressed "
					 "transaction data");
		if (scn_has(&bt, "level"))
			return no_effect(&bt, "level", err,
					 "a state-difference rollup compresses "
					 "nothing");
		if (scn_has(&bt, "encoding"))
			return no_effect(&bt, "encoding", err,
					 "a state-difference rollup posts state "
					 "diffs, not transactions");
	}
	if (d->type == SYS_VALIDIUM && scn_has(&bt, "batch_gas"))
		return no_effect(&bt, "batch_gas", err,
				 "a validium has no data transaction to carry "
				 "it");
	if (scn_has(&bt, "da_fallback") && d->batcher.target != DA_ALT)
		return no_effect(&bt, "da_fallback", err,
				 "the data is on L1 already");
	if (d->agg) {
		static const char *const pk[] = {"proof_system", "verify_gas",
						 NULL};
		for (size_t i = 0; pk[i]; i++)
			if (scn_has(&pv, pk[i]))
				return no_effect(&pv, pk[i], err,
						 "the aggregator verifies the "
						 "proofs (set its gas in "
						 "aggregators)");
		if (scn_has(&st, "verify_extra_gas"))
			return no_effect(&st, "verify_extra_gas", err,
					 "the aggregator verifies the proofs");
	}
	return 0;
}

/* Deep merge: every key of 'over' replaces or, for two objects, merges
 * into the key of 'base'.  0 or -1 when out of memory. */
static int merge_into(json_t *base, json_t *over)
{
	const char *k;
	json_t *v;
	json_object_foreach(over, k, v) {
		json_t *b = json_object_get(base, k);
		if (json_is_object(b) && json_is_object(v)) {
			if (merge_into(b, v))
				return -1;
		} else if (json_object_set_new(base, k, json_deep_copy(v))) {
			return -1;
		}
	}
	return 0;
}

/*
 * "preset": the entry is read from a merge of the preset's values and the
 * entry's own keys (which win).  *so is replaced by a view of the merged
 * object with the entry's path, so errors in the entry's keys are still
 * located in the file.  The merged object lives in d->preset_entry.
 */
static int apply_preset(struct system_def *d, struct scn_obj *so,
			struct l2s_error *err)
{
	const char *name;
	int rc = scn_get_string(so, "preset", NULL, &name, err);
	if (rc || !name)
		return rc;
	const char *text = sys_preset_json(name);
	if (!text) {
		const char *cands[32] = {0};
		for (size_t i = 0; i < 31 && sys_preset_name(i); i++)
			cands[i] = sys_preset_name(i);
		rc = scn_fail(so, "preset", err, "no preset named '%s'", name);
		const char *near = l2s_closest(name, cands);
		if (near)
			l2s_error_hint(err, "did you mean '%s'?", near);
		else
			l2s_error_hint(err, "see docs/presets.md");
		return rc;
	}
	json_error_t je;
	json_t *m = json_loads(text, 0, &je);
	if (!m || merge_into(m, so->obj)) {
		json_decref(m);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	json_object_del(m, "preset");
	d->preset_entry = m;
	so->obj = m;
	return 0;
}

static int read_one(const struct sys_env *w, struct system_def *d,
		    const struct scn_obj *entry, struct l2s_error *err)
{
	int rc;
	if ((rc = check_system_keys(entry, err)))
		return rc;
	struct scn_obj view = *entry;
	const struct scn_obj *so = &view;
	if ((rc = apply_preset(d, &view, err)))
		return rc;
	const char *name, *wl;
	int t;
	if ((rc = scn_get_string(so, "name", NULL, &name, err)))
		return rc;
	if (!name || !name[0] || strchr(name, '#'))
		return scn_fail(so, name ? "name" : NULL, err,
				name ? "a system name must be non-empty and "
				       "without '#'"
				     : "a system needs a \"name\"");
	if (strlen(name) >= sizeof(d->name) - 8)
		return scn_fail(so, "name", err, "system name is too long");
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (!scn_has(so, "type"))
		return scn_fail(so, NULL, err, "system '%s' needs a \"type\"",
				name);
	if ((rc = scn_get_enum(so, "type", 0, type_names, &t, err)))
		return rc;
	d->type = (enum sys_type)t;
	if ((rc = scn_get_int(so, "count", 1, 1, 100000, &d->count, err)))
		return rc;
	if ((rc = scn_get_string(so, "workload", NULL, &wl, err)))
		return rc;
	if (!wl) {
		if (workload_set_count(w->workloads) != 1)
			return scn_fail(so, NULL, err, "system '%s' needs "
					"\"workload\": the name of an entry of "
					"workloads", name);
		d->workload = workload_set_get(w->workloads, 0);
	} else {
		d->workload = workload_find(w->workloads, wl);
		if (!d->workload) {
			const char *cands[65] = {0};
			size_t n = workload_set_count(w->workloads);
			for (size_t i = 0; i < n && i < 64; i++)
				cands[i] = workload_name(
					workload_set_get(w->workloads, i));
			rc = scn_fail(so, "workload", err, "no workload named "
				      "'%s'", wl);
			const char *near = l2s_closest(wl, cands);
			if (near)
				l2s_error_hint(err, "did you mean '%s'?", near);
			return rc;
		}
	}
	if ((rc = read_da(w, d, so, err)) ||
	    (rc = read_sequencer(w, d, so, err)) ||
	    (rc = read_mechanisms(d, so, err)) ||
	    (rc = read_fees(d, so, err)) ||
	    (rc = read_batcher(w, d, so, err)) ||
	    (rc = read_settlement(w, d, so, err)))
		return rc;
	double share;
	if ((rc = scn_get_double(so, "l1_share", 0.5, 0, 1, &share, err)))
		return rc;
	if (scn_has(so, "l1_share") && d->type != SYS_VOLITION)
		return scn_fail(so, "l1_share", err, "only a volition splits "
				"its data between L1 and another layer");
	d->batcher.l1_share = d->type == SYS_VOLITION ? share : 0;
	/* Proven systems: all but optimistic rollups. */
	bool has_prover;
	if ((rc = scn_get_obj(so, "prover", &d->prover_cfg, &has_prover, err)))
		return rc;
	d->has_prover = d->type != SYS_OPTIMISTIC &&
			d->settle.mode != SETTLE_ENSHRINED;
	if (has_prover && !d->has_prover)
		return scn_fail(so, "prover", err, "%s",
				d->type == SYS_OPTIMISTIC
					? "an optimistic rollup has no prover "
					  "(it has a challenge window)"
					: "enshrined verification has no prover "
					  "(L1 verifies each batch)");
	const char *agg, *eco;
	if ((rc = scn_get_string(so, "aggregator", NULL, &agg, err)) ||
	    (rc = scn_get_string(so, "ecosystem", NULL, &eco, err)))
		return rc;
	if (agg) {
		if (!d->has_prover)
			return scn_fail(so, "aggregator", err, "%s has no "
					"proofs to aggregate",
					d->type == SYS_OPTIMISTIC
						? "an optimistic rollup"
						: "enshrined verification");
		if (d->settles_on)
			return scn_fail(so, "aggregator", err, "the proofs of "
					"a system settling on '%s' are verified "
					"there, not aggregated on L1",
					d->settles_on);
		d->agg = agg_find(w->aggs, agg);
		if (!d->agg) {
			rc = scn_fail(so, "aggregator", err, "no aggregator "
				      "named '%s'", agg);
			const char *near = agg_closest(w->aggs, agg);
			if (near)
				l2s_error_hint(err, "did you mean '%s'?", near);
			else if (!agg_count(w->aggs))
				l2s_error_hint(err, "declare it in "
					       "\"aggregators\"");
			return rc;
		}
		/* "independent": each system verifies its own proofs. */
		if (agg_type(d->agg) == AGG_INDEPENDENT)
			d->agg = NULL;
		if (eco && agg_type(d->agg ? d->agg : agg_find(w->aggs, agg)) !=
				   AGG_ECOSYSTEM)
			return scn_fail(so, "ecosystem", err, "\"ecosystem\" has "
					"no effect: aggregator '%s' is not of "
					"type \"ecosystem\"", agg);
		d->settle.aggregator = agg;
		d->settle.ecosystem = eco ? eco : d->name;
	} else if (eco) {
		return scn_fail(so, "ecosystem", err, "\"ecosystem\" needs an "
				"\"aggregator\"");
	}
	if ((rc = check_no_effect(d, so, err)))
		return rc;
	struct scn_obj lo;
	bool has;
	if ((rc = scn_get_obj(so, "liveness", &lo, &has, err)) ||
	    (rc = scn_check_keys(&lo, live_keys, err)))
		return rc;
	sim_time_t post_dflt = 2 * d->batcher.max_delay;
	if (post_dflt < SIM_HOUR)
		post_dflt = SIM_HOUR;
	if ((rc = scn_get_duration(&lo, "sequence_within", SIM_MIN, SIM_MS,
				   365 * SIM_DAY, &d->live.sequence_within,
				   err)) ||
	    (rc = scn_get_duration(&lo, "post_within", post_dflt, SIM_S,
				   365 * SIM_DAY, &d->live.post_within, err)))
		return rc;
	/* Finality: an optimistic rollup promises its challenge window and
	 * an hour for the state root and L1 finality; a proven system 12 h
	 * from arrival (docs/model-liveness.md). */
	sim_time_t fin_dflt = d->settle.mode == SETTLE_CHALLENGE
				      ? d->settle.challenge_window + SIM_HOUR
				      : 12 * SIM_HOUR;
	if ((rc = scn_get_duration(&lo, "finalize_within", fin_dflt, SIM_S,
				   3650 * SIM_DAY, &d->live.finalize_within,
				   err)))
		return rc;
	return 0;
}

int sys_read_shared_seqs(struct sim *sim, const struct scn_obj *root,
		     struct shared_seq ***out, size_t *n_out,
		     struct l2s_error *err)
{
	static const char *const keys[] = {"name", "capacity", "mempool_limit",
					   "block_time", "consensus_latency",
					   "description", "consensus", NULL};
	*out = NULL;
	*n_out = 0;
	size_t n;
	int rc = scn_get_array(root, "shared_sequencers", &n, err);
	if (rc || n == 0)
		return rc;
	struct shared_seq **all = calloc(n, sizeof(*all));
	if (!all)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	*out = all;
	for (size_t i = 0; i < n; i++) {
		struct scn_obj o;
		struct shared_seq_cfg s = {0};
		const char *name;
		if ((rc = scn_get_elem(root, "shared_sequencers", i, &o, err)) ||
		    (rc = scn_check_keys(&o, keys, err)) ||
		    (rc = scn_get_string(&o, "name", NULL, &name, err)))
			return rc;
		if (!name || !name[0])
			return scn_fail(&o, NULL, err, "a shared sequencer "
					"needs a \"name\"");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(shared_seq_config(all[j])->name, name))
				return scn_fail(&o, "name", err, "shared "
						"sequencer '%s' is declared "
						"twice", name);
		snprintf(s.name, sizeof(s.name), "%s", name);
		/* With a consensus model its round sets capacity and timing. */
		struct scn_obj co;
		if ((rc = scn_get_obj(&o, "consensus", &co, &s.bft, err)))
			return rc;
		if (s.bft) {
			static const char *const fixed[] = {
				"capacity", "block_time", "consensus_latency",
				NULL};
			for (int k = 0; fixed[k]; k++)
				if (scn_has(&o, fixed[k]))
					return scn_fail(&o, fixed[k], err,
						"\"%s\" has no effect with "
						"\"consensus\": the consensus "
						"round sets it", fixed[k]);
			if ((rc = seq_bft_read(&co, &s.consensus, err)))
				return rc;
		}
		/* A BFT-ordered shared sequencer: a few thousand tx/s for all
		 * members, a consensus round of ~1 s (documented choice). */
		if ((rc = scn_get_rate(&o, "capacity", RATE(3000), 1, INT64_MAX,
				       &s.capacity, err)) ||
		    (rc = scn_get_int(&o, "mempool_limit", 1000000, 1,
				      INT64_MAX / 4, &s.mempool_limit, err)) ||
		    (rc = scn_get_duration(&o, "block_time", 2 * SIM_S, SIM_MS,
					   SIM_HOUR, &s.block_time, err)) ||
		    (rc = scn_get_duration(&o, "consensus_latency", SIM_S, 0,
					   SIM_HOUR, &s.consensus_latency,
					   err)))
			return rc;
		if (!(all[i] = shared_seq_create(sim, &s)))
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		*n_out = i + 1;
	}
	return 0;
}

/* A workload's willingness to pay acts only through systems with fees:
 * without any among the systems drawing from it, it has no effect. */
static int check_wtp_used(const struct sys_env *w, const struct scn_obj *root,
			  const struct system_def *defs, size_t n,
			  struct l2s_error *err)
{
	for (size_t i = 0; i < workload_set_count(w->workloads); i++) {
		const struct workload *wl = workload_set_get(w->workloads, i);
		if (!workload_wtp(wl))
			continue;
		bool used = false;
		for (size_t d = 0; d < n && !used; d++)
			used = defs[d].workload == wl && defs[d].fees;
		if (used)
			continue;
		struct scn_obj o;
		int rc = scn_get_elem(root, "workloads", i, &o, err);
		if (rc)
			return rc;
		rc = scn_fail(&o, "willingness_to_pay", err, "no system "
			      "drawing from workload '%s' charges fees, so "
			      "its willingness_to_pay has no effect",
			      workload_name(wl));
		l2s_error_hint(err, "give those systems a \"fees\" object, "
			       "or remove willingness_to_pay");
		return rc;
	}
	return 0;
}

int sys_read_systems(const struct sys_env *w, const struct scn_obj *root,
		 struct system_def **out, size_t *n_out, struct l2s_error *err)
{
	*out = NULL;
	*n_out = 0;
	size_t n;
	int rc = scn_get_array(root, "systems", &n, err);
	if (rc)
		return rc;
	if (n == 0)
		return 0;
	struct system_def *defs = calloc(n, sizeof(*defs));
	if (!defs)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	*out = defs;
	/* duplicates found through an index: linear in the systems */
	struct l2s_names names;
	l2s_names_init(&names);
	for (size_t i = 0; i < n; i++) {
		struct scn_obj o;
		if ((rc = scn_get_elem(root, "systems", i, &o, err)))
			break;
		rc = read_one(w, &defs[i], &o, err);
		*n_out = i + 1;
		if (rc)
			break;
		size_t first;
		rc = l2s_names_add(&names, defs[i].name, i, &first);
		if (rc < 0) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			break;
		}
		if (rc == 1) {
			rc = scn_fail(&o, "name", err, "system '%s' is declared "
				      "twice", defs[i].name);
			l2s_error_hint(err, "first declared at systems[%zu]",
				       first);
			break;
		}
	}
	l2s_names_release(&names);
	if (rc)
		return rc;
	if ((rc = sys_resolve_parents(defs, n, root, err)))
		return rc;
	return check_wtp_used(w, root, defs, n, err);
}

void sys_defs_free(struct system_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		comp_calib_destroy(defs[i].calib);
		for (size_t m = 0; defs[i].mech_cfg && mech_registry[m]; m++)
			if (defs[i].mech_cfg[m] && mech_registry[m]->free_cfg)
				mech_registry[m]->free_cfg(defs[i].mech_cfg[m]);
		free(defs[i].mech_cfg);
		fees_cfg_free(defs[i].fees);
		json_decref(defs[i].preset_entry);
	}
	free(defs);
}
