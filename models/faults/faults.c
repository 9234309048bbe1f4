/*
 * Fault windows turned into target callbacks.  Each fault element is one
 * window at a time (a scheduled window, or the current down period of a
 * stochastic process), so the element itself carries the window's state.
 * Per registered target the module keeps reference counts (whole target,
 * each committee member) and a log of down periods for the metrics: faults
 * are rare events, so the logs stay short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "l2sim/faults.h"

static const char *const type_names[] = {
	"sequencer_outage", "da_outage", "dac_member_outage", "prover_outage",
	"batch_poster_outage", "l1_missed_slots", "l1_reorg", "fee_spike",
	"data_withholding",
	NULL,
};

enum fault_class {
	CLASS_OUTAGE,    /* set_down(obj, -1, ...) */
	CLASS_MEMBER,    /* set_down(obj, m, ...) */
	CLASS_LEVEL,     /* apply(obj, type, value, on) over a window */
	CLASS_INSTANT,   /* apply(obj, type, value, true) at an instant */
};

static enum fault_class class_of(enum fault_type t)
{
	switch (t) {
	case FAULT_DAC_MEMBER_OUTAGE:
		return CLASS_MEMBER;
	case FAULT_L1_MISSED_SLOTS:
	case FAULT_FEE_SPIKE:
		return CLASS_LEVEL;
	case FAULT_L1_REORG:
		return CLASS_INSTANT;
	default:
		return CLASS_OUTAGE;
	}
}

/* Keys allowed per type: the common ones, the timing ones, the value. */
#define WINDOW_KEYS "type", "target", "start", "duration", "mtbf", "mttr", \
	"first", "until"
static const char *const keys_outage[] = { WINDOW_KEYS, NULL };
static const char *const keys_member[] = { WINDOW_KEYS, "member", "members",
					   NULL };
static const char *const keys_missed[] = { WINDOW_KEYS, "probability", NULL };
static const char *const keys_spike[] = { WINDOW_KEYS, "multiplier", NULL };
static const char *const keys_reorg[] = { "type", "target", "at", "mtbf",
					  "first", "until", "depth", NULL };

static const char *const *keys_of(enum fault_type t)
{
	switch (t) {
	case FAULT_DAC_MEMBER_OUTAGE:
		return keys_member;
	case FAULT_L1_MISSED_SLOTS:
		return keys_missed;
	case FAULT_FEE_SPIKE:
		return keys_spike;
	case FAULT_L1_REORG:
		return keys_reorg;
	default:
		return keys_outage;
	}
}

/* A log of down periods: [start, end), the last one open while active. */
struct span {
	sim_time_t start, end;
};

struct track {
	int active;            /* reference count */
	sim_time_t since;      /* start of the open period */
	struct span *spans;    /* closed periods */
	size_t n, cap;
	bool used;             /* some fault can touch it */
};

struct reorg_ev {
	sim_time_t t;
	int64_t depth;
};

struct entry {
	struct fault_target t;
	bool used;
	int down;                    /* whole-target references, all types */
	int *member_down;            /* per member */
	struct track whole;          /* the target down as a whole */
	struct track types[FAULT_NTYPES];
	struct track *members;       /* per member, dac_member_outage */
	struct reorg_ev *reorgs;
	size_t n_reorgs, cap_reorgs;
};

struct fault {
	struct fault_set *set;
	size_t index;
	struct entry *e;
	enum fault_type type;
	bool stochastic;
	sim_time_t start, duration;  /* scheduled ("at" for l1_reorg) */
	sim_time_t mtbf, mttr, first, until;
	bool has_first, has_until;
	double value;                /* probability, multiplier, depth */
	int m_lo, m_hi;              /* members [m_lo, m_hi) */
	bool active;
	gsl_rng *rng;                /* owned by the sim */
};

struct fault_set {
	struct sim *sim;
	struct entry *entries;
	size_t n_entries;
	struct fault *faults;
	size_t n_faults;
	int oom;                     /* a log could not grow */
};

const char *const *fault_type_names(void)
{
	return type_names;
}

size_t faults_count(const struct fault_set *set)
{
	return set ? set->n_faults : 0;
}

/* ---- tracks */

