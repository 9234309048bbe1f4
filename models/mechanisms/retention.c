/*
 * Blob retention (docs/model-trust.md).  Consensus clients keep blob
 * sidecars for MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS = 4096 epochs of 32
 * slots (consensus-specs, Deneb p2p interface; 1,572,864 s, ~18.2 days, at
 * 12 s slots); after that, data posted in blobs must be found elsewhere.
 * A batch's data is needed until its challenge window ends (an optimistic
 * rollup's challengers replay it) and, with "verifier_lag" in the
 * system's "settlement" object, by a verifier that syncs that late.  Data
 * still needed after it expires is counted: blob_data_expired_batches and
 * blob_data_expired_bytes.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

#define SLOTS_PER_EPOCH 32
#define RETENTION_EPOCHS 4096

struct ret_cfg {
	sim_time_t verifier_lag;
};

struct retention {
	sim_time_t keep;              /* retention period */
	sim_time_t need;              /* how long data is needed */
	sim_time_t warmup;
	double batches, bytes;
};

static const char *const keys[] = {"verifier_lag", NULL};

static int rt_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	struct ret_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc = scn_get_duration(o, "verifier_lag", 0, 0, 3650 * SIM_DAY,
				  &c->verifier_lag, err);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

sim_time_t mech_blob_retention(sim_time_t slot_time)
{
	return (sim_time_t)RETENTION_EPOCHS * SLOTS_PER_EPOCH * slot_time;
}

static void rt_batch(void *ctx, const struct batch *b)
{
	struct retention *r = ctx;
	if (!b->uses_blobs || r->need <= r->keep || b->included_at < r->warmup)
		return;
	r->batches++;
	r->bytes += (double)b->l1_bytes;
}

static int rt_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	const struct ret_cfg *c = cfg;
	const struct settle_cfg *sc = settle_config(p->settle);
	struct retention *r = calloc(1, sizeof(*r));
	if (!r)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	r->keep = mech_blob_retention(l1_slot_time(p->l1));
	r->need = c->verifier_lag;
	if (sc->mode == SETTLE_CHALLENGE && sc->challenge_window > r->need)
		r->need = sc->challenge_window;
	r->warmup = p->warmup;
	if (settle_add_batch_hook(p->settle, rt_batch, r)) {
		free(r);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

static void rt_collect(const void *state, struct mech_metrics *out)
{
	const struct retention *r = state;
	mech_metrics_add(out, "blob_data_expired_batches", r->batches);
	mech_metrics_add(out, "blob_data_expired_bytes", r->bytes);
}

const struct mechanism mech_retention = {
	.name = "retention",
	.section = "settlement",
	.keys = keys,
	.read = rt_read,
	.attach = rt_attach,
	.collect = rt_collect,
	.detach = free,
	.free_cfg = free,
};
