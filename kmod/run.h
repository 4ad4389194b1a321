/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every step of one operation shares: the request, the statistics,
 * the in-flight registration, how to take and leave the target's address
 * space one short lock hold at a time, and how to find the next place
 * worth visiting without walking the empty ones.
 */
#ifndef _KCOLLAPSE_RUN_H
#define _KCOLLAPSE_RUN_H

#include <linux/ktime.h>
#include <linux/mm_types.h>
#include "ops.h"
#include "request.h"
#include "stats.h"

struct kc_frame_set;
struct kc_spans;

struct kc_run {
	const struct kc_request *req;
	struct kc_stats *st;
	struct kc_inflight *op;		/* the in-flight registration */
	ktime_t deadline;
	ktime_t step_max;		/* longest collapse or migration so far */
	struct kc_frame_set *before;	/* frames measured before: pack's input */
	struct kc_spans *spans;		/* populated spans found before, or NULL */
};

/*
 * Work allowed in one lock hold, in page-table entries read (about 4 per
 * level step of the walk); reading a span's PTEs costs KC_SPAN_COST. Stop
 * conditions are checked between holds, so this bounds how late a stop
 * takes effect (well under a millisecond of work natively).
 */
#define KC_HOLD_BUDGET	1024U
#define KC_SPAN_COST	64U
#define KC_BATCH_COST	(KC_SPAN_COST / 4)	/* a pack batch: 128 PTEs */

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
 * Before each lock hold: the stop check, then kc_run_lock(). Returns 0
 * with the address space locked, else the stop reason, unlocked.
 * kc_run_step() first pauses for the window_delay_us testing aid (window
 * and batch loops), and its deadline check counts a hold as the longest
 * step so far (kc_run_time_step()): a collapse or a migration cannot be
 * interrupted, so one that would end past the deadline is not started.
 * kc_run_enter() does neither (marking, measuring: short holds).
 */
u32 kc_run_step(struct kc_run *run);
u32 kc_run_enter(struct kc_run *run);

/*
 * The budget of a window or batch loop's lock hold: KC_HOLD_BUDGET, or,
 * while the window_delay_us testing aid is on, one window or batch, so
 * that its pause comes between every two of them as it promises.
 */
unsigned int kc_run_budget(void);

/* A collapse or a migration that began at @start has ended. */
void kc_run_time_step(struct kc_run *run, ktime_t start);

/* Where a walk over the covered eligible memory stands. */
struct kc_cursor {
	unsigned long addr;	/* next address to visit */
	unsigned int budget;	/* work left in this lock hold */
	u64 *regions;		/* if set, counts the eligible VMAs entered */
};

/* Called for a stretch [@from, @to) of one eligible VMA with no page table. */
typedef void (*kc_skip_fn)(struct kc_run *run, unsigned long from,
			   unsigned long to);

/*
 * With the lock held: move @cur to the next populated PMD span of the
 * covered eligible memory (of run->spans, once the first measurement
 * found them) and return its VMA (cur->addr inside it), or
 * return NULL when nothing is left (cur->addr is then the request's end)
 * or the budget ran out (cur->addr: where to resume). @skipped, if set,
 * hears of every stretch passed over.
 */
struct vm_area_struct *kc_run_seek(struct kc_run *run, struct kc_cursor *cur,
				   kc_skip_fn skipped);

/* Charge @cost to the hold's budget. */
static inline void kc_cursor_charge(struct kc_cursor *cur, unsigned int cost)
{
	cur->budget -= min(cur->budget, cost);
}

#endif /* _KCOLLAPSE_RUN_H */
