// SPDX-License-Identifier: MIT
/*
 * Command-line options of kcollapsed.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "request.h"

#define KCD_WINDOW_PAGES 512

#define USAGE \
	"Usage: kcollapsed [--listen ADDR:PORT|unix:PATH] [--token-file PATH]\n" \
	"                  [--allow-uid N] [--unix-no-token]\n" \
	"                  [--insecure-no-token]\n" \
	"                  [--deadline-ms N] [--max-ops N]\n" \
	"                  [--engine auto|kmod|userspace]\n" \
	"                  [--mode collapse|pack|auto] [--min-fill N]\n" \
	"                  [--auto-threshold N] [--hot-first]\n" \
	"                  [--target N|pidfile:PATH|comm:NAME|unit:NAME]\n" \
	"                  [--target-cgroup PATH]\n"

enum {
	OPT_LISTEN = 256,
	OPT_TOKEN_FILE,
	OPT_DEADLINE,
	OPT_MAX_OPS,
	OPT_ENGINE,
	OPT_TARGET_PID,
	OPT_TARGET_PIDFILE,
	OPT_TARGET_COMM,
	OPT_TARGET,
	OPT_TARGET_CGROUP,
	OPT_MODE,
	OPT_MIN_FILL,
	OPT_AUTO_THRESHOLD,
	OPT_HOT_FIRST,
	OPT_ALLOW_UID,
	OPT_UNIX_NO_TOKEN,
	OPT_INSECURE,
	OPT_VERSION,
};

static const struct option kcd_options[] = {
	{ "listen",		required_argument,	NULL, OPT_LISTEN },
	{ "token-file",		required_argument,	NULL, OPT_TOKEN_FILE },
	{ "deadline-ms",	required_argument,	NULL, OPT_DEADLINE },
	{ "max-ops",		required_argument,	NULL, OPT_MAX_OPS },
	{ "engine",		required_argument,	NULL, OPT_ENGINE },
	{ "target-pid",		required_argument,	NULL, OPT_TARGET_PID },
	{ "target-pidfile",	required_argument,	NULL, OPT_TARGET_PIDFILE },
	{ "target-comm",	required_argument,	NULL, OPT_TARGET_COMM },
	{ "target",		required_argument,	NULL, OPT_TARGET },
	{ "target-cgroup",	required_argument,	NULL, OPT_TARGET_CGROUP },
	{ "mode",		required_argument,	NULL, OPT_MODE },
	{ "min-fill",		required_argument,	NULL, OPT_MIN_FILL },
	{ "auto-threshold",	required_argument,	NULL, OPT_AUTO_THRESHOLD },
	{ "hot-first",		no_argument,		NULL, OPT_HOT_FIRST },
	{ "allow-uid",		required_argument,	NULL, OPT_ALLOW_UID },
	{ "unix-no-token",	no_argument,		NULL, OPT_UNIX_NO_TOKEN },
	{ "insecure-no-token",	no_argument,		NULL, OPT_INSECURE },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void kcd_help(void)
{
	fputs(USAGE, stdout);
	puts("\n"
	     "HTTP bridge to kcollapse: POST /collapse consolidates the anonymous\n"
	     "memory of a process (the body's \"pid\", else the default targets)\n"
	     "into 2 MiB hugepages and answers with its statistics as JSON. A\n"
	     "body-less POST /collapse (the orchestrator's) does the configured job.\n"
	     "\n"
	     "  --listen ADDR:PORT     address to listen on, [ADDR]:PORT for IPv6,\n"
	     "                         unix:PATH for a unix socket (default\n"
	     "                         " KCD_LISTEN_DEFAULT ")\n"
	     "  --token-file PATH      requests must carry X-Access-Token equal to\n"
	     "                         this file's content (re-read when it changes);\n"
	     "                         required, whatever the address\n"
	     "  --allow-uid N          unix socket: uid N may connect too (root\n"
	     "                         always may; repeatable)\n"
	     "  --unix-no-token        unix socket: peer credentials only, no token\n"
	     "  --insecure-no-token    TESTS ONLY: anyone who reaches the address may\n"
	     "                         collapse any process (logged at every request)\n"
	     "  --deadline-ms N        default request deadline, 0 for none\n"
	     "                         (default 8000, below the orchestrator's 10 s)\n"
	     "  --max-ops N            collapse requests running at once (default 4)\n"
	     "  --engine E             auto (default), kmod or userspace\n"
	     "  --mode M               default mode: collapse (default), pack, auto\n"
	     "  --min-fill N           default minimum present pages per window\n"
	     "  --auto-threshold N     default fill above which auto collapses\n"
	     "  --hot-first            with --mode pack or auto: pack the pages\n"
	     "                         accessed since the last clear first\n"
	     "                         (kcollapsectl clear-accessed)\n"
	     "  --target T             default target, resolved at each request:\n"
	     "                         a pid, pidfile:PATH, comm:NAME (every process\n"
	     "                         so named) or unit:NAME (a systemd unit's\n"
	     "                         MainPID); repeatable, like --target-cgroup\n"
	     "  --target-cgroup PATH   every process of a cgroup v2 directory\n"
	     "                         (relative paths under /sys/fs/cgroup)\n"
	     "  --target-pid N, --target-pidfile PATH, --target-comm NAME\n"
	     "                         the same as --target N, pidfile:, comm:\n"
	     "\n"
	     "Endpoints: POST /collapse, GET /health (204), GET /metrics (Prometheus).\n"
	     "See kcollapsed(8).");
}

static int kcd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kcollapsed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(USAGE, stderr);
	return 2;
}

/* A decimal number in [min, max], nothing else. */
static int kcd_number(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int kcd_add_target(struct kcd_config *cfg,
			  const struct kcd_target_spec *t)
{
	struct kcd_target_spec *v;

	v = realloc(cfg->targets, (cfg->ntargets + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	cfg->targets = v;
	cfg->targets[cfg->ntargets++] = *t;
	return 0;
}

static int kcd_add_uid(struct kcd_config *cfg, const char *arg)
{
	unsigned long v;

	if (kcd_number(arg, 0, UINT32_MAX - 1, &v) < 0)
		return kcd_usage_error("invalid --allow-uid '%s' (a numeric "
				       "uid)", arg);
	if (cfg->nallow_uids == KCD_ALLOW_UID_MAX)
		return kcd_usage_error("at most %d --allow-uid",
				       KCD_ALLOW_UID_MAX);
	cfg->allow_uids[cfg->nallow_uids++] = (uid_t)v;
	return -1;
}

/* The defaults a body without mode, minFill or autoThreshold gets. */
static int kcd_job_option(int c, const char *arg, struct kcd_config *cfg)
{
	enum kc_mode mode;
	unsigned long v;

	switch (c) {
	case OPT_MODE:
		if (kc_mode_parse(arg, &mode) < 0)
			return kcd_usage_error("invalid --mode '%s' (collapse, "
					       "pack or auto)", arg);
		cfg->mode = (uint32_t)mode;
		return -1;
	case OPT_MIN_FILL:
		if (kcd_number(arg, 1, KCD_WINDOW_PAGES, &v) < 0)
			return kcd_usage_error("invalid --min-fill '%s' (1..%d)",
					       arg, KCD_WINDOW_PAGES);
		cfg->min_fill = (uint32_t)v;
		return -1;
	default:	/* OPT_AUTO_THRESHOLD */
		if (kcd_number(arg, 1, KCD_WINDOW_PAGES, &v) < 0)
			return kcd_usage_error("invalid --auto-threshold '%s' "
					       "(1..%d)", arg, KCD_WINDOW_PAGES);
		cfg->auto_threshold = (uint32_t)v;
		return -1;
	}
}

/* A target option into @t; -1 to go on, else an exit code. */
static int kcd_target_option(int c, const char *arg,
			     struct kcd_target_spec *t)
{
	char why[128];
	unsigned long v;

	switch (c) {
	case OPT_TARGET:
		if (kcd_target_parse(arg, t, why, sizeof(why)) < 0)
			return kcd_usage_error("invalid --target '%s': %s", arg,
					       why);
		return -1;
	case OPT_TARGET_CGROUP:
		if (!*arg)
			return kcd_usage_error("empty --target-cgroup");
		t->kind = KCD_TARGET_CGROUP;
		t->arg = arg;
		return -1;
	case OPT_TARGET_PID:
		if (kcd_number(arg, 1, INT32_MAX, &v) < 0)
			return kcd_usage_error("invalid --target-pid '%s'", arg);
		t->kind = KCD_TARGET_PID;
		t->pid = (pid_t)v;
		return -1;
	case OPT_TARGET_PIDFILE:
		t->kind = KCD_TARGET_PIDFILE;
		t->arg = arg;
		return -1;
	case OPT_TARGET_COMM:
		if (!kcd_comm_valid(arg))
			return kcd_usage_error("invalid --target-comm '%s' (a "
					       "process name: 1..15 bytes)", arg);
		t->kind = KCD_TARGET_COMM;
		t->arg = arg;
		return -1;
	}
	return kcd_usage_error("unknown option '%s'", arg ? arg : "?");
}

/* One option; -1 to go on, else an exit code. */
static int kcd_option(int c, const char *arg, struct kcd_config *cfg)
{
	struct kcd_target_spec t = { 0 };
	unsigned long v;
	int ret;

	switch (c) {
	case OPT_LISTEN:
		if (kcd_addr_parse(arg, &cfg->listen) < 0)
			return kcd_usage_error("invalid --listen '%s' (expected "
					       "IPV4:PORT, [IPV6]:PORT or "
					       "unix:PATH)", arg);
		cfg->listen_text = arg;
		return -1;
	case OPT_TOKEN_FILE:
		cfg->token_file = arg;
		return -1;
	case OPT_DEADLINE:
		if (kcd_number(arg, 0, KCD_DEADLINE_MAX_MS, &v) < 0)
			return kcd_usage_error("invalid --deadline-ms '%s' "
					       "(0..%u)", arg, KCD_DEADLINE_MAX_MS);
		cfg->deadline_ms = (uint32_t)v;
		return -1;
	case OPT_MAX_OPS:
		if (kcd_number(arg, 1, KCD_MAX_OPS_LIMIT, &v) < 0)
			return kcd_usage_error("invalid --max-ops '%s' (1..%d)",
					       arg, KCD_MAX_OPS_LIMIT);
		cfg->max_ops = (unsigned int)v;
		return -1;
	case OPT_ENGINE:
		if (kc_engine_parse(arg, &cfg->engine) < 0)
			return kcd_usage_error("invalid --engine '%s' (auto, "
					       "kmod or userspace)", arg);
		return -1;
	case OPT_ALLOW_UID:
		return kcd_add_uid(cfg, arg);
	case OPT_UNIX_NO_TOKEN:
		cfg->unix_no_token = true;
		return -1;
	case OPT_INSECURE:
		cfg->insecure_no_token = true;
		return -1;
	case OPT_HOT_FIRST:
		cfg->hot_first = true;
		return -1;
	case OPT_MODE:
	case OPT_MIN_FILL:
	case OPT_AUTO_THRESHOLD:
		return kcd_job_option(c, arg, cfg);
	default:
		ret = kcd_target_option(c, arg, &t);
		if (ret >= 0)
			return ret;
		break;
	}
	if (kcd_add_target(cfg, &t) < 0) {
		fputs("kcollapsed: out of memory\n", stderr);
		return 1;
	}
	return -1;
}

/*
 * Who may call: anyone who reaches the address could make root collapse
 * or pack any process, so a token is required on every address, loopback
 * included (a sandbox's unprivileged user reaches loopback). Only a unix
 * socket, whose peers' credentials are checked, may go without one, and
 * only when told to; --insecure-no-token is for tests.
 */
static int kcd_options_check(const struct kcd_config *cfg)
{
	bool is_unix = cfg->listen.ss.ss_family == AF_UNIX;

	if (cfg->insecure_no_token && cfg->token_file)
		return kcd_usage_error("--insecure-no-token and --token-file "
				       "contradict each other");
	if (cfg->hot_first && cfg->mode == KCD_MODE_COLLAPSE)
		return kcd_usage_error("--hot-first needs --mode pack or auto "
				       "(collapse mode moves no pages)");
	if (!is_unix && (cfg->unix_no_token || cfg->nallow_uids))
		return kcd_usage_error("--unix-no-token and --allow-uid need "
				       "--listen unix:PATH");
	if (cfg->token_file || cfg->insecure_no_token ||
	    (is_unix && cfg->unix_no_token))
		return -1;
	return kcd_usage_error("refusing to listen on %s without --token-file:"
			       " every caller needs the token (on a unix "
			       "socket, --unix-no-token relies on peer "
			       "credentials alone)", cfg->listen_text);
}

int kcd_options_parse(int argc, char *argv[], struct kcd_config *cfg)
{
	int c, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->deadline_ms = KCD_DEADLINE_DEFAULT_MS;
	cfg->max_ops = KCD_MAX_OPS_DEFAULT;
	cfg->engine = KC_ENGINE_AUTO;
	cfg->listen_text = KCD_LISTEN_DEFAULT;
	kcd_addr_parse(KCD_LISTEN_DEFAULT, &cfg->listen);

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", kcd_options, NULL)) != -1) {
		if (c == 'h') {
			kcd_help();
			return 0;
		}
		if (c == OPT_VERSION) {
			printf("kcollapsed %s\n", KCD_VERSION);
			return 0;
		}
		if (c == ':')
			return kcd_usage_error("option '%s' needs a value",
					       argv[optind - 1]);
		ret = kcd_option(c, c == '?' ? argv[optind - 1] : optarg, cfg);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return kcd_usage_error("unexpected argument '%s'", argv[optind]);
	return kcd_options_check(cfg);
}

void kcd_options_free(struct kcd_config *cfg)
{
	free(cfg->targets);
	cfg->targets = NULL;
	cfg->ntargets = 0;
}
