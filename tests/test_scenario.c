/*
 * Scenario files (sim/scenario.c) and their validation by the world
 * (models/world): a table of bad scenario texts, each with the message,
 * line, column, JSON path and hint it must produce; --set overrides;
 * scenario_locate() on nested values; the typed getters.
 *
 * Line and column of a key are those of its opening quote; for a JSON
 * syntax error they are jansson's (the last character of the token where
 * parsing stopped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "l2sim/engine.h"
#include "l2sim/scenario.h"
#include "l2sim/world.h"

/* Every bad text below is this scenario with one line changed:
 *   line 1  {
 *   line 2    "name": "t",
 *   line 3    "duration": "2h",
 *   line 4    "workloads": [{"name": "w", "rate": "20tps"}],
 *   line 5    "systems": [{"name": "s", "type": "zk_rollup", "workload": "w"}]
 *   line 6  }
 */
#define L2 "  \"name\": \"t\",\n"
#define L3 "  \"duration\": \"2h\",\n"
#define L4 "  \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"}],\n"
#define L5 "  \"systems\": [{\"name\": \"s\", \"type\": \"zk_rollup\", " \
	   "\"workload\": \"w\"}]\n"
#define GOOD "{\n" L2 L3 L4 L5 "}\n"

/* Loads, reads the settings and builds the world, as `l2sim validate`
 * does.  Returns the first error. */
static int validate(const char *text, struct l2s_error *err)
{
	struct scenario *scn = NULL;
	l2s_error_clear(err);
	int rc = scenario_load_text("bad.json", text, &scn, err);
	if (rc)
		return rc;
	struct world_settings ws;
	rc = world_read_settings(scn, &ws, err);
	if (rc == 0) {
		struct sim *sim = sim_create(ws.seed, 0);
		assert_non_null(sim);
		struct world *w = NULL;
		rc = world_create(sim, scn, &w, err);
		if (rc)
			assert_null(w);
		world_destroy(w);
		sim_destroy(sim);
	}
	scenario_destroy(scn);
	return rc;
}

static void test_good_scenario(void **state)
{
	struct l2s_error err;
	int rc = validate(GOOD, &err);
	if (rc)
		fail_msg("good scenario rejected: %s", err.msg);
	struct scenario *scn;
	assert_int_equal(scenario_load_text("good.json", GOOD, &scn, &err), 0);
	struct world_settings ws;
	assert_int_equal(world_read_settings(scn, &ws, &err), 0);
	assert_int_equal(ws.duration, 2 * SIM_HOUR);
	assert_int_equal(ws.warmup, 0);
	assert_int_equal(ws.seed, 1);          /* default */
	assert_int_equal(ws.replications, 1);  /* default */
	/* 2h / 500 is under a minute: the interval defaults to 1 min. */
	assert_int_equal(ws.series_interval, SIM_MIN);
	assert_int_equal(ws.keep_l1_blocks, 0);
	assert_string_equal(scn->name, "t");
	scenario_destroy(scn);
}

struct bad_case {
	const char *what;
	const char *text;
	int code;
	const char *msg;   /* fragment of err.msg */
	int line, col;
	const char *path;  /* exact err.path */
	const char *hint;  /* fragment of err.hint, or NULL for none */
};

