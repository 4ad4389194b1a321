// SPDX-License-Identifier: MIT
/*
 * kc-stress: data integrity under collapse, with the target's own threads
 * changing its address space while the module works on it.
 *
 *   kc-stress ROUNDS SEED [auto|kmod|userspace [collapse|pack|auto|mix|dry]]
 *
 * Forks a target; this process is the caller. Each round the target lays
 * out fresh anonymous memory from the round's seed: 3-8 "stable" VMAs of
 * random size (0.5-10 windows, not always 2 MiB aligned), random fill per
 * window (empty, one page, 5, 25, 60 or 100 %), some read-only, some
 * MADV_NOHUGEPAGE; and 3 "churn" VMAs that two racer threads keep
 * changing during the collapse: mprotect flips, mremap moves, partial
 * munmap + refault, MADV_DONTNEED + refill, fork with a child that checks
 * a page (copy-on-write). Every page holds a pattern derived from its
 * round, region and offset. The caller then collapses the whole address
 * space through libkcollapse (the engine named, default the module; the
 * mode named, default collapse, "mix" cycling collapse, pack and auto
 * round by round, "dry" the same as dry runs: page-table reads only,
 * racing the drops), the racers stop, and the target
 * checks every page of every region.
 *
 * With KC_STRESS_INJECT=1 in the environment the caller sets its own
 * /proc/thread-self/make-it-fail around each operation, so that a kernel
 * with fault injection armed for that task (fail_page_alloc, failslab;
 * see tests/guest/t/44-alloc-faults.sh) fails allocations made on its
 * behalf: the module's, the collapse path's, netlink's. An operation may
 * then be refused; that is counted, not an error, but every page must
 * still hold its pattern and at least one operation must succeed.
 *
 * Prints totals; exits 0 only if every round's collapse ran (or, with
 * injection, was refused cleanly) and not a single page differed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kcollapse/kcollapse.h>

#define PAGE		4096UL
#define WIN		(2UL << 20)
#define MAX_STABLE	6
#define NCHURN		3

struct region {
	uint8_t *base;
	size_t len;
	uint64_t tag;		/* pattern seed of this region */
	bool *present;		/* per page: faulted with its pattern */
	bool ro;
};

static struct {
	uint64_t rnd;
	struct region stable[MAX_STABLE];
	int nstable;
	struct region churn[NCHURN];
	pthread_mutex_t churn_lock;
	atomic_bool stop;
	atomic_ulong churn_ops;
} t = { .churn_lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t rnd(uint64_t *s)
{
	*s = mix(*s + 0x9e3779b97f4a7c15ULL);
	return *s;
}

static void fill_page(uint8_t *p, uint64_t tag, size_t pgoff)
{
	uint64_t *w = (uint64_t *)p, v = mix(tag ^ (pgoff << 20));
	size_t i;

	for (i = 0; i < PAGE / 8; i++)
		w[i] = v + i;
}

/* Number of words of page pgoff that differ from its pattern. */
static size_t check_page(const uint8_t *p, uint64_t tag, size_t pgoff,
			 bool present)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t v = mix(tag ^ (pgoff << 20));
	size_t i, bad = 0;

	for (i = 0; i < PAGE / 8; i++)
		if (w[i] != (present ? v + i : 0))
			bad++;
	return bad;
}

static void populate(struct region *r, uint64_t *s)
{
	static const unsigned int fills[] = { 0, 1, 26, 128, 307, 512 };
	size_t pg, npg = r->len / PAGE;
	unsigned int fill = 0;

	r->present = calloc(npg, sizeof(bool));
	if (!r->present)
		abort();
	for (pg = 0; pg < npg; pg++) {
		if (pg % 512 == 0)
			fill = fills[rnd(s) % 6];
		if ((rnd(s) % 512) < fill) {
			fill_page(r->base + pg * PAGE, r->tag, pg);
			r->present[pg] = true;
		}
	}
}

/*
 * Three regions in four start on a 2 MiB boundary, so that most windows
 * are collapsible; the rest start wherever mmap puts them.
 */
