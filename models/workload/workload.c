/*
 * Reading the scenario's "workloads": names, mixes, kind overrides and
 * arrival processes, including CSV traces.  Everything is checked here so
 * that a bad scenario fails before a run starts; arrivals.c then trusts
 * what it is given.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/names.h"
#include "workload_internal.h"

struct workload_set {
	struct workload *w;
	size_t n;
	struct l2s_names names;   /* name -> index in w */
};

/* Sources collected while reading one workload's "rate". */
struct source_list {
	struct wl_source *v;
	size_t n, cap;
};

static const char *const workload_keys[] = {"name", "description", "rate",
					    "mix", "kinds",
					    "willingness_to_pay", NULL};
static const char *const process_types[] = {"constant", "diurnal", "bursts",
					    "hawkes", "trace", NULL};
enum { P_CONSTANT, P_DIURNAL, P_BURSTS, P_HAWKES, P_TRACE };

/* Bounds on a CSV trace: its size, and the rate a row may imply (a
 * billion transactions per second is far beyond any chain; a count of
 * 9.2e18 a minute used to make a run spin on it). */
#define WL_TRACE_MAX_BYTES (256 << 20)
#define WL_TRACE_MAX_TPS 1e9

/* A transfer-heavy default, roughly what general-purpose rollups carry. */
static const double default_mix[TX_KINDS] = {
	[TX_TRANSFER] = 0.5, [TX_ERC20] = 0.3, [TX_SWAP] = 0.2,
};

static void kind_names(const char *names[TX_KINDS + 1])
{
	for (int k = 0; k < TX_KINDS; k++)
		names[k] = txkind_name((enum tx_kind)k);
	names[TX_KINDS] = NULL;
}

/* Fails on a kind name that is not one, suggesting the closest. */
static int unknown_kind(const struct scn_obj *o, const char *key,
			const char *name, struct l2s_error *err)
{
	const char *names[TX_KINDS + 1];
	kind_names(names);
	int rc = scn_fail(o, key, err, "unknown transaction kind '%s'", name);
	const char *near = l2s_closest(name, names);
	if (near)
		l2s_error_hint(err, "did you mean '%s'?", near);
	else
		l2s_error_hint(err, "one of: transfer, erc20, swap, nft_mint, "
				    "inscription");
	return rc;
}

static int need(const struct scn_obj *o, const char *key,
		struct l2s_error *err)
{
	if (scn_has(o, key))
		return 0;
	return scn_fail(o, NULL, err, "missing key '%s'", key);
}

/* Optional "kind": all of the source's arrivals are of that kind. */
static int read_kind(const struct scn_obj *o, int *kind,
		     struct l2s_error *err)
{
	const char *s;
	int rc = scn_get_string(o, "kind", NULL, &s, err);
	if (rc)
		return rc;
	*kind = WL_KIND_MIX;
	if (!s)
		return 0;
	int k = txkind_from_name(s);
	if (k < 0)
		return unknown_kind(o, "kind", s, err);
	*kind = k;
	return 0;
}

/* A transaction rate in tps.  The unit grammar also knows byte rates,
 * which mean nothing here. */
static int read_tps(const struct scn_obj *o, const char *key, bool required,
		    double *out, struct l2s_error *err)
{
	int64_t v;
	if (required && need(o, key, err))
		return L2S_EINPUT;
	json_t *j = json_object_get(o->obj, key);
	if (json_is_string(j) && strstr(json_string_value(j), "B/s")) {
		int rc = scn_fail(o, key, err,
				  "'%s' must be a transaction rate, not a byte "
				  "rate", key);
		l2s_error_hint(err, "for example \"50tps\"");
		return rc;
	}
	int rc = scn_get_rate(o, key, 0, 0, INT64_MAX, &v, err);
	if (rc)
		return rc;
	*out = (double)v / (double)SCN_RATE_ONE;
	return 0;
}

/* Optional "start" and "duration": the source is on in [start, end). */
static int read_window(const struct scn_obj *o, struct wl_source *s,
		       struct l2s_error *err)
{
	sim_time_t dur;
	int rc = scn_get_duration(o, "start", 0, 0, SIM_TIME_MAX, &s->start,
				  err);
	if (!rc)
		rc = scn_get_duration(o, "duration", SIM_TIME_MAX, 1,
				      SIM_TIME_MAX, &dur, err);
	if (rc)
		return rc;
	s->end = dur > SIM_TIME_MAX - s->start ? SIM_TIME_MAX : s->start + dur;
	return 0;
}

