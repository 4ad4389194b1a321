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

#define USAGE \
	"Usage: kcollapsed [--listen ADDR:PORT] [--token-file PATH]\n" \
	"                  [--deadline-ms N] [--max-ops N]\n" \
	"                  [--engine auto|kmod|userspace]\n" \
	"                  [--target-pid N] [--target-pidfile PATH]\n" \
	"                  [--target-comm NAME]\n"

enum {
	OPT_LISTEN = 256,
	OPT_TOKEN_FILE,
	OPT_DEADLINE,
	OPT_MAX_OPS,
	OPT_ENGINE,
	OPT_TARGET_PID,
	OPT_TARGET_PIDFILE,
	OPT_TARGET_COMM,
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
	     "into 2 MiB hugepages and answers with its statistics as JSON.\n"
	     "\n"
	     "  --listen ADDR:PORT     address to listen on, [ADDR]:PORT for IPv6\n"
	     "                         (default " KCD_LISTEN_DEFAULT "); any address\n"
	     "                         but a loopback one needs --token-file\n"
	     "  --token-file PATH      requests must carry X-Access-Token equal to\n"
	     "                         this file's content (re-read when it changes)\n"
	     "  --deadline-ms N        default request deadline, 0 for none\n"
	     "                         (default 8000, below the orchestrator's 10 s)\n"
	     "  --max-ops N            collapse requests running at once (default 4)\n"
	     "  --engine E             auto (default), kmod or userspace\n"
	     "  --target-pid N         default target (repeatable, like the others)\n"
	     "  --target-pidfile PATH  default target read from PATH at each request\n"
	     "  --target-comm NAME     every process named NAME is a default target\n"
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

/* One option; -1 to go on, else an exit code. */
static int kcd_option(int c, const char *arg, struct kcd_config *cfg)
{
	struct kcd_target_spec t = { 0 };
	unsigned long v;

	switch (c) {
	case OPT_LISTEN:
		if (kcd_addr_parse(arg, &cfg->listen) < 0)
			return kcd_usage_error("invalid --listen '%s' (expected "
					       "IPV4:PORT or [IPV6]:PORT)", arg);
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
	case OPT_TARGET_PID:
		if (kcd_number(arg, 1, INT32_MAX, &v) < 0)
			return kcd_usage_error("invalid --target-pid '%s'", arg);
		t.kind = KCD_TARGET_PID;
		t.pid = (pid_t)v;
		break;
	case OPT_TARGET_PIDFILE:
		t.kind = KCD_TARGET_PIDFILE;
		t.arg = arg;
		break;
	case OPT_TARGET_COMM:
		if (!kcd_comm_valid(arg))
			return kcd_usage_error("invalid --target-comm '%s' (a "
					       "process name: 1..15 bytes)", arg);
		t.kind = KCD_TARGET_COMM;
		t.arg = arg;
		break;
	default:
		return kcd_usage_error("unknown option '%s'", arg ? arg : "?");
	}
	if (kcd_add_target(cfg, &t) < 0) {
		fputs("kcollapsed: out of memory\n", stderr);
		return 1;
	}
	return -1;
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
	/* Anyone who can reach the port could collapse any process. */
	if (!cfg->token_file && !kcd_addr_is_loopback(&cfg->listen))
		return kcd_usage_error("refusing to listen on %s without "
				       "--token-file: only loopback addresses "
				       "may go without a token", cfg->listen_text);
	return -1;
}

void kcd_options_free(struct kcd_config *cfg)
{
	free(cfg->targets);
	cfg->targets = NULL;
	cfg->ntargets = 0;
}
