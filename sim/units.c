/*
 * The unit grammar of docs/scenario-format.md, parsed to exact integers.
 *
 * A value is a decimal number (digits, optional fraction, optional e+N
 * exponent) followed by an optional unit.  The decimal is held as an
 * integer mantissa and a power of ten, multiplied by the unit's integer
 * factor, and must come out whole in the base unit: "1.5ns" is an error
 * rather than a silent rounding.  Rates are the exception: "/min" and "/h"
 * divide, so a rate is rounded to the nearest millionth per second.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "l2sim/scenario.h"

typedef unsigned __int128 u128;

struct unit {
	const char *name;
	u128 mul; /* base units per unit (times 'div') */
	u128 div;
};

#define U128(x) ((u128)(x))
static const u128 E9 = 1000000000u;

static const struct unit duration_units[] = {
	{"ns", 1, 1}, {"us", 1000, 1}, {"ms", 1000000, 1},
	{"s", 1000000000, 1}, {"m", U128(60) * 1000000000, 1},
	{"min", U128(60) * 1000000000, 1}, {"h", U128(3600) * 1000000000, 1},
	{"d", U128(86400) * 1000000000, 1},
	{"w", U128(604800) * 1000000000, 1}, {NULL, 0, 0},
};

static const struct unit size_units[] = {
	{"B", 1, 1}, {"kB", 1000, 1}, {"KB", 1000, 1}, {"MB", 1000000, 1},
	{"GB", 1000000000, 1}, {"TB", U128(1000000000) * 1000, 1},
	{"KiB", 1024, 1}, {"MiB", U128(1) << 20, 1}, {"GiB", U128(1) << 30, 1},
	{"TiB", U128(1) << 40, 1}, {NULL, 0, 0},
};

/* Rates in millionths per second. */
static const struct unit rate_units[] = {
	{"tps", 1000000, 1}, {"tx/s", 1000000, 1}, {"/s", 1000000, 1},
	{"/min", 1000000, 60}, {"/h", 1000000, 3600}, {"/d", 1000000, 86400},
	{"B/s", 1000000, 1}, {"kB/s", U128(1000) * 1000000, 1},
	{"KB/s", U128(1000) * 1000000, 1}, {"MB/s", U128(1000000) * 1000000, 1},
	{"GB/s", U128(1000000000) * 1000000, 1},
	{"KiB/s", U128(1024) * 1000000, 1},
	{"MiB/s", (U128(1) << 20) * 1000000, 1},
	{"GiB/s", (U128(1) << 30) * 1000000, 1}, {NULL, 0, 0},
};

static const struct unit fee_units[] = {
	{"wei", 1, 1}, {"kwei", 1000, 1}, {"mwei", 1000000, 1},
	{"gwei", 1000000000, 1}, {"szabo", U128(1000) * 1000000000, 1},
	{"finney", U128(1000000) * 1000000000, 1},
	{"eth", E9 * E9, 1}, {"ether", E9 * E9, 1}, {NULL, 0, 0},
};

static void say(char *why, int len, const char *fmt, const char *a)
{
	if (why && len > 0)
		snprintf(why, (size_t)len, fmt, a);
}

/*
 * Parses s against 'units' (with 'dflt' the unit of a bare number) and
 * returns the value in base units in *out, or -1 with a reason.  'round'
 * allows rounding (rates); otherwise the result must be whole.
 */
