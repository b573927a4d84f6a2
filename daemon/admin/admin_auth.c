/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_auth.c -- admin socket peer credentials: SO_PEERCRED and
 * SO_PEERGROUPS against root, the daemon's uid and the pmrd group (see
 * admin_auth.h for why these and not /proc or getgrouplist)
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_auth.h"
#include "log.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

#define GROUPS_INLINE 64
#define GRBUF_MAX     (1 << 20)

static struct pmrd_admin_policy daemon_policy;
static bool daemon_policy_set;

/* pmrd_admin_auth_decide -- see admin_auth.h */
int pmrd_admin_auth_decide(const struct pmrd_admin_policy *pol,
			   const struct pmrd_admin_peer *peer)
{
	if (peer->uid == 0 || peer->uid == pol->self_uid)
		return 0;
	if (!pol->have_group)
		return -EACCES;
	if (peer->gid == pol->group)
		return 0;
	for (size_t i = 0; peer->groups && i < peer->n_groups; i++)
		if (peer->groups[i] == pol->group)
			return 0;
	return -EACCES;
}

/* group_lookup -- the gid of NAME; -ENOENT when there is no such group */
static int group_lookup(const char *name, gid_t *ret)
{
	struct group gr, *res = NULL;
	size_t len = 16384;
	char *buf = NULL, *nbuf;
	int err;

	for (;;) {
		nbuf = realloc(buf, len);
		if (!nbuf) {
			err = ENOMEM;
			goto out_free_buf;
		}
		buf = nbuf;
		err = getgrnam_r(name, &gr, buf, len, &res);
		if (err != ERANGE || len >= GRBUF_MAX)
			break;
		len *= 2;
	}
	if (!err && !res)
		err = ENOENT;
	if (!err)
		*ret = gr.gr_gid;
out_free_buf:
	free(buf);
	return -err;
}

/* runtime_dir_len -- length of PATH's directory if it is $RUNTIME_DIRECTORY,
 * else 0 */
static size_t runtime_dir_len(const char *path)
{
	const char *rd = secure_getenv("RUNTIME_DIRECTORY");
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!rd || !slash || slash == path)
		return 0;
	len = (size_t)(slash - path);
	return strlen(rd) == len && !strncmp(rd, path, len) ? len : 0;
}

/* pmrd_admin_auth_give -- see admin_auth.h */
int pmrd_admin_auth_give(const char *path, gid_t gid)
{
	size_t len = runtime_dir_len(path);
	char *dir;
	int ret;

	if (chown(path, (uid_t)-1, gid) < 0) {
		ret = -errno;
		log_warn("admin socket %s: cannot give it to group '%s': %s",
			 path, PMRD_ADMIN_GROUP, strerror(-ret));
		return ret;
	}
	if (!len)
		return 0;
	dir = strndup(path, len);
	if (!dir)
		return -ENOMEM;
	ret = chown(dir, (uid_t)-1, gid) < 0 ? -errno : 0;
	if (ret)
		log_warn(
			"admin socket directory %s: cannot give it to group '%s': %s",
			dir, PMRD_ADMIN_GROUP, strerror(-ret));
	free(dir);
	return ret;
}

/* pmrd_admin_auth_init -- see admin_auth.h */
void pmrd_admin_auth_init(const char *path)
{
	struct pmrd_admin_policy pol = { .self_uid = geteuid() };
	int err;

	err = group_lookup(PMRD_ADMIN_GROUP, &pol.group);
	pol.have_group = !err;
	if (err == -ENOENT)
		log_info(
			"admin socket: no group '%s': only root and this user may use it",
			PMRD_ADMIN_GROUP);
	else if (err)
		log_warn(
			"admin socket: cannot look up group '%s' (%s): only root and this user may use it",
			PMRD_ADMIN_GROUP, strerror(-err));
	else if (path)
		pmrd_admin_auth_give(path, pol.group);
	daemon_policy = pol;
	daemon_policy_set = true;
}

/* peer_groups -- FD's peer's supplementary groups into *RET (maybe malloc) */
static int peer_groups(int fd, gid_t *inline_buf, gid_t **ret, size_t *ret_n)
{
	socklen_t len = GROUPS_INLINE * sizeof(gid_t);
	gid_t *g = inline_buf;

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len))
		goto out_done;
	/* kernels before 4.13: the primary gid is all there is */
	if (errno == ENOPROTOOPT) {
		len = 0;
		goto out_done;
	}
	if (errno != ERANGE || len > NGROUPS_MAX * sizeof(gid_t))
		return -errno;
	/* len is now the size needed */
	g = malloc(len);
	if (!g)
		return -ENOMEM;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len)) {
		int err = -errno;

		free(g);
		return err;
	}
out_done:
	*ret = g;
	*ret_n = len / sizeof(gid_t);
	return 0;
}

/* refuse -- tell the peer why, in the admin socket's answer format */
static void refuse(int fd, int err, const char *why)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line),
		     "{\"errno\":%d,\"error\":\"%s\",\"ok\":false}\n", -err,
		     why);
	/* a fresh socket's buffer takes one short line; if not, never mind */
	if (n > 0 && (size_t)n < sizeof(line))
		(void)!send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* pmrd_admin_auth_check -- see admin_auth.h */
int pmrd_admin_auth_check(int fd, const struct pmrd_admin_policy *pol)
{
	gid_t inline_groups[GROUPS_INLINE], *groups = NULL;
	struct pmrd_admin_peer peer = { 0 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int err;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		err = -errno;
	else
		err = len == sizeof(cred) ? 0 : -EIO;
	if (err) {
		log_warn(
			"admin: connection refused: cannot read its credentials: %s",
			strerror(-err));
		refuse(fd, err, "permission denied: peer credentials unknown");
		return err;
	}
	peer.pid = cred.pid;
	peer.uid = cred.uid;
	peer.gid = cred.gid;
	err = peer_groups(fd, inline_groups, &groups, &peer.n_groups);
	if (err) {
		/* uid and gid alone still decide; a group member is refused */
		log_warn("admin: groups of pid %d unknown: %s", (int)cred.pid,
			 strerror(-err));
		groups = NULL;
		peer.n_groups = 0;
	}
	peer.groups = groups;
	err = pmrd_admin_auth_decide(pol, &peer);
	if (groups != inline_groups)
		free(groups);
	if (!err)
		return 0;
	log_notice(
		"admin: connection refused: pid %d uid %u gid %u is not root nor in group '%s'",
		(int)cred.pid, (unsigned)cred.uid, (unsigned)cred.gid,
		PMRD_ADMIN_GROUP);
	refuse(fd, err,
	       "permission denied: the admin socket is for root and group '" PMRD_ADMIN_GROUP
	       "'");
	return err;
}

/* pmrd_admin_auth_peer -- see admin_auth.h */
int pmrd_admin_auth_peer(int fd)
{
	if (!daemon_policy_set)
		pmrd_admin_auth_init(NULL);
	return pmrd_admin_auth_check(fd, &daemon_policy);
}
