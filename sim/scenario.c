/*
 * Scenario files: loading, locating values for messages, --set overrides,
 * and the typed reader models use for their sections.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "l2sim/scenario.h"
#include "l2sim/sha256.h"

/* ---- loading ---------------------------------------------------------- */

static char *base_name(const char *file)
{
	const char *b = strrchr(file, '/');
	b = b ? b + 1 : file;
	char *name = strdup(b);
	if (!name)
		return NULL;
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	return name;
}

int scenario_load_text(const char *file, const char *text,
		       struct scenario **out, struct l2s_error *err)
{
	*out = NULL;
	struct scenario *scn = calloc(1, sizeof(*scn));
	if (!scn)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	scn->file = strdup(file);
	scn->text = strdup(text);
	if (!scn->file || !scn->text) {
		scenario_destroy(scn);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	json_error_t je;
	scn->root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!scn->root) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = je.line;
		err->column = je.column;
		l2s_error_set(err, L2S_EINPUT, "invalid JSON: %s", je.text);
		if (strstr(je.text, "duplicate"))
			l2s_error_hint(err, "each key may appear once per object");
		else
			l2s_error_hint(err, "check for a missing comma, quote "
					    "or bracket near this point");
		scenario_destroy(scn);
		return L2S_EINPUT;
	}
	if (!json_is_object(scn->root)) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = 1;
		err->column = 1;
		scenario_destroy(scn);
		return l2s_error_set(err, L2S_EINPUT,
				     "a scenario must be a JSON object");
	}
	json_t *name = json_object_get(scn->root, "name");
	scn->name = json_is_string(name) ? strdup(json_string_value(name))
					 : base_name(file);
	char hex[65];
	sha256_hex(text, strlen(text), hex);
	scn->sha256 = strdup(hex);
	if (!scn->name || !scn->sha256) {
		scenario_destroy(scn);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = scn;
	return 0;
}

int scenario_load(const char *file, struct scenario **out,
		  struct l2s_error *err)
{
	*out = NULL;
	FILE *f = fopen(file, "rb");
	if (!f) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		int code = errno == ENOENT || errno == ENOTDIR ||
			errno == EISDIR ? L2S_EINPUT : L2S_EIO;
		return l2s_error_set(err, code, "cannot open scenario: %s",
				     strerror(errno));
	}
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		snprintf(err->file, sizeof(err->file), "%s", file);
		return l2s_error_set(err, L2S_EINPUT, "is a directory, not a "
				     "scenario file");
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n >= SCENARIO_MAX_BYTES) {
			/* /dev/zero or a runaway file: a bound, not a hang */
			free(buf);
			fclose(f);
			snprintf(err->file, sizeof(err->file), "%s", file);
			return l2s_error_set(err, L2S_EINPUT, "scenario is "
					     "larger than %d MiB",
					     SCENARIO_MAX_BYTES >> 20);
		}
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (!buf)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if (bad) {
		free(buf);
		snprintf(err->file, sizeof(err->file), "%s", file);
		return l2s_error_set(err, L2S_EIO, "cannot read scenario");
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		snprintf(err->file, sizeof(err->file), "%s", file);
		return l2s_error_set(err, L2S_EINPUT,
				     "scenario contains a NUL byte");
	}
	int rc = scenario_load_text(file, buf, out, err);
	free(buf);
	return rc;
}

void scenario_destroy(struct scenario *scn)
{
	if (!scn)
		return;
	json_decref(scn->root);
	free(scn->file);
	free(scn->text);
	free(scn->name);
	free(scn->sha256);
	free(scn);
}

/* ---- paths ------------------------------------------------------------ */

struct path_tok {
	int is_index;
	size_t index;
	char key[128];
};

/* Splits "a.b[2].c" into tokens; returns the count or -1. */
static int path_split(const char *path, struct path_tok *toks, int max)
{
	int n = 0;
	const char *p = path;
	while (*p) {
		if (n == max)
			return -1;
		struct path_tok *t = &toks[n];
		memset(t, 0, sizeof(*t));
		if (*p == '[') {
			char *end;
			/* digits only: strtoull would take "-1" as 2^64 - 1 */
			if (p[1] < '0' || p[1] > '9')
				return -1;
			errno = 0;
			unsigned long long v = strtoull(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || errno)
				return -1;
			t->is_index = 1;
			t->index = (size_t)v;
			p = end + 1;
		} else {
			if (*p == '.') {
				if (n == 0)
					return -1;
				p++;
			}
			size_t k = 0;
			while (*p && *p != '.' && *p != '[') {
				if (k + 1 >= sizeof(t->key))
					return -1;
				t->key[k++] = *p++;
			}
			if (k == 0)
				return -1;
		}
		n++;
	}
	return n;
}

