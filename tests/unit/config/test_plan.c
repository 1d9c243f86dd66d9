/* The plan is sourced by bash: every value must come back exactly as
 * written and none may run anything. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "schema.h"
#include "tap.h"

static const char *quote(struct kp_buf *b, const char *value, int *r)
{
	struct kp_error err = { { 0 } };

	kp_buf_reset(b);
	*r = kp_shell_quote(b, value, &err);
	return kp_buf_str(b);
}

static void test_shell_quote(void)
{
	struct kp_buf b = { 0 };
	int r;

	is_str(quote(&b, "plain", &r), "'plain'", "a plain word is single-quoted");
	is_str(quote(&b, "", &r), "''", "an empty value is an empty pair of quotes");
	is_str(quote(&b, "it's", &r), "'it'\\''s'", "a quote closes, is escaped, and reopens");
	is_str(quote(&b, "a b  c", &r), "'a b  c'", "spaces are kept inside the quotes");
	is_str(quote(&b, "$HOME ${x} $(id)", &r), "'$HOME ${x} $(id)'", "dollars stay literal");
	is_str(quote(&b, "`id`", &r), "'`id`'", "backticks stay literal");
	is_str(quote(&b, "a\\b\"c", &r), "'a\\b\"c'", "backslashes and double quotes are not special");
	is_str(quote(&b, "''", &r), "''\\'''\\'''", "two quotes in a row");
	quote(&b, "two\nlines", &r);
	is_int(r, -EINVAL, "a newline is refused: the plan has one value per line");
	quote(&b, "tab\there", &r);
	is_int(r, -EINVAL, "other control characters are refused too");
	kp_buf_free(&b);
}

static void test_plan_from_defaults(void)
{
	struct kp_config cfg;
	struct kp_buf out = { 0 };
	struct kp_error err = { { 0 } };
	const char *text;

	kp_config_init(&cfg);
	cfg.name = strdup("demo");
	cfg.version = strdup("1.0~rc1");
	free(cfg.ova_product);
	cfg.ova_product = strdup("O'Brien & Sons $(reboot)");
	kp_strv_push(&cfg.files, "/etc/a.yaml");
	kp_strv_push(&cfg.files, "/etc/b.yaml");
	is_int(kp_plan_render(&cfg, &out, &err), 0, "the defaults render");
	text = kp_buf_str(&out);
	ok(strncmp(text, "# Kopanion build plan", 21) == 0, "the plan starts with its header comment");
	like_str(text, "\nKP_NAME='demo'\nKP_VERSION='1.0~rc1'\nKP_ARCH='amd64'\nKP_SUITE='trixie'\n"
		       "KP_MIRROR='http://deb.debian.org/debian'\nKP_PACKAGES=''\nKP_CPUS='8'\n"
		       "KP_MEMORY_MIB='65536'\nKP_MEMORY_GIB='64'\nKP_SYSTEM_GIB='30'\n"
		       "KP_PLANNED_DATA_GIB='0'\nKP_DISK_MIB='30720'\nKP_DISK_BYTES='32212254720'\n"
		       "KP_ARTIFACTS='iso qcow2 ova'\nKP_ISO_COMPRESSION='zstd'\nKP_QCOW2_COMPAT='1.1'\n"
		       "KP_QCOW2_COMPRESS='false'\nKP_OVA_HARDWARE=''\nKP_OVA_DIGEST=''\n"
		       "KP_OVA_FIRMWARE=''\nKP_OVA_DISK_CONTROLLER=''\nKP_OVA_NIC=''\n"
		       "KP_OVA_PRODUCT='O'\\''Brien & Sons $(reboot)'\nKP_OVA_VENDOR='Kopanion'\nKP_OVA_URL=''\n"
		       "KP_OVA_EULA=''\nKP_OVA_PROFILE='default'\nKP_CONTAINERS=''\nKP_CONTAINER_ARCHIVES=''\n"
		       "KP_CONFIG_FILES='/etc/a.yaml /etc/b.yaml'\nKP_ARTIFACT_BASE='demo-1.0~rc1-amd64'\n",
		 "every variable, in the documented order, with the defaults (target keys unset) and the disk from the sizing rule");
	ok(text[out.len - 1] == '\n' && !strstr(text, "\n\n"), "one line per variable, no blank lines");

	kp_buf_reset(&out);
	free(cfg.ova_url);
	cfg.ova_url = strdup("http://x/\nrm -rf /");
	ok(kp_plan_render(&cfg, &out, &err) == -EINVAL, "a newline in any value fails the whole plan");
	like_str(err.msg, "KP_OVA_URL: the value", "the error names the variable");
	kp_buf_free(&out);
	kp_config_free(&cfg);
}

int main(void)
{
	test_shell_quote();
	test_plan_from_defaults();
	return done_testing();
}
