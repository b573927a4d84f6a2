/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * endpoint.c -- the daemon's end of one client's connection: its verbs
 * resources and the completion path.
 *
 * Flow control is the credit scheme of proto/FLOW.md: the client may have
 * `credits` requests in flight, so `credits` RECVs are posted.  Each
 * request is answered from one of `credits` SEND slots; as our SEND
 * completion can be polled after the client has already seen the response
 * and sent its next request, requests wait in a FIFO of `credits` entries
 * and are answered in arrival order while a SEND slot is free.  The RECV
 * is reposted before the response is sent, so the client's next request
 * always finds a buffer.
 *
 * Any completion error (a message larger than max_msg gives a local length
 * error, a dead peer gives retry-exceeded) disconnects this client only.
 *
 * Fair share: a client's work is done in turns (turn()), each bounded: at
 * most POLL_BATCH completions taken, TURN_REQUESTS requests answered and
 * PERSIST_CHUNK bytes of a PERSIST persisted.  A client with work left
 * after its turn (a full batch, waiting requests, a PERSIST not done) goes
 * to the hot list, which gets one turn per client in each loop iteration
 * (an ev_check watcher), with an ev_idle watcher keeping libev's poll from
 * blocking; so in between, the connection manager, the admin socket,
 * signals and every other client are served, and busy clients take turns.
 *
 * Jobs off the loop: a PERSIST longer than PERSIST_CHUNK is persisted on
 * a worker thread (work.h, nice 19), and so is an OPEN whose key is a
 * registration of its own (mr-per-client: hundreds of ms for a large
 * region); the loop keeps serving the others, and the scheduler prefers
 * them to the job when CPUs are short.  (Should no thread start, a
 * PERSIST is persisted on the loop, a chunk per turn, an OPEN's key
 * registered inline.)  The answer is sent from the loop once the job is
 * done -- a PERSIST's only once its whole range is durable -- and the same
 * client's later requests wait until then, so its responses leave in
 * request order.  A client deleted meanwhile is freed when the thread
 * ends.
 *
 * Nice 19 is not enough in a guest with 2 vCPUs: a client streaming
 * whole-region PERSISTs keeps one CPU flushing all the time, and the other
 * clients, the loop and the RDMA provider's kernel work share the other.
 * So the thread persists PACE_CHUNK bytes at a time, and while the loop
 * takes requests (env->served moved within the last few ms; the
 * PERSIST's own client's later requests wait behind it and do not
 * count) it pauses after each chunk for as long as the chunk took
 * (pace.h, capped): at most half a CPU for the job while others are
 * being served, all of it while nobody is.  Waking from a pause at nice
 * 19 takes what the scheduler gives, so under load a PERSIST slows down
 * more than twofold; it still ends, and its answer still waits for the
 * whole range.
 *
 * Busy-polling (busy_poll_us): a client that had completions also stays in
 * the hot list, polled each iteration right after libev's poll for fds,
 * until busy_poll_us passed without a completion; then its CQ is armed as
 * before.  A client that sends its next request within the window (a
 * synchronous write+persist loop: the response, the client's wake-up, its
 * next WRITE and PERSIST) finds pmrd awake instead of halted in
 * epoll_wait: no completion-channel event, no wake-up of an idle CPU, no
 * channel read.  Check watchers run in every iteration, busy or not (an
 * idle watcher would run only in iterations with nothing else pending, and
 * a steady stream of other events, an admin socket flood say, would have
 * kept a hot client unpolled with its CQ unarmed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "async_event.h"
#include "endpoint.h"
#include "log.h"
#include "pace.h"
#include "peer_log.h"
#include "pmr_proto.h"
#include "util.h"

#define SEND_BIT      (1ull << 63)
#define POLL_BATCH    16	   /* completions taken per turn of a client */
#define TURN_REQUESTS 8		   /* requests answered per turn of a client */
#define PERSIST_CHUNK (1ull << 20) /* bytes of a PERSIST per turn */
#define PACE_CHUNK    (4ull << 20) /* bytes of a PERSIST between pauses */

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
	char addr[INET6_ADDRSTRLEN + sizeof(":65535")];

	snprintf(c->peer, sizeof(c->peer), "#%llu %s",
		 (unsigned long long)c->serial,
		 pmrd_peer_name(c->id, addr, sizeof(addr)));
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
		 * (rkeys.c) is in effect before the client sees the answer.
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
 * persist_step -- persist the next PERSIST_CHUNK bytes of the client's
 * PERSIST in progress; once the whole range is done, send its response
 * (encoded when the request was taken).  Negative: disconnect.
 */
static int persist_step(struct pmrd_client *c)
{
	struct pmrd_client_persist *j = &c->persist;
	uint64_t n = MIN(j->left, PERSIST_CHUNK);

	pmrd_region_persist(j->region, j->off, n);
	j->off += n;
	j->left -= n;
	if (j->left)
		return 0;
	j->region = NULL;
	return post_send(c, j->sslot, j->resp_len);
}

/* grant_cb -- on the worker thread: register the waiting OPEN's key */
static void grant_cb(struct pmrd_work *w)
{
	struct pmrd_client_job *j =
		container_of(w, struct pmrd_client_job, work);

	j->err = j->req.ops->grant(j->req.ctx, j->req.ex, j->req.access,
				   &j->rkey, &j->cookie);
}

/* served -- requests the loop took so far (relaxed: only compared) */
static uint64_t served(struct pmrd_client_env *env)
{
	return atomic_load_explicit(&env->served, memory_order_relaxed);
}

/*
 * persist_cb -- on the worker thread: persist the PERSIST's whole range,
 * PACE_CHUNK bytes at a time, pausing between two chunks while the loop
 * serves other requests (pace.h)
 */
static void persist_cb(struct pmrd_work *w)
{
	struct pmrd_client_job *j =
		container_of(w, struct pmrd_client_job, work);
	struct pmrd_client *c = container_of(j, struct pmrd_client, job);
	uint64_t off = j->range.off, left = j->range.len;
	struct pmrd_pace pace;

	pmrd_pace_start(&pace, j->served);
	while (left) {
		uint64_t n = MIN(left, PACE_CHUNK), t0 = pmrd_now_ns();
		uint64_t now, pause;

		pmrd_region_persist(j->range.region, off, n);
		off += n;
		left -= n;
		if (!left)
			break;
		now = pmrd_now_ns();
		pause = pmrd_pace_next(&pace, served(c->env), now, now - t0);
		if (pause) {
			struct timespec ts = {
				.tv_sec = (time_t)(pause / 1000000000ull),
				.tv_nsec = (long)(pause % 1000000000ull),
			};

			nanosleep(&ts, NULL);
		}
	}
}

static void client_free(struct pmrd_client *c);
static void poll_each_turn(struct pmrd_client *c);

/*
 * job_answer -- on the loop, the job of C is done: send its N-byte answer
 * (none: N 0), then serve the requests that waited behind it from the
 * next turn on.  A client deleted meanwhile is freed now.
 */
static void job_answer(struct pmrd_client *c, int n)
{
	struct pmrd_client_job *j = &c->job;
	int err = 0;

	if (c->zombie) {
		client_free(c); /* the session revokes a granted key */
		return;
	}
	if (c->state == PMRD_CLIENT_DISCONNECTING)
		return;
	if (n > 0)
		err = post_send(c, j->sslot, (uint32_t)n);
	else
		c->free_send[c->n_free_send++] = j->sslot;
	if (err)
		pmrd_client_disconnect(c, strerror(-err));
	else
		poll_each_turn(c);
}

/* granted_cb -- on the loop: the OPEN completes (pmrd_session_key_done) */
static void granted_cb(struct pmrd_work *w)
{
	struct pmrd_client_job *j =
		container_of(w, struct pmrd_client_job, work);
	struct pmrd_client *c = container_of(j, struct pmrd_client, job);

	job_answer(c,
		   pmrd_session_key_done(&c->sess, j->err, j->rkey, j->cookie,
					 send_buf(c, j->sslot), c->msg_size));
}

/* persisted_cb -- on the loop: the PERSIST's range is durable */
static void persisted_cb(struct pmrd_work *w)
{
	struct pmrd_client_job *j =
		container_of(w, struct pmrd_client_job, work);

	job_answer(container_of(j, struct pmrd_client, job), (int)j->resp_len);
}

/*
 * start_grant -- register the waiting OPEN's key on a worker thread (a
 * registration of a large region takes hundreds of ms); inline if no
 * thread can be started
 */
static void start_grant(struct pmrd_client *c)
{
	if (!pmrd_work_start(&c->job.work, c->env->loop, grant_cb, granted_cb))
		return;
	grant_cb(&c->job.work);
	granted_cb(&c->job.work);
}

/*
 * start_persist -- persist PR on a worker thread, then send the RESP_LEN
 * bytes answer in SEND slot SSLOT; a range of at most PERSIST_CHUNK, or
 * when no thread can be started, is persisted on the loop (persist_step,
 * a chunk per turn).  Negative: disconnect.
 */
static int start_persist(struct pmrd_client *c,
			 const struct pmrd_persist_range *pr, uint32_t sslot,
			 uint32_t resp_len)
{
	c->job.range = *pr;
	c->job.sslot = sslot;
	c->job.resp_len = resp_len;
	c->job.served = served(c->env);
	if (pr->len > PERSIST_CHUNK &&
	    !pmrd_work_start(&c->job.work, c->env->loop, persist_cb,
			     persisted_cb))
		return 0;
	c->persist.region = pr->region;
	c->persist.off = pr->off;
	c->persist.left = pr->len;
	c->persist.sslot = sslot;
	c->persist.resp_len = resp_len;
	return persist_step(c);
}

/*
 * serve -- answer the request in RECV slot RSLOT (LEN bytes) from SEND
 * slot SSLOT.  A PERSIST's or a deferred OPEN's response is sent when its
 * job is done (start_persist, start_grant).  Negative: disconnect the
 * client.
 */
static int serve(struct pmrd_client *c, uint32_t rslot, uint32_t len,
		 uint32_t sslot)
{
	struct pmrd_persist_range pr;
	int n, err;

	/* relaxed: the PERSIST threads only ask whether it moved */
	atomic_fetch_add_explicit(&c->env->served, 1, memory_order_relaxed);
	n = pmrd_session_handle(&c->sess, recv_buf(c, rslot), len,
				send_buf(c, sslot), c->msg_size);
	err = post_recv(c, rslot);
	if (err)
		return err;
	if (n < 0)
		return n; /* the session logged why */
	if (n == 0 && pmrd_session_key_wanted(&c->sess, &c->job.req)) {
		c->job.sslot = sslot;
		start_grant(c);
		return 0;
	}
	if (n == 0) {
		c->free_send[c->n_free_send++] = sslot;
		return 0;
	}
	if (!pmrd_session_take_persist(&c->sess, &pr))
		return post_send(c, sslot, (uint32_t)n);
	return start_persist(c, &pr, sslot, (uint32_t)n);
}

/*
 * serve_pending -- answer waiting requests in arrival order, at most
 * TURN_REQUESTS, while SEND slots are free and no PERSIST is in progress
 * nor an OPEN waiting for its key (a later request waits for them, so
 * responses leave in request order)
 */
static int serve_pending(struct pmrd_client *c)
{
	for (unsigned k = 0;
	     k < TURN_REQUESTS && c->n_pending && c->n_free_send &&
	     !c->persist.region && !pmrd_work_busy(&c->job.work);
	     k++) {
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

/*
 * send_notices -- the FENCED notices the session has for its client (a
 * takeover by another client fenced its handles), each from a free SEND
 * slot; those without one wait for the next turn
 */
static int send_notices(struct pmrd_client *c)
{
	while (c->sess.n_notices && c->n_free_send) {
		uint32_t slot = c->free_send[--c->n_free_send];
		int n = pmrd_session_take_notice(&c->sess, send_buf(c, slot),
						 c->msg_size);

		if (n <= 0) {
			c->free_send[c->n_free_send++] = slot;
			return 0;
		}
		n = post_send(c, slot, (uint32_t)n);
		if (n)
			return n;
	}
	return 0;
}

/* notice_due -- pmrd_session's notify: C has a FENCED notice to send */
static void notice_due(void *arg)
{
	struct pmrd_client *c = arg;

	/* a zombie is off every list, waiting for its job's thread */
	if (c->state != PMRD_CLIENT_DISCONNECTING && !c->zombie)
		poll_each_turn(c);
}

/*
 * handle_wc -- one completion: a SEND frees its slot, a request joins the
 * FIFO (served by serve_pending); negative: disconnect the client
 */
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
		return 0;
	}

	if (wc->wr_id >= c->credits || wc->opcode != IBV_WC_RECV)
		return -EIO;
	if (c->state == PMRD_CLIENT_ACCEPTING) /* first SEND beat the RTU */
		pmrd_client_established(c);
	if (c->n_pending >= c->credits)
		return -EIO; /* more RECVs than posted: impossible */
	c->pending[(c->pending_head + c->n_pending) % c->credits] =
		(uint32_t)wc->wr_id;
	c->pending_len[(c->pending_head + c->n_pending) % c->credits] =
		wc->byte_len;
	c->n_pending++;
	return 0;
}

/*
 * turn -- one client's share of a loop iteration: a PERSIST_CHUNK of its
 * PERSIST in progress, at most POLL_BATCH completions, at most
 * TURN_REQUESTS requests answered.  Returns the completions taken, or
 * -EIO when the CQ failed; *BACKLOG tells whether work is left that no
 * new completion would announce (the caller polls the client next turn).
 * Other failures disconnect the client.
 */
static int turn(struct pmrd_client *c, bool *backlog)
{
	struct ibv_wc wcs[POLL_BATCH];
	int n, err;

	if (c->state == PMRD_CLIENT_DISCONNECTING)
		c->persist.region = NULL; /* its response cannot go out */
	if (c->persist.region) {
		err = persist_step(c);
		if (err)
			pmrd_client_disconnect(c, strerror(-err));
	}
	n = ibv_poll_cq(c->cq, POLL_BATCH, wcs);
	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		err = handle_wc(c, &wcs[i]);
		if (err && c->state != PMRD_CLIENT_DISCONNECTING)
			pmrd_client_disconnect(c, strerror(-err));
	}
	if (c->state != PMRD_CLIENT_DISCONNECTING) {
		err = serve_pending(c);
		if (!err)
			err = send_notices(c);
		if (err)
			pmrd_client_disconnect(c, strerror(-err));
	}
	*backlog = n == POLL_BATCH;
	if (c->state != PMRD_CLIENT_DISCONNECTING)
		*backlog = *backlog || c->persist.region ||
			   (c->sess.n_notices && c->n_free_send) ||
			   (c->n_pending && c->n_free_send &&
			    !pmrd_work_busy(&c->job.work));
	return n;
}

