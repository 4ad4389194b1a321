// SPDX-License-Identifier: MIT
/*
 * kc-walltime CMD [ARGS...]: run CMD, then print "walltime_us=N" (the
 * wall time from fork to exit, CLOCK_MONOTONIC) on stderr and exit with
 * CMD's status. The guest's busybox has no sub-second clock.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <stdio.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main(int argc, char *argv[])
{
	uint64_t t0;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: kc-walltime CMD [ARGS...]\n");
		return 2;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("kc-walltime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("kc-walltime: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("kc-walltime: waitpid");
		return 2;
	}
	fprintf(stderr, "walltime_us=%llu\n", (unsigned long long)(now_us() - t0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