static int map_region(struct region *r, size_t len, uint64_t tag, uint64_t *s)
{
	uint8_t *p = mmap(NULL, len + WIN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start = (uintptr_t)p;

	if (p == MAP_FAILED)
		return -errno;
	if (rnd(s) % 4)
		start = (start + WIN - 1) & ~(WIN - 1);
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((uint8_t *)start + len, (uintptr_t)p + len + WIN - start - len);
	r->base = (uint8_t *)start;
	r->len = len;
	r->tag = tag;
	r->ro = false;
	/* Faulted as 4 KiB pages whatever the THP mode, then most regions
	 * become eligible (MADV_HUGEPAGE), the rest stay VM_NOHUGEPAGE. */
	madvise(r->base, len, MADV_NOHUGEPAGE);
	populate(r, s);
	if (rnd(s) % 4)
		madvise(r->base, len, MADV_HUGEPAGE);
	return 0;
}

static void unmap_region(struct region *r)
{
	if (r->base)
		munmap(r->base, r->len);
	free(r->present);
	memset(r, 0, sizeof(*r));
}

static size_t verify_region(const struct region *r, size_t *pages)
{
	size_t pg, bad = 0, npg = r->len / PAGE;

	for (pg = 0; pg < npg; pg++)
		bad += check_page(r->base + pg * PAGE, r->tag, pg, r->present[pg]);
	*pages += npg;
	return bad;
}

/*
 * If the 2 MiB-aligned window holding page @pg lies inside @r, move @pg to
 * its first page and return true.
 */
static bool whole_window(const struct region *r, size_t *pg)
{
	uintptr_t a = ((uintptr_t)r->base + *pg * PAGE) & ~(WIN - 1);

	if (a < (uintptr_t)r->base || a + WIN > (uintptr_t)r->base + r->len)
		return false;
	*pg = (a - (uintptr_t)r->base) / PAGE;
	return true;
}

/* One change to one churn region; the lock keeps verification out. */
static void churn_once(uint64_t *s)
{
	struct region *r = &t.churn[rnd(s) % NCHURN];
	size_t npg = r->len / PAGE, pg = rnd(s) % npg, n, i;
	uint8_t *moved;
	pid_t child;

	pthread_mutex_lock(&t.churn_lock);
	switch (rnd(s) % 5) {
	case 0:	/* protection flip */
		r->ro = !r->ro;
		mprotect(r->base, r->len, r->ro ? PROT_READ : PROT_READ | PROT_WRITE);
		break;
	case 1:	/* move the whole region elsewhere; contents go with it */
		moved = mremap(r->base, r->len, r->len, MREMAP_MAYMOVE);
		if (moved != MAP_FAILED)
			r->base = moved;
		break;
	case 2:	/* unmap a few pages and fault them back with their pattern */
		n = 1 + rnd(s) % 16;
		if (pg + n > npg)
			n = npg - pg;
		munmap(r->base + pg * PAGE, n * PAGE);
		if (mmap(r->base + pg * PAGE, n * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			abort();
		for (i = pg; i < pg + n; i++) {
			fill_page(r->base + i * PAGE, r->tag, i);
			r->present[i] = true;
		}
		if (r->ro)
			mprotect(r->base, r->len, PROT_READ);
		break;
	case 3:	/* drop pages; they read back as zeroes */
		if (r->ro)
			break;
		n = 1 + rnd(s) % 64;
		/*
		 * Half the time the whole aligned window around @pg, if the
		 * region has it: its PTE table is left empty, which kernels
		 * since 6.14 free under the mmap read lock while the module
		 * may be reading it.
		 */
		if (rnd(s) % 2 && whole_window(r, &pg))
			n = WIN / PAGE;
		if (pg + n > npg)
			n = npg - pg;
		madvise(r->base + pg * PAGE, n * PAGE, MADV_DONTNEED);
		for (i = pg; i < pg + n; i++)
			r->present[i] = false;
		break;
	default: /* fork: the child checks a page through copy-on-write */
		child = fork();
		if (child == 0)
			_exit(check_page(r->base + pg * PAGE, r->tag, pg,
					 r->present[pg]) ? 1 : 0);
		if (child > 0) {
			int st;

			waitpid(child, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				fprintf(stderr, "kc-stress: forked child saw a bad page\n");
		}
		break;
	}
	atomic_fetch_add(&t.churn_ops, 1);
	pthread_mutex_unlock(&t.churn_lock);
}

static void *racer(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg;

	while (!atomic_load(&t.stop))
		churn_once(&s);
	return NULL;
}

static void layout(uint64_t seed)
{
	uint64_t s = seed;
	int i;

	for (i = 0; i < t.nstable; i++)
		unmap_region(&t.stable[i]);
	for (i = 0; i < NCHURN; i++)
		unmap_region(&t.churn[i]);
	t.nstable = 3 + (int)(rnd(&s) % (MAX_STABLE - 2));
	for (i = 0; i < t.nstable; i++) {
		/* small: a thousand rounds must fit a TCG guest's minutes */
		size_t len = (WIN / 2 + rnd(&s) % (3 * WIN)) & ~(PAGE - 1);

		if (map_region(&t.stable[i], len, mix(seed ^ (uint64_t)i), &s))
			abort();
		if (rnd(&s) % 5 == 0) {
			mprotect(t.stable[i].base, len, PROT_READ);
			t.stable[i].ro = true;
		}
	}
	for (i = 0; i < NCHURN; i++)
		if (map_region(&t.churn[i], WIN + (rnd(&s) % 2) * WIN,
			       mix(seed ^ (0x100ULL + (uint64_t)i)), &s))
			abort();
}

/* The target: obeys one byte per command on cmd, answers on ack. */
static int target_main(int cmd, int ack)
{
	pthread_t th[2];
	uint64_t round;
	char c;
	int i;

	while (read(cmd, &round, sizeof(round)) == sizeof(round)) {
		size_t bad = 0, pages = 0;
		uint64_t answer[2];

		layout(round);
		atomic_store(&t.stop, false);
		for (i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, racer,
				       (void *)(uintptr_t)mix(round + (uint64_t)i + 1));
		c = 'r';
		if (write(ack, &c, 1) != 1)
			return 1;
		if (read(cmd, &c, 1) != 1)	/* collapse done: verify */
			return 1;
		atomic_store(&t.stop, true);
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		for (i = 0; i < t.nstable; i++)
			bad += verify_region(&t.stable[i], &pages);
		for (i = 0; i < NCHURN; i++)
			bad += verify_region(&t.churn[i], &pages);
		answer[0] = bad;
		answer[1] = pages;
		if (write(ack, answer, sizeof(answer)) != sizeof(answer))
			return 1;
	}
	return 0;
}

/*
 * The task's fault-injection switch, opened before injection starts: the
 * open itself allocates, the writes do not.
 */
static int inject_open(void)
{
	const char *env = getenv("KC_STRESS_INJECT");
	int fd;

	if (!env || strcmp(env, "1"))
		return -1;
	fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("kc-stress: /proc/thread-self/make-it-fail");
		exit(2);
	}
	return fd;
}

static void inject_set(int fd, bool on)
{
	if (fd >= 0 && pwrite(fd, on ? "1" : "0", 1, 0) != 1) {
		perror("kc-stress: make-it-fail");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	int cmd[2], ack[2], err, st, inject;
	unsigned long rounds, r, failed_ops = 0;
	uint64_t seed, bad_words = 0, pages = 0, collapsed = 0, windows = 0;
	enum kc_engine engine = KC_ENGINE_KMOD;
	unsigned long by_mode[3] = { 0 };
	enum kc_mode mode = KC_MODE_COLLAPSE;
	bool mixed = false, dry = false;
	uint64_t moved = 0, empty = 0, failed = 0, huge = 0, fail_by[5] = { 0 };
	pid_t pid;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s ROUNDS SEED [auto|kmod|userspace "
			"[collapse|pack|auto|mix|dry]]\n", argv[0]);
		return 2;
	}
	if (argc == 5) {
		dry = !strcmp(argv[4], "dry");
		mixed = dry || !strcmp(argv[4], "mix");
	}
	if (argc == 5 && !mixed && kc_mode_parse(argv[4], &mode)) {
		fprintf(stderr, "kc-stress: unknown mode %s\n", argv[4]);
		return 2;
	}
	if (argc >= 4) {
		for (engine = KC_ENGINE_AUTO; engine <= KC_ENGINE_USERSPACE; engine++)
			if (!strcmp(argv[3], kc_engine_name(engine)))
				break;
		if (engine > KC_ENGINE_USERSPACE) {
			fprintf(stderr, "kc-stress: unknown engine %s\n", argv[3]);
			return 2;
		}
	}
	inject = inject_open();
	rounds = strtoul(argv[1], NULL, 10);
	seed = strtoull(argv[2], NULL, 10);
	if (pipe(cmd) || pipe(ack))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		_exit(target_main(cmd[0], ack[1]));
	}
	close(cmd[0]);
	close(ack[1]);
	for (r = 0; r < rounds; r++) {
		struct kc_collapse_req req = {
			.pid = pid,
			.mode = mixed ? (uint32_t)(r % 3) : mode,
			.flags = dry ? KC_DRY_RUN : 0,
		};
		struct kc_result res;
		uint64_t round = mix(seed + r), answer[2];
		char c;

		if (write(cmd[1], &round, sizeof(round)) != sizeof(round) ||
		    read(ack[0], &c, 1) != 1)
			break;
		inject_set(inject, true);
		err = kc_collapse_with(engine, &req, NULL, &res);
		inject_set(inject, false);
		if (err) {
			fprintf(stderr, "kc-stress: round %lu: collapse%s: %s\n",
				r, inject >= 0 ? " (injected faults)" : "",
				kc_last_error(NULL));
			failed_ops++;
		} else {
			collapsed += res.collapsed;
			windows += res.chunks;
			moved += res.pack_moved;
			empty += res.skipped_empty + res.skipped_sparse;
			huge += res.already_huge;
			fail_by[0] += res.failed_nomem;
			fail_by[1] += res.failed_busy;
			fail_by[2] += res.failed_again;
			fail_by[3] += res.failed_ineligible;
			fail_by[4] += res.failed_other;
			failed += res.failed_nomem + res.failed_busy +
				  res.failed_again + res.failed_ineligible +
				  res.failed_other;
			by_mode[req.mode]++;
		}
		c = 'v';
		if (write(cmd[1], &c, 1) != 1 ||
		    read(ack[0], answer, sizeof(answer)) != sizeof(answer))
			break;
		if (answer[0])
			fprintf(stderr, "kc-stress: round %lu (seed %llu): %llu words differ\n",
				r, (unsigned long long)round,
				(unsigned long long)answer[0]);
		bad_words += answer[0];
		pages += answer[1];
	}
	close(cmd[1]);
	waitpid(pid, &st, 0);
	printf("kc-stress: %s engine%s, %lu/%lu rounds (collapse %lu, pack %lu, "
	       "auto %lu), %lu %s, %llu windows reached, %llu collapsed, "
	       "%llu already huge, %llu skipped, %llu failed (nomem %llu, busy "
	       "%llu, again %llu, ineligible %llu, other %llu), %llu pages packed, "
	       "%llu pages checked, %llu words differ\n",
	       kc_engine_name(engine), dry ? " (dry runs)" : "", r, rounds,
	       by_mode[0], by_mode[1],
	       by_mode[2], failed_ops,
	       inject >= 0 ? "refused under injection" : "errors",
	       (unsigned long long)windows,
	       (unsigned long long)collapsed, (unsigned long long)huge,
	       (unsigned long long)empty, (unsigned long long)failed,
	       (unsigned long long)fail_by[0], (unsigned long long)fail_by[1],
	       (unsigned long long)fail_by[2], (unsigned long long)fail_by[3],
	       (unsigned long long)fail_by[4],
	       (unsigned long long)moved,
	       (unsigned long long)pages,
	       (unsigned long long)bad_words);
	if (inject >= 0)
		return r == rounds && failed_ops < rounds && !bad_words ? 0 : 1;
	return r == rounds && !failed_ops && !bad_words ? 0 : 1;
}
