// SPDX-License-Identifier: GPL-2.0
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include "compat.h"
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

/* The task @t names, with a reference, or an ERR_PTR said in @extack. */
static struct task_struct *kc_target_find(struct kc_target *t,
					  struct netlink_ext_ack *extack)
{
	struct task_struct *task;

	if (t->pidfd < 0) {
		task = kc_target_task(t->pid);
		if (!task) {
			NL_SET_ERR_MSG_ATTR(extack, t->pid_attr,
					    "no such process");
			return ERR_PTR(-ESRCH);
		}
		return task;
	}
	task = kc_pidfd_task(t->pidfd);
	if (IS_ERR(task)) {
		if (PTR_ERR(task) == -ESRCH)
			NL_SET_ERR_MSG_ATTR(extack, t->pidfd_attr,
					    "the pidfd's process has exited");
		else if (PTR_ERR(task) == -EOPNOTSUPP)
			NL_SET_ERR_MSG_ATTR(extack, t->pidfd_attr,
					    "pidfd targets are unavailable on this kernel (see GET_INFO); name the target by pid");
		else
			NL_SET_ERR_MSG_ATTR(extack, t->pidfd_attr,
					    "not a pidfd of the caller's");
		return task;
	}
	/* Both given: the pid must be the pidfd's process (or one of its threads). */
	if (t->pid_attr && task_tgid_vnr(task) != t->pid &&
	    task_pid_vnr(task) != t->pid) {
		put_task_struct(task);
		NL_SET_ERR_MSG_ATTR(extack, t->pid_attr,
				    "the pid and the pidfd name different processes");
		return ERR_PTR(-EINVAL);
	}
	t->pid = task_tgid_vnr(task);
	return task;
}

struct mm_struct *kc_target_mm(struct kc_target *t,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *attr = t->pidfd < 0 ? t->pid_attr : t->pidfd_attr;
	struct task_struct *task = kc_target_find(t, extack);
	struct mm_struct *mm;

	if (IS_ERR(task))
		return ERR_CAST(task);
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "target is a kernel thread: it has no user memory");
		return ERR_PTR(-EINVAL);
	}
	/* As process_madvise(): the ptrace rules, Yama and LSMs decide. */
	mm = kc_access_mm(task);
	put_task_struct(task);
	if (IS_ERR(mm)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "access to the target refused (ptrace rules, Yama or an LSM, as for process_madvise)");
		return ERR_PTR(PTR_ERR(mm) == -EPERM ? -EACCES : PTR_ERR(mm));
	}
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