/* run_turn -- turn, a CQ failure disconnects; -EIO then, else as turn */
static int run_turn(struct pmrd_client *c, bool *backlog)
{
	int n = turn(c, backlog);

	if (n < 0) {
		log_err("client %s: ibv_poll_cq failed", c->peer);
		pmrd_client_disconnect(c, "CQ failure");
		*backlog = false;
	}
	return n;
}

/*
 * arm_and_turn -- re-arm the CQ, then take a turn (a completion that came
 * between the last poll and the arm raised no event).  Arming only once
 * the CQ was polled keeps the completion of the response just sent (rxe
 * usually has it by the time ibv_post_send returns) from waking the loop
 * once more.  Work left over (the turn's budget ran out) is taken up in
 * the next loop iteration (poll_each_turn).  A failure disconnects.
 */
static void arm_and_turn(struct pmrd_client *c)
{
	int err = ibv_req_notify_cq(c->cq, 0);
	bool backlog;

	if (err) {
		log_err("client %s: ibv_req_notify_cq: %s", c->peer,
			strerror(err));
		pmrd_client_disconnect(c, "CQ failure");
		return;
	}
	if (run_turn(c, &backlog) >= 0 && backlog)
		poll_each_turn(c);
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

/* cool_down -- stop polling C every iteration: out of the list, CQ armed */
static void cool_down(struct pmrd_client *c)
{
	hot_unlink(c);
	arm_and_turn(c);
}

/*
 * busy_poll_cb -- once per loop iteration: a turn for every hot client;
 * one without work left and without a completion for busy_poll_us (at
 * once when busy-polling is off) is armed again
 */
static void busy_poll_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct pmrd_client_env *env =
		container_of(w, struct pmrd_client_env, busy_poll);
	uint64_t now = pmrd_now_ns(), window;
	struct hlist_node *next;
	struct pmrd_client *c;
	bool backlog;
	int n;

	window = (uint64_t)env->limits->busy_poll_us * 1000;
	hlist_for_each_entry_safe(c, next, &env->hot, hot_link) {
		n = run_turn(c, &backlog);
		if (backlog)
			continue;
		if (n > 0 && window)
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
 * poll_each_turn -- give C a turn in every loop iteration (busy_poll_cb)
 * until it has no work left and busy_poll_us passed without a completion
 */
static void poll_each_turn(struct pmrd_client *c)
{
	struct pmrd_client_env *env = c->env;

	c->hot_until =
		pmrd_now_ns() + (uint64_t)env->limits->busy_poll_us * 1000;
	if (!hlist_unhashed(&c->hot_link))
		return;
	hlist_add_head(&c->hot_link, &env->hot);
	if (!ev_is_active(&env->busy_poll)) {
		ev_check_init(&env->busy_poll, busy_poll_cb);
		ev_check_start(env->loop, &env->busy_poll);
		ev_idle_init(&env->busy_spin, busy_spin_cb);
		ev_idle_start(env->loop, &env->busy_spin);
	}
}

/*
 * cc_cb -- the completion channel is readable: take and ack the event,
 * take a turn; then keep polling the client each iteration if work is
 * left or it had completions and busy-polling is on, or re-arm.
 */
static void cc_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pmrd_client *c = container_of(w, struct pmrd_client, cc_watcher);
	struct ibv_cq *cq;
	bool backlog;
	void *ctx;
	int n;

	while (!ibv_get_cq_event(c->cc, &cq, &ctx))
		ibv_ack_cq_events(cq, 1);
	if (!hlist_unhashed(&c->hot_link))
		return; /* busy_poll_cb gives it its turn */
	n = run_turn(c, &backlog);
	if (n < 0)
		return;
	if (backlog || (n > 0 && c->env->limits->busy_poll_us &&
			c->state != PMRD_CLIENT_DISCONNECTING)) {
		poll_each_turn(c);
		return;
	}
	arm_and_turn(c);
}

/* set_nonblock -- O_NONBLOCK on FD */
static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* pmrd_client_buf_size -- see endpoint.h */
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

	c->buf_mr = ibv_reg_mr(c->pd, c->buf, size, IBV_ACCESS_LOCAL_WRITE);
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

/* pmrd_client_new -- see endpoint.h */
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
	c->pd = env->dev->pd;
	if (pmrd_keys_own_pd(env->keys)) {
		c->pd = ibv_alloc_pd(id->verbs);
		if (!c->pd) {
			err = errno ? -errno : -ENOMEM;
			goto out_free;
		}
		c->own_pd = true;
	}

	err = pmrd_session_init(&c->sess, env->exports, env->n_exports,
				env->limits->max_regions_per_client,
				env->limits->max_outstanding, c->peer);
	if (err)
		goto out_dealloc_pd;
	pmrd_session_set_limits(&c->sess, c->msg_size, &env->n_handles,
				env->limits->max_handles);
	pmrd_session_defer_persist(&c->sess, true);
	pmrd_session_defer_grant(&c->sess, true);

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
	if (rdma_create_qp(id, c->pd, &qa)) {
		err = errno ? -errno : -ENOMEM;
		goto out_free_slots;
	}
	err = pmrd_keys_new(env->dev, c->pd, id->qp,
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
out_dealloc_pd:
	if (c->own_pd)
		ibv_dealloc_pd(c->pd);
out_free:
	/* the caller logs it: a peer can cause this at will (rate-limited) */
	log_debug("client %s: cannot set up the connection: %s", c->peer,
		  strerror(-err));
	free(c);
	return err;
}

/*
 * grant_extra_access -- add FLUSH and remote atomics to the QP's remote
 * access: rdmacm sets only read/write, and rxe checks FLUSH and atomics
 * against the QP's access flags too.  The QP is in RTS after rdma_accept
 * (which also rewrites INIT's flags, so this cannot be done earlier).
 * Native ATOMIC WRITE needs only remote write.
 */
static int grant_extra_access(struct pmrd_client *c)
{
	struct ibv_qp_attr a;
	int err;

	/* what this QP lacks stays unadvertised to its session, even after
	 * a reload grants it to later clients' QPs */
	if (!(c->env->qp_extra_access & PMRD_ACCESS_FLUSH_PERSISTENT))
		c->sess.no_persist |= PMR_PERSIST_FLUSH;
	if (!(c->env->qp_extra_access & IBV_ACCESS_REMOTE_ATOMIC))
		c->sess.no_atomics |= PMR_ATOMICS_RDMA;
	if (!c->env->qp_extra_access)
		return 0;
	memset(&a, 0, sizeof(a));
	a.qp_access_flags = IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE |
			    c->env->qp_extra_access;
	err = ibv_modify_qp(c->id->qp, &a, IBV_QP_ACCESS_FLAGS);
	if (err) {
		log_err("client %s: granting RDMA FLUSH/atomics on the QP: %s",
			c->peer, strerror(err));
		c->sess.no_persist |= PMR_PERSIST_FLUSH;
		c->sess.no_atomics |= PMR_ATOMICS_RDMA;
		return -err;
	}
	return 0;
}

/* pmrd_client_accept -- see endpoint.h */
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

	pmrd_session_set_version(&c->sess, version);
	/* the server's challenge for PSK proofs (sent from version 2 on) */
	memcpy(w.nonce, c->sess.auth.snonce, sizeof(w.nonce));
	pmrd_session_set_exclusive(&c->sess, &c->env->excl, notice_due, c);
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
		log_debug("client %s: rdma_accept: %s", c->peer,
			  strerror(-err));
		pmrd_client_delete(cp);
		return err;
	}
	c->state = PMRD_CLIENT_ACCEPTING;
	err = grant_extra_access(c);
	if (err) {
		/* accepted: freed on its DISCONNECTED event, like any other */
		pmrd_client_disconnect(c, "QP setup failed");
		*cp = NULL;
		return err;
	}
	log_debug(
		"client %s: accepted, version %u, %u credits, responder resources %u, FLUSH %s, atomics %s",
		c->peer, version, c->credits, responder,
		c->sess.no_persist & PMR_PERSIST_FLUSH ? "no" : "yes",
		c->sess.no_atomics & PMR_ATOMICS_RDMA ? "no" : "yes");
	return 0;
}