static void track_on(struct fault_set *set, struct track *tr, sim_time_t now)
{
	(void)set;
	if (tr->active++ == 0)
		tr->since = now;
}

static void track_off(struct fault_set *set, struct track *tr, sim_time_t now)
{
	if (--tr->active > 0)
		return;
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? 2 * tr->cap : 8;
		struct span *s = realloc(tr->spans, cap * sizeof(*s));

		if (!s) {
			set->oom = 1;
			return;
		}
		tr->spans = s;
		tr->cap = cap;
	}
	tr->spans[tr->n++] = (struct span){ tr->since, now };
}

static void track_release(struct track *tr)
{
	free(tr->spans);
}

/* Periods that began in [warmup, end] and the time down within it. */
static void track_sum(const struct track *tr, sim_time_t warmup,
		      sim_time_t end, double *count, double *seconds)
{
	size_t n = tr->n + (tr->active > 0 ? 1 : 0);

	*count = 0;
	*seconds = 0;
	for (size_t i = 0; i < n; i++) {
		struct span s = i < tr->n ? tr->spans[i]
					  : (struct span){ tr->since, end };
		sim_time_t a = s.start > warmup ? s.start : warmup;
		sim_time_t b = s.end < end ? s.end : end;

		if (s.start >= warmup && s.start <= end)
			*count += 1;
		if (b > a)
			*seconds += sim_time_to_s(b - a);
	}
}

/* ---- applying windows */

/* The largest value of the active windows of (e, type), or -1 if none. */
static double level_of(const struct fault_set *set, const struct entry *e,
		       enum fault_type type)
{
	double v = -1;

	for (size_t i = 0; i < set->n_faults; i++) {
		const struct fault *f = &set->faults[i];

		if (f->e == e && f->type == type && f->active && f->value > v)
			v = f->value;
	}
	return v;
}

static void window_begin(struct fault *f, sim_time_t now)
{
	struct fault_set *set = f->set;
	struct entry *e = f->e;
	const char *tname = type_names[f->type];
	double before;

	switch (class_of(f->type)) {
	case CLASS_OUTAGE:
		f->active = true;
		track_on(set, &e->types[f->type], now);
		if (e->down++ == 0) {
			track_on(set, &e->whole, now);
			e->t.set_down(e->t.obj, -1, true);
		}
		break;
	case CLASS_MEMBER:
		f->active = true;
		track_on(set, &e->types[f->type], now);
		for (int m = f->m_lo; m < f->m_hi; m++) {
			track_on(set, &e->members[m], now);
			if (e->member_down[m]++ == 0)
				e->t.set_down(e->t.obj, m, true);
		}
		break;
	case CLASS_LEVEL:
		before = level_of(set, e, f->type);
		f->active = true;
		track_on(set, &e->types[f->type], now);
		if (level_of(set, e, f->type) != before)
			e->t.apply(e->t.obj, tname, f->value, true);
		break;
	case CLASS_INSTANT:
		if (e->n_reorgs == e->cap_reorgs) {
			size_t cap = e->cap_reorgs ? 2 * e->cap_reorgs : 8;
			struct reorg_ev *r = realloc(e->reorgs,
						     cap * sizeof(*r));

			if (r) {
				e->reorgs = r;
				e->cap_reorgs = cap;
			} else {
				set->oom = 1;
			}
		}
		if (e->n_reorgs < e->cap_reorgs)
			e->reorgs[e->n_reorgs++] = (struct reorg_ev){
				now, (int64_t)f->value,
			};
		e->t.apply(e->t.obj, tname, f->value, true);
		break;
	}
}

static void window_end(struct fault *f, sim_time_t now)
{
	struct fault_set *set = f->set;
	struct entry *e = f->e;
	const char *tname = type_names[f->type];
	double before, after;

	if (!f->active)
		return;
	before = class_of(f->type) == CLASS_LEVEL ? level_of(set, e, f->type)
						  : 0;
	f->active = false;
	track_off(set, &e->types[f->type], now);
	switch (class_of(f->type)) {
	case CLASS_OUTAGE:
		if (--e->down == 0) {
			track_off(set, &e->whole, now);
			e->t.set_down(e->t.obj, -1, false);
		}
		break;
	case CLASS_MEMBER:
		for (int m = f->m_lo; m < f->m_hi; m++) {
			track_off(set, &e->members[m], now);
			if (--e->member_down[m] == 0)
				e->t.set_down(e->t.obj, m, false);
		}
		break;
	case CLASS_LEVEL:
		after = level_of(set, e, f->type);
		if (after < 0)
			e->t.apply(e->t.obj, tname, 0, false);
		else if (after != before)
			e->t.apply(e->t.obj, tname, after, true);
		break;
	case CLASS_INSTANT:
		break;
	}
}

