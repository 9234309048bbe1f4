/*
 * An index of names (open addressing on a string hash), so that checking
 * a section of n named entries for duplicates, or finding an entry by
 * name, costs O(n) in all instead of O(n^2): a scenario may declare a
 * million workloads.  Keys are borrowed: they must outlive the index.
 */
#ifndef L2SIM_NAMES_H
#define L2SIM_NAMES_H

#include <stddef.h>

struct l2s_names {
	struct l2s_name_slot *slots;
	size_t cap, n;
};

/* Zero-initialise, or call this. */
void l2s_names_init(struct l2s_names *s);
void l2s_names_release(struct l2s_names *s);

/* Adds 'name' for entry 'index'.  Returns 0 when added, 1 when the name is
 * already there (*first gets that entry's index), L2S_ENOMEM. */
int l2s_names_add(struct l2s_names *s, const char *name, size_t index,
		  size_t *first);

/* The index stored for 'name', or -1. */
long l2s_names_find(const struct l2s_names *s, const char *name);

#endif