static void list_free(struct source_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		wl_trace_destroy(l->v[i].trace);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Appends a zeroed source; NULL on OOM (err filled). */
static struct wl_source *list_add(struct source_list *l, struct l2s_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		struct wl_source *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l2s_error_set(err, L2S_ENOMEM, "out of memory");
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	struct wl_source *s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->kind = WL_KIND_MIX;
	s->end = SIM_TIME_MAX;
	return s;
}

/* ---- CSV traces ---------------------------------------------------------- */

/* Points the error at the trace file itself, keeping the JSON path of the
 * key that named it. */
static int trace_fail(const struct scn_obj *o, struct l2s_error *err,
		      const char *path, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int trace_fail(const struct scn_obj *o, struct l2s_error *err,
		      const char *path, int line, int col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int rc = scn_fail(o, "file", err, "%s", msg);
	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		err->line = line;
		err->column = col;
	}
	return rc;
}

/* The trace path: absolute, or relative to the scenario file's folder. */
static char *trace_path(const struct scn_obj *o, const char *file)
{
	const char *base = o->scn ? o->scn->file : NULL;
	const char *slash = base ? strrchr(base, '/') : NULL;
	size_t dir = (file[0] == '/' || !slash) ? 0 : (size_t)(slash - base) + 1;
	char *p = malloc(dir + strlen(file) + 1);
	if (!p)
		return NULL;
	memcpy(p, base, dir);
	strcpy(p + dir, file);
	return p;
}

/* Reads all of f, at most WL_TRACE_MAX_BYTES (*too_big set beyond): a
 * trace read from /dev/zero must end. */
static char *read_whole(FILE *f, int *too_big)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	*too_big = 0;
	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		if (n >= WL_TRACE_MAX_BYTES) {
			*too_big = 1;
			break;
		}
		cap *= 2;
		char *b = realloc(buf, cap);
		if (!b) {
			free(buf);
			return NULL;
		}
		buf = b;
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* Splits 'line' at commas in place, trimming blanks.  Returns the number
 * of fields (at most 'max'; -1 when there are more) and their columns. */
static int split_fields(char *line, char **f, int *colno, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (n == max)
			return -1;
		colno[n] = (int)(p - line) + 1;
		f[n++] = p;
		char *c = strchr(p, ',');
		char *e = c ? c : p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (!c) {
			*e = '\0';
			return n;
		}
		*e = '\0';
		p = c + 1;
	}
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

struct trace_builder {
	int *line;         /* line of each row, for messages */
	size_t lines_cap;
	size_t rows, cap;
	sim_time_t *start;
	uint64_t *count; /* rows x ncols */
};

static int builder_add(struct trace_builder *b, int ncols)
{
	if (b->rows < b->cap)
		return 0;
	size_t cap = b->cap ? 2 * b->cap : 64;
	sim_time_t *s = realloc(b->start, (cap + 1) * sizeof(*s));
	if (!s)
		return -1;
	b->start = s;
	uint64_t *c = realloc(b->count, cap * (size_t)ncols * sizeof(*c));
	if (!c)
		return -1;
	b->count = c;
	b->cap = cap;
	return 0;
}

/*
 * Parses a trace: an optional header column "t_seconds" (interval starts,
 * strictly increasing), then "count" and/or kind names; '#' lines and
 * blank lines are skipped.  Without t_seconds, rows are back-to-back
 * intervals of 'interval' from time 0.
 */
static int parse_trace(const struct scn_obj *o, const char *path, char *text,
		       sim_time_t interval, struct wl_trace *tr,
		       struct trace_builder *b, struct l2s_error *err)
{
	enum { MAXF = 2 + TX_KINDS };
	char *f[MAXF];
	int colno[MAXF];
	int has_t = 0, nf = 0, lineno = 0, header = 0;
	char *line = text;

	while (line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		char *p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#') {
			line = nl ? nl + 1 : NULL;
			continue;
		}
		int n = split_fields(line, f, colno, MAXF);
		if (!header) {
			header = 1;
			if (n < 0)
				return trace_fail(o, err, path, lineno, 1,
						  "trace '%s': too many columns",
						  path);
			nf = n;
			has_t = !strcmp(f[0], "t_seconds");
			for (int i = has_t; i < n; i++) {
				int k = txkind_from_name(f[i]);
				if (!strcmp(f[i], "count"))
					k = WL_KIND_MIX;
				else if (k < 0)
					return trace_fail(
						o, err, path, lineno, colno[i],
						"trace '%s': unknown column '%s'",
						path, f[i]);
				for (int j = 0; j < tr->ncols; j++)
					if (tr->col_kind[j] == k)
						return trace_fail(
							o, err, path, lineno,
							colno[i],
							"trace '%s': column '%s' "
							"appears twice", path, f[i]);
				tr->col_kind[tr->ncols++] = k;
			}
			if (tr->ncols == 0)
				return trace_fail(o, err, path, lineno, 1,
						  "trace '%s': no count column "
						  "(count or a kind name)", path);
			if (!has_t && interval == 0)
				return trace_fail(o, err, path, lineno, 1,
						  "trace '%s' has no t_seconds "
						  "column and the workload no "
						  "'interval'", path);
			line = nl ? nl + 1 : NULL;
			continue;
		}
		if (n != nf)
			return trace_fail(o, err, path, lineno, 1,
					  "trace '%s': a row needs %s fields",
					  path, has_t ? "1 + one per count column"
						      : "one per column");
		if (builder_add(b, tr->ncols))
			return l2s_error_set(err, L2S_ENOMEM, "out of memory");
		if (b->rows >= b->lines_cap) {
			size_t nc = b->lines_cap ? b->lines_cap * 2 : 256;
			int *nl2 = realloc(b->line, nc * sizeof(*nl2));
			if (!nl2)
				return l2s_error_set(err, L2S_ENOMEM,
						     "out of memory");
			b->line = nl2;
			b->lines_cap = nc;
		}
		b->line[b->rows] = lineno;
		sim_time_t t = (sim_time_t)b->rows * interval;
		if (has_t) {
			char why[128];
			if (units_parse_duration(f[0], &t, why, sizeof(why)))
				return trace_fail(o, err, path, lineno, colno[0],
						  "trace '%s': bad t_seconds: %s",
						  path, why);
			if (b->rows && t <= b->start[b->rows - 1])
				return trace_fail(o, err, path, lineno, colno[0],
						  "trace '%s': t_seconds '%s' "
						  "does not increase", path, f[0]);
		}
		b->start[b->rows] = t;
		for (int c = 0; c < tr->ncols; c++) {
			uint64_t v;
			if (parse_count(f[has_t + c], &v))
				return trace_fail(
					o, err, path, lineno, colno[has_t + c],
					"trace '%s': bad count '%s' (a "
					"non-negative integer)",
					path, f[has_t + c]);
			b->count[b->rows * (size_t)tr->ncols + (size_t)c] = v;
		}
		b->rows++;
		line = nl ? nl + 1 : NULL;
	}
	if (b->rows == 0)
		return trace_fail(o, err, path, lineno, 1,
				  "trace '%s' has no rows", path);
	/* The last row lasts 'interval', or as long as the one before it. */
	sim_time_t last = interval;
	if (last == 0 && b->rows >= 2)
		last = b->start[b->rows - 1] - b->start[b->rows - 2];
	if (last == 0)
		return trace_fail(o, err, path, lineno, 1,
				  "trace '%s' has one row: the workload needs "
				  "an 'interval'", path);
	b->start[b->rows] = b->start[b->rows - 1] + last;
	/* Counts beyond any chain's rate would make a tick's cohorts
	 * astronomically large (and the multinomial split of a count runs
	 * in chunks of 2^31): bound the rate each row implies. */
	for (size_t i = 0; i < b->rows; i++) {
		double secs = (double)(b->start[i + 1] - b->start[i]) / 1e9;
		for (int c = 0; c < tr->ncols; c++) {
			uint64_t v = b->count[i * (size_t)tr->ncols + (size_t)c];
			if ((double)v > WL_TRACE_MAX_TPS * secs)
				return trace_fail(o, err, path, b->line[i], 1,
						  "trace '%s': %llu transactions "
						  "in %g s is more than %.0e per "
						  "second", path,
						  (unsigned long long)v, secs,
						  WL_TRACE_MAX_TPS);
		}
	}
	return 0;
}

