/*
 * seat_role.c - the role of a seat by its place in a drawn panel.
 */
#include "proto.h"
#include "seat_role.h"

_Static_assert(SEAT__COUNT == PROTO_SEAT_ROLES_COUNT,
               "enum seat_role and proto_seat_roles differ");

enum seat_role seat_role_of(size_t i, size_t leaders, size_t members)
{
	if (i < leaders)
		return SEAT_LEADER;
	return i < leaders + members ? SEAT_MEMBER : SEAT_BACKUP;
}
