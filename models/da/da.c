/*
 * Alternative DA layers at run time.
 *
 * Block-based layers (Celestia, EigenDA, Avail, generic): submissions wait
 * in one FIFO queue; at every block boundary t = j * block_time (j >= 1)
 * the block takes up to max_block_bytes from the head of the queue, only
 * from submissions made strictly before t (so a submission at a boundary
 * waits for the next block whatever the order of same-time events).  A
 * submission larger than what is left spills into the next blocks and is
 * confirmed confirmation_blocks * block_time + confirmation_latency after
 * the block that holds its last byte.  Block events are scheduled only
 * while the queue is not empty: an idle layer costs no events, and the fee
 * market catches up on the empty blocks it skipped when it wakes.  Costs:
 * each byte pays the price of the block that includes it.
 *
 * Committees (AnyTrust-like DACs): at submission every member draws, in
 * member order, whether it is online (member_availability) and its signing
 * delay.  The certificate exists when the k-th signature arrives; if that
 * is later than the timeout, the submission fails at the timeout and the
 * submitter falls back (AnyTrust posts to L1).  One event per submission:
 * the decision time is recomputed when a member or the whole layer goes
 * down while it waits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "da_internal.h"

#define MIB UINT64_C(1048576)

/* Latency histogram: log-spaced bins, HIST_PER_DECADE per decade from
 * 1 us to 1e16 ns (~116 days).  Each bin keeps its count and sum, so a
 * quantile reports the mean of the samples in its bin: exact when they are
 * all equal (block-quantised latencies), within a bin's width (~0.9%)
 * otherwise.  Fixed memory however many submissions a year brings. */
#define HIST_PER_DECADE 256
#define HIST_DECADES 13
#define HIST_BINS (HIST_PER_DECADE * HIST_DECADES)
#define HIST_LO_NS 1000.0

struct da_hist {
	uint64_t count;
	double sum;      /* ns */
	sim_time_t min, max;
	uint64_t n[HIST_BINS];
	double s[HIST_BINS];
};

struct da_sub {
	struct da_sub *next, *prev;
	da_done_fn *cb;
	void *ctx;
	sim_time_t submitted_at;
	int64_t bytes;
	int64_t remaining;           /* block layers: bytes not yet included */
	unsigned __int128 cost_acc;  /* sum of bytes * wei-per-MiB */
	sim_event_id ev;             /* committee: pending decision */
	sim_time_t decide_at;
	bool ok;
	sim_time_t sign_at[];        /* committee: per member; MAX = never */
};

struct da_layer {
	struct da_set *set;
	struct sim *sim;
	gsl_rng *rng;
	struct da_config cfg;
	uint64_t price;              /* wei per MiB, now */
	size_t sub_size;             /* bytes of one struct da_sub */

	/* state */
	int sched_down;              /* scheduled outages in progress */
	bool ext_down;               /* da_set_down() */
	sim_time_t down_since;
	int64_t lost_slots;          /* block slots lost to outages */
	bool *member_down;
	sim_event_id *outage_ev;     /* 2 per outage, for unwinding create */
	sim_time_t *scratch;         /* n sign times, for the k-th smallest */
	struct da_sub *head, *tail;  /* FIFO, or pending committee list */
	size_t pending;
	struct da_sub *free_list;
	bool tick_scheduled;
	int64_t last_block;          /* index of the last block produced */

	/* statistics, events at or after warm-up */
	uint64_t submissions, confirmations, failures;
	int64_t bytes_submitted, bytes_confirmed, bytes_included;
	unsigned __int128 cost_wei;
	struct da_hist hist;
};

struct da_set {
	struct sim *sim;
	sim_time_t warmup;
	struct da_layer **layers;
	size_t n, cap;
};

static const char *const builtin_names[] = {
	"ethereum_calldata", "ethereum_blobs", NULL,
};

bool da_is_builtin(const char *name)
{
	for (int i = 0; name && builtin_names[i]; i++)
		if (!strcmp(name, builtin_names[i]))
			return true;
	return false;
}

const char *da_failure_name(enum da_failure reason)
{
	switch (reason) {
	case DA_FAIL_NONE:
		return "none";
	case DA_FAIL_QUORUM_TIMEOUT:
		return "quorum_timeout";
	}
	return "unknown";
}

