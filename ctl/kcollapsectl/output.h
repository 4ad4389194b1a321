/* SPDX-License-Identifier: MIT */
/*
 * Human-readable output of kcollapse results; JSON printing.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef CTL_OUTPUT_H
#define CTL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include <kcollapse/kcollapse.h>

#include "kc_json.h"

/* kcollapsectl info --engine auto: the module, the fallback, the choice. */
struct ctl_auto_info {
	bool module_loaded;
	struct kc_info module;		/* if module_loaded */
	const char *module_error;	/* else why not */
	const struct kc_userspace_info *userspace;
	enum kc_engine selected;
	char why[256];
};

/*
 * selectedEngine, selectedBecause, module (the kc_json_info() object, or
 * null), moduleError (when not loaded), userspace (kc_json_userspace()).
 */
struct json_object *ctl_auto_json(const struct ctl_auto_info *a);

/* Print @obj on one line followed by a newline, then drop it. 0 or -errno. */
int ctl_print_json(FILE *f, struct json_object *obj);

/* Human-readable blocks. */
void ctl_print_result(FILE *f, const struct kc_result *res, bool dry_run);
void ctl_print_frames(FILE *f, pid_t pid, const struct kc_frames *fr);
void ctl_print_info(FILE *f, const struct kc_info *info);
void ctl_print_userspace(FILE *f, const struct kc_userspace_info *us);
void ctl_print_auto(FILE *f, const struct ctl_auto_info *a);

/* "0 B", "512 KiB", "12.3 MiB", ... */
void ctl_format_bytes(char *buf, size_t len, uint64_t bytes);

#endif /* CTL_OUTPUT_H */
