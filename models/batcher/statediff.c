/*
 * State-diff pubdata of SDR batches without touching transactions one by
 * one.  See include/l2sim/statediff.h for the encoding and the formulas.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "l2sim/statediff.h"

/* Grid of draw counts: m_i = 2^(i / GRID_PER_OCT), i = 0 .. GRID_N - 1. */
#define GRID_PER_OCT 8
#define GRID_N (64 * GRID_PER_OCT)
/* Keys summed exactly; beyond, the sum becomes an integral (midpoint
 * rule, relative error ~ s^2 / (24 k^2) per key, negligible past 256). */
#define HEAD 256
/* Tail integral over t = ln x in panels of at most this width, each by
 * 16-point Gauss-Legendre: the integrand is a smooth bump in t. */
#define PANEL 0.5
#define GL_POINTS 16

struct sd_table {
	uint64_t K;
	double s;
	double Z;          /* normalizer: sum (head) + integral (tail) of k^-s */
	uint64_t head;     /* keys summed exactly */
	double d[GRID_N];     /* D(m_i) */
	double slope[GRID_N]; /* dD/d(ln m) at m_i = m_i D'(m_i) */
	double dmax;          /* D(infinity): every key */
};

struct sd_space {
	struct sd_table *t; /* shared between spaces with equal (K, s) */
	double drawn;       /* M: draws recorded so far */
};

struct sd_state {
	struct tx_kind_params p[TX_KINDS];
	struct sd_space space[TX_KINDS][TXG_GROUPS];
	struct sd_table *tables[TX_KINDS * TXG_GROUPS];
	int ntables;
	gsl_integration_glfixed_table *gl;
	int batches;
};

struct sd_state *sd_state_create(const struct tx_kind_params p[TX_KINDS])
{
	struct sd_state *sd = calloc(1, sizeof(*sd));

	if (!sd)
		return NULL;
	memcpy(sd->p, p, sizeof(sd->p));
	return sd;
}

void sd_state_destroy(struct sd_state *sd)
{
	if (!sd)
		return;
	for (int i = 0; i < sd->ntables; i++)
		free(sd->tables[i]);
	if (sd->gl)
		gsl_integration_glfixed_table_free(sd->gl);
	free(sd);
}

/* ---- the distinct-key function D ---------------------------------------- */

/* Integral of x^-s over [a, b]. */
static double pow_integral(double a, double b, double s)
{
	if (fabs(1.0 - s) < 1e-12)
		return log(b / a);
	return (pow(b, 1.0 - s) - pow(a, 1.0 - s)) / (1.0 - s);
}

/*
 * D(m) and D'(m) = sum_k -ln(1 - p_k) (1 - p_k)^m: exact over the head;
 * over the tail the sum becomes an integral in t = ln x (midpoint rule:
 * key k stands for [k - 1/2, k + 1/2]) with p(x) = x^-s / Z small, so
 * 1 - (1-p)^m ~ 1 - e^(-mp) and -ln(1-p) (1-p)^m ~ p e^(-mp).
 */
static void eval_d(const struct sd_table *t, gsl_integration_glfixed_table *gl,
		   double m, double *d, double *dp)
{
	double sd = 0, sdp = 0;

	for (uint64_t k = 1; k <= t->head; k++) {
		double p = exp(-t->s * log((double)k)) / t->Z;
		double l = log1p(-p);
		sd += -expm1(m * l);
		sdp += -l * exp(m * l);
	}
	if (t->K > t->head) {
		double t0 = log((double)t->head + 0.5);
		double t1 = log((double)t->K + 0.5);
		int panels = (int)ceil((t1 - t0) / PANEL);

		for (int i = 0; i < panels; i++) {
			double lo = t0 + (t1 - t0) * i / panels;
			double hi = t0 + (t1 - t0) * (i + 1) / panels;

			for (size_t j = 0; j < GL_POINTS; j++) {
				double u, w, x, p;

				gsl_integration_glfixed_point(lo, hi, j, &u, &w, gl);
				x = exp(u);
				p = exp(-t->s * u) / t->Z;
				sd += w * -expm1(-m * p) * x;
				sdp += w * p * exp(-m * p) * x;
			}
		}
	}
	*d = sd;
	*dp = sdp;
}

static double grid_m(int i)
{
	return exp2((double)i / GRID_PER_OCT);
}

static struct sd_table *table_build(struct sd_state *sd, uint64_t K, double s)
{
	struct sd_table *t;

	for (int i = 0; i < sd->ntables; i++)
		if (sd->tables[i]->K == K && sd->tables[i]->s == s)
			return sd->tables[i];
	if (!sd->gl && !(sd->gl = gsl_integration_glfixed_table_alloc(GL_POINTS)))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->K = K;
	t->s = s;
	t->head = K <= 2 * HEAD ? K : HEAD;
	for (uint64_t k = 1; k <= t->head; k++)
		t->Z += exp(-s * log((double)k));
	if (K > t->head)
		t->Z += pow_integral((double)t->head + 0.5, (double)K + 0.5, s);
	if (K > 1)
		for (int i = 0; i < GRID_N; i++) {
			double m = grid_m(i);
			eval_d(t, sd->gl, m, &t->d[i], &t->slope[i]);
			t->slope[i] *= m; /* dD/d(ln m) */
		}
	t->dmax = t->head + (K > t->head ? (double)(K - t->head) : 0.0);
	sd->tables[sd->ntables++] = t;
	return t;
}

