/*
 * fuzz-main.c - corpus replayer for the fuzz targets (tests/headroom):
 * main() feeds every file of the directory given as argument (the corpus,
 * tests/headroom/fuzz/corpus/<target>/) to LLVMFuzzerTestOneInput once, so
 * every build replays the corpora as ordinary tests. Not linked when built
 * with -Dfuzz=true: libFuzzer brings its own main.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	while ((de = readdir(d))) {
		char path[4096];
		FILE *f;
		uint8_t *buf;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		buf = malloc(1 << 20);
		len = buf ? fread(buf, 1, 1 << 20, f) : 0;
		fclose(f);
		if (!buf)
			return 1;
		/* An exact-size copy, so a read past the end is an ASan error. */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "empty corpus %s\n", argv[1]);
		return 1;
	}
	printf("%d corpus inputs replayed\n", n);
	return 0;
}
