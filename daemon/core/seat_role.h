/*
 * seat_role.h - a panel seat's role, and which role seat i of a drawn
 * panel has. Pure; shared by the daemon, the verifier and expertctl,
 * which must agree on it to replay a draw.
 */
#ifndef EXPERTD_SEAT_ROLE_H
#define EXPERTD_SEAT_ROLE_H

#include <stddef.h>

/* Order matches proto_seat_roles[] (asserted in seat_role.c). */
enum seat_role {
	SEAT_LEADER,
	SEAT_MEMBER,
	SEAT_BACKUP,
	SEAT__COUNT
};

/*
 * A drawn panel lists its leaders first, then its members, then its
 * backups: the role of seat i when there are `leaders` leader seats
 * and `members` member seats.
 */
enum seat_role seat_role_of(size_t i, size_t leaders, size_t members);

#endif
