/*
 * Owned allocations: a doubly linked list in front of each block.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/owned.h"

struct owned {
	struct owned *next, *prev;
	max_align_t data[];
};

void *owned_alloc(struct owned_list *l, size_t size)
{
	struct owned *o = calloc(1, sizeof(*o) + size);
	if (!o) {
		/* callers skip what they could not allocate; the run must
		 * then not pass for whole */
		if (l->sim)
			sim_fail(l->sim, L2S_ENOMEM, "out of memory");
		return NULL;
	}
	o->next = l->head;
	if (l->head)
		l->head->prev = o;
	l->head = o;
	return o->data;
}

void owned_free(struct owned_list *l, void *p)
{
	if (!p)
		return;
	struct owned *o = (struct owned *)((char *)p - offsetof(struct owned,
								 data));
	if (o->prev)
		o->prev->next = o->next;
	else
		l->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	free(o);
}

void owned_release(struct owned_list *l)
{
	while (l->head)
		owned_free(l, l->head->data);
}
