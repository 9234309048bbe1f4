/*
 * Scenario files: loading (jansson), --set overrides, sweeps, and a typed
 * reader with the unit grammar of docs/scenario-format.md.  Every failure names the file,
 * the line and column of the offending value, its JSON path and, for a
 * mistyped key, the closest valid key.
 *
 * Models read their own sections through struct scn_obj, so sim/ needs to
 * know nothing of what a section means.  Values with units come out as exact
 * integers:
 *   durations -> sim_time_t nanoseconds   ("12s", "78m", "6h", "7d", "250ms")
 *   sizes     -> int64 bytes              ("128KiB", "6.67MB", "1GiB")
 *   rates     -> int64 micro-units per s  ("500tps", "15MB/s", "2.5/s")
 *   fees      -> uint64 wei               ("10gwei", "1wei", "0.01eth")
 * A bare JSON number is taken in base units (seconds for durations).
 */
#ifndef L2SIM_SCENARIO_H
#define L2SIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "l2sim/error.h"
#include "l2sim/time.h"

/* Rates are stored in millionths of a unit per second. */
#define SCN_RATE_ONE INT64_C(1000000)

struct scenario {
	char *file;       /* as given on the command line */
	char *text;       /* the file's bytes, for locating values */
	json_t *root;     /* owned */
	char *name;       /* "name", or the file's base name */
	char *sha256;     /* hex digest of the file's bytes */
	struct scn_schema *schema; /* NULL; set by `l2sim schema` (sim/schema.c)
				    * to record what the getters read */
};

/* The largest scenario file read (bytes): a scenario of a million
 * workloads is about 40 MB. */
#define SCENARIO_MAX_BYTES (256 << 20)

/* Loads and parses 'file' (JSON syntax only; sections are checked by the
 * models).  Returns 0, L2S_EINPUT or L2S_EIO. */
int scenario_load(const char *file, struct scenario **out,
		  struct l2s_error *err);

/* Parses JSON text held in memory; 'file' is used in messages. */
int scenario_load_text(const char *file, const char *text,
		       struct scenario **out, struct l2s_error *err);

/* NULL does nothing. */
void scenario_destroy(struct scenario *scn);

/*
 * Applies "PATH=VALUE" to scn->root.  PATH uses dots and [i]
 * (systems[0].count); VALUE is JSON when it parses as JSON, otherwise a
 * string ("pectra", "12s").  Intermediate objects must exist; the last key
 * may be new (and is then checked like any other key).  Returns 0 or
 * L2S_EUSAGE.
 */
int scenario_set(struct scenario *scn, const char *assignment,
		 struct l2s_error *err);

/* Sets 'path' in 'root' to 'value' (stolen reference).  Used by --set and
 * by sweeps. */
int scenario_set_json(json_t *root, const char *path, json_t *value,
		      struct l2s_error *err);

/* Removes the member at 'path' ("a.b[2].c"; the last step must be a key)
 * from 'root'.  Returns 0, or -1 when there is no such member. */
int scenario_remove_json(json_t *root, const char *path);

/*
 * Finds the line and column (1-based) of the value at JSON path 'path'
 * ("systems[1].batcher") in JSON text.  Returns 0 and fills line/col, or -1
 * when the path does not occur in the text (values added by --set).
 */
int scenario_locate(const char *text, const char *path, int *line, int *col);
/* Like scenario_locate() for the longest prefix of 'path' that is in the
 * text (a value set by --set or a sweep is not); 0:0 when none is. */
void scenario_locate_nearest(const char *text, const char *path, int *line,
			     int *col);

/* A JSON object being read, with its path for messages. */
struct scn_obj {
	const struct scenario *scn;
	json_t *obj;
	char path[256];
};

/* The root object. */
struct scn_obj scn_root(const struct scenario *scn);

