/* Profiles over the base: later files win key by key, mappings merge,
 * lists are replaced whole, and positions point at the file that gave the
 * value. */
#include <string.h>

#include "merge.h"
#include "schema.h"
#include "tap.h"
#include "validate.h"
#include "yaml_tree.h"

static struct kp_node *load(struct kp_arena *a, struct kp_diags *d, const char *file, const char *yaml)
{
	struct kp_node *root = NULL;

	kp_yaml_load_string(a, file, yaml, strlen(yaml), &root, d);
	return root;
}

static const char base_yaml[] =
	"name: kopanion\n"
	"version: \"0.1.0\"\n"
	"vm:\n"
	"  cpus: 8\n"
	"  memory_gib: 64\n"
	"storage:\n"
	"  system_gib: 30\n"
	"  planned_data_gib: 20\n"
	"image:\n"
	"  artifacts: [iso, qcow2, ova]\n"
	"  iso_compression: zstd\n";

static const char profile_yaml[] =
	"name: kopanion-tiny\n"
	"vm:\n"
	"  cpus: 2\n"
	"image:\n"
	"  artifacts: [qcow2]\n"
	"ova:\n"
	"  nic: e1000\n";

static void test_merge_values(void)
{
	struct kp_arena a = { 0 };
	struct kp_diags d = { 0 };
	struct kp_config cfg;
	struct kp_node *base = load(&a, &d, "base.yaml", base_yaml);
	struct kp_node *over = load(&a, &d, "tiny.yaml", profile_yaml);

	kp_config_init(&cfg);
	kp_merge(&a, base, over);
	is_int(kp_validate(base, NULL, &cfg, &d), 0, "base + profile is valid");
	is_str(cfg.name, "kopanion-tiny", "a top-level value from the profile wins");
	is_str(cfg.version, "0.1.0", "a key the profile does not give stays from the base");
	is_int(cfg.cpus, 2, "a nested value from the profile wins");
	is_int(cfg.memory_gib, 64, "its sibling in the same section stays from the base");
	is_str(cfg.planned_data_gib.text, "20", "a section the profile does not touch stays");
	is_int(cfg.artifacts.n, 1, "a list is replaced whole, not appended to");
	is_str(cfg.artifacts.v[0], "qcow2", "by the profile's list");
	is_str(cfg.iso_compression, "zstd", "image keys the profile leaves out stay");
	is_str(cfg.ova_nic, "e1000", "a section only the profile has is added");
	is_int(kp_node_get(kp_node_get(base, "vm"), "cpus")->mark.line, 3,
	       "the merged value keeps the profile's line");
	is_str(kp_node_get(kp_node_get(base, "vm"), "cpus")->mark.file, "tiny.yaml",
	       "and the profile's file name, so errors and warnings point there");
	is_str(d.items[0].text,
	       "tiny.yaml:3:9: warning: vm.cpus: 2 is below the seed minimum of 8 CPUs; fine for tests, too small for production",
	       "the seed warning for a profile's value names the profile");
	kp_config_free(&cfg);
	kp_diags_free(&d);
	kp_arena_free(&a);
}

static void test_merge_errors_point_at_profile(void)
{
	struct kp_arena a = { 0 };
	struct kp_diags d = { 0 };
	struct kp_config cfg;
	struct kp_node *base = load(&a, &d, "base.yaml", base_yaml);
	struct kp_node *over = load(&a, &d, "bad.yaml", "storage:\n  planned_data_gib: lots\n");

	kp_config_init(&cfg);
	kp_merge(&a, base, over);
	ok(kp_validate(base, NULL, &cfg, &d) < 0, "a bad value in a profile fails");
	is_str(d.items[0].text,
	       "bad.yaml:2:21: storage.planned_data_gib: expected a number from 0 to 65536, at most 9 decimals (like 12.5), got 'lots'",
	       "and the error names the profile's file:line:column");
	kp_config_free(&cfg);
	kp_diags_free(&d);
	kp_arena_free(&a);
}

static void test_merge_order(void)
{
	struct kp_arena a = { 0 };
	struct kp_diags d = { 0 };
	struct kp_config cfg;
	struct kp_node *base = load(&a, &d, "base.yaml", base_yaml);

	kp_merge(&a, base, load(&a, &d, "one.yaml", "vm: {cpus: 16}\n"));
	kp_merge(&a, base, load(&a, &d, "two.yaml", "vm: {cpus: 32}\n"));
	kp_config_init(&cfg);
	is_int(kp_validate(base, NULL, &cfg, &d), 0, "two profiles merge");
	is_int(cfg.cpus, 32, "the later profile wins over the earlier one");
	kp_config_free(&cfg);
	kp_diags_free(&d);
	kp_arena_free(&a);
}

int main(void)
{
	test_merge_values();
	test_merge_errors_point_at_profile();
	test_merge_order();
	return done_testing();
}