/* ---- histogram ---- */

static int hist_bin(sim_time_t v)
{
	double x = (double)v;
	int b;

	if (x < HIST_LO_NS)
		return 0;
	b = (int)(log10(x / HIST_LO_NS) * HIST_PER_DECADE);
	return b >= HIST_BINS ? HIST_BINS - 1 : b;
}

static void hist_add(struct da_hist *h, sim_time_t v)
{
	int b = hist_bin(v);

	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum += (double)v;
	h->n[b]++;
	h->s[b] += (double)v;
}

/* Nearest-rank quantile, in ns. */
static double hist_quantile(const struct da_hist *h, double q)
{
	uint64_t rank, cum = 0;
	double v;

	if (h->count == 0)
		return 0.0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (int b = 0; b < HIST_BINS; b++) {
		cum += h->n[b];
		if (cum >= rank) {
			v = h->s[b] / (double)h->n[b];
			if (v < (double)h->min)
				v = (double)h->min;
			if (v > (double)h->max)
				v = (double)h->max;
			return v;
		}
	}
	return (double)h->max;
}

/* ---- helpers ---- */

static bool layer_down(const struct da_layer *l)
{
	return l->ext_down || l->sched_down > 0;
}

static bool is_dac(const struct da_layer *l)
{
	return l->cfg.type == DA_TYPE_DAC;
}

/* ceil(acc / 2^20), saturating: a MiB price applied to bytes. */
static uint64_t cost_from_acc(unsigned __int128 acc)
{
	unsigned __int128 c = (acc + (MIB - 1)) / MIB;

	return c > UINT64_MAX ? UINT64_MAX : (uint64_t)c;
}

static struct da_sub *sub_alloc(struct da_layer *l)
{
	struct da_sub *s = l->free_list;

	if (s)
		l->free_list = s->next;
	else
		s = malloc(l->sub_size);
	if (s)
		memset(s, 0, l->sub_size);
	return s;
}

static void sub_free(struct da_layer *l, struct da_sub *s)
{
	s->next = l->free_list;
	l->free_list = s;
}

static void list_append(struct da_layer *l, struct da_sub *s)
{
	s->next = NULL;
	s->prev = l->tail;
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
	l->pending++;
}

static void list_remove(struct da_layer *l, struct da_sub *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->tail = s->prev;
	s->next = s->prev = NULL;
	l->pending--;
}

/* Records the outcome, recycles 's' and calls back (last, so that the
 * callback may submit again). */
static void finish(struct da_layer *l, struct da_sub *s, bool ok)
{
	sim_time_t now = sim_now(l->sim);
	struct da_receipt r = {
		.ok = ok,
		.submitted_at = s->submitted_at,
		.confirmed_at = now,
		.bytes = s->bytes,
		.cost_wei = ok ? cost_from_acc(s->cost_acc) : 0,
		.reason = ok ? DA_FAIL_NONE : DA_FAIL_QUORUM_TIMEOUT,
		.layer = l->cfg.name,
	};
	da_done_fn *cb = s->cb;
	void *ctx = s->ctx;

	if (now >= l->set->warmup) {
		if (ok) {
			l->confirmations++;
			l->bytes_confirmed += s->bytes;
			l->cost_wei += r.cost_wei;
		} else {
			l->failures++;
		}
	}
	if (ok && s->submitted_at >= l->set->warmup)
		hist_add(&l->hist, now - s->submitted_at);
	sub_free(l, s);
	cb(l->sim, ctx, &r);
}

/* ---- block-based layers ---- */

/*
 * EIP-1559-style price rule per block, in integers:
 *   price += max(1, price * (used - target) / target / denom) when above,
 *   price -= price * (target - used) / target / denom when below,
 * bounded by [min_price_per_mib, max_price_per_mib].  Returns false when an
 * empty block no longer moves the price (so idle catch-up can stop).
 */
