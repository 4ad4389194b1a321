// SPDX-License-Identifier: GPL-2.0
/*
 * kc-pageflags PID ADDR_HEX LEN_HEX: for the present pages of PID in
 * [ADDR, ADDR+LEN), print "present=N mlocked=N unevictable=N": how many
 * there are and how many of them the kernel marks PG_mlocked and
 * unevictable (/proc/kpageflags, Documentation/admin-guide/mm/pagemap.rst).
 * Shows that pages moved out of mlock(2)ed memory are still locked. Root
 * only (page frame numbers). Exit status 1 on an error, 2 on bad usage.
 */
#include "kc-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KPF_UNEVICTABLE	18
#define KPF_MLOCKED	33
#define BATCH		512

int main(int argc, char **argv)
{
	uint64_t addr, len, ent[BATCH], flags, present = 0, mlocked = 0,
		 unevictable = 0;
	int pm, kpf;
	pid_t pid;

	if (argc != 4 || kc_parse_pid(argv[1], &pid) ||
	    kc_parse_u64(argv[2], 16, &addr) || kc_parse_u64(argv[3], 16, &len) ||
	    addr % KC_PAGE_SIZE || len % KC_PAGE_SIZE || addr + len < addr) {
		fprintf(stderr, "usage: kc-pageflags PID ADDR_HEX LEN_HEX (page aligned)\n");
		return 2;
	}
	pm = kc_pagemap_open(pid);
	if (pm < 0) {
		fprintf(stderr, "kc-pageflags: pagemap of %d: %s\n", (int)pid,
			strerror(-pm));
		return 1;
	}
	kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (kpf < 0) {
		fprintf(stderr, "kc-pageflags: /proc/kpageflags: %s\n",
			strerror(errno));
		return 1;
	}
	for (uint64_t a = addr; a < addr + len; a += BATCH * KC_PAGE_SIZE) {
		size_t n = (addr + len - a) / KC_PAGE_SIZE;
		int err;

		n = n < BATCH ? n : BATCH;
		err = kc_pagemap_read(pm, a, n, ent);
		if (err) {
			fprintf(stderr, "kc-pageflags: pagemap: %s\n",
				strerror(-err));
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t pfn = ent[i] & KC_PM_PFN_MASK;

			if (!(ent[i] & KC_PM_PRESENT))
				continue;
			if (!pfn) {
				fprintf(stderr, "kc-pageflags: no page frame numbers: run as root\n");
				return 1;
			}
			if (pread(kpf, &flags, sizeof(flags),
				  (off_t)(pfn * sizeof(flags))) != sizeof(flags)) {
				fprintf(stderr, "kc-pageflags: kpageflags of pfn 0x%llx: %s\n",
					(unsigned long long)pfn, strerror(errno));
				return 1;
			}
			present++;
			mlocked += (flags >> KPF_MLOCKED) & 1;
			unevictable += (flags >> KPF_UNEVICTABLE) & 1;
		}
	}
	printf("present=%llu mlocked=%llu unevictable=%llu\n",
	       (unsigned long long)present, (unsigned long long)mlocked,
	       (unsigned long long)unevictable);
	return 0;
}
