/* SPDX-License-Identifier: MIT */
/*
 * kcollapsed: the daemon's state, shared by its parts.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_KCOLLAPSED_H
#define KCD_KCOLLAPSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <kcollapse/kcollapse.h>

#include "listen.h"
#include "metrics.h"
#include "ops.h"
#include "targets.h"
#include "token.h"
#include "watch.h"

#define KCD_VERSION KC_VERSION_STRING

/* Below the orchestrator's 10 s client timeout, with room for the reply. */
#define KCD_DEADLINE_DEFAULT_MS	8000u
#define KCD_MAX_OPS_DEFAULT	4u
#define KCD_MAX_OPS_LIMIT	KCD_WATCH_MAX

#define KCD_ALLOW_UID_MAX	16

struct kcd_config {
	struct kcd_addr listen;
	const char *listen_text;
	const char *token_file;
	/* Tests only: nobody's token is checked (logged loudly). */
	bool insecure_no_token;
	/* A unix socket whose peers are checked may go without a token. */
	bool unix_no_token;
	uid_t allow_uids[KCD_ALLOW_UID_MAX];	/* unix peers besides root */
	size_t nallow_uids;
	uint32_t deadline_ms;		/* default request deadline, 0: none */
	unsigned int max_ops;		/* requests running at once */
	enum kc_engine engine;
	/* What a body without "mode", "minFill", "autoThreshold" gets. */
	uint32_t mode;			/* KCD_MODE_* */
	uint32_t min_fill;		/* 0: the engine's default */
	uint32_t auto_threshold;	/* 0: the engine's default */
	bool hot_first;			/* pack and auto: the working set first */
	struct kcd_target_spec *targets;
	size_t ntargets;
};

struct MHD_Daemon;

struct kcd {
	struct kcd_config cfg;
	struct kcd_token token;
	struct kcd_metrics metrics;
	struct kcd_ops ops;
	struct kcd_watch watch;
	struct MHD_Daemon *mhd;
	int listen_fd;
	struct kcd_addr bound;
};

#endif /* KCD_KCOLLAPSED_H */