/* ---- locating values in the text -------------------------------------- */

struct cursor {
	const char *p;
	int line;
	int col;
};

static void adv(struct cursor *c)
{
	if (*c->p == '\n') {
		c->line++;
		c->col = 1;
	} else if (((unsigned char)*c->p & 0xC0) != 0x80) {
		c->col++;
	}
	c->p++;
}

static void skip_ws(struct cursor *c)
{
	while (*c->p && isspace((unsigned char)*c->p))
		adv(c);
}

/* Four hex digits at p, or -1. */
static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
			: p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
			: p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10
						     : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Decodes \uXXXX (c at the 'u'; a surrogate pair when one follows) to
 * UTF-8 in out, leaving c at the last hex digit.  Returns the byte count,
 * 0 when the escape is malformed (c not moved). */
static int read_u_escape(struct cursor *c, char out[4])
{
	long cp = hex4(c->p + 1);
	if (cp < 0)
		return 0;
	int steps = 4;
	if (cp >= 0xD800 && cp < 0xDC00 && c->p[5] == '\\' && c->p[6] == 'u') {
		long lo = hex4(c->p + 7);
		if (lo >= 0xDC00 && lo < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			steps = 10;
		}
	}
	for (int i = 0; i < steps; i++)
		adv(c);
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Reads a JSON string at c (which points at '"') into buf, escapes
 * decoded as jansson decodes them, so keys compare equal to the tree's. */
static void read_string(struct cursor *c, char *buf, size_t cap)
{
	size_t n = 0;
	adv(c); /* opening quote */
	while (*c->p && *c->p != '"') {
		char ch = *c->p;
		if (ch == '\\' && c->p[1]) {
			adv(c);
			char u[4];
			int k = *c->p == 'u' ? read_u_escape(c, u) : 0;
			if (k) {
				for (int i = 0; i < k; i++)
					if (n + 1 < cap)
						buf[n++] = u[i];
				adv(c);
				continue;
			}
			switch (*c->p) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			default: ch = *c->p; break;
			}
		}
		if (n + 1 < cap)
			buf[n++] = ch;
		adv(c);
	}
	if (*c->p == '"')
		adv(c);
	buf[n] = '\0';
}

static void skip_value(struct cursor *c)
{
	skip_ws(c);
	if (*c->p == '"') {
		char tmp[8];
		read_string(c, tmp, sizeof(tmp));
		return;
	}
	if (*c->p == '{' || *c->p == '[') {
		int depth = 0;
		while (*c->p) {
			if (*c->p == '"') {
				char tmp[8];
				read_string(c, tmp, sizeof(tmp));
				continue;
			}
			if (*c->p == '{' || *c->p == '[')
				depth++;
			else if (*c->p == '}' || *c->p == ']') {
				depth--;
				if (depth == 0) {
					adv(c);
					return;
				}
			}
			adv(c);
		}
		return;
	}
	while (*c->p && !strchr(",}] \t\r\n", *c->p))
		adv(c);
}

int scenario_locate(const char *text, const char *path, int *line, int *col)
{
	struct path_tok toks[32];
	int n = path[0] ? path_split(path, toks, 32) : 0;
	if (n < 0)
		return -1;
	struct cursor c = {text, 1, 1};
	skip_ws(&c);
	for (int i = 0; i < n; i++) {
		skip_ws(&c);
		if (toks[i].is_index) {
			if (*c.p != '[')
				return -1;
			adv(&c);
			for (size_t k = 0;; k++) {
				skip_ws(&c);
				if (*c.p == ']' || !*c.p)
					return -1;
				if (k == toks[i].index)
					break;
				skip_value(&c);
				skip_ws(&c);
				if (*c.p == ',')
					adv(&c);
			}
			if (i == n - 1) {
				*line = c.line;
				*col = c.col;
				return 0;
			}
		} else {
			if (*c.p != '{')
				return -1;
			adv(&c);
			int found = 0;
			while (!found) {
				skip_ws(&c);
				if (*c.p != '"')
					return -1;
				struct cursor at = c;
				char key[256];
				read_string(&c, key, sizeof(key));
				skip_ws(&c);
				if (*c.p == ':')
					adv(&c);
				if (!strcmp(key, toks[i].key)) {
					found = 1;
					if (i == n - 1) {
						*line = at.line;
						*col = at.col;
						return 0;
					}
					break;
				}
				skip_value(&c);
				skip_ws(&c);
				if (*c.p == ',')
					adv(&c);
				else
					return -1;
			}
		}
	}
	*line = c.line;
	*col = c.col;
	return 0;
}