/* ---- events */

static void on_start(struct sim *sim, void *self, void *arg);
static void on_end(struct sim *sim, void *self, void *arg);

static sim_time_t draw(gsl_rng *rng, sim_time_t mean)
{
	return sim_time_from_s(gsl_ran_exponential(rng, sim_time_to_s(mean)));
}

/* Schedules the stochastic process's next failure 'up' after now. */
static void schedule_next(struct fault *f, sim_time_t at)
{
	if (f->has_until && at >= f->until)
		return;
	if (sim_schedule(f->set->sim, at, on_start, f, NULL, NULL))
		f->set->oom = 1;
}

static void on_start(struct sim *sim, void *self, void *arg)
{
	struct fault *f = self;
	sim_time_t now = sim_now(sim);

	(void)arg;
	window_begin(f, now);
	if (class_of(f->type) == CLASS_INSTANT) {
		if (f->stochastic)
			schedule_next(f, now + draw(f->rng, f->mtbf));
		return;
	}
	if (sim_schedule_in(sim, f->stochastic ? draw(f->rng, f->mttr)
					       : f->duration,
			    on_end, f, NULL, NULL)) {
		f->set->oom = 1;
		window_end(f, now);
	}
}

static void on_end(struct sim *sim, void *self, void *arg)
{
	struct fault *f = self;
	sim_time_t now = sim_now(sim);

	(void)arg;
	window_end(f, now);
	if (f->stochastic)
		schedule_next(f, now + draw(f->rng, f->mtbf));
}

/* ---- reading the scenario */

/* true when the kind list 'kind' names 'type' as a whole word. */
static bool kind_accepts(const char *kind, const char *type)
{
	size_t len = strlen(type);

	for (const char *p = kind; p && *p;) {
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, " ,\t");
		if (n == len && !strncmp(p, type, len))
			return true;
		p += n;
	}
	return false;
}

static int fail_target(const struct fault_set *set, const struct scn_obj *e,
		       const char *target, struct l2s_error *err)
{
	const char **names = calloc(set->n_entries + 1, sizeof(*names));
	const char *near;
	int rc = scn_fail(e, "target", err, "unknown fault target '%s'",
			  target);

	if (!names)
		return rc;
	for (size_t i = 0; i < set->n_entries; i++)
		names[i] = set->entries[i].t.name;
	near = l2s_closest(target, names);
	if (near) {
		l2s_error_hint(err, "did you mean '%s'?", near);
	} else {
		char list[200] = "";

		for (size_t i = 0; i < set->n_entries; i++) {
			size_t len = strlen(list);
			bool dup = false;

			for (size_t j = 0; j < i && !dup; j++)
				dup = !strcmp(names[i], names[j]);
			if (dup)
				continue;
			if (len + strlen(names[i]) + 6 >= sizeof(list)) {
				snprintf(list + len, sizeof(list) - len,
					 ", ...");
				break;
			}
			snprintf(list + len, sizeof(list) - len, "%s%s",
				 len ? ", " : "", names[i]);
		}
		if (list[0])
			l2s_error_hint(err, "targets: %s", list);
	}
	free(names);
	return rc;
}

static int find_entry(struct fault_set *set, const struct scn_obj *e,
		      const char *target, enum fault_type type,
		      struct entry **out, struct l2s_error *err)
{
	bool named = false;
	char accepts[200] = "";
	int rc;

