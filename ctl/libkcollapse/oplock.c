// SPDX-License-Identifier: MIT
/*
 * Per-target lock files for the userspace engine (see oplock.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oplock.h"

static const char *kc_run_dir(void)
{
	const char *d = secure_getenv(KC_RUN_DIR_ENV);

	return d && *d ? d : KC_RUN_DIR_DEFAULT;
}

static int kc_lock_path(pid_t tgid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%d.lock", kc_run_dir(), (int)tgid);

	if (n < 0 || (size_t)n >= len) {
		kc_set_error(NULL, "%s is too long a directory name",
			     KC_RUN_DIR_ENV);
		return -ENAMETOOLONG;
	}
	return 0;
}

static int kc_make_run_dir(void)
{
	const char *dir = kc_run_dir();

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	kc_set_error(NULL, "cannot create %s: %s (set %s to another directory)",
		     dir, strerror(errno), KC_RUN_DIR_ENV);
	return -errno;
}

static int kc_ofd_lock(int fd, short type, int cmd)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, cmd, &fl) < 0 ? -errno : 0;
}

/*
 * Is the file we locked still the one at the path? A previous holder
 * unlinks its file before unlocking, so someone who opened that file just
 * before may get the lock on an orphan: then start over.
 */
static bool kc_still_linked(const struct kc_oplock *l)
{
	struct stat a, b;

	return !fstat(l->fd, &a) && !stat(l->path, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int kc_oplock_take(pid_t tgid, struct kc_oplock *l)
{
	int err, tries;

	l->fd = -1;
	err = kc_lock_path(tgid, l->path, sizeof(l->path));
	if (!err)
		err = kc_make_run_dir();
	for (tries = 0; !err && tries < 100; tries++) {
		l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     0600);
		if (l->fd < 0) {
			err = -errno;
			kc_set_error(NULL, "cannot open %s: %s", l->path,
				     strerror(-err));
			return err;
		}
		err = kc_ofd_lock(l->fd, F_WRLCK, F_OFD_SETLK);
		if (err == -EAGAIN || err == -EACCES) {
			kc_set_error(NULL, "a userspace collapse of process %d "
				     "is already running (%s is locked)",
				     (int)tgid, l->path);
			err = -EBUSY;
			break;
		}
		if (err < 0) {
			kc_set_error(NULL, "cannot lock %s: %s", l->path,
				     strerror(-err));
			break;
		}
		if (kc_still_linked(l)) {
			/* Forget a cancel left by a holder that crashed. */
			if (ftruncate(l->fd, 0) < 0) {
				err = -errno;
				kc_set_error(NULL, "cannot truncate %s: %s",
					     l->path, strerror(-err));
				break;
			}
			return 0;
		}
		close(l->fd);
		l->fd = -1;
	}
	if (!err) {
		kc_set_error(NULL, "%s keeps being replaced", l->path);
		err = -EAGAIN;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	return err;
}

bool kc_oplock_cancel_requested(const struct kc_oplock *l)
{
	struct stat st;

	return !fstat(l->fd, &st) && st.st_size > 0;
}

void kc_oplock_release(struct kc_oplock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path);
	close(l->fd);
	l->fd = -1;
}

int kc_oplock_cancel(pid_t tgid, unsigned int *cancelled)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[PATH_MAX];
	int fd, err;

	*cancelled = 0;
	err = kc_lock_path(tgid, path, sizeof(path));
	if (err < 0)
		return err;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		kc_set_error(NULL, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		err = -errno;
		kc_set_error(NULL, "cannot query the lock on %s: %s", path,
			     strerror(-err));
	} else if (fl.l_type != F_UNLCK) {
		/* Held: an operation runs. Its size becoming 1 stops it. */
		if (pwrite(fd, "c", 1, 0) == 1)
			*cancelled = 1;
		else
			err = -errno;
		if (err < 0)
			kc_set_error(NULL, "cannot write %s: %s", path,
				     strerror(-err));
	}
	close(fd);
	return err;
}
