// SPDX-License-Identifier: MIT
/*
 * Client hang-up watcher (see watch.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "watch.h"

static void kcd_watch_wake(struct kcd_watch *w)
{
	uint64_t one = 1;

	while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void kcd_watch_drain(struct kcd_watch *w)
{
	uint64_t v;

	while (read(w->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Under w->lock: call back for entry @id if it is still watched. */
static void kcd_watch_fire(struct kcd_watch *w, unsigned long long id)
{
	void *item;
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (w->v[i].id != id)
			continue;
		item = w->v[i].item;
		/* One call per item: drop it from the set first. */
		w->v[i] = w->v[--w->n];
		w->hangup(item);
		return;
	}
}

static void *kcd_watch_main(void *arg)
{
	struct kcd_watch *w = arg;
	struct pollfd p[KCD_WATCH_MAX + 1];
	unsigned long long ids[KCD_WATCH_MAX];
	size_t n, i;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		n = w->n;
		for (i = 0; i < n; i++) {
			/* POLLIN is not asked for: a pipelined request
			 * must not wake us in a loop. */
			p[i] = (struct pollfd){ .fd = w->v[i].fd,
						.events = POLLRDHUP };
			ids[i] = w->v[i].id;
		}
		p[n] = (struct pollfd){ .fd = w->efd, .events = POLLIN };
		pthread_mutex_unlock(&w->lock);

		if (poll(p, n + 1, -1) < 0)
			continue;
		if (p[n].revents)
			kcd_watch_drain(w);
		pthread_mutex_lock(&w->lock);
		for (i = 0; i < n; i++)
			if (p[i].revents & (POLLRDHUP | POLLHUP | POLLERR |
					    POLLNVAL))
				kcd_watch_fire(w, ids[i]);
		pthread_mutex_unlock(&w->lock);
	}
}

int kcd_watch_start(struct kcd_watch *w, kcd_hangup_fn hangup)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->hangup = hangup;
	w->efd = eventfd(0, EFD_CLOEXEC);
	if (w->efd < 0)
		return -errno;
	pthread_mutex_init(&w->lock, NULL);
	err = pthread_create(&w->thread, NULL, kcd_watch_main, w);
	if (err) {
		pthread_mutex_destroy(&w->lock);
		close(w->efd);
		return -err;
	}
	return 0;
}

void kcd_watch_stop(struct kcd_watch *w)
{
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_mutex_unlock(&w->lock);
	kcd_watch_wake(w);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	close(w->efd);
}

int kcd_watch_add(struct kcd_watch *w, void *item, int fd)
{
	int err = 0;

	pthread_mutex_lock(&w->lock);
	if (w->n < KCD_WATCH_MAX) {
		w->v[w->n].item = item;
		w->v[w->n].fd = fd;
		w->v[w->n].id = ++w->seq;
		w->n++;
	} else {
		err = -ENOSPC;
	}
	pthread_mutex_unlock(&w->lock);
	if (!err)
		kcd_watch_wake(w);
	return err;
}

void kcd_watch_remove(struct kcd_watch *w, void *item)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n; i++) {
		if (w->v[i].item == item) {
			w->v[i] = w->v[--w->n];
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	kcd_watch_wake(w);
}
