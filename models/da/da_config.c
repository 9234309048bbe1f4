/*
 * Reading one element of the scenario's "da_layers" array: presets per
 * type, overrides, and the checks that give located error messages.
 * docs/model-da.md lists the keys and their defaults.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "da_internal.h"

#define MIB INT64_C(1048576)

static const char *const type_names[] = {
	"celestia", "eigenda", "avail", "generic", "dac", NULL,
};

static const char *const block_keys[] = {
	"name", "type", "block_time", "max_block_bytes", "throughput",
	"confirmation_blocks", "confirmation_latency", "price_per_mib",
	"fee_market", "outages", NULL,
};

static const char *const dac_keys[] = {
	"name", "type", "members", "threshold", "member_availability",
	"sign_latency", "timeout", "price_per_mib", "outages", NULL,
};

static const char *const fee_market_keys[] = {
	"enabled", "target_fill", "change_denominator", "min_price_per_mib",
	"max_price_per_mib", NULL,
};

static const char *const outage_keys[] = { "start", "duration", NULL };

static const char *const dist_names[] = {
	"constant", "uniform", "exponential", "lognormal", NULL,
};

/* Names the results database gives to other components. */
static const char *const reserved_components[] = { "l1", "all", NULL };

void da_config_preset(struct da_config *cfg, enum da_type type)
{
	cfg->type = type;
	cfg->price_per_mib = 0;
	cfg->confirmation_blocks = 0;
	cfg->confirmation_latency = 0;
	cfg->fee_market = false;
	cfg->target_fill = 0.5;
	cfg->change_denominator = 8;
	cfg->min_price_per_mib = 0;
	cfg->max_price_per_mib = UINT64_MAX;

	switch (type) {
	case DA_TYPE_CELESTIA:
		/* Celestia (celestia-app pkg/appconsts, release notes; docs/sources.md
		 * §6.1): 6 s blocks since Ginger (v3), governance
		 * square 128 -> ~8 MiB since Jan 2025 (~1.33 MiB/s).
		 * CometBFT commits are final, so confirmation = inclusion. */
		cfg->block_time = 6 * SIM_S;
		cfg->max_block_bytes = 8 * MIB;
		break;
	case DA_TYPE_EIGENDA:
		/* EigenDA blog "EigenDA V2: Core Architecture" (§6.2): V2
		 * (Blazar) 100 MB/s writes, average
		 * end-to-end latency ~5 s.  Not block-based on the wire; we
		 * batch it into 1 s ticks of 100 MB and add 4.5 s so the
		 * mean end-to-end time (0.5 s mean wait for a tick + 4.5 s)
		 * matches the reported ~5 s. */
		cfg->block_time = 1 * SIM_S;
		cfg->max_block_bytes = INT64_C(100000000);
		cfg->confirmation_latency = 4500 * SIM_MS;
		break;
	case DA_TYPE_AVAIL:
		/* Avail blog (§6.3): 20 s blocks of 4 MB (2025), finality after
		 * 2 blocks (~40 s). */
		cfg->block_time = 20 * SIM_S;
		cfg->max_block_bytes = INT64_C(4000000);
		cfg->confirmation_blocks = 2;
		break;
	case DA_TYPE_GENERIC:
		/* No source: an L1-like 12 s chain with 1 MiB blocks, final
		 * on inclusion.  Scenarios are expected to override. */
		cfg->block_time = 12 * SIM_S;
		cfg->max_block_bytes = MIB;
		break;
	case DA_TYPE_DAC:
		/* Arbitrum AnyTrust docs (§6.4): K = N + 1 - H with
		 * H = 2; the docs' example N = 8 -> K = 7.  Signing delay,
		 * availability and timeout have no source: assumptions. */
		cfg->block_time = 0;
		cfg->max_block_bytes = 0;
		cfg->members = 8;
		cfg->threshold = 7;
		cfg->member_availability = 1.0;
		cfg->sign_latency.kind = DA_DIST_CONSTANT;
		cfg->sign_latency.a = 200 * SIM_MS;
		cfg->timeout = 5 * SIM_S;
		break;
	}
}

void da_config_release(struct da_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->outage_start);
	free(cfg->outage_duration);
	cfg->outage_start = NULL;
	cfg->outage_duration = NULL;
	cfg->n_outages = 0;
}

