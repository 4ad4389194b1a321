/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Operations in flight: at most one per target address space, a bounded
 * number in total, each told to stop by CANCEL or by module unload.
 */
#ifndef _KCOLLAPSE_OPS_H
#define _KCOLLAPSE_OPS_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <net/netlink.h>

struct kc_inflight {
	struct list_head node;
	struct mm_struct *mm;	/* the target; the caller holds mmgrab() */
	int stop;		/* 0 or a KCOLLAPSE_STOP_* set by others */
	u32 caller_portid;	/* the socket waiting for the result, or 0 */
	bool caller_gone;	/* ... was closed */
};

int kc_ops_begin(struct kc_inflight *op, struct netlink_ext_ack *extack);
void kc_ops_end(struct kc_inflight *op);
int kc_ops_stop_requested(const struct kc_inflight *op);
unsigned int kc_ops_cancel(const struct mm_struct *mm);
unsigned int kc_ops_in_flight(void);
/* The netlink socket @portid was closed: its waited-for operations stop. */
void kc_ops_caller_gone(u32 portid);
/* Refuse new operations and tell running ones to stop. */
void kc_ops_shutdown(void);
/* After kc_ops_shutdown(): wait until every operation has ended. */
void kc_ops_wait_idle(void);

#endif /* _KCOLLAPSE_OPS_H */
