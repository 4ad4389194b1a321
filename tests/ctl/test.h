/* SPDX-License-Identifier: MIT */
/*
 * The tests of tests/ctl, on the shared harness (tests/lib/kc_test.h):
 * the list main.c runs.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_CTL_TEST_H
#define KC_CTL_TEST_H

#include "kc_test.h"

/* Tests, one list per file. */
#define KC_TESTS(X)				\
	X(test_maps_anonymous)			\
	X(test_maps_named)			\
	X(test_maps_excluded)			\
	X(test_maps_file_backed)		\
	X(test_maps_malformed)			\
	X(test_smaps_vmflags)			\
	X(test_parse_u64)			\
	X(test_parse_pid)			\
	X(test_parse_range)			\
	X(test_frames_self)			\
	X(test_frames_range)			\
	X(test_frames_other_process)		\
	X(test_frames_ignores_ineligible)	\
	X(test_frames_no_such_pid)		\
	X(test_clear_accessed)		\
	X(test_frames_hidden_pfns)		\
	X(test_frames_scan_and_stops)		\
	X(test_json_result)			\
	X(test_json_frames_info)		\
	X(test_names)				\
	X(test_human_result)			\
	X(test_open_without_module)		\
	X(test_extack_parse)			\
	X(test_collapse_request)		\
	X(test_reply_parse)			\
	X(test_genl_ctrl_roundtrip)		\
	X(test_cli_usage)			\
	X(test_cli_usage_errors)		\
	X(test_cli_module_missing)		\
	X(test_cli_frames)			\
	X(test_cli_capabilities)		\
	X(test_classify_rules)			\
	X(test_userspace_collapse)		\
	X(test_userspace_pte_mapped_thp)	\
	X(test_userspace_huge_zero)		\
	X(test_userspace_opt_outs)		\
	X(test_userspace_stops)			\
	X(test_userspace_deadline_ahead)	\
	X(test_userspace_lock)			\
	X(test_userspace_errors)		\
	X(test_userspace_scaling)		\
	X(test_engine_select)			\
	X(test_cli_engine)

#define KC_DECLARE(name) void name(void);
KC_TESTS(KC_DECLARE)

#endif /* KC_CTL_TEST_H */
