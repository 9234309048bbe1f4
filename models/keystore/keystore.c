/*
 * Key stores (include/l2sim/keystore.h).  One draw event per keystore
 * every 'interval' (default 10 min): the changes of that interval, and
 * for "copy" how many missed a system; nothing per change.  Staleness
 * comes from the covered systems' measured latencies at the end of the
 * run.  docs/model-settlement.md gives the formulas and the sources of
 * the defaults.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "l2sim/keystore.h"
#include "l2sim/lathist.h"

static const char *const design_names[] = {"copy", "keystore_rollup", "home",
					   NULL};
static const char *const keys[] = {
	"name", "design", "systems", "changes", "change_gas", "read_gas",
	"miss_probability", "resync_after", "keystore", "read_delay",
	"interval", "description", NULL,
};

/*
 * change_gas 29,000: a key rotation rewrites one warm-able storage slot
 * of the wallet: 21,000 transaction base + 2,100 cold slot access
 * (EIP-2929) + 2,900 SSTORE of a non-zero slot to another non-zero value
 * (EIP-2929's SSTORE_RESET 5,000 - 2,100) + 3,000 ecrecover of the
 * authorising signature (Yellow Paper, precompile 0x01).
 * read_gas: 20,000 for a read through an aggregated proof (the marginal
 * per-proof verification of aggregation, as the aggregators' default);
 * 200,000 for verifying a storage proof alone (home design).
 */
#define DFLT_CHANGE_GAS INT64_C(29000)
#define DFLT_READ_AGG INT64_C(20000)
#define DFLT_READ_ALONE INT64_C(200000)
#define GAS_MAX INT64_C(100000000)

struct keystore {
	struct ks_set *set;
	const char *name;
	enum ks_design design;
	struct sys_instance **cov;  /* covered instances */
	size_t n_cov;
	struct sys_instance *ks;    /* keystore_rollup: the key-store rollup */
	int64_t rate;               /* changes per second, SCN_RATE_ONE units */
	int64_t change_gas, read_gas;
	double miss_p;
	sim_time_t resync_after, read_delay, interval;
	gsl_rng *rng;
	double changes, missed;     /* after warm-up */
};

struct ks_set {
	struct sim *sim;
	sim_time_t warmup;
	struct keystore *k;
	size_t n;
};

int64_t ks_l2_gas(enum ks_design d, int64_t systems, int64_t change_gas,
		  int64_t read_gas)
{
	switch (d) {
	case KS_COPY:
		return systems * change_gas;
	case KS_KEYSTORE_ROLLUP:
		return change_gas + systems * read_gas;
	case KS_HOME:
		return change_gas + (systems > 0 ? systems - 1 : 0) * read_gas;
	}
	return 0;
}

static struct sys_instance *find_inst(struct sys_instance *const *inst,
				      size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sys_instance_name(inst[i]), name))
			return inst[i];
	return NULL;
}

/* Instances of system or instance 'name' appended to k->cov. */
static size_t add_covered(struct keystore *k, struct sys_instance *const *inst,
			  size_t n, const char *name)
{
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		const char *in = sys_instance_name(inst[i]);
		if (strcmp(in, name) &&
		    strcmp(sys_instance_def(inst[i])->name, name))
			continue;
		k->cov[k->n_cov++] = inst[i];
		added++;
	}
	return added;
}

static void on_draw(struct sim *sim, void *self, void *arg);

