/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine's accounting. The rules themselves (window classes,
 * outcomes, errno mapping) are the module's, shared through
 * include/common/kcollapse_rules.h; here they meet struct kc_result.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_CLASSIFY_H
#define KC_CLASSIFY_H

#include <common/kcollapse_rules.h>

#include "internal.h"

/* @n windows with outcome @out: chunks and the outcome's counter += @n. */
KC_HIDDEN void kc_result_count(struct kc_result *res, enum kc_outcome out,
			       uint64_t n);

#endif /* KC_CLASSIFY_H */
