// SPDX-License-Identifier: MIT
/*
 * Running collapse requests (see ops.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ops.h"
#include "reply.h"

uint64_t kcd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void kcd_ops_init(struct kcd_ops *ops, unsigned int max)
{
	memset(ops, 0, sizeof(*ops));
	pthread_mutex_init(&ops->lock, NULL);
	pthread_cond_init(&ops->idle, NULL);
	ops->max = max;
	ops->reply_ns = KCD_REPLY_NS;
}

void kcd_ops_reply_sent(struct kcd_ops *ops, uint64_t took_ns)
{
	pthread_mutex_lock(&ops->lock);
	ops->reply_ns -= ops->reply_ns / 8;
	if (took_ns > ops->reply_ns)
		ops->reply_ns = took_ns < KCD_REPLY_MAX_NS ? took_ns :
				KCD_REPLY_MAX_NS;
	pthread_mutex_unlock(&ops->lock);
}

static uint64_t kcd_ops_reply_ns(struct kcd_ops *ops)
{
	uint64_t ns;

	pthread_mutex_lock(&ops->lock);
	ns = ops->reply_ns;
	pthread_mutex_unlock(&ops->lock);
	return ns;
}

void kcd_ops_destroy(struct kcd_ops *ops)
{
	pthread_cond_destroy(&ops->idle);
	pthread_mutex_destroy(&ops->lock);
}

struct kcd_op *kcd_op_new(const struct kcd_op_env *env,
			  const struct kcd_request *req, bool explicit_pid,
			  struct kcd_pids *pids)
{
	struct kcd_op *op = calloc(1, sizeof(*op));
	size_t i;

	if (!op)
		return NULL;
	op->targets = calloc(pids->n ? pids->n : 1, sizeof(*op->targets));
	if (!op->targets || kc_op_new(&op->kcop) < 0) {
		kcd_op_free(op);
		return NULL;
	}
	op->ops = env->ops;
	op->metrics = env->metrics;
	op->engine = env->engine;
	op->req = *req;
	op->explicit_pid = explicit_pid;
	op->deadline_ms = req->deadline_ms ? req->deadline_ms :
			  env->deadline_ms;
	op->ntargets = pids->n;
	for (i = 0; i < pids->n; i++)
		op->targets[i].pid = pids->v[i];
	atomic_init(&op->client_gone, false);
	op->start_ns = kcd_now_ns();
	kcd_pids_free(pids);
	return op;
}

void kcd_op_free(struct kcd_op *op)
{
	if (!op)
		return;
	kc_op_free(op->kcop);
	free(op->targets);
	free(op->body);
	free(op);
}

/* Under ops->lock: is @pid being collapsed by a request of ours? */
static bool kcd_ops_busy(const struct kcd_ops *ops, pid_t pid)
{
	const struct kcd_op *o;
	size_t i;

	for (o = ops->running; o; o = o->next)
		for (i = 0; i < o->ntargets; i++)
			if (o->targets[i].claimed && o->targets[i].pid == pid)
				return true;
	return false;
}

static void kcd_target_busy(struct kcd_target_result *t)
{
	t->err = -EBUSY;
	t->status = 409;
	snprintf(t->msg, sizeof(t->msg), "a collapse of pid %d is already "
		 "running", (int)t->pid);
}

int kcd_ops_claim(struct kcd_ops *ops, struct kcd_op *op)
{
	size_t i, claimed = 0;
	int err = 0;

	pthread_mutex_lock(&ops->lock);
	if (ops->closing) {
		err = -ESHUTDOWN;
	} else if (ops->count >= ops->max) {
		err = -EAGAIN;
	} else {
		for (i = 0; i < op->ntargets; i++) {
			struct kcd_target_result *t = &op->targets[i];

			if (kcd_ops_busy(ops, t->pid)) {
				kcd_target_busy(t);
				continue;
			}
			t->claimed = true;
			claimed++;
		}
		if (claimed) {
			op->next = ops->running;
			ops->running = op;
			ops->count++;
		} else {
			err = -EBUSY;
		}
	}
	pthread_mutex_unlock(&ops->lock);
	return err;
}

/* Drop @op's claims; it still counts as running until kcd_ops_put(). */
static void kcd_ops_unlist(struct kcd_ops *ops, struct kcd_op *op)
{
	struct kcd_op **p;

	pthread_mutex_lock(&ops->lock);
	for (p = &ops->running; *p; p = &(*p)->next) {
		if (*p == op) {
			*p = op->next;
			break;
		}
	}
	pthread_mutex_unlock(&ops->lock);
}

/*
 * One request fewer. Separate from kcd_ops_unlist() because done()
 * hands the request back to the HTTP thread, which may free it at once:
 * shutdown must wait for done(), and nothing may touch the op after it.
 */
