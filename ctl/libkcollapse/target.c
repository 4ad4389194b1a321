// SPDX-License-Identifier: MIT
/*
 * The target process of a userspace collapse.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/capability.h>

#include "target.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define KC_PF_KTHREAD 0x00200000u	/* include/linux/sched.h */

/* Read all of a small /proc file into @buf (NUL-terminated). */
static int kc_read_proc(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			kc_set_error(NULL, "no such process: %d", (int)pid);
			return -ESRCH;
		}
		kc_set_error(NULL, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		/* The process went away between open and read. */
		kc_set_error(NULL, "no such process: %d", (int)pid);
		return -ESRCH;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * From /proc/PID/stat: the state and the flags (fields 3 and 9), found
 * after the last ')' since the command name may hold anything.
 */
static int kc_read_stat(pid_t pid, char *state, unsigned int *flags)
{
	char buf[1024];
	const char *p;
	unsigned long f;
	int err;

	err = kc_read_proc(pid, "stat", buf, sizeof(buf));
	if (err < 0)
		return err;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", state, &f) != 2) {
		kc_set_error(NULL, "cannot parse /proc/%d/stat", (int)pid);
		return -EIO;
	}
	*flags = (unsigned int)f;
	return 0;
}

/*
 * The number after "\nNAME:" in /proc/PID/status: 0, -ENOENT if the
 * line is not there (an older kernel), -ESRCH or -errno.
 */
static int kc_status_field(pid_t pid, const char *name, int *v)
{
	char buf[8192], key[32];
	const char *p;
	int err;

	err = kc_read_proc(pid, "status", buf, sizeof(buf));
	if (err < 0)
		return err;
	snprintf(key, sizeof(key), "\n%s:", name);
	p = strstr(buf, key);
	if (!p)
		return -ENOENT;
	if (sscanf(p + strlen(key), "%d", v) != 1) {
		kc_set_error(NULL, "cannot parse /proc/%d/status", (int)pid);
		return -EIO;
	}
	return 0;
}

int kc_target_tgid(pid_t pid, pid_t *tgid)
{
	int err, v;

	err = kc_status_field(pid, "Tgid", &v);
	if (!err && v <= 0)
		err = -ENOENT;
	if (err == -ENOENT) {
		kc_set_error(NULL, "cannot parse /proc/%d/status", (int)pid);
		err = -EIO;
	}
	if (err < 0)
		return err;
	*tgid = v;
	return 0;
}

int kc_target_thp_disabled(const struct kc_target *t, bool *disabled)
{
	int err, v;

	err = kc_status_field(t->tgid, "THP_enabled", &v);
	/* Linux < 5.0 does not say: PR_SET_THP_DISABLE is not seen. */
	if (err == -ENOENT) {
		*disabled = false;
		return 0;
	}
	if (err < 0)
		return err;
	*disabled = !v;
	return 0;
}

int kc_target_open(pid_t pid, struct kc_target *t)
{
	unsigned int flags;
	char state;
	int err;

	t->pid = pid;
	t->pidfd = -1;
	err = kc_target_tgid(pid, &t->tgid);
	if (err < 0)
		return err;
	err = kc_read_stat(t->tgid, &state, &flags);
	if (err < 0)
		return err;
	if (flags & KC_PF_KTHREAD) {
		kc_set_error(NULL, "pid %d is a kernel thread: it has no user "
			     "memory to collapse", (int)pid);
		return -EINVAL;
	}
	if (state == 'Z' || state == 'X') {
		kc_set_error(NULL, "process %d has no address space (exiting "
			     "or a zombie)", (int)pid);
		return -ESRCH;
	}
	t->pidfd = (int)syscall(SYS_pidfd_open, t->tgid, 0U);
	if (t->pidfd >= 0)
		return 0;
	err = -errno;
	if (err == -ENOSYS) {
		kc_set_error(NULL, "pidfd_open() is missing (Linux 5.3+ needed)");
		return -EOPNOTSUPP;
	}
	if (err == -ESRCH)
		kc_set_error(NULL, "no such process: %d", (int)pid);
	else
		kc_set_error(NULL, "pidfd_open(%d): %s", (int)t->tgid,
			     strerror(-err));
	return err;
}

void kc_target_close(struct kc_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}

bool kc_target_exited(const struct kc_target *t)
{
	struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

static long kc_process_madvise(int pidfd, uint64_t addr, uint64_t len)
{
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)addr,
		.iov_len = (size_t)len,
	};

	return syscall(SYS_process_madvise, pidfd, &iov, 1UL, MADV_COLLAPSE,
		       0U);
}

int kc_target_probe(const struct kc_target *t)
{
	int err;

	if (kc_process_madvise(t->pidfd, 0, 0) >= 0)
		return 0;
	err = -errno;
	switch (err) {
	case -ENOSYS:
	case -EINVAL:
		kc_set_error(NULL, "this kernel's process_madvise() does not "
			     "accept MADV_COLLAPSE (Linux 6.1+ needed)");
		return -EOPNOTSUPP;
	case -EPERM:
	case -EACCES:
		if (kc_has_cap(CAP_SYS_NICE))
			kc_set_error(NULL, "process_madvise() on pid %d "
				     "refused: ptrace read access to it is "
				     "needed", (int)t->pid);
		else
			kc_set_error(NULL, "process_madvise() on pid %d "
				     "refused: CAP_SYS_NICE is needed",
				     (int)t->pid);
		return -EPERM;
	case -ESRCH:
		kc_set_error(NULL, "process %d has no address space (exiting "
			     "or a zombie)", (int)t->pid);
		return -ESRCH;
	default:
		kc_set_error(NULL, "process_madvise(): %s", strerror(-err));
		return err;
	}
}

int kc_target_collapse(const struct kc_target *t, uint64_t addr, uint64_t len)
{
	long n;

	do
		n = kc_process_madvise(t->pidfd, addr, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

bool kc_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}
