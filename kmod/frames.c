// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include "frames.h"

void kc_frames_init(struct kc_frame_set *set)
{
	xa_init(&set->frames);
	set->count = 0;
	set->present_bytes = 0;
	set->have_last = false;
}

void kc_frames_destroy(struct kc_frame_set *set)
{
	xa_destroy(&set->frames);
}

/* Pages of one process often sit in runs inside one frame: skip the xarray. */
int kc_frames_add(struct kc_frame_set *set, unsigned long pfn,
		  unsigned long bytes)
{
	unsigned long frame = pfn >> (PMD_SHIFT - PAGE_SHIFT);
	int err;

	set->present_bytes += bytes;
	if (set->have_last && set->last == frame)
		return 0;
	set->last = frame;
	set->have_last = true;
	err = xa_insert(&set->frames, frame, xa_mk_value(0), GFP_KERNEL);
	if (err == -EBUSY)
		return 0;
	if (err)
		return err;
	set->count++;
	return 0;
}
