/*
 * Transaction kinds: what one transaction of each kind costs in bytes (its
 * signed encoding, as a transaction-data rollup posts it), in L2 execution
 * gas, and in state (the storage slots a state-diff rollup must publish).
 *
 * Transactions travel through the simulator as cohorts (counts per kind),
 * never one by one; these parameters turn a cohort into bytes and state.
 * txkind_encode() builds one synthetic transaction so that compressors can
 * be run on realistic bytes (models/batcher/compress.c).
 *
 * State model.  Each kind writes three groups of storage keys; every key is
 * drawn from its own key space of 'key_space' keys with Zipf popularity
 * (p_k proportional to k^-zipf, k = 1..key_space):
 *   TXG_SENDER  one key per tx (the sender); the key carries 'slots' slots
 *               (nonce and ETH balance: always 2).
 *   TXG_USER    'slots' keys per tx, one slot each (recipient balance, the
 *               token balances of sender and recipient, owner slots ...).
 *   TXG_HOT     one key per tx (the contract: token, pool, collection,
 *               inscription ledger); the key carries 'slots' slots of the
 *               contract's shared state (0 = the contract's shared state is
 *               not written, the key only picks the contract's address).
 * 'value_bytes' is the packed value of one key (all its slots together)
 * under zkSync's state-diff compression.  docs/model-bytes.md has the
 * defaults and their reasons.
 *
 * Errors follow include/l2sim/error.h.
 */
#ifndef L2SIM_TXKIND_H
#define L2SIM_TXKIND_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/error.h"
#include "l2sim/scenario.h"

enum tx_kind { TX_TRANSFER, TX_ERC20, TX_SWAP, TX_NFT_MINT, TX_INSCRIPTION, TX_KINDS };

enum tx_group { TXG_SENDER, TXG_USER, TXG_HOT, TXG_GROUPS };

/* Largest encoded size a kind may declare. */
#define TXKIND_MAX_SIZE (128 * 1024)
/* Most slots one group may write per tx (or per key). */
#define TXKIND_MAX_SLOTS 64

struct tx_state_group {
	int32_t slots;       /* slots written: per key (SENDER, HOT) or keys
				per tx (USER); see above */
	int64_t key_space;   /* keys the draws come from, >= 1 */
	double zipf;         /* popularity exponent s >= 0; 0 = uniform */
	int32_t value_bytes; /* packed value bytes per key written */
};

struct tx_kind_params {
	int64_t size; /* bytes of one signed EIP-1559 transaction */
	int64_t gas;  /* L2 execution gas per transaction */
	struct tx_state_group group[TXG_GROUPS];
};

/* Fills p with the documented defaults of every kind. */
void txkind_defaults(struct tx_kind_params p[TX_KINDS]);

/*
 * Applies the overrides in 'kinds' (an object keyed by kind name, or an
 * empty object) on top of what p holds, normally the defaults:
 *   {"swap": {"size": "300B", "gas": 150000, "slots": 2,
 *             "key_space": 4000000, "zipf": 1.0, "value_bytes": 8,
 *             "sender": {"key_space": 1000000, "zipf": 1.0, "value_bytes": 8},
 *             "hot": {"slots": 3, "key_space": 2000, "zipf": 1.2,
 *                     "value_bytes": 44}}}
 * Top-level "slots", "key_space", "zipf", "value_bytes" describe TXG_USER.
 * Unknown kinds and keys are errors with a suggestion.  Returns 0 or
 * L2S_EINPUT; p is left unchanged on error.
 */
int txkind_read(const struct scn_obj *kinds, struct tx_kind_params p[TX_KINDS],
		struct l2s_error *err);

/* "transfer", "erc20", "swap", "nft_mint", "inscription"; "?" otherwise. */
const char *txkind_name(enum tx_kind kind);

/* The kind called 'name', or -1. */
int txkind_from_name(const char *name);

/* Smallest size the encoder can produce for kind 'kind' with gas 'gas':
 * envelope, signature, empty calldata, 1-byte nonce and value. */
size_t txkind_min_size(enum tx_kind kind, int64_t gas);

/*
 * Writes one synthetic signed transaction of kind 'kind' (parameters 'p',
 * the kind's own entry) into buf: an EIP-1559 (type 2) RLP encoding whose
 * addresses come from the kind's Zipf key spaces, so that popular
 * contracts and recipients repeat within a batch as they do on chain;
 * small nonces, round-ish values and fees, a 65-byte random signature.
 * The result is exactly p->size bytes long, except that RLP cannot encode
 * a type-2 transaction of exactly 259 bytes (260 then).  Returns the length,
 * or 0 when cap is too small or p->size is below txkind_min_size().
 */
size_t txkind_encode(const struct tx_kind_params *p, enum tx_kind kind,
		     gsl_rng *rng, uint8_t *buf, size_t cap);

/*
 * How a transaction-data system writes a transaction into its batches.
 *  TXENC_RLP          the signed EIP-1559 transaction as users send it
 *                     (txkind_encode(); p->size bytes).
 *  TXENC_COMPACT      a rollup-native encoding: an op byte, 4-byte account,
 *                     token and contract indices instead of 20-byte
 *                     addresses, 3-byte floating-point amounts, a 1-byte
 *                     fee, no nonce or gas limit (the rollup's state and
 *                     rules give them), and a 64-byte signature.
 *  TXENC_COMPACT_AGG  the same without per-transaction signatures: a
 *                     ZK rollup's validity proof (or one aggregate BLS
 *                     signature per batch) vouches for them.
 * After V. Buterin, "An Incomplete Guide to Rollups" (2021): ~112 bytes of
 * an ETH transfer become ~12 (to 21 -> 4, value ~9 -> ~3, signature ~68
 * -> ~0.5, nonce, gas price and gas ~14 -> ~1, from 0 -> 4).
 */
enum tx_encoding { TXENC_RLP, TXENC_COMPACT, TXENC_COMPACT_AGG, TXENC_COUNT };

/* "rlp", "compact", "compact_aggregated"; names NULL-terminated. */
extern const char *const txkind_encoding_names[];

/* Bytes of one transaction of 'kind' under 'enc' (p->size for RLP). */
size_t txkind_encoded_size(const struct tx_kind_params *p, enum tx_kind kind,
			   enum tx_encoding enc);

/* Writes one synthetic transaction of 'kind' under 'enc' (as
 * txkind_encode() for RLP; compact layouts draw from the same Zipf key
 * spaces).  Returns its length, txkind_encoded_size(), or 0 when cap is
 * too small. */
size_t txkind_encode_as(const struct tx_kind_params *p, enum tx_kind kind,
			enum tx_encoding enc, gsl_rng *rng, uint8_t *buf,
			size_t cap);

/*
 * A Zipf rank in 1..n with P(k) proportional to k^-s (s >= 0), by
 * rejection-inversion (Hoermann and Derflinger, ACM TOMACS 6(3), 1996):
 * O(1) expected time, no table.  GSL has no Zipf sampler.
 */
uint64_t txkind_zipf(gsl_rng *rng, uint64_t n, double s);

#endif
