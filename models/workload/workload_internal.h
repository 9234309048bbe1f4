/*
 * Shared between workload.c (reading the scenario) and arrivals.c (rates,
 * integrals and draws).  A workload is a list of sources whose arrivals are
 * superposed: a "bursts" process becomes its base source plus one window
 * source per burst, so the draw code knows only five shapes.
 */
#ifndef L2SIM_WORKLOAD_INTERNAL_H
#define L2SIM_WORKLOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2sim/time.h"
#include "l2sim/randist.h"
#include "l2sim/txkind.h"
#include "l2sim/workload.h"

/* A source without a fixed kind is split among kinds by the mix. */
#define WL_KIND_MIX (-1)

enum wl_source_type {
	WL_CONSTANT, /* Poisson at tps inside [start, end) */
	WL_DIURNAL,  /* Poisson, tps * (1 + amplitude cos(2pi (t - phase) / period)) */
	WL_WINDOW,   /* one burst: a trapezoid of height tps and ramps 'ramp' */
	WL_HAWKES,   /* self-exciting, see arrivals.c */
	WL_TRACE,    /* counts per interval from a CSV file */
};

/* Counts per interval of a CSV trace, as prefix sums so that any tick
 * costs two lookups whatever its length. */
struct wl_trace {
	size_t rows;
	sim_time_t *start;    /* rows + 1 entries: interval starts, then the end */
	int ncols;            /* count columns */
	int col_kind[1 + TX_KINDS]; /* WL_KIND_MIX for "count", else the kind */
	uint64_t *cum;        /* ncols x (rows + 1): arrivals before row i */
	int loop;             /* past the end: 1 repeat from the start, 0 stop */
};

struct wl_source {
	enum wl_source_type type;
	int kind;              /* enum tx_kind, or WL_KIND_MIX */
	sim_time_t start, end; /* active in [start, end); trace: unused */
	double tps;            /* per s: rate, diurnal mean, burst peak, Hawkes mu */
	double amplitude;      /* diurnal, 0..1 */
	sim_time_t period;     /* diurnal, > 0 */
	sim_time_t phase;      /* diurnal: a time of the peak */
	sim_time_t ramp;       /* burst: length of the ramp up and of the ramp down */
	double alpha;          /* Hawkes branching ratio, 0 <= alpha < 1 */
	double tau;            /* Hawkes kernel decay time, s */
	struct wl_trace *trace;
	/* Diurnal: the expected arrivals of the last tick asked for.  Every
	 * instance of a run draws the same tick from the same source in turn,
	 * so the first computes it and the others read it (a memo of a pure
	 * function: no value changes).  A run's workloads belong to its
	 * thread. */
	sim_time_t memo_t0, memo_t1;
	double memo_lam;
	int has_memo;
};

struct workload {
	char *name;
	double mix[TX_KINDS]; /* normalised shares */
	struct tx_kind_params kinds[TX_KINDS];
	struct wl_source *src;
	size_t nsrc;
	bool has_wtp;
	struct wl_wtp wtp;
	/* The Poisson constants of each kind's last mean: every instance
	 * draws the same means within a tick (kept while drawing, as the
	 * sources keep their memos). */
	struct rng_poisson_memo poisson[TX_KINDS];
};

/* Arrivals of trace column 'col' before time t; *cursor is a row hint
 * that makes in-order lookups O(1). */
uint64_t wl_trace_cumulative(const struct wl_trace *tr, int col, sim_time_t t,
			     size_t *cursor);

/* Expected arrivals of a source in [t0, t1); Hawkes: the stationary mean. */
double wl_source_expected(const struct wl_source *s, sim_time_t t0,
			  sim_time_t t1);

void wl_trace_destroy(struct wl_trace *tr);

#endif
