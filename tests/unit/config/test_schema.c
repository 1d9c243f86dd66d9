/* In-memory YAML through the key table: typed values land in the right
 * fields, defaults fill the rest, and each mistake gives one exact message. */
#include <errno.h>
#include <string.h>

#include "schema.h"
#include "tap.h"
#include "validate.h"
#include "yaml_tree.h"

struct result {
	struct kp_arena arena;
	struct kp_diags diags;
	struct kp_config cfg;
	int r;
};

static void parse(struct result *res, const char *yaml)
{
	struct kp_validate_opts opts = { "/nonexistent" };
	struct kp_node *root;

	memset(res, 0, sizeof(*res));
	kp_config_init(&res->cfg);
	res->r = kp_yaml_load_string(&res->arena, "t.yaml", yaml, strlen(yaml), &root, &res->diags);
	if (res->r == 0)
		res->r = kp_validate(root, &opts, &res->cfg, &res->diags);
}

static const char *first_diag(const struct result *res)
{
	return res->diags.n ? res->diags.items[0].text : "(none)";
}

static void done(struct result *res)
{
	kp_config_free(&res->cfg);
	kp_diags_free(&res->diags);
	kp_arena_free(&res->arena);
}

static void test_defaults(void)
{
	struct result res;

	parse(&res, "name: demo\nversion: 0.1\n");
	is_int(res.r, 0, "name and version alone are a valid description");
	is_int(res.diags.n, 0, "and give no warnings");
	is_str(res.cfg.version, "0.1", "a version written as a YAML number keeps its text");
	is_str(res.cfg.suite, "trixie", "debian.suite defaults to trixie");
	is_str(res.cfg.mirror, "http://deb.debian.org/debian", "debian.mirror default");
	is_int(res.cfg.packages.n, 0, "no extra packages by default");
	is_int(res.cfg.cpus, 8, "vm.cpus defaults to the seed's 8");
	is_int(res.cfg.memory_gib, 64, "vm.memory_gib defaults to the seed's 64");
	is_int(res.cfg.system_gib, 30, "storage.system_gib defaults to 30");
	is_str(res.cfg.planned_data_gib.text, "0", "no planned data by default");
	is_int(res.cfg.artifacts.n, 3, "all three artifacts by default");
	is_str(res.cfg.artifacts.v[2], "ova", "in the order iso, qcow2, ova");
	is_str(res.cfg.iso_compression, "zstd", "iso_compression default");
	is_str(res.cfg.qcow2_compat, "1.1", "qcow2_compat default");
	is_int(res.cfg.qcow2_compress, 0, "qcow2_compress default false");
	/* Unset, so that ova.profile decides them (a fixed default would override it). */
	is_str(res.cfg.ova_hardware, "", "ova.hardware is left to the target profile");
	is_str(res.cfg.ova_digest, "", "ova.digest is left to the target profile");
	is_str(res.cfg.ova_firmware, "", "ova.firmware is left to the target profile");
	is_str(res.cfg.ova_disk_controller, "", "ova.disk_controller is left to the target profile");
	is_str(res.cfg.ova_nic, "", "ova.nic is left to the target profile");
	is_str(res.cfg.ova_product, "Kopanion", "ova.product default");
	is_str(res.cfg.ova_url, "", "ova.url default empty");
	ok(res.cfg.ova_eula == NULL, "no eula by default");
	is_str(res.cfg.ova_profile, "default", "ova.profile default");
	done(&res);
}

static void test_every_default_passes_its_own_check(void)
{
	for (size_t i = 0; i < kp_keys_count; i++) {
		const struct kp_key *k = &kp_keys[i];
		if (k->flags & KP_KEY_FROM_PROFILE) {
			is_str(k->def, "", "%s is unset by default: the target profile decides", k->path);
			continue;
		}
		if (k->type == KP_TYPE_STRING && k->def && k->check)
			ok(k->check(k->def), "the default of %s passes its own check", k->path);
		if (k->type == KP_TYPE_ENUM) {
			bool found = false;
			for (size_t j = 0; k->allowed[j]; j++)
				found |= strcmp(k->allowed[j], k->def) == 0;
			ok(found, "the default of %s is one of its allowed values", k->path);
		}
	}
}

static void test_typed_values(void)
{
	struct result res;

	parse(&res, "name: demo\nversion: \"2.0+b1\"\n"
		    "debian: {packages: [curl, libc6-dev, g++]}\n"
		    "vm: {cpus: 16, memory_gib: 128}\n"
		    "storage: {system_gib: 40, planned_data_gib: 12.5}\n"
		    "image: {artifacts: [qcow2], qcow2_compat: 0.10, qcow2_compress: true}\n"
		    "ova: {hardware: vmx-21, product: \"It's $HOME\", profile: vmware-6.5}\n");
	is_int(res.r, 0, "a description with every kind of value is valid");
	is_int(res.cfg.packages.n, 3, "three packages");
	is_str(res.cfg.packages.v[2], "g++", "package names may hold '+'");
	is_int(res.cfg.cpus, 16, "vm.cpus read as an integer");
	is_int(res.cfg.memory_gib, 128, "vm.memory_gib read as an integer");
	is_str(res.cfg.planned_data_gib.text, "12.5", "planned data keeps its text");
	is_int(res.cfg.planned_data_gib.nano, 12500000000ULL, "and its exact value");
	is_int(res.cfg.artifacts.n, 1, "artifacts replaced by the list given");
	is_str(res.cfg.qcow2_compat, "0.10", "plain 0.10 stays '0.10', not the float 0.1");
	is_int(res.cfg.qcow2_compress, 1, "true is true");
	is_str(res.cfg.ova_product, "It's $HOME", "strings are kept byte for byte");
	is_str(res.cfg.ova_hardware, "vmx-21", "an explicit ova.hardware overrides the profile's");
	is_str(res.cfg.ova_profile, "vmware-6.5", "ova.profile is read");
	is_str(res.cfg.ova_nic, "", "keys not given stay unset beside a profile");
	done(&res);
}

