// SPDX-License-Identifier: MIT
/*
 * libmicrohttpd request handling (see http.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include <microhttpd.h>

#include "http.h"
#include "log.h"
#include "reply.h"
#include "request.h"

#define KCD_JSON		"application/json"
/* A body past 4 KiB is read and dropped up to here, then we hang up. */
#define KCD_DISCARD_MAX		(64 * 1024)
#define KCD_CONN_LIMIT		64
#define KCD_CONN_TIMEOUT_S	30
#define KCD_CONN_MEMORY		(32 * 1024)

enum kcd_route {
	KCD_ROUTE_NONE,
	KCD_ROUTE_COLLAPSE,
	KCD_ROUTE_HEALTH,
	KCD_ROUTE_METRICS,
};

/* One POST /collapse, from its headers to its reply. */
struct kcd_conn {
	struct MHD_Connection *conn;
	char remote[64];
	size_t len;		/* body bytes kept */
	size_t seen;		/* body bytes received */
	bool too_large;
	struct kcd_op *op;	/* once handed to a worker */
	struct kcd_watch *watch;	/* watching it for a hangup */
	uint64_t arrive_ns;	/* headers in: the deadline counts from here */
	char body[KCD_BODY_MAX];
};

/* The connection's socket, -1 if libmicrohttpd cannot say. */
static int kcd_conn_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

/* Who is calling, for the log: "ADDR:PORT" or "unix:uid=U,pid=P". */
static void kcd_remote(struct kcd *d, struct MHD_Connection *c, char *buf,
		       size_t len)
{
	const union MHD_ConnectionInfo *ci;
	struct kcd_addr a = { 0 };
	uid_t uid;
	pid_t pid;

	if (d->bound.ss.ss_family == AF_UNIX) {
		if (kcd_peer_cred(kcd_conn_fd(c), &uid, &pid) < 0)
			snprintf(buf, len, "unix:?");
		else
			snprintf(buf, len, "unix:uid=%u,pid=%d",
				 (unsigned int)uid, (int)pid);
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr) {
		snprintf(buf, len, "?");
		return;
	}
	a.len = ci->client_addr->sa_family == AF_INET6 ?
		sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	memcpy(&a.ss, ci->client_addr, a.len);
	kcd_addr_format(&a, buf, len);
}

/* Queue @status with @body (copied); @allow for a 405. */
static enum MHD_Result kcd_respond(struct kcd *d, struct MHD_Connection *c,
				   unsigned int status, const char *body,
				   size_t len, const char *type,
				   const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	/* As envd: no proxy or client may keep a reply (or a 401). */
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-store") == MHD_NO ||
	    (type && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					     type) == MHD_NO) ||
	    (allow && MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
					      allow) == MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES)
		kcd_metrics_http(&d->metrics, status);
	return ret;
}

/* A JSON error reply; @log: also log it as a collapse request. */
static enum MHD_Result kcd_error(struct kcd *d, struct MHD_Connection *c,
				 unsigned int status, const char *msg,
				 const char *field, const char *allow,
				 bool log)
{
	enum MHD_Result ret;
	char remote[64], q[300];
	size_t len = 0;
	char *body = kcd_reply_error(status, msg, field, &len);

	if (log) {
		kcd_remote(d, c, remote, sizeof(remote));
		kcd_log(status >= 500 ? LOG_ERR : LOG_WARNING,
			"event=collapse status=%u remote=%s error=%s", status,
			remote, kcd_log_quote(q, sizeof(q), msg));
	}
	ret = kcd_respond(d, c, status, body ? body : "", body ? len : 0,
			  KCD_JSON, allow);
	free(body);
	return ret;
}

static enum kcd_route kcd_route(const char *url)
{
	if (!strcmp(url, "/collapse"))
		return KCD_ROUTE_COLLAPSE;
	if (!strcmp(url, "/health"))
		return KCD_ROUTE_HEALTH;
	if (!strcmp(url, "/metrics"))
		return KCD_ROUTE_METRICS;
	return KCD_ROUTE_NONE;
}

static enum MHD_Result kcd_metrics_reply(struct kcd *d,
					 struct MHD_Connection *c)
{
	enum MHD_Result ret;
	size_t len = 0;
	char *text;

	text = kcd_metrics_render(&d->metrics, kcd_ops_in_flight(&d->ops),
				  &len);
	if (!text)
		return kcd_error(d, c, 500, "out of memory", NULL, NULL, false);
	ret = kcd_respond(d, c, 200, text, len, KCD_METRICS_CONTENT_TYPE, NULL);
	free(text);
	return ret;
}