static bool fee_update(struct da_layer *l, int64_t used)
{
	const struct da_config *c = &l->cfg;
	int64_t target = (int64_t)llround(c->target_fill *
					  (double)c->max_block_bytes);
	unsigned __int128 d;
	uint64_t old = l->price;

	if (target < 1)
		target = 1;
	if (used > target) {
		d = (unsigned __int128)l->price * (uint64_t)(used - target) /
		    (uint64_t)target / (uint64_t)c->change_denominator;
		if (d < 1)
			d = 1;
		if (d > c->max_price_per_mib - l->price)
			l->price = c->max_price_per_mib;
		else
			l->price += (uint64_t)d;
	} else if (used < target) {
		d = (unsigned __int128)l->price * (uint64_t)(target - used) /
		    (uint64_t)target / (uint64_t)c->change_denominator;
		if (d > l->price - c->min_price_per_mib)
			l->price = c->min_price_per_mib;
		else
			l->price -= (uint64_t)d;
	}
	return l->price != old;
}

static void on_block(struct sim *sim, void *self, void *arg);

static void schedule_block(struct da_layer *l)
{
	sim_time_t bt = l->cfg.block_time;
	sim_time_t next = (sim_now(l->sim) / bt + 1) * bt;

	if (l->tick_scheduled || layer_down(l) || !l->head)
		return;
	/* Fails only for lack of memory; the next submission retries. */
	if (sim_schedule(l->sim, next, on_block, l, NULL, NULL) == 0)
		l->tick_scheduled = true;
}

static void on_confirm(struct sim *sim, void *self, void *arg)
{
	finish(self, arg, true);
}

static void on_block(struct sim *sim, void *self, void *arg)
{
	struct da_layer *l = self;
	const struct da_config *c = &l->cfg;
	sim_time_t now = sim_now(sim);
	int64_t j = now / c->block_time;
	int64_t idle, room = c->max_block_bytes, used = 0;
	sim_time_t confirm_at = now + c->confirmation_blocks * c->block_time +
				c->confirmation_latency;

	l->tick_scheduled = false;
	if (layer_down(l))
		return; /* a halted chain makes no blocks; da_set_down(false)
			   or the outage's end schedules the next one */
	if (c->fee_market) {
		/* Empty blocks since the last one we made, outages aside. */
		idle = j - l->last_block - 1 - l->lost_slots;
		for (int64_t i = 0; i < idle && fee_update(l, 0); i++)
			;
	}
	l->lost_slots = 0;
	while (l->head && l->head->submitted_at < now) {
		struct da_sub *s = l->head;
		int64_t take = s->remaining < room ? s->remaining : room;

		if (take == 0 && s->remaining > 0)
			break;
		s->remaining -= take;
		room -= take;
		used += take;
		s->cost_acc += (unsigned __int128)take * l->price;
		if (s->remaining > 0)
			break;
		list_remove(l, s);
		if (sim_schedule(sim, confirm_at, on_confirm, l, s, NULL) != 0)
			abort(); /* out of memory mid-run: nothing to unwind */
	}
	if (now >= l->set->warmup)
		l->bytes_included += used;
	if (c->fee_market)
		fee_update(l, used);
	l->last_block = j;
	schedule_block(l);
}

/* ---- committees ---- */

static int cmp_time(const void *a, const void *b)
{
	sim_time_t x = *(const sim_time_t *)a, y = *(const sim_time_t *)b;

	return (x > y) - (x < y);
}

static void on_decide(struct sim *sim, void *self, void *arg)
{
	struct da_layer *l = self;
	struct da_sub *s = arg;

	list_remove(l, s);
	finish(l, s, s->ok);
}

/* Sets s->ok and s->decide_at from the sign times: the k-th signature, or
 * failure at the timeout. */
static void dac_decide(struct da_layer *l, struct da_sub *s)
{
	int n = l->cfg.members, k = l->cfg.threshold;
	sim_time_t kth, deadline = s->submitted_at + l->cfg.timeout;

	memcpy(l->scratch, s->sign_at, (size_t)n * sizeof(*l->scratch));
	qsort(l->scratch, (size_t)n, sizeof(*l->scratch), cmp_time);
	kth = l->scratch[k - 1];
	s->ok = kth <= deadline;
	s->decide_at = s->ok ? kth : deadline;
}

