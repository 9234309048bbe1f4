/*
 * `l2sim schema`: a JSON Schema (draft 2020-12) of the scenario format,
 * generated from the loader itself so that the two cannot drift.
 *
 * The typed getters of sim/scenario.c record what they read when a
 * recorder is attached to the scenario: which keys an object allows
 * (scn_check_keys), and each key's kind, unit, range, default and enum
 * choices.  The recorder runs the whole loader (sweep expansion,
 * settings, world construction) over a probe scenario that has every
 * section, then again with each enum value the loader offered and the
 * probe did not use (another DA type, fault type, proof system ...), so
 * that the keys of every variant are seen.  Sections the probe leaves out
 * are still read with their defaults and recorded.
 *
 * A key that an object allows but no getter read (the few values the
 * models parse by hand, such as a rate given as a string or an object)
 * is allowed without a type.  Unit strings are checked with a pattern
 * built from the unit tables of sim/units.c.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/engine.h"
#include "l2sim/runner.h"
#include "l2sim/schema.h"
#include "l2sim/model.h"

struct scn_schema {
	json_t *nodes;  /* normalized object path -> node */
	json_t *tried;  /* "path.key=choice" -> true */
	int oom;
};

/* "systems[0].batcher" -> "systems[].batcher" */
static void normalize(const char *path, char *out, size_t cap)
{
	size_t k = 0;

	for (const char *p = path; *p && k + 1 < cap; p++) {
		if (*p == '[') {
			out[k++] = '[';
			while (*p && *p != ']')
				p++;
			if (k + 1 < cap)
				out[k++] = ']';
			if (!*p)
				break;
			continue;
		}
		out[k++] = *p;
	}
	out[k] = '\0';
}

static json_t *node_get(struct scn_schema *s, const char *norm)
{
	json_t *n = json_object_get(s->nodes, norm);

	if (n)
		return n;
	n = json_pack("{s:o, s:b, s:o}", "keys", json_array(), "closed", 0,
		      "props", json_object());
	if (!n || json_object_set_new(s->nodes, norm, n)) {
		s->oom = 1;
		return NULL;
	}
	return n;
}

static void add_unique(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return;
	json_array_append_new(arr, json_string(s));
}

static const char *const kind_names[] = {
	"keys", "duration", "size", "rate", "fee", "integer", "number",
	"boolean", "string", "enum", "object", "array", "elem",
};

void scn_schema_note(const struct scn_obj *o, const char *key,
		     const struct scn_note *n)
{
	struct scn_schema *s = o->scn->schema;
	char norm[256];
	json_t *node, *prop, *k;

	normalize(o->path, norm, sizeof(norm));
	if (!(node = node_get(s, norm)))
		return;
	if (n->kind == SCN_KEYS) {
		json_object_set_new(node, "closed", json_true());
		for (size_t i = 0; n->list && n->list[i]; i++)
			add_unique(json_object_get(node, "keys"), n->list[i]);
		return;
	}
	if (n->kind == SCN_ELEM || !key)
		return;
	json_t *props = json_object_get(node, "props");
	if (!(prop = json_object_get(props, key))) {
		char concrete[512];
		prop = json_pack("{s:o}", "kinds", json_object());
		snprintf(concrete, sizeof(concrete), "%s%s%s", o->path,
			 o->path[0] ? "." : "", key);
		json_object_set_new(prop, "at", json_string(concrete));
		if (json_object_set_new(props, key, prop)) {
			s->oom = 1;
			return;
		}
	}
	json_t *kinds = json_object_get(prop, "kinds");
	const char *kn = kind_names[n->kind];
	if (!(k = json_object_get(kinds, kn))) {
		k = json_object();
		json_object_set_new(kinds, kn, k);
		if (n->kind != SCN_ENUM && n->kind != SCN_STRING) {
			json_object_set_new(k, "min", json_real(n->min));
			json_object_set_new(k, "max", json_real(n->max));
		}
		if (n->has_dflt && n->kind != SCN_ENUM)
			json_object_set_new(k, "default", json_real(n->dflt));
		if (n->kind == SCN_STRING && n->dflt_text)
			json_object_set_new(k, "default",
					    json_string(n->dflt_text));
	}
	if (n->kind == SCN_ENUM) {
		json_t *c = json_object_get(k, "choices");
		if (!c) {
			c = json_array();
			json_object_set_new(k, "choices", c);
		}
		for (size_t i = 0; n->list && n->list[i]; i++)
			add_unique(c, n->list[i]);
		if (n->has_dflt && n->list && !json_object_get(k, "default"))
			json_object_set_new(k, "default", json_string(
				n->list[(size_t)n->dflt]));
	}
}