sim_time_t da_dist_draw(const struct da_dist *d, gsl_rng *rng)
{
	double s;

	switch (d->kind) {
	case DA_DIST_CONSTANT:
		return d->a;
	case DA_DIST_UNIFORM:
		return d->a + sim_time_from_s(gsl_rng_uniform(rng) *
					      sim_time_to_s(d->b - d->a));
	case DA_DIST_EXPONENTIAL:
		s = gsl_ran_exponential(rng, sim_time_to_s(d->b));
		return d->a + sim_time_from_s(s);
	case DA_DIST_LOGNORMAL:
		/* median = exp(zeta) */
		s = gsl_ran_lognormal(rng, log(sim_time_to_s(d->a)), d->sigma);
		return sim_time_from_s(s);
	}
	return d->a;
}

static int read_name(const struct scn_obj *o, struct da_config *cfg,
		     struct l2s_error *err)
{
	const char *name = NULL;
	int rc;

	if (!scn_has(o, "name"))
		return scn_fail(o, NULL, err, "missing key 'name'");
	rc = scn_get_string(o, "name", NULL, &name, err);
	if (rc)
		return rc;
	if (!name || !name[0])
		return scn_fail(o, "name", err, "empty da layer name");
	if (da_is_builtin(name)) {
		rc = scn_fail(o, "name", err,
			      "da layer name '%s' is reserved for the built-in "
			      "ethereum layer", name);
		l2s_error_hint(err, "systems can use '%s' without declaring "
			       "it; pick another name", name);
		return rc;
	}
	for (int i = 0; reserved_components[i]; i++)
		if (!strcmp(name, reserved_components[i]))
			return scn_fail(o, "name", err,
					"da layer name '%s' is reserved for "
					"results", name);
	cfg->name = name;
	return 0;
}

static int read_outages(const struct scn_obj *o, struct da_config *cfg,
			struct l2s_error *err)
{
	size_t n = 0;
	int rc = scn_get_array(o, "outages", &n, err);