	for (size_t i = 0; i < set->n_entries; i++) {
		struct entry *en = &set->entries[i];

		if (strcmp(en->t.name, target))
			continue;
		named = true;
		if (kind_accepts(en->t.kind, type_names[type])) {
			*out = en;
			return 0;
		}
		if (en->t.kind && en->t.kind[0]) {
			size_t len = strlen(accepts);

			snprintf(accepts + len, sizeof(accepts) - len, "%s%s",
				 len ? ", " : "", en->t.kind);
		}
	}
	if (!named)
		return fail_target(set, e, target, err);
	rc = scn_fail(e, "type", err, "fault target '%s' does not accept '%s'",
		      target, type_names[type]);
	l2s_error_hint(err, "'%s' accepts: %s", target,
		       accepts[0] ? accepts : "nothing");
	return rc;
}

static int read_timing(const struct scn_obj *e, struct fault *f,
		       struct l2s_error *err)
{
	const sim_time_t tmax = SIM_TIME_MAX / 4;
	bool instant = class_of(f->type) == CLASS_INSTANT;
	const char *at_key = instant ? "at" : "start";
	bool sched = scn_has(e, at_key) || (!instant && scn_has(e, "duration"));
	bool stoch = scn_has(e, "mtbf") || (!instant && scn_has(e, "mttr"));
	int rc;

	if (sched && stoch) {
		rc = scn_fail(e, stoch && scn_has(e, "mtbf") ? "mtbf" : "mttr",
			      err, "a fault is either scheduled ('%s'%s) or "
			      "stochastic ('mtbf'%s), not both", at_key,
			      instant ? "" : ", 'duration'",
			      instant ? "" : ", 'mttr'");
		return rc;
	}
	if (!sched && !stoch) {
		rc = scn_fail(e, NULL, err, "fault has no timing");
		l2s_error_hint(err, "give '%s'%s, or 'mtbf'%s", at_key,
			       instant ? "" : " and 'duration'",
			       instant ? "" : " and 'mttr'");
		return rc;
	}
	if (sched) {
		if (scn_has(e, "first") || scn_has(e, "until"))
			return scn_fail(e, scn_has(e, "first") ? "first"
							       : "until",
					err, "'first' and 'until' belong to "
					"stochastic faults ('mtbf')");
		if (!scn_has(e, at_key))
			return scn_fail(e, NULL, err, "missing key '%s'",
					at_key);
		rc = scn_get_duration(e, at_key, 0, 0, tmax, &f->start, err);
		if (rc)
			return rc;
		if (instant)
			return 0;
		if (!scn_has(e, "duration"))
			return scn_fail(e, NULL, err, "missing key 'duration'");
		return scn_get_duration(e, "duration", 0, 1, tmax, &f->duration,
					err);
	}
	f->stochastic = true;
	if (!scn_has(e, "mtbf"))
		return scn_fail(e, NULL, err, "missing key 'mtbf'");
	if (!instant && !scn_has(e, "mttr"))
		return scn_fail(e, NULL, err, "missing key 'mttr'");
	rc = scn_get_duration(e, "mtbf", 0, 1, tmax, &f->mtbf, err);
	if (!rc && !instant)
		rc = scn_get_duration(e, "mttr", 0, 1, tmax, &f->mttr, err);
	if (!rc) {
		f->has_first = scn_has(e, "first");
		rc = scn_get_duration(e, "first", 0, 0, tmax, &f->first, err);
	}
	if (!rc) {
		f->has_until = scn_has(e, "until");
		rc = scn_get_duration(e, "until", 0, 0, tmax, &f->until, err);
	}
	return rc;
}

static int read_value(const struct scn_obj *e, struct fault *f,
		      struct l2s_error *err)
{
	const struct fault_target *t = &f->e->t;
	int64_t v = 0;
	int rc = 0;