/* ---- running the loader ------------------------------------------------ */

/* Builds 'model' on one sweep point: the first error or 0. */
static int build_point(const struct sim_model *model,
		       const struct scenario *pv, struct l2s_error *err)
{
	struct sim_run_settings ws;
	struct sim *sim;
	void *built = NULL;
	int rc;

	if ((rc = model->settings(pv, &ws, err)))
		return rc;
	if (!(sim = sim_create(ws.seed, 0)))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	rc = model->create(sim, pv, &built, err);
	model->destroy(built);
	sim_destroy(sim);
	return rc;
}

/* The loader over 'root', once; the first error or 0. */
static int probe_once(const struct sim_model *model,
		      const struct scenario *base, json_t *root,
		      struct l2s_error *err)
{
	struct scenario v = *base;
	struct sweep_point *pts = NULL;
	size_t n = 0;
	int rc;

	v.root = json_deep_copy(root);
	if (!v.root)
		return L2S_ENOMEM;
	rc = runner_expand(&v, NULL, 0, &pts, &n, err);
	if (rc == 0 && n > 0) {
		struct scenario pv = v;
		pv.root = pts[0].root;
		rc = build_point(model, &pv, err);
	}
	sweep_points_free(pts, n);
	json_decref(v.root);
	return rc;
}

/* The loader over 'root'.  A variant may not load as it is (the keys of
 * one DA type are unknown to another); the value an error points at is
 * then removed and the loader run again, a few times, so that the rest of
 * the variant is still read. */
static void probe(const struct sim_model *model,
		  const struct scenario *base, json_t *root)
{
	json_t *work = json_deep_copy(root);

	for (int i = 0; work && i < 8; i++) {
		struct l2s_error err;
		l2s_error_clear(&err);
		if (probe_once(model, base, work, &err) != L2S_EINPUT ||
		    scenario_remove_json(work, err.path) != 0)
			break;
	}
	json_decref(work);
}

/* The probe itself must be valid, or its sections would go unrecorded. */
static int probe_check(const struct sim_model *model,
		       const struct scenario *base, struct l2s_error *err)
{
	struct scenario v = *base;
	struct sweep_point *pts = NULL;
	size_t n = 0;
	int rc;

	if (!(v.root = json_deep_copy(base->root)))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	rc = runner_expand(&v, NULL, 0, &pts, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct scenario pv = v;
		pv.root = pts[i].root;
		rc = build_point(model, &pv, err);
	}
	sweep_points_free(pts, n);
	json_decref(v.root);
	return rc;
}

