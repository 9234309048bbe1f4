/* Name index: linear probing over a power-of-two table, at most half full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/error.h"
#include "l2sim/names.h"
#include "l2sim/rng.h"

struct l2s_name_slot {
	const char *key;   /* NULL: empty */
	size_t index;
};

void l2s_names_init(struct l2s_names *s)
{
	memset(s, 0, sizeof(*s));
}

void l2s_names_release(struct l2s_names *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static size_t slot_of(const struct l2s_name_slot *t, size_t cap,
		      const char *name)
{
	size_t j = (size_t)rng_hash_str(name) & (cap - 1);
	while (t[j].key && strcmp(t[j].key, name))
		j = (j + 1) & (cap - 1);
	return j;
}

static int grow(struct l2s_names *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct l2s_name_slot *t = calloc(cap, sizeof(*t));
	if (!t)
		return L2S_ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].key)
			t[slot_of(t, cap, s->slots[i].key)] = s->slots[i];
	free(s->slots);
	s->slots = t;
	s->cap = cap;
	return 0;
}

int l2s_names_add(struct l2s_names *s, const char *name, size_t index,
		  size_t *first)
{
	if ((s->n + 1) * 2 > s->cap && grow(s))
		return L2S_ENOMEM;
	size_t j = slot_of(s->slots, s->cap, name);
	if (s->slots[j].key) {
		if (first)
			*first = s->slots[j].index;
		return 1;
	}
	s->slots[j].key = name;
	s->slots[j].index = index;
	s->n++;
	return 0;
}

long l2s_names_find(const struct l2s_names *s, const char *name)
{
	if (!s->cap)
		return -1;
	size_t j = slot_of(s->slots, s->cap, name);
	return s->slots[j].key ? (long)s->slots[j].index : -1;
}
