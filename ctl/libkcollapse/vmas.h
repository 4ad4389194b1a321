/* SPDX-License-Identifier: MIT */
/*
 * The mappings kcollapse considers, read from /proc/PID/smaps: the same
 * selection for the frame measurement and for the userspace engine.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_VMAS_H
#define KC_VMAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

/* One eligible mapping, whole (not clipped to any range). */
struct kc_vma {
	uint64_t start;
	uint64_t end;
	uint64_t anon_huge_bytes;	/* smaps AnonHugePages: PMD-mapped THP */
	bool nohugepage;		/* VM_NOHUGEPAGE: opted out of THP */
	bool hugepage;			/* VM_HUGEPAGE: MADV_HUGEPAGE given */
};

struct kc_vma_list {
	struct kc_vma *v;
	size_t n;
	size_t cap;
};

/*
 * kc_vmas_read() - the eligible mappings of @pid in address order: private,
 * readable and writable, not backed by a file (anonymous, [heap] or
 * [anon:NAME]), and by their VmFlags not shared, I/O, PFN- or mixed-mapped,
 * hugetlb, a stack or a special mapping (what the module's
 * kc_vma_eligible() accepts); VM_NOHUGEPAGE ones included, flagged. Returns 0 or -errno (-ESRCH: no such
 * process), with a message in the per-thread slot. Free with
 * kc_vmas_free() in either case.
 */
KC_HIDDEN int kc_vmas_read(pid_t pid, struct kc_vma_list *out);
KC_HIDDEN void kc_vmas_free(struct kc_vma_list *l);

/* The part of [start, end) inside [rstart, rend), page aligned; 0 if none. */
KC_HIDDEN int kc_clip(uint64_t start, uint64_t end, uint64_t rstart,
		      uint64_t rend, uint64_t page_size, uint64_t *s,
		      uint64_t *e);

/*
 * The 2 MiB-aligned windows fully inside [s, e): [*ws, *we), empty
 * (*ws == *we) when there is none.
 */
KC_HIDDEN void kc_windows(uint64_t s, uint64_t e, uint64_t *ws, uint64_t *we);

#endif /* KC_VMAS_H */