static const struct bad_case bad_cases[] = {
	{"missing comma",
	 "{\n" L2 "  \"duration\": \"2h\"\n" L4 L5 "}\n",
	 L2S_EINPUT, "invalid JSON", 4, 13, "", "missing comma"},
	{"duplicate key",
	 "{\n" L2 L3 "  \"duration\": \"3h\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "duplicate object key", 4, 12, "", "once per object"},
	{"trailing garbage",
	 GOOD "x",
	 L2S_EINPUT, "end of file expected", 7, 1, "", "missing comma"},
	{"not an object",
	 "[1, 2]\n",
	 L2S_EINPUT, "must be a JSON object", 1, 1, "", NULL},
	{"unknown top-level key",
	 "{\n" L2 "  \"duraton\": \"2h\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "unknown key 'duraton'", 3, 3, "duraton",
	 "did you mean 'duration'?"},
	{"unknown key, nothing close",
	 "{\n" L2 L3 "  \"zzzzzzzz\": 1,\n" L4 L5 "}\n",
	 L2S_EINPUT, "unknown key 'zzzzzzzz'", 4, 3, "zzzzzzzz",
	 "valid keys here: name, description, duration"},
	{"unknown nested key",
	 "{\n" L2 L3 "  \"l1\": {\"blob_traget\": 3},\n" L4 L5 "}\n",
	 L2S_EINPUT, "unknown key 'blob_traget'", 4, 10, "l1.blob_traget",
	 "did you mean 'blob_target'?"},
	{"unknown key in output",
	 "{\n" L2 L3 "  \"output\": {\"serie_interval\": \"10m\"},\n" L4 L5
	 "}\n",
	 L2S_EINPUT, "unknown key 'serie_interval'", 4, 14,
	 "output.serie_interval", "did you mean 'series_interval'?"},
	{"unknown key in a system",
	 "{\n" L2 L3 L4
	 "  \"systems\": [{\"name\": \"s\", \"type\": \"zk_rollup\", "
	 "\"workload\": \"w\", \"cuont\": 2}]\n}\n",
	 L2S_EINPUT, "unknown key 'cuont'", 5, 67, "systems[0].cuont",
	 "did you mean 'count'?"},
	{"wrong type: string for an integer",
	 "{\n" L2 L3 "  \"replications\": \"two\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "'replications' must be an integer, not a string", 4, 3,
	 "replications", NULL},
	{"wrong type: number for an object",
	 "{\n" L2 L3 "  \"l1\": 5,\n" L4 L5 "}\n",
	 L2S_EINPUT, "'l1' must be an object, not an integer", 4, 3, "l1",
	 NULL},
	{"wrong type: boolean for a duration",
	 "{\n" L2 "  \"duration\": true,\n" L4 L5 "}\n",
	 L2S_EINPUT, "'duration' must be a duration, not a boolean", 3, 3,
	 "duration", "for example \"12s\""},
	{"negative duration",
	 "{\n" L2 "  \"duration\": \"-2h\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "negative duration", 3, 3, "duration", "12s"},
	{"negative bare number",
	 "{\n" L2 "  \"duration\": -7200,\n" L4 L5 "}\n",
	 L2S_EINPUT, "'duration' must not be negative", 3, 3, "duration",
	 NULL},
	{"bad unit",
	 "{\n" L2 "  \"duration\": \"2 parsecs\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "unknown duration unit 'parsecs'", 3, 3, "duration",
	 "for example \"12s\""},
	{"duration out of range",
	 "{\n" L2 "  \"duration\": \"500ms\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "'duration' is out of range [1s, 3650d]", 3, 3,
	 "duration", NULL},
	{"warmup equal to duration",
	 "{\n" L2 L3 "  \"warmup\": \"2h\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "warmup must be shorter than duration", 4, 3, "warmup",
	 NULL},
	{"warmup longer than duration",
	 "{\n" L2 L3 "  \"warmup\": \"1d\",\n" L4 L5 "}\n",
	 L2S_EINPUT, "warmup must be shorter than duration", 4, 3, "warmup",
	 NULL},
	{"unknown system type",
	 "{\n" L2 L3 L4
	 "  \"systems\": [{\"name\": \"s\", \"type\": \"zk_rolup\", "
	 "\"workload\": \"w\"}]\n}\n",
	 L2S_EINPUT, "unknown type 'zk_rolup'", 5, 29, "systems[0].type",
	 "did you mean 'zk_rollup'?"},
	{"workload referenced but undefined",
	 "{\n" L2 L3 L4
	 "  \"systems\": [{\"name\": \"s\", \"type\": \"zk_rollup\", "
	 "\"workload\": \"ordinary\"}]\n}\n",
	 L2S_EINPUT, "no workload named 'ordinary'", 5, 50,
	 "systems[0].workload", NULL},
	{"DA layer undefined",
	 "{\n" L2 L3 L4
	 "  \"systems\": [{\"name\": \"s\", \"type\": \"validium\", "
	 "\"workload\": \"w\", \"da\": \"committee\"}]\n}\n",
	 L2S_EINPUT, "no DA layer named 'committee'", 5, 66,
	 "systems[0].da", "da_layers"},
	{"system not an object",
	 "{\n" L2 L3 L4 "  \"systems\": [{\"name\": \"s\", \"type\": "
	 "\"zk_rollup\", \"workload\": \"w\"}, 3]\n}\n",
	 L2S_EINPUT, "'systems[1]' must be an object, not an integer", 5, 68,
	 "systems[1]", NULL},
};

static void test_bad_scenarios(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct l2s_error err;
		int rc = validate(c->text, &err);
		int ok = rc == c->code && err.code == c->code &&
			 strstr(err.msg, c->msg) && err.line == c->line &&
			 err.column == c->col && !strcmp(err.path, c->path) &&
			 !strcmp(err.file, "bad.json") &&
			 (c->hint ? strstr(err.hint, c->hint) != NULL
				  : err.hint[0] == '\0');
		if (!ok) {
			print_error("%s: got rc %d, %d:%d path '%s' msg '%s' "
				    "hint '%s'\n  want rc %d, %d:%d path '%s' "
				    "msg ~'%s' hint ~'%s'\n",
				    c->what, rc, err.line, err.column, err.path,
				    err.msg, err.hint, c->code, c->line, c->col,
				    c->path, c->msg, c->hint ? c->hint : "");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_error_format(void **state)
{
	struct l2s_error err;
	validate("{\n" L2 "  \"duraton\": \"2h\",\n" L4 L5 "}\n", &err);
	char buf[1024];
	l2s_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "bad.json:3:3: duraton: unknown key 'duraton' "
				 "(did you mean 'duration'?)");
}

/* ---- loading -------------------------------------------------------------- */

static char tmpdir[64];

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/l2sim-test-scn-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void test_load_file(void **state)
{
	char path[128];
	struct scenario *scn = NULL;
	struct l2s_error err;
	l2s_error_clear(&err);

	/* Missing file: bad input, naming the file. */
	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	assert_int_equal(scenario_load(path, &scn, &err), L2S_EINPUT);
	assert_null(scn);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.msg, "cannot open scenario"));

	/* No "name": the file's base name without extension. */
	snprintf(path, sizeof(path), "%s/my.sweep.json", tmpdir);
	write_file(path, "{}", 2);
	assert_int_equal(scenario_load(path, &scn, &err), 0);
	assert_string_equal(scn->name, "my.sweep");
	assert_string_equal(scn->file, path);
	assert_string_equal(scn->text, "{}");
	/* sha256("{}"), from sha256sum. */
	assert_string_equal(scn->sha256, "44136fa355b3678a1146ad16f7e8649e94fb4"
					 "fc21fe77e8310c060f61caaff8a");
	scenario_destroy(scn);

	/* A NUL byte inside the file is rejected, not silently cut. */
	snprintf(path, sizeof(path), "%s/nul.json", tmpdir);
	write_file(path, "{}\0{\"x\": 1}", 11);
	l2s_error_clear(&err);
	assert_int_equal(scenario_load(path, &scn, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "NUL"));

	/* A file larger than the first 64 KiB read buffer. */
	size_t n = 200000;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"name\": \"big\",", 15);
	memcpy(big + n - 16, "\"duration\": 5}\n", 15);
	big[n] = '\0';
	snprintf(path, sizeof(path), "%s/big.json", tmpdir);
	write_file(path, big, n);
	assert_int_equal(scenario_load(path, &scn, &err), 0);
	assert_string_equal(scn->name, "big");
	assert_int_equal(strlen(scn->text), n);
	assert_int_equal(json_integer_value(json_object_get(scn->root,
							    "duration")), 5);
	scenario_destroy(scn);
	free(big);
	scenario_destroy(NULL);
}

