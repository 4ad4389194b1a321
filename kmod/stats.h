/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one COLLAPSE did, and the pure rules that fill it in: how a window's
 * collapse errno is accounted, and which reason to stop wins.
 */
#ifndef _KCOLLAPSE_STATS_H
#define _KCOLLAPSE_STATS_H

#include <linux/ktime.h>
#include <linux/types.h>

/* Exactly one per window reached. */
enum kc_outcome {
	KC_OUT_COLLAPSED,
	KC_OUT_ALREADY_HUGE,
	KC_OUT_EMPTY,
	KC_OUT_SPARSE,
	KC_OUT_NOMEM,
	KC_OUT_BUSY,
	KC_OUT_AGAIN,
	KC_OUT_INELIGIBLE,
	KC_OUT_OTHER,
	KC_OUT_DRY_RUN,		/* a candidate that a dry run did not try */
	KC_OUT_MAX
};

struct kc_stats {
	u64 regions;
	u64 chunks;
	u64 candidates;
	u64 outcome[KC_OUT_MAX];
	u64 marked;
	u64 elapsed_ns;
	u64 frames_before;
	u64 frames_after;
	u64 present_before;
	u64 present_after;
	u32 stop_reason;	/* enum kcollapse_stop_reason */
};

/* Account the return value of one window's collapse. */
enum kc_outcome kc_outcome_from_errno(int err);
void kc_stats_count(struct kc_stats *st, enum kc_outcome out);

/* Everything that may end an operation early, sampled between windows. */
struct kc_stop_inputs {
	int requested;		/* KCOLLAPSE_STOP_CANCELLED/UNLOADING, or 0 */
	bool caller_killed;
	bool target_gone;
	ktime_t now;
	ktime_t deadline;	/* 0: none */
};

/*
 * KCOLLAPSE_STOP_DONE to go on, else why to stop. Order matters when several
 * hold at once: an explicit request names the cause best, a dead caller or
 * target makes the rest moot, the deadline comes last.
 */
u32 kc_stop_decide(const struct kc_stop_inputs *in);

#endif /* _KCOLLAPSE_STATS_H */