	switch (f->type) {
	case FAULT_DAC_MEMBER_OUTAGE:
		if (t->members <= 0)
			return scn_fail(e, "target", err,
					"fault target '%s' has no committee "
					"members", t->name);
		if (scn_has(e, "member") == scn_has(e, "members")) {
			rc = scn_fail(e, NULL, err, "dac_member_outage needs "
				      "exactly one of 'member' and 'members'");
			l2s_error_hint(err, "'member': an index from 0; "
				       "'members': how many go down");
			return rc;
		}
		if (scn_has(e, "member")) {
			rc = scn_get_int(e, "member", 0, 0, t->members - 1, &v,
					 err);
			f->m_lo = (int)v;
			f->m_hi = (int)v + 1;
		} else {
			rc = scn_get_int(e, "members", 1, 1, t->members, &v,
					 err);
			f->m_lo = 0;
			f->m_hi = (int)v;
		}
		return rc;
	case FAULT_L1_MISSED_SLOTS:
		return scn_get_double(e, "probability", 1.0, 0.0, 1.0,
				      &f->value, err);
	case FAULT_FEE_SPIKE:
		if (!scn_has(e, "multiplier"))
			return scn_fail(e, NULL, err,
					"missing key 'multiplier'");
		rc = scn_get_double(e, "multiplier", 1.0, 0.0, 1e6, &f->value,
				    err);
		if (!rc && f->value <= 0)
			rc = scn_fail(e, "multiplier", err,
				      "'multiplier' must be positive");
		return rc;
	case FAULT_L1_REORG:
		if (!scn_has(e, "depth"))
			return scn_fail(e, NULL, err, "missing key 'depth'");
		rc = scn_get_int(e, "depth", 1, 1, 1000000, &v, err);
		f->value = (double)v;
		return rc;
	default:
		return 0;
	}
}

static int read_fault(struct fault_set *set, const struct scn_obj *e,
		      struct fault *f, struct l2s_error *err)
{
	const char *target = NULL;
	int type = 0, rc;

	if (!scn_has(e, "type"))
		return scn_fail(e, NULL, err, "missing key 'type'");
	rc = scn_get_enum(e, "type", 0, type_names, &type, err);
	if (rc)
		return rc;
	f->type = (enum fault_type)type;
	if (f->type == FAULT_L1_REORG && scn_has(e, "start"))
		return scn_fail(e, "start", err, "an l1_reorg happens at an "
				"instant: use 'at'");
	rc = scn_check_keys(e, keys_of(f->type), err);
	if (rc)
		return rc;
	if (!scn_has(e, "target"))
		return scn_fail(e, NULL, err, "missing key 'target'");
	rc = scn_get_string(e, "target", NULL, &target, err);
	if (!rc)
		rc = find_entry(set, e, target, f->type, &f->e, err);
	if (!rc)
		rc = read_timing(e, f, err);
	if (!rc)
		rc = read_value(e, f, err);
	if (rc)
		return rc;
	switch (class_of(f->type)) {
	case CLASS_OUTAGE:
	case CLASS_MEMBER:
		if (!f->e->t.set_down)
			return l2s_error_set(err, L2S_ERUNTIME,
					     "fault target '%s' has no "
					     "set_down callback", target);
		break;
	default:
		if (!f->e->t.apply)
			return l2s_error_set(err, L2S_ERUNTIME,
					     "fault target '%s' has no apply "
					     "callback", target);
		break;
	}
	return 0;
}

/* Allocates what a used entry needs and schedules the first events. */
static int arm(struct fault_set *set, struct fault *f)
{
	struct entry *e = f->e;
	sim_time_t now = sim_now(set->sim);
	char name[300];

	e->used = true;
	e->types[f->type].used = true;
	if (f->type == FAULT_DAC_MEMBER_OUTAGE && !e->members) {
		e->members = calloc((size_t)e->t.members, sizeof(*e->members));
		e->member_down = calloc((size_t)e->t.members,
					sizeof(*e->member_down));
		if (!e->members || !e->member_down)
			return L2S_ENOMEM;
	}
	if (!f->stochastic)
		return sim_schedule(set->sim, f->start > now ? f->start : now,
				    on_start, f, NULL, NULL);
	snprintf(name, sizeof(name), "fault:%zu:%s", f->index, e->t.name);
	f->rng = sim_rng(set->sim, name);
	if (!f->rng)
		return L2S_ENOMEM;
	/* The first up time is drawn even when 'first' is given, so that
	 * adding 'first' shifts only the first failure, not the draws of
	 * every later period. */
	{
		sim_time_t up = now + draw(f->rng, f->mtbf);
		sim_time_t at = f->has_first ? (f->first > now ? f->first : now)
					     : up;

		if (f->has_until && at >= f->until)
			return 0;
		return sim_schedule(set->sim, at, on_start, f, NULL, NULL);
	}
}

