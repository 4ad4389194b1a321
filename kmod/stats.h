/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one COLLAPSE (any mode) did, and which reason to stop wins. How each window is
 * classified and counted: include/common/kcollapse_rules.h.
 */
#ifndef _KCOLLAPSE_STATS_H
#define _KCOLLAPSE_STATS_H

#include <linux/ktime.h>
#include <linux/types.h>
#include <common/kcollapse_rules.h>

/* Why pack mode left a page where it was (see the uapi header's "Modes"). */
enum kc_left {
	KC_LEFT_PINNED,
	KC_LEFT_SHARED,
	KC_LEFT_THP,
	KC_LEFT_DENSE,
	KC_LEFT_BUSY,
	KC_LEFT_LOCKED,
	KC_LEFT_MAX
};

struct kc_pack_stats {
	u64 moved;
	u64 left[KC_LEFT_MAX];
	u64 dense_frames;
	u64 dest_frames;
	u64 bytes_copied;
	u64 alloc_failed;
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
	u64 hot_pages_before;
	u64 hot_frames_before;
	u64 hot_pages_after;
	u64 hot_frames_after;
	struct kc_pack_stats pack;
	u32 stop_reason;	/* enum kcollapse_stop_reason */
	u32 mode;		/* enum kcollapse_mode */
	u32 after_complete;	/* frames/present_after are a full measure */
};

/* chunks++ and the outcome's counter++. */
void kc_stats_count(struct kc_stats *st, enum kc_outcome out);

/* Everything that may end an operation early, sampled between windows. */
struct kc_stop_inputs {
	int requested;		/* KCOLLAPSE_STOP_CANCELLED/UNLOADING, or 0 */
	bool caller_killed;
	bool target_gone;
	ktime_t now;
	ktime_t deadline;	/* 0: none */
	ktime_t next_cost;	/* what the next step is expected to take */
};

/*
 * KCOLLAPSE_STOP_DONE to go on, else why to stop. Order matters when several
 * hold at once: an explicit request names the cause best, a dead caller or
 * target makes the rest moot, the deadline comes last. The deadline
 * counts as passed when the next step, at its expected cost, would end
 * after it: an uninterruptible step is better not started than overrun.
 */
u32 kc_stop_decide(const struct kc_stop_inputs *in);

#endif /* _KCOLLAPSE_STATS_H */
