/*
 * Reading the scenario's "l1" object: fork preset or explicit blob
 * schedule, slot time, gas limit, faults, background demand (distributions
 * or a CSV trace).  docs/model-l1.md lists every key with its default.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "l1_internal.h"

static const char *const l1_keys[] = {
	"fork", "blob_target", "blob_max", "blob_update_fraction", "eip7623",
	"eip7918", "max_blobs_per_tx", "max_tx_gas", "slot_time", "gas_limit",
	"missed_slot_probability", "initial_base_fee",
	"initial_excess_blob_gas", "finality_slots", "background", NULL,
};

static const char *const background_keys[] = {
	"gas", "blobs", "priority_fee", "trace", "trace_end", NULL,
};

static const char *const dist_names[] = {
	"constant", "uniform", "normal", "poisson", NULL,
};

/* Keys allowed in a distribution object, by kind. */
static const char *const dist_keys[][8] = {
	[L1_DIST_CONSTANT] = { "dist", "mean", "elasticity", "reference_fee", NULL },
	[L1_DIST_UNIFORM] = { "dist", "min", "max", "elasticity", "reference_fee", NULL },
	[L1_DIST_NORMAL] = { "dist", "mean", "sd", "elasticity", "reference_fee", NULL },
	[L1_DIST_POISSON] = { "dist", "mean", "elasticity", "reference_fee", NULL },
};

static const char *const trace_end_names[] = { "loop", "hold", NULL };

/* The largest blob count any schedule may name; far above BPO plans. */
#define MAX_BLOBS 4096

static int read_fork(const struct scn_obj *o, struct l1_fork *f,
		     struct l2s_error *err)
{
	const char *name;
	int64_t v;
	bool explicit_keys = scn_has(o, "blob_target") ||
			     scn_has(o, "blob_max") ||
			     scn_has(o, "blob_update_fraction");
	static const char *const fork_choices[] = {
		"dencun", "cancun", "pectra", "prague", "fusaka", "osaka",
		"bpo1", "bpo2", "explicit", NULL,
	};
	scn_note_choices(o, "fork", fork_choices);
	int rc = scn_get_string(o, "fork", explicit_keys ? "explicit" : "bpo2",
				&name, err);
	if (rc)
		return rc;

	if (strcmp(name, "explicit") == 0) {
		/* Explicit schedules follow the newest rules (Osaka): the
		 * EIP-7623 floor, the EIP-7918 reserve price, EIP-7594's six
		 * blobs per tx and EIP-7825's gas cap; each can be switched. */
		static const char *const need[] = { "blob_target", "blob_max",
						    "blob_update_fraction" };
		for (size_t i = 0; i < 3; i++)
			if (!scn_has(o, need[i]))
				return scn_fail(o, need[i], err,
						"explicit fork needs '%s'", need[i]);
		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "explicit");
		f->eip7623 = true;
		f->eip7918 = true;
		f->max_blobs_per_tx = L1_PEERDAS_MAX_BLOBS_PER_TX;
		f->max_tx_gas = L1_OSAKA_MAX_TX_GAS;
		f->default_gas_limit = 60000000;
	} else if (l1_fork_preset(name, f) != 0) {
		rc = scn_fail(o, "fork", err, "unknown fork '%s'", name);
		const char *near = l2s_closest(name, fork_choices);
		if (near)
			l2s_error_hint(err, "did you mean '%s'?", near);
		else
			l2s_error_hint(err, "one of: dencun, pectra, fusaka, "
					    "bpo1, bpo2, explicit");
		return rc;
	}

	/* Overrides, on a preset or on "explicit". */
	if ((rc = scn_get_int(o, "blob_target", f->blob_target, 1, MAX_BLOBS,
			      &v, err)))
		return rc;
	f->blob_target = (int32_t)v;
	if ((rc = scn_get_int(o, "blob_max", f->blob_max, 1, MAX_BLOBS, &v, err)))
		return rc;
	f->blob_max = (int32_t)v;
	if (f->blob_max < f->blob_target)
		return scn_fail(o, scn_has(o, "blob_max") ? "blob_max" : "blob_target",
				err, "blob_max (%d) is below blob_target (%d)",
				f->blob_max, f->blob_target);
	if ((rc = scn_get_int(o, "blob_update_fraction",
			      (int64_t)f->blob_update_fraction, 1, INT64_MAX,
			      &v, err)))
		return rc;
	f->blob_update_fraction = (uint64_t)v;
	if ((rc = scn_get_bool(o, "eip7623", f->eip7623, &f->eip7623, err)) ||
	    (rc = scn_get_bool(o, "eip7918", f->eip7918, &f->eip7918, err)))
		return rc;
	if ((rc = scn_get_int(o, "max_blobs_per_tx", f->max_blobs_per_tx, 0,
			      MAX_BLOBS, &v, err)))
		return rc;
	f->max_blobs_per_tx = (int32_t)v;
	if ((rc = scn_get_int(o, "max_tx_gas", f->max_tx_gas, 0, INT64_MAX, &v,
			      err)))
		return rc;
	f->max_tx_gas = v;
	return 0;
}

