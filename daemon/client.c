// SPDX-License-Identifier: BSD-3-Clause
/*
 * client.c -- per-client verbs resources and the completion path.
 *
 * Flow control is the credit scheme of proto/FLOW.md: the client may have
 * `credits` requests in flight, so `credits` RECVs are posted.  Each
 * request is answered from one of `credits` SEND slots; as our SEND
 * completion can be polled after the client has already seen the response
 * and sent its next request, a request that finds no free SEND slot waits
 * in a small FIFO until one completes.  The RECV is reposted before the
 * response is sent, so the client's next request always finds a buffer.
 *
 * Any completion error (a message larger than max_msg gives a local length
 * error, a dead peer gives retry-exceeded) disconnects this client only.
 *
 * Busy-polling (busy_poll_us): after a callback that handled completions
 * the client's CQ is not re-armed; an ev_check watcher polls it (and every
 * other hot client's) in each loop iteration, right after libev's poll for
 * fds, until busy_poll_us passed without a completion, then arms it as
 * before.  A client that sends its next request within the window (a
 * synchronous write+persist loop: the response, the client's wake-up, its
 * next WRITE and PERSIST) finds pmrd awake instead of halted in
 * epoll_wait: no completion-channel event, no wake-up of an idle CPU, no
 * channel read.  While any client is hot an empty ev_idle watcher keeps
 * libev's poll from blocking (zero timeout), so every other fd is still
 * served in every iteration: one busy client cannot starve the others.
 * Nor can other fds starve a hot client: check watchers run in every
 * iteration, busy or not (an idle watcher would run only in iterations
 * with nothing else pending, and a steady stream of other events, an
 * admin socket flood say, would have kept a hot client unpolled with its
 * CQ unarmed).  Nothing about a request's handling changes: a PERSIST is
 * still answered only after its pmem2 persist returned (session.c), from
 * the same code path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "pmr_proto.h"
#include "util.h"

#define SEND_BIT   (1ull << 63)
#define POLL_BATCH 16

/* recv_buf / send_buf -- the bytes of a RECV or SEND slot */
static uint8_t *recv_buf(struct pmrd_client *c, uint32_t slot)
{
	return c->buf + (size_t)slot * c->msg_size;
}

static uint8_t *send_buf(struct pmrd_client *c, uint32_t slot)
{
	return c->buf + ((size_t)c->credits + slot) * c->msg_size;
}

/* format_peer -- "#serial addr:port" of ID's remote end */
static void format_peer(struct pmrd_client *c)
{
	struct sockaddr *sa = rdma_get_peer_addr(c->id);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa && sa->sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	snprintf(c->peer, sizeof(c->peer), "#%llu %s:%u",
		 (unsigned long long)c->serial, host, port);
}

/* post_recv -- (re)post RECV slot SLOT */
static int post_recv(struct pmrd_client *c, uint32_t slot)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)recv_buf(c, slot),
		.length = c->msg_size,
		.lkey = c->buf_mr->lkey,
	};
	struct ibv_recv_wr wr = {
		.wr_id = slot,
		.sg_list = &sge,
		.num_sge = 1,
	};
	struct ibv_recv_wr *bad;
	int err = ibv_post_recv(c->id->qp, &wr, &bad);

	if (err) {
		log_notice("client %s: ibv_post_recv: %s", c->peer,
			   strerror(err));
		return -err;
	}
	return 0;
}

/* post_send -- send LEN bytes of SEND slot SLOT */
static int post_send(struct pmrd_client *c, uint32_t slot, uint32_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)send_buf(c, slot),
		.length = len,
		.lkey = c->buf_mr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = SEND_BIT | slot,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = IBV_WR_SEND,
		/*
		 * Fenced: starts only once every WR before it completed, so
		 * a memory window bound or invalidated for this request
		 * (keys.c) is in effect before the client sees the answer.
		 * It costs nothing else: the server posts no READs.
		 */
		.send_flags = IBV_SEND_SIGNALED | IBV_SEND_FENCE,
	};
	struct ibv_send_wr *bad;
	int err = ibv_post_send(c->id->qp, &wr, &bad);

	if (err) {
		log_notice("client %s: ibv_post_send: %s", c->peer,
			   strerror(err));
		return -err;
	}
	return 0;
}

/*
 * serve -- answer the request in RECV slot RSLOT (LEN bytes) from SEND
 * slot SSLOT.  Negative: disconnect the client.
 */
