// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness of the POST /collapse body parser: any bytes must be
 * either rejected with a message or accepted with every field in range.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kcd_request req;
	struct kcd_error err;
	/* An exact-size copy: ASan sees any read past the body. */
	char *body = malloc(size ? size : 1);

	if (!body)
		return 0;
	memcpy(body, data, size);
	if (kcd_request_parse(body, size, &req, &err) < 0) {
		if (!err.msg[0] || !memchr(err.msg, '\0', sizeof(err.msg)) ||
		    !memchr(err.field, '\0', sizeof(err.field)))
			abort();
	} else {
		if (req.pid < 0 || req.deadline_ms > KCD_DEADLINE_MAX_MS ||
		    req.min_fill > 512 ||
		    (req.range_len && req.range_len > UINT64_MAX - req.range_start))
			abort();
		if (size > KCD_BODY_MAX && req.pid)
			abort();
	}
	free(body);
	return 0;
}
