// SPDX-License-Identifier: MIT
/*
 * Opening and closing a connection to the kcollapse family.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include <linux/kcollapse.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Ask for extended ACKs (error strings from the kernel) and make sure
 * receives never time out: a collapse may legitimately take minutes and
 * the kernel bounds it with its own deadline.
 */
static int kc_setup_socket(struct kc_handle *h)
{
	struct timeval no_timeout = { 0 };
	int fd = nl_socket_get_fd(h->sk);
	int one = 1;

	/* Not fatal: kernels before 4.12 just give no messages. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &no_timeout,
		       sizeof(no_timeout)) < 0) {
		int err = -errno;

		kc_set_error(NULL, "cannot clear the socket receive timeout");
		return err;
	}
	return 0;
}

int kc_connect(struct kc_handle *h)
{
	int err;

	h->sk = nl_socket_alloc();
	if (!h->sk) {
		kc_set_error(NULL, "out of memory");
		return -ENOMEM;
	}
	err = genl_connect(h->sk);
	if (err < 0) {
		kc_set_error(NULL, "cannot open a generic netlink socket: %s",
			     nl_geterror(err));
		err = kc_nlerr_to_errno(err);
		goto err_free_sock;
	}
	err = kc_setup_socket(h);
	if (err < 0)
		goto err_free_sock;
	return 0;

err_free_sock:
	nl_socket_free(h->sk);
	h->sk = NULL;
	return err;
}

int kc_open(struct kc_handle **out)
{
	struct kc_handle *h;
	int err;

	kc_clear_error(NULL);
	if (!out) {
		kc_set_error(NULL, "kc_open: no place to store the handle");
		return kc_ret(-EINVAL);
	}
	*out = NULL;

	h = calloc(1, sizeof(*h));
	if (!h)
		return kc_ret(-ENOMEM);
	err = kc_connect(h);
	if (err < 0)
		goto err_free_handle;

	err = genl_ctrl_resolve(h->sk, KCOLLAPSE_GENL_NAME);
	if (err == -NLE_OBJ_NOTFOUND) {
		kc_set_error(NULL, "kcollapse module not loaded (family \""
			     KCOLLAPSE_GENL_NAME "\" not found)");
		err = -ENOENT;
		goto err_free_sock;
	}
	if (err < 0) {
		kc_set_error(NULL, "cannot resolve the generic netlink family \""
			     KCOLLAPSE_GENL_NAME "\": %s", nl_geterror(err));
		err = kc_nlerr_to_errno(err);
		goto err_free_sock;
	}
	h->family = err;

	*out = h;
	return 0;

err_free_sock:
	nl_socket_free(h->sk);
err_free_handle:
	free(h);
	return kc_ret(err);
}

void kc_close(struct kc_handle *h)
{
	if (!h)
		return;
	nl_socket_free(h->sk);
	free(h);
}