/* Member 'member' (or all, when -1) stops signing: pending submissions lose
 * the signatures it has not given yet. */
static void dac_withdraw(struct da_layer *l, int member)
{
	sim_time_t now = sim_now(l->sim);

	for (struct da_sub *s = l->head; s; s = s->next) {
		sim_time_t old = s->decide_at;
		bool old_ok = s->ok;
		int lo = member < 0 ? 0 : member;
		int hi = member < 0 ? l->cfg.members : member + 1;

		for (int i = lo; i < hi; i++)
			if (s->sign_at[i] > now)
				s->sign_at[i] = SIM_TIME_MAX;
		dac_decide(l, s);
		if (s->decide_at == old && s->ok == old_ok)
			continue;
		sim_cancel(l->sim, s->ev);
		if (sim_schedule(l->sim, s->decide_at, on_decide, l, s,
				 &s->ev) != 0)
			abort();
	}
}

static int dac_submit(struct da_layer *l, struct da_sub *s)
{
	const struct da_config *c = &l->cfg;
	sim_time_t now = s->submitted_at;
	bool down = layer_down(l);
	int rc;

	/* Two draws per member in member order, whether it is up or not, so
	 * a fault never shifts the stream of later draws. */
	for (int i = 0; i < c->members; i++) {
		double u = gsl_rng_uniform(l->rng);
		sim_time_t d = da_dist_draw(&c->sign_latency, l->rng);
		bool online = !down && !l->member_down[i] &&
			      u < c->member_availability;

		if (d < 0)
			d = 0;
		s->sign_at[i] = online ? now + d : SIM_TIME_MAX;
	}
	dac_decide(l, s);
	s->cost_acc = (unsigned __int128)s->bytes * l->price;
	rc = sim_schedule(l->sim, s->decide_at, on_decide, l, s, &s->ev);
	if (rc)
		return rc;
	list_append(l, s);
	return 0;
}

/* ---- public ---- */

int da_submit(struct da_layer *l, int64_t bytes, da_done_fn *cb, void *ctx)
{
	struct da_sub *s;
	int rc = 0;

	if (!l || !cb || bytes < 0)
		return L2S_EINPUT;
	s = sub_alloc(l);
	if (!s)
		return L2S_ENOMEM;
	s->cb = cb;
	s->ctx = ctx;
	s->submitted_at = sim_now(l->sim);
	s->bytes = bytes;
	s->remaining = bytes;
	if (is_dac(l)) {
		rc = dac_submit(l, s);
	} else {
		list_append(l, s);
		schedule_block(l);
	}
	if (rc) {
		sub_free(l, s);
		return rc;
	}
	if (s->submitted_at >= l->set->warmup) {
		l->submissions++;
		l->bytes_submitted += bytes;
	}
	return 0;
}

static void apply_down(struct da_layer *l, bool was_down)
{
	bool down = layer_down(l);
	sim_time_t now = sim_now(l->sim);

	if (down == was_down)
		return;
	if (down) {
		l->down_since = now;
		if (is_dac(l))
			dac_withdraw(l, -1);
		return;
	}
	if (!is_dac(l)) {
		sim_time_t bt = l->cfg.block_time;

		/* Block slots in (down_since, now] were never produced: they
		 * are neither capacity used nor empty blocks for the fee
		 * market. */
		l->lost_slots += now / bt - l->down_since / bt;
		schedule_block(l);
	}
}

void da_set_down(struct da_layer *l, bool down)
{
	bool was = layer_down(l);

	l->ext_down = down;
	apply_down(l, was);
}

bool da_is_down(const struct da_layer *l)
{
	return layer_down(l);
}

static void on_outage_start(struct sim *sim, void *self, void *arg)
{
	struct da_layer *l = self;
	bool was = layer_down(l);

	l->sched_down++;
	apply_down(l, was);
}

static void on_outage_end(struct sim *sim, void *self, void *arg)
{
	struct da_layer *l = self;
	bool was = layer_down(l);

	l->sched_down--;
	apply_down(l, was);
}