struct bad_case {
	const char *yaml;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ "name: demo\nversion: 1\nvm:\n  cpu: 8\n", "t.yaml:4:3: unknown key 'vm.cpu' (did you mean 'vm.cpus'?)" },
	{ "name: demo\nversion: 1\nvm: {cpus: 257}\n", "t.yaml:3:12: vm.cpus: 257 is out of range; give an integer from 1 to 256" },
	{ "name: demo\nversion: 1\nvm: {cpus: [8]}\n", "t.yaml:3:12: vm.cpus: expected an integer from 1 to 256, got a list" },
	{ "name: demo\nversion: 1\nvm: {cpus: }\n", "t.yaml:3:12: vm.cpus: no value given; write an integer from 1 to 256, or remove the key to get its default" },
	{ "name: demo\nversion: 1\nstorage: {system_gib: 3}\n", "t.yaml:3:23: storage.system_gib: 3 is out of range; give an integer from 4 to 4096" },
	{ "name: demo\nversion: 1\nimage: {artifacts: iso}\n", "t.yaml:3:20: image.artifacts: expected a list of iso, qcow2, ova, each once, at least one, got a single value" },
	{ "name: demo\nversion: 1\nova: {digest: md5}\n", "t.yaml:3:15: ova.digest: 'md5' is not one of sha256, sha1, sha512" },
	{ "name: demo\nversion: 1\nova: {hardware: vmx-3}\n", "t.yaml:3:17: ova.hardware: 'vmx-3' is not valid; it must match vmx-4 .. vmx-21" },
	{ "name: demo\nversion: 1\nova: {url: \"a\\tb\"}\n", "t.yaml:3:12: ova.url: the value holds a newline or another control character; write it on one line" },
	{ "name: demo\nversion: 1\nova: {vendor: \"a\\0b\"}\n", "t.yaml:3:15: ova.vendor: the value holds a newline or another control character; write it on one line" },
	{ "name: demo\nversion: 1\nname: other\n", "t.yaml:3:1: duplicate key 'name' (first given at line 1); keep only one" },
	{ "version: 1\n", "t.yaml:1:1: missing required key 'name'; add 'name: VALUE' at the top level (VALUE must match [a-z0-9][a-z0-9-]{0,40})" },
	{ "name: -demo\nversion: 1\n", "t.yaml:1:7: name: '-demo' is not valid; it must match [a-z0-9][a-z0-9-]{0,40}" },
	{ "name: demo\nversion: 1\ncontainers: [web]\n", "t.yaml:3:14: containers[0]: expected a mapping like {name: RECIPE} or {archive: FILE}, got a single value" },
	{ "# only a comment\n", "t.yaml:1:1: the file is empty; it needs at least 'name:' and 'version:' (see `kopanion-config keys`)" },
	{ "name: [demo\n", "t.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1); check the indentation and quoting here" },
};

static void test_bad_values(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct result res;

		parse(&res, bad_cases[i].yaml);
		is_int(res.r, -EINVAL, "case %zu fails", i);
		is_int(res.diags.errors, 1, "case %zu gives exactly one error", i);
		is_str(first_diag(&res), bad_cases[i].message, "case %zu says where and what", i);
		done(&res);
	}
}

static void test_all_errors_reported(void)
{
	struct result res;

	parse(&res, "name: Demo\nversion: 1\nvm: {cpus: 0, memory_gib: x}\nbogus: 1\n");
	is_int(res.diags.errors, 4, "four mistakes, four errors (not just the first)");
	done(&res);
}

static void test_warnings(void)
{
	struct result res;

	parse(&res, "name: demo\nversion: 1\nvm:\n  cpus: 2\n  memory_gib: 63\n");
	is_int(res.r, 0, "below the seed minimum is still valid");
	is_int(res.diags.warnings, 2, "but warns twice");
	is_str(res.diags.items[0].text,
	       "t.yaml:4:9: warning: vm.cpus: 2 is below the seed minimum of 8 CPUs; fine for tests, too small for production",
	       "the CPU warning names file:line");
	is_str(res.diags.items[1].text,
	       "t.yaml:5:15: warning: vm.memory_gib: 63 is below the seed minimum of 64 GiB; fine for tests, too small for production",
	       "the memory warning names file:line");
	done(&res);
}

int main(void)
{
	test_defaults();
	test_every_default_passes_its_own_check();
	test_typed_values();
	test_bad_values();
	test_all_errors_reported();
	test_warnings();
	return done_testing();
}
