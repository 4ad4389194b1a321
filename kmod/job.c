// SPDX-License-Identifier: GPL-2.0
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/sock.h>
#include <uapi/linux/kcollapse.h>
#include "compat.h"
#include "job.h"
#include "operation.h"
#include "target.h"

static struct workqueue_struct *kc_jobs_wq;

/* Jobs started with NO_WAIT, oldest first, until their result is taken. */
static LIST_HEAD(kc_jobs_kept);
static DEFINE_SPINLOCK(kc_jobs_lock);
static unsigned int kc_jobs_finished;	/* of kc_jobs_kept */
static u64 kc_jobs_last_id;

int kc_jobs_init(void)
{
	/*
	 * Unbound: an operation runs for up to seconds and mostly waits for
	 * the target's lock or for migrations; it should not hold up the
	 * per-CPU workers nor be tied to the CPU that queued it.
	 */
	kc_jobs_wq = alloc_workqueue("kcollapse", WQ_UNBOUND, 0);
	return kc_jobs_wq ? 0 : -ENOMEM;
}

void kc_job_free(struct kc_job *job)
{
	if (job->skb) {
		sock_put(NETLINK_CB(job->skb).sk);
		consume_skb(job->skb);
	}
	kfree(job);
}

/*
 * A kept job has finished. Beyond KCOLLAPSE_MAX_RESULTS finished and
 * untaken results, the oldest is forgotten.
 */
static void kc_jobs_finish(struct kc_job *job)
{
	struct kc_job *old = NULL, *pos;

	spin_lock(&kc_jobs_lock);
	job->done = true;
	if (++kc_jobs_finished > KCOLLAPSE_MAX_RESULTS) {
		list_for_each_entry(pos, &kc_jobs_kept, node) {
			if (pos->done) {
				old = pos;
				break;
			}
		}
		list_del(&old->node);
		kc_jobs_finished--;
	}
	spin_unlock(&kc_jobs_lock);
	if (old)
		kc_job_free(old);
}

static void kc_job_work(struct work_struct *work)
{
	struct kc_job *job = container_of(work, struct kc_job, work);
	struct netlink_ext_ack extack = {};
	int mark = kc_fault_mark_swap(job->fault_mark);

	job->err = kc_operation_run(&job->req, &job->op, job->start,
				    &job->st, &extack);
	kc_fault_mark_swap(mark);
	job->err_msg = extack._msg;
	if (!job->reply) {
		kc_jobs_finish(job);
		return;
	}
	job->reply(job);
	kc_job_free(job);
}

int kc_job_start(struct sk_buff *skb, struct genl_info *info,
		 const struct kc_request *req, kc_job_reply_fn reply, u64 *id)
{
	struct kc_target target;
	struct kc_job *job;
	int err;

	/* parsed into @req already: cannot fail */
	err = kc_request_target(info, &target);
	if (err)
		return err;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the operation; it did not start");
		return -ENOMEM;
	}
	INIT_WORK(&job->work, kc_job_work);
	job->req = *req;
	job->start = ktime_get();
	job->fault_mark = kc_fault_mark();
	job->reply = reply;
	if (reply)
		job->op.caller_portid = info->snd_portid;
	err = kc_operation_begin(req, &target, &job->op, info->extack);
	if (err) {
		kfree(job);
		return err;
	}
	job->req.pid = target.pid;
	if (reply) {
		/*
		 * The reply is built from the request, and the sender's
		 * socket is read by netlink_ack(): keep both until then,
		 * even if the sender closes it (that stops the operation:
		 * kc_ops_caller_gone()).
		 */
		job->skb = skb_get(skb);
		/* info->nlhdr, which some kernels declare const */
		job->nlh = (struct nlmsghdr *)((u8 *)info->genlhdr -
					       NLMSG_HDRLEN);
		sock_hold(NETLINK_CB(skb).sk);
	} else {
		spin_lock(&kc_jobs_lock);
		job->id = ++kc_jobs_last_id;
		list_add_tail(&job->node, &kc_jobs_kept);
		spin_unlock(&kc_jobs_lock);
		*id = job->id;
	}
	queue_work(kc_jobs_wq, &job->work);
	return 0;
}

struct kc_job *kc_jobs_take(u64 id)
{
	struct kc_job *job, *found = ERR_PTR(-ENOENT);

	spin_lock(&kc_jobs_lock);
	list_for_each_entry(job, &kc_jobs_kept, node) {
		if (job->id != id)
			continue;
		if (!job->done) {
			found = ERR_PTR(-EINPROGRESS);
		} else {
			list_del(&job->node);
			kc_jobs_finished--;
			found = job;
		}
		break;
	}
	spin_unlock(&kc_jobs_lock);
	return found;
}

void kc_jobs_exit(void)
{
	struct kc_job *job, *next;
	LIST_HEAD(kept);

	/* Every job ends its registration before it replies: wait for both. */
	kc_ops_wait_idle();
	destroy_workqueue(kc_jobs_wq);
	spin_lock(&kc_jobs_lock);
	list_splice_init(&kc_jobs_kept, &kept);
	kc_jobs_finished = 0;
	spin_unlock(&kc_jobs_lock);
	list_for_each_entry_safe(job, next, &kept, node)
		kc_job_free(job);
}
