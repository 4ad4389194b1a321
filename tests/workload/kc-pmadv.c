// SPDX-License-Identifier: GPL-2.0
/*
 * kc-pmadv [-w] PID ADDR_HEX LEN_HEX: MADV_COLLAPSE another process's range
 * with process_madvise(2), the way kcollapse's userspace fallback does.
 *
 * Prints "errno N NAME advised=0xBYTES" (N 0 and NAME OK on success). With
 * -w, one call per 2 MiB window inside the range, each printed as
 * "window 0xADDR errno N NAME", then the summary line with the first error.
 * Exit status 0 on success, 1 if a call failed, 2 on bad usage.
 */
#include "kc-common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static int pmadv(int pidfd, uint64_t addr, uint64_t len, uint64_t *done)
{
	struct iovec iov = { (void *)(uintptr_t)addr, (size_t)len };
	long n = syscall(SYS_process_madvise, pidfd, &iov, 1UL, MADV_COLLAPSE,
			 0U);

	if (n < 0)
		return errno;
	*done += (uint64_t)n;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t addr, len, done = 0;
	int per_window = 0, err = 0, pidfd;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		per_window = 1;
		argv++;
		argc--;
	}
	if (argc != 4 || kc_parse_pid(argv[1], &pid) ||
	    kc_parse_u64(argv[2], 16, &addr) || kc_parse_u64(argv[3], 16, &len)) {
		fprintf(stderr, "usage: kc-pmadv [-w] PID ADDR_HEX LEN_HEX\n");
		return 2;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0U);
	if (pidfd < 0) {
		err = errno;
		fprintf(stderr, "kc-pmadv: pidfd_open(%d): %s\n", (int)pid,
			strerror(err));
		printf("errno %d %s advised=0x0\n", err, kc_errname(err));
		return 1;
	}
	if (!per_window) {
		err = pmadv(pidfd, addr, len, &done);
	} else {
		uint64_t w = (addr + KC_WIN_SIZE - 1) & ~(KC_WIN_SIZE - 1);

		for (; w + KC_WIN_SIZE <= addr + len; w += KC_WIN_SIZE) {
			int e = pmadv(pidfd, w, KC_WIN_SIZE, &done);

			printf("window 0x%llx errno %d %s\n",
			       (unsigned long long)w, e, kc_errname(e));
			err = err ? err : e;
		}
	}
	close(pidfd);
	printf("errno %d %s advised=0x%llx\n", err, kc_errname(err),
	       (unsigned long long)done);
	fflush(stdout);
	return err ? 1 : 0;
}
