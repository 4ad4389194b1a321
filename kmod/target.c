// SPDX-License-Identifier: GPL-2.0
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include "target.h"

static struct task_struct *kc_target_task(u32 nr)
{
	struct task_struct *task;
	struct pid *pid;

	if (nr > PID_MAX_LIMIT)
		return NULL;
	pid = find_get_pid(nr);
	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task;
}

struct mm_struct *kc_target_mm(u32 nr, const struct nlattr *attr,
			       struct netlink_ext_ack *extack)
{
	struct task_struct *task = kc_target_task(nr);
	struct mm_struct *mm;

	if (!task) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such process");
		return ERR_PTR(-ESRCH);
	}
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "target is a kernel thread: it has no user memory");
		return ERR_PTR(-EINVAL);
	}
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "target is exiting and has no address space");
		return ERR_PTR(-ESRCH);
	}
	/*
	 * Keep the mm_struct, not the address space: if the target exits
	 * during the operation its memory is freed as usual and mm_users
	 * drops to zero, which is how the operation notices.
	 */
	mmgrab(mm);
	mmput(mm);
	return mm;
}
