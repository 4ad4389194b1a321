// SPDX-License-Identifier: MIT
/*
 * kcollapsectl as a user runs it: exit codes, stdout and stderr.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/capability.h>

#include "test.h"

#ifndef KCOLLAPSECTL_BIN
#error "KCOLLAPSECTL_BIN must name the built kcollapsectl"
#endif

#define MODULE_MISSING \
	"kcollapsectl: kcollapse module not loaded (family \"kcollapse\" not found)\n"

/* A capability run() drops from the bounding set before exec, or -1. */
static int run_drop_cap = -1;

struct run {
	int status;	/* exit code, or -1 */
	char out[8192];
	char err[8192];
};

static void drain(int fd, char *buf, size_t cap, size_t *len, bool *open)
{
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);

	if (n > 0)
		*len += (size_t)n;
	else if (n == 0 || errno != EINTR)
		*open = false;
	buf[*len] = '\0';
}

/* Run kcollapsectl with the NULL-terminated arguments. */
static void run(struct run *r, ...)
{
	const char *argv[16] = { KCOLLAPSECTL_BIN };
	int out[2], err[2], status, argc = 1;
	size_t out_len = 0, err_len = 0;
	bool out_open = true, err_open = true;
	const char *a;
	va_list ap;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	va_start(ap, r);
	while ((a = va_arg(ap, const char *)) && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (run_drop_cap >= 0 &&
		    prctl(PR_CAPBSET_DROP, run_drop_cap, 0, 0, 0) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (out_open || err_open) {
		struct pollfd p[2] = {
			{ .fd = out_open ? out[0] : -1, .events = POLLIN },
			{ .fd = err_open ? err[0] : -1, .events = POLLIN },
		};

		if (poll(p, 2, 30000) <= 0)
			break;
		if (p[0].revents)
			drain(out[0], r->out, sizeof(r->out), &out_len, &out_open);
		if (p[1].revents)
			drain(err[0], r->err, sizeof(r->err), &err_len, &err_open);
	}
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every line of @s shorter than 80 columns. */
static bool fits_80(const char *s)
{
	const char *nl;

	for (; *s; s = nl + 1) {
		nl = strchrnul(s, '\n');
		if (nl - s >= 80)
			return false;
		if (!*nl)
			break;
	}
	return true;
}

/* @s with every run of newlines and spaces as one space (unwrapped). */
static const char *unwrap(const char *s)
{
	static char buf[8192];
	size_t n = 0;

	for (; *s && n + 1 < sizeof(buf); s++) {
		if ((*s == ' ' || *s == '\n') && n && buf[n - 1] == ' ')
			continue;
		buf[n++] = *s == '\n' ? ' ' : *s;
	}
	buf[n] = '\0';
	return buf;
}

static bool module_loaded(void)
{
	return access("/sys/module/kcollapse", F_OK) == 0;
}

void test_cli_usage(void)
{
	struct run r;

	run(&r, NULL);
	CHECK_INT(r.status, 2);
	CHECK(strstr(r.err, "Usage: kcollapsectl <cmd>") != NULL);
	CHECK_STR(r.out, "");

	run(&r, "help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "collapse") && strstr(r.out, "cancel") &&
	      strstr(r.out, "info") && strstr(r.out, "frames"));
	CHECK_STR(r.err, "");
	CHECK(fits_80(r.out));

	run(&r, "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "Usage: kcollapsectl <cmd>") != NULL);

	/* The usage wrapped below 80 columns, options kept whole. */
	run(&r, "collapse", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(fits_80(r.out));
	CHECK(strstr(unwrap(r.out), "Usage: kcollapsectl collapse PID "
		      "[--range START:LEN] [--deadline-ms N] [--min-fill N] "
		      "[--mark-hugepage] [--dry-run] [--mode collapse|pack|auto] "
		      "[--auto-threshold N] [--hot-first] "
		      "[--engine auto|kmod|userspace] [--json] ") != NULL);
	CHECK(strstr(r.out, "\n                             [--min-fill N]") !=
	      NULL);
	run(&r, "cancel", "-h", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "Usage: kcollapsectl cancel PID "
		      "[--engine auto|kmod|userspace]\n") != NULL);
	run(&r, "info", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(fits_80(r.out));
	CHECK(strstr(r.out, "auto (default)") != NULL);
	run(&r, "frames", "--help", NULL);
	CHECK_INT(r.status, 0);
	CHECK(fits_80(r.out));

	/* help SUBCMD is SUBCMD --help. */
	run(&r, "help", "collapse", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "Usage: kcollapsectl collapse PID ", 33) == 0);
	CHECK_STR(r.err, "");
	run(&r, "help", "frames", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "Usage: kcollapsectl frames PID ", 31) == 0);
	run(&r, "help", "clear-accessed", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "Usage: kcollapsectl clear-accessed PID\n", 39) == 0);
	CHECK(fits_80(r.out));
	run(&r, "help", NULL);
	CHECK(strstr(r.out, "  clear-accessed\n") != NULL);
	run(&r, "help", "bogus", NULL);
	CHECK_INT(r.status, 2);
	CHECK(strstr(r.err, "no subcommand 'bogus'") != NULL);
	CHECK_STR(r.out, "");

	run(&r, "--version", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.out, "kcollapsectl ", 13) == 0);
}

/*
 * A usage error: exit 2, a reason line and the usage (wrapped below 80
 * columns), nothing on stdout.
 */
static void usage_error(const char *reason, const char *a, const char *b,
			const char *c, const char *d)
{
	struct run r;

	run(&r, a, b, c, d, NULL);
	if (r.status != 2 || !strstr(r.err, reason) ||
	    !strstr(r.err, "\nUsage: kcollapsectl ") || count_lines(r.err) < 2 ||
	    !fits_80(strchr(r.err, '\n')) ||
	    strncmp(r.err, "kcollapsectl: ", 14) || r.out[0])
		t_fail(__FILE__, __LINE__, "%s %s %s %s: status %d, stderr \"%s\"",
		       a, b ? b : "", c ? c : "", d ? d : "", r.status, r.err);
}

void test_cli_usage_errors(void)
{
	struct run r;

	run(&r, "frobnicate", NULL);
	CHECK_INT(r.status, 2);
	CHECK(strstr(r.err, "invalid subcommand 'frobnicate'") != NULL);

	usage_error("missing PID", "collapse", NULL, NULL, NULL);
	usage_error("invalid PID 'abc'", "collapse", "abc", NULL, NULL);
	usage_error("invalid PID '0'", "collapse", "0", NULL, NULL);
	usage_error("invalid PID '12x'", "collapse", "12x", NULL, NULL);
	usage_error("invalid PID '99999999999'", "collapse", "99999999999",
		    NULL, NULL);
	usage_error("unknown option '-1'", "collapse", "-1", NULL, NULL);
	usage_error("unexpected argument '2'", "collapse", "1", "2", NULL);
	usage_error("unknown option '--bogus'", "collapse", "1", "--bogus", NULL);
	usage_error("option '--range' needs a value", "collapse", "1", "--range",
		    NULL);
	usage_error("invalid --range '4096'", "collapse", "1", "--range", "4096");
	usage_error("invalid --range '0x1000:0'", "collapse", "1", "--range",
		    "0x1000:0");
	usage_error("invalid --range 'x:1'", "collapse", "1", "--range=x:1",
		    NULL);
	usage_error("invalid --deadline-ms '-1'", "collapse", "1",
		    "--deadline-ms", "-1");
	usage_error("invalid --deadline-ms '4294967296'", "collapse", "1",
		    "--deadline-ms", "4294967296");
	usage_error("invalid --min-fill '0'", "collapse", "1", "--min-fill", "0");
	usage_error("invalid --min-fill '513'", "collapse", "1", "--min-fill",
		    "513");
	usage_error("invalid --min-fill '1.5'", "collapse", "1", "--min-fill",
		    "1.5");
	usage_error("missing PID", "cancel", NULL, NULL, NULL);
	usage_error("invalid PID '-3'", "cancel", "--", "-3", NULL);
	usage_error("unexpected argument 'now'", "info", "now", NULL, NULL);
	usage_error("unknown option '--yaml'", "info", "--yaml", NULL, NULL);
	usage_error("missing PID", "frames", NULL, NULL, NULL);
	usage_error("--hot-first needs --mode pack or auto", "collapse", "1",
		    "--hot-first", NULL);
	usage_error("--hot-first needs --mode pack or auto", "collapse", "1",
		    "--hot-first", "--mode=collapse");
	usage_error("missing PID", "clear-accessed", NULL, NULL, NULL);
	usage_error("invalid PID 'x'", "clear-accessed", "x", NULL, NULL);
	usage_error("unexpected argument '2'", "clear-accessed", "1", "2", NULL);
	usage_error("invalid --range '1:2:3'", "frames", "1", "--range", "1:2:3");
}

void test_cli_module_missing(void)
{
	struct run r;

	if (module_loaded()) {
		t_skip("the kcollapse module is loaded");
		return;
	}
	/*
	 * Valid command lines for the module's engine: exit 1 with exactly
	 * one line on stderr. (The default engine, auto, falls back to
	 * userspace instead: see test_cli_engine.)
	 */
	run(&r, "collapse", "1", "--engine", "kmod", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, MODULE_MISSING);
	CHECK_STR(r.out, "");

	run(&r, "collapse", "1", "--json", "--dry-run", "--range",
	    "0x7f0000000000:64M", "--deadline-ms", "100", "--min-fill", "64",
	    "--mark-hugepage", "--engine=kmod", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, MODULE_MISSING);
	CHECK_STR(r.out, "");

	run(&r, "cancel", "1", "--engine", "kmod", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, MODULE_MISSING);

	run(&r, "info", "--engine", "kmod", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, MODULE_MISSING);
	run(&r, "info", "--engine", "kmod", "--json", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, MODULE_MISSING);
	CHECK_STR(r.out, "");

	/* info's default, the auto engine's view: the module's absence said
	 * once, the choice, exit 0. */
	run(&r, "info", NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK(strstr(r.out, "module:                 kcollapse module not "
		      "loaded") != NULL);
	CHECK(strstr(r.out, "collapse uses:") != NULL);
	CHECK(strstr(r.out, "collapse uses:") &&
	      !strstr(strstr(r.out, "collapse uses:"), "not loaded"));
	run(&r, "info", "--json", NULL);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "\"module\":null") != NULL);
	CHECK(strstr(r.out, "\"selectedEngine\":") != NULL);
}

