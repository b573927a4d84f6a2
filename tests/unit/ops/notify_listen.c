/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify_listen.c -- pmr-notify-listen: play systemd's side of sd_notify
 * for tests.
 *
 *   pmr-notify-listen [-t SECS] [-a hup|term]... SOCKET CMD [ARGS...]
 *
 * Binds a datagram socket at SOCKET ("@name": abstract), runs CMD with
 * NOTIFY_SOCKET set to it, and prints every message it receives as
 * "notify: LINE" (one per line of the message).  Each READY=1 received
 * triggers the next -a action on CMD (SIGHUP or SIGTERM), as
 * `systemctl reload` / `stop` would.  Exits with CMD's status, 124 when
 * CMD was still running after SECS (default 60; then killed).  SIGTERM,
 * SIGINT and SIGHUP sent to the listener are passed on to CMD, so a test
 * can stop "the service" through it.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ACTIONS_MAX 8

static volatile pid_t child;

/* forward -- pass a signal on to the command */
static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* print_msg -- each line of one message; true when it holds READY=1 */
static int print_msg(char *msg)
{
	int ready = 0;

	for (char *line = strtok(msg, "\n"); line; line = strtok(NULL, "\n")) {
		printf("notify: %s\n", line);
		if (!strcmp(line, "READY=1"))
			ready = 1;
	}
	fflush(stdout);
	return ready;
}

/* main -- see the top of the file */
int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int actions[ACTIONS_MAX], n_actions = 0, next = 0;
	int fd, c, status = 0, secs = 60;
	const char *path;
	socklen_t salen;
	time_t deadline;
	pid_t pid;

	while ((c = getopt(argc, argv, "+t:a:")) != -1) {
		switch (c) {
		case 't':
			secs = atoi(optarg);
			break;
		case 'a':
			if (n_actions == ACTIONS_MAX)
				return 2;
			actions[n_actions++] = !strcmp(optarg, "hup") ? SIGHUP :
									SIGTERM;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr,
			"usage: pmr-notify-listen [-t SECS] [-a hup|term]... SOCKET CMD...\n");
		return 2;
	}
	path = argv[optind];
	if (strlen(path) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, path, strlen(path));
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			    strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) < 0) {
		perror("pmr-notify-listen: socket");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		setenv("NOTIFY_SOCKET", path, 1);
		execvp(argv[optind + 1], argv + optind + 1);
		perror("pmr-notify-listen: exec");
		_exit(127);
	}
	child = pid;
	signal(SIGTERM, forward);
	signal(SIGINT, forward);
	signal(SIGHUP, forward);
	deadline = time(NULL) + secs;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char msg[4097];
		ssize_t n;
		pid_t w;

		if (poll(&p, 1, 100) > 0) {
			n = recv(fd, msg, sizeof(msg) - 1, 0);
			if (n > 0) {
				msg[n] = '\0';
				if (print_msg(msg) && next < n_actions)
					kill(pid, actions[next++]);
			}
			continue;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (time(NULL) > deadline) {
			fprintf(stderr, "pmr-notify-listen: timeout\n");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = 124 << 8;
			break;
		}
	}
	/* what the child sent just before exiting */
	for (;;) {
		char msg[4097];
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);

		if (n <= 0)
			break;
		msg[n] = '\0';
		print_msg(msg);
	}
	if (path[0] != '@')
		unlink(path);
	if (WIFSIGNALED(status)) {
		printf("notify-listen: killed by signal %d\n",
		       WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	printf("notify-listen: exit %d\n", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}
