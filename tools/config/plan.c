#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "atomic.h"
#include "sizing.h"

int kp_shell_quote(struct kp_buf *out, const char *value, struct kp_error *err)
{
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return kp_fail(err, EINVAL,
				       "the value '%s' holds a newline or another control character; the plan takes one line per value",
				       value);
	kp_buf_puts(out, "'");
	for (const char *p = value; *p; p++) {
		if (*p == '\'')
			kp_buf_puts(out, "'\\''");
		else
			kp_buf_add(out, p, 1);
	}
	kp_buf_puts(out, "'");
	return 0;
}

static int emit(struct kp_buf *out, const char *name, const char *value, struct kp_error *err)
{
	size_t mark = out->len;
	int r;

	kp_buf_printf(out, "%s=", name);
	r = kp_shell_quote(out, value ? value : "", err);
	if (r < 0) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		out->len = mark;
		out->data[mark] = '\0';
		return kp_fail(err, -r, "%s: %s", name, why);
	}
	kp_buf_puts(out, "\n");
	return 0;
}

static int emit_u64(struct kp_buf *out, const char *name, uint64_t value, struct kp_error *err)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return emit(out, name, text, err);
}

static int emit_list(struct kp_buf *out, const char *name, const struct kp_strv *v,
		     struct kp_error *err)
{
	struct kp_buf joined = { 0 };
	int r;

	for (size_t i = 0; i < v->n; i++)
		kp_buf_printf(&joined, "%s%s", i ? " " : "", v->v[i]);
	r = emit(out, name, kp_buf_str(&joined), err);
	kp_buf_free(&joined);
	return r;
}

int kp_plan_render(const struct kp_config *cfg, struct kp_buf *out, struct kp_error *err)
{
	uint64_t disk_mib = kp_disk_mib((uint64_t)cfg->system_gib, cfg->planned_data_gib.nano);
	struct kp_buf base = { 0 };
	int r = 0;

	kp_buf_printf(&base, "%s-%s-%s", cfg->name, cfg->version, KP_ARCH);
	kp_buf_puts(out, "# Kopanion build plan, written by kopanion-config " KP_CONFIG_TOOL_VERSION
			 " from KP_CONFIG_FILES below.\n"
			 "# Generated: do not edit. build.sh reads it with `. plan` (bash).\n");
	/* One row per variable, in the order of the documented list. */
	if (r >= 0) r = emit(out, "KP_NAME", cfg->name, err);
	if (r >= 0) r = emit(out, "KP_VERSION", cfg->version, err);
	if (r >= 0) r = emit(out, "KP_ARCH", KP_ARCH, err);
	if (r >= 0) r = emit(out, "KP_SUITE", cfg->suite, err);
	if (r >= 0) r = emit(out, "KP_MIRROR", cfg->mirror, err);
	if (r >= 0) r = emit_list(out, "KP_PACKAGES", &cfg->packages, err);
	if (r >= 0) r = emit_u64(out, "KP_CPUS", (uint64_t)cfg->cpus, err);
	if (r >= 0) r = emit_u64(out, "KP_MEMORY_MIB", (uint64_t)cfg->memory_gib * KP_MIB_PER_GIB, err);
	if (r >= 0) r = emit_u64(out, "KP_MEMORY_GIB", (uint64_t)cfg->memory_gib, err);
	if (r >= 0) r = emit_u64(out, "KP_SYSTEM_GIB", (uint64_t)cfg->system_gib, err);
	if (r >= 0) r = emit(out, "KP_PLANNED_DATA_GIB", cfg->planned_data_gib.text, err);
	if (r >= 0) r = emit_u64(out, "KP_DISK_MIB", disk_mib, err);
	if (r >= 0) r = emit_u64(out, "KP_DISK_BYTES", disk_mib * KP_BYTES_PER_MIB, err);
	if (r >= 0) r = emit_list(out, "KP_ARTIFACTS", &cfg->artifacts, err);
	if (r >= 0) r = emit(out, "KP_ISO_COMPRESSION", cfg->iso_compression, err);
	if (r >= 0) r = emit(out, "KP_QCOW2_COMPAT", cfg->qcow2_compat, err);
	if (r >= 0) r = emit(out, "KP_QCOW2_COMPRESS", cfg->qcow2_compress ? "true" : "false", err);
	if (r >= 0) r = emit(out, "KP_OVA_HARDWARE", cfg->ova_hardware, err);
	if (r >= 0) r = emit(out, "KP_OVA_DIGEST", cfg->ova_digest, err);
	if (r >= 0) r = emit(out, "KP_OVA_FIRMWARE", cfg->ova_firmware, err);
	if (r >= 0) r = emit(out, "KP_OVA_DISK_CONTROLLER", cfg->ova_disk_controller, err);
	if (r >= 0) r = emit(out, "KP_OVA_NIC", cfg->ova_nic, err);
	if (r >= 0) r = emit(out, "KP_OVA_PRODUCT", cfg->ova_product, err);
	if (r >= 0) r = emit(out, "KP_OVA_VENDOR", cfg->ova_vendor, err);
	if (r >= 0) r = emit(out, "KP_OVA_URL", cfg->ova_url, err);
	if (r >= 0) r = emit(out, "KP_OVA_EULA", cfg->ova_eula, err);
	if (r >= 0) r = emit(out, "KP_OVA_PROFILE", cfg->ova_profile, err);
	if (r >= 0) r = emit_list(out, "KP_CONTAINERS", &cfg->containers.names, err);
	if (r >= 0) r = emit_list(out, "KP_CONTAINER_ARCHIVES", &cfg->containers.archives, err);
	if (r >= 0) r = emit_list(out, "KP_CONFIG_FILES", &cfg->files, err);
	if (r >= 0) r = emit(out, "KP_ARTIFACT_BASE", kp_buf_str(&base), err);
	kp_buf_free(&base);
	return r;
}

int kp_plan_write(const char *path, const struct kp_buf *plan, struct kp_error *err)
{
	struct kp_atomic_file f;
	int r;

	if (!path) {
		if (fwrite(kp_buf_str(plan), 1, plan->len, stdout) != plan->len || fflush(stdout) != 0)
			return kp_fail_errno(err, errno ? errno : EIO, "cannot write the plan to standard output");
		return 0;
	}
	r = kp_atomic_open(&f, path, err);
	if (r < 0)
		return r;
	r = kp_atomic_write(&f, kp_buf_str(plan), plan->len, err);
	if (r < 0) {
		kp_atomic_abort(&f);
		return r;
	}
	return kp_atomic_commit(&f, err);
}
