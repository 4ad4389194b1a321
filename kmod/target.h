/* SPDX-License-Identifier: GPL-2.0 */
/* From a pid number in the caller's namespace to the target's mm. */
#ifndef _KCOLLAPSE_TARGET_H
#define _KCOLLAPSE_TARGET_H

#include <linux/mm_types.h>
#include <net/netlink.h>

/*
 * The mm of process @nr with mmgrab() held (release with mmdrop()), or an
 * ERR_PTR: -ESRCH no such process or no address space left, -EINVAL a
 * kernel thread. @attr is the attribute to blame in the extended ACK.
 */
struct mm_struct *kc_target_mm(u32 nr, const struct nlattr *attr,
			       struct netlink_ext_ack *extack);

#endif /* _KCOLLAPSE_TARGET_H */