static int read_trace(const struct scn_obj *o, struct wl_source *s,
		      struct l2s_error *err)
{
	static const char *const ends[] = {"loop", "stop", NULL};
	const char *file;
	sim_time_t interval;
	int end;
	int rc = need(o, "file", err);
	if (!rc)
		rc = scn_get_string(o, "file", NULL, &file, err);
	if (!rc)
		rc = scn_get_duration(o, "interval", 0, 1, SIM_TIME_MAX,
				      &interval, err);
	if (!rc)
		rc = scn_get_enum(o, "end", 0, ends, &end, err);
	if (!rc)
		rc = read_kind(o, &s->kind, err);
	if (rc)
		return rc;

	char *path = trace_path(o, file);
	struct wl_trace *tr = calloc(1, sizeof(*tr));
	struct trace_builder b = {0};
	char *text = NULL;
	if (!path || !tr) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		rc = scn_fail(o, "file", err, "cannot open trace '%s': %s",
			      path, strerror(errno));
		goto out;
	}
	int too_big;
	text = read_whole(fp, &too_big);
	int bad = ferror(fp);
	fclose(fp);
	if (text && too_big) {
		rc = scn_fail(o, "file", err, "trace '%s' is larger than %d MiB",
			      path, WL_TRACE_MAX_BYTES >> 20);
		goto out;
	}
	if (!text || bad) {
		rc = text ? scn_fail(o, "file", err, "cannot read trace '%s'",
				     path)
			  : l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = parse_trace(o, path, text, interval, tr, &b, err);
	if (rc)
		goto out;

	tr->rows = b.rows;
	tr->loop = end == 0;
	tr->start = b.start;
	b.start = NULL;
	tr->cum = malloc((size_t)tr->ncols * (tr->rows + 1) * sizeof(*tr->cum));
	if (!tr->cum) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto out;
	}
	for (int c = 0; c < tr->ncols; c++) {
		uint64_t *cum = tr->cum + (size_t)c * (tr->rows + 1);
		cum[0] = 0;
		for (size_t i = 0; i < tr->rows; i++) {
			uint64_t v = b.count[i * (size_t)tr->ncols + (size_t)c];
			if (cum[i] > UINT64_MAX - v) {
				rc = scn_fail(o, "file", err,
					      "trace '%s': counts overflow",
					      path);
				goto out;
			}
			cum[i + 1] = cum[i] + v;
		}
	}
	s->trace = tr;
	tr = NULL;
