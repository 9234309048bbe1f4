/*
 * Batch compression with the real libraries rollups use (zlib, brotli,
 * zstd), and a per-run calibration that turns a batch's transaction counts
 * into compressed bytes by compressing real synthetic samples.
 *
 * Calibration.  For a batch of n transactions in some mix, the compressed
 * size is raw_bytes(counts) x ratio(mix, n), where ratio is measured by
 * encoding a sample batch with txkind_encode() in that mix and compressing
 * it.  Mixes are bucketed to 1/COMP_MIX_STEPS shares and sizes to powers of
 * two (interpolated in log n between them); each bucket is compressed once
 * per calibration object.  Samples are capped (comp_calib_set_cap): a batch
 * larger than the cap uses the ratio measured at the cap, since the ratio
 * saturates once the sample exceeds the compressor's window or the set of
 * popular addresses has been seen (docs/model-bytes.md shows how much).
 *
 * Every bucket's sample draws from its own generator, seeded from one
 * number drawn at creation and the bucket's key, so the result of a bucket
 * does not depend on the order of calls.
 */
#ifndef L2SIM_COMPRESS_H
#define L2SIM_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/txkind.h"

enum comp_algo { COMP_NONE, COMP_ZLIB, COMP_BROTLI, COMP_ZSTD, COMP_ALGOS };

/* Mix shares are rounded to multiples of 1/COMP_MIX_STEPS. */
#define COMP_MIX_STEPS 20
/* Default sample cap, bytes of uncompressed transactions. */
#define COMP_SAMPLE_CAP (128 * 1024)

/* "none", "zlib", "brotli", "zstd"; NULL-terminated, for scn_get_enum(). */
extern const char *const comp_algo_names[COMP_ALGOS + 1];

/* The algorithm called 'name', or -1. */
int comp_algo_from_name(const char *name);

/* Level range of an algorithm: zlib 0-9, brotli 0-11, zstd 1-22, none 0. */
void comp_level_range(enum comp_algo algo, int *min, int *max);

/* The level rollups use by default: zlib 9 (OP Stack Bedrock's best
 * compression), brotli 11 (Arbitrum at low backlog, nitro arbnode/compression_level.go),
 * zstd 3 (the library default). */
int comp_default_level(enum comp_algo algo);

/* Largest output comp_compress() can produce for n input bytes. */
size_t comp_bound(enum comp_algo algo, size_t n);

/* Compresses in[0..n) into out (zlib stream format, raw brotli stream with
 * a 4 MiB window, zstd frame; COMP_NONE copies).  Returns the compressed
 * length, or 0 when cap is too small, the level is out of range or the
 * library fails. */
size_t comp_compress(enum comp_algo algo, int level, const uint8_t *in,
		     size_t n, uint8_t *out, size_t cap);
/* The same; *oom is set (and 0 returned) when a library's allocation
 * failed: the libraries allocate through a tracked heap, so that failure
 * ends the call with nothing leaked (brotli's encoder would exit(1)). */
size_t comp_compress_ex(enum comp_algo algo, int level, const uint8_t *in,
			size_t n, uint8_t *out, size_t cap, int *oom);

/* The inverse, for tests: returns the decompressed length, or 0 on
 * failure or when the output does not fit in cap. */
size_t comp_decompress(enum comp_algo algo, const uint8_t *in, size_t n,
		       uint8_t *out, size_t cap);

struct comp_calib;

/*
 * A calibration for one run and one batcher.  Copies 'p'; draws one number
 * from 'rng' and keeps no pointer to it.  'level' must be in range.
 * Returns NULL when out of memory or the level is bad.
 */
struct comp_calib *comp_calib_create(enum comp_algo algo, int level,
				     const struct tx_kind_params p[TX_KINDS],
				     gsl_rng *rng);

/* NULL does nothing. */
void comp_calib_destroy(struct comp_calib *c);

/* Writes transactions under 'enc' from now on (TXENC_RLP at creation):
 * raw sizes and samples follow; drops cached buckets. */
void comp_calib_set_encoding(struct comp_calib *c, enum tx_encoding enc);

/* Sets the sample cap in raw bytes (>= 4 KiB); drops cached buckets. */
void comp_calib_set_cap(struct comp_calib *c, size_t cap_bytes);

/* Uncompressed bytes of a batch: sum of counts x encoded size. */
int64_t comp_calib_raw_bytes(const struct comp_calib *c,
			     const uint64_t counts[TX_KINDS]);

/*
 * Compressed bytes of a batch with these counts (0 for an empty batch).
 * Compresses only on a cache miss (at most two buckets per call); a warm
 * call is a hash lookup.  Returns -1 when out of memory.
 */
int64_t comp_calib_batch_bytes(struct comp_calib *c,
			       const uint64_t counts[TX_KINDS]);

/* Number of sample compressions run so far (to check the cache). */
uint64_t comp_calib_compressions(const struct comp_calib *c);

#endif
