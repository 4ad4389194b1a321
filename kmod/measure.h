/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Measuring an operation's covered memory: the distinct 2 MiB frames its
 * present pages occupy and the bytes they hold (the uapi's "Frames").
 */
#ifndef _KCOLLAPSE_MEASURE_H
#define _KCOLLAPSE_MEASURE_H

#include <linux/types.h>

struct kc_frame_set;
struct kc_run;
struct kc_spans;

/*
 * Add the covered memory's frames to @set, counting the eligible VMAs
 * entered in *@regions if @regions is set and recording the populated
 * spans in @spans if it is set. Honours every stop condition between lock
 * holds. Returns 0 when complete, a stop reason (> 0) if it was stopped,
 * or -ENOMEM.
 */
int kc_measure_into(struct kc_run *run, struct kc_frame_set *set,
		    u64 *regions, struct kc_spans *spans);

/* What a measurement found (the uapi's FRAMES_*, PRESENT_*, HOT_*). */
struct kc_measured {
	u64 frames;
	u64 present_bytes;
	u64 hot_pages;
	u64 hot_frames;
};

/* The counts of a flushed (kc_frames_flush()) @set. */
void kc_measured_from(struct kc_measured *m, const struct kc_frame_set *set);

/* The same as kc_measure_into(), into @m only. */
int kc_measure(struct kc_run *run, struct kc_measured *m);

#endif /* _KCOLLAPSE_MEASURE_H */