/* ---- --set -------------------------------------------------------------- */

static struct scenario *load(const char *text)
{
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	if (scenario_load_text("s.json", text, &scn, &err))
		fail_msg("load: %s", err.msg);
	return scn;
}

static void test_set(void **state)
{
	struct scenario *scn = load(GOOD);
	struct l2s_error err;
	l2s_error_clear(&err);
	json_t *sys0 = json_array_get(json_object_get(scn->root, "systems"), 0);

	/* A JSON number. */
	assert_int_equal(scenario_set(scn, "systems[0].count=8", &err), 0);
	json_t *v = json_object_get(sys0, "count");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), 8);

	/* Not JSON: taken as a string; the missing "l1" object is created. */
	assert_int_equal(scenario_set(scn, "l1.fork=pectra", &err), 0);
	v = json_object_get(json_object_get(scn->root, "l1"), "fork");
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), "pectra");

	/* A JSON string, a unit string without quotes, an object. */
	assert_int_equal(scenario_set(scn, "duration=\"30d\"", &err), 0);
	assert_string_equal(json_string_value(json_object_get(scn->root,
					      "duration")), "30d");
	assert_int_equal(scenario_set(scn, "workloads[0].rate=50tps", &err), 0);
	v = json_array_get(json_object_get(scn->root, "workloads"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "rate")),
			    "50tps");
	assert_int_equal(scenario_set(scn, "output={\"l1_blocks\": true}", &err),
			 0);
	assert_true(json_is_true(json_object_get(
		json_object_get(scn->root, "output"), "l1_blocks")));
	/* A value containing '=' keeps everything after the first '='. */
	assert_int_equal(scenario_set(scn, "description=a=b", &err), 0);
	assert_string_equal(json_string_value(json_object_get(scn->root,
					      "description")), "a=b");
	/* "name" renames the scenario (and so its default database). */
	assert_int_equal(scenario_set(scn, "name=renamed", &err), 0);
	assert_string_equal(scn->name, "renamed");

	/* The result still validates, with the new values. */
	struct world_settings ws;
	assert_int_equal(world_read_settings(scn, &ws, &err), 0);
	assert_int_equal(ws.duration, 30 * SIM_DAY);
	assert_int_equal(ws.keep_l1_blocks, 1);
	scenario_destroy(scn);
}

