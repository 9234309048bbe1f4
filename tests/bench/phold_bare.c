/*
 * PHOLD on a bare bucket queue: the yardstick that `make bench` holds the
 * real engine (`l2sim bench phold`) and the year scenario against.  Same
 * model as sim/phold.c (N processes, E initial events each, every event
 * schedules one at a uniformly random process after 0.1 s plus an
 * exponential delay of mean 1 s; one taus2 stream; integer nanoseconds;
 * (time, sequence) order) but no engine: no handler call, no
 * fingerprint, no cancellation, nothing but the queue.
 *
 * The queue has two levels, in the manner of a ladder queue (Tang, Goh and
 * Thng, "Ladder queue", ACM TOMACS 15(3), 2005) with fixed widths: coarse
 * buckets of about 1,024 events (at most the 0.1 s lookahead wide) over
 * the next 16 s hold events unsorted in arrays; the current coarse bucket
 * is spread over fine buckets of about two events by a counting sort, and
 * each fine bucket is sorted by insertion when reached.  The rare event
 * beyond the horizon (a delay over 16 s: probability e^-15.9) waits in an
 * overflow array scanned once per lap.
 *
 *   phold_bare LPS EVENTS_PER_LP EVENTS [SEED]
 *
 * prints "wall_seconds=... events_per_sec=..." like l2sim bench phold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define SEC INT64_C(1000000000)

struct ev {
	int64_t t;
	uint64_t seq;
	uint32_t lp;
};

struct vec {
	struct ev *a;
	size_t n, cap;
};

static struct vec *coarse;  /* nc buckets of the next 16 s, unsorted */
static uint64_t nc, cmask;   /* nc a power of two */
static int64_t cwidth;       /* ns per coarse bucket */
static int64_t cur_abs = -1; /* absolute number of the current one */
static struct ev *cur;       /* the current coarse bucket, by fine bucket */
static size_t cur_n, cur_i, cur_cap;
static size_t *fine_end;     /* end of each fine bucket in cur */
static size_t n_fine, fine_i, fine_cap;
static int64_t fwidth;
static struct vec over;      /* beyond the horizon: rare, kept unsorted */
static uint64_t seq_next;

static int before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void vec_push(struct vec *v, const struct ev *e)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->a = realloc(v->a, v->cap * sizeof(*v->a));
		if (!v->a)
			abort();
	}
	v->a[v->n++] = *e;
}