static int serve(struct pmrd_client *c, uint32_t rslot, uint32_t len,
		 uint32_t sslot)
{
	int n, err;

	n = pmrd_session_handle(&c->sess, recv_buf(c, rslot), len,
				send_buf(c, sslot), c->msg_size);
	err = post_recv(c, rslot);
	if (err)
		return err;
	if (n < 0)
		return n; /* the session logged why */
	if (n == 0) {
		c->free_send[c->n_free_send++] = sslot;
		return 0;
	}
	return post_send(c, sslot, (uint32_t)n);
}

/* serve_pending -- answer waiting requests while SEND slots are free */
static int serve_pending(struct pmrd_client *c)
{
	while (c->n_pending && c->n_free_send) {
		uint32_t i = c->pending_head;
		int err;

		c->pending_head = (c->pending_head + 1) % c->credits;
		c->n_pending--;
		err = serve(c, c->pending[i], c->pending_len[i],
			    c->free_send[--c->n_free_send]);
		if (err)
			return err;
	}
	return 0;
}

/* handle_wc -- one completion; negative: disconnect the client */
static int handle_wc(struct pmrd_client *c, const struct ibv_wc *wc)
{
	if (wc->status != IBV_WC_SUCCESS) {
		if (wc->status == IBV_WC_WR_FLUSH_ERR)
			return -ECONNRESET;
		if (wc->status == IBV_WC_LOC_LEN_ERR)
			log_notice(
				"client %s: message larger than max_msg (%u bytes)",
				c->peer, c->msg_size);
		else
			log_notice("client %s: %s completion: %s", c->peer,
				   (wc->wr_id & SEND_BIT) ? "send" : "recv",
				   ibv_wc_status_str(wc->status));
		return -EIO;
	}
	if (c->state == PMRD_CLIENT_DISCONNECTING)
		return 0;

	if (pmrd_keys_wr_id_is_ours(wc->wr_id))
		return 0; /* a bind or invalidation: nothing to do */
	if (wc->wr_id & SEND_BIT) {
		uint32_t slot = (uint32_t)(wc->wr_id & ~SEND_BIT);

		if (slot >= c->credits || c->n_free_send >= c->credits)
			return -EIO; /* cannot happen: our own wr_id */
		c->free_send[c->n_free_send++] = slot;
		return serve_pending(c);
	}

	if (wc->wr_id >= c->credits || wc->opcode != IBV_WC_RECV)
		return -EIO;
	if (c->state == PMRD_CLIENT_ACCEPTING) /* first SEND beat the RTU */
		pmrd_client_established(c);
	if (!c->n_free_send) {
		uint32_t tail = (c->pending_head + c->n_pending) % c->credits;

		if (c->n_pending >= c->credits)
			return -EIO; /* more RECVs than posted: impossible */
		c->pending[tail] = (uint32_t)wc->wr_id;
		c->pending_len[tail] = wc->byte_len;
		c->n_pending++;
		return 0;
	}
	return serve(c, (uint32_t)wc->wr_id, wc->byte_len,
		     c->free_send[--c->n_free_send]);
}

/* poll_dry -- handle completions until the CQ is empty; how many, or -EIO */
static int poll_dry(struct pmrd_client *c)
{
	struct ibv_wc wcs[POLL_BATCH];
	int n, err, total = 0;

	while ((n = ibv_poll_cq(c->cq, POLL_BATCH, wcs)) > 0) {
		for (int i = 0; i < n; i++) {
			err = handle_wc(c, &wcs[i]);
			if (err && c->state != PMRD_CLIENT_DISCONNECTING)
				pmrd_client_disconnect(c, strerror(-err));
		}
		total += n;
	}
	return n < 0 ? -EIO : total;
}

/*
 * arm_and_poll -- re-arm the CQ, then poll it dry again (a completion that
 * came between the last poll and the arm raised no event).  Arming only
 * once the CQ is empty keeps the completion of the response just sent
 * (rxe usually has it by the time ibv_post_send returns) from waking the
 * loop once more.  A failure disconnects the client.
 */
static void arm_and_poll(struct pmrd_client *c)
{
	int err = ibv_req_notify_cq(c->cq, 0);

	if (err) {
		log_err("client %s: ibv_req_notify_cq: %s", c->peer,
			strerror(err));
		pmrd_client_disconnect(c, "CQ failure");
		return;
	}
	if (poll_dry(c) < 0) {
		log_err("client %s: ibv_poll_cq failed", c->peer);
		pmrd_client_disconnect(c, "CQ failure");
	}
}

/* hot_unlink -- C leaves the hot list; the last one stops the poller */
static void hot_unlink(struct pmrd_client *c)
{
	struct pmrd_client_env *env = c->env;

	hlist_del(&c->hot_link);
	if (hlist_empty(&env->hot)) {
		ev_check_stop(env->loop, &env->busy_poll);
		ev_idle_stop(env->loop, &env->busy_spin);
	}
}

