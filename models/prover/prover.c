/*
 * A system's prover: a pool of identical machines taking proof jobs in FIFO
 * order.  One completion event per job.  The busy-machine integral, the
 * queue maximum and the job counters are kept as running totals with a
 * snapshot taken at the warm-up boundary, so metrics need O(1) memory
 * however many jobs a year of simulation produces.
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/prover.h"

/* Verification gas presets: docs/sources.md §5, docs/model-settlement.md. */
static const char *const system_names[] = {
	"groth16", "plonk", "stark", "sharp", "zksync", NULL,
};

static const char *const prover_keys[] = {
	"proof_system", "verify_gas", "throughput", "latency", "provers",
	"batches_per_proof", NULL,
};

/* A generous bound: a million machines is no real prover farm, and it
 * keeps the per-machine array allocation sane. */
#define MAX_MACHINES INT64_C(1000000)

struct job {
	uint64_t txs;
	prover_done_fn *fn;
	void *ctx;
	sim_time_t submitted;
};

struct machine {
	bool busy;
	struct job job;
};

struct prover {
	struct sim *sim;
	char *name;
	enum prover_system system;
	int64_t verify_gas;
	int64_t throughput;      /* millionths of a tx per second; 0: unlimited */
	sim_time_t latency;
	int64_t batches_per_proof;
	bool down;

	struct machine *machines;
	int64_t n_machines;
	int64_t busy;            /* machines running a job */

	struct job *queue;       /* ring buffer of waiting jobs */
	size_t q_head, q_len, q_cap;

	/* Running totals.  'busy_ns' integrates 'busy' over time up to
	 * 'last_change'; the *_w fields are their values at 'warmup'. */
	sim_time_t warmup;
	sim_time_t last_change;
	double busy_ns;
	bool snapped;
	double busy_ns_w;
	size_t queue_max;        /* from warmup on, once snapped */
	uint64_t jobs_done;      /* finished at or after warmup */
	sim_time_t lag_max;      /* of jobs finished at or after warmup */
};

int64_t prover_preset_gas(enum prover_system ps)
{
	switch (ps) {
	case PROVER_GROTH16:
		/* NEBRA docs "Gas costs" and aligned_layer docs: ~250k in
		 * practice (EIP-1108 pairing floor ~190-230k). */
		return 250000;
	case PROVER_PLONK:
		/* aligned_layer FAQ: PLONK/KZG ">300,000". */
		return 300000;
	case PROVER_STARK:
		/* aligned_layer FAQ: generic STARK ">1,000,000". */
		return 1000000;
	case PROVER_SHARP:
		/* zkstats "Starknet": ~6M gas per SHARP proof, spread over
		 * several txs; we charge it as one verification. */
		return 6000000;
	case PROVER_ZKSYNC:
		/* matter-labs/zksync-era eth_sender publish_criterion.rs:
		 * the operator's 800,000 gas estimate per batch proof. */
		return 800000;
	}
	return 300000;
}

const char *const *prover_system_names(void)
{
	return system_names;
}

static int read_config(struct prover *p, const struct scn_obj *cfg,
		       struct l2s_error *err)
{
	int ps = PROVER_PLONK;
	int rc;

	p->system = PROVER_PLONK;
	p->verify_gas = prover_preset_gas(PROVER_PLONK);
	p->throughput = 0;
	p->latency = 0;
	p->n_machines = 1;
	p->batches_per_proof = 1;
	if (!cfg || !cfg->obj)
		return 0;