/* Runs each enum value not tried yet; returns how many runs it made. */
static size_t explore(const struct sim_model *model, struct scn_schema *s,
		      const struct scenario *base)
{
	json_t *todo = json_array();
	const char *norm, *key;
	json_t *node, *prop;
	size_t runs = 0, i;

	json_object_foreach(s->nodes, norm, node) {
		json_object_foreach(json_object_get(node, "props"), key, prop) {
			json_t *e = json_object_get(json_object_get(prop,
							"kinds"), "enum");
			json_t *c;
			const char *at = json_string_value(
				json_object_get(prop, "at"));
			json_array_foreach(json_object_get(e, "choices"), i,
					   c) {
				char id[600];
				snprintf(id, sizeof(id), "%s.%s=%s", norm, key,
					 json_string_value(c));
				if (json_object_get(s->tried, id))
					continue;
				json_object_set_new(s->tried, id, json_true());
				json_array_append_new(todo, json_pack(
					"{s:s, s:O}", "at", at, "value", c));
			}
		}
	}
	json_t *t;
	json_array_foreach(todo, i, t) {
		json_t *root = json_deep_copy(base->root);
		struct l2s_error err;
		l2s_error_clear(&err);
		if (root && scenario_set_json(root, json_string_value(
				json_object_get(t, "at")),
				json_deep_copy(json_object_get(t, "value")),
				&err) == 0) {
			probe(model, base, root);
			runs++;
		}
		json_decref(root);
	}
	json_decref(todo);
	return runs;
}

/* ---- the JSON Schema ----------------------------------------------------- */

/* A pattern for "<number><unit>" with the unit names of 'kind'. */
static json_t *unit_pattern(int kind)
{
	struct { char *s; size_t n; } b = {0};
	FILE *f = open_memstream(&b.s, &b.n);
	const char *u;

	if (!f)
		return NULL;
	fputs("^\\s*\\+?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*(",
	      f);
	for (size_t i = 0; (u = units_name(kind, i)); i++) {
		if (i)
			fputc('|', f);
		for (const char *p = u; *p; p++) {
			if (strchr("/.+*?()[]{}|^$\\", *p))
				fprintf(f, "\\%c", *p);
			else if (isalpha((unsigned char)*p) &&
				 !UNITS_CASE_SENSITIVE(kind))
				fprintf(f, "[%c%c]", tolower((unsigned char)*p),
					toupper((unsigned char)*p));
			else
				fputc(*p, f);
		}
	}
	fputs(")?\\s*$", f);
	fclose(f);
	json_t *j = json_string(b.s);
	free(b.s);
	return j;
}

static void fmt_unit_value(int kind, double v, char *buf, size_t len)
{
	if (kind == SCN_DURATION) {
		double s = v / 1e9;
		if (v >= 9e18)
			snprintf(buf, len, "unbounded");
		else if (s >= 86400 && fmod(s, 86400) == 0)
			snprintf(buf, len, "%gd", s / 86400);
		else if (s >= 3600 && fmod(s, 3600) == 0)
			snprintf(buf, len, "%gh", s / 3600);
		else if (s >= 60 && fmod(s, 60) == 0)
			snprintf(buf, len, "%gm", s / 60);
		else
			snprintf(buf, len, "%gs", s);
	} else if (kind == SCN_SIZE) {
		snprintf(buf, len, "%gB", v);
	} else if (kind == SCN_RATE) {
		snprintf(buf, len, "%g/s", v / 1e6);
	} else if (kind == SCN_FEE) {
		if (v >= 1e9 && fmod(v, 1e9) == 0)
			snprintf(buf, len, "%ggwei", v / 1e9);
		else
			snprintf(buf, len, "%gwei", v);
	} else {
		snprintf(buf, len, "%g", v);
	}
}

static int kind_of(const char *name)
{
	for (int i = 0; i < (int)(sizeof(kind_names) / sizeof(*kind_names));
	     i++)
		if (!strcmp(kind_names[i], name))
			return i;
	return -1;
}

static json_t *object_schema(struct scn_schema *s, const char *norm);

