/*
 * The event queue: a ladder queue (Tang, Goh & Thng, 2005) adapted to
 * integer time and an exact (time, seq) order.
 *
 * Three tiers, each holding only events later than the tier below it:
 *
 *   top     an unsorted array of far-future events (time > top_last);
 *   rungs   a stack of bucket arrays.  Rung 0 spreads what top held when it
 *           was last emptied; rung k+1 spreads the one bucket of rung k that
 *           was too full to sort.  Bucket widths are powers of two (ns), so
 *           a bucket index is a subtraction and a shift;
 *   bottom  the events of the bucket being consumed, sorted in descending
 *           (time, seq) order so a pop is a decrement, or, when it grows
 *           large (many equal times, a maxed-out ladder), a binary min-heap.
 *
 * A push is routed by time alone: past top_last to top; else into the
 * outermost rung whose current bucket ends before it; else into bottom.
 * Only bottom ever compares sequence numbers, and bottom is a total order,
 * so the queue pops exactly by (time, seq) for any sequence of pushes (even
 * pushes earlier than the last pop, which land in bottom).
 *
 * Why not a heap: at a million pending events every sift of a heap walks
 * DRAM.  Here a push appends to one bucket and the pop side touches one
 * small sorted array, so the hot data stay in cache.
 *
 * With many events, rung 0 has few, wide buckets (about one per
 * RUNG0_PER_BUCKET events), so the tails that pushes append to stay in
 * cache; its buckets are read back sequentially when spread over a child
 * rung, whose buckets are small enough to sort.  An event is thus copied
 * about three times, always to or from cached or sequentially read memory.
 * (Fine buckets at rung 0 made every push a cache miss at a million
 * pending: 4 M events/s against 8-9 M.)
 *
 * Memory: no allocation per event.  A bucket is a list of fixed-size chunks
 * from a pool (large chunks for a coarse rung 0, so reading one back is
 * mostly sequential; small ones elsewhere, so many small buckets waste
 * little cache).  The chunks a drained bucket frees are the next ones
 * pushes take, while they are still in cache.  Memory follows the number of
 * pending events (a vector per bucket would keep its peak size in every
 * bucket).  Pools, top and bottom grow geometrically and are kept for reuse.
 * Bottom always has room for the largest bucket, so pops never allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/error.h"
#include "l2sim/queue.h"

/* Deepest ladder; beyond it a full bucket goes to the bottom heap. */
#define MAX_RUNGS 8
/* A bucket with more events than this is spread over a child rung. */
#define SPLIT_THRESHOLD 32
/* Target events per bucket when a rung is built (a bucket usually gains
 * more before the clock reaches it).  Up to RUNG0_SMALL events all fit in
 * cache, and rung 0 is one level of small buckets; beyond, it is coarse. */
#define RUNG0_SMALL 8192
#define RUNG0_SMALL_PER_BUCKET 2
#define RUNG0_PER_BUCKET 512
#define CHILD_PER_BUCKET 4
/* top with at most this many events goes straight to bottom. */
#define TOP_DIRECT 32
/* Largest bottom kept as a sorted array; beyond it bottom is a heap. */
#define BOTTOM_SORTED_MAX 96
/* log2 of the events per chunk, for rung 0 and for deeper rungs. */
#define CHUNK_SHIFT_RUNG0 5
#define CHUNK_SHIFT_CHILD 3

struct chunk {
	struct chunk *next;
	struct sim_event ev[];
};

/* Only the head chunk is partly filled: it holds n % (chunk size) events,
 * or a full chunk when that is 0. */
struct bucket {
	struct chunk *head;
	size_t n;
};

struct rung {
	sim_time_t start;    /* first time of bucket 0 (ns) */
	sim_time_t cur_last; /* last time of the current bucket (ns) */
	unsigned shift;      /* bucket width is 2^shift ns */
	size_t nb;           /* buckets in use */
	size_t cur;          /* current bucket: consumed or being consumed */
	size_t count;        /* events in buckets after cur */
	struct bucket *b;
	size_t bcap;         /* bucket headers allocated (kept for reuse) */
	struct pool *pool;   /* where its chunks come from */
};

