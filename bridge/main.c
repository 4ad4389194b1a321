// SPDX-License-Identifier: MIT
/*
 * kcollapsed: HTTP bridge from the orchestrator's POST /collapse to
 * libkcollapse. main() only orders start-up and shutdown.
 *
 * Threads: the main thread waits for signals; libmicrohttpd's thread
 * serves HTTP; one worker per running collapse request (ops.c); one
 * thread watches the clients of running requests for hang-ups (watch.c).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "options.h"

/*
 * Block the signals main() waits for before any thread exists, so that
 * every thread inherits the mask and only sigwait() sees them. SIGPIPE:
 * a client gone mid-reply must not kill the daemon.
 */
static int kcd_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	return -pthread_sigmask(SIG_BLOCK, set, NULL);
}

static void kcd_wait(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig))
			continue;
		if (sig != SIGHUP)
			break;
		/* Nothing to reload: the token file is re-read on change. */
		kcd_log(LOG_NOTICE, "event=sighup msg=\"ignored: the token file is "
			"re-read when it changes\"");
	}
	kcd_log(LOG_NOTICE, "event=stopping signal=%s", sig == SIGINT ? "INT" : "TERM");
}

static const char *kcd_auth_name(const struct kcd_config *cfg)
{
	if (cfg->insecure_no_token)
		return "none-INSECURE";
	if (cfg->listen.ss.ss_family == AF_UNIX)
		return cfg->token_file ? "peer-uid+token" : "peer-uid";
	return "token";
}

/*
 * The engine a collapse would run on now, and why: with "auto", whether
 * the module is loaded and can collapse, or what keeps it out (absent,
 * its engine refused by IBT...). Each request picks again, so a module
 * loaded later is used; this line is what an operator checks first.
 */
static void kcd_log_engine(const struct kcd_config *cfg)
{
	enum kc_engine chosen;
	char why[300], q[320];

	if (kc_engine_select(cfg->engine, 0, &chosen, why, sizeof(why)) < 0)
		snprintf(why, sizeof(why), "%s", kc_last_error(NULL));
	else if (cfg->mode != KC_MODE_COLLAPSE)
		/* Only the module can move pages: pack and auto need it. */
		chosen = KC_ENGINE_KMOD;
	kcd_log(LOG_NOTICE, "event=engine requested=%s resolved=%s mode=%s "
		"why=%s", kc_engine_name(cfg->engine), kc_engine_name(chosen),
		kc_mode_name(cfg->mode), kcd_log_quote(q, sizeof(q), why));
}

/* The default targets, in one line: what a body-less request does. */
static void kcd_log_targets(const struct kcd_config *cfg)
{
	char list[512] = "", one[300], q[560];
	size_t i, used = 0;

	for (i = 0; i < cfg->ntargets && used + 1 < sizeof(list); i++) {
		kcd_target_describe(&cfg->targets[i], one, sizeof(one));
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s", i ? " " : "", one);
	}
	kcd_log(LOG_INFO, "event=defaults targets=%s mode=%s minFill=%u "
		"autoThreshold=%u hotFirst=%s deadlineMs=%u",
		kcd_log_quote(q, sizeof(q), cfg->ntargets ? list : "none"),
		kc_mode_name(cfg->mode), cfg->min_fill, cfg->auto_threshold,
		cfg->hot_first ? "yes" : "no",
		cfg->deadline_ms);
}

static void kcd_log_start(const struct kcd *d)
{
	char addr[120];

	kcd_addr_format(&d->bound, addr, sizeof(addr));
	kcd_log_engine(&d->cfg);
	kcd_log_targets(&d->cfg);
	if (d->cfg.insecure_no_token)
		kcd_log(LOG_WARNING, "event=insecure msg=\"--insecure-no-token: "
			"anyone who reaches %s can make kcollapsed collapse or "
			"pack any process; for tests only\"", addr);
	kcd_log(LOG_NOTICE, "event=listening addr=%s version=%s engine=%s "
		"deadlineMs=%u maxOps=%u auth=%s targets=%zu", addr,
		KCD_VERSION, kc_engine_name(d->cfg.engine), d->cfg.deadline_ms,
		d->cfg.max_ops, kcd_auth_name(&d->cfg), d->cfg.ntargets);
}

int main(int argc, char *argv[])
{
	static struct kcd d = { .listen_fd = -1 };
	char addr[120], q[300];
	sigset_t set;
	int ret, err;

	kcd_log_init();
	ret = kcd_options_parse(argc, argv, &d.cfg);
	if (ret >= 0)
		goto out_options;
	ret = 1;
	err = kcd_token_init(&d.token, d.cfg.token_file);
	if (err < 0) {
		kcd_log(LOG_ERR, "event=fatal error=%s",
			kcd_log_quote(q, sizeof(q), d.token.error));
		goto out_token;
	}
	err = kcd_signals(&set);
	if (err < 0)
		goto out_token;
	/* Root only unless another uid is allowed: then the peer check
	 * (SO_PEERCRED, at every request) is what keeps others out. */
	d.listen_fd = kcd_listen(&d.cfg.listen, &d.bound,
				 d.cfg.nallow_uids ? 0666 : 0600);
	if (d.listen_fd < 0) {
		kcd_addr_format(&d.cfg.listen, addr, sizeof(addr));
		kcd_log(LOG_ERR, "event=fatal error=\"cannot listen on %s: %s\"", addr,
			strerror(-d.listen_fd));
		goto out_token;
	}
	kcd_metrics_init(&d.metrics);
	kcd_ops_init(&d.ops, d.cfg.max_ops);
	err = kcd_http_start(&d);
	if (err < 0) {
		kcd_log(LOG_ERR, "event=fatal error=\"cannot start the HTTP server: %s\"",
			strerror(-err));
		goto out_listen;
	}
	kcd_log_start(&d);

	kcd_wait(&set);
	kcd_http_quiesce(&d);
	kcd_ops_shutdown(&d.ops);
	kcd_http_stop(&d);
	ret = 0;
	kcd_log(LOG_NOTICE, "event=stopped");
out_listen:
	if (d.listen_fd >= 0)
		close(d.listen_fd);
	kcd_unlisten(&d.bound);
	kcd_ops_destroy(&d.ops);
	kcd_metrics_destroy(&d.metrics);
out_token:
	kcd_token_destroy(&d.token);
out_options:
	kcd_options_free(&d.cfg);
	return ret;
}