static json_t *unit_schema(int kind, json_t *info)
{
	static const char *const what[] = {
		[SCN_DURATION] = "duration: a number of seconds, or a string "
				 "with a unit (\"250ms\", \"12s\", \"78m\", "
				 "\"6h\", \"7d\")",
		[SCN_SIZE] = "size: a number of bytes, or a string with a unit "
			     "(\"180B\", \"128KiB\", \"6.67MB\")",
		[SCN_RATE] = "rate per second: a number, or a string with a "
			     "unit (\"500tps\", \"2.5/s\", \"15MB/s\")",
		[SCN_FEE] = "fee: a number of wei, or a string with a unit "
			    "(\"1wei\", \"10gwei\", \"0.01eth\")",
	};
	static const double base[] = {
		[SCN_DURATION] = 1e9, [SCN_SIZE] = 1, [SCN_RATE] = 1e6,
		[SCN_FEE] = 1,
	};
	static const int unit_kind[] = {
		[SCN_DURATION] = 0, [SCN_SIZE] = 1, [SCN_RATE] = 2,
		[SCN_FEE] = 3,
	};
	double mn = json_real_value(json_object_get(info, "min"));
	double mx = json_real_value(json_object_get(info, "max"));
	json_t *d = json_object_get(info, "default");
	char lo[48], hi[48], df[48], desc[512];
	json_t *num = json_pack("{s:s, s:f}", "type", "number", "minimum",
				mn / base[kind]);

	fmt_unit_value(kind, mn, lo, sizeof(lo));
	fmt_unit_value(kind, mx, hi, sizeof(hi));
	if (mx < 9e18 && mx < 1.8e19)
		json_object_set_new(num, "maximum", json_real(mx / base[kind]));
	snprintf(desc, sizeof(desc), "%s; from %s to %s", what[kind], lo, hi);
	if (d) {
		fmt_unit_value(kind, json_real_value(d), df, sizeof(df));
		size_t l = strlen(desc);
		snprintf(desc + l, sizeof(desc) - l, "; default %s", df);
	}
	json_t *str = json_pack("{s:s, s:o}", "type", "string", "pattern",
				unit_pattern(unit_kind[kind]));
	return json_pack("{s:s, s:[o, o]}", "description", desc, "anyOf", num,
			 str);
}

static json_t *kind_schema(struct scn_schema *s, const char *norm,
			   const char *key, int kind, json_t *info)
{
	char child[600];
	json_t *d = json_object_get(info, "default");
	double mn = json_real_value(json_object_get(info, "min"));
	double mx = json_real_value(json_object_get(info, "max"));
	json_t *j;

	snprintf(child, sizeof(child), "%s%s%s", norm, norm[0] ? "." : "", key);
	switch (kind) {
	case SCN_DURATION: case SCN_SIZE: case SCN_RATE: case SCN_FEE:
		return unit_schema(kind, info);
	case SCN_INT:
		j = json_pack("{s:s}", "type", "integer");
		if (mn > -9e18)
			json_object_set_new(j, "minimum", json_integer(
				(json_int_t)mn));
		if (mx < 9e18)
			json_object_set_new(j, "maximum", json_integer(
				(json_int_t)mx));
		if (d)
			json_object_set_new(j, "default", json_integer(
				(json_int_t)json_real_value(d)));
		return j;
	case SCN_DOUBLE:
		j = json_pack("{s:s}", "type", "number");
		if (isfinite(mn) && mn > -1e300)
			json_object_set_new(j, "minimum", json_real(mn));
		if (isfinite(mx) && mx < 1e300)
			json_object_set_new(j, "maximum", json_real(mx));
		if (d && isfinite(json_real_value(d)))
			json_object_set(j, "default", d);
		return j;
	case SCN_BOOL:
		j = json_pack("{s:s}", "type", "boolean");
		if (d)
			json_object_set_new(j, "default",
					    json_boolean(json_real_value(d)));
		return j;
	case SCN_STRING:
		j = json_pack("{s:s}", "type", "string");
		if (d)
			json_object_set(j, "default", d);
		return j;
	case SCN_ENUM:
		j = json_pack("{s:s, s:O}", "type", "string", "enum",
			      json_object_get(info, "choices"));
		if (d)
			json_object_set(j, "default", d);
		return j;
	case SCN_OBJECT:
		return object_schema(s, child);
	case SCN_ARRAY: {
		char items[640];
		snprintf(items, sizeof(items), "%s[]", child);
		j = json_pack("{s:s}", "type", "array");
		if (json_object_get(s->nodes, items))
			json_object_set_new(j, "items",
					    object_schema(s, items));
		return j;
	}
	default:
		return json_object();
	}
}