struct bad_set {
	const char *assignment;
	const char *msg;
	const char *path; /* exact err.path, or NULL when not set */
};

static void test_set_bad(void **state)
{
	static const struct bad_set cases[] = {
		{"systems[5].count=1", "not an element of an array",
		 "systems[5]"},
		{"systems.count=1", "not inside an object", "systems.count"},
		{"name.x=1", "not inside an object", "name.x"},
		{"duration[0]=1", "not an element of an array", "duration[0]"},
		{"a..b=1", "malformed path", "a..b"},
		{".a=1", "malformed path", ".a"},
		{"systems[x]=1", "malformed path", "systems[x]"},
		{"=5", "needs PATH=VALUE", NULL},
		{"noequals", "needs PATH=VALUE", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario *scn = load(GOOD);
		struct l2s_error err;
		l2s_error_clear(&err);
		char *before = json_dumps(scn->root, JSON_SORT_KEYS);
		int rc = scenario_set(scn, cases[i].assignment, &err);
		char *after = json_dumps(scn->root, JSON_SORT_KEYS);
		if (rc != L2S_EUSAGE || !strstr(err.msg, cases[i].msg) ||
		    (cases[i].path && strcmp(err.path, cases[i].path)))
			fail_msg("--set '%s': rc %d, msg '%s', path '%s'",
				 cases[i].assignment, rc, err.msg, err.path);
		/* A rejected --set leaves the scenario as it was. */
		assert_string_equal(before, after);
		free(before);
		free(after);
		scenario_destroy(scn);
	}
}

static void test_set_unknown_key_caught_by_validation(void **state)
{
	/* --set may add a key; validation then rejects it like any other,
	 * with the path but without a line (it is not in the file). */
	struct scenario *scn = load(GOOD);
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_set(scn, "l1.blob_traget=3", &err), 0);
	struct sim *sim = sim_create(1, 0);
	struct world *w = NULL;
	assert_int_equal(world_create(sim, scn, &w, &err), L2S_EINPUT);
	assert_null(w);
	assert_string_equal(err.path, "l1.blob_traget");
	assert_int_equal(err.line, 0);
	assert_string_equal(err.hint, "did you mean 'blob_target'?");
	sim_destroy(sim);
	scenario_destroy(scn);
}

/* ---- locating values ------------------------------------------------------ */