/*
 * D(n): expected distinct keys among n draws.  Between grid points, a
 * cubic Hermite interpolant in ln n through the exact values and slopes
 * (error O(h^4), h = ln 2 / GRID_PER_OCT).
 */
static double distinct(const struct sd_table *t, double n)
{
	double u, h = M_LN2 / GRID_PER_OCT, x, h00, h10, h01, h11, v;
	int i;

	if (n <= 0)
		return 0;
	if (t->K == 1 || n <= 1)
		return n < 1 ? n : 1; /* D(1) = sum p_k = 1 */
	u = log(n);
	i = (int)floor(u / h);
	if (i >= GRID_N - 1)
		return t->d[GRID_N - 1];
	if (i < 0)
		i = 0;
	x = (u - i * h) / h;
	h00 = (1 + 2 * x) * (1 - x) * (1 - x);
	h10 = x * (1 - x) * (1 - x);
	h01 = x * x * (3 - 2 * x);
	h11 = x * x * (x - 1);
	v = h00 * t->d[i] + h10 * h * t->slope[i] + h01 * t->d[i + 1] +
	    h11 * h * t->slope[i + 1];
	if (v > t->dmax)
		v = t->dmax;
	return v;
}

static struct sd_space *space_get(struct sd_state *sd, enum tx_kind k,
				  enum tx_group g)
{
	struct sd_space *sp = &sd->space[k][g];

	if (!sp->t)
		sp->t = table_build(sd, (uint64_t)sd->p[k].group[g].key_space,
				    sd->p[k].group[g].zipf);
	return sp->t ? sp : NULL;
}

double sd_distinct(struct sd_state *sd, enum tx_kind kind, enum tx_group group,
		   double n)
{
	struct sd_space *sp = space_get(sd, kind, group);

	return sp ? distinct(sp->t, n) : -1.0;
}

double sd_drawn(const struct sd_state *sd, enum tx_kind kind,
		enum tx_group group)
{
	return sd->space[kind][group].drawn;
}

/* ---- batches ------------------------------------------------------------ */

/* Draws per transaction and slots per key of a group (txkind.h). */
static void group_shape(const struct tx_state_group *g, enum tx_group which,
			double *draws, double *slots_per_key)
{
	switch (which) {
	case TXG_USER:
		*draws = g->slots;
		*slots_per_key = 1;
		break;
	default: /* SENDER, HOT: one key per tx carrying 'slots' slots */
		*draws = g->slots > 0 ? 1 : 0;
		*slots_per_key = g->slots;
		break;
	}
}

int64_t sd_batch_bytes(struct sd_state *sd, gsl_rng *rng,
		       const uint64_t counts[TX_KINDS], struct sd_breakdown *out)
{
	struct sd_breakdown b;
	uint64_t ntx = 0;
	double bytes, fl;

	memset(&b, 0, sizeof(b));
	for (int k = 0; k < TX_KINDS; k++)
		ntx += counts[k];
	if (ntx == 0) {
		if (out)
			*out = b;
		return 0;
	}
	for (int k = 0; k < TX_KINDS; k++) {
		if (!counts[k])
			continue;
		for (int g = 0; g < TXG_GROUPS; g++) {
			const struct tx_state_group *grp = &sd->p[k].group[g];
			double draws, spk, n, m, dn, init, rep;
			struct sd_space *sp;

			group_shape(grp, (enum tx_group)g, &draws, &spk);
			if (draws <= 0 || spk <= 0)
				continue;
			if (!(sp = space_get(sd, (enum tx_kind)k, (enum tx_group)g)))
				return -1;
			n = (double)counts[k] * draws;
			m = sp->drawn;
			dn = distinct(sp->t, n);
			init = distinct(sp->t, m + n) - distinct(sp->t, m);
			if (init < 0)
				init = 0;
			if (init > dn)
				init = dn;
			rep = dn - init;
			sp->drawn = m + n;
			b.keys_initial += init;
			b.keys_repeated += rep;
			b.slots_initial += init * spk;
			b.slots_repeated += rep * spk;
			b.bytes_initial += init * (spk * (SD_KEY_BYTES + SD_PACKING_BYTES) +
						   grp->value_bytes);
			b.bytes_repeated += rep * (spk * (SD_INDEX_BYTES + SD_PACKING_BYTES) +
						   grp->value_bytes);
		}
	}
	b.bytes_fixed = SD_HEADER_BYTES + SD_OPERATOR_BYTES;
	bytes = b.bytes_initial + b.bytes_repeated;
	/* Unbiased rounding of the expected bytes: one draw per batch. */
	fl = floor(bytes);
	b.total = b.bytes_fixed + (int64_t)fl +
		  (gsl_rng_uniform(rng) < bytes - fl ? 1 : 0);
	sd->batches++;
	if (out)
		*out = b;
	return b.total;
}
