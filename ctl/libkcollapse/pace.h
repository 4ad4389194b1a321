/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine's clock: the deadline, what one collapse is
 * expected to cost, and the tests' pauses.
 *
 * One process_madvise(MADV_COLLAPSE) cannot be interrupted: on a loaded
 * machine its THP allocation may compact for hundreds of milliseconds.
 * So the deadline counts as passed before a collapse that, at the longest
 * one seen so far in this operation, would end after it: stopping a step
 * early costs a window the next operation can take, overrunning costs the
 * caller's deadline (the orchestrator pauses the VM at it anyway).
 * Conservative and simple, as the module's kc_run_time_step(): the first
 * collapse always starts (nothing is known yet).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_PACE_H
#define KC_PACE_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* Tests only, both < 1000000: see kc_collapse_userspace() in kcollapse.h. */
#define KC_TEST_PACE_ENV	"KCOLLAPSE_TEST_PACE_US"	/* between windows */
#define KC_TEST_COLLAPSE_ENV	"KCOLLAPSE_TEST_COLLAPSE_US"	/* per collapse */

struct kc_pace {
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC, 0: none */
	uint64_t step_max_ns;	/* the longest collapse so far */
	uint64_t pause_ns;	/* KC_TEST_PACE_ENV */
	uint64_t slow_ns;	/* KC_TEST_COLLAPSE_ENV */
};

/* CLOCK_MONOTONIC in ns. */
KC_HIDDEN uint64_t kc_now_ns(void);

/* @deadline_ms (0: none) from @start_ns; the tests' pauses from the env. */
KC_HIDDEN void kc_pace_init(struct kc_pace *p, uint64_t start_ns,
			    uint32_t deadline_ms);

/*
 * Whether a step expected to take @next_ns, started at @now_ns, would end
 * past the deadline (@next_ns 0: whether it has passed).
 */
KC_HIDDEN bool kc_pace_late(const struct kc_pace *p, uint64_t now_ns,
			    uint64_t next_ns);

/*
 * Around one collapse: kc_pace_step_start() returns its start (after the
 * KC_TEST_COLLAPSE_ENV pause, which the step includes), and
 * kc_pace_step_end() keeps the longest.
 */
KC_HIDDEN uint64_t kc_pace_step_start(const struct kc_pace *p);
KC_HIDDEN void kc_pace_step_end(struct kc_pace *p, uint64_t start_ns);

/* Between two windows: the KC_TEST_PACE_ENV pause, never past the deadline. */
KC_HIDDEN void kc_pace_pause(const struct kc_pace *p);

#endif /* KC_PACE_H */
