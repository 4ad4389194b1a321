/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The COLLAPSE operation: mark, measure, collapse (or pack) window by
 * window, measure.
 */
#ifndef _KCOLLAPSE_COLLAPSE_H
#define _KCOLLAPSE_COLLAPSE_H

#include <net/netlink.h>
#include "stats.h"

struct kc_request {
	u32 pid;
	unsigned long start;	/* covered range [start, end) */
	unsigned long end;
	u32 deadline_ms;	/* 0: none */
	u32 min_fill;		/* 1..KC_WINDOW_PAGES */
	bool mark_hugepage;
	bool dry_run;
	u32 mode;		/* enum kcollapse_mode */
	u32 auto_threshold;	/* 1..KC_WINDOW_PAGES, AUTO mode only */
};

struct kc_run;

/*
 * Run one COLLAPSE. Returns 0 with @st filled in (also when it stopped
 * early: see st->stop_reason) or -errno, with a message in @extack, when it
 * could not start. @pid_attr is blamed for errors about the target.
 */
int kc_collapse(const struct kc_request *req, const struct nlattr *pid_attr,
		struct kc_stats *st, struct netlink_ext_ack *extack);

/*
 * The outcome of one window of class @class at @win, collapsing it if it
 * is a candidate (not in a dry run). Call with the address space pinned
 * (kc_run_lock()) but not locked: the collapse path takes the lock itself.
 */
enum kc_outcome kc_collapse_window(struct kc_run *run,
				   enum kc_window_class class,
				   unsigned long win);

#endif /* _KCOLLAPSE_COLLAPSE_H */
