// SPDX-License-Identifier: MIT
/*
 * The userspace engine's clock (pace.h): the deadline, the longest
 * collapse so far as the expected cost of the next, the tests' pauses.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "pace.h"

#define NSEC_PER_SEC	1000000000ULL

uint64_t kc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Sleep until @at_ns (CLOCK_MONOTONIC). */
static void kc_sleep_until(uint64_t at_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(at_ns / NSEC_PER_SEC),
		.tv_nsec = (long)(at_ns % NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* A tests-only pause from @name: N us, 0 < N < 1000000, else none. */
static uint64_t kc_test_pause_ns(const char *name)
{
	const char *s = secure_getenv(name);
	long us = s ? strtol(s, NULL, 10) : 0;

	return us > 0 && us < 1000000 ? (uint64_t)us * 1000 : 0;
}

void kc_pace_init(struct kc_pace *p, uint64_t start_ns, uint32_t deadline_ms)
{
	*p = (struct kc_pace){
		.deadline_ns = deadline_ms ?
			       start_ns + (uint64_t)deadline_ms * 1000000ULL : 0,
		.pause_ns = kc_test_pause_ns(KC_TEST_PACE_ENV),
		.slow_ns = kc_test_pause_ns(KC_TEST_COLLAPSE_ENV),
	};
}

bool kc_pace_late(const struct kc_pace *p, uint64_t now_ns, uint64_t next_ns)
{
	return p->deadline_ns && now_ns + next_ns > p->deadline_ns;
}

uint64_t kc_pace_step_start(const struct kc_pace *p)
{
	uint64_t start = kc_now_ns();

	if (p->slow_ns)
		kc_sleep_until(start + p->slow_ns);
	return start;
}

void kc_pace_step_end(struct kc_pace *p, uint64_t start_ns)
{
	uint64_t took = kc_now_ns() - start_ns;

	if (took > p->step_max_ns)
		p->step_max_ns = took;
}

void kc_pace_pause(const struct kc_pace *p)
{
	uint64_t until;

	if (!p->pause_ns)
		return;
	until = kc_now_ns() + p->pause_ns;
	if (p->deadline_ns && until > p->deadline_ns)
		until = p->deadline_ns;
	kc_sleep_until(until);
}
