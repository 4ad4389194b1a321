/* SPDX-License-Identifier: MIT */
/*
 * The target of a userspace collapse: which process, pinned by a pidfd,
 * and process_madvise(MADV_COLLAPSE) on it.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_TARGET_H
#define KC_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/capability.h>

#include "internal.h"

struct kc_target {
	pid_t pid;	/* as given: any thread id */
	pid_t tgid;	/* its process */
	int pidfd;	/* pins the process: its pid cannot be reused under us */
};

/*
 * kc_target_open() - resolve @pid (any thread id) to its process and open
 * a pidfd on it. Returns 0; -ESRCH (no such process, or it has no address
 * space: exiting or a zombie); -EINVAL (a kernel thread); -EOPNOTSUPP (no
 * pidfd_open(), Linux < 5.3); -errno. Messages in the per-thread slot.
 */
KC_HIDDEN int kc_target_open(pid_t pid, struct kc_target *t);
KC_HIDDEN void kc_target_close(struct kc_target *t);

/* kc_target_tgid() - the process of thread @pid: 0, -ESRCH or -errno. */
KC_HIDDEN int kc_target_tgid(pid_t pid, pid_t *tgid);

/*
 * kc_target_thp_disabled() - whether the process opted out of THP for its
 * whole address space with prctl(PR_SET_THP_DISABLE): /proc/PID/status
 * "THP_enabled: 0" (Linux 5.0+; older kernels do not say: false). 0,
 * -ESRCH or -errno.
 */
KC_HIDDEN int kc_target_thp_disabled(const struct kc_target *t,
				     bool *disabled);

/* kc_target_exited() - true once the process has exited (pidfd readable). */
KC_HIDDEN bool kc_target_exited(const struct kc_target *t);

/*
 * kc_target_probe() - a zero-length process_madvise(MADV_COLLAPSE): every
 * check the kernel makes (MADV_COLLAPSE allowed, ptrace access,
 * CAP_SYS_NICE) without any work. 0, -EOPNOTSUPP, -EPERM or -ESRCH, with
 * a message.
 */
KC_HIDDEN int kc_target_probe(const struct kc_target *t);

/* kc_target_collapse() - MADV_COLLAPSE one range: 0 or the -errno. */
KC_HIDDEN int kc_target_collapse(const struct kc_target *t, uint64_t addr,
				 uint64_t len);

/*
 * kc_has_cap() - whether the caller has capability @cap in its effective
 * set: CAP_SYS_ADMIN (reading PFNs and /proc/kpageflags), CAP_SYS_NICE
 * (process_madvise() on another process).
 */
KC_HIDDEN bool kc_has_cap(int cap);

#endif /* KC_TARGET_H */