static int read_one(struct ks_set *set, const struct scn_obj *e,
		    struct keystore *k, struct sys_instance *const *inst,
		    size_t n, struct l2s_error *err)
{
	int rc, d = 0;
	if ((rc = scn_check_keys(e, keys, err)))
		return rc;
	if ((rc = scn_get_string(e, "name", NULL, &k->name, err)))
		return rc;
	if (!k->name || !k->name[0])
		return scn_fail(e, NULL, err, "a keystore needs a \"name\"");
	if (!strcmp(k->name, "all") || !strcmp(k->name, "l1") ||
	    find_inst(inst, n, k->name))
		return scn_fail(e, "name", err, "keystore name '%s' is taken "
				"(by a system or the results)", k->name);
	if (!scn_has(e, "design"))
		return scn_fail(e, NULL, err, "a keystore needs a \"design\": "
				"copy, keystore_rollup or home");
	if ((rc = scn_get_enum(e, "design", 0, design_names, &d, err)))
		return rc;
	k->design = (enum ks_design)d;
	if (!scn_has(e, "changes"))
		return scn_fail(e, NULL, err, "a keystore needs \"changes\": "
				"the rate of key changes");
	if ((rc = scn_get_rate(e, "changes", 0, 0, INT64_MAX / 4, &k->rate,
			       err)) ||
	    (rc = scn_get_int(e, "change_gas", DFLT_CHANGE_GAS, 0, GAS_MAX,
			      &k->change_gas, err)) ||
	    (rc = scn_get_int(e, "read_gas",
			      k->design == KS_HOME ? DFLT_READ_ALONE
						   : DFLT_READ_AGG,
			      0, GAS_MAX, &k->read_gas, err)) ||
	    (rc = scn_get_double(e, "miss_probability", 0, 0, 1, &k->miss_p,
				 err)) ||
	    (rc = scn_get_duration(e, "resync_after", 30 * SIM_DAY, 0,
				   3650 * SIM_DAY, &k->resync_after, err)) ||
	    (rc = scn_get_duration(e, "read_delay", 0, 0, 365 * SIM_DAY,
				   &k->read_delay, err)) ||
	    (rc = scn_get_duration(e, "interval", 10 * SIM_MIN, SIM_S,
				   SIM_DAY, &k->interval, err)))
		return rc;
	/* Keys that have no effect in the design are errors. */
	if (k->design == KS_COPY) {
		const char *bad = scn_has(e, "read_gas")     ? "read_gas"
				  : scn_has(e, "read_delay") ? "read_delay"
				  : scn_has(e, "keystore")   ? "keystore"
							     : NULL;
		if (bad)
			return scn_fail(e, bad, err, "'%s' has no effect in "
					"design \"copy\" (no reads)", bad);
	} else {
		const char *bad = scn_has(e, "miss_probability")
					  ? "miss_probability"
				  : scn_has(e, "resync_after") ? "resync_after"
							       : NULL;
		if (bad)
			return scn_fail(e, bad, err, "'%s' applies to design "
					"\"copy\" only", bad);
	}
	size_t ns = 0;
	if ((rc = scn_get_array(e, "systems", &ns, err)))
		return rc;
	k->cov = calloc(n ? n : 1, sizeof(*k->cov));
	if (!k->cov)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	json_t *arr = json_object_get(e->obj, "systems");
	if (ns == 0) {
		for (size_t i = 0; i < n; i++)
			k->cov[k->n_cov++] = inst[i];
	}
	for (size_t i = 0; i < ns; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			return scn_fail(e, "systems", err, "\"systems\" lists "
					"system names (strings)");
		if (!add_covered(k, inst, n, json_string_value(v)))
			return scn_fail(e, "systems", err, "no system named "
					"'%s'", json_string_value(v));
	}
	if (k->design == KS_KEYSTORE_ROLLUP) {
		const char *nm = NULL;
		if ((rc = scn_get_string(e, "keystore", NULL, &nm, err)))
			return rc;
		if (!nm)
			return scn_fail(e, "design", err, "design "
					"\"keystore_rollup\" needs \"keystore\": "
					"the system that is the key-store rollup");
		k->ks = find_inst(inst, n, nm);
		if (!k->ks)
			return scn_fail(e, "keystore", err, "no system instance "
					"named '%s'", nm);
		/* The key-store rollup reads nothing: it is not covered. */
		size_t w = 0;
		for (size_t i = 0; i < k->n_cov; i++)
			if (k->cov[i] != k->ks)
				k->cov[w++] = k->cov[i];
		k->n_cov = w;
	} else if (scn_has(e, "keystore")) {
		return scn_fail(e, "keystore", err, "'keystore' is for design "
				"\"keystore_rollup\"");
	}
	if (k->n_cov == 0)
		return scn_fail(e, "systems", err, "a keystore covers at least "
				"one system");
	k->set = set;
	k->rng = sim_rng(set->sim, k->name);
	if (!k->rng)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	return sim_schedule_in(set->sim, k->interval, on_draw, k, NULL, NULL)
		       ? l2s_error_set(err, L2S_ENOMEM, "out of memory")
		       : 0;
}

int ks_create(struct sim *sim, const struct scn_obj *root,
	      struct sys_instance *const *inst, size_t n,
	      sim_time_t warmup, struct ks_set **out, struct l2s_error *err)
{
	struct ks_set *set = calloc(1, sizeof(*set));
	size_t m = 0;
	int rc;
	*out = NULL;
	if (!set)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	set->sim = sim;
	set->warmup = warmup;
	if ((rc = scn_get_array(root, "keystores", &m, err)))
		goto fail;
	if (m && !(set->k = calloc(m, sizeof(*set->k)))) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < m; i++) {
		struct scn_obj e;
		set->n = i + 1;
		if ((rc = scn_get_elem(root, "keystores", i, &e, err)) ||
		    (rc = read_one(set, &e, &set->k[i], inst, n, err)))
			goto fail;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(set->k[j].name, set->k[i].name)) {
				rc = scn_fail(&e, "name", err, "keystore '%s' "
					      "is declared twice",
					      set->k[i].name);
				goto fail;
			}
	}
	*out = set;
	return 0;
