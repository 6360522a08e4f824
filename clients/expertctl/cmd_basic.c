/*
 * cmd_basic.c - expertctl ping and keygen: the two commands that are about
 * the connection itself rather than the pool.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "signkey.h"
#include "keys.h"
#include "out.h"

static void basic_print_ping(const msgpack_object *res)
{
	static const char *const keys[] = {"version", "principal", "role", "experts"};
	char buf[256];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		out_shown(res, keys[i], buf, sizeof buf);
		out_label(stdout, keys[i], 10);
		out_text(stdout, buf, strlen(buf));
		putchar('\n');
	}
}

int cmd_ping(struct ctl *ctl, int argc, char **argv)
{
	return ctl_run_show(ctl, argc, argv, PROTO_OP_PING, basic_print_ping);
}

/* What keygen made: the public key (under `what` in JSON) and the files. */
static int keygen_print(const struct ctl *ctl, const char *base, const char *what,
                        const char *public_key)
{
	if (ctl->json) {
		char path[4096];
		json_t *j = json_object();
		json_object_set_new(j, what, json_string(public_key));
		snprintf(path, sizeof path, "%s.key", base);
		json_object_set_new(j, "secret_file", json_string(path));
		snprintf(path, sizeof path, "%s.pub", base);
		json_object_set_new(j, "public_file", json_string(path));
		out_json_print(j);
	} else {
		printf("%s\n", public_key);
	}
	return 0;
}

/* keygen --sign: the daemon's signing key (PROTOCOL.md 4.3.1). */
static int keygen_sign(struct ctl *ctl, const char *base)
{
	char hex[SIGNKEY_HEX_LEN + 1], err[512];
	if (!signkey_generate(base, hex, err, sizeof err)) {
		fprintf(stderr, _("expertctl: %s\n"), err);
		return EX_CANTCREAT;
	}
	return keygen_print(ctl, base, "sign_public_key", hex);
}

int cmd_keygen(struct ctl *ctl, int argc, char **argv)
{
	static const struct option lo[] = {{"sign", no_argument, NULL, 's'},
	                                   {NULL, 0, NULL, 0}};
	bool help = false, sign = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, lo, &help)) != -1) {
		if (c != 's')
			return CTL_EXIT_USAGE;
		sign = true;
	}
	if (help)
		return ctl_help(ctl);
	if (optind + 1 != argc)
		return ctl_usage(ctl, optind >= argc ? "missing BASE" : "too many arguments");
	if (sign)
		return keygen_sign(ctl, argv[optind]);

	const char *base = argv[optind];
	struct keys_pair kp;
	char err[512];
	if (!keys_generate(&kp, err, sizeof err) || !keys_write(base, &kp, err, sizeof err)) {
		sodium_memzero(&kp, sizeof kp);
		fprintf(stderr, _("expertctl: %s\n"), err);
		return EX_CANTCREAT;
	}
	sodium_memzero(kp.secret_key, sizeof kp.secret_key);
	return keygen_print(ctl, base, "public_key", kp.public_key);
}
