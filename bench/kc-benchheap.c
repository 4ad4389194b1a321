// SPDX-License-Identifier: GPL-2.0
/*
 * kc-benchheap: the benchmark workload of `make bench`.
 *
 *   kc-benchheap --workload gc5|gc25|gc60|sparse|huge [--seed N] [--serve DEV]
 *
 * Builds one heap shape at a fixed address (BENCH_BASE), deterministic for a
 * seed, with a forked neighbour process faulting its own pages in lockstep
 * (see neighbour_start()), prints "emptyrun START:LEN N" (its longest run of
 * empty windows), "range START:LEN", "neighbour PID PAGES" and "ready PID",
 * then waits for a signal:
 *   SIGUSR1  run the in-process baseline (the published POST /collapse:
 *            walk /proc/self/maps, for every anonymous rw mapping
 *            MADV_HUGEPAGE, then MADV_COLLAPSE on every 2 MiB window), print
 *            one "baseline {json}" line, and keep waiting;
 *   SIGUSR2  print "heapframes N F,F,..." (hex), the distinct 2 MiB
 *            physical frames holding its resident heap pages (pagemap: root
 *            only; "heapframes unknown" without the PFNs), and keep waiting;
 *   SIGTERM  stop the neighbour (it holds its pages until then), exit 0.
 * Lines go to stdout, flushed.
 * With --serve DEV (a serial port, the lazy-restore harness bench/resume/),
 * it also answers requests there: each line read from DEV is answered with
 * one line "answer N SUM PAGES" after reading one word of every resident
 * page of its heap (mincore), the working set a request touches (see
 * serve_request()).
 *
 * Shapes:
 *   gcN     4 arenas x 32 MiB (plain anonymous mmap, like Go's). Small
 *           objects of a size class are carved out of 8 KiB spans; every page
 *           faulted is interleaved with NB_RATIO faults of the neighbour, so
 *           the arena's pages are physically scattered; then a "GC" frees
 *           (MADV_DONTNEED) whole dead windows (50/30/10 % of them for
 *           N = 5/25/60) and, in the others, every span not chosen live,
 *           leaving N % of spans live.
 *   sparse  4 reservations x 256 MiB (mostly empty, like Go's arena
 *           reservations) with one live page every 8 MiB, each a window
 *           of the neighbour's pages apart (so in a frame of its own), plus
 *           one dense 8 MiB stretch, interleaved as gcN is.
 *   huge    4 arenas x 32 MiB, MADV_HUGEPAGE before touching: mostly
 *           PMD-mapped; one window in 8 gets half of it freed (split).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <sys/mman.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096UL
#define WIN (2UL << 20)
#define MIB (1UL << 20)
#define BENCH_BASE 0x300000000000UL
#define SPAN (2 * PAGE)

static uint64_t rng_state;

/* splitmix64: fixed seed, same sequence everywhere */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static volatile sig_atomic_t got_usr1, got_usr2, got_term;

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGUSR2)
		got_usr2 = 1;
	else
		got_term = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "kc-benchheap: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *map_at(uintptr_t addr, size_t len)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if ((uintptr_t)p != addr) {
		errno = EEXIST;
		die("mmap at fixed address");
	}
	return p;
}

/*
 * The neighbour: a second process whose page faults are interleaved in
 * lockstep with the workload's, so that the workload's pages end up
 * physically scattered among another process's pages, as a long-lived
 * agent's heap is among its neighbours' on a real guest. It is forked before
 * the heap is built, faults NB_RATIO pages of its own for every heap page
 * the workload faults (handshakes over two pipes, every NB_BATCH heap pages:
 * a fixed order of faults, whatever the scheduler does; see build_sparse()
 * for a wider gap), and keeps its memory until the workload exits: its
 * pages stay where they landed while the engines run, so a collapse cannot
 * reuse the holes it would leave, as on a real guest where the neighbour is
 * alive. It is not in the workload's
 * address space: the in-process baseline does not see it, the frames are
 * counted on the workload's range only.
 */
#define NB_RATIO 4
#define NB_BATCH 4

static int nb_go = -1, nb_ack = -1;
static pid_t nb_pid;
static unsigned nb_pending;	/* heap pages since the last handshake */
static uint64_t nb_owed;	/* neighbour pages owed to the interleave */
static uint64_t nb_pages, nb_max;	/* neighbour pages faulted, room for */
static cpu_set_t nb_saved_cpus;
static int nb_pinned;

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("neighbour pipe write");
}

static void xread(int fd, void *buf, size_t len)
{
	ssize_t r = read(fd, buf, len);

	if (r != (ssize_t)len) {
		if (r >= 0)
			errno = EPIPE;
		die("neighbour pipe read");
	}
}