static const char locate_text[] =
	"{\n"                                                   /* 1 */
	"  \"a\": {\"b\": [1, {\"c\": \"x}]\\\"y\"}, [2, [3, 4]]]},\n" /* 2 */
	"  \"k\\\"q\": {\"in\\\\ner\": 5},\n"                   /* 3 */
	"  \"tab\\tkey\": 6,\n"                                 /* 4 */
	"  \"d\": [\n"                                          /* 5 */
	"    {\"e\": 1},\n"                                     /* 6 */
	"    {\"e\": 2, \"f\": {\"g\": true}}\n"                /* 7 */
	"  ],\n"                                                /* 8 */
	"  \"\xc3\xa9t\xc3\xa9\": 1, \"z\": \"[{\",\n"          /* 9 */
	"  \"\\u0063x\": {\"\\ud83d\\ude00\": 1}\n"              /* 10 */
	"}\n";

/* Line 2 is:   "a": {"b": [1, {"c": "x}]\"y"}, [2, [3, 4]]]},
 * "a" is at column 3, "b" 9, 1 at 15, {"c" 18/19, [2, ... 35. */

struct loc_case {
	const char *path;
	int line, col;
};

static void test_locate(void **state)
{
	static const struct loc_case cases[] = {
		{"a", 2, 3},
		{"a.b", 2, 9},
		{"a.b[0]", 2, 15},
		{"a.b[1]", 2, 18},
		{"a.b[1].c", 2, 19},
		{"a.b[2]", 2, 35},
		{"a.b[2][0]", 2, 36},
		{"a.b[2][1]", 2, 39},
		{"a.b[2][1][1]", 2, 43},
		{"k\"q", 3, 3},                /* key with an escaped quote */
		{"k\"q.in\\ner", 3, 12},       /* and an escaped backslash */
		{"tab\tkey", 4, 3},
		{"d", 5, 3},
		{"d[0]", 6, 5},
		{"d[0].e", 6, 6},
		{"d[1].e", 7, 6},
		{"d[1].f.g", 7, 20},
		{"z", 9, 13},                  /* columns count characters */
		{"cx", 10, 3},                 /* \u escapes decoded */
		{"cx.\xf0\x9f\x98\x80", 10, 15}, /* a surrogate pair */
		{"", 1, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = -1, col = -1;
		int rc = scenario_locate(locate_text, cases[i].path, &line, &col);
		if (rc != 0 || line != cases[i].line || col != cases[i].col)
			fail_msg("locate '%s': rc %d at %d:%d, want %d:%d",
				 cases[i].path, rc, line, col, cases[i].line,
				 cases[i].col);
	}
	/* The text really is the JSON the comment shows. */
	json_error_t je;
	json_t *root = json_loads(locate_text, 0, &je);
	assert_non_null(root);
	assert_true(json_is_true(json_object_get(json_object_get(
		json_array_get(json_object_get(root, "d"), 1), "f"), "g")));
	assert_non_null(json_object_get(root, "k\"q"));
	json_decref(root);
}

static void test_locate_missing(void **state)
{
	static const char *const missing[] = {
		"nope", "a.c", "a.b[3]", "a.b[0].c", "d[2]", "a[0]", "d.e",
		"a.b[2][1][2]", "z.y", "a..b",
	};
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		int line = -7, col = -7;
		if (scenario_locate(locate_text, missing[i], &line, &col) != -1)
			fail_msg("locate '%s' found %d:%d", missing[i], line,
				 col);
	}
}

/* ---- typed getters -------------------------------------------------------- */

static const char getter_text[] =
	"{\n"
	"  \"sec\": {\"d_bare\": 1.5, \"d_int\": 12, \"d_str\": \"78m\",\n"
	"          \"size\": \"6.67MB\", \"rate\": \"60/min\",\n"
	"          \"fee\": \"0.01eth\", \"fee_big\": \"20eth\",\n"
	"          \"i_real\": 3.0, \"i_frac\": 3.5, \"i\": 7,\n"
	"          \"x\": 0.25, \"s\": \"str\", \"b\": true,\n"
	"          \"fork\": \"prectra\", \"neg\": -2, \"tiny\": 1e-12,\n"
	"          \"arr\": [{\"k\": 1}, 2], \"o\": {\"p\": \"q\"}}\n"
	"}\n";

