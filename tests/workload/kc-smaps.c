// SPDX-License-Identifier: GPL-2.0
/*
 * kc-smaps PID ADDR_HEX [LEN_HEX]: print "AnonHugePages_kB Rss_kB" of the
 * VMA that starts at ADDR in /proc/PID/smaps, for shell tests. With LEN,
 * the sums over every VMA lying wholly inside [ADDR, ADDR+LEN) instead (a
 * VMA split by a partial madvise still adds up). Exit status 1 if there is
 * no such VMA, 2 on bad usage.
 */
#include "kc-common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct kc_smaps_vma vma;
	uint64_t addr, len = 0;
	pid_t pid;
	int err;

	if (argc < 3 || argc > 4 || kc_parse_pid(argv[1], &pid) ||
	    kc_parse_u64(argv[2], 16, &addr) ||
	    (argc == 4 && (kc_parse_u64(argv[3], 16, &len) || !len ||
			   addr + len < addr))) {
		fprintf(stderr, "usage: kc-smaps PID|self ADDR_HEX [LEN_HEX]\n"
			"prints \"AnonHugePages_kB Rss_kB\" of the VMA starting at ADDR,\n"
			"or summed over the VMAs inside [ADDR, ADDR+LEN)\n");
		return 2;
	}
	if (len)
		err = kc_smaps_range(pid, addr, addr + len, &vma);
	else
		err = kc_smaps_lookup(pid, addr, &vma);
	if (err) {
		fprintf(stderr, "kc-smaps: /proc/%d/smaps: %s\n", (int)pid,
			err == -ENOENT ? len ? "no VMA inside that range" : "no VMA starts at that address"
				       : strerror(-err));
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", vma.anon_huge_kb, vma.rss_kb);
	return fflush(stdout) ? 1 : 0;
}