int da_dac_set_member_down(struct da_layer *l, int member, bool down)
{
	if (!l || !is_dac(l) || member < 0 || member >= l->cfg.members)
		return L2S_EINPUT;
	if (down && !l->member_down[member]) {
		l->member_down[member] = true;
		dac_withdraw(l, member);
	}
	l->member_down[member] = down;
	return 0;
}

const char *da_layer_name(const struct da_layer *l) { return l->cfg.name; }

int da_dac_members(const struct da_layer *l)
{
	return is_dac(l) ? l->cfg.members : 0;
}
enum da_type da_layer_type(const struct da_layer *l) { return l->cfg.type; }
int64_t da_layer_max_block_bytes(const struct da_layer *l)
{
	return l->cfg.max_block_bytes;
}
sim_time_t da_layer_block_time(const struct da_layer *l)
{
	return l->cfg.block_time;
}
uint64_t da_layer_price_per_mib(const struct da_layer *l) { return l->price; }
size_t da_layer_pending(const struct da_layer *l) { return l->pending; }

static void layer_destroy(struct da_layer *l)
{
	struct da_sub *s, *next;

	if (!l)
		return;
	for (s = l->head; s; s = next) {
		next = s->next;
		free(s);
	}
	for (s = l->free_list; s; s = next) {
		next = s->next;
		free(s);
	}
	free(l->member_down);
	free(l->scratch);
	free(l->outage_ev);
	da_config_release(&l->cfg);
	free(l);
}

static int set_add(struct da_set *set, struct da_layer *l)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 4;
		struct da_layer **p = realloc(set->layers, cap * sizeof(*p));

		if (!p)
			return L2S_ENOMEM;
		set->layers = p;
		set->cap = cap;
	}
	set->layers[set->n++] = l;
	return 0;
}

static int layer_create(struct sim *sim, struct da_set *set,
			struct da_config *cfg, struct da_layer **out,
			struct l2s_error *err)
{
	struct da_layer *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		goto oom;
	l->set = set;
	l->sim = sim;
	l->cfg = *cfg;
	/* The layer now owns the outage arrays. */
	cfg->outage_start = cfg->outage_duration = NULL;
	cfg->n_outages = 0;
	l->price = l->cfg.price_per_mib;
	l->sub_size = sizeof(struct da_sub);
	l->rng = sim_rng(sim, l->cfg.name);
	if (!l->rng)
		goto oom;
	if (is_dac(l)) {
		size_t n = (size_t)l->cfg.members;

		l->sub_size += n * sizeof(sim_time_t);
		l->member_down = calloc(n, sizeof(*l->member_down));
		l->scratch = calloc(n, sizeof(*l->scratch));
		if (!l->member_down || !l->scratch)
			goto oom;
	}
	*out = l;
	return 0;
oom:
	layer_destroy(l);
	return l2s_error_set(err, L2S_ENOMEM, "out of memory");
}

/* Cancels whatever schedule_outages() queued, so a failed construction
 * leaves no event pointing at a freed layer. */
static void unschedule_outages(struct da_layer *l)
{
	for (size_t i = 0; l->outage_ev && i < 2 * l->cfg.n_outages; i++)
		if (l->outage_ev[i])
			sim_cancel(l->sim, l->outage_ev[i]);
}

static int schedule_outages(struct da_layer *l, struct l2s_error *err)
{
	size_t n = l->cfg.n_outages;
	sim_time_t now = sim_now(l->sim);
	int rc = 0;

	if (n == 0)
		return 0;
	l->outage_ev = calloc(2 * n, sizeof(*l->outage_ev));
	if (!l->outage_ev)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		sim_time_t a = l->cfg.outage_start[i];
		sim_time_t b = a + l->cfg.outage_duration[i];

		if (a < now)
			a = now;
		if (b <= a)
			continue;
		rc = sim_schedule(l->sim, a, on_outage_start, l, NULL,
				  &l->outage_ev[2 * i]);
		if (!rc)
			rc = sim_schedule(l->sim, b, on_outage_end, l, NULL,
					  &l->outage_ev[2 * i + 1]);
	}
	if (rc) {
		unschedule_outages(l);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	return 0;
}

