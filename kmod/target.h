/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a pid number in the caller's namespace, or a pidfd, to the
 * target's mm, with the access check process_madvise() applies.
 */
#ifndef _KCOLLAPSE_TARGET_H
#define _KCOLLAPSE_TARGET_H

#include <linux/mm_types.h>
#include <net/netlink.h>

struct kc_target {
	u32 pid;			/* set from the pidfd if there is one */
	int pidfd;			/* -1: none */
	const struct nlattr *pid_attr;	/* to blame in the extended ACK */
	const struct nlattr *pidfd_attr;
};

/*
 * The target's mm with mmgrab() held (release with mmdrop()), or an
 * ERR_PTR said in @extack: -ESRCH no such process (or it exited) or no
 * address space left, -EINVAL a kernel thread or a pid and a pidfd that
 * disagree, -EBADF not a pidfd, -EACCES refused by the access check,
 * -EOPNOTSUPP pidfds unavailable here.
 */
struct mm_struct *kc_target_mm(struct kc_target *t,
			       struct netlink_ext_ack *extack);

#endif /* _KCOLLAPSE_TARGET_H */