void test_cli_frames(void)
{
	const size_t win = 2UL << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	struct json_object *obj, *v;
	char pid[16], range[64];
	struct run r;
	uintptr_t base;
	char *raw;

	/* Our own aligned region, touched at 3 pages of one window. */
	raw = mmap(NULL, 2 * win, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED);
	if (raw == MAP_FAILED)
		return;
	base = ((uintptr_t)raw + win - 1) & ~(uintptr_t)(win - 1);
	CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0);
	((char *)base)[0] = 1;
	((char *)base)[page * 10] = 1;
	((char *)base)[page * 300] = 1;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(range, sizeof(range), "0x%lx:2M", (unsigned long)base);

	run(&r, "frames", pid, "--range", range, "--json", NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK_INT(count_lines(r.out), 1);
	obj = json_tokener_parse(r.out);
	CHECK(obj != NULL);
	if (obj) {
		CHECK(json_object_object_get_ex(obj, "presentPages", &v) &&
		      json_object_get_int64(v) == 3);
		CHECK(json_object_object_get_ex(obj, "liveWindows", &v) &&
		      json_object_get_int64(v) == 1);
		CHECK(json_object_object_get_ex(obj, "regions", &v) &&
		      json_object_get_int64(v) == 1);
		CHECK(json_object_object_get_ex(obj, "frames", &v) &&
		      json_object_get_int64(v) >= 1 &&
		      json_object_get_int64(v) <= 3);
		CHECK(json_object_object_get_ex(obj, "pid", &v) &&
		      json_object_get_int64(v) == getpid());
		json_object_put(obj);
	}

	run(&r, "frames", pid, "--range", range, NULL);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "  present pages:          3\n") != NULL);
	munmap(raw, 2 * win);

	/* clear-accessed: our own pages (the module is not needed). */
	run(&r, "clear-accessed", pid, NULL);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK(strstr(r.out, "accessed bits cleared") != NULL);
	run(&r, "clear-accessed", "2147483000", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "kcollapsectl: clear-accessed pid 2147483000: no such "
		  "process: 2147483000\n");
	CHECK_STR(r.out, "");

	/* No such process: exit 1, one line. */
	run(&r, "frames", "2147483000", NULL);
	CHECK_INT(r.status, 1);
	CHECK_STR(r.err, "kcollapsectl: frames pid 2147483000: no such process: "
		  "2147483000\n");
	CHECK_STR(r.out, "");
}

