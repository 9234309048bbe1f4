/*
 * Allocations that outlive the call that made them and may still be in
 * flight when a run ends (batches, proof jobs, L1 transaction contexts):
 * each is linked into the list of the system instance it serves, so the
 * instance frees whatever is left when it is destroyed.
 */
#ifndef L2SIM_OWNED_H
#define L2SIM_OWNED_H

#include <stddef.h>

struct owned;

/* A list of owned allocations; zero-initialised is empty. */
struct owned_list {
	struct owned *head;
	struct sim *sim;   /* when set, a failed allocation fails its run */
};

/* Zeroed memory of 'size' bytes linked into 'l'; NULL when out of memory. */
void *owned_alloc(struct owned_list *l, size_t size);
/* Unlinks and frees 'p' (from owned_alloc on 'l'; NULL is fine). */
void owned_free(struct owned_list *l, void *p);
/* Frees everything still in 'l'. */
void owned_release(struct owned_list *l);

#endif