static json_t *prop_schema(struct scn_schema *s, const char *norm,
			   const char *key, json_t *prop)
{
	json_t *kinds = json_object_get(prop, "kinds"), *info, *any;
	const char *kn;
	int enum_seen = json_object_get(kinds, "enum") != NULL;

	if (!prop || json_object_size(kinds) == 0)
		return json_pack("{s:s}", "description", "accepted by the "
				 "loader; see docs/scenario-format.md");
	any = json_array();
	json_object_foreach(kinds, kn, info) {
		int k = kind_of(kn);
		/* an enum reads its value as a string first */
		if (k == SCN_STRING && enum_seen)
			continue;
		json_array_append_new(any, kind_schema(s, norm, key, k, info));
	}
	if (json_array_size(any) == 1) {
		json_t *one = json_incref(json_array_get(any, 0));
		json_decref(any);
		return one;
	}
	return json_pack("{s:o}", "anyOf", any);
}

static json_t *object_schema(struct scn_schema *s, const char *norm)
{
	json_t *node = json_object_get(s->nodes, norm);
	json_t *props = json_object(), *out, *k;
	size_t i;

	out = json_pack("{s:s}", "type", "object");
	if (!node) {
		json_decref(props);
		return out;
	}
	json_t *seen = json_object_get(node, "props");
	if (json_is_true(json_object_get(node, "closed"))) {
		json_array_foreach(json_object_get(node, "keys"), i, k) {
			const char *key = json_string_value(k);
			json_object_set_new(props, key, prop_schema(
				s, norm, key, json_object_get(seen, key)));
		}
		json_object_set_new(out, "additionalProperties", json_false());
	} else {
		const char *key;
		json_t *prop;
		json_object_foreach(seen, key, prop)
			json_object_set_new(props, key,
					    prop_schema(s, norm, key, prop));
	}
	json_object_set_new(out, "properties", props);
	return out;
}

/* The probe: every section of the format in one scenario (the complete
 * example of docs/scenario-format.md with a few more variants from its
 * section examples); the enum exploration adds the rest.  It must load:
 * a test checks that, and that the docs' complete example validates
 * against the schema. */