/* The child: fault n pages per request, up to len in all. */
static void __attribute__((noreturn)) neighbour_main(int go, int ack, size_t len)
{
	struct sigaction sa;
	sigset_t none;
	char *m;
	size_t off = 0;
	uint32_t n;

	/* the parent's handlers and blocked mask are for the workload only */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* a kill -9 of the workload must not leave the neighbour behind */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		_exit(1);
	/* 4 KiB faults whatever the THP mode: the interleave is per page */
	madvise(m, len, MADV_NOHUGEPAGE);
	for (;;) {
		ssize_t r = read(go, &n, sizeof(n));

		if (r == 0)		/* the workload has exited */
			_exit(0);
		if (r != sizeof(n))
			_exit(1);
		for (uint32_t i = 0; i < n && off < len; i++) {
			m[off] = 1;
			off += PAGE;
		}
		if (write(ack, "", 1) != 1)
			_exit(1);
		/* n == 0 ends the build: hold the memory until EOF */
	}
}

/*
 * Fork the neighbour, with room for len bytes of faults. Both processes are
 * pinned to one CPU for the build: order-0 pages come from per-CPU lists,
 * so on one CPU the interleave of faults is an interleave of pages from one
 * list whatever the scheduler does (it often co-locates the pair on its
 * own, as they wake each other; pinning makes it so every time).
 */
static void neighbour_start(size_t len)
{
	int go[2], ack[2];
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (sched_getaffinity(0, sizeof(nb_saved_cpus), &nb_saved_cpus) == 0 && cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		nb_pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(ack, O_CLOEXEC))
		die("pipe2");
	nb_pid = fork();
	if (nb_pid < 0)
		die("fork");
	if (nb_pid == 0) {
		close(go[1]);
		close(ack[0]);
		neighbour_main(go[0], ack[1], len);
	}
	close(go[0]);
	close(ack[1]);
	nb_max = len / PAGE;
	nb_go = go[1];
	nb_ack = ack[0];
}

/* the neighbour's turn: it faults what it is owed, the workload waits */
static void neighbour_sync(void)
{
	uint32_t n = (uint32_t)nb_owed;
	char c;

	xwrite(nb_go, &n, sizeof(n));
	xread(nb_ack, &c, 1);
	nb_pages += nb_pages + n > nb_max ? nb_max - nb_pages : n;
	nb_owed = 0;
	nb_pending = 0;
}

/*
 * One heap page faulted, owing the neighbour pages of its own: its turn
 * every NB_BATCH heap pages, or at once (a page that must land apart).
 */
static void neighbour_tick(uint32_t pages, int now)
{
	nb_owed += pages;
	if (now || ++nb_pending >= NB_BATCH)
		neighbour_sync();
}

/* the heap is built: the neighbour keeps its pages, the workload its CPUs */
static void neighbour_built(void)
{
	if (nb_owed)
		neighbour_sync();
	neighbour_sync();	/* n == 0: the build is over */
	if (nb_pinned)
		sched_setaffinity(0, sizeof(nb_saved_cpus), &nb_saved_cpus);
}

/* before the workload exits: the neighbour's memory freed before the next run */
static void neighbour_stop(void)
{
	if (nb_go < 0)
		return;
	close(nb_go);
	waitpid(nb_pid, NULL, 0);
}

/* touch one heap page: an object header pattern */
static void write_page(char *p, uint64_t tag)
{
	memcpy(p, &tag, sizeof(tag));
	p[PAGE - 1] = (char)tag;
}

/* touch one heap page, interleaved with NB_RATIO of the neighbour's */
static void touch(char *p, uint64_t tag)
{
	write_page(p, tag);
	neighbour_tick(NB_RATIO, 0);
}

#define NARENA 4
static size_t region_len;
static unsigned nregion;