void scenario_locate_nearest(const char *text, const char *path, int *line,
			     int *col)
{
	char p[256];
	snprintf(p, sizeof(p), "%s", path ? path : "");
	*line = *col = 0;
	while (p[0]) {
		if (scenario_locate(text, p, line, col) == 0)
			return;
		char *dot = strrchr(p, '.'), *br = strrchr(p, '[');
		char *cut = dot > br ? dot : br;
		if (!cut)
			break;
		*cut = '\0';
	}
	*line = *col = 0;
}

/* ---- --set -------------------------------------------------------------- */

int scenario_set_json(json_t *root, const char *path, json_t *value,
		      struct l2s_error *err)
{
	struct path_tok toks[32];
	int n = path_split(path, toks, 32);
	if (n <= 0) {
		json_decref(value);
		snprintf(err->path, sizeof(err->path), "%s", path);
		l2s_error_hint(err, "paths look like systems[0].count or "
				    "l1.fork; indexes count from 0");
		return l2s_error_set(err, L2S_EUSAGE, "malformed path '%s'",
				     path);
	}
	json_t *cur = root;
	char sofar[256] = "";
	for (int i = 0; i < n; i++) {
		struct path_tok *t = &toks[i];
		int last = i == n - 1;
		size_t len = strlen(sofar);
		if (t->is_index)
			snprintf(sofar + len, sizeof(sofar) - len, "[%zu]",
				 t->index);
		else
			snprintf(sofar + len, sizeof(sofar) - len, "%s%s",
				 len ? "." : "", t->key);
		if (t->is_index) {
			if (!json_is_array(cur) || t->index >= json_array_size(cur)) {
				json_decref(value);
				snprintf(err->path, sizeof(err->path), "%s", sofar);
				return l2s_error_set(
					err, L2S_EUSAGE, "'%s' is not an element "
					"of an array in the scenario", sofar);
			}
			if (last)
				return json_array_set_new(cur, t->index, value)
					       ? l2s_error_set(err, L2S_ENOMEM,
							       "out of memory")
					       : 0;
			cur = json_array_get(cur, t->index);
		} else {
			if (!json_is_object(cur)) {
				json_decref(value);
				snprintf(err->path, sizeof(err->path), "%s", sofar);
				return l2s_error_set(err, L2S_EUSAGE,
						     "'%s' is not inside an object",
						     sofar);
			}
			if (last)
				return json_object_set_new(cur, t->key, value)
					       ? l2s_error_set(err, L2S_ENOMEM,
							       "out of memory")
					       : 0;
			json_t *next = json_object_get(cur, t->key);
			if (!next) {
				/* Create missing objects along the way, so
				 * --set l1.fork=pectra works without "l1". */
				next = json_object();
				if (!next || json_object_set_new(cur, t->key, next)) {
					json_decref(value);
					return l2s_error_set(err, L2S_ENOMEM,
							     "out of memory");
				}
			}
			cur = next;
		}
	}
	json_decref(value);
	return 0;
}

int scenario_remove_json(json_t *root, const char *path)
{
	char buf[256], *p = buf, *last_key = NULL;
	json_t *cur = root, *parent = NULL;

	if (!*path || snprintf(buf, sizeof(buf), "%s", path) >=
	    (int)sizeof(buf))
		return -1;
	while (*p) {
		if (*p == '[') {
			char *end;
			unsigned long i = strtoul(p + 1, &end, 10);
			if (*end != ']' || !json_is_array(cur))
				return -1;
			parent = cur;
			last_key = NULL;
			cur = json_array_get(cur, i);
			p = end + 1;
		} else {
			if (*p == '.')
				p++;
			size_t len = strcspn(p, ".[");
			char save = p[len];
			p[len] = '\0';
			if (!json_is_object(cur))
				return -1;
			parent = cur;
			last_key = p;
			cur = json_object_get(cur, p);
			if (save == '\0')
				break;
			p[len] = save;
			p += len;
		}
		if (!cur)
			return -1;
	}
	if (!cur || !parent || !last_key)
		return -1; /* the whole file, or an array element */
	return json_object_del(parent, last_key);
}

