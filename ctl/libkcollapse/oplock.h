/* SPDX-License-Identifier: MIT */
/*
 * One userspace collapse per target process, across processes, and a way
 * for another process to cancel it: an open-file-description lock on
 * RUN_DIR/TGID.lock held for the operation. A canceller that finds the
 * lock held writes one byte into the file; the holder checks the file's
 * size between windows.
 *
 * OFD locks (not flock()) because F_OFD_GETLK lets a canceller see that
 * an operation runs without taking the lock itself, which would make a
 * starting operation fail with EBUSY for no reason.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_OPLOCK_H
#define KC_OPLOCK_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "internal.h"

#define KC_RUN_DIR_DEFAULT	"/run/kcollapse"
#define KC_RUN_DIR_ENV		"KCOLLAPSE_RUN_DIR"

struct kc_oplock {
	int fd;
	char path[PATH_MAX];
};

/*
 * kc_oplock_take() - create the run directory (0700) if needed and lock
 * TGID.lock for writing. Returns 0, -EBUSY (a userspace operation on that
 * process runs already), or -errno; messages in the per-thread slot.
 */
KC_HIDDEN int kc_oplock_take(pid_t tgid, struct kc_oplock *l);

/* kc_oplock_cancel_requested() - a canceller wrote into our lock file. */
KC_HIDDEN bool kc_oplock_cancel_requested(const struct kc_oplock *l);

/* kc_oplock_release() - unlink the file (while still locked), unlock. */
KC_HIDDEN void kc_oplock_release(struct kc_oplock *l);

/*
 * kc_oplock_cancel() - if a userspace operation on @tgid holds its lock,
 * ask it to stop; *@cancelled = 1, else 0. Returns 0 or -errno.
 */
KC_HIDDEN int kc_oplock_cancel(pid_t tgid, unsigned int *cancelled);

#endif /* KC_OPLOCK_H */
