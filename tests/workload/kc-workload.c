// SPDX-License-Identifier: GPL-2.0
/*
 * kc-workload: a fragmented anonymous heap at a fixed layout, kept alive
 * for kcollapse to work on from outside. See README.md for the protocol.
 */
#include "layout.h"
#include "kc-common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/mempolicy.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
#define MAX_SCALE	1024
#define MAX_SPACER_MIB	65536
#define MAX_NODE	63

struct options {
	struct wl_opts wl;
	const char *out;
	int64_t exit_after_ms;	/* -1: never */
	unsigned int threads;
	int self_test_corrupt;
	int self_test_drop;
	unsigned int pin_uring;
	unsigned int pin_splice;
	int fork_child;
	int mlock;
	int mpol_mode;		/* MPOL_DEFAULT: --mempolicy not given */
	unsigned long mpol_nodes;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kc-workload [--seed N] [--out FILE] [--exit-after-ms N] [--scale N]\n"
		"                   [--only NAME[,NAME...]] [--spacer-mib N] [--base ADDR]\n"
		"                   [--threads N] [--self-test-corrupt] [--self-test-drop]\n"
		"                   [--pin-uring N] [--pin-splice N] [--fork-child]\n"
		"                   [--fork-child-half] [--mempolicy bind:N|interleave]\n"
		"                   [--mlock]\n"
		"Builds a fragmented anonymous heap at a fixed layout, prints it, then waits:\n"
		"SIGUSR1 verifies the pattern, SIGUSR2 prints the current state, SIGHUP\n"
		"exercises the heap, SIGURG runs the in-process method (MADV_COLLAPSE of\n"
		"its own windows), SIGWINCH reads every 8th expected page (the hot set)\n"
		"and counts their frames, SIGTERM or SIGINT exits 0. VMAs: ");
	for (size_t i = 0; i < wl_default_nspecs; i++)
		fprintf(f, "%s%s", i ? "," : "", wl_default_specs[i].name);
	fprintf(f, "\n");
}

static int parse_uint(const char *opt, const char *arg, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	if (kc_parse_u64(arg, 0, out) || *out < min || *out > max) {
		fprintf(stderr, "kc-workload: --%s: bad value '%s' (%llu..%llu)\n",
			opt, arg, (unsigned long long)min,
			(unsigned long long)max);
		return -EINVAL;
	}
	return 0;
}

