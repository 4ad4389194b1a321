// SPDX-License-Identifier: MIT
/*
 * Default targets (see targets.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include "targets.h"

#define KCD_PF_KTHREAD 0x00200000u
#define KCD_CGROUP_ROOT "/sys/fs/cgroup"
/* systemctl answers in milliseconds; a hung D-Bus must not hold a
 * request (and the HTTP thread) for longer than this. */
#define KCD_SYSTEMCTL_TIMEOUT_MS 2000

extern char **environ;

static int kcd_pids_add(struct kcd_pids *p, pid_t pid)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i] == pid)
			return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		pid_t *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = pid;
	return 0;
}

void kcd_pids_free(struct kcd_pids *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int kcd_comm_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n >= 1 && n <= 15 && !strchr(name, '/');
}

static void kcd_why(char *why, size_t len, const char *fmt, const char *arg)
{
	size_t used = strlen(why);

	if (used + 2 >= len)
		return;
	if (used) {
		strcpy(why + used, "; ");
		used += 2;
	}
	snprintf(why + used, len - used, fmt, arg);
}

/* Read a small file into @buf; bytes read or -1. */
static ssize_t kcd_slurp(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static pid_t kcd_parse_pid(const char *s)
{
	char *end;
	long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return errno || *end || v <= 0 || v > INT32_MAX ? 0 : (pid_t)v;
}

static pid_t kcd_pidfile(const char *path, char *why, size_t why_len)
{
	char buf[64];
	pid_t pid;

	if (kcd_slurp(path, buf, sizeof(buf)) < 0) {
		kcd_why(why, why_len, "cannot read pid file %s", path);
		return 0;
	}
	pid = kcd_parse_pid(buf);
	if (!pid)
		kcd_why(why, why_len, "no pid in %s", path);
	return pid;
}

/* Kernel threads share names with nothing we want; skip them. */
static int kcd_is_kthread(pid_t pid)
{
	char path[64], buf[512];
	unsigned long flags;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (kcd_slurp(path, buf, sizeof(buf)) < 0)
		return 1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return 1;
	return (flags & KCD_PF_KTHREAD) != 0;
}

static int kcd_comm(const char *name, struct kcd_pids *out, char *why,
		    size_t why_len)
{
	char path[64], comm[32];
	struct dirent *d;
	size_t before = out->n;
	DIR *proc;
	int err = 0;

	proc = opendir("/proc");
	if (!proc) {
		kcd_why(why, why_len, "cannot list /proc for %s", name);
		return 0;
	}
	while (!err && (d = readdir(proc))) {
		pid_t pid = kcd_parse_pid(d->d_name);
		ssize_t n;

		if (!pid || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		n = kcd_slurp(path, comm, sizeof(comm));
		if (n <= 0)
			continue;
		if (comm[n - 1] == '\n')
			comm[n - 1] = '\0';
		if (strcmp(comm, name) || kcd_is_kthread(pid))
			continue;
		err = kcd_pids_add(out, pid);
	}
	closedir(proc);
	if (!err && out->n == before)
		kcd_why(why, why_len, "no process named %s", name);
	return err;
}

/* Add @pid unless it is kcollapsed itself or a kernel thread. */
static int kcd_pids_add_user(struct kcd_pids *p, pid_t pid)
{
	if (pid == getpid() || kcd_is_kthread(pid))
		return 0;
	return kcd_pids_add(p, pid);
}

/* --target-cgroup: every process listed in PATH/cgroup.procs. */
static int kcd_cgroup(const char *dir, struct kcd_pids *out, char *why,
		      size_t why_len)
{
	char path[4096], line[32];
	size_t before = out->n;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/cgroup.procs",
		 dir[0] == '/' ? "" : KCD_CGROUP_ROOT "/", dir);
	f = fopen(path, "re");
	if (!f) {
		kcd_why(why, why_len, "cannot read %s (not a cgroup v2 "
			"directory?)", path);
		return 0;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		pid_t pid = kcd_parse_pid(line);

		if (pid)
			err = kcd_pids_add_user(out, pid);
	}
	fclose(f);
	if (!err && out->n == before)
		kcd_why(why, why_len, "no process in cgroup %s", dir);
	return err;
}

/* Read @fd until EOF or @deadline (CLOCK_MONOTONIC ms); bytes or -1. */
static ssize_t kcd_read_until(int fd, char *buf, size_t len, int64_t deadline)
{
	size_t used = 0;

	while (used + 1 < len) {
		struct timespec ts;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t now;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now >= deadline ||
		    poll(&pfd, 1, (int)(deadline - now)) <= 0)
			return -1;
		n = read(fd, buf + used, len - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return (ssize_t)used;
}

/* Run systemctl show -p MainPID --value -- UNIT; its output or -1. */
static ssize_t kcd_systemctl_mainpid(const char *unit, char *buf, size_t len)
{
	char *argv[] = { "systemctl", "show", "-p", "MainPID", "--value",
			 "--", (char *)unit, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec ts;
	sigset_t none, all;
	int pipefd[2], status;
	ssize_t n = -1;
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	/* The daemon blocks and ignores signals; systemctl must not. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	if (posix_spawnp(&child, "systemctl", &fa, &attr, argv, environ))
		child = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (child > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = kcd_read_until(pipefd[0], buf, len, (int64_t)ts.tv_sec *
				   1000 + ts.tv_nsec / 1000000 +
				   KCD_SYSTEMCTL_TIMEOUT_MS);
		if (n < 0)
			kill(child, SIGKILL);	/* ours, and stuck */
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			n = -1;
	}
	close(pipefd[0]);
	return n;
}

/* --target unit:NAME: the unit's MainPID, 0 if it has none. */
static pid_t kcd_unit(const char *unit, char *why, size_t why_len)
{
	char buf[64];
	pid_t pid;

	if (kcd_systemctl_mainpid(unit, buf, sizeof(buf)) < 0) {
		kcd_why(why, why_len, "systemctl show -p MainPID %s failed "
			"(no systemd, or a D-Bus timeout)", unit);
		return 0;
	}
	pid = kcd_parse_pid(buf);
	if (!pid)
		kcd_why(why, why_len, "unit %s has no main process (not "
			"running?)", unit);
	return pid;
}

static int kcd_resolve_one(const struct kcd_target_spec *t,
			   struct kcd_pids *out, char *why, size_t why_len)
{
	pid_t pid;

	switch (t->kind) {
	case KCD_TARGET_PID:
		return kcd_pids_add(out, t->pid);
	case KCD_TARGET_PIDFILE:
		pid = kcd_pidfile(t->arg, why, why_len);
		return pid ? kcd_pids_add(out, pid) : 0;
	case KCD_TARGET_COMM:
		return kcd_comm(t->arg, out, why, why_len);
	case KCD_TARGET_UNIT:
		pid = kcd_unit(t->arg, why, why_len);
		return pid ? kcd_pids_add(out, pid) : 0;
	case KCD_TARGET_CGROUP:
		return kcd_cgroup(t->arg, out, why, why_len);
	}
	return 0;
}

int kcd_targets_resolve(const struct kcd_target_spec *specs, size_t n,
			struct kcd_pids *out, char *why, size_t why_len)
{
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (why_len)
		why[0] = '\0';
	for (i = 0; i < n && !err; i++)
		err = kcd_resolve_one(&specs[i], out, why, why_len);
	return err;
}

/* A unit name systemctl takes as one: no white space, no control bytes. */
static int kcd_unit_valid(const char *s)
{
	if (!*s || *s == '-' || strlen(s) > 255)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int kcd_target_parse(const char *s, struct kcd_target_spec *t, char *why,
		     size_t why_len)
{
	memset(t, 0, sizeof(*t));
	if (!strncmp(s, "pidfile:", 8) && s[8]) {
		t->kind = KCD_TARGET_PIDFILE;
		t->arg = s + 8;
		return 0;
	}
	if (!strncmp(s, "comm:", 5)) {
		t->kind = KCD_TARGET_COMM;
		t->arg = s + 5;
		if (kcd_comm_valid(t->arg))
			return 0;
		snprintf(why, why_len, "a process name is 1..15 bytes, no '/'");
		return -EINVAL;
	}
	if (!strncmp(s, "unit:", 5)) {
		t->kind = KCD_TARGET_UNIT;
		t->arg = s + 5;
		if (kcd_unit_valid(t->arg))
			return 0;
		snprintf(why, why_len, "not a unit name");
		return -EINVAL;
	}
	t->kind = KCD_TARGET_PID;
	t->pid = kcd_parse_pid(s);
	if (t->pid && !strchr(s, ' '))
		return 0;
	snprintf(why, why_len, "expected a pid, pidfile:PATH, comm:NAME or "
		 "unit:NAME");
	return -EINVAL;
}

void kcd_target_describe(const struct kcd_target_spec *t, char *buf,
			 size_t len)
{
	static const char *const kinds[] = {
		[KCD_TARGET_PID] = "pid", [KCD_TARGET_PIDFILE] = "pidfile",
		[KCD_TARGET_COMM] = "comm", [KCD_TARGET_UNIT] = "unit",
		[KCD_TARGET_CGROUP] = "cgroup",
	};

	if (t->kind == KCD_TARGET_PID)
		snprintf(buf, len, "pid:%d", (int)t->pid);
	else
		snprintf(buf, len, "%s:%s", kinds[t->kind], t->arg);
}
