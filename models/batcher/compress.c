/*
 * Real compression (zlib, brotli, zstd) and the per-run calibration of
 * compressed batch sizes.  See include/l2sim/compress.h.
 */
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <gsl/gsl_randist.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createCCtx_advanced */
#include <zstd.h>

#include "l2sim/compress.h"

const char *const comp_algo_names[COMP_ALGOS + 1] = {
	"none", "zlib", "brotli", "zstd", NULL,
};

int comp_algo_from_name(const char *name)
{
	for (int a = 0; a < COMP_ALGOS; a++)
		if (name && strcmp(name, comp_algo_names[a]) == 0)
			return a;
	return -1;
}

void comp_level_range(enum comp_algo algo, int *min, int *max)
{
	switch (algo) {
	case COMP_ZLIB:
		*min = 0, *max = 9;
		break;
	case COMP_BROTLI:
		*min = BROTLI_MIN_QUALITY, *max = BROTLI_MAX_QUALITY;
		break;
	case COMP_ZSTD:
		*min = 1, *max = ZSTD_maxCLevel();
		break;
	default:
		*min = 0, *max = 0;
		break;
	}
}

int comp_default_level(enum comp_algo algo)
{
	switch (algo) {
	case COMP_ZLIB:
		return 9;
	case COMP_BROTLI:
		return 11;
	case COMP_ZSTD:
		return 3;
	default:
		return 0;
	}
}

static int level_ok(enum comp_algo algo, int level)
{
	int lo, hi;

	if ((int)algo < 0 || algo >= COMP_ALGOS)
		return 0;
	comp_level_range(algo, &lo, &hi);
	return level >= lo && level <= hi;
}

size_t comp_bound(enum comp_algo algo, size_t n)
{
	switch (algo) {
	case COMP_ZLIB:
		return compressBound(n);
	case COMP_BROTLI:
		return BrotliEncoderMaxCompressedSize(n) + 16;
	case COMP_ZSTD:
		return ZSTD_compressBound(n);
	default:
		return n;
	}
}

/* Brotli's default window, 4 MiB (lgwin 22), is what rollup batchers use
 * absent a reason to change it; batches never exceed it here. */
#define BROTLI_LGWIN 22

/*
 * The libraries allocate through this heap, one per compression: every
 * block is tracked, so that an allocation failure ends the call cleanly and
 * frees what the library held.  Brotli's encoder (1.0.x, built with
 * BROTLI_ENCODER_EXIT_ON_OOM) calls exit(1) when an allocation returns
 * NULL; with this heap a failed allocation never returns to it: it jumps
 * back to comp_compress_ex(), which frees the encoder's blocks and reports
 * out of memory.  zlib and zstd check for NULL and are given it.
 */
struct lib_heap {
	jmp_buf jump;
	int jumps;        /* a failure longjmps instead of returning NULL */
	int oom;
	void **blk;
	size_t n, cap;
};

static void *heap_alloc(void *opaque, size_t size)
{
	struct lib_heap *h = opaque;
	void *p = NULL;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 32;
		void **nb = realloc(h->blk, nc * sizeof(*nb));
		if (nb) {
			h->blk = nb;
			h->cap = nc;
		}
	}
	if (h->n < h->cap)
		p = malloc(size ? size : 1);
	if (!p) {
		h->oom = 1;
		if (h->jumps)
			longjmp(h->jump, 1);
		return NULL;
	}
	h->blk[h->n++] = p;
	return p;
}

static void heap_free(void *opaque, void *p)
{
	struct lib_heap *h = opaque;
	if (!p)
		return;
	for (size_t i = h->n; i-- > 0;)
		if (h->blk[i] == p) {
			h->blk[i] = h->blk[--h->n];
			break;
		}
	free(p);
}