	rc = scn_check_keys(cfg, prover_keys, err);
	if (!rc)
		rc = scn_get_enum(cfg, "proof_system", PROVER_PLONK,
				  system_names, &ps, err);
	if (rc)
		return rc;
	p->system = (enum prover_system)ps;
	rc = scn_get_int(cfg, "verify_gas", prover_preset_gas(p->system), 0,
			 INT64_C(1000000000), &p->verify_gas, err);
	if (!rc)
		rc = scn_get_rate(cfg, "throughput", 0, 1, INT64_MAX,
				  &p->throughput, err);
	if (!rc)
		rc = scn_get_duration(cfg, "latency", 0, 0, 365 * SIM_DAY,
				      &p->latency, err);
	if (!rc)
		rc = scn_get_int(cfg, "provers", 1, 1, MAX_MACHINES,
				 &p->n_machines, err);
	if (!rc)
		rc = scn_get_int(cfg, "batches_per_proof", 1, 1, 1000000,
				 &p->batches_per_proof, err);
	return rc;
}

int prover_create(struct sim *sim, const struct scn_obj *cfg,
		  const char *name, struct prover **out,
		  struct l2s_error *err)
{
	struct prover *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	p->sim = sim;
	rc = read_config(p, cfg, err);
	if (rc) {
		free(p);
		return rc;
	}
	p->name = strdup(name ? name : "");
	p->machines = calloc((size_t)p->n_machines, sizeof(*p->machines));
	if (!p->name || !p->machines) {
		prover_destroy(p);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	p->last_change = sim_now(sim);
	*out = p;
	return 0;
}

void prover_destroy(struct prover *p)
{
	if (!p)
		return;
	free(p->queue);
	free(p->machines);
	free(p->name);
	free(p);
}

sim_time_t prover_job_time(const struct prover *p, uint64_t txs)
{
	unsigned __int128 ns;

	if (p->throughput <= 0 || txs == 0)
		return p->latency;
	/* txs / (throughput / 1e6) seconds = txs * 1e15 / throughput ns,
	 * rounded up so that a job never finishes early. */
	ns = (unsigned __int128)txs * UINT64_C(1000000000000000);
	ns = (ns + (unsigned __int128)p->throughput - 1) /
	     (unsigned __int128)p->throughput;
	if (ns > (unsigned __int128)(SIM_TIME_MAX / 2 - p->latency))
		return SIM_TIME_MAX / 2;
	return p->latency + (sim_time_t)ns;
}

/* Brings the running totals up to 'now', taking the warm-up snapshot if
 * the clock has reached it.  Called before every change of state. */
static void advance(struct prover *p, sim_time_t now)
{
	if (!p->snapped && now >= p->warmup) {
		sim_time_t from = p->warmup > p->last_change ? p->warmup
							     : p->last_change;
		p->busy_ns_w = p->busy_ns +
			       (double)p->busy * (double)(from - p->last_change);
		p->queue_max = p->q_len;
		p->snapped = true;
	}
	p->busy_ns += (double)p->busy * (double)(now - p->last_change);
	p->last_change = now;
}

static void note_queue(struct prover *p)
{
	if (p->snapped && p->q_len > p->queue_max)
		p->queue_max = p->q_len;
}

static void on_job_done(struct sim *sim, void *self, void *arg);

/* Starts waiting jobs on free machines while the prover is up. */
static void dispatch(struct prover *p)
{
	int64_t m = 0;

	while (!p->down && p->q_len > 0 && p->busy < p->n_machines) {
		struct machine *mc;
		sim_time_t t;

		while (p->machines[m].busy)
			m++;
		mc = &p->machines[m];
		mc->job = p->queue[p->q_head];
		p->q_head = (p->q_head + 1) % p->q_cap;
		p->q_len--;
		t = prover_job_time(p, mc->job.txs);
		/* Scheduling can only fail for lack of memory; the job then
		 * stays queued and is retried at the next change. */
		if (sim_schedule_in(p->sim, t, on_job_done, p, mc, NULL)) {
			p->q_head = (p->q_head + p->q_cap - 1) % p->q_cap;
			p->queue[p->q_head] = mc->job;
			p->q_len++;
			return;
		}
		mc->busy = true;
		p->busy++;
	}
}

static void on_job_done(struct sim *sim, void *self, void *arg)
{
	struct prover *p = self;
	struct machine *mc = arg;
	struct job job = mc->job;
	sim_time_t now = sim_now(sim);

	advance(p, now);
	mc->busy = false;
	p->busy--;
	if (now >= p->warmup) {
		p->jobs_done++;
		if (now - job.submitted > p->lag_max)
			p->lag_max = now - job.submitted;
	}
	dispatch(p);
	note_queue(p);
	job.fn(sim, job.ctx);
}

int prover_submit(struct prover *p, uint64_t txs, prover_done_fn *fn,
		  void *ctx)
{
	sim_time_t now = sim_now(p->sim);

	if (!fn)
		return L2S_EINPUT;
	if (p->q_len == p->q_cap) {
		size_t cap = p->q_cap ? 2 * p->q_cap : 16;
		struct job *q = malloc(cap * sizeof(*q));

		if (!q) {
			sim_fail(p->sim, L2S_ENOMEM, "out of memory queueing a "
				 "proof");
			return L2S_ENOMEM;
		}
		for (size_t i = 0; i < p->q_len; i++)
			q[i] = p->queue[(p->q_head + i) % p->q_cap];
		free(p->queue);
		p->queue = q;
		p->q_head = 0;
		p->q_cap = cap;
	}
	advance(p, now);
	p->queue[(p->q_head + p->q_len) % p->q_cap] = (struct job){
		.txs = txs, .fn = fn, .ctx = ctx, .submitted = now,
	};
	p->q_len++;
	dispatch(p);
	note_queue(p);
	return 0;
}

void prover_set_down(struct prover *p, bool down)
{
	if (p->down == down)
		return;
	advance(p, sim_now(p->sim));
	p->down = down;
	dispatch(p);
	note_queue(p);
}

bool prover_is_down(const struct prover *p)
{
	return p->down;
}

int64_t prover_verify_gas(const struct prover *p)
{
	return p->verify_gas;
}

enum prover_system prover_proof_system(const struct prover *p)
{
	return p->system;
}

int64_t prover_batches_per_proof(const struct prover *p)
{
	return p->batches_per_proof;
}

int64_t prover_machines(const struct prover *p)
{
	return p->n_machines;
}

size_t prover_pending(const struct prover *p)
{
	return p->q_len + (size_t)p->busy;
}

size_t prover_queued(const struct prover *p)
{
	return p->q_len;
}

void prover_set_warmup(struct prover *p, sim_time_t warmup)
{
	p->warmup = warmup;
}

void prover_collect(const struct prover *p, struct run_result *res,
		    const char *component, sim_time_t end)
{
	/* Work on a copy so that collecting changes nothing. */
	struct prover c = *p;
	sim_time_t lag = c.lag_max;
	double span, util = 0;

	if (end < c.last_change)
		end = c.last_change;
	advance(&c, end);
	if (!c.snapped) /* warm-up after 'end': nothing to report */
		c.busy_ns_w = c.busy_ns;

	/* FIFO: running jobs were submitted before every waiting one. */
	for (int64_t m = 0; m < c.n_machines; m++)
		if (c.machines[m].busy &&
		    end - c.machines[m].job.submitted > lag)
			lag = end - c.machines[m].job.submitted;
	if (c.q_len > 0 && end - c.queue[c.q_head].submitted > lag)
		lag = end - c.queue[c.q_head].submitted;

	span = (double)(end - c.warmup) * (double)c.n_machines;
	if (span > 0)
		util = (c.busy_ns - c.busy_ns_w) / span;

	res_metric_set(res, component, "prover_jobs", (double)c.jobs_done);
	res_metric_set(res, component, "prover_queue_max",
		       (double)(c.snapped ? c.queue_max : 0));
	res_metric_set(res, component, "prover_utilization", util);
	res_metric_set(res, component, "prover_lag_max_s", sim_time_to_s(lag));
	res_metric_set(res, component, "prover_pending_end",
		       (double)prover_pending(p));
}