int scenario_set(struct scenario *scn, const char *assignment,
		 struct l2s_error *err)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		l2s_error_hint(err, "write --set PATH=VALUE, e.g. "
				    "--set systems[0].count=8");
		return l2s_error_set(err, L2S_EUSAGE,
				     "--set needs PATH=VALUE, got '%s'",
				     assignment);
	}
	char path[256];
	size_t plen = (size_t)(eq - assignment);
	if (plen >= sizeof(path))
		return l2s_error_set(err, L2S_EUSAGE, "--set path too long");
	memcpy(path, assignment, plen);
	path[plen] = '\0';
	const char *val = eq + 1;
	json_t *v = json_loads(val, JSON_DECODE_ANY, NULL);
	if (!v)
		v = json_string(val);
	if (!v)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc = scenario_set_json(scn->root, path, v, err);
	if (rc && rc != L2S_ENOMEM && err) {
		/* name the file, the --set and where in the file it lands */
		char m[sizeof(err->msg)];
		snprintf(m, sizeof(m), "--set '%s': %s", assignment, err->msg);
		snprintf(err->msg, sizeof(err->msg), "%s", m);
		snprintf(err->file, sizeof(err->file), "%s", scn->file);
		scenario_locate_nearest(scn->text, path, &err->line,
					&err->column);
	}
	if (rc == 0 && !strcmp(path, "name") && json_is_string(
		json_object_get(scn->root, "name"))) {
		char *nm = strdup(json_string_value(
			json_object_get(scn->root, "name")));
		if (nm) {
			free(scn->name);
			scn->name = nm;
		}
	}
	return rc;
}

/* ---- the typed reader --------------------------------------------------- */

struct scn_obj scn_root(const struct scenario *scn)
{
	struct scn_obj o = {.scn = scn, .obj = scn->root, .path = ""};
	return o;
}

/* base.key (or either alone), cut to cap - 1 characters.  On the path of
 * every getter, and paths are short: a plain loop (snprintf, or memcpy
 * inlined as a string move, cost more than the copy). */
static void join_path(char *buf, size_t cap, const char *base,
		      const char *key)
{
	size_t n = 0;
	for (const char *p = base; *p && n + 1 < cap; p++)
		buf[n++] = *p;
	if (key) {
		if (n && n + 1 < cap)
			buf[n++] = '.';
		for (const char *p = key; *p && n + 1 < cap; p++)
			buf[n++] = *p;
	}
	buf[n] = '\0';
}

static int vfail(const struct scn_obj *o, const char *key,
		 struct l2s_error *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	join_path(err->path, sizeof(err->path), o->path, key);
	err->line = err->column = 0;
	if (o->scn) {
		snprintf(err->file, sizeof(err->file), "%s", o->scn->file);
		/* a value put there by --set or a sweep is not in the text:
		 * point at the closest enclosing value that is */
		if (o->scn->text)
			scenario_locate_nearest(o->scn->text, err->path,
						&err->line, &err->column);
	}
	return code;
}

int scn_fail(const struct scn_obj *o, const char *key, struct l2s_error *err,
	     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(o, key, err, L2S_EINPUT, fmt, ap);
	va_end(ap);
	return rc;
}

/* Records a getter's read for `l2sim schema` when asked to. */
#define NOTE(o, key, ...) do { \
	if ((o)->scn && (o)->scn->schema) { \
		struct scn_note note_ = {__VA_ARGS__}; \
		scn_schema_note((o), (key), &note_); \
	} \
} while (0)

void scn_note_choices(const struct scn_obj *o, const char *key,
		      const char *const *choices)
{
	NOTE(o, key, .kind = SCN_ENUM, .list = choices);
}