out:
	wl_trace_destroy(tr);
	free(b.start);
	free(b.count);
	free(b.line);
	free(text);
	free(path);
	return rc;
}

/* ---- processes ------------------------------------------------------------ */

static int read_process(const struct scn_obj *parent, const char *key,
			bool allow_list, bool allow_bursts,
			struct source_list *l, struct l2s_error *err);

static int read_bursts(const struct scn_obj *o, struct source_list *l,
		       struct l2s_error *err)
{
	static const char *const burst_keys[] = {"start", "duration", "tps",
						 "kind", "ramp", NULL};
	size_t n;
	int rc = 0;
	if (scn_has(o, "base"))
		rc = read_process(o, "base", false, false, l, err);
	if (!rc)
		rc = need(o, "bursts", err);
	if (!rc)
		rc = scn_get_array(o, "bursts", &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct scn_obj b;
		rc = scn_get_elem(o, "bursts", i, &b, err);
		if (!rc)
			rc = scn_check_keys(&b, burst_keys, err);
		if (!rc)
			rc = need(&b, "start", err);
		if (!rc)
			rc = need(&b, "duration", err);
		if (rc)
			return rc;
		struct wl_source *s = list_add(l, err);
		if (!s)
			return L2S_ENOMEM;
		s->type = WL_WINDOW;
		rc = read_window(&b, s, err);
		if (!rc)
			rc = read_tps(&b, "tps", true, &s->tps, err);
		if (!rc)
			rc = read_kind(&b, &s->kind, err);
		if (!rc)
			rc = scn_get_duration(&b, "ramp", 0, 0, SIM_TIME_MAX,
					      &s->ramp, err);
		if (rc)
			return rc;
		if (s->ramp > (s->end - s->start) / 2)
			return scn_fail(&b, "ramp", err,
					"'ramp' is longer than half the burst's "
					"duration");
	}
	return 0;
}