static void kcd_ops_put(struct kcd_ops *ops)
{
	pthread_mutex_lock(&ops->lock);
	if (!--ops->count)
		pthread_cond_broadcast(&ops->idle);
	pthread_mutex_unlock(&ops->lock);
}

unsigned int kcd_ops_in_flight(struct kcd_ops *ops)
{
	unsigned int n;

	pthread_mutex_lock(&ops->lock);
	n = ops->count;
	pthread_mutex_unlock(&ops->lock);
	return n;
}

_Static_assert(KCD_MODE_COLLAPSE == KC_MODE_COLLAPSE &&
	       KCD_MODE_PACK == KC_MODE_PACK && KCD_MODE_AUTO == KC_MODE_AUTO,
	       "the body's modes are libkcollapse's");

/*
 * Milliseconds the engine has before the request's deadline, keeping what
 * the reply is expected to take: 0 none, -1 passed.
 */
static int64_t kcd_op_remaining_ms(const struct kcd_op *op)
{
	uint64_t spent = (kcd_now_ns() - op->start_ns +
			  kcd_ops_reply_ns(op->ops)) / 1000000ULL;

	if (!op->deadline_ms)
		return 0;
	if (spent >= op->deadline_ms)
		return -1;
	return (int64_t)(op->deadline_ms - spent);
}

static const struct kcd_target_result *kcd_op_first_claimed(
	const struct kcd_op *op)
{
	size_t i;

	for (i = 0; i < op->ntargets; i++)
		if (op->targets[i].claimed)
			return &op->targets[i];
	return NULL;
}

/* Collapse one target; @t is claimed. */
static void kcd_op_target(struct kcd_op *op, struct kcd_target_result *t)
{
	struct kc_collapse_req creq = {
		.pid = t->pid,
		.range_start = op->req.range_start,
		.range_len = op->req.range_len,
		.min_fill = op->req.min_fill,
		.mode = op->req.mode,
		.auto_threshold = op->req.auto_threshold,
		.hot_first = op->req.hot_first,
		.flags = (op->req.mark_hugepage ? KC_MARK_HUGEPAGE : 0) |
			 (op->req.dry_run ? KC_DRY_RUN : 0),
	};
	int64_t left = kcd_op_remaining_ms(op);

	/*
	 * The first target always starts, if only to measure and stop at
	 * once with its frames counted; a later one out of time or
	 * cancelled does not, and says why.
	 */
	if (left < 0 && t == kcd_op_first_claimed(op))
		left = 1;
	if (kc_op_cancelled(op->kcop) || left < 0) {
		t->skipped = true;
		t->res.pid = t->pid;
		t->res.stop_reason = left < 0 ? KC_STOP_DEADLINE :
				     KC_STOP_CANCELLED;
		return;
	}
	creq.deadline_ms = (uint32_t)left;
	t->err = kc_collapse_with(op->engine, &creq, op->kcop, &t->res);
	if (t->err < 0) {
		snprintf(t->msg, sizeof(t->msg), "%s", *kc_last_error(NULL) ?
			 kc_last_error(NULL) : strerror(-t->err));
		kcd_reply_map_error(op, t);
	}
}

static void *kcd_op_main(void *arg)
{
	struct kcd_op *op = arg;
	struct kcd_ops *ops = op->ops;
	size_t i;

	for (i = 0; i < op->ntargets; i++)
		if (op->targets[i].claimed)
			kcd_op_target(op, &op->targets[i]);
	op->elapsed_ns = kcd_now_ns() - op->start_ns;
	kcd_reply_build(op);
	kcd_reply_account(op);
	kcd_ops_unlist(ops, op);
	/* Last touch: the HTTP side owns @op from here. */
	op->done(op);
	kcd_ops_put(ops);
	return NULL;
}

int kcd_op_start(struct kcd_op *op)
{
	pthread_attr_t attr;
	pthread_t thread;
	int err;

	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setdetachstate(&attr,
						  PTHREAD_CREATE_DETACHED);
	if (!err)
		err = pthread_create(&thread, &attr, kcd_op_main, op);
	pthread_attr_destroy(&attr);
	if (err) {
		kcd_ops_unlist(op->ops, op);
		kcd_ops_put(op->ops);
		return -err;
	}
	return 0;
}

void kcd_op_client_gone(struct kcd_op *op)
{
	atomic_store(&op->client_gone, true);
	kcd_metrics_disconnect(op->metrics);
	kc_op_cancel(op->kcop);
}

void kcd_ops_shutdown(struct kcd_ops *ops)
{
	struct kcd_op *o;

	pthread_mutex_lock(&ops->lock);
	ops->closing = true;
	for (o = ops->running; o; o = o->next)
		kc_op_cancel(o->kcop);
	while (ops->count)
		pthread_cond_wait(&ops->idle, &ops->lock);
	pthread_mutex_unlock(&ops->lock);
}
