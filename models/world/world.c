/*
 * The world: everything a scenario describes, built on one struct sim.
 *
 * Order of construction: L1, DA layers, workloads, aggregators, shared
 * sequencers, systems and their instances, faults.  One tick event (every
 * "tick", default one L1 slot) draws arrivals, sequences and cuts batches
 * for every instance; based sequencers act on L1 blocks instead.  Series
 * are sampled every output.series_interval.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/aggregation.h"
#include "l2sim/da.h"
#include "l2sim/faults.h"
#include "l2sim/keystore.h"
#include "l2sim/l1.h"
#include "l2sim/system.h"
#include "l2sim/workload.h"
#include "l2sim/world.h"

struct world;

/* A system of several instances as a fault target. */
struct system_group {
	struct world *world;
	const struct system_def *def;
};

struct world {
	struct sim *sim;
	const struct scenario *scn;
	sim_time_t duration, warmup, tick, series_interval;
	int keep_l1_blocks;
	struct l1_chain *l1;
	struct da_set *da;
	struct workload_set *workloads;
	struct agg_set *aggs;
	struct fault_set *faults;
	struct ks_set *keystores;
	struct system_def *defs;
	size_t n_defs;
	struct sys_instance **inst;
	size_t n_inst;
	struct shared_seq **shared;
	size_t n_shared;
	bool series_per_instance;
	struct run_result *series;  /* series points buffered during the run */
	double base_missed;         /* l1.missed_slot_probability */
	struct system_group *groups; /* per def: fault target of a system */
};

static const char *const top_keys[] = {
	"name", "description", "duration", "warmup", "seed", "replications",
	"output", "tick", "l1", "da_layers", "workloads", "systems",
	"shared_sequencers", "aggregators", "faults", "sweep", "keystores",
	NULL,
};

static const char *const output_keys[] = {"series_interval", "l1_blocks",
					  "series_per_instance", NULL};

/* Series of every instance are kept up to this many instances by default
 * ("all" always): a sweep to 64 copies should not write 64 x 5 series. */
#define SERIES_INSTANCES_MAX 16

static int read_settings(const struct scenario *scn, struct world_settings *s,
			 sim_time_t *tick, int *per_instance,
			 struct l2s_error *err)
{
	struct scn_obj root = scn_root(scn);
	int rc;
	if ((rc = scn_check_keys(&root, top_keys, err)))
		return rc;
	const char *name, *desc;
	if ((rc = scn_get_string(&root, "name", NULL, &name, err)) ||
	    (rc = scn_get_string(&root, "description", NULL, &desc, err)))
		return rc;
	int64_t seed, reps;
	if ((rc = scn_get_duration(&root, "duration", SIM_DAY, SIM_S,
				   3650 * SIM_DAY, &s->duration, err)) ||
	    (rc = scn_get_duration(&root, "warmup", 0, 0, 3650 * SIM_DAY,
				   &s->warmup, err)) ||
	    (rc = scn_get_int(&root, "seed", 1, 0, INT64_MAX, &seed, err)) ||
	    (rc = scn_get_int(&root, "replications", 1, 1, 100000, &reps, err)) ||
	    (rc = scn_get_duration(&root, "tick", 12 * SIM_S, 100 * SIM_MS,
				   SIM_HOUR, tick, err)))
		return rc;
	if (s->warmup >= s->duration)
		return scn_fail(&root, "warmup", err, "warmup must be shorter "
				"than duration");
	s->seed = (uint64_t)seed;
	s->replications = reps;
	struct scn_obj out;
	bool has;
	if ((rc = scn_get_obj(&root, "output", &out, &has, err)) ||
	    (rc = scn_check_keys(&out, output_keys, err)))
		return rc;
	/* About 500 points per series by default, at least one minute. */
	sim_time_t dflt = s->duration / 500;
	if (dflt < SIM_MIN)
		dflt = SIM_MIN;
	bool keep, per = false;
	if ((rc = scn_get_duration(&out, "series_interval", dflt, SIM_S,
				   s->duration, &s->series_interval, err)) ||
	    (rc = scn_get_bool(&out, "l1_blocks", false, &keep, err)) ||
	    (rc = scn_get_bool(&out, "series_per_instance", true, &per, err)))
		return rc;
	s->keep_l1_blocks = keep;
	if (per_instance)
		*per_instance = per;
	return 0;
}

int world_read_settings(const struct scenario *scn, struct world_settings *out,
			struct l2s_error *err)
{
	sim_time_t tick;
	return read_settings(scn, out, &tick, NULL, err);
}

/* ---- events ------------------------------------------------------------- */

