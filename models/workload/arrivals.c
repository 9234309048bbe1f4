/*
 * Arrivals as cohorts: expected counts of each source over a tick, the
 * per-instance stream state and the draws.
 *
 * Every deterministic-rate source (constant, diurnal, burst windows) is an
 * inhomogeneous Poisson process, so its arrivals in [t0, t1) are
 * Poisson(integral of the rate), and independent Poisson sources bound for
 * the same kind add up to one Poisson draw.  Poisson arrivals that follow
 * the mix are drawn per kind (thinning); the non-Poisson counts of Hawkes
 * and trace sources are pooled and split once by a multinomial.  A tick
 * therefore costs a fixed number of draws whatever the rate or the tick's
 * length.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "l2sim/randist.h"

#include "workload_internal.h"

/* Per-source state of one instance's stream. */
struct source_state {
	double excitation; /* Hawkes: intensity above the baseline, per s */
	sim_time_t last;   /* Hawkes: end of the last tick drawn */
	size_t cursor;     /* trace: row hint */
	sim_time_t wave_t; /* diurnal: sin of the phase at wave_t is wave */
	double wave;
	int has_wave;
};

struct wl_stream {
	const struct workload *w;
	struct source_state *st; /* one per source */
};

static double secs(sim_time_t t) { return (double)t / 1e9; }

/* Overlap of [t0, t1) with [a, b), possibly empty (*lo >= *hi). */
static void clip(sim_time_t t0, sim_time_t t1, sim_time_t a, sim_time_t b,
		 sim_time_t *lo, sim_time_t *hi)
{
	*lo = t0 > a ? t0 : a;
	*hi = t1 < b ? t1 : b;
}

/* Phase angle of t in the diurnal cycle.  The reduction modulo the period
 * is done on integers first, so a year of nanoseconds loses no precision
 * in the double. */
static double diurnal_angle(const struct wl_source *s, sim_time_t t)
{
	sim_time_t r = (t - s->phase) % s->period;
	if (r < 0)
		r += s->period;
	return 2.0 * M_PI * (double)r / (double)s->period;
}

/* Integral of tps * (1 + A cos(theta(t))) over [lo, hi). */
static double diurnal_integral(const struct wl_source *s, sim_time_t lo,
			       sim_time_t hi)
{
	double p = secs(s->period);
	double wave = sin(diurnal_angle(s, hi)) - sin(diurnal_angle(s, lo));
	return s->tps * (secs(hi - lo) + s->amplitude * p / (2.0 * M_PI) * wave);
}

/* Arrivals expected in a burst from its start to start + x (0 <= x <= D):
 * a trapezoid rising linearly over 'ramp', flat at tps, falling over 'ramp'
 * (ramp <= D / 2 is checked when reading). */
static double window_cumulative(const struct wl_source *s, sim_time_t x)
{
	double d = secs(s->end - s->start), r = secs(s->ramp), xs = secs(x);
	if (s->ramp == 0)
		return s->tps * xs;
	if (xs < r)
		return s->tps * xs * xs / (2.0 * r);
	if (xs <= d - r)
		return s->tps * (r / 2.0 + (xs - r));
	double y = d - xs;
	return s->tps * (d - r - y * y / (2.0 * r));
}

static double window_integral(const struct wl_source *s, sim_time_t lo,
			      sim_time_t hi)
{
	return window_cumulative(s, hi - s->start) -
	       window_cumulative(s, lo - s->start);
}

double wl_source_expected(const struct wl_source *s, sim_time_t t0,
			  sim_time_t t1)
{
	sim_time_t lo, hi;
	if (s->type == WL_TRACE) {
		double n = 0;
		size_t c0 = 0, c1 = 0;
		for (int c = 0; c < s->trace->ncols; c++)
			n += (double)(wl_trace_cumulative(s->trace, c, t1, &c1) -
				      wl_trace_cumulative(s->trace, c, t0, &c0));
		return n;
	}
	clip(t0, t1, s->start, s->end, &lo, &hi);
	if (lo >= hi)
		return 0;
	switch (s->type) {
	case WL_CONSTANT:
		return s->tps * secs(hi - lo);
	case WL_DIURNAL:
		return diurnal_integral(s, lo, hi);
	case WL_WINDOW:
		return window_integral(s, lo, hi);
	case WL_HAWKES:
		return s->tps * secs(hi - lo) / (1.0 - s->alpha);
	case WL_TRACE:
		break;
	}
	return 0;
}

double workload_mean_tps(const struct workload *w, sim_time_t t0,
			 sim_time_t t1)
{
	if (t1 <= t0)
		return 0;
	double n = 0;
	for (size_t i = 0; i < w->nsrc; i++)
		n += wl_source_expected(&w->src[i], t0, t1);
	return n / secs(t1 - t0);
}

