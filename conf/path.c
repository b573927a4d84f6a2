/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * path.c -- region paths: absolute, lexically normalized, devdax or not
 *
 * Normalizing ("//", "/./" and trailing "/" removed) lets the parser catch
 * two regions on one file however the operator spelled it.  ".." is refused
 * rather than resolved: folding it lexically is wrong across symlinks, and
 * no sane pmrd.conf needs it.  Symlinks and bind mounts are the daemon's
 * concern (it compares st_dev/st_ino after opening).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf_private.h"

/* conf_path_normalize -- copy PATH without empty and "." components */
int conf_path_normalize(const char *path, char **ret, const char **why)
{
	const char *p = path, *comp;
	size_t len, o = 0;
	char *out;

	if (!path || path[0] != '/') {
		*why = "must be an absolute path";
		return -EINVAL;
	}
	if (strlen(path) >= PATH_MAX) {
		*why = "too long";
		return -EINVAL;
	}
	out = malloc(strlen(path) + 1);
	if (!out) {
		*why = "out of memory";
		return -ENOMEM;
	}
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (comp = p; *p && *p != '/'; p++)
			;
		len = (size_t)(p - comp);
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			free(out);
			*why = "must not contain '..'";
			return -EINVAL;
		}
		out[o++] = '/';
		memcpy(out + o, comp, len);
		o += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	*ret = out;
	return 0;
}

/* conf_path_is_devdax -- "/dev/daxX.Y" style: a device DAX character node */
bool conf_path_is_devdax(const char *path)
{
	static const char prefix[] = "/dev/dax";
	size_t n = sizeof(prefix) - 1;

	return path && !strncmp(path, prefix, n) && path[n] &&
	       !strchr(path + n, '/');
}
