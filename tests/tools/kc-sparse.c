// SPDX-License-Identifier: MIT
/*
 * kc-sparse: a target whose few live pages sit in a huge, mostly empty
 * reservation, the way sanitizer shadow memory, MAP_NORESERVE arenas and
 * big preallocated heaps look; and the THP opt-outs real programs use.
 *
 *   kc-sparse --out FILE [--reserve SIZE] [--windows N] [--pages P]
 *             [--nohugepage] [--thp-disable] [--zero-windows Z]
 *
 * Maps SIZE (default 64T; K/M/G/T suffixes) of private anonymous
 * read-write memory with MAP_NORESERVE, 2 MiB aligned, and writes P pages
 * (default 16, spread over the window) in each of N windows (default 64)
 * spread evenly over it: N * P live pages whatever SIZE is, so the cost of
 * an operation can be compared across reservation sizes. --nohugepage
 * marks the reservation MADV_NOHUGEPAGE first (what Go up to 1.20 does to
 * its scavenged heap); --thp-disable calls prctl(PR_SET_THP_DISABLE) for
 * the whole process; --zero-windows maps Z more windows MADV_HUGEPAGE and
 * only reads them, so they map the huge zero page (with THP enabled and
 * use_zero_page on). Every 8-byte word of a live page holds its own
 * address xor a constant.
 *
 * Writes "vma data START LEN" (and "vma zero START LEN") then
 * "ready pid=PID pages=N" to FILE, then waits: SIGUSR1 checks every live
 * page and appends "verify ok PAGES" or "verify bad ADDR"; SIGTERM or
 * SIGINT exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PAGE		4096UL
#define WIN		(2UL << 20)
#define WIN_PAGES	512UL
#define PATTERN		0x6b636f6c6c617073ULL

struct opts {
	const char *out;
	uint64_t reserve;
	uint64_t windows;
	uint64_t pages;
	uint64_t zero_windows;
	int nohugepage;
	int thp_disable;
};

static volatile sig_atomic_t got_verify, got_exit;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_verify = 1;
	else
		got_exit = 1;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kc-sparse --out FILE [--reserve SIZE] [--windows N] [--pages P]\n"
		"                 [--nohugepage] [--thp-disable] [--zero-windows Z]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "reserve", required_argument, NULL, 'r' },
		{ "windows", required_argument, NULL, 'w' },
		{ "pages", required_argument, NULL, 'p' },
		{ "zero-windows", required_argument, NULL, 'z' },
		{ "nohugepage", no_argument, NULL, 'n' },
		{ "thp-disable", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .reserve = 64ULL << 40, .windows = 64, .pages = 16 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'r': if (parse_size(optarg, &o->reserve)) usage(); break;
		case 'w': if (parse_size(optarg, &o->windows)) usage(); break;
		case 'p': if (parse_size(optarg, &o->pages)) usage(); break;
		case 'z': if (parse_size(optarg, &o->zero_windows)) usage(); break;
		case 'n': o->nohugepage = 1; break;
		case 't': o->thp_disable = 1; break;
		default: usage();
		}
	}
	if (!o->out || optind != argc || !o->windows || !o->pages ||
	    o->pages > WIN_PAGES || o->reserve / WIN < o->windows)
		usage();
}

/* A 2 MiB-aligned private anonymous mapping of @len bytes, or exit. */
static uint8_t *map_aligned(uint64_t len, int flags)
{
	uint8_t *m = mmap(NULL, len + WIN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uintptr_t a;

	if (m == MAP_FAILED) {
		perror("kc-sparse: mmap");
		exit(1);
	}
	a = ((uintptr_t)m + WIN - 1) & ~(WIN - 1);
	return (uint8_t *)a;
}

static uint8_t *page_addr(const struct opts *o, uint8_t *base, uint64_t w,
			  uint64_t p)
{
	uint64_t stride = (o->reserve / o->windows) & ~(WIN - 1);

	return base + w * stride + p * (WIN_PAGES / o->pages) * PAGE;
}

static void fill(const struct opts *o, uint8_t *base)
{
	for (uint64_t w = 0; w < o->windows; w++)
		for (uint64_t p = 0; p < o->pages; p++) {
			uint64_t *q = (uint64_t *)page_addr(o, base, w, p);

			for (size_t i = 0; i < PAGE / 8; i++)
				q[i] = (uint64_t)(uintptr_t)&q[i] ^ PATTERN;
		}
}

/* The address of the first wrong word, or NULL. */
static const void *check(const struct opts *o, uint8_t *base)
{
	for (uint64_t w = 0; w < o->windows; w++)
		for (uint64_t p = 0; p < o->pages; p++) {
			const uint64_t *q =
				(const uint64_t *)page_addr(o, base, w, p);

			for (size_t i = 0; i < PAGE / 8; i++)
				if (q[i] != ((uint64_t)(uintptr_t)&q[i] ^ PATTERN))
					return &q[i];
		}
	return NULL;
}

/* Z windows that map the huge zero page: MADV_HUGEPAGE, then reads. */
static uint8_t *map_zero(uint64_t windows)
{
	uint8_t *z = map_aligned(windows * WIN, MAP_NORESERVE);
	volatile uint8_t sink = 0;

	if (madvise(z, windows * WIN, MADV_HUGEPAGE)) {
		perror("kc-sparse: madvise(MADV_HUGEPAGE)");
		exit(1);
	}
	for (uint64_t w = 0; w < windows; w++)
		sink += z[w * WIN];
	(void)sink;
	return z;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waiting;
	uint8_t *base, *zero = NULL;
	const void *bad;
	struct opts o;
	FILE *f;

	parse(argc, argv, &o);
	if (o.thp_disable && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) {
		perror("kc-sparse: prctl(PR_SET_THP_DISABLE)");
		return 1;
	}
	base = map_aligned(o.reserve, MAP_NORESERVE);
	if (o.nohugepage && madvise(base, o.reserve, MADV_NOHUGEPAGE)) {
		perror("kc-sparse: madvise(MADV_NOHUGEPAGE)");
		return 1;
	}
	fill(&o, base);
	if (o.zero_windows)
		zero = map_zero(o.zero_windows);
	/* Blocked but while waiting in sigsuspend(): no wake-up is lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waiting);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	f = fopen(o.out, "a");
	if (!f) {
		perror("kc-sparse: --out");
		return 1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	fprintf(f, "vma data %p 0x%llx\n", (void *)base,
		(unsigned long long)o.reserve);
	if (zero)
		fprintf(f, "vma zero %p 0x%llx\n", (void *)zero,
			(unsigned long long)(o.zero_windows * WIN));
	fprintf(f, "ready pid=%d pages=%llu\n", (int)getpid(),
		(unsigned long long)(o.windows * o.pages));
	while (!got_exit) {
		sigsuspend(&waiting);
		if (!got_verify)
			continue;
		got_verify = 0;
		bad = check(&o, base);
		if (bad)
			fprintf(f, "verify bad %p\n", bad);
		else
			fprintf(f, "verify ok %llu\n",
				(unsigned long long)(o.windows * o.pages));
	}
	fclose(f);
	return 0;
}
