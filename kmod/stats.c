// SPDX-License-Identifier: GPL-2.0
#include <uapi/linux/kcollapse.h>
#include <kunit/visibility.h>
#include "stats.h"

void kc_stats_count(struct kc_stats *st, enum kc_outcome out)
{
	st->chunks++;
	st->outcome[out]++;
}
EXPORT_SYMBOL_IF_KUNIT(kc_stats_count);

u32 kc_stop_decide(const struct kc_stop_inputs *in)
{
	if (in->requested)
		return in->requested;
	if (in->caller_killed)
		return KCOLLAPSE_STOP_CALLER_KILLED;
	if (in->target_gone)
		return KCOLLAPSE_STOP_TARGET_EXITED;
	if (in->deadline &&
	    ktime_after(ktime_add(in->now, in->next_cost), in->deadline))
		return KCOLLAPSE_STOP_DEADLINE;
	return KCOLLAPSE_STOP_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(kc_stop_decide);
