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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets.h"

#define KCD_PF_KTHREAD 0x00200000u

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

int kcd_targets_resolve(const struct kcd_target_spec *specs, size_t n,
			struct kcd_pids *out, char *why, size_t why_len)
{
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (why_len)
		why[0] = '\0';
	for (i = 0; i < n && !err; i++) {
		pid_t pid;

		switch (specs[i].kind) {
		case KCD_TARGET_PID:
			err = kcd_pids_add(out, specs[i].pid);
			break;
		case KCD_TARGET_PIDFILE:
			pid = kcd_pidfile(specs[i].arg, why, why_len);
			if (pid)
				err = kcd_pids_add(out, pid);
			break;
		case KCD_TARGET_COMM:
			err = kcd_comm(specs[i].arg, out, why, why_len);
			break;
		}
	}
	return err;
}