/* Row i of the trace with start[i] <= t < start[i + 1], for t inside the
 * trace.  Tries the hint and its successor before a binary search. */
static size_t trace_row(const struct wl_trace *tr, sim_time_t t, size_t *cursor)
{
	size_t i = *cursor;
	if (i < tr->rows && tr->start[i] <= t && t < tr->start[i + 1])
		return i;
	if (i + 1 < tr->rows && tr->start[i + 1] <= t && t < tr->start[i + 2]) {
		*cursor = i + 1;
		return i + 1;
	}
	size_t lo = 0, hi = tr->rows; /* start[lo] <= t < start[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tr->start[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	*cursor = lo;
	return lo;
}

/*
 * A row's count is spread evenly over its interval and rounded down, so a
 * tick that covers whole rows gets exactly the file's counts, and ticks
 * that cut rows still sum to the file's total (cumulative counts telescope).
 */
uint64_t wl_trace_cumulative(const struct wl_trace *tr, int col, sim_time_t t,
			     size_t *cursor)
{
	const uint64_t *cum = tr->cum + (size_t)col * (tr->rows + 1);
	sim_time_t first = tr->start[0], end = tr->start[tr->rows];
	uint64_t base = 0;
	if (t <= first)
		return 0;
	if (t >= end) {
		if (!tr->loop)
			return cum[tr->rows];
		sim_time_t span = end - first;
		uint64_t laps = (uint64_t)((t - first) / span);
		base = laps * cum[tr->rows];
		t = first + (t - first) % span;
	}
	size_t i = trace_row(tr, t, cursor);
	uint64_t n = cum[i + 1] - cum[i];
	unsigned __int128 part = (unsigned __int128)n *
				 (uint64_t)(t - tr->start[i]) /
				 (uint64_t)(tr->start[i + 1] - tr->start[i]);
	return base + cum[i] + (uint64_t)part;
}

void wl_trace_destroy(struct wl_trace *tr)
{
	if (!tr)
		return;
	free(tr->start);
	free(tr->cum);
	free(tr);
}

struct wl_stream *wl_stream_create(const struct workload *w)
{
	struct wl_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->w = w;
	s->st = calloc(w->nsrc ? w->nsrc : 1, sizeof(*s->st));
	if (!s->st) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < w->nsrc; i++) {
		const struct wl_source *src = &w->src[i];
		s->st[i].last = src->start;
		/* A Hawkes source active from time 0 starts at its stationary
		 * excitation alpha mu / (1 - alpha), so a run sees the long-run
		 * rate from the first tick instead of a transient of a few tau;
		 * a source switched on later starts calm, as a wave would. */
		if (src->type == WL_HAWKES && src->start <= 0)
			s->st[i].excitation =
				src->alpha * src->tps / (1.0 - src->alpha);
	}
	return s;
}

void wl_stream_destroy(struct wl_stream *s)
{
	if (!s)
		return;
	free(s->st);
	free(s);
}

/* Adds a multinomial split of n by 'p' to counts; chunks keep each call's
 * total within gsl_ran_multinomial's unsigned int. */
static void split_mix(gsl_rng *rng, uint64_t n, const double p[TX_KINDS],
		      uint64_t counts[TX_KINDS])
{
	unsigned int part[TX_KINDS];
	while (n > 0) {
		unsigned int chunk = n > (UINT64_C(1) << 31) ? 1u << 31
							     : (unsigned int)n;
		gsl_ran_multinomial(rng, TX_KINDS, chunk, p, part);
		for (int k = 0; k < TX_KINDS; k++)
			counts[k] += part[k];
		n -= chunk;
	}
}

/*
 * One tick of a Hawkes source, simulated on cohorts.
 *
 * In continuous time the intensity is mu + E(t), where each arrival adds
 * alpha / tau to E and E decays as exp(-t / tau): every arrival has on
 * average alpha direct offspring.  Per tick of length dt we draw
 *   n ~ Poisson(mu * dt + E * tau * (1 - exp(-dt / tau)))
 * (the baseline plus the exact integral of the decaying excitation over
 * the tick) and then set E <- E exp(-dt / tau) + alpha n / tau.  The
 * offspring of a tick's arrivals start at the next tick boundary instead
 * of at each arrival's own time: that delays them by under dt, but every
 * arrival still has exactly alpha expected offspring, so the mean rate is
 * mu / (1 - alpha) for any tick length.  Dynamics faster than the tick
 * (tau < dt) are smoothed.
 */
