/* SPDX-License-Identifier: MIT */
/*
 * Noticing that a client went away while its operation runs. A suspended
 * libmicrohttpd connection is out of MHD's poll set ("MHD will not detect
 * disconnects by the client"), so one thread polls the sockets of every
 * running operation for POLLRDHUP/POLLHUP/POLLERR and calls back once per
 * hang-up. An eventfd wakes it when the set changes.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_WATCH_H
#define KCD_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define KCD_WATCH_MAX 64

typedef void (*kcd_hangup_fn)(void *item);

struct kcd_watch {
	pthread_t thread;
	pthread_mutex_t lock;
	int efd;
	bool stop;
	kcd_hangup_fn hangup;
	unsigned long long seq;	/* tells a reused item and fd apart */
	size_t n;
	struct {
		void *item;
		int fd;
		unsigned long long id;
	} v[KCD_WATCH_MAX];
};

/* kcd_watch_start() - 0 or -errno. @hangup runs on the watch thread. */
int kcd_watch_start(struct kcd_watch *w, kcd_hangup_fn hangup);
void kcd_watch_stop(struct kcd_watch *w);

/* kcd_watch_add() - watch @fd for @item: 0 or -ENOSPC. */
int kcd_watch_add(struct kcd_watch *w, void *item, int fd);

/*
 * kcd_watch_remove() - stop watching @item. Once it returns, @hangup is
 * not running for @item and never will be (it runs under the same lock).
 */
void kcd_watch_remove(struct kcd_watch *w, void *item);

#endif /* KCD_WATCH_H */
