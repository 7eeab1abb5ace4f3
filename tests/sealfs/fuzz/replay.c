/*
 * replay.c - corpus replayer shared by every sealfs fuzz target (tests layer).
 *
 * Linked instead of libFuzzer in ordinary builds, so each corpus is replayed
 * as a plain test (under ASan/UBSan in the sanitizer build):
 *
 *   fuzz-NAME DIR|FILE...   feed every regular file of each DIR (or each FILE)
 *                           to LLVMFuzzerTestOneInput, in name order
 *
 * Exit 0 when every input ran (a crash or sanitizer report ends the process
 * on its own), 1 on a usage or I/O error, or when a directory held no input
 * (an empty corpus tests nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not corpus material. */
#define REPLAY_MAX (1u << 20)

static int run_file(int dirfd, const char *name, const char *shown)
{
	_cleanup_free_ char *buf = NULL;
	uint8_t *copy;
	size_t len = 0;
	int r = io_read_file_at(dirfd, name, REPLAY_MAX, &buf, &len);

	if (r) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", shown, strerror(-r));
		return -1;
	}
	/* An exact-size heap copy, so ASan sees any read past the input. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, buf, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	printf("ran %s (%zu bytes)\n", shown, len);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *path)
{
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent **list = NULL;
	int n, ran = 0, bad = 0;

	if (dfd < 0) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	n = scandir(path, &list, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list '%s': %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;
		char shown[4096];

		if (list[i]->d_name[0] != '.' &&
		    fstatat(dfd, list[i]->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			snprintf(shown, sizeof(shown), "%s/%s", path, list[i]->d_name);
			if (run_file(dfd, list[i]->d_name, shown))
				bad++;
			else
				ran++;
		}
		free(list[i]);
	}
	free(list);
	if (!ran) {
		fprintf(stderr, "replay: no input in '%s'\n", path);
		return -1;
	}
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: '%s': %s\n", argv[i], strerror(errno));
			bad++;
		} else if (S_ISDIR(st.st_mode)) {
			bad += run_dir(argv[i]) != 0;
		} else {
			bad += run_file(AT_FDCWD, argv[i], argv[i]) != 0;
		}
	}
	return bad ? 1 : 0;
}