int scn_check_keys(const struct scn_obj *o, const char *const *allowed,
		   struct l2s_error *err)
{
	const char *key;
	json_t *v;
	NOTE(o, NULL, .kind = SCN_KEYS, .list = allowed);
	json_object_foreach(o->obj, key, v) {
		int ok = 0;
		/* the first letter before strcmp(): most keys differ there */
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = allowed[i][0] == key[0] && !strcmp(key, allowed[i]);
		if (ok)
			continue;
		int rc = scn_fail(o, key, err, "unknown key '%s'", key);
		const char *near = l2s_closest(key, allowed);
		if (near) {
			l2s_error_hint(err, "did you mean '%s'?", near);
		} else {
			char list[200] = "";
			for (size_t i = 0; allowed[i]; i++) {
				size_t len = strlen(list);
				if (len + strlen(allowed[i]) + 6 >= sizeof(list)) {
					snprintf(list + len, sizeof(list) - len,
						 ", ...");
					break;
				}
				snprintf(list + len, sizeof(list) - len, "%s%s",
					 i ? ", " : "", allowed[i]);
			}
			l2s_error_hint(err, "valid keys here: %s", list);
		}
		return rc;
	}
	return 0;
}

bool scn_has(const struct scn_obj *o, const char *key)
{
	return json_object_get(o->obj, key) != NULL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* A JSON number as text, so bare numbers go through the same exact parse. */
static int number_text(const json_t *v, char *buf, size_t cap)
{
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		return 0;
	}
	double d = json_real_value(v);
	if (!isfinite(d))
		return -1;
	snprintf(buf, cap, "%.17g", d);
	/* %.17g may print 0.10000000000000001 for 0.1: use the shortest
	 * form that reads back to the same double. */
	for (int prec = 1; prec <= 17; prec++) {
		char t[64];
		snprintf(t, sizeof(t), "%.*g", prec, d);
		if (strtod(t, NULL) == d) {
			snprintf(buf, cap, "%s", t);
			break;
		}
	}
	return 0;
}

typedef int unit_parser(const char *s, void *out, char *why, int len);

static int get_unit(const struct scn_obj *o, const char *key,
		    const char *kind, const char *example,
		    int (*parse)(const char *, void *, char *, int), void *out,
		    struct l2s_error *err)
{
	json_t *v = json_object_get(o->obj, key);
	char text[64];
	const char *s;
	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_number(v)) {
		if (number_text(v, text, sizeof(text)))
			return scn_fail(o, key, err, "'%s' is not finite", key);
		if (text[0] == '-')
			return scn_fail(o, key, err, "'%s' must not be negative",
					key);
		s = text;
	} else {
		int rc = scn_fail(o, key, err, "'%s' must be a %s, not %s", key,
				  kind, type_name(v));
		l2s_error_hint(err, "for example \"%s\"", example);
		return rc;
	}
	char why[256];
	if (parse(s, out, why, sizeof(why))) {
		int rc = scn_fail(o, key, err, "bad %s '%s': %s", kind, s, why);
		l2s_error_hint(err, "for example \"%s\"", example);
		return rc;
	}
	return 0;
}

static int p_dur(const char *s, void *out, char *why, int len)
{
	return units_parse_duration(s, out, why, len);
}
static int p_size(const char *s, void *out, char *why, int len)
{
	return units_parse_size(s, out, why, len);
}
static int p_rate(const char *s, void *out, char *why, int len)
{
	return units_parse_rate(s, out, why, len);
}
static int p_fee(const char *s, void *out, char *why, int len)
{
	return units_parse_fee(s, out, why, len);
}

static int range_fail(const struct scn_obj *o, const char *key,
		      struct l2s_error *err, const char *lo, const char *hi)
{
	return scn_fail(o, key, err, "'%s' is out of range [%s, %s]", key, lo,
			hi);
}

static void fmt_dur(char *buf, size_t cap, sim_time_t t)
{
	if (t == SIM_TIME_MAX)
		snprintf(buf, cap, "inf");
	else if (t % SIM_DAY == 0 && t)
		snprintf(buf, cap, "%lldd", (long long)(t / SIM_DAY));
	else if (t % SIM_HOUR == 0 && t)
		snprintf(buf, cap, "%lldh", (long long)(t / SIM_HOUR));
	else if (t % SIM_S == 0)
		snprintf(buf, cap, "%llds", (long long)(t / SIM_S));
	else if (t % SIM_MS == 0)
		snprintf(buf, cap, "%lldms", (long long)(t / SIM_MS));
	else
		snprintf(buf, cap, "%lldns", (long long)t);
}

