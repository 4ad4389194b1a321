// SPDX-License-Identifier: MIT
/*
 * Cancellable operations (see op.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "op.h"

/*
 * How long kc_op_cancel() keeps asking the kernel: the COLLAPSE is
 * registered microseconds after its sendmsg() starts, so this only covers
 * a scheduling delay between kc_op_kmod_begin() and the kernel.
 */
#define KC_CANCEL_TRIES		200
#define KC_CANCEL_PAUSE_NS	5000000L

int kc_op_new(struct kc_op **out)
{
	struct kc_op *op;

	if (!out)
		return kc_ret(-EINVAL);
	op = calloc(1, sizeof(*op));
	*out = op;
	if (!op)
		return kc_ret(kc_oom(NULL));
	atomic_init(&op->cancel, false);
	atomic_init(&op->kmod_pid, 0);
	return 0;
}

void kc_op_free(struct kc_op *op)
{
	free(op);
}

bool kc_op_cancelled(const struct kc_op *op)
{
	return op && atomic_load(&((struct kc_op *)op)->cancel);
}

bool kc_op_kmod_begin(struct kc_op *op, pid_t pid)
{
	if (!op)
		return true;
	atomic_store(&op->kmod_pid, (int)pid);
	if (!atomic_load(&op->cancel))
		return true;
	atomic_store(&op->kmod_pid, 0);
	return false;
}

void kc_op_kmod_end(struct kc_op *op)
{
	if (op)
		atomic_store(&op->kmod_pid, 0);
}

/* Ask the module until it confirms, or the COLLAPSE is over. */
static void kc_op_cancel_kmod(struct kc_op *op, pid_t pid)
{
	const struct timespec pause = { 0, KC_CANCEL_PAUSE_NS };
	struct kc_handle *h;
	int i;

	if (kc_open(&h) < 0)
		return;
	for (i = 0; i < KC_CANCEL_TRIES &&
	     atomic_load(&op->kmod_pid) == (int)pid; i++) {
		unsigned int n = 0;

		if (kc_cancel(h, pid, &n) < 0 || n)
			break;
		nanosleep(&pause, NULL);
	}
	kc_close(h);
}

void kc_op_cancel(struct kc_op *op)
{
	pid_t pid;

	if (!op)
		return;
	atomic_store(&op->cancel, true);
	pid = atomic_load(&op->kmod_pid);
	if (pid)
		kc_op_cancel_kmod(op, pid);
}
