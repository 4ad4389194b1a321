// SPDX-License-Identifier: MIT
/*
 * Opening and closing a connection to the kcollapse family.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (!h->sk)
		return kc_oom(NULL);
	/*
	 * Every request of the family has exactly one reply, its result or
	 * its error: no ack. (A COLLAPSE's ack would come when it starts,
	 * before its result.)
	 */
	nl_socket_disable_auto_ack(h->sk);
	err = genl_connect(h->sk);
	if (err < 0) {
		int sys = errno;

		/* libnl folds many errnos into "Unspecific failure". */
		kc_set_error(NULL, "cannot open a generic netlink socket: %s (%s)",
			     nl_geterror(err), strerror(sys));
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

static bool kc_out_of_resources(int err)
{
	return err == ENOMEM || err == ENFILE || err == EMFILE;
}

/*
 * 1 if the module is loaded and not on its way out, 0 if not (a file that
 * is missing, vanishes or fails while read is a module being removed),
 * -errno if that cannot be told (out of memory or file descriptors).
 */
static int kc_module_live(void)
{
	char state[8] = "";
	FILE *f = fopen("/sys/module/kcollapse/initstate", "re");
	int err = 0;

	if (!f)
		return kc_out_of_resources(errno) ? -errno : 0;
	errno = 0;
	if (!fgets(state, sizeof(state), f))
		err = kc_out_of_resources(errno) ? -errno : 0;
	fclose(f);
	return err ? err : !strncmp(state, "live", 4);
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
		return kc_ret(kc_oom(NULL));
	err = kc_connect(h);
	if (err < 0)
		goto err_free_handle;

	/*
	 * libnl reports any failed lookup as "not found", a lost reply (the
	 * kernel out of memory) too: only a module that is not there is.
	 */
	err = genl_ctrl_resolve(h->sk, KCOLLAPSE_GENL_NAME);
	if (err == -NLE_OBJ_NOTFOUND) {
		int live = kc_module_live();

		if (!live) {
			kc_set_error(NULL, "kcollapse module not loaded (family \""
				     KCOLLAPSE_GENL_NAME "\" not found)");
			err = -ENOENT;
		} else if (live > 0) {
			kc_set_error(NULL, "the kcollapse module is loaded but "
				     "the lookup of its generic netlink family "
				     "failed (kernel out of memory?)");
			err = -EIO;
		} else {
			kc_set_error(NULL, "the lookup of the generic netlink "
				     "family \"" KCOLLAPSE_GENL_NAME "\" failed, "
				     "and /sys/module/kcollapse is unreadable: %s",
				     strerror(-live));
			err = -EIO;
		}
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
