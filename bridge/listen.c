// SPDX-License-Identifier: MIT
/*
 * Listen addresses.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/un.h>

#include "listen.h"

static int kcd_parse_port(const char *s, in_port_t *port)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

static int kcd_unix_parse(const char *path, struct kcd_addr *out)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&out->ss;

	/* Absolute: a relative one would depend on the working directory. */
	if (path[0] != '/' || strlen(path) >= sizeof(un->sun_path))
		return -EINVAL;
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, path);
	out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			       strlen(path) + 1);
	return 0;
}

int kcd_addr_parse(const char *s, struct kcd_addr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	if (!strncmp(s, "unix:", 5))
		return kcd_unix_parse(s + 5, out);
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - s);
	}
	if (!n || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';

	if (*s == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		out->len = sizeof(*a6);
		return kcd_parse_port(colon + 1, &a6->sin6_port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&out->ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		a4->sin_family = AF_INET;
		out->len = sizeof(*a4);
		return kcd_parse_port(colon + 1, &a4->sin_port);
	}
}

bool kcd_addr_is_loopback(const struct kcd_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const void *)&a->ss;

		return (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const void *)&a->ss;
		const uint8_t *b = a6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr) && b[12] == 127;
	}
	return false;
}

void kcd_addr_format(const struct kcd_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a6->sin6_port));
	} else if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const void *)&a->ss;

		inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a4->sin_port));
	} else if (a->ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)&a->ss;

		snprintf(buf, len, "unix:%s", un->sun_path);
	} else {
		snprintf(buf, len, "?");
	}
}

/* Is a process listening on the unix socket @a? */
static bool kcd_unix_alive(const struct kcd_addr *a)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return true;	/* cannot tell: leave it alone */
	alive = connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0 ||
		errno != ECONNREFUSED;
	close(fd);
	return alive;
}

static int kcd_listen_unix(int fd, const struct kcd_addr *a, mode_t mode)
{
	const struct sockaddr_un *un = (const void *)&a->ss;

	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if (errno != EADDRINUSE || kcd_unix_alive(a))
			return -1;
		/* A socket file nobody listens on: left by a crash. */
		if (unlink(un->sun_path) < 0 ||
		    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
			return -1;
	}
	/* The peer credential check decides; the mode only narrows it. */
	return chmod(un->sun_path, mode);
}

void kcd_unlisten(const struct kcd_addr *a)
{
	const struct sockaddr_un *un = (const void *)&a->ss;

	if (a->ss.ss_family == AF_UNIX)
		unlink(un->sun_path);
}

int kcd_peer_cred(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	*uid = cred.uid;
	*pid = cred.pid;
	return 0;
}

int kcd_listen(const struct kcd_addr *a, struct kcd_addr *bound,
	       mode_t unix_mode)
{
	int fd, one = 1, err;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (a->ss.ss_family == AF_UNIX) {
		if (kcd_listen_unix(fd, a, unix_mode) < 0 || listen(fd, 64) < 0)
			goto err;
		*bound = *a;
		return fd;
	}
	/* Restart right away after a crash, even with old connections. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto err;
	/* [::]:N means IPv6 only; listen on 0.0.0.0 separately if wanted. */
	if (a->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto err;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		goto err;
	if (listen(fd, 64) < 0)
		goto err;
	bound->len = sizeof(bound->ss);
	if (getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len) < 0)
		goto err;
	return fd;
err:
	err = -errno;
	close(fd);
	return err;
}
