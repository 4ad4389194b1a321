// SPDX-License-Identifier: MIT
/*
 * kc-races: operations interrupted at random points, many times over.
 *
 *   kc-races ITERATIONS SEED [collapse|pack|auto]
 *
 * Each iteration forks a small fragmented target and a caller that runs
 * one operation on it through libkcollapse; after a random delay (0-40 ms)
 * it does one of: SIGKILL the target, SIGKILL the caller, CANCEL, or
 * nothing with a random short deadline given to the operation. Run with
 * the module's window_delay_us set, so operations last long enough to be
 * cut anywhere. After each iteration the caller must be gone within 30 s
 * (no hang) and the module must report no operation in flight within 5 s.
 * Prints how each kind of iteration ended (stop reasons); exits 0 only if
 * nothing hung and nothing stayed in flight.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kcollapse/kcollapse.h>

#define PAGE	4096UL
#define AREA	(12UL << 20)

enum kind { K_TARGET_EXIT, K_CALLER_KILL, K_CANCEL, K_DEADLINE, K_COUNT };
static const char *const kind_name[K_COUNT] = {
	"target-exit", "caller-kill", "cancel", "deadline",
};
/* stop reasons 0..5, then "killed" (no result) and "error" */
#define OUTCOMES 8
static const char *const outcome_name[OUTCOMES] = {
	"done", "cancelled", "deadline", "caller-killed", "target-exited",
	"unloading", "no-result", "error",
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The target: every third page of 12 MiB, then wait to be killed. */
static void target(int ready)
{
	uint8_t *p = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	if (p == MAP_FAILED)
		_exit(1);
	/* 4 KiB faults, then eligible: the operation has real work to do */
	madvise(p, AREA, MADV_NOHUGEPAGE);
	for (off = 0; off < AREA; off += 3 * PAGE)
		p[off] = 1;
	madvise(p, AREA, MADV_HUGEPAGE);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* The caller: one operation, its stop reason (or 7: error) on out. */
static void caller(pid_t pid, uint32_t deadline, uint32_t mode, int out)
{
	struct kc_collapse_req req = {
		.pid = pid, .deadline_ms = deadline, .mode = mode,
	};
	struct kc_result res;
	struct kc_handle *h;
	uint8_t r = 7;

	if (!kc_open(&h)) {
		if (!kc_collapse(h, &req, &res))
			r = (uint8_t)res.stop_reason;
		else
			fprintf(stderr, "kc-races: %s\n", kc_last_error(h));
		kc_close(h);
	}
	if (write(out, &r, 1) != 1)
		_exit(1);
	_exit(0);
}

static bool wait_gone(pid_t pid, int seconds)
{
	int i, st;

	for (i = 0; i < seconds * 100; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return true;
		usleep(10000);
	}
	return false;
}

static uint32_t in_flight(struct kc_handle *h)
{
	struct kc_info info;

	return kc_get_info(h, &info) ? UINT32_MAX : info.ops_in_flight;
}

int main(int argc, char **argv)
{
	unsigned long iters, i, tally[K_COUNT][OUTCOMES] = { { 0 } };
	unsigned long hangs = 0, stuck = 0;
	enum kc_mode mode = KC_MODE_COLLAPSE;
	struct kc_handle *h;
	uint64_t s;
	int k, o, err;

	if (argc < 3 || argc > 4 || (argc == 4 && kc_mode_parse(argv[3], &mode))) {
		fprintf(stderr, "usage: %s ITERATIONS SEED [collapse|pack|auto]\n",
			argv[0]);
		return 2;
	}
	iters = strtoul(argv[1], NULL, 10);
	s = strtoull(argv[2], NULL, 10) | 1;
	err = kc_open(&h);
	if (err) {
		fprintf(stderr, "kc-races: %s\n", kc_last_error(NULL));
		return 1;
	}
	for (i = 0; i < iters; i++) {
		enum kind kind = (enum kind)(i % K_COUNT);
		int ready[2], res[2];
		pid_t t, c;
		uint8_t r = 6;
		char x;
		unsigned int j;

		if (pipe(ready))
			return 1;
		t = fork();
		if (t == 0)
			target(ready[1]);
		if (read(ready[0], &x, 1) != 1)
			return 1;
		/* Made after the target's fork: a write end left open in the
		 * target would keep the read below waiting for a dead caller. */
		if (pipe(res))
			return 1;
		c = fork();
		if (c == 0)
			caller(t, kind == K_DEADLINE ? 1 + (uint32_t)(rnd(&s) % 40) : 0,
			       mode, res[1]);
		close(res[1]);
		usleep((useconds_t)(rnd(&s) % 40000));
		switch (kind) {
		case K_TARGET_EXIT:
			kill(t, SIGKILL);
			break;
		case K_CALLER_KILL:
			kill(c, SIGKILL);
			break;
		case K_CANCEL:
			kc_cancel(h, t, &j);
			break;
		default:
			break;
		}
		if (!wait_gone(c, 30)) {
			fprintf(stderr, "kc-races: iteration %lu (%s): caller hung\n",
				i, kind_name[kind]);
			hangs++;
			kill(c, SIGKILL);
			waitpid(c, NULL, 0);
		}
		if (read(res[0], &r, 1) != 1 || r >= OUTCOMES)
			r = 6;
		tally[kind][r]++;
		kill(t, SIGKILL);
		waitpid(t, NULL, 0);
		close(ready[0]);
		close(ready[1]);
		close(res[0]);
		for (j = 0; j < 500 && in_flight(h); j++)
			usleep(10000);
		if (in_flight(h)) {
			fprintf(stderr, "kc-races: iteration %lu (%s): %u still in flight\n",
				i, kind_name[kind], in_flight(h));
			stuck++;
		}
	}
	kc_close(h);
	for (k = 0; k < K_COUNT; k++) {
		printf("kc-races: %-12s", kind_name[k]);
		for (o = 0; o < OUTCOMES; o++)
			if (tally[k][o])
				printf(" %s=%lu", outcome_name[o], tally[k][o]);
		printf("\n");
	}
	printf("kc-races: %lu iterations (%s), %lu hangs, %lu left in flight\n",
	       iters, kc_mode_name(mode), hangs, stuck);
	return hangs || stuck ? 1 : 0;
}
