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
		kcd_log("event=sighup msg=\"ignored: the token file is "
			"re-read when it changes\"");
	}
	kcd_log("event=stopping signal=%s", sig == SIGINT ? "INT" : "TERM");
}

static void kcd_log_start(const struct kcd *d)
{
	char addr[80];

	kcd_addr_format(&d->bound, addr, sizeof(addr));
	kcd_log("event=listening addr=%s version=%s engine=%s deadlineMs=%u "
		"maxOps=%u auth=%s targets=%zu", addr, KCD_VERSION,
		kc_engine_name(d->cfg.engine), d->cfg.deadline_ms,
		d->cfg.max_ops, d->cfg.token_file ? "token" : "none",
		d->cfg.ntargets);
}

int main(int argc, char *argv[])
{
	static struct kcd d = { .listen_fd = -1 };
	char addr[80], q[300];
	sigset_t set;
	int ret, err;

	ret = kcd_options_parse(argc, argv, &d.cfg);
	if (ret >= 0)
		goto out_options;
	ret = 1;
	err = kcd_token_init(&d.token, d.cfg.token_file);
	if (err < 0) {
		kcd_log("event=fatal error=%s",
			kcd_log_quote(q, sizeof(q), d.token.error));
		goto out_token;
	}
	err = kcd_signals(&set);
	if (err < 0)
		goto out_token;
	d.listen_fd = kcd_listen(&d.cfg.listen, &d.bound);
	if (d.listen_fd < 0) {
		kcd_addr_format(&d.cfg.listen, addr, sizeof(addr));
		kcd_log("event=fatal error=\"cannot listen on %s: %s\"", addr,
			strerror(-d.listen_fd));
		goto out_token;
	}
	kcd_metrics_init(&d.metrics);
	kcd_ops_init(&d.ops, d.cfg.max_ops);
	err = kcd_http_start(&d);
	if (err < 0) {
		kcd_log("event=fatal error=\"cannot start the HTTP server: %s\"",
			strerror(-err));
		goto out_listen;
	}
	kcd_log_start(&d);

	kcd_wait(&set);
	kcd_http_quiesce(&d);
	kcd_ops_shutdown(&d.ops);
	kcd_http_stop(&d);
	ret = 0;
	kcd_log("event=stopped");
out_listen:
	if (d.listen_fd >= 0)
		close(d.listen_fd);
	kcd_ops_destroy(&d.ops);
	kcd_metrics_destroy(&d.metrics);
out_token:
	kcd_token_destroy(&d.token);
out_options:
	kcd_options_free(&d.cfg);
	return ret;
}
