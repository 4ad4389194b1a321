// SPDX-License-Identifier: GPL-2.0
/*
 * kc-rtframes PID: where a process's private anonymous memory lies, counted
 * from /proc/PID/smaps and pagemap alone (no module), for the runtime tests:
 *
 *   regions=R nohuge=N pages=P frames=F windows=W edge_pages=E edge_frames=X
 *
 * Covered: the mappings the module covers (private, anonymous, readable and
 * writable, not special, not a stack), VM_NOHUGEPAGE ones included. pages:
 * present pages, the shared zero page excluded; frames: distinct 2 MiB
 * physical frames (PFN >> 9) holding them; windows: 2 MiB virtual windows
 * lying wholly inside one mapping with at least one such page (what a
 * collapse can turn into one frame each); edge_pages/edge_frames: the pages
 * outside such windows and the frames holding them (no collapse moves
 * them). Root only (PFNs). Exit 1 on error, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE		4096ULL
#define WIN		(2ULL << 20)
#define PM_PRESENT	(1ULL << 63)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN		((1ULL << 55) - 1)
#define KPF_ZERO_PAGE	(1ULL << 24)

struct set {
	uint64_t *v;
	size_t n, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "kc-rtframes: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_add(struct set *s, uint64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc");
	}
	s->v[s->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t set_distinct(struct set *s)
{
	uint64_t n = 0;
	size_t i;

	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 0; i < s->n; i++)
		n += !i || s->v[i] != s->v[i - 1];
	return n;
}

/* The zero page is mapped by many: only pages not exclusively mapped are
 * looked up in kpageflags. */
static int is_zero_page(int kpf, uint64_t pfn)
{
	uint64_t flags;

	if (pread(kpf, &flags, sizeof(flags), pfn * 8) != sizeof(flags))
		die("/proc/kpageflags");
	return !!(flags & KPF_ZERO_PAGE);
}

struct counts {
	uint64_t regions, nohuge, pages, windows, edge_pages;
	struct set frames, edge_frames;
};

/* Count the present pages of the mapping [start, end). */
static void scan(int pm, int kpf, uint64_t start, uint64_t end, struct counts *c)
{
	uint64_t ent[512], w, first_win = (start + WIN - 1) & ~(WIN - 1);
	uint64_t last_win = end & ~(WIN - 1);

	for (w = start & ~(WIN - 1); w < end; w += WIN) {
		uint64_t lo = w < start ? start : w, hi = w + WIN > end ? end : w + WIN;
		size_t n = (hi - lo) / PAGE, i;
		int whole = w >= first_win && w + WIN <= last_win, live = 0;

		if (pread(pm, ent, n * 8, lo / PAGE * 8) != (ssize_t)(n * 8))
			die("pagemap");
		for (i = 0; i < n; i++) {
			uint64_t pfn = ent[i] & PM_PFN;

			if (!(ent[i] & PM_PRESENT) ||
			    (!(ent[i] & PM_EXCLUSIVE) && is_zero_page(kpf, pfn)))
				continue;
			c->pages++;
			set_add(&c->frames, pfn >> 9);
			if (whole) {
				live = 1;
			} else {
				c->edge_pages++;
				set_add(&c->edge_frames, pfn >> 9);
			}
		}
		c->windows += live;
	}
}

/* "start-end perms offset dev inode [path]": private anonymous rw? */
static int anon_rw(const char *line, uint64_t *start, uint64_t *end)
{
	char perms[8], path[256] = "";
	unsigned long long s, e, inode;

	if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %255s", &s, &e, perms, &inode, path) < 4)
		return 0;
	*start = s;
	*end = e;
	if (strncmp(perms, "rw", 2) || perms[3] != 'p' || inode)
		return 0;
	return !path[0] || !strcmp(path, "[heap]") || !strncmp(path, "[anon:", 6);
}

int main(int argc, char **argv)
{
	char buf[1024], path[64];
	struct counts c = { 0 };
	uint64_t start = 0, end = 0;
	int pm, kpf, pending = 0;
	FILE *smaps;
	char *end_pid;
	long pid;

	if (argc != 2 || (pid = strtol(argv[1], &end_pid, 10)) <= 0 || *end_pid) {
		fprintf(stderr, "usage: kc-rtframes PID\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%ld/smaps", pid);
	smaps = fopen(path, "r");
	if (!smaps)
		die(path);
	snprintf(path, sizeof(path), "/proc/%ld/pagemap", pid);
	pm = open(path, O_RDONLY);
	if (pm < 0)
		die(path);
	kpf = open("/proc/kpageflags", O_RDONLY);
	if (kpf < 0)
		die("/proc/kpageflags");
	while (fgets(buf, sizeof(buf), smaps)) {
		if (strncmp(buf, "VmFlags:", 8)) {
			/* a mapping's header starts "start-end " in lowercase
			 * hex; its fields' names start upper case */
			size_t hex = strspn(buf, "0123456789abcdef");

			if (hex && buf[hex] == '-')
				pending = anon_rw(buf, &start, &end);
			continue;
		}
		/* special (io, pfnmap, mixedmap, hugetlb), shared, stack */
		if (!pending || strstr(buf, " io") || strstr(buf, " pf") ||
		    strstr(buf, " mm") || strstr(buf, " ht") || strstr(buf, " sh") ||
		    strstr(buf, " gd"))
			continue;
		pending = 0;
		c.regions++;
		c.nohuge += !!strstr(buf, " nh");
		scan(pm, kpf, start, end, &c);
	}
	if (ferror(smaps))
		die("smaps");
	printf("regions=%" PRIu64 " nohuge=%" PRIu64 " pages=%" PRIu64 " frames=%" PRIu64
	       " windows=%" PRIu64 " edge_pages=%" PRIu64 " edge_frames=%" PRIu64 "\n",
	       c.regions, c.nohuge, c.pages, set_distinct(&c.frames), c.windows,
	       c.edge_pages, set_distinct(&c.edge_frames));
	return fflush(stdout) ? 1 : 0;
}