static void world_tick(struct sim *sim, void *self, void *arg)
{
	struct world *w = self;
	sim_time_t t1 = sim_now(sim), t0 = t1 - w->tick;
	for (size_t i = 0; i < w->n_inst; i++)
		sys_tick_arrivals(w->inst[i], t0, t1);
	for (size_t i = 0; i < w->n_shared; i++)
		shared_seq_tick(w->shared[i], t0, t1);
	for (size_t i = 0; i < w->n_inst; i++)
		sim_fingerprint_add(sim, sys_tick_post(w->inst[i], t1));
	if (t1 + w->tick <= w->duration)
		sim_schedule(sim, t1 + w->tick, world_tick, w, NULL, NULL);
}

static void series_tick(struct sim *sim, void *self, void *arg)
{
	struct world *w = self;
	sys_series_sample(w->inst, w->n_inst, w->series,
			  w->series_per_instance, sim_now(sim),
			  w->series_interval);
	if (sim_now(sim) + w->series_interval <= w->duration)
		sim_schedule_in(sim, w->series_interval, series_tick, w, NULL,
				NULL);
}

/* ---- faults ---------------------------------------------------------------- */

/* A fault on a system of several instances hits each of them. */
static void group_down(void *obj, int member, bool down,
		       void (*fn)(void *, int, bool))
{
	struct system_group *g = obj;
	struct world *w = g->world;
	for (size_t i = 0; i < w->n_inst; i++)
		if (sys_instance_def(w->inst[i]) == g->def)
			fn(w->inst[i], member, down);
}

static void def_seq_down(void *o, int m, bool d) { group_down(o, m, d, sys_set_seq_down); }
static void def_poster_down(void *o, int m, bool d) { group_down(o, m, d, sys_set_poster_down); }
static void def_prover_down(void *o, int m, bool d) { group_down(o, m, d, sys_set_prover_down); }

static void da_down(void *obj, int member, bool down)
{
	if (member >= 0)
		da_dac_set_member_down(obj, member, down);
	else
		da_set_down(obj, down);
}

static void l1_apply(void *obj, const char *type, double value, bool on)
{
	struct world *w = obj;
	if (!strcmp(type, "l1_missed_slots"))
		l1_set_missed_probability(w->l1, on ? value : w->base_missed);
	else if (!strcmp(type, "l1_reorg") && on)
		l1_reorg(w->l1, (int64_t)value);
	else if (!strcmp(type, "fee_spike"))
		l1_set_demand_multiplier(w->l1, on ? value : 1);
}

static int add_target(struct fault_target **t, size_t *n, size_t *cap,
		      struct fault_target v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		void *p = realloc(*t, nc * sizeof(**t));
		if (!p)
			return L2S_ENOMEM;
		*t = p;
		*cap = nc;
	}
	(*t)[(*n)++] = v;
	return 0;
}

/* Registers every object a fault can hit.  A system (all its instances),
 * each instance, each shared sequencer, each DA layer, and "l1". */
static int build_faults(struct world *w, const struct scn_obj *root,
			struct l2s_error *err)
{
	struct fault_target *t = NULL;
	size_t k = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < w->n_defs && !rc; i++) {
		struct system_def *d = &w->defs[i];
		struct system_group *g = &w->groups[i];
		*g = (struct system_group){w, d};
		if (d->count == 1)
			continue; /* the instance carries the same name */
		rc = add_target(&t, &k, &cap, (struct fault_target){
			d->name, "sequencer_outage", def_seq_down, NULL, g, 0});
		rc = rc ? rc : add_target(&t, &k, &cap, (struct fault_target){
			d->name, "batch_poster_outage", def_poster_down, NULL,
			g, 0});
		if (d->has_prover && !rc)
			rc = add_target(&t, &k, &cap, (struct fault_target){
				d->name, "prover_outage", def_prover_down, NULL,
				g, 0});
	}
	for (size_t i = 0; i < w->n_inst && !rc; i++) {
		struct sys_instance *in = w->inst[i];
		const char *nm = sys_instance_name(in);
		rc = add_target(&t, &k, &cap, (struct fault_target){
			nm, "sequencer_outage", sys_set_seq_down, NULL, in, 0});
		rc = rc ? rc : add_target(&t, &k, &cap, (struct fault_target){
			nm, "batch_poster_outage", sys_set_poster_down, NULL,
			in, 0});
		if (sys_has_prover(in) && !rc)
			rc = add_target(&t, &k, &cap, (struct fault_target){
				nm, "prover_outage", sys_set_prover_down, NULL,
				in, 0});
		struct sys_fault_hook hooks[8];
		size_t nh = sys_instance_fault_hooks(in, hooks, 8);
		for (size_t j = 0; j < nh && !rc; j++)
			rc = add_target(&t, &k, &cap, (struct fault_target){
				nm, hooks[j].kind, hooks[j].set_down, NULL,
				hooks[j].obj, 0});
	}
	for (size_t i = 0; i < w->n_shared && !rc; i++)
		rc = add_target(&t, &k, &cap, (struct fault_target){
			shared_seq_config(w->shared[i])->name,
			"sequencer_outage", shared_seq_set_down, NULL,
			w->shared[i], 0});
	for (size_t i = 0; i < da_count(w->da) && !rc; i++) {
		struct da_layer *l = da_at(w->da, i);
		bool dac = da_layer_type(l) == DA_TYPE_DAC;
		rc = add_target(&t, &k, &cap, (struct fault_target){
			da_layer_name(l),
			dac ? "da_outage dac_member_outage" : "da_outage",
			da_down, NULL, l, dac ? da_dac_members(l) : 0});
	}
	if (!rc)
		rc = add_target(&t, &k, &cap, (struct fault_target){
			"l1", "l1_missed_slots l1_reorg fee_spike", NULL, l1_apply,
			w, 0});
	if (rc) {
		free(t);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	rc = faults_create(w->sim, root, t, k, &w->faults, err);
	free(t);
	return rc;
}