/* pmrd_client_addr -- see endpoint.h */
const char *pmrd_client_addr(const struct pmrd_client *c)
{
	const char *sp = strchr(c->peer, ' ');

	return sp ? sp + 1 : c->peer;
}

/* pmrd_client_state_name -- see endpoint.h */
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

/* pmrd_client_established -- see endpoint.h */
void pmrd_client_established(struct pmrd_client *c)
{
	if (c->state != PMRD_CLIENT_ACCEPTING)
		return;
	ev_timer_stop(c->env->loop, &c->accept_timer);
	c->state = PMRD_CLIENT_ESTABLISHED;
	log_info("client %s: connected (%u credits; %u clients)", c->peer,
		 c->credits, c->env->n_clients);
}

/* pmrd_client_disconnect -- see endpoint.h */
void pmrd_client_disconnect(struct pmrd_client *c, const char *why)
{
	if (c->state == PMRD_CLIENT_DISCONNECTING)
		return;
	c->state = PMRD_CLIENT_DISCONNECTING;
	log_info("client %s: disconnecting: %s", c->peer, why);
	if (rdma_disconnect(c->id))
		log_debug("client %s: rdma_disconnect: %s", c->peer,
			  strerror(errno));
	/* freed on DISCONNECTED, or by the accept timer (server.c) if that
	 * never comes: a disconnect while the port is down waits for it */
	if (ev_cb(&c->accept_timer)) {
		ev_timer_stop(c->env->loop, &c->accept_timer);
		ev_timer_set(&c->accept_timer,
			     c->env->limits->accept_timeout_ms / 1000., 0.);
		ev_timer_start(c->env->loop, &c->accept_timer);
	}
}

