// SPDX-License-Identifier: MIT
/*
 * Error messages: per handle, or per thread for calls without a handle.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>

#include <netlink/errno.h>

#include "internal.h"

static _Thread_local char kc_thread_err[KC_ERR_LEN];

static char *kc_error_buf(struct kc_handle *h)
{
	return h ? h->err : kc_thread_err;
}

void kc_clear_error(struct kc_handle *h)
{
	kc_error_buf(h)[0] = '\0';
}

void kc_set_error(struct kc_handle *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kc_error_buf(h), KC_ERR_LEN, fmt, ap);
	va_end(ap);
}

const char *kc_last_error(const struct kc_handle *h)
{
	return h ? h->err : kc_thread_err;
}

/* Return @err unchanged, with errno set to match when it is an error. */
int kc_ret(int err)
{
	if (err < 0)
		errno = -err;
	return err;
}

/* -ENOMEM, with a message: a failed allocation must not leave it empty. */
int kc_oom(struct kc_handle *h)
{
	kc_set_error(h, "out of memory");
	return -ENOMEM;
}

/* libnl's own error codes (returned negative) back to -errno. */
int kc_nlerr_to_errno(int nlerr)
{
	static const int map[] = {
		[NLE_FAILURE] = EIO,
		[NLE_INTR] = EINTR,
		[NLE_BAD_SOCK] = EBADF,
		[NLE_AGAIN] = EAGAIN,
		[NLE_NOMEM] = ENOMEM,
		[NLE_EXIST] = EEXIST,
		[NLE_INVAL] = EINVAL,
		[NLE_RANGE] = ERANGE,
		[NLE_MSGSIZE] = EMSGSIZE,
		[NLE_OPNOTSUPP] = EOPNOTSUPP,
		[NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND] = ENOENT,
		[NLE_NOATTR] = EPROTO,
		[NLE_MISSING_ATTR] = EPROTO,
		[NLE_AF_MISMATCH] = EPROTO,
		[NLE_SEQ_MISMATCH] = EPROTO,
		[NLE_MSG_OVERFLOW] = ENOBUFS,
		[NLE_MSG_TRUNC] = EMSGSIZE,
		[NLE_NOADDR] = EADDRNOTAVAIL,
		[NLE_MSG_TOOSHORT] = EPROTO,
		[NLE_MSGTYPE_NOSUPPORT] = EPROTO,
		[NLE_BUSY] = EBUSY,
		[NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
		[NLE_NOACCESS] = EACCES,
		[NLE_PERM] = EPERM,
		[NLE_PARSE_ERR] = EPROTO,
		[NLE_NODEV] = ENODEV,
		[NLE_DUMP_INTR] = EINTR,
		[NLE_ATTRSIZE] = EPROTO,
	};
	unsigned int i = nlerr < 0 ? (unsigned int)-nlerr : (unsigned int)nlerr;

	if (i < sizeof(map) / sizeof(map[0]) && map[i])
		return -map[i];
	return -EIO;
}
