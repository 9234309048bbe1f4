/*
 * Transaction kinds: defaults, scenario overrides, synthetic encodings and a
 * Zipf sampler.  See include/l2sim/txkind.h and docs/model-bytes.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "l2sim/txkind.h"

static const char *const kind_names[TX_KINDS + 1] = {
	"transfer", "erc20", "swap", "nft_mint", "inscription", NULL,
};

const char *txkind_name(enum tx_kind kind)
{
	if ((int)kind < 0 || kind >= TX_KINDS)
		return "?";
	return kind_names[kind];
}

int txkind_from_name(const char *name)
{
	for (int k = 0; k < TX_KINDS; k++)
		if (name && strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

static struct tx_state_group grp(int32_t slots, int64_t key_space, double zipf,
				 int32_t value_bytes)
{
	struct tx_state_group g = { slots, key_space, zipf, value_bytes };
	return g;
}

/*
 * Defaults.  Sizes are the natural lengths of txkind_encode()'s layouts
 * with typical draws (see the layout table in docs/model-bytes.md); gas is
 * typical L2 execution gas.  State:
 * - every sender writes its nonce (zkSync packs "+1" as Add: 1 value byte)
 *   and its ETH balance (Sub of the fee, and of the value for transfers:
 *   ~7 bytes; zkSync's state-diff spec: balance-like slots need 7-9 value
 *   bytes, docs/sources.md §3);
 * - ordinary senders come from 1M accounts with Zipf 1.0: a few bots and
 *   exchanges send much of the traffic, the long tail once;
 * - inscription waves are minted by a small population of repeat senders
 *   (20k, Zipf 0.8) against ONE contract whose shared counter every mint
 *   bumps, plus one per-minter ledger slot (docs/sources.md §3).
 */
void txkind_defaults(struct tx_kind_params p[TX_KINDS])
{
	const struct tx_state_group sender = grp(2, 1000000, 1.0, 8);

	/* Native ETH transfer: 21,000 gas; writes the recipient's balance
	 * (Add of the value, ~8 bytes). */
	p[TX_TRANSFER] = (struct tx_kind_params){
		.size = 118, .gas = 21000,
		.group = { sender, grp(1, 1000000, 1.0, 8), grp(0, 1, 0.0, 0) },
	};
	/* ERC-20 transfer(to, amount): the token's balance slots of sender and
	 * recipient (2 slots over holders x tokens); the token contract
	 * (USDC/USDT-like dominance, Zipf 1.2 over 5,000 tokens) only picks the
	 * 'to' address.  ~50k gas with warm slots. */
	p[TX_ERC20] = (struct tx_kind_params){
		.size = 180, .gas = 52000,
		.group = { sender, grp(2, 4000000, 1.0, 8),
			   grp(0, 5000, 1.2, 0) },
	};
	/* Uniswap-v3-style exactInputSingle through a router: the pool's
	 * shared state (price/reserves slot rewritten whole, ~28 bytes, plus
	 * the pool's two token balances, ~8 each) over 2,000 pools with
	 * Zipf 1.2, and the swapper's two token balances. */
	p[TX_SWAP] = (struct tx_kind_params){
		.size = 342, .gas = 150000,
		.group = { sender, grp(2, 4000000, 1.0, 8),
			   grp(3, 2000, 1.2, 44) },
	};
	/* ERC-721 mint(to, qty): the new token's owner slot (an address, 20
	 * bytes) and the minter's balance (+1, 1 byte): 2 slots over a large,
	 * barely repeating space; the collection's supply counter (+1) is hot
	 * (2,000 collections, Zipf 1.2). */
	p[TX_NFT_MINT] = (struct tx_kind_params){
		.size = 181, .gas = 90000,
		.group = { sender, grp(2, 10000000, 0.7, 11),
			   grp(1, 2000, 1.2, 1) },
	};
	/* EVM inscription mint: calldata "data:,{...}" to one contract; the
	 * shared counter (hot, one key) and the minter's ledger slot (Add of
	 * the minted amount, ~3 bytes); senders are repeat minting bots. */
	p[TX_INSCRIPTION] = (struct tx_kind_params){
		.size = 171, .gas = 50000,
		.group = { grp(2, 20000, 0.8, 8), grp(1, 20000, 0.8, 3),
			   grp(1, 1, 0.0, 2) },
	};
}