int scn_get_duration(const struct scn_obj *o, const char *key,
		     sim_time_t dflt, sim_time_t min, sim_time_t max,
		     sim_time_t *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_DURATION, .min = (double)min, .max = (double)max,
	     .dflt = (double)dflt, .has_dflt = 1);
	if (!scn_has(o, key)) {
		*out = dflt;
		return 0;
	}
	sim_time_t v;
	int rc = get_unit(o, key, "duration", "12s", p_dur, &v, err);
	if (rc)
		return rc;
	if (v < min || v > max) {
		char lo[32], hi[32];
		fmt_dur(lo, sizeof(lo), min);
		fmt_dur(hi, sizeof(hi), max);
		return range_fail(o, key, err, lo, hi);
	}
	*out = v;
	return 0;
}

int scn_get_size(const struct scn_obj *o, const char *key, int64_t dflt,
		 int64_t min, int64_t max, int64_t *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_SIZE, .min = (double)min, .max = (double)max,
	     .dflt = (double)dflt, .has_dflt = 1);
	if (!scn_has(o, key)) {
		*out = dflt;
		return 0;
	}
	int64_t v;
	int rc = get_unit(o, key, "size", "128KiB", p_size, &v, err);
	if (rc)
		return rc;
	if (v < min || v > max) {
		char lo[32], hi[32];
		snprintf(lo, sizeof(lo), "%lldB", (long long)min);
		snprintf(hi, sizeof(hi), "%lldB", (long long)max);
		return range_fail(o, key, err, lo, hi);
	}
	*out = v;
	return 0;
}

int scn_get_rate(const struct scn_obj *o, const char *key, int64_t dflt,
		 int64_t min, int64_t max, int64_t *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_RATE, .min = (double)min, .max = (double)max,
	     .dflt = (double)dflt, .has_dflt = 1);
	if (!scn_has(o, key)) {
		*out = dflt;
		return 0;
	}
	int64_t v;
	int rc = get_unit(o, key, "rate", "500tps", p_rate, &v, err);
	if (rc)
		return rc;
	if (v < min || v > max) {
		char lo[40], hi[40];
		snprintf(lo, sizeof(lo), "%g/s", (double)min / SCN_RATE_ONE);
		snprintf(hi, sizeof(hi), "%g/s", (double)max / SCN_RATE_ONE);
		return range_fail(o, key, err, lo, hi);
	}
	*out = v;
	return 0;
}

int scn_get_fee(const struct scn_obj *o, const char *key, uint64_t dflt,
		uint64_t max, uint64_t *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_FEE, .min = 0, .max = (double)max,
	     .dflt = (double)dflt, .has_dflt = 1);
	if (!scn_has(o, key)) {
		*out = dflt;
		return 0;
	}
	uint64_t v;
	int rc = get_unit(o, key, "fee", "10gwei", p_fee, &v, err);
	if (rc)
		return rc;
	if (v > max) {
		char hi[40];
		snprintf(hi, sizeof(hi), "%llu wei", (unsigned long long)max);
		return range_fail(o, key, err, "0", hi);
	}
	*out = v;
	return 0;
}

int scn_get_int(const struct scn_obj *o, const char *key, int64_t dflt,
		int64_t min, int64_t max, int64_t *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_INT, .min = (double)min, .max = (double)max,
	     .dflt = (double)dflt, .has_dflt = 1);
	json_t *v = json_object_get(o->obj, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	int64_t x;
	if (json_is_integer(v)) {
		x = json_integer_value(v);
	} else if (json_is_real(v) && floor(json_real_value(v)) ==
					      json_real_value(v) &&
		   fabs(json_real_value(v)) < 9e15) {
		x = (int64_t)json_real_value(v);
	} else {
		return scn_fail(o, key, err, "'%s' must be an integer, not %s",
				key, type_name(v));
	}
	if (x < min || x > max) {
		char lo[32], hi[32];
		snprintf(lo, sizeof(lo), "%lld", (long long)min);
		snprintf(hi, sizeof(hi), "%lld", (long long)max);
		return range_fail(o, key, err, lo, hi);
	}
	*out = x;
	return 0;
}