static void build_gc(unsigned fill_pct)
{
	size_t alen = 32 * MIB;
	static const unsigned sizes[] = { 16, 32, 48, 64, 96, 128, 256, 512, 1024, 2048 };

	nregion = NARENA;
	region_len = alen;
	/* at most 3 touches per 2-page span */
	neighbour_start(NARENA * alen * 3 / 2 * NB_RATIO);
	char *arena[NARENA];

	for (unsigned a = 0; a < NARENA; a++)
		arena[a] = map_at(BENCH_BASE + a * (alen + 64 * MIB), alen);
	/* allocation: spans handed out round-robin over the arenas (several
	 * Ps allocating), each span filled with objects of one size class */
	size_t nspan = alen / SPAN;

	for (size_t s = 0; s < nspan; s++) {
		for (unsigned a = 0; a < NARENA; a++) {
			char *sp = arena[a] + s * SPAN;
			unsigned sz = sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))];

			for (size_t o = 0; o + sz <= SPAN; o += sz)
				if (o % PAGE == 0)
					touch(sp + o, ((uint64_t)a << 48) | (s << 8) | sz);
			touch(sp + PAGE, s);
		}
	}
	neighbour_built();
	/*
	 * GC: survival is correlated by age, as in a real heap: a 2 MiB window
	 * dies whole with probability dead_pct % (an old generation swept),
	 * else each of its spans survives so that fill_pct % of all spans do.
	 */
	unsigned dead_pct = fill_pct <= 5 ? 50 : fill_pct <= 25 ? 30 : 10;
	unsigned keep_pml = fill_pct * 1000 / (100 - dead_pct);
	size_t spw = WIN / SPAN;

	for (unsigned a = 0; a < NARENA; a++)
		for (size_t w = 0; w < alen / WIN; w++) {
			int dead = rnd() % 100 < dead_pct;

			for (size_t s = w * spw; s < (w + 1) * spw; s++)
				if (dead || rnd() % 1000 >= keep_pml)
					madvise(arena[a] + s * SPAN, SPAN, MADV_DONTNEED);
		}
}

static void build_sparse(void)
{
	size_t rlen = 256 * MIB;

	nregion = NARENA;
	region_len = rlen;
	/*
	 * A lone live page every 8 MiB stands for what a long-lived heap's
	 * sparse pages look like after months of churn: each in a frame of its
	 * own. On a freshly booted guest the free memory is contiguous, and
	 * NB_RATIO pages apart would put 100 of them in one frame: the
	 * neighbour faults a whole window's worth between two of them.
	 */
	neighbour_start(NARENA * (rlen / (8 * MIB)) * WIN + 8 * MIB * NB_RATIO);
	for (unsigned a = 0; a < NARENA; a++) {
		char *r = map_at(BENCH_BASE + a * (rlen + 64 * MIB), rlen);

		for (size_t off = 0; off < rlen; off += 8 * MIB) {
			write_page(r + off + (rnd() % (8 * MIB / PAGE)) * PAGE, off);
			neighbour_tick(WIN / PAGE, 1);
		}
		if (a == 0)
			for (size_t off = 64 * MIB; off < 72 * MIB; off += PAGE)
				touch(r + off, off);
	}
	neighbour_built();
}

static void build_huge(void)
{
	size_t alen = 32 * MIB;

	nregion = NARENA;
	region_len = alen;
	neighbour_start(NARENA * alen / 4);
	for (unsigned a = 0; a < NARENA; a++) {
		char *r = map_at(BENCH_BASE + a * (alen + 64 * MIB), alen);

		if (madvise(r, alen, MADV_HUGEPAGE))
			die("madvise(MADV_HUGEPAGE)");
		for (size_t off = 0; off < alen; off += PAGE) {
			r[off] = 1;
			if (off % (4 * PAGE) == 0)
				neighbour_tick(NB_RATIO, 0);
		}
		for (size_t w = 0; w < alen / WIN; w++)
			if (rnd() % 8 == 0)
				madvise(r + w * WIN, WIN / 2, MADV_DONTNEED);
	}
	neighbour_built();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The in-process baseline, as published: every anonymous rw mapping of
 * /proc/self/maps, MADV_HUGEPAGE, then MADV_COLLAPSE on each 2 MiB window;
 * success counts as collapsed, any failure as skipped (EINVAL on an empty
 * window included). Also reports the errno split the published code lacks.
 */
static void baseline(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t regions = 0, chunks = 0, collapsed = 0, skipped = 0;
	uint64_t t_coll = 0, t_skip = 0, e_inval = 0, e_nomem = 0, e_again = 0, e_other = 0;
	uint64_t t0 = now_ns();

	if (!f)
		die("/proc/self/maps");
	/* read the list first: madvise can split and merge VMAs under us */
	uintptr_t starts[256], ends[256];
	unsigned n = 0;

	while (fgets(line, sizeof(line), f) && n < 256) {
		uintptr_t s, e;
		char perms[8];
		unsigned long off;
		unsigned dmaj, dmin;
		unsigned long ino;
		int name_at = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &s, &e, perms, &off,
			   &dmaj, &dmin, &ino, &name_at) < 7)
			continue;
		if (ino != 0 || perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p')
			continue;
		const char *name = line + name_at;

		/* anonymous: no name, or [heap]; not [stack], [vvar]... */
		if (name[0] != '\n' && name[0] != '\0' && strncmp(name, "[heap]", 6))
			continue;
		starts[n] = s;
		ends[n] = e;
		n++;
	}
	fclose(f);
	for (unsigned i = 0; i < n; i++) {
		uintptr_t s = (starts[i] + WIN - 1) & ~(WIN - 1);

		regions++;
		madvise((void *)starts[i], ends[i] - starts[i], MADV_HUGEPAGE);
		for (; s + WIN <= ends[i]; s += WIN) {
			uint64_t a = now_ns();
			int rc = madvise((void *)s, WIN, MADV_COLLAPSE);
			uint64_t d = now_ns() - a;

			chunks++;
			if (rc == 0) {
				collapsed++;
				t_coll += d;
			} else {
				skipped++;
				t_skip += d;
				if (errno == EINVAL)
					e_inval++;
				else if (errno == ENOMEM)
					e_nomem++;
				else if (errno == EAGAIN)
					e_again++;
				else
					e_other++;
			}
		}
	}
	printf("baseline {\"regions\":%" PRIu64 ",\"chunks\":%" PRIu64
	       ",\"collapsed\":%" PRIu64 ",\"skipped\":%" PRIu64
	       ",\"elapsedNs\":%" PRIu64 ",\"collapsedNs\":%" PRIu64
	       ",\"skippedNs\":%" PRIu64 ",\"errEinval\":%" PRIu64
	       ",\"errEnomem\":%" PRIu64 ",\"errEagain\":%" PRIu64
	       ",\"errOther\":%" PRIu64 "}\n",
	       regions, chunks, collapsed, skipped, now_ns() - t0, t_coll, t_skip,
	       e_inval, e_nomem, e_again, e_other);
	fflush(stdout);
}