/* ---- scenario overrides ------------------------------------------------ */

static int read_group(const struct scn_obj *o, struct tx_state_group *g,
		      int with_slots, struct l2s_error *err)
{
	int64_t v;
	double d;
	int rc;

	if (with_slots) {
		if ((rc = scn_get_int(o, "slots", g->slots, 0, TXKIND_MAX_SLOTS,
				      &v, err)) < 0)
			return rc;
		g->slots = (int32_t)v;
	}
	if ((rc = scn_get_int(o, "key_space", g->key_space, 1,
			      INT64_C(1000000000000000), &v, err)) < 0)
		return rc;
	g->key_space = v;
	if ((rc = scn_get_double(o, "zipf", g->zipf, 0.0, 5.0, &d, err)) < 0)
		return rc;
	g->zipf = d;
	if ((rc = scn_get_int(o, "value_bytes", g->value_bytes, 0,
			      33 * TXKIND_MAX_SLOTS, &v, err)) < 0)
		return rc;
	g->value_bytes = (int32_t)v;
	return 0;
}

static int read_kind(const struct scn_obj *o, enum tx_kind kind,
		     struct tx_kind_params *p, struct l2s_error *err)
{
	static const char *const keys[] = {
		"size", "gas", "slots", "key_space", "zipf", "value_bytes",
		"sender", "hot", NULL,
	};
	static const char *const sender_keys[] = {
		"key_space", "zipf", "value_bytes", NULL,
	};
	static const char *const hot_keys[] = {
		"slots", "key_space", "zipf", "value_bytes", NULL,
	};
	struct scn_obj sub;
	bool present;
	int64_t v;
	int rc;

	if ((rc = scn_check_keys(o, keys, err)) < 0)
		return rc;
	if ((rc = scn_get_int(o, "gas", p->gas, 0, INT64_C(1000000000), &v,
			      err)) < 0)
		return rc;
	p->gas = v;
	if ((rc = scn_get_size(o, "size", p->size, 1, TXKIND_MAX_SIZE, &v,
			       err)) < 0)
		return rc;
	if ((size_t)v < txkind_min_size(kind, p->gas))
		return scn_fail(o, "size", err,
				"size %lld B of '%s' is below the smallest "
				"encoding (%zu B)", (long long)v,
				txkind_name(kind), txkind_min_size(kind, p->gas));
	p->size = v;
	if ((rc = read_group(o, &p->group[TXG_USER], 1, err)) < 0)
		return rc;
	if ((rc = scn_get_obj(o, "sender", &sub, &present, err)) < 0)
		return rc;
	if (present && ((rc = scn_check_keys(&sub, sender_keys, err)) < 0 ||
			(rc = read_group(&sub, &p->group[TXG_SENDER], 0, err)) < 0))
		return rc;
	if ((rc = scn_get_obj(o, "hot", &sub, &present, err)) < 0)
		return rc;
	if (present && ((rc = scn_check_keys(&sub, hot_keys, err)) < 0 ||
			(rc = read_group(&sub, &p->group[TXG_HOT], 1, err)) < 0))
		return rc;
	return 0;
}

int txkind_read(const struct scn_obj *kinds, struct tx_kind_params p[TX_KINDS],
		struct l2s_error *err)
{
	struct tx_kind_params tmp[TX_KINDS];
	int rc;

