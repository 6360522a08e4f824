/*
 * cmd_notify.c - expertctl watch --notify: the notification stream a
 * messaging gateway follows (STREAMS.md 4), one line per notify.offer
 * (a seat offered: who, for what, by when, and its one-time token) and
 * notify.closed (an offer or acceptance that ended). Only notifier keys
 * may subscribe: the stream carries full names, phones and tokens.
 * Nothing here is stored anywhere, so nothing can be re-fetched.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <zmq.h>

#include "cmd.h"
#include "out.h"

#define NOTIFY_TOPIC "notify."
#define NOTIFY_WHO N_("notifier keys may follow notifications")

/* ---- one message ------------------------------------------------------------ */

/* One line, built whole and cleaned: names and districts come from
 * imported spreadsheets. */
static void notify_print_text(const char *topic, const msgpack_object *m)
{
	enum { F_TASK, F_ASSIGNMENT, F_ROLE, F_EXPERT, F_NAME, F_PHONE, F_STATE, F_TOKEN,
	       F_BUREAU, F_KIND, F_SPECIALTY, F_DISTRICT, F__COUNT };
	static const char *const keys[F__COUNT] = {
		"task", "assignment", "role", "expert", "name", "phone", "state", "token",
		"bureau", "kind", "specialty", "district"};
	char v[F__COUNT][300], dl[CMD_TIME_LEN], start[CMD_TIME_LEN], end[CMD_TIME_LEN];
	char line[4096];
	for (size_t k = 0; k < F__COUNT; k++)
		out_field(m, keys[k], v[k], sizeof v[k]);
	if (strcmp(topic, "notify.offer") == 0)
		snprintf(line, sizeof line,
		         _("offer   task %s  assignment %s (%s)  expert #%s %s %s  answer by "
		         "%s CST  token %s  [%s %s %s%s%s, %s to %s CST]"),
		         v[F_TASK], v[F_ASSIGNMENT], v[F_ROLE], v[F_EXPERT], v[F_NAME],
		         v[F_PHONE], cmd_time_field(m, "deadline", dl), v[F_TOKEN], v[F_BUREAU],
		         v[F_KIND], v[F_SPECIALTY], v[F_DISTRICT][0] ? " " : "", v[F_DISTRICT],
		         cmd_time_field(m, "start", start), cmd_time_field(m, "end", end));
	else
		snprintf(line, sizeof line, _("%-7s task %s  assignment %s  expert #%s %s %s  now %s"),
		         strcmp(topic, "notify.closed") == 0 ? "closed" : topic, v[F_TASK],
		         v[F_ASSIGNMENT], v[F_EXPERT], v[F_NAME], v[F_PHONE], v[F_STATE]);
	out_text(stdout, line, strlen(line));
	putchar('\n');
}

/* {"topic": ..., then the body's keys in their order}, compact. */
static void notify_print_json(const char *topic, const msgpack_object *m)
{
	json_t *j = json_object(), *body = out_json(m);
	json_object_set_new(j, "topic", json_string(topic));
	json_object_update(j, body);
	json_decref(body);
	json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(j);
}

/* Receive one [topic][body]; print it if f matches. *printed counts. */
static void notify_recv(struct client_sub *s, const struct cmd_log_filter *f, bool json,
                        int64_t *printed)
{
	zmq_msg_t topic, body;
	int more = 0;
	size_t len = sizeof more;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	bool got = zmq_msg_recv(&topic, s->sub, ZMQ_DONTWAIT) >= 0;
	if (got && zmq_msg_more(&topic))
		zmq_msg_recv(&body, s->sub, 0);
	while (zmq_getsockopt(s->sub, ZMQ_RCVMORE, &more, &len) == 0 && more) {
		zmq_msg_t extra;   /* not ours: [topic][body] is all there is */
		zmq_msg_init(&extra);
		zmq_msg_recv(&extra, s->sub, 0);
		zmq_msg_close(&extra);
	}
	struct cmd_event e;
	memset(&e, 0, sizeof e);
	size_t tlen = zmq_msg_size(&topic);
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_unpacked_init(&u);
	if (!got) {
		/* nothing after all */
	} else if (tlen == 0 || tlen >= sizeof e.type ||
	           proto_unpack(zmq_msg_data(&body), zmq_msg_size(&body), &u, &err) !=
	               PROTO_OK ||
	           u.data.type != MSGPACK_OBJECT_MAP) {
		fprintf(stderr, _("expertctl: ignoring a malformed notification\n"));
	} else {
		memcpy(e.type, zmq_msg_data(&topic), tlen);
		e.entry = &u.data;
		if (cmd_log_match(f, &e)) {
			if (json)
				notify_print_json(e.type, e.entry);
			else
				notify_print_text(e.type, e.entry);
			fflush(stdout);
			(*printed)++;
		}
	}
	msgpack_unpacked_destroy(&u);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
}

/* ---- the loop ----------------------------------------------------------------- */

static int64_t notify_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_notify_watch(struct ctl *ctl, const struct cmd_log_filter *f,
                     const char *endpoint, int64_t count, int64_t wait_s)
{
	struct client_sub s;
	int64_t printed = 0;
	int64_t deadline = wait_s ? notify_now_ms() + wait_s * 1000 : 0;
	int rc = cmd_sub_open(ctl, endpoint, NOTIFY_TOPIC, &s);
	while (rc == 0 && !cmd_sub_stopped() && !(count && printed >= count)) {
		int64_t left = deadline ? deadline - notify_now_ms() : -1;
		if (deadline && left <= 0) {
			if (count) {
				fprintf(stderr, _("expertctl: %lld of %lld notifications within %llds\n"),
				        (long long)printed, (long long)count, (long long)wait_s);
				rc = EX_TEMPFAIL;
			}
			break;
		}
		zmq_pollitem_t items[] = {{s.sub, 0, ZMQ_POLLIN, 0}, {s.mon, 0, ZMQ_POLLIN, 0}};
		int n = zmq_poll(items, 2, (long)left);
		if (n < 0 && zmq_errno() != EINTR) {
			fprintf(stderr, _("expertctl: %s\n"), zmq_strerror(zmq_errno()));
			rc = EX_OSERR;
		} else if (n > 0 && (items[1].revents & ZMQ_POLLIN)) {
			rc = cmd_sub_refused(&s, endpoint, NOTIFY_WHO);
		} else if (n > 0 && (items[0].revents & ZMQ_POLLIN)) {
			notify_recv(&s, f, ctl->json, &printed);
		}
	}
	client_sub_close(&s);
	return cmd_sub_stopped() ? 0 : rc;
}
