/* SPDX-License-Identifier: MIT */
/*
 * struct kc_op: a flag another thread raises to stop a collapse, and for
 * the module the pid whose COLLAPSE is in the kernel right now, so that
 * the canceller can send KCOLLAPSE_CMD_CANCEL.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_OP_H
#define KC_OP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "internal.h"

struct kc_op {
	atomic_bool cancel;
	atomic_int kmod_pid;	/* a kmod COLLAPSE of this pid runs, or 0 */
};

/*
 * Bracket a module COLLAPSE: kc_op_kmod_begin() returns false if the
 * operation was cancelled already and must not be sent. Either the
 * canceller sees kmod_pid set and cancels in the kernel, or this sees the
 * flag: both are sequentially consistent atomics.
 */
KC_HIDDEN bool kc_op_kmod_begin(struct kc_op *op, pid_t pid);
KC_HIDDEN void kc_op_kmod_end(struct kc_op *op);

#endif /* KC_OP_H */
