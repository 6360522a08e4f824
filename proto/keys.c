/*
 * keys.c - CURVE key files: create them safely (0600, never overwrite),
 * read them strictly, and check that a secret key really belongs to the
 * public key stored next to it, so a mixed-up pair fails at startup
 * instead of at every handshake.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <zmq.h>

#define KEYS_SECTION "curve"

static const char keys_z85_alphabet[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	".-:+=^!/*?&<>()[]{}@%$#";

static void keys_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void keys_err(char *err, size_t errsz, const char *fmt, ...)
{
	if (err == NULL || errsz == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

bool keys_is_z85(const char *s)
{
	uint8_t raw[32];

	if (s == NULL || strlen(s) != KEYS_Z85_LEN)
		return false;
	/* Checked here too: old libzmq decoders trusted the alphabet. */
	if (strspn(s, keys_z85_alphabet) != KEYS_Z85_LEN)
		return false;
	return zmq_z85_decode(raw, s) != NULL;
}

/* True if secret is the secret half of public (both valid Z85). */
static bool keys_match(const char *public_key, const char *secret_key)
{
	char derived[KEYS_Z85_LEN + 1];

	if (zmq_curve_public(derived, secret_key) != 0)
		return false;
	return strcmp(derived, public_key) == 0;
}

bool keys_generate(struct keys_pair *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (zmq_curve_keypair(out->public_key, out->secret_key) != 0) {
		keys_err(err, errsz, "cannot generate a CURVE key pair: %s",
		         zmq_strerror(zmq_errno()));
		memset(out, 0, sizeof(*out));
		return false;
	}
	return true;
}

/* --- writing ----------------------------------------------------------- */

static bool keys_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * Create path exclusively with exactly mode (fchmod: the umask must not
 * make a public key unreadable), write text, and fsync it.
 */