static const char probe_text[] =
	"{\"name\": \"schema-probe\", \"description\": \"every section\","
	" \"duration\": \"2d\", \"warmup\": \"2h\", \"seed\": 7,"
	" \"replications\": 2, \"tick\": \"12s\","
	" \"output\": {\"series_interval\": \"10m\", \"l1_blocks\": false,"
	"  \"series_per_instance\": true},"
	" \"l1\": {\"fork\": \"pectra\", \"gas_limit\": 36000000,"
	"  \"missed_slot_probability\": 0.01, \"initial_base_fee\": \"2gwei\","
	"  \"background\": {"
	"   \"gas\": {\"dist\": \"uniform\", \"min\": 12000000,"
	"    \"max\": 24000000, \"elasticity\": 1},"
	"   \"blobs\": {\"dist\": \"poisson\", \"mean\": 3, \"elasticity\": 0.5,"
	"    \"reference_fee\": \"10wei\"}}},"
	" \"da_layers\": ["
	"  {\"name\": \"celestia\", \"type\": \"celestia\","
	"   \"price_per_mib\": \"20gwei\", \"fee_market\": {\"target_fill\": 0.5,"
	"   \"max_price_per_mib\": \"1000gwei\"}},"
	"  {\"name\": \"anytrust\", \"type\": \"dac\", \"members\": 8,"
	"   \"threshold\": 7, \"member_availability\": 0.99, \"timeout\": \"10s\","
	"   \"sign_latency\": {\"dist\": \"exponential\", \"offset\": \"50ms\","
	"   \"mean\": \"150ms\"}},"
	"  {\"name\": \"eigenda\", \"type\": \"eigenda\", \"throughput\": \"15MB/s\","
	"   \"price_per_mib\": \"0.01gwei\"}],"
	" \"workloads\": ["
	"  {\"name\": \"ordinary\", \"rate\": {\"type\": \"diurnal\","
	"   \"tps\": \"40tps\", \"amplitude\": 0.5, \"phase\": \"14h\"},"
	"   \"mix\": {\"transfer\": 0.45, \"erc20\": 0.3, \"swap\": 0.2,"
	"   \"nft_mint\": 0.05}},"
	"  {\"name\": \"wave\", \"rate\": {\"type\": \"bursts\", \"base\": \"20tps\","
	"   \"bursts\": [{\"start\": \"20h\", \"duration\": \"2h\","
	"   \"tps\": \"500tps\", \"kind\": \"inscription\", \"ramp\": \"15m\"}]},"
	"   \"kinds\": {\"inscription\": {\"size\": \"180B\"}}},"
	"  {\"name\": \"flat\", \"rate\": [{\"type\": \"constant\","
	"   \"tps\": \"30tps\"}, {\"type\": \"hawkes\", \"mu\": \"20tps\","
	"   \"alpha\": 0.8, \"tau\": \"10m\", \"kind\": \"nft_mint\","
	"   \"start\": \"2h\", \"duration\": \"4h\"}]},"
	"  {\"name\": \"steady\", \"rate\": \"10tps\"}],"
	" \"shared_sequencers\": [{\"name\": \"espresso\", \"capacity\": \"3000tps\","
	"  \"block_time\": \"2s\", \"consensus_latency\": \"1s\"}],"
	" \"aggregators\": [{\"name\": \"upa\", \"type\": \"l1.5\","
	"  \"interval\": \"10m\", \"latency\": \"5m\"},"
	"  {\"name\": \"tree\", \"type\": \"l1.5\", \"interval\": \"1h\","
	"  \"fan_in\": 8, \"levels\": [{\"latency\": \"2m\", \"provers\": 4},"
	"  {\"latency\": \"2m\", \"provers\": 1}]}],"
	" \"systems\": ["
	"  {\"name\": \"op\", \"type\": \"optimistic_rollup\","
	"   \"workload\": \"steady\", \"batcher\": {\"max_delay\": \"10m\","
	"   \"compression\": \"brotli\"}, \"liveness\": {\"sequence_within\": \"1m\","
	"   \"post_within\": \"1h\"}, \"disputes\": {\"protocol\": \"classic\","
	"   \"start\": \"30h\", \"attackers\": 1, \"bond_eth\": 1},"
	"   \"sequencer\": {\"halt_backlog\": 150000, \"resume_backlog\": 50000,"
	"   \"slow_backlog\": 100000, \"slow_rate\": \"500tps\","
	"   \"standby_failover\": \"5m\", \"self_sequence_delay\": \"12h\","
	"   \"self_sequence_rate\": \"100tps\"},"
	"   \"operator\": {\"stake_eth\": 100, \"slash_eth_per_hour\": 1,"
	"   \"slash_eth_per_failure\": 1, \"preconf_within\": \"12s\","
	"   \"preconf_slash_eth\": 0.01, \"reorder_on_l1_reorg\": true}},"
	"  {\"name\": \"zk\", \"type\": \"zk_rollup\", \"count\": 4,"
	"   \"workload\": \"ordinary\", \"sequencer\": {\"type\": \"shared\","
	"   \"name\": \"espresso\"}, \"prover\": {"
	"   \"throughput\": \"2000tps\", \"latency\": \"10m\", \"provers\": 2,"
	"   \"batches_per_proof\": 4}, \"aggregator\": \"upa\"},"
	"  {\"name\": \"sdr\", \"type\": \"sdr\", \"workload\": \"wave\","
	"   \"sequencer\": {\"type\": \"based\"},"
	"   \"prover\": {\"proof_system\": \"zksync\"}},"
	"  {\"name\": \"val\", \"type\": \"validium\", \"workload\": \"ordinary\","
	"   \"da\": \"anytrust\", \"prover\": {\"proof_system\": \"groth16\"},"
	"   \"exits\": {\"design\": \"escape_hatch\", \"accounts\": 2000}},"
	"  {\"name\": \"rot\", \"type\": \"optimistic_rollup\","
	"   \"workload\": \"steady\", \"sequencer\": {\"type\": \"rotating\","
	"   \"operators\": 3, \"epoch\": \"10m\", \"handover_gap\": \"2s\","
	"   \"operator_failure\": 0.05, \"failover_timeout\": \"30s\"}},"
	"  {\"name\": \"auc\", \"type\": \"optimistic_rollup\","
	"   \"workload\": \"steady\", \"sequencer\": {\"type\": \"auction\","
	"   \"operators\": 5, \"epoch\": \"10m\", \"handover_gap\": \"2s\","
	"   \"value_spread\": 0.2}},"
	"  {\"name\": \"vol\", \"type\": \"volition\", \"workload\": \"flat\","
	"   \"da\": \"celestia\", \"l1_share\": 0.3}],"
	" \"faults\": ["
	"  {\"type\": \"sequencer_outage\", \"target\": \"op\", \"start\": \"30h\","
	"   \"duration\": \"78m\"},"
	"  {\"type\": \"prover_outage\", \"target\": \"zk#1\", \"mtbf\": \"7d\","
	"   \"mttr\": \"6h\"},"
	"  {\"type\": \"dac_member_outage\", \"target\": \"anytrust\","
	"   \"members\": 2, \"start\": \"1d\", \"duration\": \"1h\"},"
	"  {\"type\": \"l1_reorg\", \"target\": \"l1\", \"at\": \"42h\","
	"   \"depth\": 2},"
	"  {\"type\": \"dac_member_outage\", \"target\": \"anytrust\","
	"   \"member\": 7, \"mtbf\": \"1d\", \"mttr\": \"30m\"},"
	"  {\"type\": \"l1_missed_slots\", \"target\": \"l1\", \"start\": \"2h\","
	"   \"duration\": \"1h\", \"probability\": 0.5}],"
	" \"sweep\": {\"systems[1].count\": [2, 4], \"l1.fork\": [\"pectra\","
	"  \"bpo2\"]}}";