/* cool_down -- stop busy-polling C: out of the hot list, CQ armed */
static void cool_down(struct pmrd_client *c)
{
	hot_unlink(c);
	arm_and_poll(c);
}

/*
 * busy_poll_cb -- once per loop iteration: poll every hot client's CQ
 * once; one without a completion for busy_poll_us is armed again
 */
static void busy_poll_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct pmrd_client_env *env =
		container_of(w, struct pmrd_client_env, busy_poll);
	uint64_t now = pmrd_now_ns(), window;
	struct hlist_node *next;
	struct pmrd_client *c;
	int n;

	window = (uint64_t)env->limits->busy_poll_us * 1000;
	hlist_for_each_entry_safe(c, next, &env->hot, hot_link) {
		n = poll_dry(c);
		if (n > 0)
			c->hot_until = now + window;
		else if (n < 0 || now >= c->hot_until)
			cool_down(c);
	}
}

/* busy_spin_cb -- nothing: an active idle watcher only makes libev poll
 * with a zero timeout (busy_poll_cb does the work) */
static void busy_spin_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
}

/*
 * heat_up -- C just had completions: busy-poll it for busy_poll_us instead
 * of arming its CQ.  False when busy-polling is off.
 */
static bool heat_up(struct pmrd_client *c)
{
	struct pmrd_client_env *env = c->env;
	unsigned us = env->limits->busy_poll_us;

	if (!us || c->state == PMRD_CLIENT_DISCONNECTING)
		return false;
	c->hot_until = pmrd_now_ns() + (uint64_t)us * 1000;
	if (!hlist_unhashed(&c->hot_link))
		return true;
	hlist_add_head(&c->hot_link, &env->hot);
	if (!ev_is_active(&env->busy_poll)) {
		ev_check_init(&env->busy_poll, busy_poll_cb);
		ev_check_start(env->loop, &env->busy_poll);
		ev_idle_init(&env->busy_spin, busy_spin_cb);
		ev_idle_start(env->loop, &env->busy_spin);
	}
	return true;
}

/*
 * cc_cb -- the completion channel is readable: take and ack the event,
 * poll the CQ dry; then busy-poll the client (heat_up) if it had work, or
 * re-arm and poll again.
 */
static void cc_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pmrd_client *c = container_of(w, struct pmrd_client, cc_watcher);
	struct ibv_cq *cq;
	void *ctx;
	int n;

	while (!ibv_get_cq_event(c->cc, &cq, &ctx))
		ibv_ack_cq_events(cq, 1);
	n = poll_dry(c);
	if (n < 0) {
		log_err("client %s: ibv_poll_cq failed", c->peer);
		pmrd_client_disconnect(c, "CQ failure");
		return;
	}
	if (n > 0 && heat_up(c))
		return;
	arm_and_poll(c);
}

/* set_nonblock -- O_NONBLOCK on FD */
static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* pmrd_client_buf_size -- see client.h */
uint64_t pmrd_client_buf_size(const struct pmrd_client_env *env,
			      unsigned credits)
{
	return (uint64_t)credits * 2 * env->limits->max_msg;
}

/* alloc_slots -- the buffer, its MR and the slot bookkeeping */
static int alloc_slots(struct pmrd_client *c)
{
	size_t size = (size_t)pmrd_client_buf_size(c->env, c->credits);
	int err;

	err = posix_memalign((void **)&c->buf, 4096, size);
	if (err)
		return -err;
	memset(c->buf, 0, size);
	c->free_send = calloc(c->credits, sizeof(*c->free_send));
	c->pending = calloc(c->credits, sizeof(*c->pending));
	c->pending_len = calloc(c->credits, sizeof(*c->pending_len));
	if (!c->free_send || !c->pending || !c->pending_len)
		return -ENOMEM;
	for (unsigned i = 0; i < c->credits; i++)
		c->free_send[i] = c->credits - 1 - i;
	c->n_free_send = c->credits;

	c->buf_size = size;
	c->env->buf_bytes += size;

	c->buf_mr = ibv_reg_mr(c->env->dev->pd, c->buf, size,
			       IBV_ACCESS_LOCAL_WRITE);
	if (!c->buf_mr)
		return errno ? -errno : -ENOMEM;
	return 0;
}

/* free_slots -- undo alloc_slots (any part of it) */
static void free_slots(struct pmrd_client *c)
{
	if (c->buf_mr)
		ibv_dereg_mr(c->buf_mr);
	c->buf_mr = NULL;
	free(c->pending_len);
	free(c->pending);
	free(c->free_send);
	free(c->buf);
	c->env->buf_bytes -= MIN(c->env->buf_bytes, (uint64_t)c->buf_size);
	c->buf_size = 0;
}

