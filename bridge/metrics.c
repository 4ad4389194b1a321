// SPDX-License-Identifier: MIT
/*
 * Prometheus metrics (see metrics.h). The text format is a handful of
 * "name{label="v"} value" lines: written with fprintf, no library.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const char *const kcd_results[KCD_RESULTS] = {
	"done", "cancelled", "deadline", "caller-killed", "target-exited",
	"unloading", "error",
};

static const char *const kcd_outcomes[KCD_OUTCOMES] = {
	"collapsed", "already_huge", "skipped_empty", "skipped_sparse",
	"failed_nomem", "failed_busy", "failed_again", "failed_ineligible",
	"failed_other", "skipped_opted_out",
};

/* Seconds; the orchestrator gives up at 10. */
static const double kcd_bounds[KCD_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static const unsigned int kcd_statuses[KCD_STATUSES] = {
	200, 204, 400, 401, 404, 405, 409, 413, 500, 503,
};

void kcd_metrics_init(struct kcd_metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void kcd_metrics_destroy(struct kcd_metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void kcd_metrics_op(struct kcd_metrics *m, const struct kc_result *res,
		    double seconds)
{
	const uint64_t outcome[KCD_OUTCOMES] = {
		res ? res->collapsed : 0, res ? res->already_huge : 0,
		res ? res->skipped_empty : 0, res ? res->skipped_sparse : 0,
		res ? res->failed_nomem : 0, res ? res->failed_busy : 0,
		res ? res->failed_again : 0, res ? res->failed_ineligible : 0,
		res ? res->failed_other : 0, res ? res->skipped_opted_out : 0,
	};
	unsigned int r = res && res->stop_reason < KCD_RESULT_ERROR ?
			 res->stop_reason : KCD_RESULT_ERROR;
	size_t i;

	pthread_mutex_lock(&m->lock);
	m->ops[r]++;
	for (i = 0; i < KCD_OUTCOMES; i++)
		m->windows[i] += outcome[i];
	if (res) {
		for (i = 0; i < KCD_BUCKETS; i++)
			if (seconds <= kcd_bounds[i])
				m->duration_le[i]++;
		m->duration_count++;
		m->duration_sum += seconds;
		m->have_last = true;
		m->last_frames_before = res->frames_before;
		m->last_frames_after = res->frames_after;
		m->last_after_complete = res->after_complete;
	}
	pthread_mutex_unlock(&m->lock);
}

void kcd_metrics_http(struct kcd_metrics *m, unsigned int status)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < KCD_STATUSES; i++)
		if (kcd_statuses[i] == status)
			m->http[i]++;
	pthread_mutex_unlock(&m->lock);
}

void kcd_metrics_disconnect(struct kcd_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->disconnects++;
	pthread_mutex_unlock(&m->lock);
}

static void kcd_header(FILE *f, const char *name, const char *type,
		       const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void kcd_render(FILE *f, const struct kcd_metrics *m,
		       unsigned int in_flight)
{
	size_t i;

	kcd_header(f, "kcollapsed_operations_total", "counter",
		   "Collapse requests that ran, by result (stop reason, or error).");
	for (i = 0; i < KCD_RESULTS; i++)
		fprintf(f, "kcollapsed_operations_total{result=\"%s\"} %" PRIu64
			"\n", kcd_results[i], m->ops[i]);
	kcd_header(f, "kcollapsed_windows_total", "counter",
		   "2 MiB windows reached, by outcome.");
	for (i = 0; i < KCD_OUTCOMES; i++)
		fprintf(f, "kcollapsed_windows_total{outcome=\"%s\"} %" PRIu64
			"\n", kcd_outcomes[i], m->windows[i]);
	kcd_header(f, "kcollapsed_operation_duration_seconds", "histogram",
		   "Wall time of collapse requests that ran.");
	for (i = 0; i < KCD_BUCKETS; i++)
		fprintf(f, "kcollapsed_operation_duration_seconds_bucket{le=\"%g\"} %"
			PRIu64 "\n", kcd_bounds[i], m->duration_le[i]);
	fprintf(f, "kcollapsed_operation_duration_seconds_bucket{le=\"+Inf\"} %"
		PRIu64 "\n", m->duration_count);
	fprintf(f, "kcollapsed_operation_duration_seconds_sum %.6f\n",
		m->duration_sum);
	fprintf(f, "kcollapsed_operation_duration_seconds_count %" PRIu64 "\n",
		m->duration_count);
	if (m->have_last) {
		kcd_header(f, "kcollapsed_last_frames_before", "gauge",
			   "Distinct 2 MiB frames before the last operation.");
		fprintf(f, "kcollapsed_last_frames_before %" PRIu64 "\n",
			m->last_frames_before);
	}
	/* A stopped operation has no after-measurement: no figure at all. */
	if (m->have_last && m->last_after_complete) {
		kcd_header(f, "kcollapsed_last_frames_after", "gauge",
			   "Distinct 2 MiB frames after the last operation.");
		fprintf(f, "kcollapsed_last_frames_after %" PRIu64 "\n",
			m->last_frames_after);
	}
	kcd_header(f, "kcollapsed_operations_in_flight", "gauge",
		   "Collapse requests running now.");
	fprintf(f, "kcollapsed_operations_in_flight %u\n", in_flight);
	kcd_header(f, "kcollapsed_client_disconnects_total", "counter",
		   "Clients that went away during their operation (cancelled).");
	fprintf(f, "kcollapsed_client_disconnects_total %" PRIu64 "\n",
		m->disconnects);
	kcd_header(f, "kcollapsed_http_responses_total", "counter",
		   "HTTP responses by status code.");
	for (i = 0; i < KCD_STATUSES; i++)
		fprintf(f, "kcollapsed_http_responses_total{code=\"%u\"} %" PRIu64
			"\n", kcd_statuses[i], m->http[i]);
}

char *kcd_metrics_render(struct kcd_metrics *m, unsigned int in_flight,
			 size_t *len)
{
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	pthread_mutex_lock(&m->lock);
	kcd_render(f, m, in_flight);
	pthread_mutex_unlock(&m->lock);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
