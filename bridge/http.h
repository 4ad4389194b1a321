/* SPDX-License-Identifier: MIT */
/*
 * The HTTP side of kcollapsed, on libmicrohttpd: routing, the checks made
 * on the headers before any body is read (journal-remote style), the
 * bounded body, and handing POST /collapse to a worker (ops.h) while the
 * connection is suspended.
 *
 *   POST /collapse  401 bad token, 413 body > 4 KiB, 400 bad body,
 *                   409 target busy, 503 --max-ops reached or stopping,
 *                   500 the engine failed, 200 statistics
 *   GET  /health    204
 *   GET  /metrics   200 Prometheus text
 *   other methods   405 with Allow; other paths 404
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_HTTP_H
#define KCD_HTTP_H

#include "kcollapsed.h"

/* kcd_http_start() - serve on d->listen_fd. 0, or -errno (logged). */
int kcd_http_start(struct kcd *d);

/* kcd_http_quiesce() - stop accepting connections (shutdown, step 1). */
void kcd_http_quiesce(struct kcd *d);

/* kcd_http_stop() - close everything; no request may still run. */
void kcd_http_stop(struct kcd *d);

#endif /* KCD_HTTP_H */