/* ---- construction ------------------------------------------------------- */

int world_create(struct sim *sim, const struct scenario *scn,
		 struct world **out, struct l2s_error *err)
{
	*out = NULL;
	struct world *w = calloc(1, sizeof(*w));
	if (!w)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	w->sim = sim;
	w->scn = scn;
	struct world_settings s;
	int per_instance = 1;
	int rc = read_settings(scn, &s, &w->tick, &per_instance, err);
	if (rc)
		goto fail;
	w->duration = s.duration;
	w->warmup = s.warmup;
	w->series_interval = s.series_interval;
	w->keep_l1_blocks = s.keep_l1_blocks;
	struct scn_obj root = scn_root(scn), l1o;
	if ((rc = scn_get_obj(&root, "l1", &l1o, NULL, err)) ||
	    (rc = l1_create(sim, &l1o, &w->l1, err)))
		goto fail;
	l1_set_recording(w->l1, w->warmup, w->keep_l1_blocks,
			 w->series_interval);
	/* The tick defaults to one L1 slot. */
	if (!scn_has(&root, "tick"))
		w->tick = l1_slot_time(w->l1);
	if ((rc = scn_get_double(&l1o, "missed_slot_probability", 0, 0, 1,
				 &w->base_missed, err)))
		goto fail;
	if ((rc = da_layers_create(sim, &root, w->warmup, &w->da, err)) ||
	    (rc = workloads_create(&root, &w->workloads, err)) ||
	    (rc = aggregators_create(sim, w->l1, &root, &w->aggs, err)))
		goto fail;
	agg_set_warmup(w->aggs, w->warmup);
	struct sys_env env = {
		.sim = sim, .l1 = w->l1, .da = w->da,
		.workloads = w->workloads, .aggs = w->aggs,
		.warmup = w->warmup,
	};
	if ((rc = sys_read_shared_seqs(sim, &root, &w->shared, &w->n_shared,
				   err)))
		goto fail;
	env.shared = w->shared;
	env.n_shared = w->n_shared;
	if ((rc = sys_read_systems(&env, &root, &w->defs, &w->n_defs, err)))
		goto fail;
	if (!(w->series = run_result_create()) ||
	    !(w->groups = calloc(w->n_defs ? w->n_defs : 1,
				 sizeof(*w->groups)))) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	size_t n = 0;
	for (size_t i = 0; i < w->n_defs; i++) {
		struct system_def *d = &w->defs[i];
		n += (size_t)d->count;
		if (d->type != SYS_SDR || d->batcher.target == DA_ALT) {
			char nm[140];
			snprintf(nm, sizeof(nm), "%s/compress", d->name);
			gsl_rng *r = sim_rng(sim, nm);
			d->calib = r ? comp_calib_create(d->batcher.algo,
							 d->batcher.level,
							 workload_kinds(d->workload),
							 r)
				     : NULL;
			if (d->calib)
				comp_calib_set_encoding(d->calib,
							d->batcher.encoding);
			if (!d->calib) {
				rc = l2s_error_set(err, L2S_ENOMEM,
						   "out of memory");
				goto fail;
			}
		}
	}
	if (n > 1000000) {
		rc = scn_fail(&root, "systems", err, "%zu system instances; "
			      "at most 1,000,000", n);
		goto fail;
	}
	w->inst = calloc(n ? n : 1, sizeof(*w->inst));
	if (!w->inst) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < w->n_defs; i++) {
		struct system_def *d = &w->defs[i];
		for (int64_t k = 0; k < d->count; k++) {
			rc = sys_instance_create(&env, d, (int)k,
						 &w->inst[w->n_inst], err);
			if (rc)
				goto fail;
			w->n_inst++;
		}
	}
	sys_link_parents(w->inst, w->n_inst);
	w->series_per_instance = per_instance &&
				 w->n_inst <= SERIES_INSTANCES_MAX;
	if ((rc = build_faults(w, &root, err)) ||
	    (rc = ks_create(sim, &root, w->inst, w->n_inst, w->warmup,
			    &w->keystores, err)))
		goto fail;

	/* Start. */
	if ((rc = l1_start(w->l1)))
		goto fail;
	for (size_t i = 0; i < w->n_inst; i++) {
		struct sys_instance *in = w->inst[i];
		if ((rc = sys_instance_start(in)))
			goto fail;
		if (sys_instance_def(in)->seq.type == SEQ_BASED &&
		    (rc = l1_on_block(w->l1, sys_based_block, in)))
			goto fail;
	}
	if (w->n_inst && w->tick <= w->duration)
		sim_schedule(sim, w->tick, world_tick, w, NULL, NULL);
	if (w->series_interval <= w->duration)
		sim_schedule(sim, w->series_interval, series_tick, w, NULL, NULL);
	const char *why;
	if (sim_failure(sim, &why)) {
		rc = l2s_error_set(err, L2S_ENOMEM, "%s", why);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	/* calls that return a code without a message (scheduling) */
	if (rc == L2S_ENOMEM && err && !err->msg[0])
		l2s_error_set(err, rc, "out of memory");
	world_destroy(w);
	return rc;
}

