/* kopanion-ova: OVF descriptor, manifest and OVA tar for the appliance.
 * main() only turns the command line into options and calls a command. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create.h"
#include "error.h"
#include "profile.h"
#include "verify.h"

#define PROG "kopanion-ova"
#define TOOL_VERSION "0.1.0"

enum {
	OPT_NAME = 256, OPT_VERSION, OPT_CPUS, OPT_MEMORY, OPT_DISK, OPT_TARGET, OPT_HARDWARE,
	OPT_DIGEST, OPT_FIRMWARE, OPT_CONTROLLER, OPT_NIC, OPT_PRODUCT, OPT_VENDOR,
	OPT_PRODUCT_VERSION, OPT_URL, OPT_EULA, OPT_OS_TYPE,
};

static const struct option create_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "memory-mib", required_argument, NULL, OPT_MEMORY },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "hardware", required_argument, NULL, OPT_HARDWARE },
	{ "digest", required_argument, NULL, OPT_DIGEST },
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },
	{ "disk-controller", required_argument, NULL, OPT_CONTROLLER },
	{ "nic", required_argument, NULL, OPT_NIC },
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "vendor", required_argument, NULL, OPT_VENDOR },
	{ "product-version", required_argument, NULL, OPT_PRODUCT_VERSION },
	{ "url", required_argument, NULL, OPT_URL },
	{ "eula", required_argument, NULL, OPT_EULA },
	{ "os-type", required_argument, NULL, OPT_OS_TYPE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	size_t n;
	const struct kp_ova_profile *p = kp_ova_profiles(&n);

	fprintf(f,
		"Usage: " PROG " create -o OUT.ova --name NAME --version VER --cpus N --memory-mib N --disk FILE.vmdk [options]\n"
		"       " PROG " descriptor -o OUT.ovf (same options as create)\n"
		"       " PROG " verify FILE.ova\n"
		"       " PROG " target [--target NAME] [target flags]   print the values a build would use\n"
		"       " PROG " --help | --version\n"
		"\n"
		"Appliance:\n"
		"  -o, --output PATH          the .ova (or .ovf for descriptor); written atomically\n"
		"      --name NAME            virtual machine name\n"
		"      --version VER          appliance version (ProductSection FullVersion)\n"
		"      --cpus N               virtual CPUs\n"
		"      --memory-mib N         memory in MiB\n"
		"      --disk FILE.vmdk       a streamOptimized VMDK (version 3); repeat for more disks\n"
		"\n"
		"Target (a profile sets all of these; each flag overrides one):\n"
		"      --target NAME          ");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", p[i].name);
	fprintf(f, "\n"
		"      --hardware vmx-NN      virtual hardware family\n"
		"      --digest ALG           manifest digest: sha256, sha1, sha512\n"
		"      --firmware bios|efi\n"
		"      --disk-controller lsilogic|sata|pvscsi\n"
		"      --nic vmxnet3|e1000|e1000e\n"
		"      --os-type ID           VMware guest id, e.g. debian12_64Guest\n"
		"\n"
		"Product information:\n"
		"      --product S            product name (default: --name)\n"
		"      --vendor S\n"
		"      --product-version S    short version (default: --version)\n"
		"      --url S                product URL\n"
		"      --eula FILE            license text shown on import\n"
		"\n"
		"Target profiles (hardware, digest, firmware, controller, nic, os type):\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-11s %-7s %-6s %-4s %-8s %-7s %-17s %s\n", p[i].name, p[i].hardware,
			kp_digest_alg_id(p[i].digest), kp_ova_firmware_name(p[i].firmware),
			kp_ova_controller_name(p[i].controller), kp_ova_nic_name(p[i].nic), p[i].os_type, p[i].why);
	fprintf(f, "\n"
		"Environment: SOURCE_DATE_EPOCH sets the tar mtimes (default 0).\n"
		"Exit status: 0 ok, 1 failure (or problems found by verify), 2 usage error.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	return 2;
}

static int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out < min || *out > max ? -1 : 0;
}

enum mode { MODE_CREATE, MODE_DESCRIPTOR, MODE_TARGET };

/* target: resolve the profile and the flags that override it, print the result. */
static int print_target(const struct kp_ova_create_opts *o)
{
	struct kp_error err = { { 0 } };
	struct kp_ova_settings s;

	if (kp_ova_settings_resolve(o, &s, &err) < 0) {
		kp_error_print(PROG, &err);
		return 1;
	}
	kp_ova_settings_print(&s, stdout);
	return 0;
}

