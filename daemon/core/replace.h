/*
 * replace.h - the rules of a replacement draw (PROTOCOL.md 7.12.4) that
 * the daemon and the verifier must apply identically: which seat is
 * drawn, and which candidates the panel-diversity rule removes because
 * their employer already holds a seat. Pure.
 */
#ifndef EXPERTD_REPLACE_H
#define EXPERTD_REPLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidates.h"
#include "draw.h"
#include "seat_role.h"

/* One seat of `role` (leader or member), diversity as configured. */
struct draw_spec replace_spec(enum seat_role role, bool diversity);

/*
 * Remove from c->list (keeping c->ids, which were hashed) every candidate
 * whose employer is nonzero and among taken[0..n_taken); returns how many
 * were removed.
 */
size_t replace_drop_employers(struct candidates *c, const uint32_t *taken,
                              size_t n_taken);

#endif
