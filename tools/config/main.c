/* kopanion-config: the appliance description (YAML) -> the build plan.
 * This file only reads the command line and runs the named steps; each
 * step lives in its own file. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "error.h"
#include "merge.h"
#include "plan.h"
#include "schema.h"
#include "validate.h"
#include "yaml_tree.h"

#define PROG "kopanion-config"
#define MAX_PROFILES 16

enum command { CMD_NONE, CMD_PLAN, CMD_CHECK, CMD_KEYS };

struct cli {
	enum command command;
	const char *config;
	const char *profiles[MAX_PROFILES];
	size_t n_profiles;
	const char *output;
	const char *containers_dir;
};

static const struct option options[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "containers-dir", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(FILE *out)
{
	fputs("Usage: " PROG " plan  [--profile FILE]... [-o OUT] CONFIG\n"
	      "       " PROG " check [--profile FILE]... CONFIG\n"
	      "       " PROG " keys\n"
	      "\n"
	      "Read the appliance description CONFIG (YAML), merge the profiles over it\n"
	      "(later files win key by key; lists are replaced whole), validate it, apply\n"
	      "the defaults and the sizing rule (disk = system + 2 x planned data).\n"
	      "\n"
	      "Commands:\n"
	      "  plan                    write the build plan (KEY='value' lines for bash)\n"
	      "  check                   validate only; print warnings and errors\n"
	      "  keys                    list every key: type, default, allowed values\n"
	      "\n"
	      "Input:\n"
	      "  -p, --profile FILE      merge FILE over CONFIG (repeatable, in order)\n"
	      "  -C, --containers-dir DIR  folder of container recipes (default: containers)\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output OUT        write the plan to OUT, atomically (default: stdout)\n"
	      "\n"
	      "Other:\n"
	      "  -h, --help              show this help\n"
	      "  -V, --version           show the version\n"
	      "\n"
	      "Exit status: 0 ok (warnings allowed), 1 invalid configuration or failure,\n"
	      "2 wrong usage. Errors name file:line:column and the key.\n",
	      out);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	return 2;
}

static enum command command_from_name(const char *name)
{
	if (strcmp(name, "plan") == 0)
		return CMD_PLAN;
	if (strcmp(name, "check") == 0)
		return CMD_CHECK;
	if (strcmp(name, "keys") == 0)
		return CMD_KEYS;
	return CMD_NONE;
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct cli *cli)
{
	int c;

	while ((c = getopt_long(argc, argv, "p:o:C:hV", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli->n_profiles == MAX_PROFILES)
				return usage_error("at most %s profiles", "16");
			cli->profiles[cli->n_profiles++] = optarg;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'C':
			cli->containers_dir = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'V':
			puts(PROG " " KP_CONFIG_TOOL_VERSION);
			return 0;
		default:
			return usage_error("%s", "unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing command: plan, check or keys");
	cli->command = command_from_name(argv[optind]);
	if (cli->command == CMD_NONE)
		return usage_error("unknown command '%s' (plan, check or keys)", argv[optind]);
	optind++;
	if (cli->command == CMD_KEYS) {
		if (optind < argc || cli->n_profiles || cli->output || cli->containers_dir)
			return usage_error("%s", "'keys' takes no arguments or options");
		return -1;
	}
	if (optind >= argc)
		return usage_error("missing CONFIG after '%s'", argv[optind - 1]);
	cli->config = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (cli->command == CMD_CHECK && cli->output)
		return usage_error("%s", "'check' writes nothing; drop -o");
	return -1;
}

/* ---- the steps ---- */

static int load_one(struct kp_arena *arena, const char *file, struct kp_node **root,
		    struct kp_config *cfg, struct kp_diags *d)
{
	char *abs;
	int r = kp_yaml_load_file(arena, file, root, d);

	if (r < 0)
		return r;
	abs = realpath(file, NULL);
	if (!abs)
		kp_out_of_memory();
	if (strpbrk(abs, " \t\n")) {
		kp_diag_file(d, KP_ERROR, file, "the path holds whitespace, which the plan's list of files cannot; rename or move it");
		free(abs);
		return -EINVAL;
	}
	kp_strv_push(&cfg->files, abs);
	free(abs);
	return 0;
}

/* Load CONFIG and every profile (all of them, to report every file's
 * problems), then merge the profiles over CONFIG in order. */
static int load_and_merge(const struct cli *cli, struct kp_arena *arena, struct kp_node **root,
			  struct kp_config *cfg, struct kp_diags *d)
{
	struct kp_node *over[MAX_PROFILES];
	int r = load_one(arena, cli->config, root, cfg, d);

	for (size_t i = 0; i < cli->n_profiles; i++) {
		int q = load_one(arena, cli->profiles[i], &over[i], cfg, d);
		if (q < 0 && r >= 0)
			r = q;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < cli->n_profiles; i++)
		kp_merge(arena, *root, over[i]);
	return 0;
}

static int fail_with_diagnostics(const struct cli *cli, const struct kp_diags *d, int r,
				 struct kp_error *err)
{
	return kp_fail(err, r < 0 ? -r : EINVAL, "%s: %zu error%s%s", cli->config, d->errors,
		       d->errors == 1 ? "" : "s",
		       cli->command == CMD_PLAN ? "; no plan written" : "");
}

static int run(const struct cli *cli, struct kp_diags *d, struct kp_error *err)
{
	struct kp_validate_opts vopts = { cli->containers_dir };
	struct kp_arena arena = { 0 };
	struct kp_buf plan = { 0 };
	struct kp_config cfg;
	struct kp_node *root = NULL;
	int r;

	if (cli->command == CMD_KEYS) {
		kp_schema_print_keys(stdout);
		return 0;
	}
	kp_config_init(&cfg);
	r = load_and_merge(cli, &arena, &root, &cfg, d);
	if (r >= 0)
		r = kp_validate(root, &vopts, &cfg, d);
	if (r < 0) {
		r = fail_with_diagnostics(cli, d, r, err);
		goto out;
	}
	if (cli->command == CMD_CHECK) {
		printf("%s: valid (%zu warning%s)\n", cli->config, d->warnings, d->warnings == 1 ? "" : "s");
		goto out;
	}
	r = kp_plan_render(&cfg, &plan, err);
	if (r >= 0)
		r = kp_plan_write(cli->output, &plan, err);
out:
	kp_buf_free(&plan);
	kp_config_free(&cfg);
	kp_arena_free(&arena);
	return r;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct kp_diags diags = { 0 };
	struct kp_error err = { { 0 } };
	int status = parse_options(argc, argv, &cli);
	int r;

	if (status >= 0)
		return status;
	r = run(&cli, &diags, &err);
	kp_diags_print(&diags, stderr);
	kp_diags_free(&diags);
	if (r < 0) {
		kp_error_print(PROG, &err);
		return 1;
	}
	return 0;
}
