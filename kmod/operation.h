/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One COLLAPSE command, any mode: mark, measure, work window by window
 * (collapse.c) or batch by batch (pack.c), measure again.
 */
#ifndef _KCOLLAPSE_OPERATION_H
#define _KCOLLAPSE_OPERATION_H

#include <linux/ktime.h>
#include <net/netlink.h>
#include "ops.h"
#include "request.h"
#include "target.h"
#include "stats.h"

/*
 * Check @req against this kernel, find its target @t (target.h; t->pid
 * is then the target's pid) and register the operation in @op (ops.h).
 * Returns 0, or -errno with a message in @extack. Quick: it runs in the
 * requesting sendmsg().
 */
int kc_operation_begin(const struct kc_request *req, struct kc_target *t,
		       struct kc_inflight *op, struct netlink_ext_ack *extack);

/*
 * Run the operation kc_operation_begin() registered in @op, whose request
 * arrived at @start (its deadline counts from there), then end the
 * registration. Returns 0 with @st filled in (also when it stopped early:
 * see st->stop_reason) or -ENOMEM with a message in @extack. Long: it
 * runs in a job's worker (job.c).
 */
int kc_operation_run(const struct kc_request *req, struct kc_inflight *op,
		     ktime_t start, struct kc_stats *st,
		     struct netlink_ext_ack *extack);

#endif /* _KCOLLAPSE_OPERATION_H */