static int read_process_obj(const struct scn_obj *o, bool allow_bursts,
			    struct source_list *l, struct l2s_error *err)
{
	static const char *const keys[][9] = {
		[P_CONSTANT] = {"type", "tps", "kind", "start", "duration", NULL},
		[P_DIURNAL] = {"type", "tps", "amplitude", "period", "phase",
			       "kind", "start", "duration"},
		[P_BURSTS] = {"type", "base", "bursts", NULL},
		[P_HAWKES] = {"type", "mu", "alpha", "tau", "kind", "start",
			      "duration", NULL},
		[P_TRACE] = {"type", "file", "interval", "end", "kind", NULL},
	};
	int type;
	int rc = scn_get_enum(o, "type", P_CONSTANT, process_types, &type, err);
	if (rc)
		return rc;
	rc = scn_check_keys(o, keys[type],
			    err);
	if (rc)
		return rc;
	if (type == P_BURSTS) {
		if (!allow_bursts)
			return scn_fail(o, "type", err,
					"a burst process cannot be the base "
					"of another");
		return read_bursts(o, l, err);
	}
	struct wl_source *s = list_add(l, err);
	if (!s)
		return L2S_ENOMEM;
	if (type == P_TRACE) {
		s->type = WL_TRACE;
		return read_trace(o, s, err);
	}
	rc = read_window(o, s, err);
	if (!rc)
		rc = read_kind(o, &s->kind, err);
	if (rc)
		return rc;
	switch (type) {
	case P_CONSTANT:
		s->type = WL_CONSTANT;
		return read_tps(o, "tps", true, &s->tps, err);
	case P_DIURNAL:
		s->type = WL_DIURNAL;
		rc = read_tps(o, "tps", true, &s->tps, err);
		if (!rc)
			rc = scn_get_double(o, "amplitude", 0.5, 0, 1,
					    &s->amplitude, err);
		if (!rc)
			rc = scn_get_duration(o, "period", SIM_DAY, 1,
					      SIM_TIME_MAX, &s->period, err);
		if (!rc)
			rc = scn_get_duration(o, "phase", 0, 0, SIM_TIME_MAX,
					      &s->phase, err);
		return rc;
	case P_HAWKES: {
		sim_time_t tau = 0;
		s->type = WL_HAWKES;
		rc = read_tps(o, "mu", true, &s->tps, err);
		if (!rc)
			rc = need(o, "alpha", err);
		if (!rc)
			rc = scn_get_double(o, "alpha", 0, 0, 1, &s->alpha, err);
		if (!rc && s->alpha >= 1) {
			rc = scn_fail(o, "alpha", err,
				      "'alpha' must be below 1: a branching "
				      "ratio of 1 or more never settles");
			l2s_error_hint(err, "the mean rate is mu / (1 - alpha)");
		}
		if (!rc)
			rc = need(o, "tau", err);
		if (!rc)
			rc = scn_get_duration(o, "tau", 0, 1, SIM_TIME_MAX,
					      &tau, err);
		s->tau = (double)tau / 1e9;
		return rc;
	}
	}
	return 0;
}

/*
 * parent[key] as an arrival process: a rate string or number (constant
 * Poisson), an object with a "type", or (where allowed) a list of those
 * objects whose arrivals add up.
 */