static void test_getters(void **state)
{
	struct scenario *scn = load(getter_text);
	struct scn_obj root = scn_root(scn), sec;
	struct l2s_error err;
	bool present;
	l2s_error_clear(&err);
	assert_int_equal(scn_get_obj(&root, "sec", &sec, &present, &err), 0);
	assert_true(present);
	assert_string_equal(sec.path, "sec");

	sim_time_t t;
	assert_int_equal(scn_get_duration(&sec, "d_bare", 0, 0, SIM_DAY, &t,
					  &err), 0);
	assert_int_equal(t, 1500 * SIM_MS);
	assert_int_equal(scn_get_duration(&sec, "d_int", 0, 0, SIM_DAY, &t,
					  &err), 0);
	assert_int_equal(t, 12 * SIM_S);
	assert_int_equal(scn_get_duration(&sec, "d_str", 0, 0, SIM_DAY, &t,
					  &err), 0);
	assert_int_equal(t, 78 * SIM_MIN);
	/* Missing: the default, even outside [min, max]. */
	assert_int_equal(scn_get_duration(&sec, "absent", 5, 10, 20, &t, &err),
			 0);
	assert_int_equal(t, 5);
	/* Out of range, with the range in the message. */
	assert_int_equal(scn_get_duration(&sec, "d_str", 0, SIM_S, SIM_HOUR, &t,
					  &err), L2S_EINPUT);
	assert_string_equal(err.msg, "'d_str' is out of range [1s, 1h]");
	assert_string_equal(err.path, "sec.d_str");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 39);
	/* 1e-12 s is not a whole number of ns. */
	assert_int_equal(scn_get_duration(&sec, "tiny", 0, 0, SIM_DAY, &t,
					  &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "not a whole number"));
	assert_int_equal(scn_get_duration(&sec, "neg", 0, 0, SIM_DAY, &t, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "'neg' must not be negative");

	int64_t i64;
	assert_int_equal(scn_get_size(&sec, "size", 0, 0, INT64_MAX, &i64, &err),
			 0);
	assert_int_equal(i64, 6670000);
	assert_int_equal(scn_get_rate(&sec, "rate", 0, 0, INT64_MAX, &i64, &err),
			 0);
	assert_int_equal(i64, SCN_RATE_ONE);
	/* A size is not a rate. */
	assert_int_equal(scn_get_rate(&sec, "size", 0, 0, INT64_MAX, &i64,
				      &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "unknown rate unit 'MB'"));
	assert_string_equal(err.hint, "for example \"500tps\"");

	uint64_t fee;
	assert_int_equal(scn_get_fee(&sec, "fee", 0, UINT64_MAX, &fee, &err), 0);
	assert_true(fee == UINT64_C(10000000000000000));
	/* 20 eth = 2e19 wei does not fit in 64 bits. */
	assert_int_equal(scn_get_fee(&sec, "fee_big", 0, UINT64_MAX, &fee,
				     &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "too large"));
	assert_int_equal(scn_get_fee(&sec, "fee", 0, 1000, &fee, &err),
			 L2S_EINPUT);
	assert_non_null(strstr(err.msg, "out of range [0, 1000 wei]"));

	assert_int_equal(scn_get_int(&sec, "i_real", 0, 0, 10, &i64, &err), 0);
	assert_int_equal(i64, 3);
	assert_int_equal(scn_get_int(&sec, "i_frac", 0, 0, 10, &i64, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "'i_frac' must be an integer, not a number");
	assert_int_equal(scn_get_int(&sec, "i", 0, 0, 5, &i64, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "'i' is out of range [0, 5]");

	double x;
	assert_int_equal(scn_get_double(&sec, "x", 0, 0, 1, &x, &err), 0);
	assert_true(x == 0.25);
	assert_int_equal(scn_get_double(&sec, "i", 0, 0, 10, &x, &err), 0);
	assert_true(x == 7.0);
	assert_int_equal(scn_get_double(&sec, "s", 0, 0, 1, &x, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "'s' must be a number, not a string");

	bool b;
	assert_int_equal(scn_get_bool(&sec, "b", false, &b, &err), 0);
	assert_true(b);
	assert_int_equal(scn_get_bool(&sec, "i", false, &b, &err), L2S_EINPUT);
	assert_string_equal(err.msg, "'i' must be true or false, not an integer");

	const char *s;
	assert_int_equal(scn_get_string(&sec, "s", NULL, &s, &err), 0);
	assert_string_equal(s, "str");
	assert_int_equal(scn_get_string(&sec, "absent", "dflt", &s, &err), 0);
	assert_string_equal(s, "dflt");

	static const char *const forks[] = {"dencun", "pectra", "bpo1", NULL};
	int e;
	assert_int_equal(scn_get_enum(&sec, "absent", 2, forks, &e, &err), 0);
	assert_int_equal(e, 2);
	assert_int_equal(scn_get_enum(&sec, "fork", 0, forks, &e, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "unknown fork 'prectra'");
	assert_string_equal(err.hint, "did you mean 'pectra'?");
	assert_int_equal(scn_get_enum(&sec, "s", 0, forks, &e, &err),
			 L2S_EINPUT);
	assert_string_equal(err.hint, "one of: dencun, pectra, bpo1");
	scenario_destroy(scn);
}

static void test_objects_and_arrays(void **state)
{
	struct scenario *scn = load(getter_text);
	struct scn_obj root = scn_root(scn), sec, child;
	struct l2s_error err;
	bool present = true;
	l2s_error_clear(&err);
	scn_get_obj(&root, "sec", &sec, NULL, &err);

	/* A missing object reads as empty: getters give their defaults. */
	assert_int_equal(scn_get_obj(&sec, "nothing", &child, &present, &err),
			 0);
	assert_false(present);
	assert_string_equal(child.path, "sec.nothing");
	int64_t v;
	assert_int_equal(scn_get_int(&child, "k", 42, 0, 100, &v, &err), 0);
	assert_int_equal(v, 42);
	assert_false(scn_has(&child, "k"));

	assert_int_equal(scn_get_obj(&sec, "s", &child, &present, &err),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "'s' must be an object, not a string");

	assert_int_equal(scn_get_obj(&sec, "o", &child, &present, &err), 0);
	assert_true(present);
	static const char *const only_p[] = {"p", NULL};
	static const char *const only_q[] = {"q", NULL};
	assert_int_equal(scn_check_keys(&child, only_p, &err), 0);
	assert_int_equal(scn_check_keys(&child, only_q, &err), L2S_EINPUT);
	assert_string_equal(err.path, "sec.o.p");
	assert_int_equal(err.line, 8);
	assert_int_equal(err.column, 39);

	size_t n = 9;
	assert_int_equal(scn_get_array(&sec, "arr", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(scn_get_array(&sec, "missing", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(scn_get_array(&sec, "o", &n, &err), L2S_EINPUT);
	assert_string_equal(err.msg, "'o' must be an array, not an object");

	assert_int_equal(scn_get_elem(&sec, "arr", 0, &child, &err), 0);
	assert_string_equal(child.path, "sec.arr[0]");
	assert_int_equal(scn_get_int(&child, "k", 0, 0, 10, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(scn_get_elem(&sec, "arr", 1, &child, &err), L2S_EINPUT);
	assert_string_equal(err.msg, "'arr[1]' must be an object, not an integer");
	assert_string_equal(err.path, "sec.arr[1]");
	assert_int_equal(err.line, 8);
	assert_int_equal(err.column, 29);

	/* scn_fail locates nested values and formats the message. */
	assert_int_equal(scn_fail(&sec, "b", &err, "bad %s %d", "thing", 3),
			 L2S_EINPUT);
	assert_string_equal(err.msg, "bad thing 3");
	assert_string_equal(err.path, "sec.b");
	assert_string_equal(err.file, "s.json");
	assert_int_equal(err.line, 6);
	assert_int_equal(err.column, 34);
	scenario_destroy(scn);
}

static void test_closest(void **state)
{
	static const char *const keys[] = {"duration", "warmup", "seed", NULL};
	assert_string_equal(l2s_closest("duraton", keys), "duration");
	assert_string_equal(l2s_closest("seeds", keys), "seed");
	assert_null(l2s_closest("xyzzy", keys));
	assert_int_equal(l2s_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(l2s_edit_distance("", "abc"), 3);
	assert_int_equal(l2s_edit_distance("same", "same"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_scenario),
		cmocka_unit_test(test_bad_scenarios),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_bad),
		cmocka_unit_test(test_set_unknown_key_caught_by_validation),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_locate_missing),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_objects_and_arrays),
		cmocka_unit_test(test_closest),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
