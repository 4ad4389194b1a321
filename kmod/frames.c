// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <kunit/visibility.h>
#include "frames.h"

void kc_frames_init(struct kc_frame_set *set)
{
	xa_init(&set->frames);
	set->count = 0;
	set->present_bytes = 0;
	set->hot_pages = 0;
	set->hot_frames = 0;
	set->run = 0;
	set->run_hot = 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_init);

void kc_frames_destroy(struct kc_frame_set *set)
{
	xa_destroy(&set->frames);
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_destroy);

static unsigned long kc_frames_stored(struct kc_frame_set *set,
				      unsigned long frame)
{
	void *entry = xa_load(&set->frames, frame);

	return entry ? xa_to_value(entry) : 0;
}

int kc_frames_flush(struct kc_frame_set *set)
{
	unsigned long old, hot;
	void *ret;

	if (!set->run)
		return 0;
	old = kc_frames_stored(set, set->last);
	hot = (old >> KC_FRAMES_HOT_SHIFT) + set->run_hot;
	ret = xa_store(&set->frames, set->last,
		       xa_mk_value((hot << KC_FRAMES_HOT_SHIFT) +
				   (old & KC_FRAMES_PAGES_MASK) + set->run),
		       GFP_KERNEL);
	if (xa_is_err(ret))
		return xa_err(ret);
	if (set->run_hot && !(old >> KC_FRAMES_HOT_SHIFT))
		set->hot_frames++;
	set->run = 0;
	set->run_hot = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_flush);

/*
 * Pages of one process often sit in runs inside one frame: count a run
 * aside and touch the xarray only when the frame changes.
 */
int kc_frames_add(struct kc_frame_set *set, unsigned long pfn,
		  unsigned long bytes, bool hot)
{
	unsigned long frame = kc_pfn_frame(pfn);
	unsigned long pages = bytes >> PAGE_SHIFT;
	int err;

	set->present_bytes += bytes;
	if (hot)
		set->hot_pages += pages;
	if (!set->run || set->last != frame) {
		err = kc_frames_flush(set);
		if (err)
			return err;
		if (!xa_load(&set->frames, frame))
			set->count++;
		set->last = frame;
	}
	set->run += pages;
	if (hot)
		set->run_hot += pages;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_add);

unsigned long kc_frames_pages(struct kc_frame_set *set,
			      unsigned long frame)
{
	unsigned long pages = kc_frames_stored(set, frame) &
			      KC_FRAMES_PAGES_MASK;

	if (set->run && set->last == frame)
		pages += set->run;
	return pages;
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_pages);

unsigned long kc_frames_hot(struct kc_frame_set *set, unsigned long frame)
{
	unsigned long hot = kc_frames_stored(set, frame) >> KC_FRAMES_HOT_SHIFT;

	if (set->run && set->last == frame)
		hot += set->run_hot;
	return hot;
}
EXPORT_SYMBOL_IF_KUNIT(kc_frames_hot);
