/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every step of one operation shares: the request, the statistics,
 * the in-flight registration, and how to take and leave the target's
 * address space one short lock hold at a time.
 */
#ifndef _KCOLLAPSE_RUN_H
#define _KCOLLAPSE_RUN_H

#include <linux/ktime.h>
#include <linux/mm_types.h>
#include "collapse.h"
#include "ops.h"
#include "stats.h"

struct kc_frame_set;

struct kc_run {
	const struct kc_request *req;
	struct kc_stats *st;
	struct kc_op op;
	ktime_t deadline;
	struct kc_frame_set *before;	/* frames measured before: pack's input */
};

/*
 * Pin the address space and lock it for reading. Returns 0, or the reason
 * this is impossible as a stop reason. kc_run_unlock() undoes both.
 */
u32 kc_run_lock(struct kc_run *run);
void kc_run_unlock(struct kc_run *run);

/* First eligible VMA ending after @addr and starting before @end. */
struct vm_area_struct *kc_next_eligible(struct mm_struct *mm,
					unsigned long addr, unsigned long end);

/*
 * Between two windows or batches: the window_delay_us testing aid, the
 * stop check, then kc_run_lock(). Returns 0 with the address space locked,
 * else the stop reason, unlocked.
 */
u32 kc_run_step(struct kc_run *run);

#endif /* _KCOLLAPSE_RUN_H */
