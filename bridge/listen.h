/* SPDX-License-Identifier: MIT */
/*
 * Where kcollapsed listens: "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6,
 * "unix:PATH" for a unix socket (its peers' credentials are checked).
 * The daemon binds the socket itself (then hands it to libmicrohttpd), so
 * that errors name the address and port 0 picks a free port.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_LISTEN_H
#define KCD_LISTEN_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#define KCD_LISTEN_DEFAULT "127.0.0.1:49999"

struct kcd_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * kcd_addr_parse() - parse @s ("127.0.0.1:49999", "[::1]:49999"; numeric
 * addresses only, port 0..65535; "unix:/run/kcollapse.sock", an absolute
 * path). Returns 0 or -EINVAL.
 */
int kcd_addr_parse(const char *s, struct kcd_addr *out);

/* kcd_addr_is_loopback() - 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
bool kcd_addr_is_loopback(const struct kcd_addr *a);

/* kcd_addr_format() - "127.0.0.1:49999", "[::1]:49999" or "unix:PATH". */
void kcd_addr_format(const struct kcd_addr *a, char *buf, size_t len);

/*
 * kcd_listen() - a bound, listening, non-blocking, close-on-exec TCP
 * socket (IPv6: v6 only) or unix socket. Returns the fd, or -errno;
 * @bound receives the actual address (the port chosen for port 0). A unix
 * socket left by a daemon that died is replaced (one that answers is
 * not: -EADDRINUSE); its mode is @unix_mode.
 */
int kcd_listen(const struct kcd_addr *a, struct kcd_addr *bound,
	       mode_t unix_mode);

/* kcd_unlisten() - remove a unix socket's file; nothing for TCP. */
void kcd_unlisten(const struct kcd_addr *a);

/*
 * kcd_peer_uid() - the uid of the process at the other end of unix
 * socket @fd (SO_PEERCRED, as of connect()), and its pid. 0 or -errno.
 */
int kcd_peer_cred(int fd, uid_t *uid, pid_t *pid);

#endif /* KCD_LISTEN_H */