int world_run(struct world *w, struct l2s_error *err)
{
	sim_run_until(w->sim, w->duration);
	return 0;
}

void world_collect(struct world *w, struct run_result *res)
{
	l1_collect(w->l1, res);
	da_collect(w->da, res);
	agg_collect(w->aggs, res);
	faults_collect(w->faults, res, w->warmup, w->duration);
	sys_collect(w->inst, w->n_inst, w->defs, w->n_defs, res,
		    sim_now(w->sim), sim_time_to_s(w->duration - w->warmup));
	for (size_t i = 0; i < w->n_shared; i++)
		shared_seq_collect(w->shared[i], res, w->duration);
	sys_collect_trust(w->inst, w->n_inst, res, l1_slot_time(w->l1));
	ks_collect(w->keystores, res);
	/* points the buffer could not take make the whole run fail */
	if (w->series->oom)
		res->oom = 1;
	for (size_t i = 0; i < w->series->n_points; i++) {
		const struct res_point *p = &w->series->points[i];
		res_series_add(res, p->component, p->name, p->t_seconds,
			       p->value);
	}
}

void world_destroy(struct world *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_inst; i++)
		sys_instance_destroy(w->inst[i]);
	free(w->inst);
	sys_defs_free(w->defs, w->n_defs);
	free(w->groups);
	for (size_t i = 0; i < w->n_shared; i++)
		shared_seq_destroy(w->shared[i]);
	free(w->shared);
	faults_destroy(w->faults);
	ks_destroy(w->keystores);
	agg_set_destroy(w->aggs);
	workload_set_destroy(w->workloads);
	da_set_destroy(w->da);
	l1_destroy(w->l1);
	run_result_destroy(w->series);
	free(w);
}

struct sys_instance *world_instance(struct world *w, const char *name)
{
	for (size_t i = 0; i < w->n_inst; i++)
		if (!strcmp(sys_instance_name(w->inst[i]), name))
			return w->inst[i];
	return NULL;
}

struct l1_chain *world_l1(struct world *w) { return w->l1; }

/* ---- the world as the runner's model ------------------------------------ */

static int model_settings(const struct scenario *scn,
			  struct sim_run_settings *out, struct l2s_error *err)
{
	struct world_settings s;
	int rc = world_read_settings(scn, &s, err);
	if (rc)
		return rc;
	out->seed = s.seed;
	out->replications = s.replications;
	out->duration = s.duration;
	return 0;
}

static int model_create(struct sim *sim, const struct scenario *scn,
			void **out, struct l2s_error *err)
{
	struct world *w = NULL;
	int rc = world_create(sim, scn, &w, err);
	*out = w;
	return rc;
}

static int model_run(void *m, struct l2s_error *err)
{
	return world_run(m, err);
}

static void model_collect(void *m, struct run_result *res)
{
	world_collect(m, res);
}

static void model_destroy(void *m)
{
	world_destroy(m);
}

const struct sim_model world_model = {
	.name = "l2sim world",
	.settings = model_settings,
	.create = model_create,
	.run = model_run,
	.collect = model_collect,
	.destroy = model_destroy,
};