static int read_process(const struct scn_obj *parent, const char *key,
			bool allow_list, bool allow_bursts,
			struct source_list *l, struct l2s_error *err)
{
	json_t *v = json_object_get(parent->obj, key);
	struct scn_obj o;
	int rc;
	if (json_is_string(v) || json_is_number(v)) {
		struct wl_source *s = list_add(l, err);
		if (!s)
			return L2S_ENOMEM;
		s->type = WL_CONSTANT;
		return read_tps(parent, key, true, &s->tps, err);
	}
	if (json_is_array(v) && allow_list) {
		size_t n;
		rc = scn_get_array(parent, key, &n, err);
		if (!rc && n == 0)
			rc = scn_fail(parent, key, err, "'%s' is empty", key);
		for (size_t i = 0; !rc && i < n; i++) {
			rc = scn_get_elem(parent, key, i, &o, err);
			if (!rc)
				rc = read_process_obj(&o, allow_bursts, l, err);
		}
		return rc;
	}
	if (!json_is_object(v)) {
		rc = scn_fail(parent, key, err,
			      "'%s' must be a rate or a process object", key);
		l2s_error_hint(err, "for example \"50tps\" or {\"type\": "
				    "\"diurnal\", \"tps\": \"50tps\"}");
		return rc;
	}
	rc = scn_get_obj(parent, key, &o, NULL, err);
	if (!rc)
		rc = read_process_obj(&o, allow_bursts, l, err);
	return rc;
}

/* ---- workloads ------------------------------------------------------------ */

static int read_mix(const struct scn_obj *o, double mix[TX_KINDS],
		    struct l2s_error *err)
{
	struct scn_obj m;
	bool present;
	int rc = scn_get_obj(o, "mix", &m, &present, err);
	if (rc)
		return rc;
	if (!present) {
		memcpy(mix, default_mix, sizeof(default_mix));
		return 0;
	}
	double sum = 0;
	for (int k = 0; k < TX_KINDS; k++)
		mix[k] = 0;
	const char *key;
	json_t *v;
	json_object_foreach(m.obj, key, v) {
		int k = txkind_from_name(key);
		if (k < 0)
			return unknown_kind(&m, key, key, err);
		rc = scn_get_double(&m, key, 0, 0, 1e12, &mix[k], err);
		if (rc)
			return rc;
	}
	/* Summed in kind order, not key order, so the shares do not depend
	 * on how the file lists them. */
	for (int k = 0; k < TX_KINDS; k++)
		sum += mix[k];
	if (!(sum > 0))
		return scn_fail(o, "mix", err,
				"'mix' needs a positive share for some kind");
	for (int k = 0; k < TX_KINDS; k++)
		mix[k] /= sum;
	return 0;
}

/*
 * "willingness_to_pay": {"median": FEE, "sigma": S, "kinds": {KIND: FEE}}
 * (docs/model-fees.md): a log-normal per kind, the median of a kind
 * overriding the common one.
 */
static int read_wtp(const struct scn_obj *o, struct workload *w,
		    struct l2s_error *err)
{
	static const char *const keys[] = {"median", "sigma", "kinds",
					   "elasticity", "memory", NULL};
	struct scn_obj p, k;
	int rc;
	if ((rc = scn_get_obj(o, "willingness_to_pay", &p, &w->has_wtp,
			      err)))
		return rc;
	if (!w->has_wtp)
		return 0;
	if ((rc = scn_check_keys(&p, keys, err)))
		return rc;
	if (!scn_has(&p, "median"))
		return scn_fail(&p, "median", err, "willingness_to_pay needs "
				"\"median\" (a fee per transaction, e.g. "
				"\"20000gwei\")");
	uint64_t med;
	if ((rc = scn_get_fee(&p, "median", 0, UINT64_MAX, &med, err)) ||
	    (rc = scn_get_double(&p, "sigma", 1.0, 0.01, 10.0, &w->wtp.sigma,
				 err)) ||
	    (rc = scn_get_double(&p, "elasticity", 0, 0, 100,
				 &w->wtp.elasticity, err)) ||
	    (rc = scn_get_duration(&p, "memory", SIM_HOUR, SIM_S, 30 * SIM_DAY,
				   &w->wtp.memory, err)))
		return rc;
	if (scn_has(&p, "memory") && w->wtp.elasticity == 0)
		return scn_fail(&p, "memory", err, "'memory' needs an "
				"'elasticity' above 0");
	if (med == 0)
		return scn_fail(&p, "median", err, "the median must be above "
				"0 wei");
	for (int i = 0; i < TX_KINDS; i++)
		w->wtp.median_wei[i] = (double)med;
	if ((rc = scn_get_obj(&p, "kinds", &k, NULL, err)))
		return rc;
	const char *names[TX_KINDS + 1];
	kind_names(names);
	if ((rc = scn_check_keys(&k, names, err)))
		return rc;
	for (int i = 0; i < TX_KINDS; i++) {
		if (!scn_has(&k, names[i]))
			continue;
		if ((rc = scn_get_fee(&k, names[i], 0, UINT64_MAX, &med, err)))
			return rc;
		if (med == 0)
			return scn_fail(&k, names[i], err, "the median must "
					"be above 0 wei");
		w->wtp.median_wei[i] = (double)med;
	}
	return 0;
}