/* client_of_qp / client_of_cq -- the client owning QP / CQ, or NULL */
static struct pmrd_client *client_of_qp(struct pmrd_client_env *env,
					const struct ibv_qp *qp)
{
	struct pmrd_client *c;

	hlist_for_each_entry(c, &env->clients, link)
		if (c->id && c->id->qp == qp)
			return c;
	return NULL;
}

static struct pmrd_client *client_of_cq(struct pmrd_client_env *env,
					const struct ibv_cq *cq)
{
	struct pmrd_client *c;

	hlist_for_each_entry(c, &env->clients, link)
		if (c->cq == cq)
			return c;
	return NULL;
}

/* pmrd_client_env_qp_event -- see endpoint.h */
bool pmrd_client_env_qp_event(struct pmrd_client_env *env, struct ibv_qp *qp,
			      enum ibv_event_type type, bool established,
			      char *detail, size_t len)
{
	struct pmrd_client *c = client_of_qp(env, qp);
	const char *what = ibv_event_type_str(type);

	if (!c)
		return false;
	snprintf(detail, len, "QP %u of client %s", c->id->qp->qp_num, c->peer);
	if (established) {
		/* a request arrived before the RTU: rdmacm then sends
		 * ESTABLISHED (librdmacm's rdma_notify) */
		log_debug("client %s: %s", c->peer, what);
		if (rdma_notify(c->id, type))
			log_debug("client %s: rdma_notify: %s", c->peer,
				  strerror(errno));
		return true;
	}
	if (c->state == PMRD_CLIENT_DISCONNECTING) {
		log_info("client %s: %s (async event) while disconnecting",
			 c->peer, what);
		return true;
	}
	log_notice("client %s: %s (async event): disconnecting it", c->peer,
		   what);
	pmrd_client_disconnect(c, what);
	return true;
}

