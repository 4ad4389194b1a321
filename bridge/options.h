/* SPDX-License-Identifier: MIT */
/*
 * kcollapsed's command line.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_OPTIONS_H
#define KCD_OPTIONS_H

#include "kcollapsed.h"

/*
 * kcd_options_parse() - fill @cfg from argv. Returns -1 to go on, or an
 * exit code (0 after --help/--version, 2 on a usage error, printed).
 * kcd_options_free() releases what it allocated.
 */
int kcd_options_parse(int argc, char *argv[], struct kcd_config *cfg);
void kcd_options_free(struct kcd_config *cfg);

#endif /* KCD_OPTIONS_H */
