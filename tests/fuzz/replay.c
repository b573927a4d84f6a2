/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.c -- run a fuzz target's LLVMFuzzerTestOneInput on files, without
 * libFuzzer, so that the ordinary (gcc) build replays the seed corpora and
 * the crash reproducers in tests/fuzz/regressions/ through the real parsers.
 *
 *     replay_<target> FILE_OR_DIR...
 *
 * A directory means every regular file in it (not recursive).  A crash,
 * abort or sanitizer report fails the run; the exit status is 0 only when
 * every input ran and at least one did.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* replay_file -- read PATH whole and run the target on it */
static int replay_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	long n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		goto out_errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out_close_file;
	len = (size_t)n;
	/* exact size: a read past the input is a sanitizer report */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != len)
		goto out_free_buf;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;

out_free_buf:
	free(buf);
out_close_file:
	fclose(f);
out_errno:
	fprintf(stderr, "replay: %s: cannot read\n", path);
	return -EIO;
}

/* replay_path -- a file, or every regular file of a directory */
static int replay_path(const char *path, unsigned *count)
{
	char sub[4096];
	struct dirent *e;
	struct stat st;
	int err = 0;
	DIR *d;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &st) || !S_ISREG(st.st_mode))
			continue;
		(*count)++;
		if (replay_file(sub))
			err = -EIO;
	}
	closedir(d);
	return err;
}

/* main -- replay every argument */
int main(int argc, char **argv)
{
	unsigned count = 0;
	int err = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			err = 1;
	printf("replayed %u input(s)\n", count);
	return err || !count;
}
