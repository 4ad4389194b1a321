// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include <uapi/linux/kcollapse.h>
#include "stats.h"

/* The errno values madvise_collapse() derives from its SCAN_* results. */
enum kc_outcome kc_outcome_from_errno(int err)
{
	switch (err) {
	case 0:
		return KC_OUT_COLLAPSED;
	case -ENOMEM:
		return KC_OUT_NOMEM;
	case -EBUSY:
		return KC_OUT_BUSY;
	case -EAGAIN:
		return KC_OUT_AGAIN;
	case -EINVAL:
		return KC_OUT_INELIGIBLE;
	default:
		return KC_OUT_OTHER;
	}
}

void kc_stats_count(struct kc_stats *st, enum kc_outcome out)
{
	st->chunks++;
	st->outcome[out]++;
}

u32 kc_stop_decide(const struct kc_stop_inputs *in)
{
	if (in->requested)
		return in->requested;
	if (in->caller_killed)
		return KCOLLAPSE_STOP_CALLER_KILLED;
	if (in->target_gone)
		return KCOLLAPSE_STOP_TARGET_EXITED;
	if (in->deadline && ktime_after(in->now, in->deadline))
		return KCOLLAPSE_STOP_DEADLINE;
	return KCOLLAPSE_STOP_DONE;
}