int schema_build(const struct sim_model *model, json_t **out,
		 size_t *probe_runs, struct l2s_error *err)
{
	struct scn_schema rec = {0};
	struct scenario *base = NULL;
	json_t *root = NULL;
	size_t runs = 1, n;
	int rc;

	*out = NULL;
	rec.nodes = json_object();
	rec.tried = json_object();
	if (!rec.nodes || !rec.tried) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = scenario_load_text("(schema probe)", probe_text, &base,
				     err)))
		goto done;
	if ((rc = probe_check(model, base, err))) {
		l2s_error_hint(err, "the built-in probe of 'l2sim schema' no "
			       "longer loads: update it in sim/schema.c");
		goto done;
	}
	base->schema = &rec;
	probe(model, base, base->root);
	/* new enum sites appear under new variants: until none is left */
	for (int round = 0; round < 8 && (n = explore(model, &rec, base));
	     round++)
		runs += n;
	base->schema = NULL;
	if (rec.oom) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	root = object_schema(&rec, "");
	if (!root) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto done;
	}
	json_object_set_new(root, "$schema",
			    json_string("https://json-schema.org/draft/2020-12/"
					"schema"));
	json_object_set_new(root, "title", json_string("l2sim scenario"));
	json_object_set_new(root, "description", json_string(
		"A scenario file of l2sim (docs/scenario-format.md). Generated "
		"by 'l2sim schema' from the loader's own key tables, types, "
		"units, ranges and defaults."));
	if (probe_runs)
		*probe_runs = runs;
	*out = root;
	rc = 0;
done:
	scenario_destroy(base);
	json_decref(rec.nodes);
	json_decref(rec.tried);
	return rc;
}
