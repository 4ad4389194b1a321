// SPDX-License-Identifier: GPL-2.0
/*
 * SIGURG: the in-process method kcollapse is measured against (the agent's
 * own POST /collapse): walk /proc/self/maps and, for every private
 * anonymous read-write mapping, MADV_HUGEPAGE it, then MADV_COLLAPSE every
 * 2 MiB window inside it, empty ones included; every failure counts as
 * skipped. Prints "inprocess ok regions=R chunks=C collapsed=N skipped=S
 * elapsedNs=T" (make demo compares it with the module's modes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "kc-common.h"
#include "layout.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define WIN (2ULL << 20)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A mapping the method covers: private, rw, no file ([heap], [anon:...]). */
static int anon_rw(const char *perms, const char *path)
{
	if (strncmp(perms, "rw", 2) || perms[3] != 'p')
		return 0;
	return !*path || !strcmp(path, "[heap]") || !strncmp(path, "[anon:", 6);
}

int wl_in_process_collapse(int fd)
{
	uint64_t regions = 0, chunks = 0, collapsed = 0, t0 = mono_ns();
	unsigned long long start, end;
	char line[512], perms[8], path[256];
	FILE *maps = fopen("/proc/self/maps", "re");

	if (!maps)
		return kc_printf(fd, "inprocess FAIL /proc/self/maps: %s\n",
				 strerror(errno));
	while (fgets(line, sizeof(line), maps)) {
		uint64_t w;

		path[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %255[^\n]", &start,
			   &end, perms, path) < 3 || !anon_rw(perms, path))
			continue;
		regions++;
		madvise((void *)(uintptr_t)start, end - start, MADV_HUGEPAGE);
		for (w = (start + WIN - 1) & ~(WIN - 1); w + WIN <= end; w += WIN) {
			chunks++;
			if (!madvise((void *)(uintptr_t)w, WIN, MADV_COLLAPSE))
				collapsed++;
		}
	}
	fclose(maps);
	return kc_printf(fd, "inprocess ok regions=%" PRIu64 " chunks=%" PRIu64
			 " collapsed=%" PRIu64 " skipped=%" PRIu64
			 " elapsedNs=%" PRIu64 "\n", regions, chunks, collapsed,
			 chunks - collapsed, mono_ns() - t0);
}
