// SPDX-License-Identifier: GPL-2.0
/*
 * kc-runas [-d CAP]... UID GID CMD [ARGS...]: drop every supplementary
 * group, drop each capability CAP (a number) from the bounding set, so
 * that CMD does not get it even as root, become GID and UID, then execvp
 * CMD. For testing that unprivileged callers, and root without a given
 * capability, are refused. Exit status 126 if the ids or capabilities
 * cannot be set, 127 if CMD cannot run.
 */
#include "kc-common.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t uid, gid, cap;

	while (argc > 2 && !strcmp(argv[1], "-d")) {
		if (kc_parse_u64(argv[2], 10, &cap) || cap > 63) {
			fprintf(stderr, "kc-runas: -d wants a capability number\n");
			return 2;
		}
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0)) {
			perror("kc-runas: PR_CAPBSET_DROP");
			return 126;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || kc_parse_u64(argv[1], 10, &uid) || uid >= UINT32_MAX ||
	    kc_parse_u64(argv[2], 10, &gid) || gid >= UINT32_MAX) {
		fprintf(stderr, "usage: kc-runas [-d CAP]... UID GID CMD [ARGS...]\n");
		return 2;
	}
	if (setgroups(0, NULL)) {
		perror("kc-runas: setgroups");
		return 126;
	}
	if (setgid((gid_t)gid)) {
		perror("kc-runas: setgid");
		return 126;
	}
	if (setuid((uid_t)uid)) {
		perror("kc-runas: setuid");
		return 126;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "kc-runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
