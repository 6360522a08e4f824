/*
 * idmap.h - a hash map from a 64-bit key to a small unordered list of
 * fixed-size items: the secondary indexes of engage.c (tasks by start day
 * and by organisation, assignments by task, conflicts by organisation).
 * Open addressing; keys are never removed, only their lists emptied, so
 * the key set grows with the distinct days, orgs and tasks seen. Pure.
 */
#ifndef EXPERTD_IDMAP_H
#define EXPERTD_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap_list {
	void *items;
	uint32_t n, cap;
};

struct idmap {
	size_t item_size;
	int64_t *keys;               /* per slot */
	uint32_t *slots;             /* per slot: 0 = empty, else list index + 1 */
	size_t nslots;               /* 0 or a power of two */
	struct idmap_list *lists;
	size_t nlists, caplists;
};

void idmap_init(struct idmap *m, size_t item_size);
/* Frees everything; m is left as after idmap_init. */
void idmap_free(struct idmap *m);

/* The items of key (borrowed, valid until the next change); NULL with
 * *n = 0 when there are none. */
const void *idmap_get(const struct idmap *m, int64_t key, size_t *n);
/* The list of key for changing it in place, or NULL when key has none. */
struct idmap_list *idmap_find(struct idmap *m, int64_t key);
/* The list of key, created empty when new; NULL on out of memory. The
 * caller may reorder or remove items (keeping n <= cap). */
struct idmap_list *idmap_list(struct idmap *m, int64_t key);
/* Append a copy of item to key's list. False on out of memory (then
 * nothing changed). */
bool idmap_push(struct idmap *m, int64_t key, const void *item);
/* Make room for `more` items in key's list (created empty when new), so
 * that the next `more` pushes to it cannot fail. False on out of memory
 * (then key may have an empty list it had not had: no item changed). */
bool idmap_reserve(struct idmap *m, int64_t key, uint32_t more);
/* Remove item i of a list by moving the last one into its place. */
void idmap_list_remove(struct idmap *m, struct idmap_list *l, uint32_t i);

#endif