/* pmrd_client_new -- see client.h */
int pmrd_client_new(struct pmrd_client_env *env, struct rdma_cm_id *id,
		    unsigned credits, struct pmrd_client **ret)
{
	struct ibv_qp_init_attr qa;
	struct pmrd_client *c;
	int err, cqe;

	if (id->verbs != env->dev->verbs)
		return -EXDEV; /* cannot happen: bound to one device's IP */

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->env = env;
	c->id = id;
	c->credits = credits;
	c->msg_size = env->limits->max_msg;
	c->serial = ++env->next_serial;
	c->since = time(NULL);
	format_peer(c);

	err = pmrd_session_init(&c->sess, env->exports, env->n_exports,
				env->limits->max_regions_per_client,
				env->limits->max_outstanding, c->peer);
	if (err)
		goto out_free;
	pmrd_session_set_limits(&c->sess, c->msg_size, &env->n_handles,
				env->limits->max_handles);

	c->cc = ibv_create_comp_channel(id->verbs);
	if (!c->cc) {
		err = errno ? -errno : -ENOMEM;
		goto out_fini_session;
	}
	err = set_nonblock(c->cc->fd);
	if (err)
		goto out_destroy_cc;
	cqe = (int)(2 * credits + pmrd_keys_sq_extra(credits));
	c->cq = ibv_create_cq(id->verbs, cqe, c, c->cc, 0);
	if (!c->cq) {
		err = errno ? -errno : -ENOMEM;
		goto out_destroy_cc;
	}
	err = ibv_req_notify_cq(c->cq, 0);
	if (err) {
		err = -err;
		goto out_destroy_cq;
	}

	err = alloc_slots(c);
	if (err)
		goto out_free_slots;

	memset(&qa, 0, sizeof(qa));
	qa.send_cq = c->cq;
	qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 1;
	qa.cap.max_send_wr = credits + pmrd_keys_sq_extra(credits);
	qa.cap.max_recv_wr = credits;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(id, env->dev->pd, &qa)) {
		err = errno ? -errno : -ENOMEM;
		goto out_free_slots;
	}
	err = pmrd_keys_new(env->dev, id->qp,
			    env->limits->max_regions_per_client, &c->keys);
	if (err)
		goto out_destroy_qp;
	pmrd_session_set_keys(&c->sess, &pmrd_keys_verbs_ops, c->keys);
	for (uint32_t i = 0; i < credits; i++) {
		err = post_recv(c, i);
		if (err)
			goto out_delete_keys;
	}

	ev_io_init(&c->cc_watcher, cc_cb, c->cc->fd, EV_READ);
	ev_io_start(env->loop, &c->cc_watcher);
	id->context = c;

	hlist_add_head(&c->link, &env->clients);
	env->n_clients++;
	*ret = c;
	return 0;

out_delete_keys:
	pmrd_session_set_keys(&c->sess, NULL, NULL);
	pmrd_keys_delete(&c->keys);
out_destroy_qp:
	rdma_destroy_qp(id);
out_free_slots:
	free_slots(c);
out_destroy_cq:
	ibv_destroy_cq(c->cq);
out_destroy_cc:
	ibv_destroy_comp_channel(c->cc);
out_fini_session:
	pmrd_session_fini(&c->sess);
out_free:
	log_err("client %s: cannot set up the connection: %s", c->peer,
		strerror(-err));
	free(c);
	return err;
}

/*
 * grant_flush -- add FLUSH to the QP's remote access: rdmacm sets only
 * read/write, and rxe checks FLUSH against the QP's access flags too.  The
 * QP is in RTS after rdma_accept (which also rewrites INIT's flags, so
 * this cannot be done earlier).
 */
static int grant_flush(struct pmrd_client *c)
{
	struct ibv_qp_attr a;
	int err;

	/* what this QP lacks stays unadvertised to its session, even after
	 * a reload grants it to later clients' QPs */
	if (!(c->env->qp_extra_access & PMRD_ACCESS_FLUSH_PERSISTENT))
		c->sess.no_persist |= PMR_PERSIST_FLUSH;
	if (!c->env->qp_extra_access)
		return 0;
	memset(&a, 0, sizeof(a));
	a.qp_access_flags = IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
			    c->env->qp_extra_access;
	err = ibv_modify_qp(c->id->qp, &a, IBV_QP_ACCESS_FLAGS);
	if (err) {
		log_err("client %s: granting RDMA FLUSH on the QP: %s", c->peer,
			strerror(err));
		c->sess.no_persist |= PMR_PERSIST_FLUSH;
		return -err;
	}
	return 0;
}

