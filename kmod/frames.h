/* SPDX-License-Identifier: GPL-2.0 */
/* A set of distinct 2 MiB physical frames, and the bytes that fill them. */
#ifndef _KCOLLAPSE_FRAMES_H
#define _KCOLLAPSE_FRAMES_H

#include <linux/xarray.h>

struct kc_frame_set {
	struct xarray frames;	/* index: pfn >> (PMD_SHIFT - PAGE_SHIFT) */
	u64 count;		/* distinct frames */
	u64 present_bytes;	/* bytes of present pages added */
	unsigned long last;	/* last frame added: cheap run dedupe */
	bool have_last;
};

void kc_frames_init(struct kc_frame_set *set);
void kc_frames_destroy(struct kc_frame_set *set);
int kc_frames_add(struct kc_frame_set *set, unsigned long pfn,
		  unsigned long bytes);

#endif /* _KCOLLAPSE_FRAMES_H */