static void sort_range(struct ev *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ev x = a[i];
		size_t j = i;
		while (j > 0 && before(&x, &a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

static void push(int64_t t, uint32_t lp)
{
	struct ev e = {t, seq_next++, lp};
	int64_t abs = t / cwidth;
	if (abs == cur_abs) {
		/* Into the sorted rest of the current bucket (never in
		 * PHOLD, whose delays exceed a bucket). */
		if (cur_n == cur_cap) {
			cur_cap = cur_cap ? 2 * cur_cap : 64;
			cur = realloc(cur, cur_cap * sizeof(*cur));
			if (!cur)
				abort();
		}
		sort_range(cur + cur_i, cur_n - cur_i);
		size_t j = cur_n++;
		while (j > cur_i && before(&e, &cur[j - 1])) {
			cur[j] = cur[j - 1];
			j--;
		}
		cur[j] = e;
		n_fine = 1;
		fine_i = 0;
		fine_end[0] = cur_n;
	} else if (abs < cur_abs + (int64_t)nc) {
		vec_push(&coarse[(uint64_t)abs & cmask], &e);
	} else {
		vec_push(&over, &e);
	}
}

/* Makes the next non-empty coarse bucket current: spread its events over
 * fine buckets (about two events each) by a counting sort. */
static int advance(void)
{
	for (uint64_t scanned = 0; scanned <= nc; scanned++) {
		cur_abs++;
		if (over.n && cur_abs % (int64_t)nc == 0) {
			/* Once per lap: take in what the horizon now
			 * reaches. */
			size_t keep = 0;
			for (size_t i = 0; i < over.n; i++) {
				int64_t abs = over.a[i].t / cwidth;
				if (abs < cur_abs + (int64_t)nc)
					vec_push(&coarse[(uint64_t)abs & cmask],
						 &over.a[i]);
				else
					over.a[keep++] = over.a[i];
			}
			over.n = keep;
		}
		struct vec *v = &coarse[(uint64_t)cur_abs & cmask];
		if (!v->n)
			continue;
		size_t n = v->n;
		if (n > cur_cap) {
			cur_cap = 2 * n;
			cur = realloc(cur, cur_cap * sizeof(*cur));
			if (!cur)
				abort();
		}
		size_t nf = n / 2 + 1;
		if (nf + 1 > fine_cap) {
			fine_cap = 2 * (nf + 1);
			fine_end = realloc(fine_end, fine_cap * sizeof(*fine_end));
			if (!fine_end)
				abort();
		}
		fwidth = (cwidth + (int64_t)nf - 1) / (int64_t)nf;
		int64_t base = cur_abs * cwidth;
		memset(fine_end, 0, (nf + 1) * sizeof(*fine_end));
		for (size_t i = 0; i < n; i++)
			fine_end[(size_t)((v->a[i].t - base) / fwidth) + 1]++;
		for (size_t f = 1; f <= nf; f++)
			fine_end[f] += fine_end[f - 1];
		/* fine_end[f] is now the start of fine bucket f; fill. */
		for (size_t i = 0; i < n; i++) {
			size_t f = (size_t)((v->a[i].t - base) / fwidth);
			cur[fine_end[f]++] = v->a[i];
		}
		/* Now fine_end[f] is the end of bucket f. */
		v->n = 0;
		cur_n = n;
		cur_i = 0;
		n_fine = nf;
		fine_i = 0;
		sort_range(cur, fine_end[0]);
		return 1;
	}
	if (!over.n)
		return 0;
	/* Everything is beyond the horizon: jump to its first event. */
	int64_t first = over.a[0].t;
	for (size_t i = 1; i < over.n; i++)
		if (over.a[i].t < first)
			first = over.a[i].t;
	cur_abs = first / cwidth - 1;
	cur_abs -= (cur_abs + 1) % (int64_t)nc; /* land on a lap start */
	return advance();
}

/* The next event, or NULL when none is left. */
static const struct ev *pop(void)
{
	for (;;) {
		if (cur_i < cur_n) {
			while (cur_i >= fine_end[fine_i]) {
				fine_i++;
				size_t start = fine_end[fine_i - 1];
				sort_range(cur + start, fine_end[fine_i] - start);
			}
			return &cur[cur_i++];
		}
		if (!advance())
			return NULL;
	}
}

static int64_t delay(gsl_rng *r)
{
	return SEC / 10 + (int64_t)(gsl_ran_exponential(r, 1.0) * 1e9);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: phold_bare LPS EVENTS_PER_LP EVENTS "
				"[SEED]\n");
		return 2;
	}
	uint64_t lps = strtoull(argv[1], NULL, 10);
	uint64_t per = strtoull(argv[2], NULL, 10);
	uint64_t events = strtoull(argv[3], NULL, 10);
	unsigned long seed = argc > 4 ? strtoul(argv[4], NULL, 10) : 1;
	uint64_t pending = lps * per;
	if (!lps || !per || !events || pending > UINT32_MAX / 2) {
		fprintf(stderr, "phold_bare: bad sizes\n");
		return 2;
	}
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(r, seed ? seed : 1);
	/* Coarse buckets of about 1,024 events (the pending events spread
	 * over the mean delay of 1.1 s) over a horizon of 16 s. */
	cwidth = (int64_t)(1.1e9 * 1024 / (double)pending);
	if (cwidth < 1024)
		cwidth = 1024;
	/* No wider than the lookahead, so that no new event lands in the
	 * current bucket. */
	if (cwidth > SEC / 10)
		cwidth = SEC / 10;
	nc = 1;
	while ((int64_t)nc * cwidth < 16 * SEC)
		nc *= 2;
	cmask = nc - 1;
	coarse = calloc(nc, sizeof(*coarse));
	fine_cap = 16;
	fine_end = calloc(fine_cap, sizeof(*fine_end));
	if (!coarse || !fine_end)
		abort();
	for (uint64_t lp = 0; lp < lps; lp++)
		for (uint64_t k = 0; k < per; k++)
			push(delay(r), (uint32_t)lp);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t done = 0, check = 0;
	int64_t now = 0;
	while (done < events) {
		const struct ev *e = pop();
		if (!e)
			break;
		if (e->t < now) {
			fprintf(stderr, "phold_bare: out of order\n");
			return 3;
		}
		now = e->t;
		check += e->lp;
		uint32_t dst = (uint32_t)gsl_rng_uniform_int(r, lps);
		push(now + delay(r), dst);
		done++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("events=%llu sim_seconds=%.3f check=%llu wall_seconds=%.3f\n",
	       (unsigned long long)done, (double)now / 1e9,
	       (unsigned long long)check, wall);
	printf("events_per_sec=%.0f\n", wall > 0 ? (double)done / wall : 0.0);
	gsl_rng_free(r);
	for (uint64_t i = 0; i < nc; i++)
		free(coarse[i].a);
	free(coarse);
	free(cur);
	free(fine_end);
	free(over.a);
	return 0;
}
