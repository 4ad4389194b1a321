// SPDX-License-Identifier: MIT
/*
 * kcollapsectl: command-line front end to the kcollapse kernel module.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <stdio.h>
#include <string.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "collapse", collapse_main, "Consolidate a process's anonymous memory into 2 MiB hugepages" },
	{ "cancel", cancel_main, "Stop a running collapse of a process" },
	{ "info", info_main, "Show the kernel module's version, engine and load" },
	{ "frames", frames_main, "Count the 2 MiB frames a process's memory uses (no module needed)" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", PROG_NAME);
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s%s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "  %-10s%s\n", "help", "Show this help");
	fprintf(f, "\nPass --help to any subcommand for its usage.\n");
}

static int finish(int ret)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_error("cannot write the output");
		return CTL_EXIT_ERROR;
	}
	return ret;
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		ctl_error("missing subcommand");
		fprintf(stderr, "Usage: %s <cmd> [<args>] (see '%s help')\n",
			PROG_NAME, PROG_NAME);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		show_usage(stdout);
		return finish(CTL_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG_NAME, KC_VERSION_STRING);
		return finish(CTL_EXIT_OK);
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return finish(subcommands[i].fn(argc - 1, argv + 1));

	ctl_error("invalid subcommand '%s'", argv[1]);
	fprintf(stderr, "Usage: %s <cmd> [<args>] (see '%s help')\n", PROG_NAME,
		PROG_NAME);
	return CTL_EXIT_USAGE;
}