/* Frees whatever the library still holds (all of it after a jump). */
static void heap_release(struct lib_heap *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->blk[i]);
	free(h->blk);
	h->blk = NULL;
	h->n = h->cap = 0;
}

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
	if (size && items > SIZE_MAX / size) {
		((struct lib_heap *)opaque)->oom = 1;
		return Z_NULL;
	}
	return heap_alloc(opaque, (size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf p) { heap_free(opaque, p); }

/* compress2() with our allocator: deflateInit's parameters, Z_FINISH. */
static size_t zlib_compress(struct lib_heap *h, int level, const uint8_t *in,
			    size_t n, uint8_t *out, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	zs.zalloc = zlib_alloc;
	zs.zfree = zlib_free;
	zs.opaque = h;
	if (n > UINT_MAX || cap > UINT_MAX ||
	    deflateInit(&zs, level) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	size_t len = zs.total_out;
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? len : 0;
}

/* BrotliEncoderCompress() with our allocator: its streaming path with the
 * same parameters (quality, window, mode, size hint), so the bytes are the
 * same.  Returns 0 when that path does not apply or fails, for the caller
 * to fall back on the library's one-shot call. */
static size_t brotli_compress(struct lib_heap *h, int level, const uint8_t *in,
			      size_t n, uint8_t *out, size_t cap)
{
	if (n == 0 || level == 10)
		return 0; /* handled by BrotliEncoderCompress itself */
	BrotliEncoderState *st = BrotliEncoderCreateInstance(heap_alloc,
							     heap_free, h);
	if (!st)
		return 0;
	BrotliEncoderSetParameter(st, BROTLI_PARAM_QUALITY, (uint32_t)level);
	BrotliEncoderSetParameter(st, BROTLI_PARAM_LGWIN, BROTLI_LGWIN);
	BrotliEncoderSetParameter(st, BROTLI_PARAM_MODE, BROTLI_MODE_GENERIC);
	BrotliEncoderSetParameter(st, BROTLI_PARAM_SIZE_HINT, (uint32_t)
				  (n < (1u << 30) ? n : (1u << 30)));
	size_t avail_in = n, avail_out = cap, total = 0;
	const uint8_t *next_in = in;
	uint8_t *next_out = out;
	BROTLI_BOOL ok = BrotliEncoderCompressStream(st, BROTLI_OPERATION_FINISH,
						     &avail_in, &next_in,
						     &avail_out, &next_out,
						     &total);
	if (!BrotliEncoderIsFinished(st))
		ok = BROTLI_FALSE;
	BrotliEncoderDestroyInstance(st);
	if (!ok || total > BrotliEncoderMaxCompressedSize(n))
		return 0;
	return total;
}

static size_t zstd_compress(struct lib_heap *h, int level, const uint8_t *in,
			    size_t n, uint8_t *out, size_t cap)
{
	ZSTD_customMem mem = {heap_alloc, heap_free, h};
	ZSTD_CCtx *cc = ZSTD_createCCtx_advanced(mem);
	if (!cc)
		return 0;
	size_t len = ZSTD_compressCCtx(cc, out, cap, in, n, level);
	ZSTD_freeCCtx(cc);
	return ZSTD_isError(len) ? 0 : len;
}

size_t comp_compress_ex(enum comp_algo algo, int level, const uint8_t *in,
			size_t n, uint8_t *out, size_t cap, int *oom)
{
	size_t len = 0;
	*oom = 0;
	if (!level_ok(algo, level))
		return 0;
	if (algo == COMP_NONE) {
		if (n > cap)
			return 0;
		memcpy(out, in, n);
		return n;
	}
	/* on the heap, not the stack: it is written between setjmp() and
	 * longjmp(), which leaves such automatic objects indeterminate */
	struct lib_heap *hp = calloc(1, sizeof(*hp));
	if (!hp) {
		*oom = 1;
		return 0;
	}
	switch (algo) {
	case COMP_ZLIB:
		len = zlib_compress(hp, level, in, n, out, cap);
		break;
	case COMP_BROTLI:
		hp->jumps = 1;
		if (setjmp(hp->jump) == 0)
			len = brotli_compress(hp, level, in, n, out, cap);
		else
			len = 0; /* a failed allocation: hp->oom is set */
		hp->jumps = 0;
		if (len == 0 && !hp->oom) {
			/* the cases the one-shot call treats itself (empty
			 * input, quality 10, its uncompressed fallback) */
			size_t l = cap;
			if (BrotliEncoderCompress(level, BROTLI_LGWIN,
						  BROTLI_MODE_GENERIC, n, in, &l,
						  out))
				len = l;
		}
		break;
	case COMP_ZSTD:
		len = zstd_compress(hp, level, in, n, out, cap);
		break;
	default:
		break;
	}
	*oom = hp->oom;
	heap_release(hp);
	free(hp);
	return *oom ? 0 : len;
}

size_t comp_compress(enum comp_algo algo, int level, const uint8_t *in,
		     size_t n, uint8_t *out, size_t cap)
{
	int oom;
	return comp_compress_ex(algo, level, in, n, out, cap, &oom);
}

size_t comp_decompress(enum comp_algo algo, const uint8_t *in, size_t n,
		       uint8_t *out, size_t cap)
{
	switch (algo) {
	case COMP_NONE:
		if (n > cap)
			return 0;
		memcpy(out, in, n);
		return n;
	case COMP_ZLIB: {
		uLongf len = cap;
		if (uncompress(out, &len, in, n) != Z_OK)
			return 0;
		return len;
	}
	case COMP_BROTLI: {
		size_t len = cap;
		if (BrotliDecoderDecompress(n, in, &len, out) !=
		    BROTLI_DECODER_RESULT_SUCCESS)
			return 0;
		return len;
	}
	case COMP_ZSTD: {
		size_t len = ZSTD_decompress(out, cap, in, n);
		return ZSTD_isError(len) ? 0 : len;
	}
	default:
		return 0;
	}
}

/* ---- calibration ------------------------------------------------------- */

struct bucket {
	uint64_t key;
	double ratio; /* compressed / raw bytes of the sample */
	int used;
};

struct comp_calib {
	enum comp_algo algo;
	int level;
	struct tx_kind_params p[TX_KINDS];
	enum tx_encoding enc;       /* how transactions are written */
	int64_t size[TX_KINDS];     /* bytes of one tx of each kind under enc */
	uint64_t seed;       /* drawn once at creation */
	size_t cap;          /* sample cap, raw bytes */
	gsl_rng *rng;        /* reseeded for every bucket's sample */
	struct bucket *tab;  /* open addressing, linear probing */
	size_t tab_size, tab_used;
	uint64_t compressions;
	uint8_t *raw, *out;  /* sample and compressed buffers */
	size_t raw_cap, out_cap;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

struct comp_calib *comp_calib_create(enum comp_algo algo, int level,
				     const struct tx_kind_params p[TX_KINDS],
				     gsl_rng *rng)
{
	struct comp_calib *c;

	if (!level_ok(algo, level))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->algo = algo;
	c->level = level;
	memcpy(c->p, p, sizeof(c->p));
	c->enc = TXENC_RLP;
	for (int k = 0; k < TX_KINDS; k++)
		c->size[k] = p[k].size;
	c->seed = ((uint64_t)gsl_rng_get(rng) << 32) ^ gsl_rng_get(rng);
	c->cap = COMP_SAMPLE_CAP;
	c->tab_size = 64;
	c->tab = calloc(c->tab_size, sizeof(*c->tab));
	c->rng = gsl_rng_alloc(gsl_rng_taus2);
	if (!c->tab || !c->rng) {
		comp_calib_destroy(c);
		return NULL;
	}
	return c;
}

void comp_calib_destroy(struct comp_calib *c)
{
	if (!c)
		return;
	free(c->tab);
	if (c->rng)
		gsl_rng_free(c->rng);
	free(c->raw);
	free(c->out);
	free(c);
}

void comp_calib_set_encoding(struct comp_calib *c, enum tx_encoding enc)
{
	c->enc = enc;
	for (int k = 0; k < TX_KINDS; k++)
		c->size[k] = (int64_t)txkind_encoded_size(&c->p[k],
							  (enum tx_kind)k, enc);
	memset(c->tab, 0, c->tab_size * sizeof(*c->tab));
	c->tab_used = 0;
}

void comp_calib_set_cap(struct comp_calib *c, size_t cap_bytes)
{
	c->cap = cap_bytes < 4096 ? 4096 : cap_bytes;
	memset(c->tab, 0, c->tab_size * sizeof(*c->tab));
	c->tab_used = 0;
}

uint64_t comp_calib_compressions(const struct comp_calib *c)
{
	return c->compressions;
}

int64_t comp_calib_raw_bytes(const struct comp_calib *c,
			     const uint64_t counts[TX_KINDS])
{
	int64_t raw = 0;

	for (int k = 0; k < TX_KINDS; k++)
		raw += (int64_t)counts[k] * c->size[k];
	return raw;
}

/*
 * Splits 'total' into parts proportional to 'w' by largest remainder (ties
 * to the lower kind), so parts sum to total exactly and deterministically.
 */
static void apportion(const uint64_t w[TX_KINDS], uint64_t total,
		      uint64_t out[TX_KINDS])
{
	uint64_t sum = 0, given = 0;
	double rem[TX_KINDS];

	for (int k = 0; k < TX_KINDS; k++)
		sum += w[k];
	for (int k = 0; k < TX_KINDS; k++) {
		double exact = sum ? (double)total * (double)w[k] / (double)sum : 0;
		out[k] = (uint64_t)floor(exact);
		rem[k] = exact - (double)out[k];
		given += out[k];
	}
	while (given < total) {
		int best = 0;
		for (int k = 1; k < TX_KINDS; k++)
			if (rem[k] > rem[best])
				best = k;
		out[best]++;
		rem[best] = -1.0;
		given++;
	}
}

static uint64_t mix_key(const uint64_t q[TX_KINDS])
{
	uint64_t key = 0;

	for (int k = TX_KINDS - 1; k >= 0; k--)
		key = key * (COMP_MIX_STEPS + 1) + q[k];
	return key;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *nb;

	if (*cap >= need)
		return 0;
	nb = realloc(*buf, need);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = need;
	return 0;
}

/* Compresses a sample of m transactions in mix q; returns the ratio or a
 * negative number when out of memory. */
static double measure(struct comp_calib *c, const uint64_t q[TX_KINDS],
		      uint64_t m, uint64_t key)
{
	uint64_t per[TX_KINDS];
	size_t raw_need = 0, len = 0, clen;
	unsigned char *order;
	size_t i = 0;

	apportion(q, m, per);
	for (int k = 0; k < TX_KINDS; k++)
		raw_need += per[k] * ((size_t)c->size[k] + 1);
	if (grow(&c->raw, &c->raw_cap, raw_need + 1) < 0 ||
	    grow(&c->out, &c->out_cap, comp_bound(c->algo, raw_need) + 64) < 0)
		return -1.0;
	order = malloc(m ? m : 1);
	if (!order)
		return -1.0;
	for (int k = 0; k < TX_KINDS; k++)
		for (uint64_t j = 0; j < per[k]; j++)
			order[i++] = (unsigned char)k;
	/* A batch is in arrival order: kinds interleave. */
	gsl_rng_set(c->rng, mix64(c->seed ^ mix64(key + 1)));
	gsl_ran_shuffle(c->rng, order, m, 1);
	for (i = 0; i < m; i++) {
		enum tx_kind k = (enum tx_kind)order[i];
		len += txkind_encode_as(&c->p[k], k, c->enc, c->rng,
					c->raw + len, c->raw_cap - len);
	}
	free(order);
	int oom;
	clen = comp_compress_ex(c->algo, c->level, c->raw, len, c->out,
				c->out_cap, &oom);
	if (oom)
		return -1.0;
	c->compressions++;
	if (len == 0 || clen == 0)
		return 1.0;
	return (double)clen / (double)len;
}

static struct bucket *find(struct comp_calib *c, uint64_t key)
{
	size_t mask = c->tab_size - 1, i = (size_t)mix64(key) & mask;

	while (c->tab[i].used && c->tab[i].key != key)
		i = (i + 1) & mask;
	return &c->tab[i];
}

static int insert(struct comp_calib *c, uint64_t key, double ratio)
{
	struct bucket *b;

	if (2 * (c->tab_used + 1) > c->tab_size) {
		struct bucket *old = c->tab;
		size_t n = c->tab_size;

		c->tab = calloc(2 * n, sizeof(*c->tab));
		if (!c->tab) {
			c->tab = old;
			return -1;
		}
		c->tab_size = 2 * n;
		for (size_t i = 0; i < n; i++)
			if (old[i].used)
				*find(c, old[i].key) = old[i];
		free(old);
	}
	b = find(c, key);
	b->key = key;
	b->ratio = ratio;
	b->used = 1;
	c->tab_used++;
	return 0;
}

/* Size nodes: 2^j (j < 63) and the cap node (j = 63). */
#define NODE_CAP 63

static double node_ratio(struct comp_calib *c, const uint64_t q[TX_KINDS],
			 int j, uint64_t m)
{
	uint64_t key = mix_key(q) * 64 + (uint64_t)j;
	struct bucket *b = find(c, key);
	double r;

	if (b->used)
		return b->ratio;
	r = measure(c, q, m, key);
	if (r < 0 || insert(c, key, r) < 0)
		return -1.0;
	return r;
}

int64_t comp_calib_batch_bytes(struct comp_calib *c,
			       const uint64_t counts[TX_KINDS])
{
	uint64_t q[TX_KINDS], n = 0, m_cap, lo, hi;
	double avg = 0, r, rlo, rhi;
	int64_t raw = comp_calib_raw_bytes(c, counts);
	int j;

	for (int k = 0; k < TX_KINDS; k++)
		n += counts[k];
	if (n == 0)
		return 0;
	if (c->algo == COMP_NONE)
		return raw;
	apportion(counts, COMP_MIX_STEPS, q);
	for (int k = 0; k < TX_KINDS; k++)
		avg += (double)q[k] * (double)c->size[k] / COMP_MIX_STEPS;
	m_cap = (uint64_t)((double)c->cap / avg);
	if (m_cap < 1)
		m_cap = 1;
	if (n >= m_cap) {
		r = node_ratio(c, q, NODE_CAP, m_cap);
	} else {
		/* Ratio is smooth in log n: interpolate between the
		 * power-of-two nodes around n (the upper one may be the cap). */
		j = 63 - __builtin_clzll(n);
		lo = UINT64_C(1) << j;
		rlo = node_ratio(c, q, j, lo);
		if (n == lo) {
			r = rlo;
		} else {
			hi = lo * 2;
			if (hi >= m_cap) {
				hi = m_cap;
				rhi = node_ratio(c, q, NODE_CAP, m_cap);
			} else {
				rhi = node_ratio(c, q, j + 1, hi);
			}
			if (rlo < 0 || rhi < 0)
				return -1;
			r = rlo + (rhi - rlo) * log((double)n / (double)lo) /
				log((double)hi / (double)lo);
		}
	}
	if (r < 0)
		return -1;
	return (int64_t)llround((double)raw * r);
}
