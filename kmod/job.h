/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A COLLAPSE runs as a job in the module's own context, not inside the
 * requesting sendmsg(): generic netlink calls every handler with its
 * callback lock held for reading, and an operation that kept it for
 * seconds would make the next family registration or removal (any module
 * load or unload on the machine, rmmod kcollapse itself) wait for it, and
 * every generic netlink request of the machine wait behind that. The
 * handler checks the request, starts a job and returns; the job replies
 * when the operation ends, or keeps the result for GET_RESULT when the
 * caller asked not to wait.
 */
#ifndef _KCOLLAPSE_JOB_H
#define _KCOLLAPSE_JOB_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include "ops.h"
#include "request.h"
#include "stats.h"

struct kc_job;

/* Sends a waited job's reply (netlink.c, which owns the family). */
typedef void (*kc_job_reply_fn)(struct kc_job *job);

struct kc_job {
	struct work_struct work;
	struct list_head node;		/* kept (NO_WAIT) jobs: job.c */
	struct kc_request req;
	struct kc_inflight op;		/* the in-flight registration */
	ktime_t start;			/* when the request arrived */
	u64 id;				/* the operation id */
	bool done;			/* kept: the result is final */
	kc_job_reply_fn reply;		/* waited: called when it ends */
	struct sk_buff *skb;		/* waited: the request, held */
	struct nlmsghdr *nlh;		/* ... its header, for the reply */
	int err;			/* 0, or why the operation failed */
	const char *err_msg;		/* ... in words (a static string) */
	int fault_mark;			/* the caller's (compat.h) */
	struct kc_stats st;
};

int kc_jobs_init(void);

/*
 * Start @req as a job; @skb and @info are the request. With @reply the
 * job calls it when the operation ends and then frees itself (the caller
 * waits); without, the job is kept, under *@id, for kc_jobs_take().
 * Returns 0, or -errno with a message in info->extack: the operation did
 * not start.
 */
int kc_job_start(struct sk_buff *skb, struct genl_info *info,
		 const struct kc_request *req, kc_job_reply_fn reply, u64 *id);

/*
 * The finished kept job @id, no longer kept: the caller replies from it
 * and frees it (kc_job_free()). Else ERR_PTR(-EINPROGRESS) (running) or
 * ERR_PTR(-ENOENT) (unknown, taken, or forgotten).
 */
struct kc_job *kc_jobs_take(u64 id);
void kc_job_free(struct kc_job *job);

/*
 * Module unload, after kc_ops_shutdown(): wait for every job (their
 * operations stop at their next step) and free the kept results. The
 * caller unregisters the family afterwards, so that the replies of
 * jobs that ended meanwhile still go out.
 */
void kc_jobs_exit(void);

#endif /* _KCOLLAPSE_JOB_H */