int da_layers_create(struct sim *sim, const struct scn_obj *root,
		     sim_time_t warmup, struct da_set **out,
		     struct l2s_error *err)
{
	struct da_set *set;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = scn_get_array(root, "da_layers", &n, err);
	if (rc)
		return rc;
	set = calloc(1, sizeof(*set));
	if (!set)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	set->sim = sim;
	set->warmup = warmup;
	for (size_t i = 0; i < n; i++) {
		struct da_config cfg;
		struct da_layer *l = NULL;
		struct scn_obj e;

		memset(&cfg, 0, sizeof(cfg));
		rc = scn_get_elem(root, "da_layers", i, &e, err);
		if (!rc)
			rc = da_config_read(&e, &cfg, err);
		for (size_t j = 0; !rc && j < set->n; j++) {
			if (strcmp(set->layers[j]->cfg.name, cfg.name))
				continue;
			rc = scn_fail(&e, "name", err,
				      "duplicate da layer name '%s'", cfg.name);
			l2s_error_hint(err, "first declared at da_layers[%zu]",
				       j);
		}
		if (!rc)
			rc = layer_create(sim, set, &cfg, &l, err);
		da_config_release(&cfg);
		if (!rc) {
			rc = set_add(set, l);
			if (rc) {
				layer_destroy(l);
				l2s_error_set(err, rc, "out of memory");
			}
		}
		if (rc) {
			da_set_destroy(set);
			return rc;
		}
	}
	for (size_t i = 0; !rc && i < set->n; i++)
		rc = schedule_outages(set->layers[i], err);
	if (rc) {
		for (size_t i = 0; i < set->n; i++)
			unschedule_outages(set->layers[i]);
		da_set_destroy(set);
		return rc;
	}
	*out = set;
	return 0;
}

void da_set_destroy(struct da_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		layer_destroy(set->layers[i]);
	free(set->layers);
	free(set);
}

struct da_layer *da_find(struct da_set *set, const char *name)
{
	if (!set || !name || da_is_builtin(name))
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->layers[i]->cfg.name, name))
			return set->layers[i];
	return NULL;
}

size_t da_count(const struct da_set *set) { return set ? set->n : 0; }

struct da_layer *da_at(struct da_set *set, size_t i)
{
	return set && i < set->n ? set->layers[i] : NULL;
}

/* Block slots j * bt (j >= 1) that fall in [from, to]. */
static int64_t slots_between(sim_time_t bt, sim_time_t from, sim_time_t to)
{
	int64_t first = (from + bt - 1) / bt, last = to / bt;

	if (first < 1)
		first = 1;
	return last >= first ? last - first + 1 : 0;
}

void da_collect(struct da_set *set, struct run_result *res)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		struct da_layer *l = set->layers[i];
		const char *c = l->cfg.name;
		const struct da_hist *h = &l->hist;

		res_metric_set(res, c, "submissions", (double)l->submissions);
		res_metric_set(res, c, "bytes_submitted",
			       (double)l->bytes_submitted);
		res_metric_set(res, c, "confirmations",
			       (double)l->confirmations);
		res_metric_set(res, c, "bytes_confirmed",
			       (double)l->bytes_confirmed);
		res_metric_set(res, c, "failures", (double)l->failures);
		res_metric_set(res, c, "pending_end", (double)l->pending);
		res_metric_set(res, c, "cost_eth", (double)l->cost_wei / 1e18);
		res_metric_set(res, c, "latency_mean",
			       h->count ? h->sum / (double)h->count / 1e9 : 0);
		res_metric_set(res, c, "latency_p50",
			       hist_quantile(h, 0.50) / 1e9);
		res_metric_set(res, c, "latency_p99",
			       hist_quantile(h, 0.99) / 1e9);
		if (is_dac(l))
			continue;
		{
			int64_t slots = slots_between(l->cfg.block_time,
						      set->warmup,
						      sim_now(set->sim));
			double cap = (double)slots *
				     (double)l->cfg.max_block_bytes;

			res_metric_set(res, c, "bytes_included",
				       (double)l->bytes_included);
			res_metric_set(res, c, "utilization",
				       cap > 0 ? (double)l->bytes_included / cap
					       : 0.0);
			res_metric_set(res, c, "price_per_mib_gwei_end",
				       (double)l->price / 1e9);
		}
	}
}