int faults_create(struct sim *sim, const struct scn_obj *root,
		  const struct fault_target *targets, size_t n,
		  struct fault_set **out, struct l2s_error *err)
{
	struct fault_set *set = calloc(1, sizeof(*set));
	size_t nf = 0;
	int rc;

	if (!set)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	set->sim = sim;
	if (n) {
		set->entries = calloc(n, sizeof(*set->entries));
		if (!set->entries)
			goto oom;
	}
	for (size_t i = 0; i < n; i++) {
		set->entries[i].t = targets[i];
		if (!targets[i].name) {
			rc = l2s_error_set(err, L2S_ERUNTIME,
					   "fault target %zu has no name", i);
			goto fail;
		}
	}
	set->n_entries = n;
	rc = scn_get_array(root, "faults", &nf, err);
	if (rc)
		goto fail;
	if (nf) {
		set->faults = calloc(nf, sizeof(*set->faults));
		if (!set->faults)
			goto oom;
	}
	set->n_faults = nf;
	for (size_t i = 0; i < nf; i++) {
		struct scn_obj e;
		struct fault *f = &set->faults[i];

		f->set = set;
		f->index = i;
		rc = scn_get_elem(root, "faults", i, &e, err);
		if (!rc)
			rc = read_fault(set, &e, f, err);
		if (rc)
			goto fail;
	}
	/* Schedule only once everything is valid: a bad scenario leaves no
	 * events behind.  (Events of a set that fails for lack of memory
	 * below stay queued; the run is abandoned then anyway.) */
	for (size_t i = 0; i < nf; i++) {
		if (arm(set, &set->faults[i]))
			goto oom;
	}
	*out = set;
	return 0;
oom:
	rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
fail:
	faults_destroy(set);
	return rc;
}

void faults_destroy(struct fault_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_entries; i++) {
		struct entry *e = &set->entries[i];

		track_release(&e->whole);
		for (int t = 0; t < FAULT_NTYPES; t++)
			track_release(&e->types[t]);
		if (e->members)
			for (int m = 0; m < e->t.members; m++)
				track_release(&e->members[m]);
		free(e->members);
		free(e->member_down);
		free(e->reorgs);
	}
	free(set->entries);
	free(set->faults);
	free(set);
}

static void metric(struct run_result *res, const char *component,
		   const char *type, const char *suffix, double v)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", type, suffix);
	res_metric_add(res, component, name, v);
}

void faults_collect(const struct fault_set *set, struct run_result *res,
		    sim_time_t warmup, sim_time_t end)
{
	for (size_t i = 0; i < set->n_entries; i++) {
		const struct entry *e = &set->entries[i];
		const char *c = e->t.name;
		bool any_outage = false;
		double count, secs;

		if (!e->used)
			continue;
		for (int t = 0; t < FAULT_NTYPES; t++) {
			const char *tn = type_names[t];

			if (!e->types[t].used)
				continue;
			switch (class_of((enum fault_type)t)) {
			case CLASS_OUTAGE:
				any_outage = true;
				track_sum(&e->types[t], warmup, end, &count,
					  &secs);
				break;
			case CLASS_MEMBER:
				track_sum(&e->types[t], warmup, end, &count,
					  &secs);
				secs = 0;
				for (int m = 0; m < e->t.members; m++) {
					double c2, s2;

					track_sum(&e->members[m], warmup, end,
						  &c2, &s2);
					secs += s2;
				}
				break;
			case CLASS_LEVEL:
				track_sum(&e->types[t], warmup, end, &count,
					  &secs);
				break;
			case CLASS_INSTANT:
				count = 0;
				secs = 0; /* here: blocks reorged */
				for (size_t k = 0; k < e->n_reorgs; k++)
					if (e->reorgs[k].t >= warmup &&
					    e->reorgs[k].t <= end) {
						count += 1;
						secs += (double)e->reorgs[k]
								.depth;
					}
				metric(res, c, tn, "_count", count);
				metric(res, c, tn, "_blocks", secs);
				continue;
			}
			metric(res, c, tn, "_count", count);
			metric(res, c, tn, "_seconds", secs);
		}
		if (any_outage) {
			track_sum(&e->whole, warmup, end, &count, &secs);
			res_metric_add(res, c, "outages", count);
			res_metric_add(res, c, "outage_seconds", secs);
		}
	}
}