/* pmrd_client_accept -- see client.h */
int pmrd_client_accept(struct pmrd_client **cp, uint16_t version,
		       uint8_t responder)
{
	struct pmrd_client *c = *cp;
	struct pmr_welcome w = {
		.version = version,
		.credits = (uint16_t)c->credits,
		.max_msg = c->msg_size,
	};
	uint8_t pd[PMR_WELCOME_SIZE_V2];
	struct rdma_conn_param p;
	int n, err;

	/* the server's challenge for PSK proofs (sent from version 2 on) */
	memcpy(w.nonce, c->sess.auth.snonce, sizeof(w.nonce));
	n = pmr_welcome_encode(&w, pd, sizeof(pd));
	if (n < 0) {
		log_err("client %s: cannot encode the welcome: %s", c->peer,
			strerror(-n));
		pmrd_client_delete(cp);
		return n;
	}
	memset(&p, 0, sizeof(p));
	p.private_data = pd;
	p.private_data_len = (uint8_t)n;
	p.responder_resources = responder;
	p.initiator_depth = 0; /* the server never reads from clients */
	p.retry_count = 7;
	p.rnr_retry_count = 7;
	if (rdma_accept(c->id, &p)) {
		err = errno ? -errno : -EIO;
		log_notice("client %s: rdma_accept: %s", c->peer,
			   strerror(-err));
		pmrd_client_delete(cp);
		return err;
	}
	c->state = PMRD_CLIENT_ACCEPTING;
	err = grant_flush(c);
	if (err) {
		/* accepted: freed on its DISCONNECTED event, like any other */
		pmrd_client_disconnect(c, "QP setup failed");
		*cp = NULL;
		return err;
	}
	log_debug(
		"client %s: accepted, version %u, %u credits, responder resources %u",
		c->peer, version, c->credits, responder);
	return 0;
}

/* pmrd_client_addr -- see client.h */
const char *pmrd_client_addr(const struct pmrd_client *c)
{
	const char *sp = strchr(c->peer, ' ');

	return sp ? sp + 1 : c->peer;
}

/* pmrd_client_state_name -- see client.h */
const char *pmrd_client_state_name(const struct pmrd_client *c)
{
	switch (c->state) {
	case PMRD_CLIENT_ACCEPTING:
		return "accepting";
	case PMRD_CLIENT_ESTABLISHED:
		return "established";
	case PMRD_CLIENT_DISCONNECTING:
		return "disconnecting";
	}
	return "?";
}

/* pmrd_client_established -- see client.h */
void pmrd_client_established(struct pmrd_client *c)
{
	if (c->state != PMRD_CLIENT_ACCEPTING)
		return;
	c->state = PMRD_CLIENT_ESTABLISHED;
	log_info("client %s: connected (%u credits; %u clients)", c->peer,
		 c->credits, c->env->n_clients);
}

/* pmrd_client_disconnect -- see client.h */
void pmrd_client_disconnect(struct pmrd_client *c, const char *why)
{
	if (c->state == PMRD_CLIENT_DISCONNECTING)
		return;
	c->state = PMRD_CLIENT_DISCONNECTING;
	log_info("client %s: disconnecting: %s", c->peer, why);
	if (rdma_disconnect(c->id))
		log_debug("client %s: rdma_disconnect: %s", c->peer,
			  strerror(errno));
}

/* pmrd_client_delete -- see client.h */
void pmrd_client_delete(struct pmrd_client **cp)
{
	struct pmrd_client *c = cp ? *cp : NULL;
	struct pmrd_client_env *env;

	if (!c)
		return;
	env = c->env;
	ev_io_stop(env->loop, &c->cc_watcher);
	if (!hlist_unhashed(&c->hot_link))
		hot_unlink(c);
	hlist_del(&c->link);
	env->n_clients--;

	log_info(
		"client %s: gone (%llu requests, %llu bad, %u regions were open; %u clients left)",
		c->peer, (unsigned long long)c->sess.n_requests,
		(unsigned long long)c->sess.n_bad, c->sess.n_open,
		env->n_clients);

	/* a bound window holds its QP: revoke every key first */
	pmrd_session_fini(&c->sess);
	pmrd_keys_delete(&c->keys);
	rdma_destroy_qp(c->id);
	free_slots(c);
	ibv_destroy_cq(c->cq);
	ibv_destroy_comp_channel(c->cc);
	rdma_destroy_id(c->id);
	free(c);
	*cp = NULL;
}
