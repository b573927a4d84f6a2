/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_admin_socket_group.c -- pmrd_admin_auth_give: the socket goes to the
 * admin group, and its directory too exactly when it is the directory
 * systemd made for pmrd ($RUNTIME_DIRECTORY); as root (chown to a group
 * the test is not in needs CAP_CHOWN).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "admin_auth.h"

#define GROUP 4242

static char dir[64], sock[96];

/* setup -- DIR with an empty file SOCK standing in for the socket */
static void setup(void)
{
	FILE *f;

	if (geteuid() != 0)
		cr_skip_test(
			"needs root: chown to a group this user is not in");
	snprintf(dir, sizeof(dir), "/tmp/pmrd-give-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/pmrd.sock", dir);
	f = fopen(sock, "w");
	cr_assert_not_null(f);
	fclose(f);
}

/* teardown -- remove what setup made */
static void teardown(void)
{
	unsetenv("RUNTIME_DIRECTORY");
	if (sock[0])
		unlink(sock);
	if (dir[0])
		rmdir(dir);
}

/* gid_of -- the group of PATH */
static gid_t gid_of(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return st.st_gid;
}

Test(admin_socket_group, runtime_directory_follows, .init = setup,
     .fini = teardown)
{
	cr_assert_eq(setenv("RUNTIME_DIRECTORY", dir, 1), 0);
	cr_assert_eq(pmrd_admin_auth_give(sock, GROUP), 0);
	cr_assert_eq(gid_of(sock), GROUP);
	cr_assert_eq(gid_of(dir), GROUP);
}

Test(admin_socket_group, other_directory_left_alone, .init = setup,
     .fini = teardown)
{
	gid_t before = gid_of(dir), tmp_before = gid_of("/tmp");

	unsetenv("RUNTIME_DIRECTORY");
	cr_assert_eq(pmrd_admin_auth_give(sock, GROUP), 0);
	cr_assert_eq(gid_of(sock), GROUP);
	cr_assert_eq(gid_of(dir), before);
	/* a RUNTIME_DIRECTORY that is not the socket's directory (a prefix) */
	cr_assert_eq(setenv("RUNTIME_DIRECTORY", "/tmp", 1), 0);
	cr_assert_eq(pmrd_admin_auth_give(sock, GROUP + 1), 0);
	cr_assert_eq(gid_of(sock), GROUP + 1);
	cr_assert_eq(gid_of(dir), before);
	cr_assert_eq(gid_of("/tmp"), tmp_before);
}

Test(admin_socket_group, missing_socket_fails, .init = setup, .fini = teardown)
{
	char gone[128];

	cr_assert_eq(setenv("RUNTIME_DIRECTORY", dir, 1), 0);
	snprintf(gone, sizeof(gone), "%s/none.sock", dir);
	cr_assert_eq(pmrd_admin_auth_give(gone, GROUP), -ENOENT);
	cr_assert_neq(gid_of(dir), GROUP);
}
