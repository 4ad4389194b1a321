/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of distinct 2 MiB physical frames, how many of the target's pages
 * each holds, and the bytes that fill them.
 */
#ifndef _KCOLLAPSE_FRAMES_H
#define _KCOLLAPSE_FRAMES_H

#include <linux/xarray.h>

struct kc_frame_set {
	struct xarray frames;	/* index: frame; value: pages counted there */
	u64 count;		/* distinct frames */
	u64 present_bytes;	/* bytes of present pages added */
	unsigned long last;	/* last frame added: cheap run dedupe */
	unsigned long run;	/* pages added to @last not in the xarray yet */
};

void kc_frames_init(struct kc_frame_set *set);
void kc_frames_destroy(struct kc_frame_set *set);
int kc_frames_add(struct kc_frame_set *set, unsigned long pfn,
		  unsigned long bytes);

/* The 2 MiB frame a pfn lies in. */
static inline unsigned long kc_pfn_frame(unsigned long pfn)
{
	return pfn >> (PMD_SHIFT - PAGE_SHIFT);
}

/* Pages counted in @frame (0 if none). */
unsigned long kc_frames_pages(struct kc_frame_set *set,
			      unsigned long frame);

/*
 * Fold the pending run into the xarray, so that every entry is final
 * (for iterating). Returns 0 or -ENOMEM.
 */
int kc_frames_flush(struct kc_frame_set *set);

#endif /* _KCOLLAPSE_FRAMES_H */
