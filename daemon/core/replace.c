/*
 * replace.c - replacement draw rules shared by h_draw.c and the verifier
 * (see replace.h).
 */
#include "replace.h"

struct draw_spec replace_spec(enum seat_role role, bool diversity)
{
	return (struct draw_spec){.leader = role == SEAT_LEADER, .members = role != SEAT_LEADER,
	                          .backups = 0, .diversity = diversity};
}

size_t replace_drop_employers(struct candidates *c, const uint32_t *taken,
                              size_t n_taken)
{
	size_t k = 0, dropped = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool clash = false;
		for (size_t j = 0; j < n_taken && c->list[i].employer && !clash; j++)
			clash = taken[j] == c->list[i].employer;
		if (clash)
			dropped++;
		else
			c->list[k++] = c->list[i];
	}
	c->n = k;
	return dropped;
}
