/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin.c -- the admin socket on the libev loop: accept, read lines,
 * answer each with one line of JSON, write without blocking.
 *
 * Nothing a peer sends can make the daemon block or grow without bound:
 * the read buffer is PMRD_ADMIN_REQ_MAX bytes, a peer gets no new request
 * read while its previous answer is still being written, and idle or
 * excess connections are closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "admin.h"
#include "admin_auth.h"
#include "list.h"
#include "log.h"

struct admin_conn {
	struct pmrd_admin *admin;
	struct hlist_node link; /* in pmrd_admin.conns */
	int fd;
	ev_io io;
	ev_timer idle;
	char in[PMRD_ADMIN_REQ_MAX];
	size_t in_len;
	char *out; /* response being written (malloc'ed), or NULL */
	size_t out_len, out_off;
	bool close_after; /* close once OUT is written */
	bool skip_line;	  /* discard input up to the next newline */
};

struct pmrd_admin {
	struct ev_loop *loop;
	char *path;
	int fd;
	ev_io accept_io;
	pmrd_admin_handler_fn *handler;
	void *arg;
	struct hlist_head conns;
	unsigned n_conns;
};

/* conn_close -- forget a connection */
static void conn_close(struct admin_conn *c)
{
	struct pmrd_admin *a = c->admin;

	ev_io_stop(a->loop, &c->io);
	ev_timer_stop(a->loop, &c->idle);
	close(c->fd);
	hlist_del(&c->link);
	a->n_conns--;
	free(c->out);
	free(c);
}

/*
 * peer_allowed -- may this peer use the admin socket?  Besides the socket's
 * mode (0660) and directory: its credentials (admin_auth.h: root, the
 * daemon's uid or the pmrd group); a refused peer has been told why.
 */
static bool peer_allowed(int fd)
{
	return pmrd_admin_auth_peer(fd) == 0;
}

/* conn_watch -- read requests, or wait until the pending answer is out */
static void conn_watch(struct admin_conn *c, int events)
{
	ev_io_stop(c->admin->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->admin->loop, &c->io);
}

/* answer -- build the JSON answer to one line and queue it */
static void answer(struct admin_conn *c, const char *line, size_t len)
{
	struct pmrd_admin *a = c->admin;
	struct pmrd_admin_req req;
	char text[128];
	const char *etext = text, *s;
	struct json_object *resp;
	size_t n;
	int err;

	resp = json_object_new_object();
	if (!resp)
		goto out_close;
	err = pmrd_admin_req_parse(line, len, &req, text, sizeof(text));
	if (!err) {
		log_debug("admin: %s", pmrd_admin_verb_name(req.verb));
		err = a->handler(a->arg, &req, resp, &etext);
	} else {
		log_info("admin: bad request: %s", text);
	}
	if (err) {
		/* drop what a failing handler may have added */
		json_object_put(resp);
		resp = json_object_new_object();
		if (!resp)
			goto out_close;
		json_object_object_add(resp, "errno",
				       json_object_new_int(-err));
		json_object_object_add(resp, "error",
				       json_object_new_string(etext));
	}
	json_object_object_add(resp, "ok", json_object_new_boolean(!err));
	s = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN);
	n = s ? strlen(s) : 0;
	c->out = s ? malloc(n + 1) : NULL;
	if (!c->out) {
		json_object_put(resp);
		goto out_close;
	}
	memcpy(c->out, s, n);
	c->out[n] = '\n';
	c->out_len = n + 1;
	c->out_off = 0;
	json_object_put(resp);
	return;

out_close:
	log_err("admin: out of memory answering a request");
	c->close_after = true;
}

/* flush_out -- write what the socket takes; 0, or -1 when C was closed */
static int flush_out(struct admin_conn *c)
{
	while (c->out && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			conn_watch(c, EV_WRITE);
			return 0;
		}
		if (n <= 0) {
			conn_close(c);
			return -1;
		}
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	if (c->close_after) {
		conn_close(c);
		return -1;
	}
	conn_watch(c, EV_READ);
	return 0;
}

/* take_line -- answer the first complete line in the buffer, if any */
static int take_line(struct admin_conn *c)
{
	char *nl = memchr(c->in, '\n', c->in_len);
	size_t len;

	if (!nl) {
		if (c->in_len < sizeof(c->in))
			return 0;
		/* a full buffer without a newline: answer, drop the rest */
		answer(c, c->in, c->in_len);
		c->skip_line = true;
		c->in_len = 0;
		return flush_out(c);
	}
	len = (size_t)(nl - c->in);
	answer(c, c->in, len);
	memmove(c->in, nl + 1, c->in_len - len - 1);
	c->in_len -= len + 1;
	return flush_out(c);
}

