/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One COLLAPSE command, any mode: mark, measure, work window by window
 * (collapse.c) or batch by batch (pack.c), measure again.
 */
#ifndef _KCOLLAPSE_OPERATION_H
#define _KCOLLAPSE_OPERATION_H

#include <net/netlink.h>
#include "request.h"
#include "stats.h"

/*
 * Run one COLLAPSE. Returns 0 with @st filled in (also when it stopped
 * early: see st->stop_reason) or -errno, with a message in @extack, when it
 * could not start. @pid_attr is blamed for errors about the target.
 */
int kc_operation_run(const struct kc_request *req,
		     const struct nlattr *pid_attr, struct kc_stats *st,
		     struct netlink_ext_ack *extack);

#endif /* _KCOLLAPSE_OPERATION_H */
