/* SPDX-License-Identifier: MIT */
/*
 * The default targets of a POST /collapse without "pid": --target-pid N,
 * --target-pidfile PATH (read at each request, so a restarted service is
 * found again) and --target-comm NAME (every process whose
 * /proc/PID/comm is NAME, kernel threads and kcollapsed itself excluded).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_TARGETS_H
#define KCD_TARGETS_H

#include <stddef.h>
#include <sys/types.h>

enum kcd_target_kind {
	KCD_TARGET_PID,
	KCD_TARGET_PIDFILE,
	KCD_TARGET_COMM,
};

struct kcd_target_spec {
	enum kcd_target_kind kind;
	pid_t pid;		/* KCD_TARGET_PID */
	const char *arg;	/* the pid file or the command name */
};

/* Resolved pids, in spec order, each once. */
struct kcd_pids {
	pid_t *v;
	size_t n;
	size_t cap;
};

/*
 * kcd_targets_resolve() - resolve @specs. A pid file that cannot be read
 * or parsed and a name that matches nothing contribute no pid; their
 * reasons are joined into @why (for the error when no pid is found).
 * Returns 0 or -ENOMEM.
 */
int kcd_targets_resolve(const struct kcd_target_spec *specs, size_t n,
			struct kcd_pids *out, char *why, size_t why_len);
void kcd_pids_free(struct kcd_pids *p);

/* kcd_comm_valid() - a name /proc/PID/comm can hold: 1..15 bytes, no '/'. */
int kcd_comm_valid(const char *name);

#endif /* KCD_TARGETS_H */
