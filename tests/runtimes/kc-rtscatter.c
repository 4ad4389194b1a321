// SPDX-License-Identifier: GPL-2.0
/*
 * kc-rtscatter MIB: scatter the guest's free memory the way a long-lived
 * guest's is, before a runtime test target starts. Maps and writes MIB MiB,
 * then frees three pages of every four (chosen by a hash, so the holes are
 * mostly single pages), prints "ready PID" and holds the rest until killed.
 * A target started meanwhile gets its pages from those holes, spread over
 * many 2 MiB frames, instead of from the fresh contiguous memory a just
 * booted guest hands out in order. Exit 1 on error, 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len, i, page = 4096;
	unsigned long mib;
	char *end, *p;

	if (argc != 2 || !(mib = strtoul(argv[1], &end, 10)) || *end || mib > 65536) {
		fprintf(stderr, "usage: kc-rtscatter MIB\n");
		return 2;
	}
	len = mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, len, MADV_NOHUGEPAGE)) {
		perror("kc-rtscatter: mmap");
		return 1;
	}
	for (i = 0; i < len; i += page)
		p[i] = 1;
	for (i = 0; i < len / page; i++) {
		uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ULL;

		if ((h >> 40) % 4 && madvise(p + i * page, page, MADV_DONTNEED)) {
			perror("kc-rtscatter: madvise");
			return 1;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
