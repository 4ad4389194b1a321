/* SPDX-License-Identifier: GPL-2.0 */
/* The COLLAPSE operation: mark, measure, collapse window by window, measure. */
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
};

/*
 * Run one COLLAPSE. Returns 0 with @st filled in (also when it stopped
 * early: see st->stop_reason) or -errno, with a message in @extack, when it
 * could not start. @pid_attr is blamed for errors about the target.
 */
int kc_collapse(const struct kc_request *req, const struct nlattr *pid_attr,
		struct kc_stats *st, struct netlink_ext_ack *extack);

#endif /* _KCOLLAPSE_COLLAPSE_H */