/* pmrd_client_env_cq_event -- see endpoint.h */
bool pmrd_client_env_cq_event(struct pmrd_client_env *env, struct ibv_cq *cq,
			      char *detail, size_t len)
{
	struct pmrd_client *c = client_of_cq(env, cq);

	if (!c)
		return false;
	snprintf(detail, len, "CQ of client %s", c->peer);
	/* an overrun CQ reports each completion it could not take */
	if (c->state == PMRD_CLIENT_DISCONNECTING) {
		log_info(
			"client %s: CQ error (async event) while disconnecting",
			c->peer);
		return true;
	}
	log_notice("client %s: CQ error (async event): disconnecting it",
		   c->peer);
	pmrd_client_disconnect(c, "CQ error");
	return true;
}

/* pmrd_client_env_disconnect_all -- see endpoint.h */
unsigned pmrd_client_env_disconnect_all(struct pmrd_client_env *env,
					const char *why)
{
	struct pmrd_client *c;
	unsigned n = 0;

	hlist_for_each_entry(c, &env->clients, link) {
		if (c->state != PMRD_CLIENT_DISCONNECTING)
			n++;
		pmrd_client_disconnect(c, why);
	}
	return n;
}

/* client_free -- what pmrd_client_delete leaves: the verbs, the memory */
static void client_free(struct pmrd_client *c)
{
	if (c->zombie)
		hlist_del(&c->link);
	/* ibv_destroy_qp/cq wait for the acks of their async events */
	pmrd_async_drain(c->env->dev->async);
	/* a bound window holds its QP: revoke every key first */
	pmrd_session_fini(&c->sess);
	pmrd_keys_delete(&c->keys);
	rdma_destroy_qp(c->id);
	free_slots(c);
	ibv_destroy_cq(c->cq);
	ibv_destroy_comp_channel(c->cc);
	rdma_destroy_id(c->id);
	if (c->own_pd)
		ibv_dealloc_pd(c->pd);
	free(c);
}

