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
	{ "info", info_main, "Show the module's version and load and the fallback engine's state" },
	{ "frames", frames_main, "Count the 2 MiB frames a process's memory uses (no module needed)" },
	{ "clear-accessed", clear_accessed_main, "Clear a process's accessed bits (its working set starts)" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", PROG_NAME);
	fprintf(f, "Available subcommands:\n");
	/* A name too long for the column gets a line of its own. */
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s%s%s\n", subcommands[i].name,
			strlen(subcommands[i].name) < 10 ? "" :
			"\n            ", subcommands[i].description);
	fprintf(f, "  %-10s%s\n", "help", "Show this help; 'help SUBCMD': a subcommand's");
	fprintf(f, "\nPass --help to any subcommand for its usage.\n");
}

/* kcollapsectl help [SUBCMD]: argv[0] is "help". */
int help_main(int argc, char *argv[])
{
	char *sub_argv[] = { NULL, "--help", NULL };
	size_t i;

	if (argc < 2) {
		show_usage(stdout);
		return CTL_EXIT_OK;
	}
	if (argc > 2)
		return ctl_usage_error("help", "help [SUBCMD]",
				       "unexpected argument '%s'", argv[2]);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		sub_argv[0] = argv[1];
		return subcommands[i].fn(2, sub_argv);
	}
	return ctl_usage_error("help", "help [SUBCMD]",
			       "no subcommand '%s' (see '%s help')", argv[1],
			       PROG_NAME);
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
	if (!strcmp(argv[1], "help"))
		return finish(help_main(argc - 1, argv + 1));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
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