static bool kcd_is_get(const char *method)
{
	return !strcmp(method, MHD_HTTP_METHOD_GET) ||
	       !strcmp(method, MHD_HTTP_METHOD_HEAD);
}

/* The GET endpoints, answered on the first call. */
static enum MHD_Result kcd_get(struct kcd *d, struct MHD_Connection *c,
			       enum kcd_route route, const char *method)
{
	if (!kcd_is_get(method))
		return kcd_error(d, c, 405, "method not allowed", NULL,
				 "GET, HEAD", false);
	if (route == KCD_ROUTE_HEALTH)
		return kcd_respond(d, c, 204, "", 0, NULL, NULL);
	return kcd_metrics_reply(d, c);
}

static const char *const kcd_auth_msg[] = {
	[KCD_AUTH_MISSING] = "missing X-Access-Token header",
	[KCD_AUTH_WRONG] = "wrong access token",
	[KCD_AUTH_UNAVAILABLE] = "access token unavailable on the server "
				 "(see its log)",
};

/*
 * POST /collapse, headers only: what is left to refuse before reading a
 * body once the caller is known (method, declared length).
 */
static enum MHD_Result kcd_collapse_headers(struct kcd *d,
					    struct MHD_Connection *c,
					    const char *method, void **con_cls)
{
	struct kcd_conn *cs;
	const char *cl;
	char *end;

	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return kcd_error(d, c, 405, "method not allowed: use POST",
				 NULL, "POST", true);
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		errno = 0;
		if (strtoull(cl, &end, 10) > KCD_BODY_MAX || errno)
			return kcd_error(d, c, 413, "body larger than 4096 bytes",
					 NULL, NULL, true);
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return MHD_NO;
	cs->conn = c;
	cs->arrive_ns = kcd_now_ns();
	kcd_remote(d, c, cs->remote, sizeof(cs->remote));
	*con_cls = cs;
	return MHD_YES;
}

static bool kcd_uid_allowed(const struct kcd_config *cfg, uid_t uid)
{
	size_t i;

	if (uid == 0)
		return true;
	for (i = 0; i < cfg->nallow_uids; i++)
		if (cfg->allow_uids[i] == uid)
			return true;
	return false;
}

/* A unix socket: is the peer root or an --allow-uid? */
static bool kcd_peer_allowed(struct kcd *d, struct MHD_Connection *c)
{
	uid_t uid;
	pid_t pid;

	if (d->bound.ss.ss_family != AF_UNIX)
		return true;
	return kcd_peer_cred(kcd_conn_fd(c), &uid, &pid) == 0 &&
	       kcd_uid_allowed(&d->cfg, uid);
}

/*
 * Who may call, decided before the method and the path are looked at, as
 * envd does: a caller without the token learns nothing, not even which
 * routes exist (401 for a wrong method or path too). Returns KCD_AUTH_OK
 * or why not.
 */
static enum kcd_auth kcd_authenticate(struct kcd *d, struct MHD_Connection *c,
				      const char *url, const char *method)
{
	char remote[64], q[300];

	if (d->cfg.insecure_no_token) {
		kcd_remote(d, c, remote, sizeof(remote));
		kcd_log(LOG_WARNING, "event=insecure remote=%s method=%s "
			"path=%s msg=\"no token checked (--insecure-no-token, "
			"tests only)\"", remote,
			kcd_log_quote(q, sizeof(q), method),
			kcd_log_quote(q + 150, sizeof(q) - 150, url));
		return KCD_AUTH_OK;
	}
	return kcd_token_check(&d->token, MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, "X-Access-Token"));
}

/* The caller is refused: 403 (unix peer) or 401 (token), logged. */
static enum MHD_Result kcd_deny(struct kcd *d, struct MHD_Connection *c,
				unsigned int status, const char *msg,
				const char *url, const char *method)
{
	char remote[64], qm[40], qu[200];

	kcd_remote(d, c, remote, sizeof(remote));
	kcd_log(LOG_WARNING, "event=denied status=%u remote=%s method=%s "
		"path=%s reason=%s", status, remote,
		kcd_log_quote(qm, sizeof(qm), method),
		kcd_log_quote(qu, sizeof(qu), url), status == 403 ?
		"peer-uid" : "token");
	return kcd_error(d, c, status, msg, NULL, NULL, false);
}

