// SPDX-License-Identifier: GPL-2.0
/*
 * --pin-uring N, --pin-splice N, --fork-child: make some of the heap's
 * pages immovable the ways a real program does, for the pack tests.
 *   uring:  registered as io_uring fixed buffers (pin_user_pages(),
 *           FOLL_PIN | FOLL_LONGTERM), held until exit;
 *   splice: vmspliced into a pipe nobody reads (page references);
 *   fork:   a child that only sleeps shares every page copy-on-write
 *           (--fork-child-half: then every other present page is written
 *           again, so shared and private pages alternate).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kc-common.h"
#include "layout.h"

/* The first @n expected pages of writable, not-huge VMAs. */
static size_t pick_pages(const struct wl_layout *l, size_t n,
			 struct iovec *iov)
{
	size_t got = 0;

	for (size_t i = 0; i < l->nvmas && got < n; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected || !v->mapped ||
		    (v->spec->flags & (WL_READONLY | WL_HUGE)))
			continue;
		for (uint64_t pg = 0; pg < v->npages && got < n; pg++) {
			if (!wl_expected(v, pg))
				continue;
			iov[got].iov_base = (void *)(uintptr_t)(v->start +
								pg * KC_PAGE_SIZE);
			iov[got++].iov_len = KC_PAGE_SIZE;
		}
	}
	return got;
}

static int pin_uring(struct iovec *iov, size_t n)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = (int)syscall(__NR_io_uring_setup, 1, &p);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, iov,
		    (unsigned int)n) < 0)
		return -errno;
	return 0;	/* the ring stays open: the pins last until exit */
}

static int pin_splice(struct iovec *iov, size_t n)
{
	int fds[2];

	if (pipe(fds))
		return -errno;
	/* room for every page: the pipe is never read */
	if (fcntl(fds[1], F_SETPIPE_SZ, (int)(n * KC_PAGE_SIZE)) < 0)
		return -errno;
	for (size_t i = 0; i < n; i++)
		if (vmsplice(fds[1], &iov[i], 1, 0) != (ssize_t)KC_PAGE_SIZE)
			return errno ? -errno : -EIO;
	return 0;
}

int wl_pin(const struct wl_layout *l, unsigned int uring, unsigned int splice,
	   int out)
{
	size_t n = (size_t)uring + splice, got;
	struct iovec *iov;
	int err = 0;

	if (!n)
		return 0;
	iov = calloc(n, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	got = pick_pages(l, n, iov);
	if (got < n) {
		free(iov);
		return -ERANGE;
	}
	if (uring)
		err = pin_uring(iov, uring);
	if (!err && splice)
		err = pin_splice(iov + uring, splice);
	if (!err)
		kc_printf(out, "pinned uring=%u splice=%u first=0x%llx\n", uring,
			  splice, (unsigned long long)(uintptr_t)iov[0].iov_base);
	free(iov);
	return err;
}

int wl_fork_child(int out)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	kc_printf(out, "child %d\n", (int)pid);
	return 0;
}

/* Visit every other expected page; unshare it if @sp, else count it. */
static uint64_t unshare_pass(const struct wl_layout *l, struct wl_spacer *sp)
{
	uint64_t p, k = 0, unshared = 0;

	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected || !v->mapped)
			continue;
		for (p = 0; p < v->npages; p++) {
			volatile uint8_t *b;

			if (!wl_expected(v, p) || k++ % 2 == 0)
				continue;
			if (sp) {
				/* the same byte again: a copy-on-write fault */
				b = (volatile uint8_t *)(uintptr_t)(v->start +
								 p * KC_PAGE_SIZE);
				*b = *b;
				wl_spacer_after(sp, unshared);
			}
			unshared++;
		}
	}
	return unshared;
}

void wl_unshare_half(const struct wl_layout *l, int out)
{
	struct wl_spacer sp;
	uint64_t n = unshare_pass(l, NULL);

	/*
	 * The copies scattered as the originals were; if the spacer cannot
	 * be had (said on stderr), they are adjacent.
	 */
	(void)wl_spacer_open(&sp, l->spacer_mib, n);
	kc_printf(out, "unshared %llu\n", (unsigned long long)unshare_pass(l, &sp));
	wl_spacer_close(&sp);
}