	if (rc || n == 0)
		return rc;
	cfg->outage_start = calloc(n, sizeof(*cfg->outage_start));
	cfg->outage_duration = calloc(n, sizeof(*cfg->outage_duration));
	if (!cfg->outage_start || !cfg->outage_duration)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	cfg->n_outages = n;
	for (size_t i = 0; i < n; i++) {
		struct scn_obj e;

		rc = scn_get_elem(o, "outages", i, &e, err);
		if (!rc)
			rc = scn_check_keys(&e, outage_keys, err);
		if (!rc && !scn_has(&e, "start"))
			rc = scn_fail(&e, NULL, err, "missing key 'start'");
		if (!rc && !scn_has(&e, "duration"))
			rc = scn_fail(&e, NULL, err, "missing key 'duration'");
		if (!rc)
			rc = scn_get_duration(&e, "start", 0, 0, SIM_TIME_MAX / 2,
					      &cfg->outage_start[i], err);
		if (!rc)
			rc = scn_get_duration(&e, "duration", 0, 1,
					      SIM_TIME_MAX / 2,
					      &cfg->outage_duration[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_fee_market(const struct scn_obj *o, struct da_config *cfg,
			   struct l2s_error *err)
{
	struct scn_obj fm;
	bool present = false;
	int64_t denom = cfg->change_denominator;
	int rc;

	rc = scn_get_obj(o, "fee_market", &fm, &present, err);
	if (rc || !present)
		return rc;
	rc = scn_check_keys(&fm, fee_market_keys, err);
	if (!rc)
		rc = scn_get_bool(&fm, "enabled", true, &cfg->fee_market, err);
	if (!rc)
		rc = scn_get_double(&fm, "target_fill", cfg->target_fill, 1e-6,
				    1.0, &cfg->target_fill, err);
	if (!rc)
		rc = scn_get_int(&fm, "change_denominator", denom, 1,
				 INT64_C(1000000), &cfg->change_denominator,
				 err);
	/* The fee market starts at price_per_mib and never falls below it
	 * unless a lower floor is given. */
	if (!rc)
		rc = scn_get_fee(&fm, "min_price_per_mib", cfg->price_per_mib,
				 UINT64_MAX, &cfg->min_price_per_mib, err);
	if (!rc)
		rc = scn_get_fee(&fm, "max_price_per_mib", UINT64_MAX,
				 UINT64_MAX, &cfg->max_price_per_mib, err);
	if (rc)
		return rc;
	if (cfg->min_price_per_mib > cfg->price_per_mib)
		return scn_fail(&fm, "min_price_per_mib", err,
				"min_price_per_mib exceeds price_per_mib");
	if (cfg->max_price_per_mib < cfg->price_per_mib)
		return scn_fail(&fm, "max_price_per_mib", err,
				"max_price_per_mib is below price_per_mib");
	return 0;
}

static bool in_list(const char *key, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(key, list[i]))
			return true;
	return false;
}

/* Like scn_check_keys, but a key that belongs to the other kind of layer
 * (a committee's 'members' on a celestia layer) says so. */
static int check_keys(const struct scn_obj *o, const char *const *own,
		      const char *const *other, const char *other_what,
		      struct l2s_error *err)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(o->obj, key, v) {
		if (in_list(key, own) || !in_list(key, other))
			continue;
		rc = scn_fail(o, key, err, "key '%s' does not apply to this "
			      "type of da layer", key);
		l2s_error_hint(err, "'%s' is for %s", key, other_what);
		return rc;
	}
	return scn_check_keys(o, own, err);
}

static int read_block_layer(const struct scn_obj *o, struct da_config *cfg,
			    struct l2s_error *err)
{
	int64_t rate = 0;
	int rc;

	rc = check_keys(o, block_keys, dac_keys, "type dac", err);
	if (!rc)
		rc = scn_get_duration(o, "block_time", cfg->block_time, SIM_MS,
				      SIM_DAY, &cfg->block_time, err);
	if (rc)
		return rc;
	if (scn_has(o, "max_block_bytes") && scn_has(o, "throughput")) {
		rc = scn_fail(o, "throughput", err,
			      "give either 'max_block_bytes' or 'throughput', "
			      "not both");
		return rc;
	}
	if (scn_has(o, "throughput")) {
		unsigned __int128 b;

		rc = scn_get_rate(o, "throughput", 0, 1, INT64_MAX, &rate, err);
		if (rc)
			return rc;
		/* rate is in millionths of a byte per second, block_time in
		 * ns: bytes = rate * bt / 1e15, rounded to nearest. */
		b = (unsigned __int128)rate * (uint64_t)cfg->block_time;
		b = (b + 500000000000000ULL) / 1000000000000000ULL;
		if (b < 1 || b > (unsigned __int128)INT64_MAX / 2)
			return scn_fail(o, "throughput", err,
					"throughput gives %s per block",
					b < 1 ? "less than one byte"
					      : "too many bytes");
		cfg->max_block_bytes = (int64_t)b;
	} else {
		rc = scn_get_size(o, "max_block_bytes", cfg->max_block_bytes, 1,
				  INT64_MAX / 2, &cfg->max_block_bytes, err);
		if (rc)
			return rc;
	}
	rc = scn_get_int(o, "confirmation_blocks", cfg->confirmation_blocks, 0,
			 INT64_C(1000000), &cfg->confirmation_blocks, err);
	if (!rc)
		rc = scn_get_duration(o, "confirmation_latency",
				      cfg->confirmation_latency, 0, 365 * SIM_DAY,
				      &cfg->confirmation_latency, err);
	if (!rc)
		rc = scn_get_fee(o, "price_per_mib", cfg->price_per_mib,
				 UINT64_MAX, &cfg->price_per_mib, err);
	if (rc)
		return rc;
	cfg->min_price_per_mib = cfg->price_per_mib;
	if (cfg->confirmation_blocks > (365 * SIM_DAY) / cfg->block_time)
		return scn_fail(o, "confirmation_blocks", err,
				"confirmation_blocks spans more than a year");
	return read_fee_market(o, cfg, err);
}

static int read_sign_latency(const struct scn_obj *o, struct da_config *cfg,
			     struct l2s_error *err)
{
	static const char *const keys[] = {
		"dist", "value", "min", "max", "offset", "mean", "median",
		"sigma", NULL,
	};
	struct da_dist *d = &cfg->sign_latency;
	json_t *v = json_object_get(o->obj, "sign_latency");
	struct scn_obj c;
	bool present;
	int kind = 0;
	int rc;

	if (!v)
		return 0;
	if (!json_is_object(v)) {
		d->kind = DA_DIST_CONSTANT;
		return scn_get_duration(o, "sign_latency", d->a, 0, SIM_HOUR,
					&d->a, err);
	}
	rc = scn_get_obj(o, "sign_latency", &c, &present, err);
	if (!rc)
		rc = scn_check_keys(&c, keys, err);
	if (rc)
		return rc;
	if (!scn_has(&c, "dist"))
		return scn_fail(&c, NULL, err, "missing key 'dist'");
	rc = scn_get_enum(&c, "dist", 0, dist_names, &kind, err);
	if (rc)
		return rc;
	memset(d, 0, sizeof(*d));
	d->kind = (enum da_dist_kind)kind;
	switch (d->kind) {
	case DA_DIST_CONSTANT:
		rc = scn_get_duration(&c, "value", 200 * SIM_MS, 0, SIM_HOUR,
				      &d->a, err);
		break;
	case DA_DIST_UNIFORM:
		rc = scn_get_duration(&c, "min", 0, 0, SIM_HOUR, &d->a, err);
		if (!rc)
			rc = scn_get_duration(&c, "max", 400 * SIM_MS, 0,
					      SIM_HOUR, &d->b, err);
		if (!rc && d->b < d->a)
			rc = scn_fail(&c, "max", err, "max is below min");
		break;
	case DA_DIST_EXPONENTIAL:
		rc = scn_get_duration(&c, "offset", 0, 0, SIM_HOUR, &d->a,
				      err);
		if (!rc)
			rc = scn_get_duration(&c, "mean", 200 * SIM_MS, 1,
					      SIM_HOUR, &d->b, err);
		break;
	case DA_DIST_LOGNORMAL:
		rc = scn_get_duration(&c, "median", 200 * SIM_MS, 1, SIM_HOUR,
				      &d->a, err);
		if (!rc)
			rc = scn_get_double(&c, "sigma", 0.5, 0.0, 5.0,
					    &d->sigma, err);
		break;
	}
	return rc;
}

static int read_dac(const struct scn_obj *o, struct da_config *cfg,
		    struct l2s_error *err)
{
	int64_t n = cfg->members, k;
	int rc;

	rc = check_keys(o, dac_keys, block_keys,
			"block-based types (celestia, eigenda, avail, generic)",
			err);
	if (!rc)
		rc = scn_get_int(o, "members", n, 1, 1024, &n, err);
	/* AnyTrust: K = N + 1 - H, H = 2 honest members assumed. */
	if (!rc)
		rc = scn_get_int(o, "threshold", n > 1 ? n - 1 : 1, 1,
				 INT64_C(1) << 30, &k, err);
	if (rc)
		return rc;
	if (k > n) {
		rc = scn_fail(o, "threshold", err,
			      "threshold %lld exceeds members %lld",
			      (long long)k, (long long)n);
		l2s_error_hint(err, "a committee of %lld can give at most %lld "
			       "signatures", (long long)n, (long long)n);
		return rc;
	}
	cfg->members = (int)n;
	cfg->threshold = (int)k;
	rc = scn_get_double(o, "member_availability", cfg->member_availability,
			    0.0, 1.0, &cfg->member_availability, err);
	if (!rc)
		rc = read_sign_latency(o, cfg, err);
	if (!rc)
		rc = scn_get_duration(o, "timeout", cfg->timeout, SIM_MS,
				      SIM_DAY, &cfg->timeout, err);
	if (!rc)
		rc = scn_get_fee(o, "price_per_mib", cfg->price_per_mib,
				 UINT64_MAX, &cfg->price_per_mib, err);
	return rc;
}

int da_config_read(const struct scn_obj *o, struct da_config *cfg,
		   struct l2s_error *err)
{
	int type = 0;
	int rc;

	rc = read_name(o, cfg, err);
	if (rc)
		return rc;
	if (!scn_has(o, "type")) {
		rc = scn_fail(o, NULL, err, "missing key 'type' of da layer '%s'",
			      cfg->name);
		l2s_error_hint(err, "one of celestia, eigenda, avail, generic, "
			       "dac");
		return rc;
	}
	rc = scn_get_enum(o, "type", 0, type_names, &type, err);
	if (rc)
		return rc;
	da_config_preset(cfg, (enum da_type)type);
	rc = cfg->type == DA_TYPE_DAC ? read_dac(o, cfg, err)
				      : read_block_layer(o, cfg, err);
	if (!rc)
		rc = read_outages(o, cfg, err);
	return rc;
}
