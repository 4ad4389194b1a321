// SPDX-License-Identifier: MIT
/*
 * Access token from a file, re-read when it changes (see token.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "token.h"

bool kcd_ct_equal(const char *expected, size_t expected_len,
		  const char *given, size_t given_len)
{
	volatile unsigned char diff = expected_len != given_len;
	size_t i;

	/* Always walk the whole expected token; past the end of @given,
	 * compare with 0 (the length check above already failed). */
	for (i = 0; i < expected_len; i++) {
		unsigned char g = i < given_len ? (unsigned char)given[i] : 0;

		diff |= (unsigned char)expected[i] ^ g;
	}
	return diff == 0;
}

static bool kcd_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Read the file into t->value; 0 or -errno with t->error set. */
static int kcd_token_read(struct kcd_token *t)
{
	struct stat st;
	ssize_t n = 0;
	size_t len = 0;
	int fd, err = 0;

	t->loaded = false;
	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(t->error, sizeof(t->error), "cannot read token file "
			 "%s: %s", t->path, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (len <= KCD_TOKEN_MAX) {
		n = read(fd, t->value + len, KCD_TOKEN_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0)
		err = -errno;
	close(fd);
	if (!err && len > KCD_TOKEN_MAX)
		err = -EFBIG;
	while (!err && len && strchr(" \t\r\n", t->value[len - 1]))
		len--;
	if (!err && (!len || memchr(t->value, '\0', len)))
		err = -EINVAL;
	if (err) {
		snprintf(t->error, sizeof(t->error), "token file %s: %s",
			 t->path, err == -EINVAL ? "empty, or not text" :
			 err == -EFBIG ? "larger than 4 KiB" : strerror(-err));
		return err;
	}
	t->value[len] = '\0';
	t->len = len;
	t->st = st;
	t->loaded = true;
	t->error[0] = '\0';
	return 0;
}

int kcd_token_init(struct kcd_token *t, const char *path)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->path = path;
	pthread_mutex_init(&t->lock, NULL);
	if (!path)
		return 0;
	err = kcd_token_read(t);
	if (!err && (t->st.st_mode & (S_IRWXG | S_IRWXO)))
		kcd_log(LOG_WARNING, "event=warning msg=\"token file %s is accessible to "
			"group or others (chmod 600 it)\"", path);
	return err;
}

void kcd_token_destroy(struct kcd_token *t)
{
	memset(t->value, 0, sizeof(t->value));
	pthread_mutex_destroy(&t->lock);
}

/* Re-read the file if it is not the one we have; under t->lock. */
static void kcd_token_refresh(struct kcd_token *t)
{
	struct stat st;
	char q[300];

	if (stat(t->path, &st) < 0) {
		if (t->loaded || !t->error[0])
			kcd_log(LOG_ERR, "event=token-unavailable error=%s",
				kcd_log_quote(q, sizeof(q), strerror(errno)));
		t->loaded = false;
		snprintf(t->error, sizeof(t->error), "token file %s: %s",
			 t->path, strerror(errno));
		return;
	}
	if (t->loaded && kcd_same_file(&st, &t->st))
		return;
	if (kcd_token_read(t) == 0)
		kcd_log(LOG_NOTICE, "event=token-reloaded file=%s",
			kcd_log_quote(q, sizeof(q), t->path));
	else
		kcd_log(LOG_ERR, "event=token-unavailable error=%s",
			kcd_log_quote(q, sizeof(q), t->error));
}

enum kcd_auth kcd_token_check(struct kcd_token *t, const char *given)
{
	enum kcd_auth auth;

	if (!t->path)
		return KCD_AUTH_OK;
	if (!given || !*given)
		return KCD_AUTH_MISSING;
	pthread_mutex_lock(&t->lock);
	kcd_token_refresh(t);
	if (!t->loaded)
		auth = KCD_AUTH_UNAVAILABLE;
	else if (kcd_ct_equal(t->value, t->len, given, strnlen(given,
								KCD_TOKEN_MAX + 1)))
		auth = KCD_AUTH_OK;
	else
		auth = KCD_AUTH_WRONG;
	pthread_mutex_unlock(&t->lock);
	return auth;
}