int scn_get_double(const struct scn_obj *o, const char *key, double dflt,
		   double min, double max, double *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_DOUBLE, .min = min, .max = max, .dflt = dflt,
	     .has_dflt = 1);
	json_t *v = json_object_get(o->obj, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_number(v))
		return scn_fail(o, key, err, "'%s' must be a number, not %s",
				key, type_name(v));
	double x = json_number_value(v);
	if (!(x >= min && x <= max)) {
		char lo[32], hi[32];
		snprintf(lo, sizeof(lo), "%g", min);
		snprintf(hi, sizeof(hi), "%g", max);
		return range_fail(o, key, err, lo, hi);
	}
	*out = x;
	return 0;
}

int scn_get_bool(const struct scn_obj *o, const char *key, bool dflt,
		 bool *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_BOOL, .dflt = dflt, .has_dflt = 1);
	json_t *v = json_object_get(o->obj, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v))
		return scn_fail(o, key, err, "'%s' must be true or false, not %s",
				key, type_name(v));
	*out = json_is_true(v);
	return 0;
}

static int get_string(const struct scn_obj *o, const char *key,
		      const char *dflt, const char **out,
		      struct l2s_error *err);

int scn_get_string(const struct scn_obj *o, const char *key,
		   const char *dflt, const char **out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_STRING, .dflt_text = dflt);
	return get_string(o, key, dflt, out, err);
}

static int get_string(const struct scn_obj *o, const char *key,
		      const char *dflt, const char **out,
		      struct l2s_error *err)
{
	json_t *v = json_object_get(o->obj, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_string(v))
		return scn_fail(o, key, err, "'%s' must be a string, not %s",
				key, type_name(v));
	*out = json_string_value(v);
	return 0;
}

int scn_get_enum(const struct scn_obj *o, const char *key, int dflt,
		 const char *const *choices, int *out, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_ENUM, .list = choices, .dflt = dflt,
	     .has_dflt = dflt >= 0);
	const char *s;
	int rc = get_string(o, key, NULL, &s, err);
	if (rc)
		return rc;
	if (!s) {
		*out = dflt;
		return 0;
	}
	for (int i = 0; choices[i]; i++)
		if (!strcmp(s, choices[i])) {
			*out = i;
			return 0;
		}
	rc = scn_fail(o, key, err, "unknown %s '%s'", key, s);
	const char *near = l2s_closest(s, choices);
	if (near) {
		l2s_error_hint(err, "did you mean '%s'?", near);
	} else {
		char list[200] = "";
		for (int i = 0; choices[i]; i++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s",
				 i ? ", " : "", choices[i]);
		}
		l2s_error_hint(err, "one of: %s", list);
	}
	return rc;
}

int scn_get_obj(const struct scn_obj *o, const char *key, struct scn_obj *child,
		bool *present, struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_OBJECT);
	json_t *v = json_object_get(o->obj, key);
	child->scn = o->scn;
	join_path(child->path, sizeof(child->path), o->path, key);
	if (!v) {
		if (present)
			*present = false;
		/* jansson treats NULL as an empty object for lookups and
		 * iteration, so getters on a missing section give defaults. */
		child->obj = NULL;
		return 0;
	}
	if (!json_is_object(v))
		return scn_fail(o, key, err, "'%s' must be an object, not %s",
				key, type_name(v));
	if (present)
		*present = true;
	child->obj = v;
	return 0;
}

int scn_get_array(const struct scn_obj *o, const char *key, size_t *n,
		  struct l2s_error *err)
{
	NOTE(o, key, .kind = SCN_ARRAY);
	json_t *v = json_object_get(o->obj, key);
	if (!v) {
		*n = 0;
		return 0;
	}
	if (!json_is_array(v))
		return scn_fail(o, key, err, "'%s' must be an array, not %s",
				key, type_name(v));
	*n = json_array_size(v);
	return 0;
}

int scn_get_elem(const struct scn_obj *o, const char *key, size_t i,
		 struct scn_obj *child, struct l2s_error *err)
{
	json_t *arr = json_object_get(o->obj, key);
	json_t *v = json_array_get(arr, i);
	child->scn = o->scn;
	char base[256];
	join_path(base, sizeof(base), o->path, key);
	snprintf(child->path, sizeof(child->path), "%s[%zu]", base, i);
	child->obj = v;
	NOTE(child, NULL, .kind = SCN_ELEM);
	if (!json_is_object(v)) {
		struct scn_obj at = *child;
		return scn_fail(&at, NULL, err,
				"'%s[%zu]' must be an object, not %s", key, i,
				v ? type_name(v) : "missing");
	}
	return 0;
}