static int read_dist(const struct scn_obj *bg, const char *key,
		     struct l1_dist *d, bool count, uint64_t dflt_ref,
		     struct l2s_error *err)
{
	struct scn_obj o;
	bool present;
	int kind, rc;

	if ((rc = scn_get_obj(bg, key, &o, &present, err)))
		return rc;
	if (!present)
		return 0;
	if ((rc = scn_get_enum(&o, "dist", (int)d->kind, dist_names, &kind, err)))
		return rc;
	if ((rc = scn_check_keys(&o, dist_keys[kind], err)))
		return rc;
	d->kind = (enum l1_dist_kind)kind;
	switch (d->kind) {
	case L1_DIST_UNIFORM:
		if (!scn_has(&o, "min") || !scn_has(&o, "max"))
			return scn_fail(&o, scn_has(&o, "min") ? "max" : "min",
					err, "uniform demand needs 'min' and 'max'");
		if ((rc = scn_get_double(&o, "min", 0, 0, 1e15, &d->min, err)) ||
		    (rc = scn_get_double(&o, "max", 0, 0, 1e15, &d->max, err)))
			return rc;
		if (d->max < d->min)
			return scn_fail(&o, "max", err, "'max' is below 'min'");
		break;
	case L1_DIST_NORMAL: {
		double mean = d->mean;
		if ((rc = scn_get_double(&o, "mean", mean, 0, 1e15, &d->mean, err)))
			return rc;
		/* A standard deviation of a quarter of the mean unless told. */
		if ((rc = scn_get_double(&o, "sd", d->mean / 4, 0, 1e15, &d->sd,
					 err)))
			return rc;
		break;
	}
	case L1_DIST_CONSTANT:
	case L1_DIST_POISSON:
		if ((rc = scn_get_double(&o, "mean", d->mean, 0, 1e15, &d->mean,
					 err)))
			return rc;
		break;
	}
	if ((rc = scn_get_double(&o, "elasticity", d->elasticity, 0, 10,
				 &d->elasticity, err)))
		return rc;
	if (count && d->elasticity > 0 && !scn_has(&o, "reference_fee"))
		return scn_fail(&o, "elasticity", err,
				"price-elastic blob demand needs 'reference_fee'");
	if ((rc = scn_get_fee(&o, "reference_fee", dflt_ref, UINT64_MAX,
			      &d->reference_fee, err)))
		return rc;
	if (d->reference_fee == 0)
		d->reference_fee = 1;
	return 0;
}

static char *resolve_path(const struct scenario *scn, const char *path)
{
	const char *base = scn ? scn->file : NULL;
	const char *slash = base ? strrchr(base, '/') : NULL;
	size_t dir = slash ? (size_t)(slash - base) + 1 : 0;
	size_t len = strlen(path);
	char *out;

	if (path[0] == '/' || dir == 0)
		return strdup(path);
	out = malloc(dir + len + 1);
	if (!out)
		return NULL;
	memcpy(out, base, dir);
	memcpy(out + dir, path, len + 1);
	return out;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			 s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
}

