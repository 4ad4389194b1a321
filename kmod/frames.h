/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of distinct 2 MiB physical frames, how many of the target's pages
 * each holds and how many of those are hot (accessed since the last
 * clear: the uapi's "Working set"), and the bytes that fill them.
 */
#ifndef _KCOLLAPSE_FRAMES_H
#define _KCOLLAPSE_FRAMES_H

#include <linux/xarray.h>

struct kc_frame_set {
	struct xarray frames;	/* index: frame; value: kc_frames_value() */
	u64 count;		/* distinct frames */
	u64 present_bytes;	/* bytes of present pages added */
	u64 hot_pages;		/* hot pages added */
	u64 hot_frames;		/* distinct frames with a hot page, flushed */
	unsigned long last;	/* last frame added: cheap run dedupe */
	unsigned long run;	/* pages added to @last not in the xarray yet */
	unsigned long run_hot;	/* the hot ones among them */
};

void kc_frames_init(struct kc_frame_set *set);
void kc_frames_destroy(struct kc_frame_set *set);

/*
 * Add the @bytes of present memory at @pfn (a page, or a PMD-mapped
 * window), all of it hot or none of it.
 */
int kc_frames_add(struct kc_frame_set *set, unsigned long pfn,
		  unsigned long bytes, bool hot);

/* The 2 MiB frame a pfn lies in. */
static inline unsigned long kc_pfn_frame(unsigned long pfn)
{
	return pfn >> (PMD_SHIFT - PAGE_SHIFT);
}

/*
 * An entry's value: the frame's pages in the low 32 bits, its hot pages
 * above (a page KSM merged counts once per mapping, so a frame may hold
 * more than 512; not 2^31). The module is built for 64-bit only.
 */
#define KC_FRAMES_HOT_SHIFT	32
#define KC_FRAMES_PAGES_MASK	((1UL << KC_FRAMES_HOT_SHIFT) - 1)

static inline unsigned long kc_frames_entry_pages(void *entry)
{
	return xa_to_value(entry) & KC_FRAMES_PAGES_MASK;
}

static inline unsigned long kc_frames_entry_hot(void *entry)
{
	return xa_to_value(entry) >> KC_FRAMES_HOT_SHIFT;
}

/* Pages, and hot pages, counted in @frame (0 if none). */
unsigned long kc_frames_pages(struct kc_frame_set *set,
			      unsigned long frame);
unsigned long kc_frames_hot(struct kc_frame_set *set, unsigned long frame);

/*
 * Fold the pending run into the xarray, so that every entry and
 * set->hot_frames are final (for iterating, and for reading the counts).
 * Returns 0 or -ENOMEM.
 */
int kc_frames_flush(struct kc_frame_set *set);

#endif /* _KCOLLAPSE_FRAMES_H */
