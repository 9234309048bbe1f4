/*
 * Alternative data-availability layers: block-based layers (Celestia-,
 * EigenDA-, Avail-like and generic) and data availability committees
 * (k-of-n, Arbitrum AnyTrust style).  Ethereum calldata and blobs are DA
 * layers too, but the L1 model carries them; here their reserved names are
 * only recognised (da_is_builtin) so that systems may refer to them.
 *
 * A system hands a batch of 'bytes' to da_submit() and is told, through a
 * callback run from an engine event, when the data is confirmed (or, for a
 * committee, that it could not be certified in time).
 *
 * Units: time in sim_time_t nanoseconds, sizes in bytes, prices in wei per
 * MiB (2^20 bytes), costs in wei (saturating at UINT64_MAX).
 * Errors: 0 or a negative L2S_E* code with struct l2s_error filled.
 * docs/model-da.md describes the models, the scenario keys and defaults.
 */
#ifndef L2SIM_DA_H
#define L2SIM_DA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"

struct da_layer;
struct da_set;

/* The scenario's "type" of a layer. */
enum da_type {
	DA_TYPE_CELESTIA,
	DA_TYPE_EIGENDA,
	DA_TYPE_AVAIL,
	DA_TYPE_GENERIC,
	DA_TYPE_DAC,
};

enum da_failure {
	DA_FAIL_NONE = 0,
	DA_FAIL_QUORUM_TIMEOUT, /* a committee: fewer than k signatures in time */
};

/* "none", "quorum_timeout": for messages and logs. */
const char *da_failure_name(enum da_failure reason);

/* What a submitter learns when its submission ends. */
struct da_receipt {
	bool ok;                  /* confirmed; false: failed, see 'reason' */
	sim_time_t submitted_at;  /* when da_submit() was called */
	sim_time_t confirmed_at;  /* confirmation time, or the failure time */
	int64_t bytes;            /* as submitted */
	uint64_t cost_wei;        /* fees paid (0 on failure), saturating */
	enum da_failure reason;   /* DA_FAIL_NONE when ok */
	const char *layer;        /* the layer's name (owned by the layer) */
};

/*
 * Called from an engine event, never from inside da_submit().  'receipt'
 * is valid during the call only.
 */
typedef void da_done_fn(struct sim *sim, void *ctx,
			const struct da_receipt *receipt);

/* true for the reserved names "ethereum_calldata" and "ethereum_blobs",
 * which the L1 model serves and da_layers may not redeclare. */
bool da_is_builtin(const char *name);

/*
 * Reads the scenario's "da_layers" array (absent: an empty set), validates
 * every element and builds the layers on 'sim', scheduling their scheduled
 * outages.  Metrics collected later count only what happens at or after
 * 'warmup' (latencies: submissions made at or after it).  On failure
 * returns L2S_EINPUT (located message in 'err') or L2S_ENOMEM and leaves
 * nothing allocated.  The set keeps pointers into the scenario's JSON
 * (names), so the scenario must outlive it.
 */
int da_layers_create(struct sim *sim, const struct scn_obj *root,
		     sim_time_t warmup, struct da_set **out,
		     struct l2s_error *err);

/* Frees the set and its layers; pending callbacks are dropped.  Call it
 * after the run (events of the set may still be queued in 'sim', which
 * must not be stepped afterwards).  NULL does nothing. */
void da_set_destroy(struct da_set *set);

/* The layer declared under 'name', or NULL (also for built-in names). */
struct da_layer *da_find(struct da_set *set, const char *name);

/* Layers in declaration order. */
size_t da_count(const struct da_set *set);
struct da_layer *da_at(struct da_set *set, size_t i);

const char *da_layer_name(const struct da_layer *layer);
enum da_type da_layer_type(const struct da_layer *layer);
/* Block-based layers: bytes per block and block interval (0 for a DAC). */
int64_t da_layer_max_block_bytes(const struct da_layer *layer);
sim_time_t da_layer_block_time(const struct da_layer *layer);
/* Current price in wei per MiB (moves only with a fee market). */
uint64_t da_layer_price_per_mib(const struct da_layer *layer);
/* Submissions not yet confirmed or failed. */
size_t da_layer_pending(const struct da_layer *layer);

/*
 * Submits 'bytes' (>= 0).  cb(sim, ctx, receipt) runs exactly once, later,
 * from an engine event.  Block-based layers queue submissions FIFO; a
 * submission larger than what is left of a block spills into the following
 * blocks and is confirmed after its last byte is included.  Returns 0,
 * L2S_EINPUT (negative bytes, NULL cb) or L2S_ENOMEM.
 */
int da_submit(struct da_layer *layer, int64_t bytes, da_done_fn *cb,
	      void *ctx);

/*
 * Takes the whole layer down (true) or back up (false), for fault models.
 * Independent of the scenario's scheduled outages: the layer is down while
 * either says so.  A down block-based layer includes nothing (submissions
 * wait); a down committee signs nothing (pending submissions lose every
 * signature not yet given and fail at their timeout).
 */
void da_set_down(struct da_layer *layer, bool down);
bool da_is_down(const struct da_layer *layer);

/*
 * A committee member withholds (true) or serves again (false).  A member
 * that goes down loses the signatures it had not yet given; one that comes
 * back signs only submissions made after that.  Returns 0, or L2S_EINPUT
 * when 'layer' is not a committee or 'member' is out of range.
 */
int da_dac_set_member_down(struct da_layer *layer, int member, bool down);

/* Committee size n of a DAC; 0 for other layers. */
int da_dac_members(const struct da_layer *layer);

/*
 * Adds per-layer metrics (component = layer name): submissions,
 * bytes_submitted, confirmations, bytes_confirmed, failures, pending_end,
 * cost_eth, latency_mean, latency_p50, latency_p99 (seconds, of
 * submissions made after warm-up) and, for block-based layers,
 * bytes_included, utilization (included bytes / nominal capacity of the
 * blocks after warm-up) and price_per_mib_gwei_end.
 */
void da_collect(struct da_set *set, struct run_result *res);

#endif
