// SPDX-License-Identifier: MIT
/*
 * Counting outcomes into struct kc_result (see classify.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include "classify.h"

void kc_result_count(struct kc_result *res, enum kc_outcome out, uint64_t n)
{
	uint64_t *counter[] = {
		[KC_OUT_COLLAPSED]	= &res->collapsed,
		[KC_OUT_ALREADY_HUGE]	= &res->already_huge,
		[KC_OUT_EMPTY]		= &res->skipped_empty,
		[KC_OUT_SPARSE]		= &res->skipped_sparse,
		[KC_OUT_NOMEM]		= &res->failed_nomem,
		[KC_OUT_BUSY]		= &res->failed_busy,
		[KC_OUT_AGAIN]		= &res->failed_again,
		[KC_OUT_INELIGIBLE]	= &res->failed_ineligible,
		[KC_OUT_OTHER]		= &res->failed_other,
		[KC_OUT_OPTED_OUT]	= &res->skipped_opted_out,
		[KC_OUT_DRY_RUN]	= NULL,	/* counted as a candidate */
	};

	res->chunks += n;
	if ((unsigned int)out < sizeof(counter) / sizeof(counter[0]) &&
	    counter[out])
		*counter[out] += n;
}
