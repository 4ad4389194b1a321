/* SPDX-License-Identifier: MIT */
/*
 * Counters behind GET /metrics, rendered in the Prometheus text format
 * (version 0.0.4): operations by result, 2 MiB windows by outcome, an
 * operation duration histogram, the frames before/after of the last
 * operation (after only if it was measured in full), HTTP responses by
 * status, client disconnects.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_METRICS_H
#define KCD_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <kcollapse/kcollapse.h>

#define KCD_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* "done" ... "unloading" are the stop reasons; then: */
#define KCD_RESULT_ERROR	6	/* the operation could not run */
#define KCD_RESULTS		7
#define KCD_OUTCOMES		10
#define KCD_BUCKETS		11
#define KCD_STATUSES		10

struct kcd_metrics {
	pthread_mutex_t lock;
	uint64_t ops[KCD_RESULTS];
	uint64_t windows[KCD_OUTCOMES];
	uint64_t duration_le[KCD_BUCKETS];	/* cumulative at render */
	uint64_t duration_count;
	double duration_sum;
	bool have_last;
	uint64_t last_frames_before;
	uint64_t last_frames_after;
	bool last_after_complete;	/* last_frames_after was measured */
	uint64_t http[KCD_STATUSES];
	uint64_t disconnects;
};

void kcd_metrics_init(struct kcd_metrics *m);
void kcd_metrics_destroy(struct kcd_metrics *m);

/*
 * kcd_metrics_op() - one finished operation (one request, all its
 * targets): @res the totals, or NULL if it could not run at all.
 */
void kcd_metrics_op(struct kcd_metrics *m, const struct kc_result *res,
		    double seconds);

/* kcd_metrics_http() - one response sent with @status. */
void kcd_metrics_http(struct kcd_metrics *m, unsigned int status);

/* kcd_metrics_disconnect() - a client went away during its operation. */
void kcd_metrics_disconnect(struct kcd_metrics *m);

/* kcd_metrics_render() - the exposition text (free() it), or NULL. */
char *kcd_metrics_render(struct kcd_metrics *m, unsigned int in_flight,
			 size_t *len);

#endif /* KCD_METRICS_H */