static bool keys_create(const char *path, mode_t mode, const char *text,
                        char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			keys_err(err, errsz, "%s already exists; not overwriting it",
			         path);
		else
			keys_err(err, errsz, "cannot create %s: %s", path,
			         strerror(errno));
		return false;
	}
	if (fchmod(fd, mode) != 0 || !keys_write_all(fd, text, strlen(text)) ||
	    fsync(fd) != 0) {
		keys_err(err, errsz, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return false;
	}
	if (close(fd) != 0) {
		keys_err(err, errsz, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return false;
	}
	return true;
}

bool keys_write(const char *base, const struct keys_pair *kp,
                char *err, size_t errsz)
{
	char key_path[4096], pub_path[4096], text[256];
	int n1, n2;

	if (!keys_is_z85(kp->public_key) || !keys_is_z85(kp->secret_key) ||
	    !keys_match(kp->public_key, kp->secret_key)) {
		keys_err(err, errsz, "refusing to write an invalid key pair");
		return false;
	}
	n1 = snprintf(key_path, sizeof(key_path), "%s.key", base);
	n2 = snprintf(pub_path, sizeof(pub_path), "%s.pub", base);
	if (n1 < 0 || (size_t)n1 >= sizeof(key_path) || n2 < 0 ||
	    (size_t)n2 >= sizeof(pub_path)) {
		keys_err(err, errsz, "key file name too long");
		return false;
	}

	snprintf(text, sizeof(text),
	         "# expertd CURVE secret key: keep this file private\n"
	         "[" KEYS_SECTION "]\n"
	         "public-key = %s\n"
	         "secret-key = %s\n",
	         kp->public_key, kp->secret_key);
	bool ok = keys_create(key_path, 0600, text, err, errsz);
	explicit_bzero(text, sizeof(text));
	if (!ok)
		return false;

	snprintf(text, sizeof(text),
	         "# expertd CURVE public key\n"
	         "[" KEYS_SECTION "]\n"
	         "public-key = %s\n",
	         kp->public_key);
	if (!keys_create(pub_path, 0644, text, err, errsz)) {
		/* Leave no half-written pair behind: we made the .key. */
		unlink(key_path);
		return false;
	}
	return true;
}

/* --- reading ----------------------------------------------------------- */

/*
 * The inih build we link passes no line number to the handler, so the
 * reader counts lines; it also strips leading blanks, which disables
 * inih's continuation lines (an indented line would otherwise be glued to
 * the previous value).
 */
struct keys_file {
	const char *path;
	FILE *fp;
	int line;
	bool long_line;
	struct keys_pair kp;
	char err[512];
	int err_line;
};

static void keys_file_fail(struct keys_file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void keys_file_fail(struct keys_file *f, const char *fmt, ...)
{
	if (f->err[0] != '\0')
		return;
	f->err_line = f->line;
	int n = snprintf(f->err, sizeof(f->err), "%s:%d: ", f->path, f->line);
	if (n < 0 || (size_t)n >= sizeof(f->err))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->err + n, sizeof(f->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

static char *keys_file_reader(char *str, int num, void *stream)
{
	struct keys_file *f = stream;

	if (f->long_line || fgets(str, num, f->fp) == NULL)
		return NULL;
	f->line++;
	size_t len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(f->fp)) {
		keys_file_fail(f, "line too long");
		f->long_line = true;
		return NULL;
	}
	size_t skip = strspn(str, " \t");
	memmove(str, str + skip, len - skip + 1);
	return str;
}

static int keys_file_handler(void *user, const char *section,
                             const char *name, const char *value)
{
	struct keys_file *f = user;
	char *dst;

	if (strcmp(section, KEYS_SECTION) != 0) {
		keys_file_fail(f, "'%.64s' is not in a [" KEYS_SECTION "] section",
		               name);
		return 0;
	}
	if (strcmp(name, "public-key") == 0) {
		dst = f->kp.public_key;
	} else if (strcmp(name, "secret-key") == 0) {
		dst = f->kp.secret_key;
	} else {
		keys_file_fail(f, "unknown key '%.64s'", name);
		return 0;
	}
	if (dst[0] != '\0') {
		keys_file_fail(f, "%s is given twice", name);
		return 0;
	}
	if (!keys_is_z85(value)) {
		keys_file_fail(f, "%s is not 40 Z85 characters", name);
		return 0;
	}
	memcpy(dst, value, KEYS_Z85_LEN + 1);
	return 1;
}

/* Parse path into out; the caller checks which keys are present. */
static bool keys_parse_file(const char *path, struct keys_pair *out,
                            char *err, size_t errsz)
{
	struct keys_file f = {.path = path};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	f.fp = fopen(path, "r");
	if (f.fp == NULL) {
		keys_err(err, errsz, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	int rc = ini_parse_stream(keys_file_reader, &f, keys_file_handler, &f);
	if (ferror(f.fp))
		keys_err(err, errsz, "cannot read %s", path);
	else if (rc > 0 && (f.err[0] == '\0' || rc < f.err_line))
		keys_err(err, errsz, "%s:%d: syntax error", path, rc);
	else if (f.err[0] != '\0' || rc != 0)
		keys_err(err, errsz, "%s", f.err[0] ? f.err : "parse failed");
	else
		ok = true;
	fclose(f.fp);
	if (ok)
		*out = f.kp;
	explicit_bzero(&f.kp, sizeof(f.kp));
	return ok;
}

bool keys_read_secret(const char *path, struct keys_pair *out,
                      char *err, size_t errsz)
{
	if (!keys_parse_file(path, out, err, errsz))
		return false;
	if (out->public_key[0] == '\0' || out->secret_key[0] == '\0') {
		keys_err(err, errsz, "%s: needs both public-key and secret-key "
		         "in [" KEYS_SECTION "]", path);
	} else if (!keys_match(out->public_key, out->secret_key)) {
		keys_err(err, errsz, "%s: secret-key does not belong to "
		         "public-key", path);
	} else {
		return true;
	}
	explicit_bzero(out, sizeof(*out));
	return false;
}

bool keys_read_public(const char *path_or_z85, char out[KEYS_Z85_LEN + 1],
                      char *err, size_t errsz)
{
	struct keys_pair kp;

	out[0] = '\0';
	if (keys_is_z85(path_or_z85)) {
		memcpy(out, path_or_z85, KEYS_Z85_LEN + 1);
		return true;
	}
	if (!keys_parse_file(path_or_z85, &kp, err, errsz))
		return false;
	bool ok = false;
	if (kp.public_key[0] == '\0')
		keys_err(err, errsz, "%s: no public-key in [" KEYS_SECTION "]",
		         path_or_z85);
	else if (kp.secret_key[0] != '\0' &&
	         !keys_match(kp.public_key, kp.secret_key))
		keys_err(err, errsz, "%s: secret-key does not belong to "
		         "public-key", path_or_z85);
	else
		ok = true;
	if (ok)
		memcpy(out, kp.public_key, KEYS_Z85_LEN + 1);
	explicit_bzero(&kp, sizeof(kp));
	return ok;
}
