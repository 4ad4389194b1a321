/* SPDX-License-Identifier: MIT */
/*
 * The default targets of a POST /collapse without "pid", resolved at each
 * request so that a restarted service is found again:
 *   --target N              a pid
 *   --target pidfile:PATH   the pid in PATH
 *   --target comm:NAME      every process whose /proc/PID/comm is NAME
 *   --target unit:NAME      the MainPID of a systemd unit (systemctl show)
 *   --target-cgroup PATH    every process of a cgroup v2 directory
 *                           (cgroup.procs; relative to /sys/fs/cgroup)
 * Kernel threads and kcollapsed itself are never targets.
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
	KCD_TARGET_UNIT,
	KCD_TARGET_CGROUP,
};

struct kcd_target_spec {
	enum kcd_target_kind kind;
	pid_t pid;		/* KCD_TARGET_PID */
	const char *arg;	/* the pid file, command, unit or cgroup */
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

/*
 * kcd_target_parse() - "N", "pidfile:PATH", "comm:NAME" or "unit:NAME"
 * into @t (@s is kept, not copied). 0, or -EINVAL with the reason in @why.
 */
int kcd_target_parse(const char *s, struct kcd_target_spec *t, char *why,
		     size_t why_len);

/* kcd_target_describe() - "pid:N", "pidfile:PATH"... for the log. */
void kcd_target_describe(const struct kcd_target_spec *t, char *buf,
			 size_t len);

#endif /* KCD_TARGETS_H */