/*
 * A refusal names the capability actually missing, once: the userspace
 * engine without CAP_SYS_ADMIN, process_madvise() without CAP_SYS_NICE.
 */
void test_cli_capabilities(void)
{
	char pid[16], want[256];
	struct run r;

	if (geteuid() != 0 || module_loaded()) {
		t_skip("needs root and the userspace engine");
		return;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());

	run_drop_cap = CAP_SYS_ADMIN;
	run(&r, "collapse", pid, "--engine", "userspace", NULL);
	run_drop_cap = -1;
	CHECK_INT(r.status, 1);
	snprintf(want, sizeof(want), "kcollapsectl: collapse pid %s: "
		 "permission denied: the userspace engine needs CAP_SYS_ADMIN "
		 "(page frame numbers)\n", pid);
	CHECK_STR(r.err, want);

	run_drop_cap = CAP_SYS_NICE;
	run(&r, "collapse", pid, "--engine", "userspace", NULL);
	run_drop_cap = -1;
	CHECK_INT(r.status, 1);
	snprintf(want, sizeof(want), "kcollapsectl: collapse pid %s: "
		 "permission denied: process_madvise() on pid %s refused: "
		 "CAP_SYS_NICE is needed\n", pid, pid);
	CHECK_STR(r.err, want);
}
