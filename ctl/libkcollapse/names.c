// SPDX-License-Identifier: MIT
/*
 * Small helpers on results.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const char *kc_stop_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[KC_STOP_DONE]		= "done",
		[KC_STOP_CANCELLED]	= "cancelled",
		[KC_STOP_DEADLINE]	= "deadline",
		[KC_STOP_CALLER_KILLED]	= "caller-killed",
		[KC_STOP_TARGET_EXITED]	= "target-exited",
		[KC_STOP_UNLOADING]	= "unloading",
	};

	if (reason < sizeof(names) / sizeof(names[0]))
		return names[reason];
	return "unknown";
}

uint64_t kc_result_skipped(const struct kc_result *res)
{
	uint64_t left;

	if (res->collapsed > res->chunks)
		return 0;
	left = res->chunks - res->collapsed;
	return res->already_huge < left ? left - res->already_huge : 0;
}

const char *kc_mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[KC_MODE_COLLAPSE]	= "collapse",
		[KC_MODE_PACK]		= "pack",
		[KC_MODE_AUTO]		= "auto",
	};

	if (mode < sizeof(names) / sizeof(names[0]))
		return names[mode];
	return "unknown";
}

int kc_mode_parse(const char *name, enum kc_mode *mode)
{
	uint32_t m;

	for (m = KC_MODE_COLLAPSE; m <= KC_MODE_AUTO; m++) {
		if (name && !strcmp(name, kc_mode_name(m))) {
			*mode = (enum kc_mode)m;
			return 0;
		}
	}
	errno = EINVAL;
	return -EINVAL;
}
