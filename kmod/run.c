// SPDX-License-Identifier: GPL-2.0
#include <linux/delay.h>
#include <linux/sched/mm.h>
#include <uapi/linux/kcollapse.h>
#include "compat.h"
#include "run.h"
#include "testing.h"
#include "walk.h"
#include "window.h"

/* The window_delay_us testing aid (testing.h). */
static void kc_run_pause(void)
{
	unsigned int us = READ_ONCE(kc_testing.window_delay_us);

	if (us)
		usleep_range(us, us + 100);
}

/*
 * KCOLLAPSE_STOP_DONE to go on, else why to stop (kc_stop_decide()), if
 * what follows is expected to take @next_cost.
 */
static u32 kc_run_should_stop(const struct kc_run *run, ktime_t next_cost)
{
	struct kc_stop_inputs in = {
		.requested = kc_ops_stop_requested(run->op),
		.caller_killed = READ_ONCE(run->op->caller_gone),
		.target_gone = !atomic_read(&run->op->mm->mm_users),
		.now = ktime_get(),
		.deadline = run->deadline,
		.next_cost = next_cost,
	};

	return kc_stop_decide(&in);
}

struct vm_area_struct *kc_next_eligible(struct mm_struct *mm,
					unsigned long addr, unsigned long end)
{
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end))
		if (kc_vma_eligible(vma))
			return vma;
	return NULL;
}

u32 kc_run_lock(struct kc_run *run)
{
	struct mm_struct *mm = run->op->mm;

	if (!mmget_not_zero(mm))
		return KCOLLAPSE_STOP_TARGET_EXITED;
	/* a job's worker (job.c), which takes no signal */
	mmap_read_lock(mm);
	return KCOLLAPSE_STOP_DONE;
}

/*
 * mmput_async(): if the target exited during the hold, the last reference
 * is ours, and tearing its address space down (seconds for a huge sparse
 * one on a debug kernel) is not the operation's work.
 */
void kc_run_unlock(struct kc_run *run)
{
	mmap_read_unlock(run->op->mm);
	mmput_async(run->op->mm);
}

unsigned int kc_run_budget(void)
{
	return READ_ONCE(kc_testing.window_delay_us) ? KC_BATCH_COST :
							 KC_HOLD_BUDGET;
}

void kc_run_time_step(struct kc_run *run, ktime_t start)
{
	ktime_t took = ktime_sub(ktime_get(), start);

	if (ktime_after(took, run->step_max))
		run->step_max = took;
}

u32 kc_run_enter(struct kc_run *run)
{
	u32 stop = kc_run_should_stop(run, 0);

	return stop ? stop : kc_run_lock(run);
}

u32 kc_run_step(struct kc_run *run)
{
	u32 stop;

	kc_run_pause();
	stop = kc_run_should_stop(run, run->step_max);
	return stop ? stop : kc_run_lock(run);
}

struct vm_area_struct *kc_run_seek(struct kc_run *run, struct kc_cursor *cur,
				   kc_skip_fn skipped)
{
	unsigned long end = run->req->end, s, e;
	struct vm_area_struct *vma;
	bool found;

	kc_assert_mmap_locked(run->op->mm);
	while (cur->budget) {
		vma = NULL;
		if (cur->addr < end)
			vma = kc_next_eligible(run->op->mm, cur->addr, end);
		if (!vma) {
			cur->addr = end;
			return NULL;
		}
		s = max(cur->addr, vma->vm_start);
		e = min(vma->vm_end, end);
		if (cur->regions && s == max(vma->vm_start, run->req->start))
			(*cur->regions)++;
		cur->addr = s;
		/* Without an anon_vma nothing was ever faulted in here. */
		if (vma->anon_vma && run->spans) {
			found = kc_spans_next(run->spans, &cur->addr, e,
					      &cur->budget);
		} else if (vma->anon_vma) {
			found = kc_walk_next_pmd(run->op->mm, &cur->addr, e,
						 &cur->budget);
		} else {
			cur->addr = e;
			found = false;
		}
		/* at least one unit per VMA: a walk over many VMAs ends too */
		kc_cursor_charge(cur, 1);
		if (skipped && cur->addr > s)
			skipped(run, s, cur->addr);
		if (found)
			return vma;
		if (cur->addr < e)
			return NULL;	/* out of budget inside the VMA */
	}
	return NULL;
}