/* Fills err with 'msg' located at path/key (key may be NULL). */
int scn_fail(const struct scn_obj *o, const char *key, struct l2s_error *err,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Rejects any key of o not in 'allowed' (NULL-terminated), suggesting the
 * closest allowed key. */
int scn_check_keys(const struct scn_obj *o, const char *const *allowed,
		   struct l2s_error *err);

/* true when o has 'key'. */
bool scn_has(const struct scn_obj *o, const char *key);

/*
 * Typed getters.  A missing key gives 'dflt' (returns 0).  A value of the
 * wrong type, an unknown unit, or a value outside [min, max] is an error.
 */
int scn_get_duration(const struct scn_obj *o, const char *key,
		     sim_time_t dflt, sim_time_t min, sim_time_t max,
		     sim_time_t *out, struct l2s_error *err);
int scn_get_size(const struct scn_obj *o, const char *key, int64_t dflt,
		 int64_t min, int64_t max, int64_t *out, struct l2s_error *err);
int scn_get_rate(const struct scn_obj *o, const char *key, int64_t dflt,
		 int64_t min, int64_t max, int64_t *out, struct l2s_error *err);
int scn_get_fee(const struct scn_obj *o, const char *key, uint64_t dflt,
		uint64_t max, uint64_t *out, struct l2s_error *err);
int scn_get_int(const struct scn_obj *o, const char *key, int64_t dflt,
		int64_t min, int64_t max, int64_t *out, struct l2s_error *err);
int scn_get_double(const struct scn_obj *o, const char *key, double dflt,
		   double min, double max, double *out, struct l2s_error *err);
int scn_get_bool(const struct scn_obj *o, const char *key, bool dflt,
		 bool *out, struct l2s_error *err);
/* *out points into the JSON tree (valid while the scenario lives). */
int scn_get_string(const struct scn_obj *o, const char *key,
		   const char *dflt, const char **out, struct l2s_error *err);
/* One of 'choices' (NULL-terminated); *out is its index. */
int scn_get_enum(const struct scn_obj *o, const char *key, int dflt,
		 const char *const *choices, int *out, struct l2s_error *err);

/* Child object at 'key'.  Missing: *present = false and child->obj = an
 * empty object, so getters give defaults.  Not an object: error. */
int scn_get_obj(const struct scn_obj *o, const char *key, struct scn_obj *child,
		bool *present, struct l2s_error *err);

/* Array at 'key': *n elements (0 when missing).  Not an array: error. */
int scn_get_array(const struct scn_obj *o, const char *key, size_t *n,
		  struct l2s_error *err);
/* Element i of array 'key', which must be an object. */
int scn_get_elem(const struct scn_obj *o, const char *key, size_t i,
		 struct scn_obj *child, struct l2s_error *err);

/* Unit grammar on plain strings (for tests and --set).  'what' names the
 * kind in messages. */
int units_parse_duration(const char *s, sim_time_t *out, char *why, int len);
int units_parse_size(const char *s, int64_t *out, char *why, int len);
int units_parse_rate(const char *s, int64_t *out, char *why, int len);
int units_parse_fee(const char *s, uint64_t *out, char *why, int len);

/* The i-th unit name of a kind (0 durations, 1 sizes, 2 rates, 3 fees), or
 * NULL past the last: the tables the parsers use, for the JSON Schema. */
const char *units_name(int kind, size_t i);
/* Sizes, rates and fees accept unit names in any letter case; durations
 * only as listed. */
#define UNITS_CASE_SENSITIVE(kind) ((kind) == 0)

/* What a getter read, for the JSON Schema (sim/schema.c). */
enum scn_kind {
	SCN_KEYS,       /* scn_check_keys: 'list' is the allowed keys */
	SCN_DURATION, SCN_SIZE, SCN_RATE, SCN_FEE, /* min, max, dflt: base units */
	SCN_INT, SCN_DOUBLE, SCN_BOOL, SCN_STRING,
	SCN_ENUM,       /* 'list' is the choices, dflt the default's index */
	SCN_OBJECT, SCN_ARRAY, SCN_ELEM,
};
struct scn_note {
	enum scn_kind kind;
	const char *const *list;
	double min, max, dflt;
	int has_dflt;
	const char *dflt_text; /* strings */
};
/* For a string that a model matches against 'choices' by hand: records
 * the choices as an enum for the schema (does nothing otherwise). */
void scn_note_choices(const struct scn_obj *o, const char *key,
		      const char *const *choices);
/* Records that the loader read 'key' of 'o' (NULL for SCN_KEYS and
 * SCN_ELEM) as 'n'; does nothing unless o->scn->schema is set. */
void scn_schema_note(const struct scn_obj *o, const char *key,
		     const struct scn_note *n);

#endif
