/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Testing aids, for the guest tests only: files in debugfs, not module
 * parameters (those are what an operator sees in modinfo and sets at
 * load). All off by default; with them off the module behaves exactly as
 * without them.
 *
 *   /sys/kernel/debug/kcollapse/window_delay_us
 *	sleep this long between windows and between pack batches, so that
 *	tests which interrupt a running operation (cancel, kill, exit,
 *	unload) do not race its end
 *   /sys/kernel/debug/kcollapse/pack_alloc_fail
 *	every 2 MiB destination block allocation of pack mode fails, as
 *	when no free block is left
 *   /sys/kernel/debug/kcollapse/pack_alloc_locked_fail
 *	those made while the target's mmap lock is held fail, as when no
 *	block is free without reclaim: every block is then allocated after
 *	the hold
 *   /sys/kernel/debug/kcollapse/assume_ibt
 *	writing 1 vets the collapse entry point again as if IBT were
 *	enforced (the refusal path); 0 vets it as the CPU says
 */
#ifndef _KCOLLAPSE_TESTING_H
#define _KCOLLAPSE_TESTING_H

#include <linux/compiler.h>
#include <linux/types.h>

struct kc_testing {
	u32 window_delay_us;
	bool pack_alloc_fail;
	bool pack_alloc_locked_fail;
	bool assume_ibt;
};

extern struct kc_testing kc_testing;

/* The debugfs files; a debugfs that is missing or fails is not an error. */
void kc_testing_init(void);
void kc_testing_exit(void);

#endif /* _KCOLLAPSE_TESTING_H */