static uint64_t hawkes_tick(const struct wl_source *src,
			    struct source_state *st, gsl_rng *rng,
			    sim_time_t t0, sim_time_t t1)
{
	sim_time_t lo, hi;
	if (t0 > st->last)
		st->excitation *= exp(-secs(t0 - st->last) / src->tau);
	double x = secs(t1 - t0) / src->tau;
	double mu = 0;
	clip(t0, t1, src->start, src->end, &lo, &hi);
	if (lo < hi)
		mu = src->tps * secs(hi - lo);
	double lambda = mu + st->excitation * src->tau * -expm1(-x);
	uint64_t n = rng_poisson(rng, lambda);
	st->excitation = st->excitation * exp(-x) +
			 src->alpha * (double)n / src->tau;
	st->last = t1;
	return n;
}

/* wl_source_expected() of a diurnal source, reusing the sine of the
 * previous tick's end: consecutive ticks share a boundary, so a tick
 * costs one sine instead of two (the same value, bit for bit). */
static double diurnal_tick(const struct wl_source *src,
			   struct source_state *st, sim_time_t t0,
			   sim_time_t t1)
{
	sim_time_t lo, hi;
	clip(t0, t1, src->start, src->end, &lo, &hi);
	if (lo >= hi)
		return 0;
	double s_lo = st->has_wave && st->wave_t == lo
			      ? st->wave
			      : sin(diurnal_angle(src, lo));
	double s_hi = sin(diurnal_angle(src, hi));
	st->wave_t = hi;
	st->wave = s_hi;
	st->has_wave = 1;
	double p = secs(src->period);
	return src->tps * (secs(hi - lo) +
			   src->amplitude * p / (2.0 * M_PI) * (s_hi - s_lo));
}

/* diurnal_tick() through the source's memo of the last tick. */
static double diurnal_memo(const struct wl_source *src,
			   struct source_state *st, sim_time_t t0,
			   sim_time_t t1)
{
	struct wl_source *m = (struct wl_source *)src;
	if (m->has_memo && m->memo_t0 == t0 && m->memo_t1 == t1)
		return m->memo_lam;
	double lam = diurnal_tick(src, st, t0, t1);
	m->memo_t0 = t0;
	m->memo_t1 = t1;
	m->memo_lam = lam;
	m->has_memo = 1;
	return lam;
}

void wl_stream_draw(struct wl_stream *s, gsl_rng *rng, sim_time_t t0,
		    sim_time_t t1, uint64_t counts[TX_KINDS])
{
	const struct workload *w = s->w;
	double lam_mix = 0, lam_kind[TX_KINDS] = {0};
	uint64_t n_mix = 0;

	for (int k = 0; k < TX_KINDS; k++)
		counts[k] = 0;
	if (t1 <= t0)
		return;

	/* Sources in scenario order; the draws below happen in a fixed order
	 * too, so the stream is a function of the rng state alone. */
	for (size_t i = 0; i < w->nsrc; i++) {
		const struct wl_source *src = &w->src[i];
		struct source_state *st = &s->st[i];
		if (src->type == WL_HAWKES) {
			uint64_t n = hawkes_tick(src, st, rng, t0, t1);
			if (src->kind == WL_KIND_MIX)
				n_mix += n;
			else
				counts[src->kind] += n;
		} else if (src->type == WL_TRACE) {
			const struct wl_trace *tr = src->trace;
			/* The last tick ended in row 'cursor': t0 is there and
			 * t1 is there or a little later. */
			size_t r0 = st->cursor, r1 = st->cursor;
			for (int c = 0; c < tr->ncols; c++) {
				uint64_t n =
					wl_trace_cumulative(tr, c, t1, &r1) -
					wl_trace_cumulative(tr, c, t0, &r0);
				int kind = tr->col_kind[c] == WL_KIND_MIX
						   ? src->kind
						   : tr->col_kind[c];
				if (kind == WL_KIND_MIX)
					n_mix += n;
				else
					counts[kind] += n;
			}
			st->cursor = r1;
		} else {
			double lam = src->type == WL_DIURNAL
					     ? diurnal_memo(src, st, t0, t1)
					     : wl_source_expected(src, t0, t1);
			if (src->kind == WL_KIND_MIX)
				lam_mix += lam;
			else
				lam_kind[src->kind] += lam;
		}
	}
	/* Poisson arrivals split by the mix are independent Poisson counts
	 * per kind (thinning), so each kind takes one draw of its own mean
	 * instead of a total and a multinomial split: the same law at a
	 * fraction of the cost.  Only the counts of Hawkes and trace sources,
	 * which are not Poisson, are split by a multinomial. */
	struct workload *memo = (struct workload *)w;
	for (int k = 0; k < TX_KINDS; k++)
		counts[k] += rng_poisson_at(rng, lam_mix * w->mix[k] + lam_kind[k],
					    &memo->poisson[k]);
	if (n_mix > 0)
		split_mix(rng, n_mix, w->mix, counts);
}