/* Splits 'line' in place at commas; returns the number of fields. */
static int split_csv(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		fields[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	for (int i = 0; i < n; i++)
		trim(fields[i]);
	return n;
}

#define MAX_FIELDS 64
/* A block a line: 100 M lines is 38 years of 12 s slots. */
#define L1_TRACE_MAX_LINES 100000000

/*
 * A CSV trace: a header naming the columns, then one row per block.
 * Recognized columns: gas_used (or gas) and blobs; others (slot, number,
 * timestamp, ...) are ignored so exports of real blocks can be used as
 * they are.  Blank lines and lines starting with '#' are skipped.
 */
static int read_trace(const struct scn_obj *bg, const char *rel,
		      struct l1_trace *t, struct l2s_error *err)
{
	char *path = resolve_path(bg->scn, rel);
	FILE *fp;
	char line[4096];
	char *fields[MAX_FIELDS];
	int col_gas = -1, col_blobs = -1, lineno = 0, rc = 0;
	bool header = false;
	size_t cap = 0;

	if (!path)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	fp = fopen(path, "r");
	if (!fp) {
		/* a missing or unreadable trace is bad input, like a
		 * workload's trace */
		rc = scn_fail(bg, "trace", err, "cannot open trace '%s': %s",
			      path, strerror(errno));
		free(path);
		return rc;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		if (lineno > L1_TRACE_MAX_LINES) {
			rc = scn_fail(bg, "trace", err, "trace '%s' has more "
				      "than %d lines", path, L1_TRACE_MAX_LINES);
			goto out;
		}
		if (!strchr(line, '\n') && !feof(fp)) {
			rc = scn_fail(bg, "trace", err, "trace '%s' line %d is too long",
				      path, lineno);
			goto out;
		}
		trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		int n = split_csv(line, fields, MAX_FIELDS);
		if (!header) {
			for (int i = 0; i < n; i++) {
				if (!strcmp(fields[i], "gas_used") || !strcmp(fields[i], "gas"))
					col_gas = i;
				else if (!strcmp(fields[i], "blobs"))
					col_blobs = i;
			}
			if (col_gas < 0 && col_blobs < 0) {
				rc = scn_fail(bg, "trace", err,
					      "trace '%s' has neither a 'gas_used' nor a "
					      "'blobs' column", path);
				l2s_error_hint(err, "the first line names the columns, "
						    "e.g. slot,gas_used,blobs");
				goto out;
			}
			header = true;
			continue;
		}
		if (t->n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			if (col_gas >= 0) {
				int64_t *g = realloc(t->gas, nc * sizeof(*g));
				if (!g)
					goto oom;
				t->gas = g;
			}
			if (col_blobs >= 0) {
				int32_t *b = realloc(t->blobs, nc * sizeof(*b));
				if (!b)
					goto oom;
				t->blobs = b;
			}
			cap = nc;
		}
		int cols[2] = { col_gas, col_blobs };
		for (int k = 0; k < 2; k++) {
			if (cols[k] < 0)
				continue;
			if (cols[k] >= n) {
				rc = scn_fail(bg, "trace", err,
					      "trace '%s' line %d has %d fields, "
					      "expected at least %d", path, lineno,
					      n, cols[k] + 1);
				goto out;
			}
			char *end;
			errno = 0;
			long long v = strtoll(fields[cols[k]], &end, 10);
			long long lim = k == 0 ? INT64_MAX : MAX_BLOBS;
			if (errno || end == fields[cols[k]] || *end || v < 0 || v > lim) {
				rc = scn_fail(bg, "trace", err,
					      "trace '%s' line %d: bad %s '%s'", path,
					      lineno, k == 0 ? "gas_used" : "blobs",
					      fields[cols[k]]);
				l2s_error_hint(err, "a non-negative integer%s",
					       k == 1 ? " of at most 4096" : "");
				goto out;
			}
			if (k == 0)
				t->gas[t->n] = v;
			else
				t->blobs[t->n] = (int32_t)v;
		}
		t->n++;
	}
	if (ferror(fp)) {
		rc = scn_fail(bg, "trace", err, "cannot read trace '%s'", path);
		if (err)
			err->code = L2S_EIO;
		rc = L2S_EIO;
		goto out;
	}
	if (t->n == 0) {
		rc = scn_fail(bg, "trace", err, "trace '%s' has no rows", path);
		goto out;
	}
	if (col_gas < 0) {
		free(t->gas);
		t->gas = NULL;
	}
	if (col_blobs < 0) {
		free(t->blobs);
		t->blobs = NULL;
	}
out:
	fclose(fp);
	free(path);
	return rc;
oom:
	rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
	goto out;
}

int l1_config_read(const struct scn_obj *o, struct l1_config *c,
		   struct l2s_error *err)
{
	struct scn_obj bg;
	const char *trace = NULL;
	int64_t v;
	int end, rc;

	memset(c, 0, sizeof(*c));
	if ((rc = scn_check_keys(o, l1_keys, err)) ||
	    (rc = read_fork(o, &c->fork, err)))
		return rc;
	/* consensus-specs SLOT_DURATION_MS 12000 */
	if ((rc = scn_get_duration(o, "slot_time", 12 * SIM_S, SIM_MS, SIM_DAY,
				   &c->slot_time, err)))
		return rc;
	if ((rc = scn_get_int(o, "gas_limit", c->fork.default_gas_limit,
			      2 * L1_TX_BASE_GAS, INT64_C(1) << 40, &c->gas_limit,
			      err)))
		return rc;
	if ((rc = scn_get_double(o, "missed_slot_probability", 0, 0, 1,
				 &c->missed_p, err)))
		return rc;
	/* EIP-1559 INITIAL_BASE_FEE = 1 gwei */
	if ((rc = scn_get_fee(o, "initial_base_fee", UINT64_C(1000000000),
			      UINT64_MAX, &c->initial_base_fee, err)))
		return rc;
	if ((rc = scn_get_int(o, "initial_excess_blob_gas", 0, 0, INT64_MAX, &v,
			      err)))
		return rc;
	c->initial_excess_blob_gas = (uint64_t)v;
	/* Absent: Casper FFG (l1_ffg_final_slot); a number fixes the delay
	 * (another chain's rule, or a what-if). */
	if ((rc = scn_get_int(o, "finality_slots", -1, 0, 1000000,
			      &c->finality_slots, err)))
		return rc;

	/* Background defaults: gas around the target (limit / 2), price
	 * elastic around the initial base fee so the fee settles instead of
	 * random-walking; blobs Poisson at half the target, inelastic. */
	c->gas = (struct l1_dist){ .kind = L1_DIST_NORMAL,
				   .mean = (double)(c->gas_limit / 2),
				   .sd = (double)(c->gas_limit / 2) / 4,
				   .elasticity = 1.0,
				   .reference_fee = c->initial_base_fee };
	c->blobs = (struct l1_dist){ .kind = L1_DIST_POISSON,
				     .mean = c->fork.blob_target / 2.0,
				     .elasticity = 0.0,
				     .reference_fee = 1 };
	if ((rc = scn_get_obj(o, "background", &bg, NULL, err)) ||
	    (rc = scn_check_keys(&bg, background_keys, err)))
		return rc;
	if ((rc = read_dist(&bg, "gas", &c->gas, false, c->initial_base_fee, err)) ||
	    (rc = read_dist(&bg, "blobs", &c->blobs, true, 1, err)))
		return rc;
	/* A wallet-like 1 gwei tip for the background. */
	if ((rc = scn_get_fee(&bg, "priority_fee", UINT64_C(1000000000),
			      UINT64_MAX, &c->bg_priority_fee, err)))
		return rc;
	if ((rc = scn_get_string(&bg, "trace", NULL, &trace, err)) ||
	    (rc = scn_get_enum(&bg, "trace_end", 0, trace_end_names, &end, err)))
		return rc;
	if (trace) {
		c->trace.hold = end == 1;
		if ((rc = read_trace(&bg, trace, &c->trace, err))) {
			l1_config_release(c);
			return rc;
		}
		const char *clash = c->trace.gas && scn_has(&bg, "gas") ? "gas" :
				    c->trace.blobs && scn_has(&bg, "blobs") ? "blobs" :
				    NULL;
		if (clash) {
			rc = scn_fail(&bg, clash, err,
				      "'%s' is also given by the trace's column", clash);
			l2s_error_hint(err, "drop one of the two");
			l1_config_release(c);
			return rc;
		}
	} else if (scn_has(&bg, "trace_end")) {
		return scn_fail(&bg, "trace_end", err, "'trace_end' without 'trace'");
	}
	return 0;
}

void l1_config_release(struct l1_config *c)
{
	free(c->trace.gas);
	free(c->trace.blobs);
	c->trace.gas = NULL;
	c->trace.blobs = NULL;
	c->trace.n = 0;
}

double l1_dist_draw(const struct l1_dist *d, gsl_rng *rng, double fee)
{
	double m = 1.0, x = 0;

	/* Constant-elasticity demand q = q0 * (p0 / p)^e: with e > 0 a fee
	 * above the reference thins the background out, which gives the
	 * EIP-1559 loop an equilibrium near the reference fee. */
	if (d->elasticity > 0 && fee > 0)
		m = pow((double)d->reference_fee / fee, d->elasticity);
	switch (d->kind) {
	case L1_DIST_CONSTANT:
		x = d->mean * m;
		break;
	case L1_DIST_UNIFORM:
		x = (d->min + gsl_rng_uniform(rng) * (d->max - d->min)) * m;
		break;
	case L1_DIST_NORMAL:
		x = (d->mean + gsl_ran_gaussian(rng, d->sd)) * m;
		break;
	case L1_DIST_POISSON:
		/* gsl_ran_poisson takes the scaled mean directly, so the draw
		 * stays an integer count.  Cap the mean so it cannot loop. */
		x = d->mean * m > 0 ? (double)gsl_ran_poisson(rng, fmin(d->mean * m, 1e9))
				    : 0;
		break;
	}
	return x > 0 ? x : 0;
}
