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

struct kcd_config {
	struct kcd_addr listen;
	const char *listen_text;
	const char *token_file;
	uint32_t deadline_ms;		/* default request deadline, 0: none */
	unsigned int max_ops;		/* requests running at once */
	enum kc_engine engine;
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
