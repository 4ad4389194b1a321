/* SPDX-License-Identifier: MIT */
/*
 * One collapse request of kcollapsed: what it asks, what it needs of the
 * daemon, and what happened to each of its targets. ops.c runs it,
 * reply.c turns it into a reply; both read it from here.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_OP_H
#define KCD_OP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <kcollapse/kcollapse.h>

#include "request.h"

struct kcd_metrics;
struct kcd_ops;

/* What happened to one target of a request. */
struct kcd_target_result {
	pid_t pid;
	bool claimed;		/* ours to run: not busy in this daemon */
	bool skipped;		/* not started: cancelled or out of time */
	int err;		/* 0, or why it could not run */
	unsigned int status;	/* the HTTP status @err maps to */
	char field[16];		/* the request field @err is about, or "" */
	char msg[256];
	struct kc_result res;	/* if it ran (err == 0) */
};

struct kcd_op {
	struct kcd_ops *ops;		/* the registry it runs in */
	struct kcd_metrics *metrics;	/* counts it */
	enum kc_engine engine;		/* runs it */
	struct kcd_request req;
	bool explicit_pid;		/* the body named the target */
	uint32_t deadline_ms;		/* in effect, 0: none */
	size_t ntargets;
	struct kcd_target_result *targets;
	struct kc_op *kcop;		/* cancels the running collapse */
	atomic_bool client_gone;
	char remote[64];
	uint64_t start_ns;
	uint64_t elapsed_ns;
	/* Called on the worker thread when the reply is ready. */
	void (*done)(struct kcd_op *op);
	void *done_arg;
	/* The reply, set before done() runs. */
	unsigned int status;
	char *body;
	size_t body_len;
	struct kcd_op *next;		/* in the registry */
};

#endif /* KCD_OP_H */
