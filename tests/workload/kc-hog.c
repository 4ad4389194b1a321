// SPDX-License-Identifier: GPL-2.0
/*
 * kc-hog MIB: allocate MIB MiB of anonymous memory, write every page, print
 * "ready PID", then sleep until killed. For scattering and memory-pressure
 * tests; SIGTERM and SIGINT end it with status 0.
 */
#include "kc-common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t mib;
	size_t len;
	sigset_t set;
	int sig;
	uint8_t *p;

	if (argc != 2 || kc_parse_u64(argv[1], 10, &mib) || !mib ||
	    mib > (1ULL << 30)) {
		fprintf(stderr, "usage: kc-hog MIB\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	len = (size_t)mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "kc-hog: mmap %llu MiB: %s\n",
			(unsigned long long)mib, strerror(errno));
		return 1;
	}
	for (size_t off = 0; off < len; off += KC_PAGE_SIZE)
		p[off] = (uint8_t)(off / KC_PAGE_SIZE | 1);
	kc_printf(STDOUT_FILENO, "ready %d\n", (int)getpid());
	sigwait(&set, &sig);
	munmap(p, len);
	return 0;
}
