/* SPDX-License-Identifier: MIT */
/*
 * The frame measurement behind kc_frames(), for the userspace engine's
 * before/after figures.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_FRAMES_H
#define KC_FRAMES_H

#include "pagemap.h"
#include "vmas.h"

/*
 * Whether to stop, asked between two bounded pieces of work (a mapping,
 * or at most KC_PM_BATCH pages of one): a stop reason (enum
 * kc_stop_reason, not KC_STOP_DONE) or 0 to go on.
 */
struct kc_stop {
	uint32_t (*check)(const void *arg);
	const void *arg;
};

/* Pages one piece of work covers: 512 KiB of pagemap entries. */
#define KC_PM_BATCH		65536

/*
 * kc_frames_measure() - kc_frames() over mappings already read: the
 * eligible @vmas clipped to [@rstart, @rend), pages found and read
 * through @pm (kc_pagemap_runs()). @stop may be NULL. Returns 0, a stop
 * reason (> 0: @out holds what was measured until then), or -errno
 * (-ESRCH: the process exited; -EPERM: PFNs hidden) with a message in
 * the per-thread slot; @out is zeroed on error.
 */
KC_HIDDEN int kc_frames_measure(const struct kc_pagemap *pm,
				const struct kc_vma_list *vmas,
				uint64_t rstart, uint64_t rend,
				const struct kc_stop *stop,
				struct kc_frames *out);

/* End of [start, start + len), len 0 or past 2^64 meaning "to the end". */
KC_HIDDEN uint64_t kc_range_end(uint64_t range_start, uint64_t range_len);

#endif /* KC_FRAMES_H */