static enum MHD_Result kcd_first(struct kcd *d, struct MHD_Connection *c,
				 const char *url, const char *method,
				 void **con_cls)
{
	char q[300];
	enum kcd_route route = kcd_route(url);
	enum kcd_auth auth;

	if (!kcd_peer_allowed(d, c))
		return kcd_deny(d, c, 403, "this uid may not use kcollapsed's "
				"socket (root only, and --allow-uid)", url,
				method);
	/* Liveness, as envd's GET /health: no token, nothing revealed. */
	if (route == KCD_ROUTE_HEALTH && kcd_is_get(method))
		return kcd_respond(d, c, 204, "", 0, NULL, NULL);
	auth = kcd_authenticate(d, c, url, method);
	if (auth != KCD_AUTH_OK)
		return kcd_deny(d, c, 401, kcd_auth_msg[auth], url, method);
	switch (route) {
	case KCD_ROUTE_COLLAPSE:
		return kcd_collapse_headers(d, c, method, con_cls);
	case KCD_ROUTE_HEALTH:
	case KCD_ROUTE_METRICS:
		return kcd_get(d, c, route, method);
	case KCD_ROUTE_NONE:
		break;
	}
	kcd_log(LOG_INFO, "event=request status=404 path=%s",
		kcd_log_quote(q, sizeof(q), url));
	return kcd_error(d, c, 404, "no such endpoint (POST /collapse, "
			 "GET /health, GET /metrics)", NULL, NULL, false);
}

/* Body bytes: keep up to 4 KiB; past that, count and drop. */
static enum MHD_Result kcd_absorb(struct kcd_conn *cs, const char *data,
				  size_t *size)
{
	size_t n = *size;

	cs->seen += n;
	if (!cs->too_large && cs->len + n <= sizeof(cs->body)) {
		memcpy(cs->body + cs->len, data, n);
		cs->len += n;
	} else {
		cs->too_large = true;
	}
	*size = 0;
	return cs->seen > KCD_DISCARD_MAX ? MHD_NO : MHD_YES;
}

/* Worker thread, reply ready: stop watching, wake the connection. */
static void kcd_op_done(struct kcd_op *op)
{
	struct kcd_conn *cs = op->done_arg;

	kcd_watch_remove(cs->watch, op);
	MHD_resume_connection(cs->conn);
}

static void kcd_hangup(void *item)
{
	kcd_op_client_gone(item);
}

/* The pids a request is for: the body's, else the default targets. */
static int kcd_pids(struct kcd *d, const struct kcd_request *req,
		    struct kcd_pids *pids, char *why, size_t why_len)
{
	memset(pids, 0, sizeof(*pids));
	if (req->pid) {
		pids->v = malloc(sizeof(*pids->v));
		if (!pids->v)
			return -ENOMEM;
		pids->v[0] = req->pid;
		pids->n = pids->cap = 1;
		return 0;
	}
	if (!d->cfg.ntargets) {
		snprintf(why, why_len, "no pid in the request and no default "
			 "targets (start kcollapsed with --target or "
			 "--target-cgroup)");
		return -EINVAL;
	}
	if (kcd_targets_resolve(d->cfg.targets, d->cfg.ntargets, pids, why,
				why_len) < 0)
		return -ENOMEM;
	return pids->n ? 0 : -ESRCH;
}

/* Claimed: suspend the connection, then start the worker. */
static enum MHD_Result kcd_run(struct kcd *d, struct MHD_Connection *c,
			       struct kcd_conn *cs, struct kcd_op *op)
{
	int err, fd;

