/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_auth.h -- who may use the admin socket, besides its file mode
 *
 * The kernel tells the daemon who is at the other end of a UNIX socket:
 * SO_PEERCRED gives the peer's uid, gid and pid and SO_PEERGROUPS its
 * supplementary groups, all as they were when the peer called connect(), so
 * a peer cannot change them afterwards and there is no race with a pid
 * being reused (which reading /proc/PID/status would have).  getgrouplist()
 * is not used either: it reads the group database, not the process's real
 * credentials, and may block on NSS (LDAP) inside the event loop.
 *
 * Allowed: uid 0, the daemon's own uid (a daemon started by hand by a
 * user: that user can signal and ptrace it anyway), and any peer whose
 * effective gid or one of whose supplementary groups is the group
 * PMRD_ADMIN_GROUP.  When that group does not exist, only the first two.
 * Everyone else gets one line of JSON with errno EACCES and is closed.
 */
#ifndef PMRD_ADMIN_AUTH_H
#define PMRD_ADMIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PMRD_ADMIN_GROUP "pmrd"

/* what the daemon allows: its own uid, and the admin group if it exists */
struct pmrd_admin_policy {
	uid_t self_uid;
	bool have_group;
	gid_t group;
};

/* what the kernel says about a peer */
struct pmrd_admin_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups, may be NULL */
	size_t n_groups;
};

/*
 * pmrd_admin_auth_decide -- the policy (pure): 0 when PEER may use the
 * admin socket under POL, -EACCES when it may not
 */
int pmrd_admin_auth_decide(const struct pmrd_admin_policy *pol,
			   const struct pmrd_admin_peer *peer);

/*
 * pmrd_admin_auth_init -- look up PMRD_ADMIN_GROUP (getgrnam_r) once, at
 * start, and give the socket at PATH (if not NULL) to that group
 * (pmrd_admin_auth_give).  Never fails: without the group only root and
 * the daemon's uid are let in, which is logged.
 */
void pmrd_admin_auth_init(const char *path);

/*
 * pmrd_admin_auth_give -- give the socket at PATH to group GID, so its 0660
 * mode lets the group's members connect, and, when PATH lies directly in
 * $RUNTIME_DIRECTORY (the directory systemd made for pmrd.service's
 * RuntimeDirectory=, mode 0750, root's), that directory too, so they can
 * reach the socket.  No other directory is changed: admin_socket may be
 * anywhere.  0, or the first chown's -errno (logged).  Needs CAP_CHOWN
 * unless the daemon is a member of GID.
 */
int pmrd_admin_auth_give(const char *path, gid_t gid);

/*
 * pmrd_admin_auth_check -- read FD's peer credentials and decide under
 * POL.  0 when allowed; otherwise the peer is sent the reason as one line
 * of JSON (the caller closes FD) and -EACCES, or -errno when the
 * credentials cannot be read (also refused).
 */
int pmrd_admin_auth_check(int fd, const struct pmrd_admin_policy *pol);

/* pmrd_admin_auth_peer -- pmrd_admin_auth_check under the daemon's policy */
int pmrd_admin_auth_peer(int fd);

#endif