/* --mempolicy bind:N (node N only) or interleave (all nodes, in turn). */
static int parse_mempolicy(const char *arg, struct options *o)
{
	uint64_t node;

	if (!strcmp(arg, "interleave")) {
		o->mpol_mode = MPOL_INTERLEAVE;
		o->mpol_nodes = ~0UL;
		return 0;
	}
	if (!strncmp(arg, "bind:", 5) && !kc_parse_u64(arg + 5, 10, &node) &&
	    node <= MAX_NODE) {
		o->mpol_mode = MPOL_BIND;
		o->mpol_nodes = 1UL << node;
		return 0;
	}
	fprintf(stderr, "kc-workload: --mempolicy: '%s' is neither bind:N (0..%d) nor interleave\n",
		arg, MAX_NODE);
	return -EINVAL;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "exit-after-ms", required_argument, NULL, 'x' },
		{ "scale", required_argument, NULL, 'S' },
		{ "only", required_argument, NULL, 'O' },
		{ "spacer-mib", required_argument, NULL, 'p' },
		{ "base", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "self-test-corrupt", no_argument, NULL, 'C' },
		{ "self-test-drop", no_argument, NULL, 'D' },
		{ "pin-uring", required_argument, NULL, 'U' },
		{ "pin-splice", required_argument, NULL, 'P' },
		{ "fork-child", no_argument, NULL, 'F' },
		{ "fork-child-half", no_argument, NULL, 'H' },
		{ "mempolicy", required_argument, NULL, 'M' },
		{ "mlock", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, idx;

	*o = (struct options){
		.wl = { .seed = 1, .base = 0x200000000000ULL, .scale = 1,
			.spacer_mib = 64 },
		.exit_after_ms = -1,
	};
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		const char *name = c == 'h' || c == '?' ? "" : longopts[idx].name;

		switch (c) {
		case 's':
			if (parse_uint(name, optarg, 0, UINT64_MAX, &o->wl.seed))
				return -EINVAL;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'x':
			if (parse_uint(name, optarg, 0, INT32_MAX, &v))
				return -EINVAL;
			o->exit_after_ms = (int64_t)v;
			break;
		case 'S':
			if (parse_uint(name, optarg, 1, MAX_SCALE, &v))
				return -EINVAL;
			o->wl.scale = (unsigned int)v;
			break;
		case 'O':
			if (wl_check_only(optarg))
				return -EINVAL;
			o->wl.only = optarg;
			break;
		case 'p':
			if (parse_uint(name, optarg, 0, MAX_SPACER_MIB, &v))
				return -EINVAL;
			o->wl.spacer_mib = (unsigned int)v;
			break;
		case 'b':
			if (parse_uint(name, optarg, 0, 0x7fffffffffffULL, &v) ||
			    !v || v % KC_WIN_SIZE) {
				fprintf(stderr, "kc-workload: --base must be a nonzero multiple of 2 MiB\n");
				return -EINVAL;
			}
			o->wl.base = v;
			break;
		case 't':
			if (parse_uint(name, optarg, 0, MAX_THREADS, &v))
				return -EINVAL;
			o->threads = (unsigned int)v;
			break;
		case 'C':
			o->self_test_corrupt = 1;
			break;
		case 'D':
			o->self_test_drop = 1;
			break;
		case 'U':
			if (parse_uint(name, optarg, 0, 1024, &v))
				return -EINVAL;
			o->pin_uring = (unsigned int)v;
			break;
		case 'P':
			if (parse_uint(name, optarg, 0, 256, &v))
				return -EINVAL;
			o->pin_splice = (unsigned int)v;
			break;
		case 'F':
			o->fork_child = 1;
			break;
		case 'H':
			o->fork_child = 2;
			break;
		case 'M':
			if (parse_mempolicy(optarg, o))
				return -EINVAL;
			break;
		case 'L':
			o->mlock = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* --threads: extra threads that only sleep, each reporting its tid. */
struct sleepers {
	pthread_barrier_t started;
	pid_t tids[MAX_THREADS];
	unsigned int count;
};

struct sleeper_arg {
	struct sleepers *s;
	unsigned int index;
};

static struct sleeper_arg sleeper_args[MAX_THREADS];

static void *sleeper(void *p)
{
	struct sleeper_arg *a = p;

	a->s->tids[a->index] = gettid();
	pthread_barrier_wait(&a->s->started);
	for (;;)
		pause();	/* every signal is blocked: sleeps forever */
	return NULL;
}

static int start_sleepers(struct sleepers *s, unsigned int n)
{
	int err;

	s->count = n;
	if (!n)
		return 0;
	err = pthread_barrier_init(&s->started, NULL, n + 1);
	if (err)
		return -err;
	for (unsigned int i = 0; i < n; i++) {
		pthread_t t;

		sleeper_args[i] = (struct sleeper_arg){ s, i };
		err = pthread_create(&t, NULL, sleeper, &sleeper_args[i]);
		if (err) {
			fprintf(stderr, "kc-workload: pthread_create: %s\n",
				strerror(err));
			_exit(1);	/* others wait on the barrier forever */
		}
		pthread_detach(t);
	}
	pthread_barrier_wait(&s->started);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --self-test-*: damage the heap once, before the first verification. */
static void self_test_damage(struct wl_layout *l, const struct options *o,
			     int out)
{
	uint64_t addr;

	if (o->self_test_corrupt) {
		if (wl_corrupt(l, &addr))
			fprintf(stderr, "kc-workload: --self-test-corrupt: no writable expected page\n");
		else
			kc_printf(out, "corrupt 0x%llx\n", (unsigned long long)addr);
	}
	if (o->self_test_drop) {
		if (wl_drop(l, &addr))
			fprintf(stderr, "kc-workload: --self-test-drop: no writable expected page\n");
		else
			kc_printf(out, "drop 0x%llx\n", (unsigned long long)addr);
	}
}

/* Serve signals until SIGTERM/SIGINT or the --exit-after-ms deadline. */
static int serve(struct wl_layout *l, const struct options *o, int out,
		 int sfd)
{
	int64_t deadline = o->exit_after_ms >= 0 ? now_ms() + o->exit_after_ms
						 : -1;
	int damaged = 0;

	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		struct signalfd_siginfo si;
		int timeout = -1, n;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		n = poll(&pfd, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("kc-workload: poll");
			return 1;
		}
		if (n == 0) {
			kc_printf(out, "exit timeout\n");
			return 0;
		}
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGUSR1:
			if (!damaged)
				self_test_damage(l, o, out);
			damaged = 1;
			wl_verify(l, out);
			break;
		case SIGUSR2:
			wl_report(l, out, "state ", 1);
			kc_printf(out, "state end\n");
			break;
		case SIGHUP:
			wl_exercise(l, out);
			break;
		case SIGURG:
			wl_in_process_collapse(out);
			break;
		case SIGWINCH:
			wl_touch(l, 8, out);
			break;
		default:	/* SIGTERM, SIGINT */
			kc_printf(out, "exit signal %u\n", si.ssi_signo);
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct sleepers sleepers = { .count = 0 };
	struct wl_layout layout;
	struct options o;
	int out = STDOUT_FILENO, sfd, err, ret = 1;
	sigset_t set;

	if (parse_options(argc, argv, &o))
		return 2;
	/* Block before any thread exists, so every thread inherits it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGURG);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("kc-workload: signalfd");
		return 1;
	}
	if (o.out) {
		out = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "kc-workload: %s: %s\n", o.out,
				strerror(errno));
			return 1;
		}
	}
	/* before the heap exists: every page of it is placed by the policy */
	if (o.mpol_mode != MPOL_DEFAULT &&
	    syscall(SYS_set_mempolicy, o.mpol_mode, &o.mpol_nodes,
		    MAX_NODE + 2)) {
		fprintf(stderr, "kc-workload: --mempolicy: set_mempolicy: %s\n",
			strerror(errno));
		return 1;
	}
	err = wl_layout_init(&layout, &o.wl);
	if (!err)
		err = wl_layout_build(&layout);
	if (!err)
		err = wl_report(&layout, out, "", 0);
	if (err) {
		fprintf(stderr, "kc-workload: setup failed: %s\n", strerror(-err));
		goto out;
	}
	/*
	 * On fault: locks the pages there are, faults in none of the holes.
	 * The system call itself: ASan's mlockall() does nothing.
	 */
	if (o.mlock &&
	    syscall(SYS_mlockall, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {
		fprintf(stderr, "kc-workload: --mlock: mlockall: %s\n",
			strerror(errno));
		goto out;
	}
	err = wl_pin(&layout, o.pin_uring, o.pin_splice, out);
	if (err) {
		fprintf(stderr, "kc-workload: pin: %s\n", strerror(-err));
		goto out;
	}
	if (o.fork_child) {
		err = wl_fork_child(out);
		if (!err && o.fork_child == 2)
			wl_unshare_half(&layout, out);
		if (err) {
			fprintf(stderr, "kc-workload: fork: %s\n", strerror(-err));
			goto out;
		}
	}
	err = start_sleepers(&sleepers, o.threads);
	if (err) {
		fprintf(stderr, "kc-workload: threads: %s\n", strerror(-err));
		goto out;
	}
	for (unsigned int i = 0; i < sleepers.count; i++)
		kc_printf(out, "thread %d\n", (int)sleepers.tids[i]);
	kc_printf(out, "ready %d\n", (int)getpid());
	ret = serve(&layout, &o, out, sfd);
out:
	wl_layout_free(&layout);
	close(sfd);
	if (out != STDOUT_FILENO)
		close(out);
	return ret;
}