static int parse(const char *s, const struct unit *units, const char *dflt,
		 int round, u128 limit, u128 *out, char *why, int len,
		 const char *kind)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-') {
		say(why, len, "negative %s", kind);
		return -1;
	}
	if (*p == '+')
		p++;
	u128 mant = 0;
	int exp10 = 0, digits = 0;
	while (isdigit((unsigned char)*p)) {
		if (mant > (((u128)1) << 120) / 10) {
			say(why, len, "%s is too large", kind);
			return -1;
		}
		mant = mant * 10 + (u128)(*p++ - '0');
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (mant > (((u128)1) << 120) / 10) {
				say(why, len, "%s has too many digits", kind);
				return -1;
			}
			mant = mant * 10 + (u128)(*p++ - '0');
			exp10--;
			digits++;
		}
	}
	if (!digits) {
		say(why, len, "expected a number before the unit in '%s'", s);
		return -1;
	}
	if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
					 ((p[1] == '-' || p[1] == '+') &&
					  isdigit((unsigned char)p[2])))) {
		p++;
		int sign = 1, e = 0;
		if (*p == '-' || *p == '+')
			sign = *p++ == '-' ? -1 : 1;
		while (isdigit((unsigned char)*p) && e < 100)
			e = e * 10 + (*p++ - '0');
		exp10 += sign * e;
	}
	while (isspace((unsigned char)*p))
		p++;
	const char *uname = *p ? p : dflt;
	size_t ulen = strlen(uname);
	while (ulen && isspace((unsigned char)uname[ulen - 1]))
		ulen--;
	const struct unit *u = NULL;
	for (const struct unit *c = units; c->name; c++)
		if (strlen(c->name) == ulen && !strncmp(c->name, uname, ulen))
			u = c;
	if (!u && units != duration_units) {
		/* Sizes, rates and fees accept any letter case as a fallback
		 * ("mb" means MB, "GWEI" gwei); durations do not, where "M"
		 * could be read as months. */
		for (const struct unit *c = units; c->name; c++)
			if (strlen(c->name) == ulen &&
			    !strncasecmp(c->name, uname, ulen) && !u)
				u = c;
	}
	if (!u) {
		char list[256] = "";
		for (const struct unit *c = units; c->name; c++) {
			strncat(list, c->name, sizeof(list) - strlen(list) - 3);
			if (c[1].name)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		}
		if (why && len > 0)
			snprintf(why, (size_t)len,
				 "unknown %s unit '%.*s' (expected one of: %s)",
				 kind, (int)ulen, uname, list);
		return -1;
	}
	/* value = mant * 10^exp10 * mul / div */
	u128 num = mant * 1, den = u->div;
	u128 mul = u->mul;
	/* Apply the unit first, then the decimal exponent. */
	if (mul && num > (((u128)1) << 126) / mul) {
		say(why, len, "%s is too large", kind);
		return -1;
	}
	num *= mul;
	while (exp10 > 0) {
		if (num > (((u128)1) << 126) / 10) {
			say(why, len, "%s is too large", kind);
			return -1;
		}
		num *= 10;
		exp10--;
	}
	while (exp10 < 0) {
		if (den > (((u128)1) << 120)) {
			say(why, len, "%s has too many decimals", kind);
			return -1;
		}
		den *= 10;
		exp10++;
	}
	u128 q = num / den, r = num % den;
	if (r) {
		if (!round) {
			say(why, len, "'%s' is not a whole number of the base unit",
			    s);
			return -1;
		}
		if (r * 2 >= den)
			q++;
	}
	if (q > limit) {
		say(why, len, "%s is too large", kind);
		return -1;
	}
	*out = q;
	return 0;
}

int units_parse_duration(const char *s, sim_time_t *out, char *why, int len)
{
	u128 v;
	if (parse(s, duration_units, "s", 0, (u128)INT64_MAX, &v, why, len,
		  "duration"))
		return -1;
	*out = (sim_time_t)v;
	return 0;
}

int units_parse_size(const char *s, int64_t *out, char *why, int len)
{
	u128 v;
	if (parse(s, size_units, "B", 0, (u128)INT64_MAX, &v, why, len, "size"))
		return -1;
	*out = (int64_t)v;
	return 0;
}

int units_parse_rate(const char *s, int64_t *out, char *why, int len)
{
	u128 v;
	if (parse(s, rate_units, "/s", 1, (u128)INT64_MAX, &v, why, len,
		  "rate"))
		return -1;
	*out = (int64_t)v;
	return 0;
}

int units_parse_fee(const char *s, uint64_t *out, char *why, int len)
{
	u128 v;
	if (parse(s, fee_units, "wei", 0, (u128)UINT64_MAX, &v, why, len,
		  "fee"))
		return -1;
	*out = (uint64_t)v;
	return 0;
}

const char *units_name(int kind, size_t i)
{
	static const struct unit *const tables[] = {
		duration_units, size_units, rate_units, fee_units,
	};
	if (kind < 0 || kind > 3)
		return NULL;
	for (size_t k = 0; tables[kind][k].name; k++)
		if (k == i)
			return tables[kind][k].name;
	return NULL;
}
