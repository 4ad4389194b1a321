/* SPDX-License-Identifier: MIT */
/*
 * Collapse requests in flight. Each runs on its own detached worker
 * thread, so that the HTTP thread keeps answering (/health, /metrics,
 * other targets) while libkcollapse works; the HTTP connection stays
 * suspended meanwhile. The registry bounds how many run at once, refuses
 * a second request for a target that is being collapsed (409), and lets
 * shutdown cancel and wait for all of them.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_OPS_H
#define KCD_OPS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kcollapse/kcollapse.h>

#include "metrics.h"
#include "op.h"
#include "targets.h"

/* What an operation needs of the daemon, given to kcd_op_new(). */
struct kcd_op_env {
	struct kcd_ops *ops;		/* the registry it runs in */
	struct kcd_metrics *metrics;	/* counts it */
	enum kc_engine engine;		/* runs it */
	uint32_t deadline_ms;		/* when the body names none, 0: none */
};

struct kcd_ops {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct kcd_op *running;
	unsigned int count;
	unsigned int max;
	bool closing;
	uint64_t reply_ns;	/* kcd_ops_reply_sent()'s estimate */
};

/*
 * A reply leaves some time after its operation ends (building it, the log
 * line, waking the HTTP thread, sending): the engine is given the
 * deadline minus that much, so that the reply, not the operation, meets
 * it. The estimate starts at KCD_REPLY_NS and follows the replies sent: a
 * slower one raises it at once, faster ones lower it by an eighth each.
 */
#define KCD_REPLY_NS		(50ULL * 1000000ULL)
#define KCD_REPLY_MAX_NS	(500ULL * 1000000ULL)
void kcd_ops_reply_sent(struct kcd_ops *ops, uint64_t took_ns);

/* kcd_now_ns() - CLOCK_MONOTONIC in ns: when a request started. */
uint64_t kcd_now_ns(void);

void kcd_ops_init(struct kcd_ops *ops, unsigned int max);
void kcd_ops_destroy(struct kcd_ops *ops);

/*
 * kcd_op_new() - a request for @pids (taken over), in its effective
 * form: deadline from the body or @env's default. NULL without memory.
 */
struct kcd_op *kcd_op_new(const struct kcd_op_env *env,
			  const struct kcd_request *req, bool explicit_pid,
			  struct kcd_pids *pids);
void kcd_op_free(struct kcd_op *op);

/*
 * kcd_ops_claim() - register @op and claim its targets. Returns 0 if at
 * least one target is ours to run (the others are marked busy), -EBUSY
 * if every target is being collapsed by another request, -EAGAIN when
 * max requests run already, -ESHUTDOWN while stopping.
 */
int kcd_ops_claim(struct kcd_ops *ops, struct kcd_op *op);

/*
 * kcd_op_start() - run a claimed @op on a new worker thread; at the end
 * it builds the reply, logs it, leaves the registry and calls op->done.
 * Returns 0, or -errno (then nothing ran and the claim is released).
 */
int kcd_op_start(struct kcd_op *op);

/* kcd_op_client_gone() - the client hung up: cancel (watch thread). */
void kcd_op_client_gone(struct kcd_op *op);

/* kcd_ops_in_flight() - for /metrics. */
unsigned int kcd_ops_in_flight(struct kcd_ops *ops);

/*
 * kcd_ops_shutdown() - refuse new requests, cancel the running ones and
 * wait until every worker has called done().
 */
void kcd_ops_shutdown(struct kcd_ops *ops);

#endif /* KCD_OPS_H */