/* conn_cb -- readable (a request) or writable (the rest of an answer) */
static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin_conn *c = container_of(w, struct admin_conn, io);
	ssize_t n;

	ev_timer_again(loop, &c->idle);
	if (c->out) {
		/* answer out: go on with the requests already buffered */
		if (flush_out(c) || c->out)
			return;
	} else {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
	}
	if (c->skip_line) {
		char *nl = memchr(c->in, '\n', c->in_len);
		size_t rest;

		if (!nl) {
			c->in_len = 0;
			return;
		}
		rest = c->in_len - (size_t)(nl + 1 - c->in);
		memmove(c->in, nl + 1, rest);
		c->in_len = rest;
		c->skip_line = false;
	}
	/* one request per wakeup; the rest waits until its answer is out */
	while (!c->out && memchr(c->in, '\n', c->in_len))
		if (take_line(c))
			return;
	if (!c->out && c->in_len == sizeof(c->in))
		take_line(c);
}

/* idle_cb -- a peer that says nothing for long is dropped */
static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct admin_conn *c = container_of(w, struct admin_conn, idle);

	log_debug("admin: closing an idle connection");
	conn_close(c);
}

/* accept_cb -- a new connection, within the limit */
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pmrd_admin *a = container_of(w, struct pmrd_admin, accept_io);
	struct admin_conn *c;
	int fd;

	fd = accept4(a->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("admin: accept: %s", strerror(errno));
		return;
	}
	if (a->n_conns >= PMRD_ADMIN_CONNS_MAX || !peer_allowed(fd)) {
		log_notice("admin: connection refused (%u open, max %d)",
			   a->n_conns, PMRD_ADMIN_CONNS_MAX);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->admin = a;
	c->fd = fd;
	ev_io_init(&c->io, conn_cb, fd, EV_READ);
	ev_io_start(loop, &c->io);
	ev_timer_init(&c->idle, idle_cb, 0., PMRD_ADMIN_IDLE_S);
	ev_timer_again(loop, &c->idle);
	hlist_add_head(&c->link, &a->conns);
	a->n_conns++;
}

/* remove_stale -- unlink PATH if it is a socket nobody listens on */
static int remove_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("admin socket %s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("admin socket %s: another pmrd is serving it", path);
		err = -EADDRINUSE;
	} else if (unlink(path) < 0 && errno != ENOENT) {
		err = -errno;
	}
	close(fd);
	return err;
}

/*
 * make_parent -- create the socket's directory (one level, mode 0755) when
 * it is missing: systemd's RuntimeDirectory= does it for the service, a
 * daemon started by hand with the default path needs it too
 */
static int make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_err("admin socket %s: cannot create %s: %s", path, dir,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* pmrd_admin_new -- see admin.h */
int pmrd_admin_new(struct ev_loop *loop, const char *path,
		   pmrd_admin_handler_fn *handler, void *arg,
		   struct pmrd_admin **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pmrd_admin *a;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("admin socket %s: path longer than %zu bytes", path,
			sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->path = strdup(path);
	if (!a->path) {
		err = -ENOMEM;
		goto out_free;
	}
	err = make_parent(path);
	if (err)
		goto out_free_path;
	err = remove_stale(path);
	if (err)
		goto out_free_path;
	a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		err = -errno;
		goto out_free_path;
	}
	if (bind(a->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		log_err("admin socket %s: bind: %s", path, strerror(errno));
		goto out_close_fd;
	}
	if (chmod(path, PMRD_ADMIN_MODE) < 0 || listen(a->fd, 16) < 0) {
		err = -errno;
		log_err("admin socket %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	pmrd_admin_auth_init(path);
	a->loop = loop;
	a->handler = handler;
	a->arg = arg;
	ev_io_init(&a->accept_io, accept_cb, a->fd, EV_READ);
	ev_io_start(loop, &a->accept_io);
	log_info("admin socket %s", path);
	*ret = a;
	return 0;

out_unlink:
	unlink(path);
out_close_fd:
	close(a->fd);
out_free_path:
	free(a->path);
out_free:
	free(a);
	return err;
}

/* pmrd_admin_delete -- see admin.h */
void pmrd_admin_delete(struct pmrd_admin **ap)
{
	struct pmrd_admin *a = ap ? *ap : NULL;
	struct admin_conn *c;
	struct hlist_node *n;

	if (!a)
		return;
	hlist_for_each_entry_safe(c, n, &a->conns, link)
		conn_close(c);
	ev_io_stop(a->loop, &a->accept_io);
	close(a->fd);
	unlink(a->path);
	free(a->path);
	free(a);
	*ap = NULL;
}
