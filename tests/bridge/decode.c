// SPDX-License-Identifier: MIT
/*
 * kcd-decode: decode a POST /collapse reply the way the orchestrator's
 * client does (Go encoding/json into CollapseResult): an object whose
 * fields regions, chunks, collapsed, skipped, alreadyHuge and elapsedMs
 * are each optional but, when present, JSON integers that fit in an
 * int64 (a float, a string, a bool or null fails the decode); any other
 * field is ignored. Reads stdin, prints "regions=N chunks=N collapsed=N
 * skipped=N alreadyHuge=N elapsedMs=N" (absent fields as 0) and exits 0,
 * or prints why and exits 1.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static const char *const fields[] = {
	"regions", "chunks", "collapsed", "skipped", "alreadyHuge", "elapsedMs",
};

int main(void)
{
	static char buf[1 << 20];
	struct json_object *obj, *v;
	int64_t values[6] = { 0 };
	size_t len, i;

	len = fread(buf, 1, sizeof(buf) - 1, stdin);
	buf[len] = '\0';
	obj = json_tokener_parse(buf);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		fprintf(stderr, "kcd-decode: not a JSON object\n");
		return 1;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!json_object_object_get_ex(obj, fields[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_int)) {
			fprintf(stderr, "kcd-decode: %s is not an integer: %s\n",
				fields[i], json_object_to_json_string(v));
			return 1;
		}
		errno = 0;
		values[i] = json_object_get_int64(v);
		if (errno) {
			fprintf(stderr, "kcd-decode: %s overflows int64\n",
				fields[i]);
			return 1;
		}
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf("%s%s=%" PRId64, i ? " " : "", fields[i], values[i]);
	putchar('\n');
	json_object_put(obj);
	return 0;
}
