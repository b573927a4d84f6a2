/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_admin_auth.c -- admin socket peer credentials: the policy (pure),
 * and, as root, real peers that connect as another uid, gid or with a
 * supplementary group, through SO_PEERCRED/SO_PEERGROUPS.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "admin_auth.h"

#define NOBODY 65534
#define GROUP  4242

/* decide -- the policy on a peer with these credentials */
static int decide(const struct pmrd_admin_policy *pol, uid_t uid, gid_t gid,
		  const gid_t *groups, size_t n)
{
	struct pmrd_admin_peer peer = {
		.pid = 1234,
		.uid = uid,
		.gid = gid,
		.groups = groups,
		.n_groups = n,
	};

	return pmrd_admin_auth_decide(pol, &peer);
}

Test(admin_auth, root_and_self)
{
	struct pmrd_admin_policy pol = { .self_uid = 0 };
	struct pmrd_admin_policy user = { .self_uid = 1000 };

	cr_assert_eq(decide(&pol, 0, 0, NULL, 0), 0);
	cr_assert_eq(decide(&pol, 0, NOBODY, NULL, 0), 0);
	cr_assert_eq(decide(&pol, 1000, 1000, NULL, 0), -EACCES);
	/* a daemon started by hand lets its own user in */
	cr_assert_eq(decide(&user, 1000, 1000, NULL, 0), 0);
	cr_assert_eq(decide(&user, 1001, 1000, NULL, 0), -EACCES);
	cr_assert_eq(decide(&user, 0, 0, NULL, 0), 0);
}

Test(admin_auth, group)
{
	struct pmrd_admin_policy pol = {
		.self_uid = 0,
		.have_group = true,
		.group = GROUP,
	};
	const gid_t other[] = { 10, 20, 30 };
	const gid_t member[] = { 10, GROUP, 30 };

	cr_assert_eq(decide(&pol, 1000, GROUP, NULL, 0), 0);
	cr_assert_eq(decide(&pol, 1000, 1000, member, 3), 0);
	cr_assert_eq(decide(&pol, 1000, 1000, other, 3), -EACCES);
	cr_assert_eq(decide(&pol, 1000, 1000, NULL, 0), -EACCES);
	/* a count without an array is nothing */
	cr_assert_eq(decide(&pol, 1000, 1000, NULL, 5), -EACCES);
	/* the group bit is off: membership does not count */
	pol.have_group = false;
	cr_assert_eq(decide(&pol, 1000, GROUP, member, 3), -EACCES);
}

/*
 * connect_as -- fork a child that drops to UID/GID with supplementary
 * group SUPP (none if 0), connects to the listening socket LFD (an
 * abstract address) and copies what it reads into ANSWER; the parent
 * accepts and checks the connection under POL.  Returns the check's result.
 */
static int connect_as(uid_t uid, gid_t gid, gid_t supp,
		      const struct pmrd_admin_policy *pol, char *answer,
		      size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, fd, pfd[2], status, err;
	socklen_t salen;
	pid_t pid;
	ssize_t n;

	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
		 "pmrd-test-admin-auth-%d", (int)getpid());
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			    strlen(sa.sun_path + 1));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(lfd, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, salen), 0, "bind: %m");
	cr_assert_eq(listen(lfd, 1), 0);
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		int c;

		close(pfd[0]);
		if (setgroups(supp ? 1 : 0, &supp) || setgid(gid) ||
		    setuid(uid))
			_exit(2);
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sa, salen))
			_exit(3);
		while ((n = read(c, answer, cap)) > 0)
			if (write(pfd[1], answer, (size_t)n) != n)
				_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	fd = accept(lfd, NULL, NULL);
	cr_assert_geq(fd, 0);
	err = pmrd_admin_auth_check(fd, pol);
	close(fd);
	n = read(pfd[0], answer, cap - 1);
	answer[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "child status %d", status);
	close(lfd);
	return err;
}

Test(admin_auth, real_peers)
{
	struct pmrd_admin_policy pol = { .self_uid = 0 };
	char answer[512];

	if (geteuid() != 0)
		cr_skip_test("needs root to connect as another user");
	/* root itself: allowed, nothing sent */
	cr_assert_eq(connect_as(0, 0, 0, &pol, answer, sizeof(answer)), 0);
	cr_assert_str_empty(answer);
	/* nobody: refused with a JSON line naming EACCES */
	cr_assert_eq(connect_as(NOBODY, NOBODY, 0, &pol, answer,
				sizeof(answer)),
		     -EACCES);
	cr_assert(strstr(answer, "\"errno\":13"), "answer: %s", answer);
	cr_assert(strstr(answer, "\"ok\":false"), "answer: %s", answer);
	cr_assert_eq(answer[strlen(answer) - 1], '\n');
	/* the admin group as primary gid, then only as supplementary group */
	pol.have_group = true;
	pol.group = GROUP;
	cr_assert_eq(connect_as(NOBODY, GROUP, 0, &pol, answer, sizeof(answer)),
		     0);
	cr_assert_eq(connect_as(NOBODY, NOBODY, GROUP, &pol, answer,
				sizeof(answer)),
		     0);
	cr_assert_eq(connect_as(NOBODY, NOBODY, GROUP + 1, &pol, answer,
				sizeof(answer)),
		     -EACCES);
}

Test(admin_auth, daemon_policy)
{
	int sv[2];

	/* our own socketpair: root or the daemon's uid, always allowed */
	pmrd_admin_auth_init(NULL);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pmrd_admin_auth_peer(sv[0]), 0);
	close(sv[0]);
	close(sv[1]);
	/* not a socket: refused, not crashed */
	cr_assert_lt(pmrd_admin_auth_peer(sv[0]), 0);
}
