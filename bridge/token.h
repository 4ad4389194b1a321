/* SPDX-License-Identifier: MIT */
/*
 * The X-Access-Token check. The token is the content of --token-file,
 * trailing white space removed; the file is stat()ed on every check and
 * re-read when it changed (rotation by rename or rewrite needs no signal).
 * A token file that disappears or becomes empty or unreadable denies
 * every request until it is fixed: failing closed, never falling back to
 * an old token that someone meant to revoke.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_TOKEN_H
#define KCD_TOKEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define KCD_TOKEN_MAX 4096

enum kcd_auth {
	KCD_AUTH_OK,
	KCD_AUTH_MISSING,	/* no X-Access-Token header */
	KCD_AUTH_WRONG,
	KCD_AUTH_UNAVAILABLE,	/* the token file cannot be used */
};

struct kcd_token {
	const char *path;	/* NULL: no authentication */
	pthread_mutex_t lock;
	struct stat st;		/* of the file last read */
	bool loaded;
	char value[KCD_TOKEN_MAX + 1];
	size_t len;
	char error[256];	/* why the file cannot be used */
};

/*
 * kcd_token_init() - read @path (NULL: no token, every request allowed).
 * Returns 0, or -errno with a message in t->error (missing, unreadable,
 * empty, larger than KCD_TOKEN_MAX). Warns on stderr if the file is
 * readable by group or others.
 */
int kcd_token_init(struct kcd_token *t, const char *path);
void kcd_token_destroy(struct kcd_token *t);

/* kcd_token_check() - @given is the header value or NULL. Thread safe. */
enum kcd_auth kcd_token_check(struct kcd_token *t, const char *given);

/*
 * kcd_ct_equal() - compare in time that depends on @expected_len only,
 * never on where the first difference is.
 */
bool kcd_ct_equal(const char *expected, size_t expected_len,
		  const char *given, size_t given_len);

#endif /* KCD_TOKEN_H */