struct slab {
	struct slab *next;
	char mem[];
};

struct pool {
	struct chunk *free;
	size_t nfree, nchunks;
	unsigned shift; /* 2^shift events per chunk */
	size_t stride;  /* bytes per chunk */
	struct slab *slabs;
};

struct sim_queue {
	size_t size;

	/* bottom: holds every event <= the current bucket's last time of the
	 * deepest rung, or <= top_last without rungs */
	struct sim_event *bot;
	size_t nbot, capbot;
	int bot_heap;

	int nr; /* rungs in use */
	struct rung rung[MAX_RUNGS];

	/* top: events with time > top_last, unsorted */
	struct sim_event *top;
	size_t ntop, captop;
	sim_time_t top_last;
	sim_time_t top_min, top_max;

	struct pool pool0, pool1; /* chunks of rung 0, of deeper rungs */
};

static inline int ev_less(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* min(a + n * 2^shift - 1, SIM_TIME_MAX), without overflow. */
static sim_time_t last_time(sim_time_t a, size_t n, unsigned shift)
{
	__int128 v = (__int128)a + ((__int128)n << shift) - 1;
	return v > SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)v;
}

static int grow(struct sim_event **arr, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	struct sim_event *n = realloc(*arr, ncap * sizeof(*n));
	if (!n)
		return L2S_ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

/* ---- chunk pool ------------------------------------------------------- */

static void pool_init(struct pool *p, unsigned shift)
{
	p->shift = shift;
	p->stride = sizeof(struct chunk) + (sizeof(struct sim_event) << shift);
}

static void pool_release(struct pool *p)
{
	while (p->slabs) {
		struct slab *s = p->slabs;
		p->slabs = s->next;
		free(s);
	}
}

/* Makes sure at least 'need' chunks are free.  Returns 0 or L2S_ENOMEM. */
static int pool_reserve(struct pool *p, size_t need)
{
	if (p->nfree >= need)
		return 0;
	size_t n = p->nchunks / 2;
	if (n < 64)
		n = 64;
	if (n < need - p->nfree)
		n = need - p->nfree;
	if (n > (SIZE_MAX - sizeof(struct slab)) / p->stride)
		return L2S_ENOMEM;
	struct slab *s = malloc(sizeof(*s) + n * p->stride);
	if (!s)
		return L2S_ENOMEM;
	s->next = p->slabs;
	p->slabs = s;
	for (size_t i = n; i-- > 0;) {
		struct chunk *c = (struct chunk *)(s->mem + i * p->stride);
		c->next = p->free;
		p->free = c;
	}
	p->nfree += n;
	p->nchunks += n;
	return 0;
}

static inline void chunk_free(struct pool *p, struct chunk *c)
{
	c->next = p->free;
	p->free = c;
	p->nfree++;
}

/* Appends to a bucket; the caller made sure a chunk is free. */
static inline void bucket_put(struct pool *p, struct bucket *b,
			      const struct sim_event *ev)
{
	size_t i = b->n & (((size_t)1 << p->shift) - 1);
	if (i == 0) {
		struct chunk *c = p->free;
		p->free = c->next;
		p->nfree--;
		c->next = b->head;
		b->head = c;
	}
	b->head->ev[i] = *ev;
	b->n++;
}

/* Runs BODY with EV pointing at each event of bucket b (whose chunks come
 * from pool p), then returns the chunks to the pool.  The next chunk is
 * prefetched while one is read: chunks are scattered in memory. */
#define BUCKET_DRAIN(p, b, EV, BODY)                                         \
	do {                                                                 \
		size_t full_ = (size_t)1 << (p)->shift;                      \
		struct chunk *c_ = (b)->head;                                \
		size_t k_ = (b)->n & (full_ - 1);                            \
		if (k_ == 0)                                                 \
			k_ = full_;                                          \
		while (c_) {                                                 \
			struct chunk *nx_ = c_->next;                        \
			if (nx_) {                                           \
				__builtin_prefetch(nx_);                     \
				__builtin_prefetch((char *)nx_ + 64);        \
				__builtin_prefetch((char *)nx_ + 128);       \
				__builtin_prefetch((char *)nx_ + 192);       \
			}                                                    \
			for (size_t i_ = 0; i_ < k_; i_++) {                 \
				const struct sim_event *EV = &c_->ev[i_];    \
				BODY;                                        \
			}                                                    \
			chunk_free((p), c_);                                 \
			c_ = nx_;                                            \
			k_ = full_;                                          \
		}                                                            \
		(b)->head = NULL;                                            \
		(b)->n = 0;                                                  \
	} while (0)

/* ---- bottom ----------------------------------------------------------- */

static void heap_up(struct sim_event *h, size_t i)
{
	struct sim_event e = h[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ev_less(&e, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void heap_down(struct sim_event *h, size_t n, size_t i)
{
	struct sim_event e = h[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ev_less(&h[c + 1], &h[c]))
			c++;
		if (!ev_less(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

static void heapify(struct sim_event *h, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		heap_down(h, n, i);
}

/* Insertion sort into descending order: buckets are small. */
static void sort_desc(struct sim_event *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sim_event e = a[i];
		size_t j = i;
		while (j > 0 && ev_less(&a[j - 1], &e)) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = e;
	}
}

/* Orders bottom's nbot events as a sorted array or, when large, a heap. */
static void bottom_order(struct sim_queue *q)
{
	if (q->nbot > BOTTOM_SORTED_MAX) {
		q->bot_heap = 1;
		heapify(q->bot, q->nbot);
	} else {
		q->bot_heap = 0;
		sort_desc(q->bot, q->nbot);
	}
}

/* Moves a bucket into the empty bottom (capbot >= b->n always holds). */
static void bottom_take_bucket(struct sim_queue *q, struct pool *p,
			       struct bucket *b)
{
	struct sim_event *a = q->bot;
	if (b->n > BOTTOM_SORTED_MAX) {
		size_t k = 0;
		BUCKET_DRAIN(p, b, e, a[k++] = *e);
		q->nbot = k;
		q->bot_heap = 1;
		heapify(a, k);
		return;
	}
	/* insertion sort (descending) as the events are read */
	size_t k = 0;
	BUCKET_DRAIN(p, b, e, {
		size_t j = k++;
		while (j > 0 && ev_less(&a[j - 1], e)) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = *e;
	});
	q->nbot = k;
	q->bot_heap = 0;
}

/* Moves top into the empty bottom by swapping the arrays. */
static void bottom_take_top(struct sim_queue *q)
{
	struct sim_event *a = q->bot;
	size_t c = q->capbot;
	q->bot = q->top;
	q->capbot = q->captop;
	q->nbot = q->ntop;
	q->top = a;
	q->captop = c;
	q->ntop = 0;
	bottom_order(q);
}

static int bottom_push(struct sim_queue *q, const struct sim_event *ev)
{
	if (grow(&q->bot, &q->capbot, q->nbot + 1))
		return L2S_ENOMEM;
	if (!q->bot_heap && q->nbot >= BOTTOM_SORTED_MAX) {
		q->bot_heap = 1;
		heapify(q->bot, q->nbot);
	}
	struct sim_event *a = q->bot;
	size_t j = q->nbot++;
	if (q->bot_heap) {
		a[j] = *ev;
		heap_up(a, j);
		return 0;
	}
	while (j > 0 && ev_less(&a[j - 1], ev)) {
		a[j] = a[j - 1];
		j--;
	}
	a[j] = *ev;
	return 0;
}

static void bottom_pop(struct sim_queue *q, struct sim_event *out)
{
	if (!q->bot_heap) {
		*out = q->bot[--q->nbot];
		return;
	}
	*out = q->bot[0];
	if (--q->nbot > 0) {
		q->bot[0] = q->bot[q->nbot];
		heap_down(q->bot, q->nbot, 0);
	} else {
		q->bot_heap = 0;
	}
}

/* ---- rungs ------------------------------------------------------------ */

static inline size_t bucket_index(const struct rung *r, sim_time_t t)
{
	return (size_t)(((uint64_t)t - (uint64_t)r->start) >> r->shift);
}

/* Smallest shift with (span >> shift) < nb_target: about nb_target buckets
 * over span + 1 ns. */
static unsigned shift_for(uint64_t span, size_t nb_target)
{
	unsigned s = 0;
	while (s < 63 && (span >> s) >= nb_target)
		s++;
	return s;
}

/* Prepares 'r' with nb empty buckets and reserves the chunks that spreading
 * n events over them may take.  Returns 0 or L2S_ENOMEM (nothing changed
 * that matters). */
static int rung_init(struct rung *r, struct pool *p, sim_time_t start,
		     unsigned shift, size_t nb, size_t n)
{
	if (nb > r->bcap) {
		struct bucket *nbk = realloc(r->b, nb * sizeof(*nbk));
		if (!nbk)
			return L2S_ENOMEM;
		memset(nbk + r->bcap, 0, (nb - r->bcap) * sizeof(*nbk));
		r->b = nbk;
		r->bcap = nb;
	}
	size_t most = (n >> p->shift) + (nb < n ? nb : n);
	if (pool_reserve(p, most))
		return L2S_ENOMEM;
	r->pool = p;
	r->start = start;
	r->shift = shift;
	r->nb = nb;
	r->cur = (size_t)-1;
	r->cur_last = start; /* unused until the first bucket is chosen */
	r->count = n;
	return 0;
}

/* Spreads the current bucket of the deepest rung over a new rung.  Returns
 * 0, or L2S_ENOMEM leaving everything as it was. */
static int spawn_child(struct sim_queue *q)
{
	struct rung *p = &q->rung[q->nr - 1];
	struct rung *c = &q->rung[q->nr];
	struct bucket *src = &p->b[p->cur];
	/* about n / CHILD_PER_BUCKET buckets, at least two */
	unsigned cs = shift_for(((uint64_t)1 << p->shift) - 1,
				src->n / CHILD_PER_BUCKET + 2);
	if (cs >= p->shift)
		cs = p->shift - 1;
	sim_time_t start = (sim_time_t)((uint64_t)p->start +
					((uint64_t)p->cur << p->shift));
	size_t nb = (size_t)1 << (p->shift - cs);
	if (rung_init(c, &q->pool1, start, cs, nb, src->n))
		return L2S_ENOMEM;
	BUCKET_DRAIN(p->pool, src, e,
		     bucket_put(c->pool, &c->b[bucket_index(c, e->time)], e));
	q->nr++;
	return 0;
}

/* Builds rung 0 from top (no rungs, bottom empty, top not empty). */
static void top_spread(struct sim_queue *q)
{
	size_t n = q->ntop;
	uint64_t span = (uint64_t)q->top_max - (uint64_t)q->top_min;
	if (n > TOP_DIRECT && span > 0 && !grow(&q->bot, &q->capbot, n)) {
		struct rung *r = &q->rung[0];
		int small = n <= RUNG0_SMALL;
		unsigned s = shift_for(span, small ? n / RUNG0_SMALL_PER_BUCKET
						 : n / RUNG0_PER_BUCKET + 1);
		size_t nb = (size_t)(span >> s) + 1;
		if (!rung_init(r, small ? &q->pool1 : &q->pool0, q->top_min, s,
			       nb, n)) {
			for (size_t i = 0; i < n; i++) {
				const struct sim_event *e = &q->top[i];
				bucket_put(r->pool,
					   &r->b[bucket_index(r, e->time)], e);
			}
			q->nr = 1;
			q->ntop = 0;
			q->top_last = last_time(r->start, nb, s);
			return;
		}
	}
	/* Few events, all at one time, or out of memory: straight to bottom. */
	q->top_last = q->top_max;
	bottom_take_top(q);
}

/* Refills bottom when it is empty.  Returns 0 when the queue is empty. */
static int refill(struct sim_queue *q)
{
	while (q->nbot == 0) {
		if (q->nr == 0) {
			if (q->ntop == 0)
				return 0;
			top_spread(q);
			continue;
		}
		struct rung *r = &q->rung[q->nr - 1];
		if (r->count == 0) {
			q->nr--;
			continue;
		}
		size_t i = r->cur + 1;
		while (r->b[i].n == 0)
			i++;
		r->cur = i;
		r->cur_last = last_time(r->start, i + 1, r->shift);
		r->count -= r->b[i].n;
		if (r->b[i].n > SPLIT_THRESHOLD && r->shift > 0 &&
		    q->nr < MAX_RUNGS && !spawn_child(q))
			continue;
		bottom_take_bucket(q, r->pool, &r->b[i]);
	}
	return 1;
}

/* ---- API -------------------------------------------------------------- */

struct sim_queue *sim_queue_create(void)
{
	struct sim_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	/* Until the first spread everything is "top"; an event at the very
	 * least time can only be the minimum, and bottom takes it. */
	q->top_last = INT64_MIN;
	pool_init(&q->pool0, CHUNK_SHIFT_RUNG0);
	pool_init(&q->pool1, CHUNK_SHIFT_CHILD);
	return q;
}

void sim_queue_destroy(struct sim_queue *q)
{
	if (!q)
		return;
	for (int k = 0; k < MAX_RUNGS; k++)
		free(q->rung[k].b);
	pool_release(&q->pool0);
	pool_release(&q->pool1);
	free(q->bot);
	free(q->top);
	free(q);
}

int sim_queue_push(struct sim_queue *q, const struct sim_event *ev)
{
	sim_time_t t = ev->time;
	if (t > q->top_last) {
		if (q->ntop == q->captop &&
		    grow(&q->top, &q->captop, q->ntop + 1))
			return L2S_ENOMEM;
		if (q->ntop == 0) {
			q->top_min = q->top_max = t;
		} else {
			if (t < q->top_min)
				q->top_min = t;
			if (t > q->top_max)
				q->top_max = t;
		}
		q->top[q->ntop++] = *ev;
		q->size++;
		return 0;
	}
	for (int k = 0; k < q->nr; k++) {
		struct rung *r = &q->rung[k];
		if (t > r->cur_last) {
			struct bucket *b = &r->b[bucket_index(r, t)];
			/* Keep bottom able to take any bucket whole. */
			if ((b->n >= q->capbot &&
			     grow(&q->bot, &q->capbot, b->n + 1)) ||
			    pool_reserve(r->pool, 1))
				return L2S_ENOMEM;
			bucket_put(r->pool, b, ev);
			r->count++;
			q->size++;
			return 0;
		}
	}
	if (bottom_push(q, ev))
		return L2S_ENOMEM;
	q->size++;
	return 0;
}

int sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
	if (q->nbot == 0 && !refill(q))
		return 0;
	bottom_pop(q, out);
	q->size--;
	return 1;
}

sim_time_t sim_queue_peek_time(struct sim_queue *q)
{
	if (q->nbot == 0 && !refill(q))
		return SIM_TIME_MAX;
	return q->bot_heap ? q->bot[0].time : q->bot[q->nbot - 1].time;
}

size_t sim_queue_size(const struct sim_queue *q) { return q->size; }