fail:
	ks_destroy(set);
	return rc;
}

void ks_destroy(struct ks_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free(set->k[i].cov);
	free(set->k);
	free(set);
}

/* The changes of the last interval: Poisson(rate * interval); under
 * "copy" each misses at least one of the S copies with probability
 * 1 - (1 - p)^S. */
static void on_draw(struct sim *sim, void *self, void *arg)
{
	struct keystore *k = self;
	double mean = (double)k->rate / (double)SCN_RATE_ONE *
		      sim_time_to_s(k->interval);
	unsigned int c = mean > 0 ? gsl_ran_poisson(k->rng, mean) : 0;
	if (sim_now(sim) > k->set->warmup) {
		k->changes += c;
		if (k->design == KS_COPY && k->miss_p > 0 && c > 0) {
			double q = 1 - pow(1 - k->miss_p, (double)k->n_cov);
			k->missed += gsl_ran_binomial(k->rng, q, c);
		}
	}
	sim_schedule_in(sim, k->interval, on_draw, k, NULL, NULL);
}

/* L1 gas per transaction an instance paid (its data and proofs). */
static double l1_gas_per_tx(struct sys_instance *in)
{
	const struct ledger *l = sys_instance_ledger(in);
	double posted = (double)batcher_stats(sys_instance_batcher(in))->posted_w;
	return posted > 0 ? l->l1_gas / posted : 0;
}

void ks_collect(const struct ks_set *set, struct run_result *res)
{
	for (size_t i = 0; set && i < set->n; i++) {
		const struct keystore *k = &set->k[i];
		int64_t s = (int64_t)k->n_cov;
		double l2 = (double)ks_l2_gas(k->design, s, k->change_gas,
					      k->read_gas);
		double l1 = 0, stale = 0;
		struct lat_hist h;
		switch (k->design) {
		case KS_COPY:
			/* Each copy is a transaction of its system, paying
			 * that system's L1 share; honoured everywhere when
			 * the slowest system soft-confirms it (its p99), or
			 * after resync_after when more than 1% of the
			 * changes missed a copy. */
			for (size_t j = 0; j < k->n_cov; j++) {
				double p99 = lat_hist_quantile(
					seq_latency(sys_instance_sequencer(
						k->cov[j])),
					0.99);
				l1 += l1_gas_per_tx(k->cov[j]);
				if (p99 > stale)
					stale = p99;
			}
			if (k->changes > 0 && k->missed / k->changes > 0.01)
				stale = sim_time_to_s(k->resync_after);
			break;
		case KS_KEYSTORE_ROLLUP:
			/* One transaction on the key-store rollup; the others
			 * read its state root once final on L1. */
			l1 = l1_gas_per_tx(k->ks);
			stale = lat_hist_quantile(
					settle_latency(sys_instance_settlement(
						k->ks)),
					0.99) +
				sim_time_to_s(k->read_delay);
			break;
		case KS_HOME:
			/* Homes uniform over the covered systems: the change
			 * pays its home's L1 share (the mean over homes) and
			 * is honoured once the home's state is final. */
			if (lat_hist_init(&h)) {
				res->oom = 1;
				return;
			}
			for (size_t j = 0; j < k->n_cov; j++) {
				l1 += l1_gas_per_tx(k->cov[j]) /
				      (double)k->n_cov;
				lat_hist_merge(&h, settle_latency(
						   sys_instance_settlement(
							   k->cov[j])));
			}
			stale = lat_hist_quantile(&h, 0.99) +
				sim_time_to_s(k->read_delay);
			if (lat_hist_failed(&h))
				res->oom = 1;
			lat_hist_release(&h);
			break;
		}
		if (isnan(stale))
			stale = 0;
		res_metric_set(res, k->name, "keychanges", k->changes);
		res_metric_set(res, k->name, "keychange_missed", k->missed);
		res_metric_set(res, k->name, "keychange_l2_gas", l2);
		res_metric_set(res, k->name, "keychange_l1_gas", l1);
		res_metric_set(res, k->name, "keychange_gas", l2 + l1);
		res_metric_set(res, k->name, "keychange_staleness_p99", stale);
		res_metric_set(res, k->name, "keychange_systems", (double)s);
	}
}