	cs->op = op;
	cs->watch = &d->watch;
	op->done = kcd_op_done;
	op->done_arg = cs;
	snprintf(op->remote, sizeof(op->remote), "%s", cs->remote);
	fd = kcd_conn_fd(c);
	if (fd >= 0)
		kcd_watch_add(&d->watch, op, fd);
	/* Before the worker exists: it may resume us at once. */
	MHD_suspend_connection(c);
	err = kcd_op_start(op);
	if (err < 0) {
		kcd_watch_remove(&d->watch, op);
		op->status = 500;
		op->body = kcd_reply_error(500, "cannot start a worker thread",
					   NULL, &op->body_len);
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

/* POST /collapse, whole body in: parse, find targets, claim, run. */
static enum MHD_Result kcd_collapse(struct kcd *d, struct MHD_Connection *c,
				    struct kcd_conn *cs)
{
	const struct kcd_op_env env = {
		.ops = &d->ops, .metrics = &d->metrics,
		.engine = d->cfg.engine, .deadline_ms = d->cfg.deadline_ms,
	};
	struct kcd_request req;
	struct kcd_error err;
	struct kcd_pids pids;
	struct kcd_op *op;
	char why[256];
	int ret;

	if (cs->too_large)
		return kcd_error(d, c, 413, "body larger than 4096 bytes",
				 NULL, NULL, true);
	if (kcd_request_parse(cs->body, cs->len, &req, &err) < 0 ||
	    kcd_request_defaults(&req, d->cfg.mode, d->cfg.min_fill,
				 d->cfg.auto_threshold, d->cfg.hot_first,
				 &err) < 0)
		return kcd_error(d, c, 400, err.msg, err.field, NULL, true);
	/* Resolving targets (systemctl, /proc) counts against the deadline. */
	ret = kcd_pids(d, &req, &pids, why, sizeof(why));
	if (ret == -ENOMEM)
		return MHD_NO;
	if (ret == -EINVAL)
		return kcd_error(d, c, 400, why, "pid", NULL, true);
	if (ret < 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), "no default target is running: %s",
			 why);
		return kcd_error(d, c, 500, msg, NULL, NULL, true);
	}
	op = kcd_op_new(&env, &req, req.pid != 0, &pids);
	if (!op) {
		kcd_pids_free(&pids);
		return MHD_NO;
	}
	op->start_ns = cs->arrive_ns;
	ret = kcd_ops_claim(&d->ops, op);
	if (ret < 0) {
		const char *msg = ret == -EBUSY ? op->targets[0].msg :
			ret == -EAGAIN ? "too many collapse requests running "
					 "(--max-ops); retry later" :
			"kcollapsed is shutting down";

		ret = kcd_error(d, c, ret == -EBUSY ? 409 : 503, msg, NULL,
				NULL, true);
		kcd_op_free(op);
		return ret;
	}
	return kcd_run(d, c, cs, op);
}

/* Resumed: the worker's reply. */
static enum MHD_Result kcd_reply(struct kcd *d, struct MHD_Connection *c,
				 struct kcd_op *op)
{
	if (!op->body)
		return kcd_error(d, c, 500, "out of memory", NULL, NULL, false);
	return kcd_respond(d, c, op->status, op->body, op->body_len, KCD_JSON,
			   NULL);
}

static enum MHD_Result kcd_access(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct kcd *d = cls;
	struct kcd_conn *cs = *con_cls;

	(void)version;
	if (!cs)
		return kcd_first(d, c, url, method, con_cls);
	if (cs->op)
		return kcd_reply(d, c, cs->op);
	if (*upload_size)
		return kcd_absorb(cs, upload_data, upload_size);
	return kcd_collapse(d, c, cs);
}

static void kcd_completed(void *cls, struct MHD_Connection *c,
			  void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct kcd_conn *cs = *con_cls;
	struct kcd *d = cls;

	(void)c;
	if (!cs)
		return;
	/* how long this reply took to leave after its operation ended */
	if (cs->op && cs->op->elapsed_ns &&
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		kcd_ops_reply_sent(&d->ops, kcd_now_ns() - cs->op->start_ns -
				   cs->op->elapsed_ns);
	kcd_op_free(cs->op);
	free(cs);
	*con_cls = NULL;
}

static void kcd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256], q[300];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	kcd_log(LOG_WARNING, "event=http-error msg=%s", kcd_log_quote(q, sizeof(q), msg));
}

int kcd_http_start(struct kcd *d)
{
	/*
	 * poll(), not epoll: with epoll, libmicrohttpd 0.9.75 (Debian 12)
	 * misses a client's FIN after an incomplete request and holds the
	 * connection until its idle timeout; 64 such clients (the limit)
	 * would lock everyone out for 30 s (tests/bridge/abuse.c found it).
	 * A few dozen connections are all this daemon ever serves.
	 */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int err;

	if (d->bound.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	err = kcd_watch_start(&d->watch, kcd_hangup);
	if (err < 0)
		return err;
	/* The logger first, or MHD's own prints the options' errors. */
	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, kcd_access, d,
		MHD_OPTION_EXTERNAL_LOGGER, kcd_mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, d->listen_fd,
		MHD_OPTION_NOTIFY_COMPLETED, kcd_completed, d,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)KCD_CONN_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)KCD_CONN_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)KCD_CONN_MEMORY,
		MHD_OPTION_END);
	if (!d->mhd) {
		kcd_watch_stop(&d->watch);
		return -EIO;
	}
	return 0;
}

void kcd_http_quiesce(struct kcd *d)
{
	MHD_socket fd = MHD_quiesce_daemon(d->mhd);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	d->listen_fd = -1;
}

void kcd_http_stop(struct kcd *d)
{
	MHD_stop_daemon(d->mhd);
	d->mhd = NULL;
	kcd_watch_stop(&d->watch);
}