/*
 * Call @fn on every resident page of the heap (mincore: nothing is
 * touched), region by region, window by window; stop early when @fn returns
 * non-zero and return that.
 */
static int for_each_resident(int (*fn)(uintptr_t page, void *arg), void *arg)
{
	static unsigned char vec[WIN / PAGE];

	for (unsigned a = 0; a < nregion; a++) {
		uintptr_t r = BENCH_BASE + a * (region_len + 64 * MIB);

		for (size_t w = 0; w < region_len / WIN; w++) {
			uintptr_t s = r + w * WIN;

			if (mincore((void *)s, WIN, vec))
				die("mincore");
			for (size_t i = 0; i < WIN / PAGE; i++) {
				int rc = (vec[i] & 1) ? fn(s + i * PAGE, arg) : 0;

				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

struct served {
	uint64_t sum, pages;
};

static int read_page(uintptr_t page, void *arg)
{
	struct served *sv = arg;

	sv->sum += *(volatile uint64_t *)page;
	sv->pages++;
	return 0;
}

/*
 * One request of --serve: read one word of every page of the heap that is
 * resident, as a collector's mark phase or a request walking its live
 * objects would, and answer "answer N SUM PAGES". After a lazy restore
 * every such read faults the page's guest frame in from the source: the
 * frames this costs are what the harness counts.
 */
static void serve_request(int fd, unsigned n)
{
	struct served sv = { 0, 0 };
	char line[96];
	int len;

	for_each_resident(read_page, &sv);
	len = snprintf(line, sizeof(line), "answer %u %" PRIu64 " %" PRIu64 "\n",
		       n, sv.sum, sv.pages);
	if (write(fd, line, (size_t)len) != len)
		die("write to --serve device");
}

/* --serve DEV: a raw serial line, no echo, no line discipline. */
static int serve_open(const char *dev)
{
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY);

	if (fd < 0)
		die(dev);
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	tcflush(fd, TCIFLUSH);
	return fd;
}

/* Read what DEV has; answer once per newline. */
static void serve_input(int fd, unsigned *n)
{
	char buf[256];
	ssize_t got = read(fd, buf, sizeof(buf));

	for (ssize_t i = 0; i < got; i++)
		if (buf[i] == '\n')
			serve_request(fd, ++*n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct frame_list {
	int pagemap;
	uint64_t *fr;
	size_t n, cap;
};

/* One resident page's 2 MiB frame number; -1 if the PFN is hidden. */
static int note_frame(uintptr_t page, void *arg)
{
	struct frame_list *fl = arg;
	uint64_t ent, pfn;

	if (pread(fl->pagemap, &ent, sizeof(ent), (off_t)(page / PAGE * 8)) != sizeof(ent))
		die("pagemap");
	pfn = ent & ((1ULL << 55) - 1);
	if (!(ent >> 63))
		return 0;
	if (!pfn)
		return -1;
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? 2 * fl->cap : 1024;
		fl->fr = realloc(fl->fr, fl->cap * sizeof(*fl->fr));
		if (!fl->fr)
			die("realloc");
	}
	fl->fr[fl->n++] = pfn >> 9;
	return 0;
}

/*
 * SIGUSR2: the distinct 2 MiB physical frames of the resident heap pages,
 * from /proc/self/pagemap (PFNs need CAP_SYS_ADMIN). Neither mincore nor
 * pagemap touches the pages. A lazy-restore harness matches these against
 * the guest-physical pages the restore requests.
 */
static void print_heap_frames(void)
{
	struct frame_list fl = { .pagemap = open("/proc/self/pagemap", O_RDONLY) };
	size_t uniq = 0;

	if (fl.pagemap < 0)
		die("/proc/self/pagemap");
	if (for_each_resident(note_frame, &fl)) {
		printf("heapframes unknown\n");
	} else {
		if (fl.n)
			qsort(fl.fr, fl.n, sizeof(*fl.fr), cmp_u64);
		for (size_t i = 0; i < fl.n; i++)
			if (!i || fl.fr[i] != fl.fr[i - 1])
				fl.fr[uniq++] = fl.fr[i];
		printf("heapframes %zu ", uniq);
		for (size_t i = 0; i < uniq; i++)
			printf("%s%" PRIx64, i ? "," : "", fl.fr[i]);
		printf("\n");
	}
	fflush(stdout);
	free(fl.fr);
	close(fl.pagemap);
}

/*
 * The longest run of 2 MiB windows with no resident page (mincore) inside
 * one region: "emptyrun START:LEN WINDOWS" (LEN 0 if none). The benchmark
 * times an engine's dry run over it, the cost of skipping empty windows.
 */
static void print_empty_run(void)
{
	static unsigned char vec[WIN / PAGE];
	uintptr_t best = 0;
	size_t best_n = 0;

	for (unsigned a = 0; a < nregion; a++) {
		uintptr_t r = BENCH_BASE + a * (region_len + 64 * MIB);
		uintptr_t run = 0;
		size_t n = 0;

		for (size_t w = 0; w < region_len / WIN; w++) {
			int empty = 1;

			if (mincore((void *)(r + w * WIN), WIN, vec))
				die("mincore");
			for (size_t i = 0; i < WIN / PAGE && empty; i++)
				if (vec[i] & 1)
					empty = 0;
			if (!empty) {
				n = 0;
				continue;
			}
			if (n++ == 0)
				run = r + w * WIN;
			if (n > best_n) {
				best_n = n;
				best = run;
			}
		}
	}
	printf("emptyrun 0x%lx:0x%lx %zu\n", (unsigned long)best,
	       (unsigned long)(best_n * WIN), best_n);
}

int main(int argc, char **argv)
{
	const char *wl = NULL, *serve = NULL;
	uint64_t seed = 42;
	unsigned served = 0;
	int sfd = -1;
	struct sigaction sa;
	sigset_t mask, old;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--workload") && i + 1 < argc)
			wl = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--serve") && i + 1 < argc)
			serve = argv[++i];
		else {
			fprintf(stderr, "usage: kc-benchheap --workload gc5|gc25|gc60|sparse|huge [--seed N] [--serve DEV]\n");
			return 2;
		}
	}
	if (!wl) {
		fprintf(stderr, "kc-benchheap: --workload is required\n");
		return 2;
	}
	rng_state = seed;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);

	if (!strncmp(wl, "gc", 2) && atoi(wl + 2) > 0 && atoi(wl + 2) <= 100)
		build_gc((unsigned)atoi(wl + 2));
	else if (!strcmp(wl, "sparse"))
		build_sparse();
	else if (!strcmp(wl, "huge"))
		build_huge();
	else {
		fprintf(stderr, "kc-benchheap: unknown workload '%s'\n", wl);
		return 2;
	}
	print_empty_run();
	printf("range 0x%lx:0x%lx\n", BENCH_BASE,
	       (nregion - 1) * (region_len + 64 * MIB) + region_len);
	printf("neighbour %d %" PRIu64 "\n", (int)nb_pid, nb_pages);
	if (serve)
		sfd = serve_open(serve);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (!got_term) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };

		/* signals are only delivered inside sigsuspend()/ppoll() */
		if (sfd < 0)
			sigsuspend(&old);
		else if (ppoll(&pfd, 1, NULL, &old) > 0)
			serve_input(sfd, &served);
		if (got_usr1) {
			got_usr1 = 0;
			baseline();
		}
		if (got_usr2) {
			got_usr2 = 0;
			print_heap_frames();
		}
	}
	neighbour_stop();
	return 0;
}