	if ((rc = scn_check_keys(kinds, kind_names, err)) < 0)
		return rc;
	memcpy(tmp, p, sizeof(tmp));
	/* Kinds in enum order, never in JSON key order. */
	for (int k = 0; k < TX_KINDS; k++) {
		struct scn_obj o;
		bool present;

		if ((rc = scn_get_obj(kinds, kind_names[k], &o, &present, err)) < 0)
			return rc;
		if (present && (rc = read_kind(&o, (enum tx_kind)k, &tmp[k], err)) < 0)
			return rc;
	}
	memcpy(p, tmp, sizeof(tmp));
	return 0;
}

/* ---- Zipf sampler ------------------------------------------------------ */

/* expm1(t)/t and log1p(t)/t, continuous at t = 0. */
static double expm1_over(double t)
{
	return fabs(t) > 1e-8 ? expm1(t) / t : 1.0 + t / 2.0;
}

static double log1p_over(double t)
{
	return fabs(t) > 1e-8 ? log1p(t) / t : 1.0 - t / 2.0;
}

/* H(x) = integral of t^-s from 1 to x, and its inverse. */
static double zipf_hint(double x, double s)
{
	double l = log(x);
	return l * expm1_over((1.0 - s) * l);
}

static double zipf_hinv(double y, double s)
{
	return exp(y * log1p_over((1.0 - s) * y));
}

uint64_t txkind_zipf(gsl_rng *rng, uint64_t n, double s)
{
	double hx1, hn, sconst;

	if (n <= 1)
		return 1;
	if (s == 0.0)
	{
		/* gsl_rng_uniform_int() is limited to the generator's range */
		uint64_t k = 1 + (uint64_t)(gsl_rng_uniform(rng) * (double)n);
		return k > n ? n : k;
	}
	/*
	 * Rejection-inversion: invert the integral of the hat x^-s over
	 * [0.5, n+0.5]; k = round(x) is accepted when x falls inside the part
	 * of k's cell that lies under k^-s.  'sconst' is the paper's squeeze
	 * that accepts most draws without evaluating H.
	 */
	hx1 = zipf_hint(1.5, s) - 1.0;
	hn = zipf_hint((double)n + 0.5, s);
	sconst = 2.0 - zipf_hinv(zipf_hint(2.5, s) - pow(2.0, -s), s);
	for (;;) {
		double u = hn + gsl_rng_uniform(rng) * (hx1 - hn);
		double x = zipf_hinv(u, s);
		double kd = floor(x + 0.5);
		uint64_t k;

		if (kd < 1.0)
			kd = 1.0;
		if (kd > (double)n)
			kd = (double)n;
		k = (uint64_t)kd;
		if (kd - x <= sconst ||
		    u >= zipf_hint(kd + 0.5, s) - exp(-s * log(kd)))
			return k;
	}
}

/* ---- encoding ---------------------------------------------------------- */