/* pmrd_client_delete -- see endpoint.h */
void pmrd_client_delete(struct pmrd_client **cp)
{
	struct pmrd_client *c = cp ? *cp : NULL;
	struct pmrd_client_env *env;

	if (!c)
		return;
	env = c->env;
	ev_io_stop(env->loop, &c->cc_watcher);
	ev_timer_stop(env->loop, &c->accept_timer);
	if (!hlist_unhashed(&c->hot_link))
		hot_unlink(c);
	hlist_del(&c->link);
	env->n_clients--;

	/* a peer that never connected: server.c logged why, rate-limited */
	pmrd_log(
		c->state == PMRD_CLIENT_ACCEPTING ? LOG_DEBUG : LOG_INFO,
		"client %s: gone (%llu requests, %llu bad, %u regions were open; %u clients left)",
		c->peer, (unsigned long long)c->sess.n_requests,
		(unsigned long long)c->sess.n_bad, c->sess.n_open,
		env->n_clients);

	*cp = NULL;
	if (pmrd_work_busy(&c->job.work)) {
		/* the thread uses the session's key source: free after it */
		c->zombie = true;
		c->id->context = NULL; /* later events of the id: unknown */
		hlist_add_head(&c->link, &env->zombies);
		return;
	}
	client_free(c);
}

/* pmrd_client_env_finish -- see endpoint.h */
void pmrd_client_env_finish(struct pmrd_client_env *env)
{
	struct pmrd_client *c;

	/* granted_cb frees each (client_free unlinks it) */
	while ((c = hlist_entry_safe(env->zombies.first, struct pmrd_client,
				     link)))
		pmrd_work_finish(&c->job.work);
}
