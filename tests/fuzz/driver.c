/*
 * driver.c - runs a libFuzzer target without libFuzzer (gcc builds, CTest):
 * every file of a corpus directory, then a fixed number of deterministic
 * mutations of those seeds. Same seeds and count give the same inputs, so a
 * failure found here reproduces.
 *
 * usage: driver CORPUS_DIR [MUTATIONS]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DRIVER_MAX_INPUT 65536
#define DRIVER_MAX_SEEDS 1024

struct driver_seed {
	uint8_t *data;
	size_t size;
};

static uint64_t driver_rng = 0x9e3779b97f4a7c15u;

/* xorshift64: small, deterministic, good enough to pick mutations. */
static uint64_t driver_next(void)
{
	driver_rng ^= driver_rng << 13;
	driver_rng ^= driver_rng >> 7;
	driver_rng ^= driver_rng << 17;
	return driver_rng;
}

static size_t driver_below(size_t n)
{
	return n ? (size_t)(driver_next() % n) : 0;
}

static int driver_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int driver_load(const char *path, struct driver_seed *seed)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	seed->data = malloc(DRIVER_MAX_INPUT);
	n = seed->data ? fread(seed->data, 1, DRIVER_MAX_INPUT, f) : 0;
	fclose(f);
	if (!seed->data)
		return -1;
	seed->size = n;
	return 0;
}

/* Load every regular file of dir, in name order so runs are repeatable. */
static size_t driver_load_dir(const char *dir, struct driver_seed *seeds)
{
	char *names[DRIVER_MAX_SEEDS];
	size_t count = 0, loaded = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		exit(2);
	}
	while ((de = readdir(d)) && count < DRIVER_MAX_SEEDS)
		if (de->d_name[0] != '.')
			names[count++] = strdup(de->d_name);
	closedir(d);
	qsort(names, count, sizeof *names, driver_cmp_names);
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (driver_load(path, &seeds[loaded]) == 0)
			loaded++;
		free(names[i]);
	}
	return loaded;
}

/* Bytes that steer a msgpack parser into its interesting branches. */
static const uint8_t driver_magic[] = {
	0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4,
	0xc6, 0xc7, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc, 0xdd, 0xde,
	0xdf, 0xe0, 0xff};

static void driver_mutate_once(uint8_t *buf, size_t *size)
{
	size_t n = *size, at = driver_below(n), len;

	switch (driver_next() % 6) {
	case 0: /* flip a bit */
		if (n)
			buf[at] ^= (uint8_t)(1u << (driver_next() % 8));
		break;
	case 1: /* a type or length byte */
		if (n)
			buf[at] = driver_magic[driver_below(sizeof driver_magic)];
		break;
	case 2: /* truncate */
		*size = at;
		break;
	case 3: /* insert a few random bytes */
		len = 1 + driver_below(8);
		if (n + len <= DRIVER_MAX_INPUT) {
			memmove(buf + at + len, buf + at, n - at);
			for (size_t i = 0; i < len; i++)
				buf[at + i] = (uint8_t)driver_next();
			*size = n + len;
		}
		break;
	case 4: /* delete a range */
		len = driver_below(n - at + 1);
		memmove(buf + at, buf + at + len, n - at - len);
		*size = n - len;
		break;
	default: /* duplicate a range (repeats keys and items) */
		len = driver_below(n - at + 1);
		if (n + len <= DRIVER_MAX_INPUT) {
			memmove(buf + at + len, buf + at, n - at);
			*size = n + len;
		}
		break;
	}
}

/* Hand over an exactly sized heap copy, so ASan sees any read past the end. */
static void driver_run_exact(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
}

int main(int argc, char **argv)
{
	static struct driver_seed seeds[DRIVER_MAX_SEEDS];
	static uint8_t buf[DRIVER_MAX_INPUT];
	long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	size_t nseeds;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
		return 2;
	}
	nseeds = driver_load_dir(argv[1], seeds);
	if (nseeds == 0) {
		fprintf(stderr, "%s: no seeds in %s\n", argv[0], argv[1]);
		return 2;
	}
	for (size_t i = 0; i < nseeds; i++)
		driver_run_exact(seeds[i].data, seeds[i].size);
	for (long r = 0; r < runs; r++) {
		const struct driver_seed *s = &seeds[driver_below(nseeds)];
		size_t size = s->size;
		int rounds = 1 + (int)driver_below(4);

		memcpy(buf, s->data, size);
		for (int k = 0; k < rounds; k++)
			driver_mutate_once(buf, &size);
		driver_run_exact(buf, size);
	}
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].data);
	printf("%s: %zu seeds, %ld mutations, no failure\n", argv[0], nseeds, runs);
	return 0;
}