/* Addresses are a hash of (key space, rank): the same rank gives the same
 * 20 bytes in every transaction, as the same account does on chain. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

enum { TAG_TOKEN = 100 };

static void address(uint64_t tag, uint64_t rank, uint8_t out[20])
{
	uint64_t h = mix64(tag * UINT64_C(0x9e3779b97f4a7c15) + rank);
	for (int i = 0; i < 20; i++) {
		if (i % 8 == 0)
			h = mix64(h + (uint64_t)i);
		out[i] = (uint8_t)(h >> (8 * (i % 8)));
	}
}

static uint64_t space_tag(enum tx_kind kind, enum tx_group g)
{
	return (uint64_t)kind * 8 + (uint64_t)g + 1;
}

static uint64_t draw_rank(const struct tx_kind_params *p, enum tx_group g,
			  gsl_rng *rng)
{
	return txkind_zipf(rng, (uint64_t)p->group[g].key_space, p->group[g].zipf);
}

/* Integers as RLP wants them: big-endian, no leading zero bytes. */
static size_t be_bytes(unsigned __int128 v, uint8_t *out)
{
	uint8_t tmp[16];
	size_t n = 0;

	while (v) {
		tmp[n++] = (uint8_t)v;
		v >>= 8;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Length of the RLP encoding of a byte string of n bytes (a 1-byte
 * string is always >= 0x80 here, so it carries a prefix). */
static size_t str_enc(size_t n)
{
	if (n == 0)
		return 1;
	if (n <= 55)
		return 1 + n;
	if (n <= 255)
		return 2 + n;
	if (n <= 65535)
		return 3 + n;
	return 4 + n;
}

static size_t list_hdr(size_t payload)
{
	return payload <= 55 ? 1 : payload <= 255 ? 2 : payload <= 65535 ? 3 : 4;
}

static uint8_t *put_str(uint8_t *o, const uint8_t *s, size_t n)
{
	if (n == 0) {
		*o++ = 0x80;
		return o;
	}
	if (n <= 55) {
		*o++ = (uint8_t)(0x80 + n);
	} else {
		size_t ll = n <= 255 ? 1 : n <= 65535 ? 2 : 3;
		*o++ = (uint8_t)(0xb7 + ll);
		for (size_t i = ll; i-- > 0;)
			*o++ = (uint8_t)(n >> (8 * i));
	}
	memcpy(o, s, n);
	return o + n;
}

static uint8_t *put_int(uint8_t *o, unsigned __int128 v)
{
	uint8_t b[16];
	size_t n = be_bytes(v, b);

	if (n == 1 && b[0] < 0x80) {
		*o++ = b[0];
		return o;
	}
	return put_str(o, b, n);
}

static size_t int_enc(unsigned __int128 v)
{
	uint8_t b[16];
	size_t n = be_bytes(v, b);
	return (n == 1 && b[0] < 0x80) ? 1 : str_enc(n);
}

/* A "round" amount: a 1-3 digit mantissa times a power of ten, as people
 * type them; 'exact' amounts (max sends, swap outputs) use random bits. */
static unsigned __int128 amount(gsl_rng *rng, int emin, int emax, int bytes_exact)
{
	unsigned __int128 v;

	if (bytes_exact > 0) {
		v = 0;
		for (int i = 0; i < bytes_exact; i++)
			v = (v << 8) | gsl_rng_uniform_int(rng, 256);
		return v | ((unsigned __int128)1 << (8 * bytes_exact - 1));
	}
	v = 1 + (unsigned __int128)floor(exp(gsl_rng_uniform(rng) * log(999.0)));
	for (int e = emin + (int)gsl_rng_uniform_int(rng, (unsigned long)(emax - emin + 1));
	     e > 0; e--)
		v *= 10;
	return v;
}

static void put_word(uint8_t *w, unsigned __int128 v)
{
	uint8_t b[16];
	size_t n = be_bytes(v, b);

	memset(w, 0, 32);
	memcpy(w + 32 - n, b, n);
}

static void put_word_addr(uint8_t *w, const uint8_t a[20])
{
	memset(w, 0, 12);
	memcpy(w + 12, a, 20);
}

/* Fixed envelope parts: chain id 8453 (3 B), priority fee (3 raw bytes),
 * max fee (4 raw bytes), access list (empty), y parity, r and s. */
#define ENC_CHAIN 3
#define ENC_PRIO 4
#define ENC_MAXFEE 5
#define ENC_TO 21
#define ENC_SIG (1 + 33 + 33)

static uint64_t gas_limit(enum tx_kind kind, int64_t gas)
{
	/* Wallets pad the estimate; plain transfers use exactly 21,000. */
	if (kind == TX_TRANSFER && gas <= 21000)
		return 21000;
	return (uint64_t)((gas * 5 / 4 + 999) / 1000 * 1000);
}

static size_t fixed_enc(enum tx_kind kind, int64_t gas)
{
	return ENC_CHAIN + ENC_PRIO + ENC_MAXFEE + int_enc(gas_limit(kind, gas)) +
	       ENC_TO + 1 /* access list */ + ENC_SIG;
}

static size_t total_len(size_t payload)
{
	return 1 + list_hdr(payload) + payload;
}

size_t txkind_min_size(enum tx_kind kind, int64_t gas)
{
	return total_len(fixed_enc(kind, gas) + 1 + 1 + 1);
}

/* Data length whose encoding makes the payload exactly 'payload' given
 * 'rest' bytes of other fields; -1 when RLP has no such length. */
static long data_for(size_t payload, size_t rest)
{
	size_t e;

	if (payload < rest + 1)
		return -1;
	e = payload - rest;
	if (e == 1)
		return 0;
	if (e >= 2 && e <= 56)
		return (long)e - 1;
	if (e >= 58 && e <= 257)
		return (long)e - 2;
	if (e >= 259 && e <= 65538)
		return (long)e - 3;
	if (e >= 65540)
		return (long)e - 4;
	return -1;
}

/* Payload length for a total of 'size' bytes, or 0 if none. */
static size_t payload_for(size_t size)
{
	for (size_t h = 1; h <= 4; h++)
		if (size > 1 + h && list_hdr(size - 1 - h) == h)
			return size - 1 - h;
	return 0;
}

/* Builds the kind's natural calldata into d; returns its length. */
static size_t calldata(const struct tx_kind_params *p, enum tx_kind kind,
		       gsl_rng *rng, uint64_t sender, uint64_t hot, uint8_t *d)
{
	uint8_t a[20];

	switch (kind) {
	case TX_TRANSFER:
		return 0;
	case TX_ERC20:
		/* transfer(address,uint256) */
		memcpy(d, "\xa9\x05\x9c\xbb", 4);
		address(space_tag(kind, TXG_USER), draw_rank(p, TXG_USER, rng), a);
		put_word_addr(d + 4, a);
		/* 6- and 18-decimal tokens: amounts of 10^4 .. 10^21 units */
		put_word(d + 36, amount(rng, 4, 19, 0));
		return 68;
	case TX_SWAP: {
		/* exactInputSingle((tokenIn, tokenOut, fee, recipient,
		 * amountIn, amountOutMinimum, sqrtPriceLimitX96)): a pool
		 * pairs one of 8 base tokens (WETH, USDC, ...) with another. */
		static const unsigned fees[4] = { 100, 500, 3000, 10000 };
		uint64_t h = mix64(hot);
		uint8_t t0[20], t1[20];
		int flip = (int)gsl_rng_uniform_int(rng, 2);

		memcpy(d, "\x04\xe4\x5a\xaf", 4);
		address(TAG_TOKEN, 1 + h % 8, t0);
		address(TAG_TOKEN, 9 + hot, t1);
		put_word_addr(d + 4, flip ? t1 : t0);
		put_word_addr(d + 36, flip ? t0 : t1);
		put_word(d + 68, fees[(h >> 8) % 4]);
		address(space_tag(kind, TXG_SENDER), sender, a);
		put_word_addr(d + 100, a);
		put_word(d + 132, gsl_rng_uniform(rng) < 0.5 ?
				  amount(rng, 15, 19, 0) :
				  amount(rng, 0, 0, 7 + (int)gsl_rng_uniform_int(rng, 4)));
		put_word(d + 164, amount(rng, 0, 0, 7 + (int)gsl_rng_uniform_int(rng, 4)));
		put_word(d + 196, 0);
		return 228;
	}
	case TX_NFT_MINT:
		/* mint(address to, uint256 quantity), to = the minter */
		memcpy(d, "\x40\xc1\x0f\x19", 4);
		address(space_tag(kind, TXG_SENDER), sender, a);
		put_word_addr(d + 4, a);
		put_word(d + 36, 1 + gsl_rng_uniform_int(rng, 3));
		return 68;
	case TX_INSCRIPTION: {
		/* The ticker belongs to the contract: one hot contract, one
		 * text repeated by every minter (why compressors crush it). */
		uint64_t h = mix64(hot + 77);
		char tick[5];
		int n;

		for (int i = 0; i < 4; i++)
			tick[i] = (char)('a' + (h >> (8 * i)) % 26);
		tick[4] = 0;
		n = snprintf((char *)d, 80,
			     "data:,{\"p\":\"erc-20\",\"op\":\"mint\",\"tick\":\"%s\","
			     "\"amt\":\"1000\"}", tick);
		return (size_t)n;
	}
	default:
		return 0;
	}
}

/* ---- rollup-native encodings ------------------------------------------- */

const char *const txkind_encoding_names[] = {"rlp", "compact",
					      "compact_aggregated", NULL};

/* The inscription's text (one ticker per contract). */
static size_t inscription_text(uint64_t hot, char *out, size_t cap)
{
	uint64_t h = mix64(hot + 77);
	char tick[5];
	for (int i = 0; i < 4; i++)
		tick[i] = (char)('a' + (h >> (8 * i)) % 26);
	tick[4] = 0;
	int n = snprintf(out, cap, "data:,{\"p\":\"erc-20\",\"op\":\"mint\","
			 "\"tick\":\"%s\",\"amt\":\"1000\"}", tick);
	return n < 0 ? 0 : (size_t)n;
}

/* Compact layout per kind, after the op byte and the 4-byte sender:
 *   transfer     to (4), amount (3), fee (1)                      13
 *   erc20        token (4), to (4), amount (3), fee (1)           17
 *   swap         pool (4), direction and fee tier (1),
 *                amount in (3), minimum out (3), fee (1)          17
 *   nft_mint     collection (4), quantity (1), fee (1)            11
 *   inscription  contract (4), text length (1), text, fee (1)  11 + text
 * plus 64 signature bytes unless aggregated. */
static size_t compact_body(enum tx_kind kind)
{
	static const size_t body[TX_KINDS] = {13, 17, 17, 11, 11};
	return body[kind];
}

size_t txkind_encoded_size(const struct tx_kind_params *p, enum tx_kind kind,
			   enum tx_encoding enc)
{
	if (enc == TXENC_RLP)
		return (size_t)p->size;
	size_t n = compact_body(kind);
	if (kind == TX_INSCRIPTION) {
		char t[96];
		n += inscription_text(0, t, sizeof(t));
	}
	return n + (enc == TXENC_COMPACT ? 64 : 0);
}

/* An index as a rollup's account registry assigns it: big-endian. */
static uint8_t *put_index(uint8_t *o, uint64_t rank)
{
	for (int i = 3; i >= 0; i--)
		*o++ = (uint8_t)(rank >> (8 * i));
	return o;
}

/* A 3-byte float: 5-bit decimal exponent, 19-bit mantissa (amounts are
 * rounded to 5-6 significant digits, as zkSync Lite and Loopring pack
 * them). */
static uint8_t *put_amount(uint8_t *o, unsigned __int128 v)
{
	unsigned e = 0;
	while (v >= (1u << 19) && e < 31) {
		v /= 10;
		e++;
	}
	uint32_t w = (uint32_t)(e << 19) | (uint32_t)v;
	*o++ = (uint8_t)(w >> 16);
	*o++ = (uint8_t)(w >> 8);
	*o++ = (uint8_t)w;
	return o;
}

size_t txkind_encode_as(const struct tx_kind_params *p, enum tx_kind kind,
			enum tx_encoding enc, gsl_rng *rng, uint8_t *buf,
			size_t cap)
{
	if (enc == TXENC_RLP)
		return txkind_encode(p, kind, rng, buf, cap);
	if ((int)kind < 0 || kind >= TX_KINDS)
		return 0;
	size_t need = txkind_encoded_size(p, kind, enc);
	if (need > cap)
		return 0;
	uint64_t sender = draw_rank(p, TXG_SENDER, rng);
	uint64_t hot = draw_rank(p, TXG_HOT, rng);
	uint8_t *o = buf;
	*o++ = (uint8_t)(kind + 1);
	o = put_index(o, sender);
	switch (kind) {
	case TX_TRANSFER:
		o = put_index(o, draw_rank(p, TXG_USER, rng));
		o = put_amount(o, gsl_rng_uniform(rng) < 0.7
					  ? amount(rng, 12, 16, 0)
					  : amount(rng, 0, 0, 7));
		break;
	case TX_ERC20:
		o = put_index(o, hot);
		o = put_index(o, draw_rank(p, TXG_USER, rng));
		o = put_amount(o, amount(rng, 4, 19, 0));
		break;
	case TX_SWAP:
		o = put_index(o, hot);
		*o++ = (uint8_t)(gsl_rng_uniform_int(rng, 2) << 7 |
				 (mix64(hot) >> 8) % 4);
		o = put_amount(o, gsl_rng_uniform(rng) < 0.5
					  ? amount(rng, 15, 19, 0)
					  : amount(rng, 0, 0, 8));
		o = put_amount(o, amount(rng, 0, 0, 8));
		break;
	case TX_NFT_MINT:
		o = put_index(o, hot);
		*o++ = (uint8_t)(1 + gsl_rng_uniform_int(rng, 3));
		break;
	case TX_INSCRIPTION: {
		char t[96];
		size_t n = inscription_text(hot, t, sizeof(t));
		o = put_index(o, hot);
		*o++ = (uint8_t)n;
		memcpy(o, t, n);
		o += n;
		break;
	}
	default:
		return 0;
	}
	/* Fee: a 1-byte code (a few dozen levels cover L2 fees). */
	*o++ = (uint8_t)(16 + gsl_rng_uniform_int(rng, 8));
	if (enc == TXENC_COMPACT)
		for (int i = 0; i < 64; i++)
			*o++ = (uint8_t)gsl_rng_uniform_int(rng, 256);
	return (size_t)(o - buf) == need ? need : 0;
}

size_t txkind_encode(const struct tx_kind_params *p, enum tx_kind kind,
		     gsl_rng *rng, uint8_t *buf, size_t cap)
{
	uint8_t data[512], vbytes[16], to[20], sig[64];
	uint64_t sender, hot, nonce, prio, maxfee, glimit;
	unsigned __int128 value = 0;
	size_t nd, fixed, target, payload = 0, out_len;
	long dl = -1;
	size_t vl_nat, vl = 0;
	int fitted = 0;
	uint8_t *o;

	if ((int)kind < 0 || kind >= TX_KINDS || p->size <= 0 ||
	    (size_t)p->size < txkind_min_size(kind, p->gas))
		return 0;

	/* Draws, in a fixed order so a stream gives the same transaction. */
	sender = draw_rank(p, TXG_SENDER, rng);
	hot = draw_rank(p, TXG_HOT, rng);
	/* Nonces: log-uniform over 0..50,000 (most accounts are young, bots
	 * are not). */
	nonce = (uint64_t)floor(exp(gsl_rng_uniform(rng) * log(50001.0))) - 1;
	{
		static const uint64_t prios[4] = { 100000, 1000000, 1000000, 1500000 };
		prio = prios[gsl_rng_uniform_int(rng, 4)];
	}
	/* Max fee: about twice an L2 base fee of ~0.01 gwei, as wallets set
	 * it, to three significant digits, kept within 4 raw bytes. */
	maxfee = (uint64_t)(2e7 * exp(gsl_ran_gaussian(rng, 0.3)));
	for (uint64_t m = 1; maxfee / m >= 1000; m *= 10)
		if (maxfee / m < 10000)
			maxfee = maxfee / (m * 10) * (m * 10);
	if (maxfee < (UINT64_C(1) << 24))
		maxfee = UINT64_C(1) << 24;
	if (maxfee > UINT32_MAX)
		maxfee = UINT32_MAX;
	glimit = gas_limit(kind, p->gas);
	if (kind == TX_TRANSFER) {
		address(space_tag(kind, TXG_USER), draw_rank(p, TXG_USER, rng), to);
		value = gsl_rng_uniform(rng) < 0.7 ? amount(rng, 12, 16, 0) :
			amount(rng, 0, 0, 7 + (int)gsl_rng_uniform_int(rng, 2));
	} else {
		address(space_tag(kind, TXG_HOT), hot, to);
	}
	nd = calldata(p, kind, rng, sender, hot, data);
	for (int i = 0; i < 64; i++)
		sig[i] = (uint8_t)gsl_rng_uniform_int(rng, 256);
	sig[0] |= 1;  /* r, s: 32 bytes each, no leading zero */
	sig[32] |= 1;

	/*
	 * Fit the declared size exactly: first by padding or truncating the
	 * calldata, then by lengthening or shortening the value, then with a
	 * one-byte nonce.  RLP has no type-2 transaction of 259 bytes (the
	 * list header grows from 2 to 3 bytes), so that size becomes 260.
	 */
	fixed = fixed_enc(kind, p->gas);
	vl_nat = be_bytes(value, vbytes);
	for (target = (size_t)p->size; !fitted && target <= (size_t)p->size + 1;
	     target++) {
		payload = payload_for(target);
		if (!payload)
			continue;
		for (int pass = 0; pass < 2 && !fitted; pass++) {
			uint64_t nn = pass == 0 ? nonce : nonce % 128;
			for (int dv = 0; dv <= 64 && !fitted; dv++) {
				/* 0, +1, +2, then shrinking the value */
				long cand = dv <= 2 ? (long)vl_nat + dv
					: (long)vl_nat - (dv - 2);
				size_t vlen_enc;

				if (cand < 0 || cand > 16)
					continue;
				vlen_enc = cand == 0 ? 1 : 1 + (size_t)cand;
				dl = data_for(payload, fixed + int_enc(nn) + vlen_enc);
				if (dl >= 0) {
					fitted = 1;
					vl = (size_t)cand;
					nonce = nn;
				}
			}
		}
	}
	if (!fitted)
		return 0;
	out_len = total_len(payload);
	if (out_len > cap)
		return 0;
	if (vl != vl_nat) {
		/* Keep the value's high bytes, pad or cut at the low end. */
		uint8_t nv[16] = { 0 };
		memcpy(nv, vbytes, vl < vl_nat ? vl : vl_nat);
		memcpy(vbytes, nv, 16);
		if (vl > 0)
			vbytes[0] |= vl == 1 ? 0x80 : 0x01;
	}

	o = buf;
	*o++ = 0x02; /* EIP-2718 type: EIP-1559 */
	if (payload <= 55) {
		*o++ = (uint8_t)(0xc0 + payload);
	} else {
		size_t ll = list_hdr(payload) - 1;
		*o++ = (uint8_t)(0xf7 + ll);
		for (size_t i = ll; i-- > 0;)
			*o++ = (uint8_t)(payload >> (8 * i));
	}
	o = put_int(o, 8453);
	o = put_int(o, nonce);
	o = put_int(o, prio);
	o = put_int(o, maxfee);
	o = put_int(o, glimit);
	o = put_str(o, to, 20);
	o = put_str(o, vbytes, vl);
	{
		/* Calldata: the natural bytes, truncated or zero-padded (ABI
		 * words are mostly zero padding). */
		size_t n = (size_t)dl, keep = n < nd ? n : nd;

		if (n == 0) {
			*o++ = 0x80;
		} else {
			if (n <= 55) {
				*o++ = (uint8_t)(0x80 + n);
			} else {
				size_t ll = n <= 255 ? 1 : n <= 65535 ? 2 : 3;
				*o++ = (uint8_t)(0xb7 + ll);
				for (size_t i = ll; i-- > 0;)
					*o++ = (uint8_t)(n >> (8 * i));
			}
			memcpy(o, data, keep);
			memset(o + keep, 0, n - keep);
			if (n == 1)
				o[0] |= 0x80;
			o += n;
		}
	}
	*o++ = 0xc0; /* empty access list */
	o = put_int(o, gsl_rng_uniform_int(rng, 2));
	o = put_str(o, sig, 32);
	o = put_str(o, sig + 32, 32);
	if ((size_t)(o - buf) != out_len)
		return 0; /* length bookkeeping and bytes disagree: a bug */
	return out_len;
}