static int cmd_create_like(int argc, char **argv, enum mode mode)
{
	struct kp_ova_create_opts o = { .descriptor_only = mode == MODE_DESCRIPTOR };
	struct kp_error err = { { 0 } };
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", create_options, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_VERSION: o.version = optarg; break;
		case OPT_CPUS:
			if (parse_count(optarg, 1, 768, &v) < 0)
				return usage_error("--cpus '%s' is not a number from 1 to 768", optarg);
			o.cpus = (unsigned)v;
			break;
		case OPT_MEMORY:
			if (parse_count(optarg, 4, UINT64_C(24) << 20, &v) < 0)
				return usage_error("--memory-mib '%s' is not a number of MiB from 4 to 25165824 (24 TiB)", optarg);
			o.memory_mib = v;
			break;
		case OPT_DISK:
			if (o.ndisks == KP_OVF_MAX_DISKS)
				return usage_error("at most %s disks", "15");
			o.disks[o.ndisks++] = optarg;
			break;
		case OPT_TARGET: o.target = optarg; break;
		case OPT_HARDWARE: o.hardware = optarg; break;
		case OPT_DIGEST: o.digest = optarg; break;
		case OPT_FIRMWARE: o.firmware = optarg; break;
		case OPT_CONTROLLER: o.controller = optarg; break;
		case OPT_NIC: o.nic = optarg; break;
		case OPT_PRODUCT: o.product = optarg; break;
		case OPT_VENDOR: o.vendor = optarg; break;
		case OPT_PRODUCT_VERSION: o.product_version = optarg; break;
		case OPT_URL: o.url = optarg; break;
		case OPT_EULA: o.eula_path = optarg; break;
		case OPT_OS_TYPE: o.os_type = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return usage_error("%s", "unknown or incomplete option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (mode == MODE_TARGET)
		return print_target(&o);
	if (!o.output)
		return usage_error("%s", "-o OUTPUT is required");
	if (!o.name || !o.version || !o.cpus || !o.memory_mib || !o.ndisks)
		return usage_error("%s", "--name, --version, --cpus, --memory-mib and --disk are required");
	if (kp_ova_create(&o, &err) < 0) {
		kp_error_print(PROG, &err);
		return 1;
	}
	return 0;
}

static int cmd_create(int argc, char **argv) { return cmd_create_like(argc, argv, MODE_CREATE); }
static int cmd_descriptor(int argc, char **argv) { return cmd_create_like(argc, argv, MODE_DESCRIPTOR); }
static int cmd_target(int argc, char **argv) { return cmd_create_like(argc, argv, MODE_TARGET); }

static void print_problem(void *ctx, const char *msg)
{
	fprintf(stderr, "%s: %s\n", (const char *)ctx, msg);
}

static int cmd_verify(int argc, char **argv)
{
	struct kp_error err = { { 0 } };
	char summary[512];
	int r;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("%s", "verify takes exactly one FILE.ova");
	r = kp_ova_verify(argv[1], print_problem, argv[1], summary, sizeof(summary), &err);
	if (r < 0) {
		kp_error_print(PROG, &err);
		return 1;
	}
	if (r > 0) {
		fprintf(stderr, "%s: %d problem(s) found\n", argv[1], r);
		return 1;
	}
	printf("%s\n", summary);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create },
	{ "descriptor", cmd_descriptor },
	{ "verify", cmd_verify },
	{ "target", cmd_target },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "a command is required: create, descriptor, verify or target");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf(PROG " " TOOL_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return usage_error("unknown command '%s': use create, descriptor, verify or target", argv[1]);
}
