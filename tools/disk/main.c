/* kopanion-disk: options, then run(). See disk.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"
#include "inspect.h"
#include "target.h"

#define VERSION "0.1.0"

enum {
	OPT_ROOT = 0x100,
	OPT_OUTPUT,
	OPT_SIZE_MIB,
	OPT_ESP_MIB,
	OPT_LABEL,
	OPT_PURGE,
	OPT_HOSTNAME,
	OPT_ACCEL,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option options[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "size-mib", required_argument, NULL, OPT_SIZE_MIB },
	{ "esp-mib", required_argument, NULL, OPT_ESP_MIB },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "purge", required_argument, NULL, OPT_PURGE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs("Usage: kopanion-disk build --root DIR --output FILE.raw --size-mib N [OPTIONS]\n"
	      "       kopanion-disk inspect [--accel MODE] FILE.raw\n"
	      "\n"
	      "Turn a root tree into a raw, installed-system disk that boots under BIOS and UEFI\n"
	      "(GPT: BIOS boot, ESP, ext4 root), entirely inside the libguestfs appliance; or\n"
	      "print what such a disk holds as key=value lines.\n"
	      "\n"
	      "Input and output (build):\n"
	      "  --root DIR         the root tree (a chroot folder); read, never changed\n"
	      "  --output FILE      the raw disk; written beside it as .FILE.XXXXXX, renamed when done\n"
	      "\n"
	      "Layout (build):\n"
	      "  --size-mib N       disk size in MiB (the disk is sparse)\n"
	      "  --esp-mib N        EFI system partition size in MiB (default 256)\n"
	      "  --label NAME       root filesystem label (default kopanion)\n"
	      "\n"
	      "Target system (build):\n"
	      "  --purge PKG        purge this package if installed (repeatable), e.g. live-boot\n"
	      "  --hostname NAME    write /etc/hostname and /etc/hosts (default: keep the tree's)\n"
	      "\n"
	      "Appliance:\n"
	      "  --accel MODE       auto (default), kvm or tcg; auto honours LIBGUESTFS_BACKEND_SETTINGS,\n"
	      "                     else tests that a guest really runs on /dev/kvm\n"
	      "  --verbose          show the commands run in the target and their output\n"
	      "                     (LIBGUESTFS_DEBUG=1 shows the appliance's own log)\n"
	      "\n"
	      "General:\n"
	      "  --help             this text\n"
	      "  --version          the version\n"
	      "\n"
	      "Exit status: 0 done, 1 failed, 2 bad usage.\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", DISK_PROG);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", DISK_PROG);
	return 2;
}

static int parse_mib(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v > 0 && *v <= (1ULL << 24) && s[0] != '-';
}

int main(int argc, char **argv)
{
	static const char *purge[64];
	struct disk_opts o = { .esp_mib = 256, .label = "kopanion", .purge = purge };
	struct kp_error err = { { 0 } };
	const char *cmd, *accel = "auto";
	int c, r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", DISK_PROG, VERSION);
		return 0;
	}
	if (argc < 2)
		return usage_error("%s", "missing command (build or inspect)");
	cmd = argv[1];
	if (strcmp(cmd, "build") != 0 && strcmp(cmd, "inspect") != 0)
		return usage_error("unknown command '%s' (use build or inspect)", cmd);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: o.root = optarg; break;
		case OPT_OUTPUT: o.output = optarg; break;
		case OPT_SIZE_MIB:
			if (!parse_mib(optarg, &o.size_mib))
				return usage_error("--size-mib '%s' is not a whole number of MiB", optarg);
			break;
		case OPT_ESP_MIB:
			if (!parse_mib(optarg, &o.esp_mib))
				return usage_error("--esp-mib '%s' is not a whole number of MiB", optarg);
			break;
		case OPT_LABEL:
			if (strlen(optarg) == 0 || strlen(optarg) > 16)
				return usage_error("--label '%s' must be 1 to 16 characters (ext4 limit)", optarg);
			o.label = optarg;
			break;
		case OPT_PURGE:
			if (!target_valid_package(optarg))
				return usage_error("--purge '%s' is not a Debian package name", optarg);
			if (o.n_purge >= sizeof(purge) / sizeof(purge[0]))
				return usage_error("too many --purge options (the last was '%s')", optarg);
			purge[o.n_purge++] = optarg;
			break;
		case OPT_HOSTNAME:
			if (!target_valid_hostname(optarg))
				return usage_error("--hostname '%s' is not a host name (letters, digits, '-', up to 63)", optarg);
			o.hostname = optarg;
			break;
		case OPT_ACCEL: accel = optarg; break;
		case OPT_VERBOSE: o.verbose = 1; break;
		case OPT_HELP: usage(stdout); return 0;
		case OPT_VERSION: printf("%s %s\n", DISK_PROG, VERSION); return 0;
		default: return usage_error("%s", "unknown option");
		}
	}
	if (accel_parse(accel, &o.accel, &err) < 0)
		return usage_error("%s", err.msg);

	if (strcmp(cmd, "inspect") == 0) {
		if (optind != argc - 1)
			return usage_error("%s", "inspect takes exactly one disk file");
		r = inspect_disk(argv[optind], o.accel, stdout, &err);
	} else {
		if (optind != argc)
			return usage_error("unexpected argument '%s'", argv[optind]);
		if (!o.root)
			return usage_error("%s", "build needs --root DIR (the root tree)");
		if (!o.output)
			return usage_error("%s", "build needs --output FILE.raw");
		if (!o.size_mib)
			return usage_error("%s", "build needs --size-mib N");
		r = disk_build(&o, &err);
	}
	if (r < 0) {
		kp_error_print(DISK_PROG, &err);
		return 1;
	}
	return 0;
}
