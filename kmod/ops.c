// SPDX-License-Identifier: GPL-2.0
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/linux/kcollapse.h>
#include "ops.h"

static LIST_HEAD(kc_ops);
static DEFINE_SPINLOCK(kc_ops_lock);
static unsigned int kc_ops_count;
static bool kc_ops_closed;
static DECLARE_WAIT_QUEUE_HEAD(kc_ops_idle);

static struct kc_inflight *kc_ops_find(const struct mm_struct *mm)
{
	struct kc_inflight *op;

	lockdep_assert_held(&kc_ops_lock);
	list_for_each_entry(op, &kc_ops, node)
		if (op->mm == mm)
			return op;
	return NULL;
}

int kc_ops_begin(struct kc_inflight *op, struct netlink_ext_ack *extack)
{
	int err = 0;

	op->stop = 0;
	op->caller_gone = false;
	spin_lock(&kc_ops_lock);
	if (kc_ops_closed) {
		NL_SET_ERR_MSG(extack, "kcollapse is being unloaded");
		err = -ESHUTDOWN;
	} else if (kc_ops_find(op->mm)) {
		NL_SET_ERR_MSG(extack,
			       "an operation on this process is already running");
		err = -EBUSY;
	} else if (kc_ops_count >= KCOLLAPSE_MAX_OPS) {
		NL_SET_ERR_MSG(extack,
			       "too many operations in flight; retry later");
		err = -EBUSY;
	} else {
		list_add(&op->node, &kc_ops);
		WRITE_ONCE(kc_ops_count, kc_ops_count + 1);
	}
	spin_unlock(&kc_ops_lock);
	return err;
}

void kc_ops_end(struct kc_inflight *op)
{
	spin_lock(&kc_ops_lock);
	list_del(&op->node);
	WRITE_ONCE(kc_ops_count, kc_ops_count - 1);
	if (!kc_ops_count)
		wake_up_all(&kc_ops_idle);
	spin_unlock(&kc_ops_lock);
}

int kc_ops_stop_requested(const struct kc_inflight *op)
{
	return READ_ONCE(op->stop);
}

/* The first reason to stop wins: a cancel does not rename an unload. */
static void kc_ops_request_stop(struct kc_inflight *op, int reason)
{
	if (!READ_ONCE(op->stop))
		WRITE_ONCE(op->stop, reason);
}

unsigned int kc_ops_cancel(const struct mm_struct *mm)
{
	unsigned int n = 0;
	struct kc_inflight *op;

	spin_lock(&kc_ops_lock);
	op = kc_ops_find(mm);
	if (op) {
		kc_ops_request_stop(op, KCOLLAPSE_STOP_CANCELLED);
		n = 1;
	}
	spin_unlock(&kc_ops_lock);
	return n;
}

unsigned int kc_ops_in_flight(void)
{
	return READ_ONCE(kc_ops_count);
}

void kc_ops_caller_gone(u32 portid)
{
	struct kc_inflight *op;

	spin_lock(&kc_ops_lock);
	list_for_each_entry(op, &kc_ops, node)
		if (op->caller_portid == portid)
			WRITE_ONCE(op->caller_gone, true);
	spin_unlock(&kc_ops_lock);
}

void kc_ops_shutdown(void)
{
	struct kc_inflight *op;

	spin_lock(&kc_ops_lock);
	kc_ops_closed = true;
	list_for_each_entry(op, &kc_ops, node)
		kc_ops_request_stop(op, KCOLLAPSE_STOP_UNLOADING);
	spin_unlock(&kc_ops_lock);
}

void kc_ops_wait_idle(void)
{
	wait_event(kc_ops_idle, !READ_ONCE(kc_ops_count));
}