static void workload_release(struct workload *w)
{
	for (size_t i = 0; i < w->nsrc; i++)
		wl_trace_destroy(w->src[i].trace);
	free(w->src);
	free(w->name);
}

static int read_workload(const struct scn_obj *o, struct workload *w,
			 struct l2s_names *names, size_t index,
			 struct l2s_error *err)
{
	struct source_list l = {0};
	const char *name;
	int rc = scn_check_keys(o, workload_keys, err);
	if (!rc)
		rc = need(o, "name", err);
	if (!rc)
		rc = scn_get_string(o, "name", NULL, &name, err);
	if (rc)
		return rc;
	if (!name[0])
		return scn_fail(o, "name", err, "'name' is empty");
	if (l2s_names_find(names, name) >= 0)
		return scn_fail(o, "name", err,
				"a workload named '%s' already exists", name);
	rc = read_mix(o, w->mix, err);
	if (rc)
		return rc;
	txkind_defaults(w->kinds);
	if (scn_has(o, "kinds")) {
		struct scn_obj k;
		rc = scn_get_obj(o, "kinds", &k, NULL, err);
		if (!rc)
			rc = txkind_read(&k, w->kinds, err);
		if (rc)
			return rc;
	}
	rc = read_wtp(o, w, err);
	if (rc)
		return rc;
	rc = need(o, "rate", err);
	if (!rc)
		rc = read_process(o, "rate", true, true, &l, err);
	if (rc) {
		list_free(&l);
		return rc;
	}
	w->name = strdup(name);
	if (!w->name) {
		list_free(&l);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	if (l2s_names_add(names, w->name, index, NULL) < 0) {
		free(w->name);
		w->name = NULL;
		list_free(&l);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	w->src = l.v;
	w->nsrc = l.n;
	return 0;
}

int workloads_create(const struct scn_obj *root, struct workload_set **out,
		     struct l2s_error *err)
{
	size_t n;
	*out = NULL;
	int rc = scn_get_array(root, "workloads", &n, err);
	if (rc)
		return rc;
	struct workload_set *set = calloc(1, sizeof(*set));
	if (!set)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	set->w = calloc(n ? n : 1, sizeof(*set->w));
	if (!set->w) {
		free(set);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct scn_obj o;
		rc = scn_get_elem(root, "workloads", i, &o, err);
		if (!rc)
			rc = read_workload(&o, &set->w[i], &set->names, i,
					   err);
		if (rc) {
			workload_set_destroy(set);
			return rc;
		}
		set->n = i + 1;
	}
	*out = set;
	return 0;
}

void workload_set_destroy(struct workload_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		workload_release(&set->w[i]);
	l2s_names_release(&set->names);
	free(set->w);
	free(set);
}

size_t workload_set_count(const struct workload_set *set)
{
	return set->n;
}

const struct workload *workload_set_get(const struct workload_set *set,
					size_t i)
{
	return i < set->n ? &set->w[i] : NULL;
}

const struct workload *workload_find(const struct workload_set *set,
				     const char *name)
{
	long i = l2s_names_find(&set->names, name);
	return i >= 0 && (size_t)i < set->n ? &set->w[i] : NULL;
}

const char *workload_name(const struct workload *w)
{
	return w->name;
}

const struct tx_kind_params *workload_kinds(const struct workload *w)
{
	return w->kinds;
}

const double *workload_mix(const struct workload *w)
{
	return w->mix;
}

const struct wl_wtp *workload_wtp(const struct workload *w)
{
	return w->has_wtp ? &w->wtp : NULL;
}
